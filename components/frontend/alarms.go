package frontend

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/config"
)

// Alarms are the distribution's and the edge web ACL's metrics. Both are
// published in us-east-1 (Region "Global" for CloudFront), so their alarms
// are Global.
func (f *Frontend) Alarms() []alarm.Spec { return append([]alarm.Spec(nil), f.alarms...) }

func (f *Frontend) watch(distributionID, webACLName pulumi.StringOutput) {
	f.alarms = append(f.alarms,
		alarm.Spec{Kind: config.AlarmCloudFront5xx, Name: "cloudfront-5xx-rate",
			Description: "CloudFront answers 5xx to more than the threshold % of requests: check the origins (API Gateway, ALB, bucket) and their alarms.",
			Namespace:   "AWS/CloudFront", Metric: "5xxErrorRate",
			Dimensions: pulumi.StringMap{"DistributionId": distributionID, "Region": pulumi.String("Global")},
			Statistic:  "Average", Period: 300, Comparison: "GreaterThanThreshold", Global: true, TreatMissingData: "notBreaching"},
		alarm.Spec{Kind: config.AlarmWAFBlocked, Name: "waf-blocked-requests",
			Description: "The edge web ACL blocks a spike of requests: an attack, or a rule blocking real users — check the WAF logs (aws-waf-logs-*) by rule.",
			Namespace:   "AWS/WAFV2", Metric: "BlockedRequests",
			Dimensions: pulumi.StringMap{"WebACL": webACLName, "Rule": pulumi.String("ALL")},
			Statistic:  "Sum", Period: 300, Comparison: "GreaterThanThreshold", Global: true, TreatMissingData: "notBreaching"},
	)
}
