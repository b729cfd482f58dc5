package crossguard

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/dbay/infra/policy"
)

// The pack's tests on the four shipped stacks (TestPackReportsWhatSynthReports,
// TestPairRulesAreListed, TestResourcesKeepWhatRulesRead) are in
// tests/crossguard_test.go: they read that binary's shared stack runs, so
// this package's tests do not link the whole program.

// TestEnforcement: mandatory in an update, advisory in a preview and for
// the rules the SDK cannot serve.
func TestEnforcement(t *testing.T) {
	cases := []struct {
		id     string
		dryRun bool
		want   policyx.EnforcementLevel
	}{
		{"rds-encrypted-cmk", false, policyx.EnforcementLevelMandatory},
		{"rds-encrypted-cmk", true, policyx.EnforcementLevelAdvisory},
		{"logs-retained-on-delete", false, policyx.EnforcementLevelAdvisory},
		{"security-baseline-present", false, policyx.EnforcementLevelAdvisory},
	}
	for _, c := range cases {
		if got := Enforcement(c.id, c.dryRun); got != c.want {
			t.Errorf("Enforcement(%s, dryRun=%v) = %v, want %v", c.id, c.dryRun, got, c.want)
		}
	}
}

// TestAdvisoryEverywhere: the accessor tests/ reads names exactly the
// rules that stay advisory in an update.
func TestAdvisoryEverywhere(t *testing.T) {
	if !AdvisoryEverywhere("logs-retained-on-delete") || AdvisoryEverywhere("rds-encrypted-cmk") {
		t.Error("AdvisoryEverywhere: want logs-retained-on-delete, not rds-encrypted-cmk")
	}
	for _, r := range policy.Rules() {
		if got, want := AdvisoryEverywhere(r.ID), Enforcement(r.ID, false) == policyx.EnforcementLevelAdvisory; got != want {
			t.Errorf("AdvisoryEverywhere(%s) = %v, want %v", r.ID, got, want)
		}
	}
}
