package wiring_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
	"github.com/dbay/infra/internal/wiring"
)

var (
	mu    sync.Mutex
	cache = map[string]*synth.Result{}
)

// run synthesizes a stack of dir once per test binary.
func run(t testing.TB, dir, stack string) *synth.Result {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if r, ok := cache[dir+stack]; ok {
		return r
	}
	st, err := synth.LoadStack(dir, stack)
	if err != nil {
		t.Fatal(err)
	}
	r, err := synth.Run(st)
	if err != nil {
		t.Fatal(err)
	}
	cache[dir+stack] = r
	return r
}

// eksDir is DBay with the fleet on EKS (as tests/eks_test.go builds it).
func eksDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "wiring-eks-variant")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dr.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if name == "Pulumi.prod.yaml" {
			const ecs = "\n    runtime: ecs\n"
			if !strings.Contains(s, ecs) {
				t.Fatal("Pulumi.prod.yaml no longer sets fleet.runtime: ecs")
			}
			s = strings.Replace(s, ecs, "\n    runtime: eks\n    eks:\n      nodeGroup: {instanceTypes: [m6i.xlarge]}\n", 1)
			// The service roles' bootstrap is an ECS task (config refuses
			// data.postgres.serviceUsers on EKS).
			s = strings.Replace(s, "serviceUsers: true", "serviceUsers: false", -1)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func check(r *synth.Result, rs []*mockengine.Resource) wiring.Report {
	var partner []*mockengine.Resource
	if r.Partner != nil {
		partner = r.Partner.Resources
	}
	return wiring.Check(rs, partner, r.Config)
}

func edge(t *testing.T, rep wiring.Report, consumer, dep string) wiring.Edge {
	t.Helper()
	for _, e := range rep.Edges {
		if e.Consumer == consumer && e.Dependency == dep {
			return e
		}
	}
	t.Fatalf("no edge %s -> %s", consumer, dep)
	return wiring.Edge{}
}

// without drops the resource typ/name.
func without(rs []*mockengine.Resource, typ, name string) []*mockengine.Resource {
	var out []*mockengine.Resource
	for _, r := range rs {
		if r.Type != typ || r.Name != name {
			out = append(out, r)
		}
	}
	return out
}

// edited replaces typ/name with a copy whose inputs (and dependencies) f changes.
func edited(rs []*mockengine.Resource, typ, name string, f func(*mockengine.Resource)) []*mockengine.Resource {
	out := make([]*mockengine.Resource, len(rs))
	for i, r := range rs {
		out[i] = r
		if r.Type == typ && r.Name == name {
			cp := *r
			cp.Inputs = r.Inputs.Copy()
			cp.Dependencies = append([]string(nil), r.Dependencies...)
			f(&cp)
			out[i] = &cp
		}
	}
	return out
}

func setString(key, value string) func(*mockengine.Resource) {
	return func(r *mockengine.Resource) { r.Inputs[resource.PropertyKey(key)] = resource.NewStringProperty(value) }
}

func replaceIn(key, old, new string) func(*mockengine.Resource) {
	return func(r *mockengine.Resource) {
		s := r.Inputs[resource.PropertyKey(key)].StringValue()
		r.Inputs[resource.PropertyKey(key)] = resource.NewStringProperty(strings.Replace(s, old, new, 1))
	}
}

func replaceAllIn(key, old, new string) func(*mockengine.Resource) {
	return func(r *mockengine.Resource) {
		s := r.Inputs[resource.PropertyKey(key)].StringValue()
		r.Inputs[resource.PropertyKey(key)] = resource.NewStringProperty(strings.ReplaceAll(s, old, new))
	}
}

func dropDependency(suffix string) func(*mockengine.Resource) {
	return func(r *mockengine.Resource) {
		var keep []string
		for _, d := range r.Dependencies {
			if !strings.HasSuffix(d, "::"+suffix) {
				keep = append(keep, d)
			}
		}
		r.Dependencies = keep
	}
}

const (
	egress   = tokens.VPCSecurityGroupEgressRule
	ingress  = tokens.VPCSecurityGroupIngressRule
	policy   = tokens.IAMRolePolicy
	taskDef  = tokens.ECSTaskDefinition
	endpoint = tokens.EC2VpcEndpoint
	lambda   = tokens.LambdaFunction
)

type breakCase struct {
	name           string
	mutate         func([]*mockengine.Resource) []*mockengine.Resource
	consumer, dep  string
	aspect, wanted string // aspect: network, iam, credentials, order; wanted: a substring of its verdict
}

func aspectOf(e wiring.Edge, a string) string {
	return map[string]string{"network": e.Network, "iam": e.IAM, "credentials": e.Credentials, "order": e.Order}[a]
}

// runBreaks shows each check failing: the stack's edges are all ok, then
// one piece is broken on purpose and exactly that edge's aspect fails.
func runBreaks(t *testing.T, r *synth.Result, cases []breakCase) {
	t.Helper()
	base := check(r, r.Resources)
	if b := base.Broken(); len(b) > 0 {
		t.Fatalf("the unbroken stack has broken edges: %+v", b)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := check(r, tc.mutate(r.Resources))
			e := edge(t, rep, tc.consumer, tc.dep)
			got := aspectOf(e, tc.aspect)
			if got == wiring.OK || got == wiring.NA || !strings.Contains(got, tc.wanted) {
				t.Errorf("%s -> %s %s = %q, want a failure containing %q", tc.consumer, tc.dep, tc.aspect, got, tc.wanted)
			}
			if rep.Passed() {
				t.Error("the report passed with a broken edge")
			}
		})
	}
}

// BenchmarkCheck is what the edge table adds to a synth of DBay prod.
func BenchmarkCheck(b *testing.B) {
	r := run(b, filepath.Join("..", ".."), "prod")
	for b.Loop() {
		check(r, r.Resources)
	}
}
