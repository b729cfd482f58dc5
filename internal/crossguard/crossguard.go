// Package crossguard runs the program's policy pack (policy.Rules) as a
// Pulumi CrossGuard policy pack, so what `synth --policy` checks on the mock
// engine's resources is also checked on the provider's real inputs during
// `pulumi preview` and `pulumi up --policy-pack policypack`.
//
// It is built on the Go policy SDK, github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx,
// which Pulumi marks experimental (its package is not in the policy
// authoring docs, https://www.pulumi.com/docs/iac/concepts/policy-as-code/
// lists TypeScript, Python and OPA). Each rule is one stack validation
// policy named by its id; the stack's resources are converted once per
// analysis into the mock engine's Resource shape the rules already read.
//
// Known gaps of the SDK at the pinned version (v3.263.0), and what the pack
// does about them (docs/pipelines.md "Policy in real previews"):
//   - A preview's resources carry unknown values (ARNs and ids of resources
//     not yet created). They become mockengine.Unknown, which the rules
//     already treat as "cannot tell", but a rule that resolves a reference
//     (Index.Resolve) cannot follow an unknown one and may report what it
//     cannot see. So in a preview (dry run) every policy is advisory.
//   - policyx passes Protect, IgnoreChanges, DeleteBeforeReplace, Aliases and
//     CustomTimeouts of a resource's options, not RetainOnDelete
//     (policyx/server.go convertAnalyzerResourceOptions): the rules that
//     read retainOnDelete (RetainRules) stay advisory everywhere.
//   - A stack policy sees one stack. The rules that judge a DR pair
//     together (a replica's source in the primary, ECR replication
//     templates; policy.Options.Partner) have no partner here and stay
//     advisory everywhere.
//   - Stack policies run after the update has registered every resource:
//     a mandatory violation fails `pulumi up` but does not undo it. The gate
//     before any change is still `synth --policy` in CI and the preview job.
package crossguard

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/policy"
)

// Name and Version identify the pack to the engine (PulumiPolicy.yaml in
// policypack/ names the same runtime).
const (
	Name    = "dbay-policy"
	Version = "1.0.0"
)

// advisoryEverywhere are the rules the SDK cannot give what they read (see
// the package comment): reported, never blocking.
var advisoryEverywhere = map[string]string{}

func init() {
	for _, r := range policy.RetainRules() {
		advisoryEverywhere[r.ID] = "policyx does not pass retainOnDelete to Go analyzers"
	}
	for _, id := range policy.PairRuleIDs() {
		advisoryEverywhere[id] = "judges the DR pair together; a stack policy sees one stack"
	}
}

// Settings are what the pack needs to know about the stack besides its
// resources: the same as `synth --policy` reads from the stack's config.
type Settings struct {
	Waivers []policy.Waiver
	Options policy.Options
	// DryRun is true in a preview: every policy is then advisory.
	DryRun bool
}

// SettingsFromConfig reads the waivers and protection of a loaded config:
// the waivers of what the stack builds (a standby recovery stack's view, as
// synth --policy reads them: a waiver for a store built only at failover
// does not apply on standby).
func SettingsFromConfig(cfg *config.Config, dryRun bool) Settings {
	w := cfg.StandbyView().Policy.PolicyWaivers()
	waivers := make([]policy.Waiver, len(w))
	for i, x := range w {
		waivers[i] = policy.Waiver(x)
	}
	return Settings{Waivers: waivers, Options: policy.Options{Unprotected: !cfg.Protected()}, DryRun: dryRun}
}

// Pack is the policy pack factory policyx.Main calls once the engine has
// configured the stack: it loads the stack's config (the same loader the
// program runs, so a config the program refuses is refused here too).
func Pack(ctx *pulumi.Context) (policyx.PolicyPack, error) {
	src := config.Source{Project: ctx.Project(), Stack: ctx.Stack(), Values: map[string]string{}}
	for _, k := range config.KnownKeys(ctx.Project()) {
		if v, ok := ctx.GetConfig(k); ok {
			src.Values[k] = v
			if ctx.IsConfigSecret(k) {
				src.SecretKeys = append(src.SecretKeys, k)
			}
		}
	}
	cfg, err := config.Load(src)
	if err != nil {
		return nil, fmt.Errorf("%s: the stack's config: %w", Name, err)
	}
	return NewPack(SettingsFromConfig(cfg, ctx.DryRun()))
}

// NewPack is the pack for a stack described by s: one stack validation
// policy per rule of policy.Rules(), in report order.
func NewPack(s Settings) (policyx.PolicyPack, error) {
	rules := policy.Rules()
	eval := &evaluation{settings: s}
	policies := make([]policyx.Policy, 0, len(rules)+1)
	for _, r := range rules {
		policies = append(policies, policyx.NewStackValidationPolicy(r.ID, policyx.StackValidationPolicyArgs{
			Description:      description(r),
			EnforcementLevel: Enforcement(r.ID, s.DryRun),
			ValidateStack:    eval.reporter(r.ID),
		}))
	}
	policies = append(policies, policyx.NewStackValidationPolicy(policy.UnusedWaiverRule, policyx.StackValidationPolicyArgs{
		Description:      "a waiver in <project>:policy.waivers must excuse a current violation",
		EnforcementLevel: Enforcement(policy.UnusedWaiverRule, s.DryRun),
		ValidateStack:    eval.reporter(policy.UnusedWaiverRule),
	}))
	return policyx.NewPolicyPack(Name, semver.MustParse(Version), policyx.EnforcementLevelMandatory, policies)
}

// AdvisoryEverywhere reports whether the rule id is one the SDK cannot
// give what it reads (see the package comment): advisory in an update as
// in a preview. The tests in tests/ (crossguard_test.go) read it.
func AdvisoryEverywhere(id string) bool {
	_, ok := advisoryEverywhere[id]
	return ok
}

// Enforcement is a rule's level: advisory in a preview and for the rules
// the SDK cannot serve (see the package comment), mandatory otherwise.
func Enforcement(id string, dryRun bool) policyx.EnforcementLevel {
	if _, ok := advisoryEverywhere[id]; ok || dryRun {
		return policyx.EnforcementLevelAdvisory
	}
	return policyx.EnforcementLevelMandatory
}

func description(r policy.Rule) string {
	d := r.Title
	if r.Source != "" {
		d += " (" + r.Source + ")"
	}
	return d
}

// evaluation runs every rule once per analysis and hands each policy its
// own rule's violations: policyx calls every stack policy with the same
// resource slice, so the conversion and the rules run once, not 150 times.
type evaluation struct {
	settings Settings

	mu     sync.Mutex
	key    *policyx.AnalyzerResource
	n      int
	report policy.Report
}

func (e *evaluation) reporter(id string) func(context.Context, policyx.StackValidationArgs) error {
	return func(_ context.Context, args policyx.StackValidationArgs) error {
		for _, v := range e.run(args.Resources).Unwaived() {
			if v.Rule == id {
				args.Manager.ReportViolation(v.Message, v.URN)
			}
		}
		return nil
	}
}

func (e *evaluation) run(rs []policyx.AnalyzerResource) policy.Report {
	e.mu.Lock()
	defer e.mu.Unlock()
	var key *policyx.AnalyzerResource
	if len(rs) > 0 {
		key = &rs[0]
	}
	if e.n == 0 || key != e.key || len(rs) != e.n {
		e.key, e.n = key, len(rs)
		e.report = policy.EvaluateWith(Resources(rs), e.settings.Waivers, e.settings.Options)
		if len(rs) == 0 {
			e.n = -1 // an empty stack is evaluated too, once
		}
	}
	return e.report
}

// Resources converts what the engine sends a stack policy into the mock
// engine's records the rules read: properties become the inputs (and the
// outputs, where the rules find ARNs and ids), unknown values
// mockengine.Unknown, the provider's region the resource's Region. A
// resource without a provider is a component.
func Resources(rs []policyx.AnalyzerResource) []*mockengine.Resource {
	out := make([]*mockengine.Resource, 0, len(rs))
	for _, a := range rs {
		props := resource.ToResourcePropertyMap(a.Properties)
		r := &mockengine.Resource{
			URN:          a.URN,
			Type:         a.Type,
			Name:         a.Name,
			Custom:       a.Provider.URN != "",
			Parent:       a.Parent,
			Provider:     providerURN(a.Provider.URN),
			Dependencies: a.Dependencies,
			Inputs:       props,
			Outputs:      props,
			Options: mockengine.Options{
				Protect:             a.Options.Protect,
				IgnoreChanges:       a.Options.IgnoreChanges,
				DeleteBeforeReplace: a.Options.DeleteBeforeReplace,
			},
		}
		if id, ok := props["id"]; ok && id.IsString() {
			r.ID = id.StringValue()
		}
		if v, ok := a.Provider.Properties.GetOk("region"); ok && v.IsString() {
			r.Region = v.AsString()
		}
		out = append(out, r)
	}
	return out
}

// providerURN strips the "::<id>" a provider reference carries after its
// URN, and treats a default provider as "" as the mock engine does.
func providerURN(ref string) string {
	urn := ref
	if i := strings.LastIndex(ref, "::"); i > 0 && strings.Count(ref, "::") > 3 {
		urn = ref[:i]
	}
	if strings.Contains(urn, "::default") {
		return ""
	}
	return urn
}
