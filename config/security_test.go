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
		want                   at // the error wanted (path and kind); at{}: valid
	}{
		{"unknown baseline", `{"baseline":"account"}`, "", false, at{"dbay:security.baseline", KindNotSupported}},
		{"log group with stack", `{"trailLogGroup":"/org/trail"}`, "", false, at{"dbay:security.trailLogGroup", KindForbidden}},
		{"retention", `{"trailRetentionDays":100}`, "", false, at{"dbay:security.trailRetentionDays", KindInvalid}},
		{"archive", `{"trailArchiveDays":30}`, "", false, at{"dbay:security.trailArchiveDays", KindInvalid}},
		{"organization unwaived", `{"baseline":"organization"}`, "", false, at{"dbay:security.baseline", KindRequired}},
		{"organization xpriv without group", `{"baseline":"organization"}`, orgWaiver, true, at{"dbay:security.trailLogGroup", KindRequired}},
		{"organization bad group", `{"baseline":"organization","trailLogGroup":"org trail!"}`, orgWaiver, true, at{"dbay:security.trailLogGroup", KindInvalid}},
		{"organization retention", `{"baseline":"organization","trailRetentionDays":365}`, orgWaiver, false, at{"dbay:security.baseline", KindForbidden}},
		{"organization xpriv with group", `{"baseline":"organization","trailLogGroup":"aws-controltower/CloudTrailLogs"}`, orgWaiver, true, at{}},
		{"stack with xpriv", `{"baseline":"stack"}`, "", true, at{}},
		{"deploy role name", `{"deployRole":"ci deploy"}`, "", true, at{"dbay:security.deployRole", KindInvalid}},
		{"break-glass is the deploy role", `{"deployRole":"ops","breakGlassRole":"ops"}`, "", true, at{"dbay:security.breakGlassRole", KindInvalid}},
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
			if tc.want == (at{}) {
				if errs != nil {
					t.Fatalf("rejected: %v", errs)
				}
				return
			}
			wantFieldError(t, errs, tc.want.path, tc.want.kind)
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
