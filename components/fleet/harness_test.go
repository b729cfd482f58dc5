package fleet

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/internal/outputs"
	"github.com/dbay/infra/components/network"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/stackfile"
)

// Resource types the tests read.
const (
	tTaskDef    = "aws:ecs/taskDefinition:TaskDefinition"
	tService    = "aws:ecs/service:Service"
	tRole       = "aws:iam/role:Role"
	tRolePolicy = "aws:iam/rolePolicy:RolePolicy"
	tSG         = "aws:ec2/securityGroup:SecurityGroup"
	tIngress    = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	tEgress     = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	tTarget     = "aws:appautoscaling/target:Target"
	tPolicy     = "aws:appautoscaling/policy:Policy"
	tRepo       = "aws:ecr/repository:Repository"
	tSecret     = "aws:secretsmanager/secret:Secret"
)

// stackValues reads a stack file with Pulumi's own loader, as a run hands
// it over (internal/stackfile).
func stackValues(t *testing.T, dir, stack string) map[string]string {
	t.Helper()
	st, err := stackfile.Load(dir, stack, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st.Values
}

// fixture is one stack's sections, as the stack would hand them to the fleet.
type fixture struct {
	project, domain, region string
	role                    config.Role
	network                 config.Network
	data                    config.Data
	secrets                 config.Secrets
	fleet                   config.Fleet
	zone                    bool
	replica                 string
	replicas                *ReplicaRepos // a recovery fleet's replicated repositories
	calledFromVPC           []string      // Args.CalledFromVPC
	protect                 bool
}

// fromStack loads a shipped stack file through config.Load, exactly as the
// stack's own run does, so the fixture carries the real sections with
// their defaults and validation.
func fromStack(t *testing.T, dir, project string) fixture {
	t.Helper()
	values := stackValues(t, dir, "prod")
	cfg, err := config.Load(config.Source{Project: project, Stack: "prod", Values: values})
	if err != nil {
		t.Fatalf("%s/Pulumi.prod.yaml does not validate:\n%v", dir, err)
	}
	if cfg.Fleet == nil {
		t.Fatalf("%s/Pulumi.prod.yaml has no fleet section", dir)
	}
	sec := cfg.Secrets
	sec.ReplicaRegions = nil // the fleet never reads replicas; the harness has no replica provider
	return fixture{project: project, domain: cfg.Domain, region: cfg.Region, role: cfg.Role, network: cfg.Network,
		data: cfg.Data, secrets: sec, fleet: *cfg.Fleet, zone: true, replica: cfg.DRRegion, protect: true}
}

// dbay is DBay's prod stack (the repository's Pulumi.prod.yaml).
func dbay(t *testing.T) fixture { t.Helper(); return fromStack(t, "../..", "dbay") }

// dhanam is Dhanam Ledger's prod stack (examples/dhanam/Pulumi.prod.yaml).
func dhanam(t *testing.T) fixture { t.Helper(); return fromStack(t, "../../examples/dhanam", "dhanam") }

type run struct {
	eng  *mockengine.Engine
	fx   fixture
	outs map[string]any // the component's outputs, resolved
	envs map[string]environment
	err  error
}

// synth builds network, secrets, data layer and fleet under the mock
// engine, seals secrets and data as the stack does, and resolves the
// fleet's outputs. extra, when set, runs inside the program with the layers.
func synth(t *testing.T, fx fixture, extra func(ctx *pulumi.Context, d *datalayer.DataLayer, s *secrets.Secrets, f *Fleet) error) run {
	t.Helper()
	eng := mockengine.ForTest(t, fx.project, "prod", fx.region)
	r := run{eng: eng, fx: fx, outs: map[string]any{}}
	r.err = eng.Run(func(ctx *pulumi.Context) error {
		p, err := mockengine.Provider(ctx, "regional", fx.region)
		if err != nil {
			return err
		}
		opts := pulumi.Providers(p)
		net, err := network.New(ctx, "network", &network.Args{Env: config.Env{Region: fx.region}, Spec: fx.network}, opts)
		if err != nil {
			return err
		}
		sec, err := secrets.New(ctx, "secrets", &secrets.Args{Env: config.Env{Project: fx.project, Stack: "prod", Region: fx.region}, Spec: fx.secrets, DeployRole: fx.project + "-ci-deploy", BreakGlassRole: fx.project + "-break-glass"}, opts)
		if err != nil {
			return err
		}
		data, err := datalayer.New(ctx, "data", &datalayer.Args{Env: config.Env{Project: fx.project, Region: fx.region, Domain: fx.domain, Protect: fx.protect}, Spec: fx.data, Network: net,
			PostgresConsumers:   (&config.Config{Fleet: &fx.fleet}).PostgresConsumers(),
			DocumentDBConsumers: (&config.Config{Fleet: &fx.fleet}).DocumentDBConsumers()}, opts)
		if err != nil {
			return err
		}
		args := &Args{Env: config.Env{Project: fx.project, Stack: "prod", Environment: "production", Region: fx.region, Domain: fx.domain, Protect: fx.protect}, Spec: fx.fleet, Network: net, Data: data, Secrets: sec,
			Role: fx.role, ReplicaRegion: fx.replica,
			Replicas: fx.replicas, CalledFromVPC: fx.calledFromVPC}
		if fx.zone {
			args.ZoneID = pulumi.String("Z0123456789ABCDEFGHIJ")
		}
		if fx.replica != "" {
			if args.ReplicaProvider, err = mockengine.Provider(ctx, fx.replica, fx.replica); err != nil {
				return err
			}
			args.Tags = map[string]string{"project": fx.project, "stack": "prod"}
		}
		f, err := New(ctx, "fleet", args, opts)
		if err != nil {
			return err
		}
		r.envs = map[string]environment{}
		for n, u := range f.units {
			r.envs[n] = u.env
		}
		if extra != nil {
			if err := extra(ctx, data, sec, f); err != nil {
				return err
			}
		}
		if err := sec.Seal(ctx); err != nil {
			return err
		}
		if err := data.Seal(ctx); err != nil {
			return err
		}
		outs, err := outputs.Map(f) // what New registered
		if err != nil {
			return err
		}
		for k, o := range outs {
			v, err := internals.UnsafeAwaitOutput(ctx.Context(), o.(pulumi.Output))
			if err != nil {
				return err
			}
			r.outs[k] = plainJSON(v.Value)
		}
		return nil
	})
	return r
}

func (r run) must(t *testing.T) run {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r
}

func (r run) one(t *testing.T, typ, name string) *mockengine.Resource {
	t.Helper()
	res := r.eng.Get(typ, name)
	if res == nil {
		t.Fatalf("no %s %q was created", typ, name)
	}
	return res
}

// resolve renders a value the way rendered inputs are: plain JSON shapes.
func plainJSON(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// container is one service's (or migration's) container definition.
type container struct {
	Name, Image, User      string
	Command                []string
	ReadonlyRootFilesystem bool
	PortMappings           []struct {
		Name          string
		ContainerPort int
		AppProtocol   string
	}
	Environment      []struct{ Name, Value string }
	Secrets          []struct{ Name, ValueFrom string }
	MountPoints      []struct{ SourceVolume, ContainerPath string }
	LogConfiguration struct {
		LogDriver string
		Options   map[string]string
	}
}

func (r run) container(t *testing.T, taskDef string) container {
	t.Helper()
	raw, _ := r.one(t, tTaskDef, taskDef).In()["containerDefinitions"].(string)
	var cs []container
	if err := json.Unmarshal([]byte(raw), &cs); err != nil || len(cs) != 1 {
		t.Fatalf("%s: container definitions %q: %v", taskDef, raw, err)
	}
	return cs[0]
}

func (c container) env() map[string]string {
	m := map[string]string{}
	for _, e := range c.Environment {
		m[e.Name] = e.Value
	}
	return m
}

func (c container) secrets() map[string]string {
	m := map[string]string{}
	for _, e := range c.Secrets {
		m[e.Name] = e.ValueFrom
	}
	return m
}

type statement = mockengine.Statement

func parsePolicy(t *testing.T, v any) []statement {
	t.Helper()
	d, err := mockengine.ParsePolicy(v)
	if err != nil {
		t.Fatal(err)
	}
	return d.Statement
}

func list(v any) []string { return mockengine.OneOrMany(v) }

// grants collects, per role name, every (action, resource) pair its inline
// policies allow.
func (r run) grants(t *testing.T) map[string]map[string][]string {
	t.Helper()
	out := map[string]map[string][]string{}
	for _, p := range r.eng.ByType(tRolePolicy) {
		role, _ := p.In()["role"].(string)
		if out[role] == nil {
			out[role] = map[string][]string{}
		}
		for _, st := range parsePolicy(t, p.In()["policy"]) {
			if st.Effect != "Allow" {
				continue
			}
			for _, a := range list(st.Action) {
				out[role][a] = append(out[role][a], list(st.Resource)...)
			}
		}
	}
	for _, m := range out {
		for a := range m {
			sort.Strings(m[a])
		}
	}
	return out
}

// roleName is the physical name of a fleet role ("listing-task").
func (r run) roleName(t *testing.T, logical string) string {
	t.Helper()
	return r.one(t, tRole, logical).Out()["name"].(string)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func equal(a, b []string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

func hasPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
