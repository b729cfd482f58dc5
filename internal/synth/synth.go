// Package synth runs a stack of the program under the mock engine, with the
// configuration of its Pulumi.<stack>.yaml, and reports what it would create.
// It is what `go run ./cmd/synth` and the whole-stack tests use.
package synth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/dr"
	"github.com/dbay/infra/internal/cost"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/stackfile"
	"github.com/dbay/infra/internal/wiring"
	"github.com/dbay/infra/stacks"
)

// Stack is a stack's project, name and configuration, as loaded from its files.
type Stack struct {
	Project string
	Name    string
	// Values is the run's config map ("ns:key" -> value, structured values
	// as JSON). Secure values read as "[secret]": synth never decrypts.
	Values     map[string]string
	SecretKeys []string
	// Dir is the directory the stack files came from ("" for a stack built
	// in memory): Run synthesizes its DR partner from there too.
	Dir string
	// PrimaryDown runs a DR pair as after a failover with the primary's
	// Region down (synth --primary-down): the recovery stack with
	// fleet.standby active, the primary with dr.fenced, and any
	// StackReference read of the primary's state fails; the recovery
	// stack has only what the primary replicated into its Region.
	PrimaryDown bool
}

// LoadStack reads Pulumi.yaml and Pulumi.<stack>.yaml from dir with
// Pulumi's own loaders (internal/stackfile).
func LoadStack(dir, stack string) (*Stack, error) {
	return loadStack(dir, stack, os.Stderr)
}

func loadStack(dir, stack string, warnings io.Writer) (*Stack, error) {
	st, err := stackfile.Load(dir, stack, warnings)
	if err != nil {
		return nil, err
	}
	return &Stack{Project: st.Project, Name: st.Name, Values: st.Values, SecretKeys: st.SecretKeys, Dir: dir}, nil
}

// Result is what a synthesized stack would create.
type Result struct {
	Project, Stack string
	Config         *config.Config
	Engine         *mockengine.Engine
	Resources      []*mockengine.Resource // sorted by URN
	Outputs        map[string]any         // stack exports, rendered
	// Partner is the other stack of a DR pair (the primary of a recovery
	// stack, the recovery stack of a primary), and DR the pair's
	// assessment against the DR policy. Nil outside a pair.
	Partner *Result
	DR      *dr.Report
	// raw are the exports with secrets in the clear: what a recovery
	// stack's mocked StackReference reads.
	raw map[string]any
	// lazy guards wiring and cost: a Result from Shared is read by
	// parallel tests.
	lazy sync.Mutex
	// wiring is the edge table, computed on first use (Wiring).
	wiring *wiring.Report
	// cost is the monthly estimate, computed on first use (Cost).
	cost    *cost.Report
	costErr error
	// primary is the primary of a recovery stack that ran as its partner
	// (whose Partner is not set): what its cost estimate resolves against.
	primary *Result
}

// Run synthesizes the stack. A configuration problem is returned as
// config.Errors before anything runs.
//
// A stack loaded from a directory that takes part in DR is run with its
// partner: a recovery stack after its primary, whose resources (the
// contract it replicated into the recovery Region) answer its data
// sources; a primary before its recovery stack. Both results carry
// the pair's DR assessment.
func Run(st *Stack) (*Result, error) {
	cfg, err := load(st)
	if err != nil {
		return nil, err
	}
	if st.Dir != "" && (cfg.RecoveryPolicyApplies()) {
		return runDR(st, cfg)
	}
	if st.PrimaryDown {
		return nil, fmt.Errorf("--primary-down runs a DR pair: stack %s is neither a primary with a drRegion nor a recovery stack loaded from its directory", st.Name)
	}
	return runOne(st, runEnv{})
}

func load(st *Stack) (*config.Config, error) {
	return config.Load(config.Source{Project: st.Project, Stack: st.Name, Values: st.Values, SecretKeys: st.SecretKeys})
}

// runEnv is what a run finds in the account besides itself.
type runEnv struct {
	// refs answer StackReferences by stack name.
	refs map[string]map[string]any
	// world are the resources another run created (the primary's), which
	// data sources read (mockengine.Engine.SetWorld).
	world []*mockengine.Resource
	// unreadable are stacks whose state cannot be read, with why.
	unreadable map[string]string
}

// runOne synthesizes one stack in env.
func runOne(st *Stack, env runEnv) (*Result, error) {
	cfg, err := load(st)
	if err != nil {
		return nil, err
	}
	eng := mockengine.New(st.Project, st.Name, cfg.Region)
	for name, outs := range env.refs {
		eng.SetStackOutputs(name, outs)
	}
	for name, why := range env.unreadable {
		eng.SetUnreadable(name, why)
	}
	eng.SetWorld(env.world)
	keys := make([]string, 0, len(st.Values))
	for k := range st.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	outputs, raw := map[string]any{}, map[string]any{}
	err = pulumi.RunErr(func(ctx *pulumi.Context) error {
		if err := stacks.RunWithKeys(ctx, keys); err != nil {
			return err
		}
		for name, v := range ctx.GetCurrentExportMap() {
			res, err := internals.UnsafeAwaitOutput(ctx.Context(), pulumi.ToOutput(v))
			if err != nil {
				return fmt.Errorf("output %s: %w", name, err)
			}
			if res.Known {
				raw[name] = plainJSON(res.Value)
			}
			switch {
			case res.Secret:
				outputs[name] = mockengine.Redacted
			case !res.Known:
				outputs[name] = mockengine.Unknown
			default:
				outputs[name] = plainJSON(res.Value)
			}
		}
		return nil
	}, eng.RunOption(), WithConfig(st.Values, st.SecretKeys))
	if err != nil {
		if es, ok := config.AsErrors(err); ok {
			return nil, es
		}
		return nil, err
	}
	return &Result{
		Project: st.Project, Stack: st.Name, Config: cfg, Engine: eng,
		Resources: eng.Resources(), Outputs: outputs, raw: raw,
	}, nil
}

// plainJSON turns a resolved Go value ([]string, map[string]string, ...)
// into the JSON shapes ([]any, map[string]any) every report uses.
func plainJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Sprint(v)
	}
	return out
}

// WithConfig is the run option that hands a config map to a mocked run.
func WithConfig(values map[string]string, secretKeys []string) pulumi.RunOption {
	return func(info *pulumi.RunInfo) {
		info.Config = values
		info.ConfigSecretKeys = secretKeys
	}
}

// IsConfigError reports whether err is a configuration problem (exit 2).
func IsConfigError(err error) bool {
	var es config.Errors
	return errors.As(err, &es)
}
