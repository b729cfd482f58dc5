package tests

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/dbay/infra/internal/crossguard"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/policy"
)

// The CrossGuard pack (internal/crossguard) on the four shipped stacks.
// Moved from internal/crossguard so these tests read the runs this binary
// shares (synthesize) instead of linking and running the whole program a
// second time; the break edits a copy of the shared resources.

// analyzerView is what the engine sends a stack policy for the mock
// engine's records: the outputs with the inputs over them as properties
// (a bridged provider's state holds both), the provider's region.
func analyzerView(rs []*mockengine.Resource) []policyx.AnalyzerResource {
	out := make([]policyx.AnalyzerResource, 0, len(rs))
	for _, r := range rs {
		props := resource.PropertyMap{}
		for k, v := range r.Outputs {
			props[k] = v
		}
		for k, v := range r.Inputs {
			props[k] = v
		}
		if r.ID != "" {
			props["id"] = resource.NewStringProperty(r.ID)
		}
		a := policyx.AnalyzerResource{
			Type: r.Type, Name: r.Name, URN: r.URN, Parent: r.Parent, Dependencies: r.Dependencies,
			Properties: resource.FromResourcePropertyMap(props),
		}
		a.Options.Protect = r.Options.Protect
		a.Options.IgnoreChanges = r.Options.IgnoreChanges
		a.Options.DeleteBeforeReplace = r.Options.DeleteBeforeReplace
		if r.Custom {
			a.Provider.URN = r.Provider
			if a.Provider.URN == "" {
				a.Provider.URN = "urn:pulumi:s::p::pulumi:providers:aws::default_6"
			}
			a.Provider.Properties = property.NewMap(map[string]property.Value{"region": property.New(r.Region)})
		}
		out = append(out, a)
	}
	return out
}

type violationRecorder struct{ got []string }

func (m *violationRecorder) ReportViolation(message, urn string) {
	m.got = append(m.got, urn+" "+message)
}

// analyzePack runs every policy of the pack as the engine's AnalyzeStack
// does and returns "<policy> <urn>" per violation, with the level of each
// policy.
func analyzePack(t *testing.T, pack policyx.PolicyPack, rs []policyx.AnalyzerResource) (found []string, levels map[string]policyx.EnforcementLevel) {
	t.Helper()
	levels = map[string]policyx.EnforcementLevel{}
	for _, p := range pack.Policies() {
		sp, ok := p.(policyx.StackValidationPolicy)
		if !ok {
			t.Fatalf("policy %s is not a stack validation policy", p.Name())
		}
		levels[p.Name()] = p.EnforcementLevel()
		m := &violationRecorder{}
		if err := sp.Validate(context.Background(), policyx.StackValidationArgs{Manager: m, Resources: rs}); err != nil {
			t.Fatal(err)
		}
		for _, g := range m.got {
			found = append(found, p.Name()+" "+g)
		}
	}
	sort.Strings(found)
	return found, levels
}

func expectedViolations(rep policy.Report) []string {
	var out []string
	for _, v := range rep.Unwaived() {
		out = append(out, v.Rule+" "+v.URN+" "+v.Message)
	}
	sort.Strings(out)
	return out
}

// enforced drops the violations of the rules that are advisory
// everywhere (levels nil: judged by the rule id alone).
func enforced(found []string, levels map[string]policyx.EnforcementLevel) []string {
	var out []string
	for _, g := range found {
		id, _, _ := strings.Cut(g, " ")
		if crossguard.AdvisoryEverywhere(id) {
			continue
		}
		if l, ok := levels[id]; ok && l != policyx.EnforcementLevelMandatory {
			continue
		}
		out = append(out, g)
	}
	return out
}

// TestPackReportsWhatSynthReports: on the shipped stacks the pack finds
// nothing, as `synth --policy` does; on a stack broken on purpose it finds
// exactly what policy.Evaluate finds on the mock engine's records, so the
// conversion loses nothing a rule reads.
func TestPackReportsWhatSynthReports(t *testing.T) {
	t.Parallel()
	for _, key := range shippedStacks {
		t.Run(key, func(t *testing.T) {
			dir, stack := shippedStack(key)
			r := synthesize(t, dir, stack)
			s := crossguard.SettingsFromConfig(r.Config, false)
			pack, err := crossguard.NewPack(s)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(pack.Policies()); n != len(policy.Rules())+1 {
				t.Fatalf("pack has %d policies, want one per rule (%d) and %s", n, len(policy.Rules()), policy.UnusedWaiverRule)
			}
			// Only the rules the SDK cannot serve (advisory everywhere)
			// may report what synth --policy does not.
			for _, g := range enforced(analyzePack(t, pack, analyzerView(r.Resources))) {
				t.Errorf("the pack reports what synth --policy does not: %.300s", g)
			}

			// Break: every bucket loses its public access block and every
			// RDS instance its encryption (on copies: the run is shared).
			broken := 0
			rs := make([]*mockengine.Resource, len(r.Resources))
			for i, x := range r.Resources {
				rs[i] = x
				var prop resource.PropertyKey
				switch x.Type {
				case "aws:rds/instance:Instance":
					prop = "storageEncrypted"
				case "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
					prop = "blockPublicPolicy"
				default:
					continue
				}
				cp := *x
				cp.Inputs = x.Inputs.Copy()
				cp.Inputs[prop] = resource.NewBoolProperty(false)
				rs[i] = &cp
				broken++
			}
			if broken == 0 {
				t.Fatal("nothing to break")
			}
			want := enforced(expectedViolations(policy.EvaluateWith(rs, s.Waivers, s.Options)), nil)
			if len(want) == 0 {
				t.Fatal("the break did not break anything policy.Evaluate sees")
			}
			got := enforced(analyzePack(t, pack, analyzerView(rs)))
			if !slices.Equal(got, want) {
				t.Errorf("pack found %d violations, synth's policy %d:\n%.2000s\n---\n%.2000s", len(got), len(want), strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestPairRulesAreListed finds every rule whose verdict on a recovery
// stack changes when its primary's resources are not there (what a stack
// policy sees) and fails unless policy.PairRuleIDs lists it.
func TestPairRulesAreListed(t *testing.T) {
	t.Parallel()
	for _, key := range shippedStacks {
		dir, stack := shippedStack(key)
		r := synthesize(t, dir, stack)
		opts := policy.Options{Unprotected: !r.Config.Protected()}
		alone := policy.EvaluateWith(r.Resources, synth.Waivers(r.Config.StandbyView()), opts)
		for _, v := range alone.Unwaived() {
			if !slices.Contains(policy.PairRuleIDs(), v.Rule) {
				t.Errorf("%s/%s: rule %s reports %s without the DR partner's resources: add it to policy.PairRuleIDs", dir, stack, v.Rule, v.Name)
			}
		}
	}
	ids := map[string]bool{}
	for _, r := range policy.Rules() {
		ids[r.ID] = true
	}
	for _, id := range policy.PairRuleIDs() {
		if !ids[id] {
			t.Errorf("policy.PairRuleIDs names %q, which is no rule", id)
		}
	}
}

// TestResourcesKeepWhatRulesRead: converting the engine's view back gives
// every record the identity, kind, parent, region and options the rules
// read (a rule skips a resource whose region it cannot tell, so a lost
// region would pass silently).
func TestResourcesKeepWhatRulesRead(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "dr")
	back := crossguard.Resources(analyzerView(r.Resources))
	if len(back) != len(r.Resources) {
		t.Fatalf("%d resources back, want %d", len(back), len(r.Resources))
	}
	for i, want := range r.Resources {
		got := back[i]
		type view struct {
			URN, Type, Name, Parent, Region string
			Custom, Protect                 bool
		}
		g := view{got.URN, got.Type, got.Name, got.Parent, got.Region, got.Custom, got.Options.Protect}
		w := view{want.URN, want.Type, want.Name, want.Parent, want.Region, want.Custom, want.Options.Protect}
		if !want.Custom {
			w.Region = ""
		}
		if g != w {
			t.Errorf("converted %+v, want %+v", g, w)
		}
	}
}
