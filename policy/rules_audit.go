package policy

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const (
	awsProvider     = tokens.AWSProvider
	trailType       = tokens.CloudTrailTrail
	detectorType    = tokens.GuardDutyDetector
	hubType         = tokens.SecurityHubAccount
	standardType    = tokens.SecurityHubStandardsSubscription
	analyzerType    = tokens.AccessAnalyzerAnalyzer
	metricFilter    = tokens.CloudWatchLogMetricFilter
	secretPolicy    = tokens.SecretsManagerSecretPolicy
	regionalDefault = "regional" // the stack's own-Region provider (stacks.NewProviders)
)

// auditRules: the account's audit trail and detection services exist, and
// a secret only one principal may read pages someone when another tries.
// Long: a table: one entry per rule, each read on its own.
func auditRules() []Rule {
	return []Rule{
		{
			ID: "security-baseline-present", Severity: High, Types: []string{awsProvider},
			Title: "The stack's Region has GuardDuty, Security Hub with FSBP and an Access Analyzer, and a multi-Region trail records it (FSBP CloudTrail.1, GuardDuty.1, IAM Access Analyzer; waive when the Organization provides them)",
			Check: func(r *mockengine.Resource, x Index) []string {
				if r.Name != regionalDefault {
					return nil
				}
				region := str(x.In(r)["region"])
				here := func(typ string, ok func(*mockengine.Resource) bool) bool {
					for _, o := range x.ByType(typ) {
						if (o.Region == "" || region == "" || o.Region == region) && ok(o) {
							return true
						}
					}
					return false
				}
				anyRes := func(*mockengine.Resource) bool { return true }
				var missing []string
				if !here(detectorType, func(o *mockengine.Resource) bool { return !falsy(x.In(o)["enable"]) }) {
					missing = append(missing, "an enabled GuardDuty detector")
				}
				if !here(hubType, anyRes) {
					missing = append(missing, "Security Hub")
				}
				if !here(standardType, func(o *mockengine.Resource) bool {
					return strings.Contains(str(x.In(o)["standardsArn"]), "/aws-foundational-security-best-practices/")
				}) {
					missing = append(missing, "the FSBP standard subscription")
				}
				if !here(analyzerType, anyRes) {
					missing = append(missing, "an IAM Access Analyzer")
				}
				trail := false
				for _, t := range x.PairByType(trailType) {
					trail = trail || truthy(x.In(t)["isMultiRegionTrail"])
				}
				if !trail {
					missing = append(missing, "a multi-Region CloudTrail trail (in this stack or its DR partner)")
				}
				if len(missing) == 0 {
					return nil
				}
				return []string{problem(r, fmt.Sprintf("Region %s lacks %s", region, strings.Join(missing, ", ")),
					"set security.baseline: stack (components/baseline), or declare security.baseline: organization and waive this rule on resource regional with who provides them")}
			},
		},
		{
			ID: "cloudtrail-log-validation-kms", Severity: Medium, Types: []string{trailType},
			Title: "Trails log every Region and global services, validate their log files, encrypt with a CMK and deliver to CloudWatch Logs (FSBP CloudTrail.1, .2, .4, .5)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				var out []string
				need := func(ok bool, what, fix string) {
					if !ok {
						out = append(out, problem(r, what, fix))
					}
				}
				need(truthy(in["isMultiRegionTrail"]), "is not multi-Region", "set isMultiRegionTrail: true")
				need(truthy(in["includeGlobalServiceEvents"]), "leaves out global service events (IAM, STS)", "set includeGlobalServiceEvents: true")
				need(truthy(in["enableLogFileValidation"]), "has no log file validation: altered or deleted log files go unnoticed", "set enableLogFileValidation: true")
				need(isCMK(in["kmsKeyId"]), "log files are not encrypted with a customer managed key", "set kmsKeyId to a CMK whose policy lets cloudtrail.amazonaws.com GenerateDataKey for this trail")
				need(isSet(in["cloudWatchLogsGroupArn"]) && isSet(in["cloudWatchLogsRoleArn"]), "does not deliver to CloudWatch Logs: no metric filter or alarm can watch it",
					"set cloudWatchLogsGroupArn (the group's ARN with :*) and cloudWatchLogsRoleArn")
				need(!falsy(in["enableLogging"]), "is not logging", "remove enableLogging: false")
				return out
			},
		},
		{
			ID: "single-reader-secret-sealed", Severity: High, Types: []string{secretPolicy},
			Category: CategoryBestPractice, Source: sealedSource,
			Title: "A single-reader secret cannot be reached around its policy: every read, value and policy change is denied to other principals, and its key is its own and trusts no account-wide principal",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				d, ok := parseDocument(in["policy"])
				if !ok || !deniesToOthers(d, "secretsmanager:GetSecretValue") {
					return nil
				}
				var out []string
				for _, a := range []string{"secretsmanager:PutSecretValue", "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy",
					"secretsmanager:UpdateSecret", "secretsmanager:ReplicateSecretToRegions", "secretsmanager:DeleteSecret"} {
					if !deniesToOthers(d, a) {
						out = append(out, problem(r, "does not deny "+a+" to other principals: anyone with secretsmanager:* could replace the value, the policy or the key and then read it",
							"deny it to every principal but the deploy and break-glass roles (components/secrets/sealed.go)"))
					}
				}
				for _, sec := range x.Resolve(secret, str(in["secretArn"])) {
					key := str(x.In(sec)["kmsKeyId"])
					if !known(key) || key == "" {
						continue
					}
					for _, other := range x.ByType(secret) {
						if other.URN != sec.URN && str(x.In(other)["kmsKeyId"]) == key {
							out = append(out, problem(r, fmt.Sprintf("its key is shared with %s: whoever may decrypt for that secret may decrypt this one", other.Name),
								"give the secret a key of its own"))
						}
					}
					for _, k := range x.Resolve(kmsKey, key) {
						kd, ok := parseDocument(x.In(k)["policy"])
						if !ok {
							out = append(out, problem(r, "its key "+k.Name+" has no readable key policy (the default trusts the whole account)", "give the key a policy naming its readers"))
							continue
						}
						for _, st := range kd.Statement {
							if st.allows() && trustsAccount(st) && (st.grantsAction("kms:Decrypt") || st.grantsAction("kms:CreateGrant") || st.grantsAction("kms:PutKeyPolicy")) {
								out = append(out, problem(r, fmt.Sprintf("its key %s lets the account root (every IAM policy in the account) use or re-key it in %s", k.Name, sid(st)),
									"name the principals, or condition the statement on aws:PrincipalArn"))
							}
						}
					}
				}
				return out
			},
		},
		{
			ID: "single-reader-secret-alarmed", Severity: High, Types: []string{secretPolicy},
			Title: "A single-reader secret's reads by others and changes to its policy page someone (metric filters on the trail with alarms)",
			Check: func(r *mockengine.Resource, x Index) []string {
				pol := str(x.In(r)["policy"])
				if !strings.Contains(pol, `"Deny"`) || !strings.Contains(pol, "secretsmanager:GetSecretValue") {
					return nil
				}
				name := ""
				for _, s := range x.Resolve(secret, str(x.In(r)["secretArn"])) {
					name = str(x.In(s)["name"])
				}
				if !known(name) || name == "" {
					return nil
				}
				var out []string
				for _, want := range []struct{ event, what string }{
					{"GetSecretValue", "reads by other principals"},
					{"PutResourcePolicy", "changes to its resource policy"},
				} {
					if !x.alarmedFilter(want.event, name) {
						out = append(out, problem(r, fmt.Sprintf("no alarmed metric filter matches %s of %s (%s)", want.event, name, want.what),
							"add a LogMetricFilter on the CloudTrail log group matching "+want.event+" on the secret, and a MetricAlarm with alarm actions on its metric (components/baseline)"))
					}
				}
				return out
			},
		},
	}
}

// alarmedFilter reports whether a metric filter's pattern matches event on
// the secret named name, and an alarm with actions watches its metric.
func (x Index) alarmedFilter(event, name string) bool {
	for _, f := range x.ByType(metricFilter) {
		in := x.In(f)
		p := str(in["pattern"])
		if !strings.Contains(p, `"`+event+`"`) || !strings.Contains(p, `"`+name+`"`) {
			continue
		}
		metric, ns := str(get(in, "metricTransformation.name")), str(get(in, "metricTransformation.namespace"))
		for _, a := range x.ByType(metricAlarm) {
			ain := x.In(a)
			if str(ain["metricName"]) == metric && str(ain["namespace"]) == ns && len(list(ain["alarmActions"])) > 0 {
				return true
			}
		}
	}
	return false
}

// sealedSource is where the single-reader rule comes from.
const sealedSource = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html (a key policy statement for the account root delegates to every IAM policy); https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html"

// deniesToOthers reports whether a Deny statement of d covers action for
// every principal but those its aws:PrincipalArn condition exempts.
func deniesToOthers(d document, action string) bool {
	for _, st := range d.Statement {
		if st.Effect == "Deny" && st.principalIsAnyone() && st.grantsAction(action) {
			if _, ok := obj(st.Condition["StringEquals"])["aws:RequestedRegion"]; ok {
				continue // a per-Region deny of one reader, not a deny to others
			}
			return true
		}
	}
	return false
}

var accountIDRe = regexp.MustCompile(`^\d{12}$`)

// trustsAccount reports whether a statement's principal is an account root
// without an aws:PrincipalArn condition narrowing it.
func trustsAccount(st statement) bool {
	p, _ := st.Principal.(map[string]any)
	root := false
	for _, a := range strs(p["AWS"]) {
		root = root || strings.HasSuffix(a, ":root") || accountIDRe.MatchString(a)
	}
	if !root {
		return false
	}
	for _, op := range []string{"ArnEquals", "ArnLike", "StringEquals"} {
		if _, ok := obj(st.Condition[op])["aws:PrincipalArn"]; ok {
			return false
		}
	}
	return true
}
