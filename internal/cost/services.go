package cost

import (
	"fmt"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
)

// Edge, security, observability, identity and storage.

// flat prices one unit a month of key.
func flat(key, what string) pricer {
	return func(e *estimator, r *mockengine.Resource) ([]Line, []error) {
		var ls lines
		ls.add(e.line(r, key, 1, what))
		return ls.done()
	}
}

// cloudFront: data out and HTTPS requests at the cloudFront* assumptions.
func cloudFront(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	if pc := str(r.In(), "priceClass"); pc != "" && pc != "PriceClass_100" {
		ls.fail("price class %s: only PriceClass_100 (North America and Europe) is priced", pc)
	}
	ls.add(e.assumed(r, "cloudfront:data-out:north-america", e.as.CloudFrontGB, "cloudFrontGb", fmt.Sprintf("%g GB to viewers", e.as.CloudFrontGB)))
	ls.add(e.assumed(r, "cloudfront:https-requests:north-america", e.as.CloudFrontRequestsM*100, "cloudFrontRequestsM",
		fmt.Sprintf("%g M HTTPS requests (per 10K)", e.as.CloudFrontRequestsM)))
	return ls.done()
}

// paidRuleGroups are AWS managed rule groups with a subscription fee on top
// of the rule charge: not in the price table.
var paidRuleGroups = []string{"AWSManagedRulesBotControlRuleSet", "AWSManagedRulesATPRuleSet", "AWSManagedRulesACFPRuleSet"}

// webACL: the web ACL, each rule (a managed rule group counts as one), and
// requests at the wafRequestsM assumption.
func webACL(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	rules := arr(r.In(), "rules")
	ls.add(e.line(r, "waf:web-acl", 1, "web ACL"))
	if len(rules) > 0 {
		ls.add(e.line(r, "waf:rule", float64(len(rules)), fmt.Sprintf("%d rules", len(rules))))
	}
	for _, x := range rules {
		m, _ := x.(map[string]any)
		name := str(obj(obj(m, "statement"), "managedRuleGroupStatement"), "name")
		for _, paid := range paidRuleGroups {
			if name == paid {
				ls.fail("managed rule group %s has a subscription fee that is not priced", name)
			}
		}
	}
	ls.add(e.assumed(r, "waf:requests", e.as.WAFRequestsM, "wafRequestsM", fmt.Sprintf("%g M requests inspected", e.as.WAFRequestsM)))
	return ls.done()
}

// secret: the secret and each of its replicas.
func secret(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	n := 1 + len(arr(r.In(), "replicas"))
	ls.add(e.line(r, "secretsmanager:secret", float64(n), fmt.Sprintf("secret + %d replicas", n-1)))
	return ls.done()
}

// ssmParameter: a Standard-tier parameter is free; an Advanced one (the
// tier, or Intelligent-Tiering with a value over Standard's 4,096
// characters) is priced per month.
func ssmParameter(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	tier := str(r.In(), "tier")
	size := 0 // the value is secret by the provider's schema: measure it in the clear
	if v, ok := r.Inputs["value"]; ok {
		if v.IsSecret() {
			v = v.SecretValue().Element
		}
		if v.IsString() {
			size = len(v.StringValue())
		}
	}
	if tier == "Advanced" || tier == "Intelligent-Tiering" && size > 4096 {
		ls.add(e.line(r, "ssm:advanced-parameter", 1, "advanced parameter"))
	}
	return ls.done()
}

// metricAlarm: one alarm metric per metric (a metric math alarm pays for
// each metric it reads); high resolution below a 60-second period.
func metricAlarm(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	in := r.In()
	metrics := 1
	if qs := arr(in, "metricQueries"); len(qs) > 0 {
		metrics = 0
		for _, q := range qs {
			if m, _ := q.(map[string]any); obj(m, "metric") != nil {
				metrics++
			}
		}
	}
	key, what := "cloudwatch:alarm:standard", "standard-resolution alarm metrics"
	if p, ok := num(in, "period"); ok && p < 60 {
		key, what = "cloudwatch:alarm:high-resolution", "high-resolution alarm metrics"
	}
	if _, ok := in["thresholdMetricId"]; ok {
		ls.fail("anomaly detection alarms are not priced")
	}
	ls.add(e.line(r, key, float64(metrics), what))
	return ls.done()
}

func logGroup(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	ls.add(e.assumed(r, "cloudwatch:logs:ingestion", e.as.LogGBPerGroup, "logGbPerGroup", fmt.Sprintf("%g GB ingested", e.as.LogGBPerGroup)))
	return ls.done()
}

// logMetricFilter: each metric transformation publishes a custom metric.
func logMetricFilter(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	n := 1
	if t, ok := r.In()["metricTransformation"].([]any); ok {
		n = len(t)
	}
	ls.add(e.line(r, "cloudwatch:custom-metric", float64(n), "custom metric"))
	return ls.done()
}

// healthCheck: a health check of an AWS endpoint, plus each optional
// feature (HTTPS, string matching, fast interval, latency measurement).
func healthCheck(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	in := r.In()
	typ := str(in, "type")
	ls.add(e.line(r, "route53:health-check:aws", 1, typ+" health check"))
	var opts []string
	if strings.HasPrefix(typ, "HTTPS") {
		opts = append(opts, "HTTPS")
	}
	if strings.HasSuffix(typ, "_STR_MATCH") {
		opts = append(opts, "string matching")
	}
	if i, ok := num(in, "requestInterval"); ok && i < 30 {
		opts = append(opts, "fast interval")
	}
	if boolean(in, "measureLatency") {
		opts = append(opts, "latency measurement")
	}
	if len(opts) > 0 {
		ls.add(e.line(r, "route53:health-check:option:aws", float64(len(opts)), "optional features: "+strings.Join(opts, ", ")))
	}
	return ls.done()
}

// userPool: monthly active users at the pool's feature tier (ESSENTIALS by default).
func userPool(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	tier := lower(str(r.In(), "userPoolTier"))
	if tier == "" {
		tier = "essentials"
	}
	mau, name := e.as.CognitoMAU, "cognitoMau"
	if tags, _ := r.In()["tags"].(map[string]any); tags["Audience"] == "administrators" {
		mau, name = e.as.CognitoAdminMAU, "cognitoAdminMau"
	}
	ls.add(e.assumed(r, "cognito:"+tier+":mau", mau, name, fmt.Sprintf("%g MAU, %s tier", mau, strings.ToUpper(tier))))
	return ls.done()
}

func bucket(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	ls.add(e.assumed(r, "s3:standard:storage", e.as.S3GBPerBucket, "s3GbPerBucket", fmt.Sprintf("%g GB Standard", e.as.S3GBPerBucket)))
	return ls.done()
}

// bucketReplication: the s3GbPerBucket figure replicated to another Region each month.
func bucketReplication(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	ls.add(e.assumed(r, "s3:replication:inter-region", e.as.S3GBPerBucket, "s3GbPerBucket", fmt.Sprintf("%g GB replicated across Regions", e.as.S3GBPerBucket)))
	return ls.done()
}

func backupVault(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	ls.add(e.assumed(r, "backup:warm-storage", e.as.BackupGBPerVault, "backupGbPerVault", fmt.Sprintf("%g GB warm storage", e.as.BackupGBPerVault)))
	return ls.done()
}
