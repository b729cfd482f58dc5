package policy

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// Names and free-text fields (descriptions, comments, metric names) are
// checked by each AWS API against its own pattern and length; the mock
// engine accepts any string. textRules is the table: per resource type, the
// inputs the program composes, with what the API accepts and the API
// reference that says so. Each row was cross-checked against AWS's
// published resource schemas (the copy cfn-lint ships). Non-ASCII text
// (em dashes, arrows, §) is refused by the WAF, EC2 and IAM patterns, and
// accepted by APIs without a pattern (Secrets Manager, KMS, CloudWatch,
// CloudFront comments, EventBridge).

// textField is one input of a resource type and what its API accepts.
type textField struct {
	key      string         // dotted input path; "[]" after a key walks each element of a list
	re       *regexp.Regexp // the API's pattern for the whole value; nil: any characters
	chars    string         // what re allows, in words (the fix in the message)
	min, max int            // length in characters; max 0: no limit
	source   string         // the API reference that states it
	autoName bool           // absent: Pulumi auto-names it <logical name>-<7 hex>, checked as such
	ok, bad  string         // examples: ok passes, bad fails (the rule's fixtures)
}

// textRule checks the fields of one resource type.
type textRule struct {
	id, typ, api string
	fields       []textField
}

var (
	reWAFText   = regexp.MustCompile(`^[\w+=:#@/\-,.][\w+=:#@/\-,.\s]+[\w+=:#@/\-,.]$`)
	reWAFName   = regexp.MustCompile(`^[\w-]+$`)
	reWAFMetric = regexp.MustCompile(`^[\w#:.\-/]+$`)
	reEC2Text   = regexp.MustCompile(`^[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]*$`)
	reIAMText   = regexp.MustCompile(`^[\t\n\r\x{20}-\x{7E}\x{A1}-\x{FF}]*$`)
	reIAMName   = regexp.MustCompile(`^[\w+=,.@-]+$`)
	reAlias     = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]+$`)
	reWord      = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	reSecret    = regexp.MustCompile(`^[\w/+=.@-]+$`)
	reTopic     = regexp.MustCompile(`^[\w-]+(\.fifo)?$`)
	reLogGroup  = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]+$`)
	reELBName   = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$`)
	reEvents    = regexp.MustCompile(`^[.\-_A-Za-z0-9]+$`)
	reSFNName   = regexp.MustCompile("^[^\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\\x00-\\x1f\\x7f-\\x9f]+$")
	reBackup    = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)
	reVault     = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	reQueue     = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.fifo)?$`)
	reFilter    = regexp.MustCompile(`^[^:*]+$`)
	reMetric    = regexp.MustCompile(`^[^:*$]+$`)
)

// Words for the patterns above.
const (
	wafTextChars = "letters, digits, spaces and _+=:#@/-,. only, not starting or ending with a space (no parentheses, quotes, non-ASCII)"
	wafNameChars = "letters, digits, _ and -"
	wafMetChars  = "letters, digits and _#:.-/ (no spaces)"
	ec2Chars     = "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* only (no quotes, apostrophes, non-ASCII)"
	iamChars     = "printable ASCII and Latin-1 (no em dashes, arrows or other characters above U+00FF)"
	iamNameChars = "letters, digits and _+=,.@-"
	wordChars    = "letters, digits, _ and -"
	elbChars     = "letters, digits and -, not starting or ending with -"
)

// API references.
const (
	srcWAFACL     = "https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html"
	srcWAFIPSet   = "https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateIPSet.html"
	srcWAFGroup   = "https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateRuleGroup.html"
	srcWAFMetric  = "https://docs.aws.amazon.com/waf/latest/APIReference/API_VisibilityConfig.html"
	srcWAFRule    = "https://docs.aws.amazon.com/waf/latest/APIReference/API_Rule.html"
	srcSG         = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"
	srcSGRule     = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html"
	srcIAMRole    = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html"
	srcIAMPolicy  = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html"
	srcKMS        = "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html"
	srcKMSReplica = "https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html"
	srcKMSAlias   = "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html"
	srcCFDist     = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html"
	srcCFCache    = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachePolicyConfig.html"
	srcCFRequest  = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginRequestPolicyConfig.html"
	srcCFHeaders  = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicyConfig.html"
	srcCFFunction = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateFunction.html"
	srcCFOAC      = "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html"
	srcSecret     = "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html"
	srcLambda     = "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html"
	srcAlarm      = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
	srcDashboard  = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html"
	srcTopic      = "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html"
	srcLogGroup   = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"
	srcLogFilter  = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html"
	srcLogMetric  = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricTransformation.html"
	srcTG         = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html"
	srcLB         = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html"
	srcRule       = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html"
	srcBus        = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html"
	srcArchive    = "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateArchive.html"
	srcSchedule   = "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html"
	srcSFN        = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html"
	srcBackupPlan = "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupPlanInput.html"
	srcBackupSel  = "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html"
	srcVault      = "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html"
	srcGroup      = "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateGroup.html"
	srcZone       = "https://docs.aws.amazon.com/Route53/latest/APIReference/API_HostedZoneConfig.html"
	srcQueue      = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"
	srcNamespace  = "https://docs.aws.amazon.com/cloud-map/latest/api/API_CreatePrivateDnsNamespace.html"
	srcSESConfig  = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_CreateConfigurationSet.html"
	srcECSCluster = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html"
	srcECSService = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html"
)

// Row constructors: free text of at most max characters (any characters),
// text matching a pattern, and a name (a pattern, auto-named when absent).
func anyText(key string, max int, src string) textField {
	return textField{key: key, max: max, source: src, ok: "Encrypts the site bucket (seed §7)", bad: strings.Repeat("x", max+1)}
}

func pattern(key string, re *regexp.Regexp, chars string, min, max int, src, ok, bad string) textField {
	return textField{key: key, re: re, chars: chars, min: min, max: max, source: src, ok: ok, bad: bad}
}

func name(key string, re *regexp.Regexp, chars string, min, max int, src, bad string) textField {
	return textField{key: key, re: re, chars: chars, min: min, max: max, source: src, autoName: true, ok: "api-1", bad: bad}
}

var textRules = []textRule{
	{"wafv2-web-acl", tokens.WAFv2WebAcl, "WAFv2 CreateWebACL", []textField{
		pattern("description", reWAFText, wafTextChars, 1, 256, srcWAFACL, "ALB behind CloudFront: origin.dhanam.io, recovery", "ALB behind CloudFront: origin.dhanam.io (recovery)"),
		name("name", reWAFName, wafNameChars, 1, 128, srcWAFACL, "edge acl"),
		pattern("visibilityConfig.metricName", reWAFMetric, wafMetChars, 1, 128, srcWAFMetric, "fleet-alb-acl", "fleet alb acl"),
		pattern("rules[].name", reWAFName, wafNameChars, 1, 128, srcWAFRule, "aws-common", "aws common"),
		pattern("rules[].visibilityConfig.metricName", reWAFMetric, wafMetChars, 1, 128, srcWAFMetric, "edge-aws-common", "edge aws common"),
	}},
	{"wafv2-ip-set", tokens.WAFv2IpSet, "WAFv2 CreateIPSet", []textField{
		pattern("description", reWAFText, wafTextChars, 1, 256, srcWAFIPSet, "frontend.waf.blockIps", "blocked (frontend.waf.blockIps)"),
		name("name", reWAFName, wafNameChars, 1, 128, srcWAFIPSet, "block ips"),
	}},
	{"wafv2-rule-group", tokens.WAFv2RuleGroup, "WAFv2 CreateRuleGroup", []textField{
		pattern("description", reWAFText, wafTextChars, 1, 256, srcWAFGroup, "rate limits", "rate limits — per IP"),
		name("name", reWAFName, wafNameChars, 1, 128, srcWAFGroup, "rate limits"),
		pattern("visibilityConfig.metricName", reWAFMetric, wafMetChars, 1, 128, srcWAFMetric, "limits", "rate limits"),
		pattern("rules[].name", reWAFName, wafNameChars, 1, 128, srcWAFRule, "per-ip", "per ip"),
		pattern("rules[].visibilityConfig.metricName", reWAFMetric, wafMetChars, 1, 128, srcWAFMetric, "per-ip", "per ip"),
	}},
	{"ec2-security-group", tokens.EC2SecurityGroup, "EC2 CreateSecurityGroup", []textField{
		pattern("description", reEC2Text, ec2Chars, 0, 255, srcSG, "ALB: HTTPS and HTTP (redirect) from CloudFront only", "ALB's listeners → CloudFront"),
		name("name", reEC2Text, ec2Chars, 1, 255, srcSG, "alb's group"),
		pattern("ingress[].description", reEC2Text, ec2Chars, 0, 255, srcSGRule, "HTTPS from the VPC", "HTTPS from the VPC’s endpoints"),
		pattern("egress[].description", reEC2Text, ec2Chars, 0, 255, srcSGRule, "HTTPS out", "HTTPS → internet"),
	}},
	{"ec2-security-group-ingress", tokens.VPCSecurityGroupIngressRule, "EC2 security group rules", []textField{
		pattern("description", reEC2Text, ec2Chars, 0, 255, srcSGRule, "ALB to api", "ALB → api"),
	}},
	{"ec2-security-group-egress", tokens.VPCSecurityGroupEgressRule, "EC2 security group rules", []textField{
		pattern("description", reEC2Text, ec2Chars, 0, 255, srcSGRule, "api to postgres", "api's postgres"),
	}},
	{"ec2-security-group-rule", tokens.EC2SecurityGroupRule, "EC2 security group rules", []textField{
		pattern("description", reEC2Text, ec2Chars, 0, 255, srcSGRule, "api to postgres", "api → postgres"),
	}},
	{"iam-role", tokens.IAMRole, "IAM CreateRole", []textField{
		pattern("description", reIAMText, iamChars, 0, 1000, srcIAMRole, "Runs the wallet service (seed §4.4)", "Runs the wallet service — xpub only"),
		name("name", reIAMName, iamNameChars, 1, 64, srcIAMRole, "wallet service"),
	}},
	{"iam-role-policy", tokens.IAMRolePolicy, "IAM PutRolePolicy", []textField{
		name("name", reIAMName, iamNameChars, 1, 128, srcIAMPolicy, "read secrets"),
	}},
	{"kms-key", tokens.KMSKey, "KMS CreateKey", []textField{anyText("description", 8192, srcKMS)}},
	{"kms-replica-key", tokens.KMSReplicaKey, "KMS ReplicateKey", []textField{anyText("description", 8192, srcKMSReplica)}},
	{"kms-alias", tokens.KMSAlias, "KMS CreateAlias", []textField{
		pattern("name", reAlias, "alias/ then letters, digits, /, _ and -", 1, 256, srcKMSAlias, "alias/dbay-prod-data", "alias/dbay prod data"),
	}},
	{"cloudfront-distribution", tokens.CloudFrontDistribution, "CloudFront DistributionConfig", []textField{anyText("comment", 128, srcCFDist)}},
	{"cloudfront-cache-policy", tokens.CloudFrontCachePolicy, "CloudFront CachePolicyConfig", []textField{
		anyText("comment", 128, srcCFCache),
	}},
	{"cloudfront-origin-request-policy", tokens.CloudFrontOriginRequestPolicy, "CloudFront OriginRequestPolicyConfig", []textField{
		anyText("comment", 128, srcCFRequest),
	}},
	{"cloudfront-response-headers-policy", tokens.CloudFrontResponseHeadersPolicy, "CloudFront ResponseHeadersPolicyConfig", []textField{
		anyText("comment", 128, srcCFHeaders),
	}},
	{"cloudfront-function", tokens.CloudFrontFunction, "CloudFront CreateFunction", []textField{
		anyText("comment", 128, srcCFFunction),
		name("name", reWord, wordChars, 1, 64, srcCFFunction, "spa routing"),
	}},
	{"cloudfront-origin-access-control", tokens.CloudFrontOriginAccessControl, "CloudFront OriginAccessControlConfig", []textField{
		anyText("description", 256, srcCFOAC),
		textField{key: "name", min: 1, max: 64, source: srcCFOAC, autoName: true, ok: "site", bad: strings.Repeat("s", 65)},
	}},
	{"secretsmanager-secret", tokens.SecretsManagerSecret, "Secrets Manager CreateSecret", []textField{
		anyText("description", 2048, srcSecret),
		name("name", reSecret, "letters, digits and /_+=.@-", 1, 512, srcSecret, "dbay/prod/JWT SECRET"),
	}},
	{"lambda-function", tokens.LambdaFunction, "Lambda CreateFunction", []textField{
		anyText("description", 256, srcLambda),
		name("name", reWord, wordChars, 1, 64, srcLambda, "dbay-prod-build.and.sign"),
	}},
	{"cloudwatch-alarm", tokens.CloudWatchMetricAlarm, "CloudWatch PutMetricAlarm", []textField{
		anyText("alarmDescription", 1024, srcAlarm),
		textField{key: "name", min: 1, max: 255, source: srcAlarm, autoName: true, ok: "dbay-prod-alb-5xx", bad: strings.Repeat("a", 256)},
	}},
	{"cloudwatch-dashboard", tokens.CloudWatchDashboard, "CloudWatch PutDashboard", []textField{
		pattern("dashboardName", reWord, wordChars, 1, 255, srcDashboard, "dbay-prod", "dbay prod"),
	}},
	{"sns-topic", tokens.SNSTopic, "SNS CreateTopic", []textField{
		name("name", reTopic, "ASCII letters, digits, _ and - (.fifo at the end of a FIFO topic)", 1, 256, srcTopic, "dbay alerts"),
	}},
	{"logs-log-group", tokens.CloudWatchLogGroup, "CloudWatch Logs CreateLogGroup", []textField{
		name("name", reLogGroup, "letters, digits and ._-/#", 1, 512, srcLogGroup, "/dbay/prod/build and sign"),
		pattern("namePrefix", reLogGroup, "letters, digits and ._-/#", 1, 512-26, srcLogGroup, "aws-waf-logs-edge-", "aws-waf-logs edge-"),
	}},
	{"logs-metric-filter", tokens.CloudWatchLogMetricFilter, "CloudWatch Logs PutMetricFilter", []textField{
		name("name", reFilter, "any characters but : and *", 1, 512, srcLogFilter, "api:errors"),
		pattern("metricTransformation.name", reMetric, "any characters but :, * and $", 1, 255, srcLogMetric, "api-errors", "api:errors"),
		pattern("metricTransformation.namespace", reMetric, "any characters but :, * and $", 1, 255, srcLogMetric, "dbay/prod/app", "dbay:prod"),
	}},
	{"elb-target-group", tokens.LBTargetGroup, "ELB CreateTargetGroup", []textField{
		name("name", reELBName, elbChars, 1, 32, srcTG, "search_gateway"),
	}},
	{"elb-load-balancer", tokens.LBLoadBalancer, "ELB CreateLoadBalancer", []textField{
		name("name", reELBName, elbChars, 1, 32, srcLB, "dbay-production-services-internal-alb"),
	}},
	{"events-rule", tokens.CloudWatchEventRule, "EventBridge PutRule", []textField{
		anyText("description", 512, srcRule),
		name("name", reEvents, "letters, digits and ._-", 1, 64, srcRule, "listing events"),
	}},
	{"events-bus", tokens.CloudWatchEventBus, "EventBridge CreateEventBus", []textField{
		anyText("description", 512, srcBus),
		name("name", regexp.MustCompile(`^[/.\-_A-Za-z0-9]+$`), "letters, digits and /._-", 1, 256, srcBus, "dbay events"),
	}},
	{"events-archive", tokens.CloudWatchEventArchive, "EventBridge CreateArchive", []textField{
		anyText("description", 512, srcArchive),
		name("name", reEvents, "letters, digits and ._-", 1, 48, srcArchive, "dbay-events-archive-of-every-event-on-the-bus-for-replay"),
	}},
	{"scheduler-schedule", tokens.SchedulerSchedule, "EventBridge Scheduler CreateSchedule", []textField{
		anyText("description", 512, srcSchedule),
		name("name", reEvents, "letters, digits and ._-", 1, 64, srcSchedule, "auction closer"),
	}},
	{"sfn-state-machine", tokens.SFNStateMachine, "Step Functions CreateStateMachine", []textField{
		name("name", reSFNName, "no whitespace, brackets, ?*, \"#%\\^|~`$&,;:/ or control characters", 1, 80, srcSFN, "dbay withdrawal"),
	}},
	{"backup-plan", tokens.BackupPlan, "AWS Backup CreateBackupPlan", []textField{
		name("name", reBackup, "letters, digits and -_.", 1, 50, srcBackupPlan, "dbay prod"),
		pattern("rules[].ruleName", reBackup, "letters, digits and -_.", 1, 50, srcBackupPlan, "daily", "daily copy"),
	}},
	{"backup-selection", tokens.BackupSelection, "AWS Backup CreateBackupSelection", []textField{
		name("name", reBackup, "letters, digits and -_.", 1, 50, srcBackupSel, "dbay prod tagged"),
	}},
	{"backup-vault", tokens.BackupVault, "AWS Backup CreateBackupVault", []textField{
		name("name", reVault, "letters, digits, - and _", 2, 50, srcVault, "dbay.prod"),
	}},
	{"cognito-group", tokens.CognitoUserGroup, "Cognito CreateGroup", []textField{anyText("description", 2048, srcGroup)}},
	{"route53-zone", tokens.Route53Zone, "Route 53 HostedZoneConfig", []textField{anyText("comment", 256, srcZone)}},
	{"sqs-queue", tokens.SQSQueue, "SQS CreateQueue", []textField{
		name("name", reQueue, "letters, digits, - and _ (.fifo at the end of a FIFO queue)", 1, 80, srcQueue, "notifications dlq"),
	}},
	{"cloudmap-http-namespace", tokens.ServiceDiscoveryHttpNamespace, "Cloud Map CreateHttpNamespace", []textField{anyText("description", 1024, srcNamespace)}},
	{"cloudmap-dns-namespace", tokens.ServiceDiscoveryPrivateDnsNamespace, "Cloud Map CreatePrivateDnsNamespace", []textField{anyText("description", 1024, srcNamespace)}},
	{"ses-configuration-set", tokens.SESv2ConfigurationSet, "SES CreateConfigurationSet", []textField{
		pattern("configurationSetName", reWord, wordChars, 1, 64, srcSESConfig, "dbay-prod", "dbay.prod"),
	}},
	{"ecs-cluster", tokens.ECSCluster, "ECS CreateCluster", []textField{name("name", reWord, wordChars, 1, 255, srcECSCluster, "dbay production")}},
	{"ecs-service", tokens.ECSService, "ECS CreateService", []textField{name("name", reWord, wordChars, 1, 255, srcECSService, "dbay listing")}},
}

// awsTextRules: one rule per row of textRules, "text-<id>".
func awsTextRules() []Rule {
	out := make([]Rule, 0, len(textRules))
	for _, t := range textRules {
		t := t
		out = append(out, Rule{
			ID: "text-" + t.id, Severity: High, Category: CategoryAWSConstraint, Types: []string{t.typ},
			Title:  t.api + ": names and free-text fields match the API's pattern and length",
			Source: t.fields[0].source,
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				var out []string
				for _, f := range t.fields {
					values := textValues(in, f.key)
					if len(values) == 0 && f.autoName && in["namePrefix"] == nil {
						// Pulumi auto-names it from the logical name.
						values = []string{r.Name + "-0a1b2c3"}
					}
					for _, v := range values {
						if why := f.refuses(v); why != "" {
							out = append(out, problem(r, fmt.Sprintf("%s %q %s", f.key, clip(v), why), f.fix()))
						}
					}
				}
				return out
			},
		})
	}
	return out
}

// refuses says why the API refuses v, or "".
func (f textField) refuses(v string) string {
	n := utf8.RuneCountInString(v)
	switch {
	case f.max > 0 && n > f.max:
		return fmt.Sprintf("is %d characters long, over the API's %d", n, f.max)
	case n < f.min:
		return fmt.Sprintf("is %d characters long, under the API's %d", n, f.min)
	case f.re != nil && !f.re.MatchString(v):
		if bad := outside(v, f.re); bad != "" {
			return fmt.Sprintf("contains %s, which the API's pattern %s refuses", bad, f.re)
		}
		return fmt.Sprintf("does not match the API's pattern %s", f.re)
	}
	return ""
}

func (f textField) fix() string {
	what := fmt.Sprintf("at most %d characters", f.max)
	if f.max == 0 {
		what = "a shorter value"
	}
	if f.re != nil {
		what += " of " + f.chars
	}
	if f.autoName {
		what += " (absent, Pulumi names it after the logical name)"
	}
	return "use " + what + " (" + f.source + ")"
}

// outside lists the characters of v that cannot appear anywhere in a value
// matching re (tested alone, between two letters), quoted.
func outside(v string, re *regexp.Regexp) string {
	var bad []string
	seen := map[rune]bool{}
	for _, c := range v {
		if seen[c] {
			continue
		}
		seen[c] = true
		if !re.MatchString("a"+string(c)+"a") && !re.MatchString(string(c)) {
			bad = append(bad, fmt.Sprintf("%q", c))
		}
	}
	return strings.Join(bad, ", ")
}

// textValues reads the string values at a dotted path; "[]" after a key
// walks each element of that list. Secrets and unknowns are skipped.
func textValues(v any, path string) []string {
	vals := []any{v}
	for _, k := range strings.Split(path, ".") {
		each := strings.HasSuffix(k, "[]")
		k = strings.TrimSuffix(k, "[]")
		var next []any
		for _, x := range vals {
			y := obj(x)[k]
			if each {
				next = append(next, list(y)...)
			} else if y != nil {
				next = append(next, y)
			}
		}
		vals = next
	}
	var out []string
	for _, x := range vals {
		if s, ok := x.(string); ok && known(s) {
			out = append(out, s)
		}
	}
	return out
}

func clip(s string) string {
	if utf8.RuneCountInString(s) <= 80 {
		return s
	}
	return string([]rune(s)[:77]) + "..."
}
