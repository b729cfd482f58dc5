package config

import (
	"strings"
	"testing"
)

const (
	xprivReader = `{"items":{"WALLET_MASTER_XPRIV":{"source":"external","readers":["build-and-sign-tx"]}}}`
	readerFn    = `{"code":{"bucket":"b-us-east-1","keyPrefix":"r"},"functions":{"build_and_sign_tx":{}}}`
	orgWaiver   = `{"waivers":[{"rule":"security-baseline-present","resource":"regional","reason":"organization-managed: the security team's delegated administrator account"}]}`
)

// Absent, the stack creates the baseline, keeping the trail's logs a
// year in CloudWatch Logs and seven years in S3.
func TestSecurityDefaults(t *testing.T) {
	t.Parallel()
	cfg, errs := load(t, nil)
	if errs != nil {
		t.Fatal(errs)
	}
	if s := cfg.Security; s.Baseline != BaselineStack || !s.StackManaged() || s.TrailRetentionDays != 365 || s.TrailArchiveDays != 2557 ||
		s.DeployRole != "dbay-ci-deploy" || s.BreakGlassRole != "dbay-break-glass" {
		t.Errorf("defaults %+v", s)
	}
	cfg, errs = load(t, func(m map[string]string) {
		m["dbay:security"] = `{"baseline":"organization"}`
		m["dbay:policy"] = orgWaiver
	})
	if errs != nil {
		t.Fatal(errs)
	}
	if s := cfg.Security; s.StackManaged() || s.TrailRetentionDays != 0 {
		t.Errorf("organization %+v", s)
	}
}

func TestSecurityRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, security, policy string
		withXpriv              bool
		want                   string // "" = valid
	}{
		{"unknown baseline", `{"baseline":"account"}`, "", false, `dbay:security.baseline: unknown baseline "account"; use stack or organization`},
		{"log group with stack", `{"trailLogGroup":"/org/trail"}`, "", false, "dbay:security.trailLogGroup: is only for baseline organization"},
		{"retention", `{"trailRetentionDays":100}`, "", false, "dbay:security.trailRetentionDays: 100 days is not a CloudWatch Logs retention"},
		{"archive", `{"trailArchiveDays":30}`, "", false, "dbay:security.trailArchiveDays: 30 days is outside 365..3653"},
		{"organization unwaived", `{"baseline":"organization"}`, "", false, "dbay:security.baseline: is organization but policy.waivers does not waive security-baseline-present"},
		{"organization xpriv without group", `{"baseline":"organization"}`, orgWaiver, true, "dbay:security.trailLogGroup: is required with baseline organization when a secret has readers"},
		{"organization bad group", `{"baseline":"organization","trailLogGroup":"org trail!"}`, orgWaiver, true, `dbay:security.trailLogGroup: "org trail!" is not a CloudWatch Logs log group name`},
		{"organization retention", `{"baseline":"organization","trailRetentionDays":365}`, orgWaiver, false, "dbay:security.baseline: is organization, which keeps the trail's logs itself"},
		{"organization xpriv with group", `{"baseline":"organization","trailLogGroup":"aws-controltower/CloudTrailLogs"}`, orgWaiver, true, ""},
		{"stack with xpriv", `{"baseline":"stack"}`, "", true, ""},
		{"deploy role name", `{"deployRole":"ci deploy"}`, "", true, `dbay:security.deployRole: "ci deploy" is not an IAM role name; use an IAM role name: 1..64 letters, digits and + = , . @ _ -`},
		{"break-glass is the deploy role", `{"deployRole":"ops","breakGlassRole":"ops"}`, "", true, `dbay:security.breakGlassRole: "ops" is also the deploy role; name a role of its own, used only in an emergency`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, errs := load(t, func(m map[string]string) {
				m["dbay:security"] = tc.security
				if tc.policy != "" {
					m["dbay:policy"] = tc.policy
				}
				if tc.withXpriv {
					m["dbay:secrets"] = xprivReader
					m["dbay:serverless"] = readerFn
				}
			})
			if tc.want == "" {
				if errs != nil {
					t.Fatalf("rejected: %v", errs)
				}
				return
			}
			if errs == nil || !strings.Contains(errs.Error(), tc.want) {
				t.Errorf("errors %v, want %q", errs, tc.want)
			}
		})
	}
}

// The security alarm kinds cannot be turned off or blunted.
func TestSecurityAlarmsCannotBeOverridden(t *testing.T) {
	t.Parallel()
	_, errs := load(t, func(m map[string]string) {
		m["dbay:monitoring"] = `{"alarms":{"security.secretRead":{"disabled":true},"rds.cpu":{"threshold":75}}}`
	})
	if errs == nil || !strings.Contains(errs.Error(), "dbay:monitoring.alarms.security.secretRead: is a security alarm") || strings.Contains(errs.Error(), "rds.cpu") {
		t.Errorf("errors %v", errs)
	}
}
