package policy

import (
	"fmt"
	"strings"

	"github.com/dbay/infra/internal/guard"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const (
	userPool        = tokens.CognitoUserPool
	userGroup       = tokens.CognitoUserGroup
	metricAlarm     = tokens.CloudWatchMetricAlarm
	compositeAlarm  = tokens.CloudWatchCompositeAlarm
	backupVault     = tokens.BackupVault
	backupSelection = tokens.BackupSelection
)

// StatefulTypes are the resource types that hold data a replacement or a
// deletion would lose. They must be `protect`ed in a protected stack, and
// cmd/guard refuses a preview that would delete or replace one: both read
// this one list.
var StatefulTypes = guard.StatefulTypes

// databaseTypes are what AWS Backup must cover.
var databaseTypes = []string{rdsInstance, rdsCluster, docdbCluster, dynamoTable, efsFileSystem}

// forceDestroyInputs are the inputs that let a deletion take data with it.
var forceDestroyInputs = map[string]string{
	bucketV2:                "forceDestroy",
	bucketV1:                "forceDestroy",
	tokens.ECRRepository:    "forceDelete",
	tokens.Route53Zone:      "forceDestroy",
	tokens.IAMUser:          "forceDestroy",
	tokens.BackupVault:      "forceDestroy",
	tokens.RDSGlobalCluster: "forceDestroy",
	secret:                  "recoveryWindowInDays", // 0: deleted at once, no recovery
}

// opsRules: sign-in, alarms, backups and deletion safeguards.
// Long: a table: one entry per rule, each read on its own.
func opsRules() []Rule {
	return []Rule{
		{
			ID: "cognito-password-policy", Severity: Medium, Types: []string{userPool},
			Title: "Cognito passwords are 12+ characters of all four classes; temporary passwords last at most 7 days",
			Check: func(r *mockengine.Resource, x Index) []string {
				pp := get(x.In(r), "passwordPolicy")
				var out []string
				if n, _ := num(get(pp, "minimumLength")); n < 12 {
					out = append(out, problem(r, fmt.Sprintf("passwordPolicy.minimumLength is %v", orNone(get(pp, "minimumLength"))), "set minimumLength ≥ 12 (auth.passwordMinLength)"))
				}
				for _, k := range []string{"requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols"} {
					if !truthy(get(pp, k)) {
						out = append(out, problem(r, "passwordPolicy."+k+" is not true", "require all four character classes"))
					}
				}
				if d, ok := num(get(pp, "temporaryPasswordValidityDays")); !ok || d > 7 {
					out = append(out, problem(r, "temporaryPasswordValidityDays is not at most 7", "set temporaryPasswordValidityDays ≤ 7 (auth.temporaryPasswordDays)"))
				}
				return out
			},
		},
		{
			ID: "cognito-mfa", Severity: Medium, Types: []string{userPool},
			Title: "Cognito offers or requires TOTP MFA",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				m := str(in["mfaConfiguration"])
				if (m != "ON" && m != "OPTIONAL") || (!truthy(get(in, "softwareTokenMfaConfiguration.enabled")) && get(in, "smsConfiguration") == nil) {
					return []string{problem(r, fmt.Sprintf("mfaConfiguration is %q with no second factor", m), "set mfaConfiguration ON or OPTIONAL (auth.mfa) with softwareTokenMfaConfiguration.enabled")}
				}
				return nil
			},
		},
		{
			// Cognito's MFA setting is pool-wide: OPTIONAL lets any user,
			// an administrator included, sign in with a password alone
			// unless they chose to enrol a factor
			// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa.html).
			// A privileged group therefore lives in a pool with MFA ON
			// (config auth.adminGroups: the admin pool).
			ID: "cognito-admin-group-mfa", Severity: High, Types: []string{userGroup},
			Title: "A Cognito group named admin lives in a pool that requires MFA",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				name := str(in["name"])
				if !strings.Contains(strings.ToLower(name), "admin") {
					return nil
				}
				for _, p := range x.Resolve(userPool, str(in["userPoolId"])) {
					if m := str(x.In(p)["mfaConfiguration"]); m != "ON" {
						return []string{problem(r, fmt.Sprintf("group %q is in pool %s with mfaConfiguration %q", name, p.Name, m),
							"list the group in auth.adminGroups (the admin pool has MFA ON) or set auth.mfa ON")}
					}
				}
				return nil
			},
		},
		{
			ID: "cognito-advanced-security", Severity: Medium, Types: []string{userPool},
			Title: "Cognito threat protection is ENFORCED (FSBP Cognito.1)",
			Check: func(r *mockengine.Resource, x Index) []string {
				if str(get(x.In(r), "userPoolAddOns.advancedSecurityMode")) != "ENFORCED" {
					return []string{problem(r, "userPoolAddOns.advancedSecurityMode is not ENFORCED", "set advancedSecurityMode ENFORCED (needs userPoolTier PLUS)")}
				}
				return nil
			},
		},
		{
			ID: "alarm-actions", Severity: Medium, Types: []string{metricAlarm, compositeAlarm},
			Title: "Every alarm notifies someone (FSBP CloudWatch.15)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if len(list(in["alarmActions"])) == 0 || falsy(in["actionsEnabled"]) {
					return []string{problem(r, "no alarmActions (or actionsEnabled false)", "set alarmActions (and okActions) to the stack's alert topic")}
				}
				return nil
			},
		},
		{
			ID: "backup-vault-cmk", Severity: Medium, Types: []string{backupVault},
			Title: "Backup vaults are encrypted with a customer managed key",
			Check: func(r *mockengine.Resource, x Index) []string {
				if !isCMK(x.In(r)["kmsKeyArn"]) {
					return []string{problem(r, "no customer managed kmsKeyArn", "set kmsKeyArn to the vault's own CMK")}
				}
				return nil
			},
		},
		{
			ID: "backup-covers-databases", Severity: High, Types: databaseTypes,
			Title: "AWS Backup selects every database (RDS, DocumentDB, DynamoDB, EFS); read replicas are exempt",
			Check: func(r *mockengine.Resource, x Index) []string {
				if isReplica(x.In(r)) {
					return nil
				}
				for _, s := range x.ByType(backupSelection) {
					if selects(s, r, x) {
						return nil
					}
				}
				return []string{problem(r, "no aws:backup/selection covers it", "select it in the stack's backup plan (the Monitoring component selects resources tagged backup=<plan>)")}
			},
		},
		{
			ID: "stateful-protected", Severity: High, Types: StatefulTypes,
			Title: "Every stateful resource is `protect`ed in a protected stack",
			Check: func(r *mockengine.Resource, x Index) []string {
				if x.Protected() && !r.Options.Protect && !derivedData(x.In(r)) {
					return []string{problem(r, "is not protected", "create it with pulumi.Protect(true) (components take it from <project>:protect)")}
				}
				return nil
			},
		},
		{
			ID: "no-force-destroy", Severity: High, Types: keys(forceDestroyInputs),
			Title: "No resource may be destroyed with its contents (forceDestroy / forceDelete)",
			Check: func(r *mockengine.Resource, x Index) []string {
				k := forceDestroyInputs[r.Type]
				if r.Type == secret {
					if d, ok := num(x.In(r)[k]); ok && d == 0 {
						return []string{problem(r, "recoveryWindowInDays is 0: a deletion cannot be undone", "set recoveryWindowInDays 7..30 (secrets.recoveryWindowDays, default 30)")}
					}
					return nil
				}
				if truthy(x.In(r)[k]) {
					return []string{problem(r, k+" is true", "remove "+k+": emptying a store must be a deliberate, separate step")}
				}
				return nil
			},
		},
		{
			ID: "final-snapshot", Severity: High, Types: []string{rdsInstance, rdsCluster, docdbCluster, redisGroup},
			Title: "Databases and Redis take a named final snapshot when deleted; read replicas are exempt",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if isReplica(in) {
					return nil
				}
				if r.Type != redisGroup && truthy(in["skipFinalSnapshot"]) {
					return []string{problem(r, "skipFinalSnapshot is true", "set skipFinalSnapshot: false with finalSnapshotIdentifier <project>-<stack>-<name>-final")}
				}
				if !isSet(in["finalSnapshotIdentifier"]) {
					return []string{problem(r, "no finalSnapshotIdentifier", "set finalSnapshotIdentifier <project>-<stack>-<name>-final")}
				}
				return nil
			},
		},
	}
}

// selects reports whether backup selection s covers resource r: one of its
// resources patterns matches r's ARN (or it has none but selection tags),
// no notResources pattern does, every condition holds on r's tags, and
// any selectionTags (OR'ed) match.
func selects(s, r *mockengine.Resource, x Index) bool {
	in := x.In(s)
	arn := str(r.Out()["arn"])
	patterns := strs(in["resources"])
	tagRules := list(in["selectionTags"])
	matched := false
	for _, p := range patterns {
		matched = matched || wildcard(p, arn)
	}
	if !matched && (len(patterns) > 0 || len(tagRules) == 0) {
		return false
	}
	for _, p := range strs(in["notResources"]) {
		if wildcard(p, arn) {
			return false
		}
	}
	tags := x.Tags(r)
	tag := func(key string) (string, bool) {
		v, ok := tags[strings.TrimPrefix(key, "aws:ResourceTag/")]
		return v, ok
	}
	for _, c := range list(in["conditions"]) {
		for op, cond := range map[string]func(have string, ok bool, want string) bool{
			"stringEquals":    func(h string, ok bool, w string) bool { return ok && h == w },
			"stringLikes":     func(h string, ok bool, w string) bool { return ok && wildcard(w, h) },
			"stringNotEquals": func(h string, ok bool, w string) bool { return !ok || h != w },
			"stringNotLikes":  func(h string, ok bool, w string) bool { return !ok || !wildcard(w, h) },
		} {
			for _, kv := range list(get(c, op)) {
				have, ok := tag(str(get(kv, "key")))
				if !cond(have, ok, str(get(kv, "value"))) {
					return false
				}
			}
		}
	}
	if len(tagRules) > 0 {
		for _, t := range tagRules {
			if have, ok := tag(str(get(t, "key"))); ok && have == str(get(t, "value")) {
				return true
			}
		}
		return false
	}
	return true
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}
