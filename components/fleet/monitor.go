package fleet

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/config"
)

// Route53 health check settings: every 30 s from each checker region,
// unhealthy after 3 consecutive failures (the standard interval; the 10 s
// "fast" interval costs extra and gains nothing for a paging alarm).
const (
	healthInterval  = 30
	healthFailures  = 3
	healthAlarmSecs = 60 // HealthCheckStatus is published every minute
)

// errorRateExpression is a service's target 5xx as a percentage of its
// requests. A period with no request has no data point (the alarm treats
// missing data as not breaching); FILL turns "no 5xx published" into 0.
const errorRateExpression = "100 * FILL(errors, 0) / requests"

// watchMonitored adds a monitored public service's own alarms on its target
// group — error rate (metric math: HTTPCode_Target_5XX_Count /
// RequestCount × 100) and response time — its request-rate dashboard
// line, and in a primary stack its Route53 health checks with their
// alarms. Route53 publishes health-check metrics in us-east-1 only
// (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html),
// so those specs are Global: Monitoring puts their alarms there.
func (f *Fleet) watchMonitored(ctx *pulumi.Context, u *unit) error {
	s := u.spec
	if s.Monitor == nil {
		return nil
	}
	a := f.args
	prefix := s.AlarmPrefixFor(a.Project, a.Stack)
	dims := pulumi.StringMap{"LoadBalancer": f.albSuffix, "TargetGroup": u.targetSuffix}
	f.alarms = append(f.alarms,
		alarm.Spec{Kind: config.DashboardServiceRequests, Name: s.Name + "-requests", DashboardOnly: true,
			Namespace: "AWS/ApplicationELB", Metric: "RequestCount", Dimensions: dims, Statistic: "Sum", Period: 60},
		alarm.Spec{Kind: config.AlarmServiceErrorRate, Name: s.Name + "-high-error-rate", AlarmName: prefix + "-high-error-rate",
			Description: fmt.Sprintf("%s (%s): more than the threshold %% of its requests answered 5xx by its tasks: check its logs and its last deployment.", s.Name, a.Region),
			Namespace:   "AWS/ApplicationELB", Dimensions: dims, Statistic: "Sum", Period: 300,
			Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching",
			Math: &alarm.Math{Expression: errorRateExpression, Label: s.Name + " 5xx %", Metrics: []alarm.MathMetric{
				{ID: "errors", Metric: "HTTPCode_Target_5XX_Count", Statistic: "Sum"},
				{ID: "requests", Metric: "RequestCount", Statistic: "Sum"},
			}}},
		alarm.Spec{Kind: config.AlarmServiceResponseTime, Name: s.Name + "-high-response-time", AlarmName: prefix + "-high-response-time",
			Description: fmt.Sprintf("%s (%s): its targets answer slower than the threshold on average: check its CPU, the database and its scaling limit.", s.Name, a.Region),
			Namespace:   "AWS/ApplicationELB", Metric: "TargetResponseTime", Dimensions: dims, Statistic: "Average", Period: 300,
			Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
	)
	if a.Role != config.RolePrimary {
		return nil // the primary's checks watch the public name, which follows a failover
	}
	host := s.Expose.Hosts[0]
	for _, h := range s.Monitor.HealthChecks {
		hc, err := f.healthCheck(ctx, s.Name, host, h)
		if err != nil {
			return err
		}
		what := "answers 2xx/3xx"
		if h.Match != "" {
			what = fmt.Sprintf("answers with %s in its body", h.Match)
		}
		f.alarms = append(f.alarms, alarm.Spec{Kind: config.AlarmServiceHealth, Name: s.Name + "-health-" + h.CheckName(),
			AlarmName: prefix + "-health-" + h.CheckName(),
			Description: fmt.Sprintf("https://%s%s no longer %s for Route53's checkers: check the dependency it reports on, then the service.",
				host, h.Path, what),
			Namespace: "AWS/Route53", Metric: "HealthCheckStatus", Dimensions: pulumi.StringMap{"HealthCheckId": hc.ID().ToStringOutput()},
			Statistic: "Minimum", Period: healthAlarmSecs, Comparison: "LessThanThreshold", TreatMissingData: "breaching", Global: true})
	}
	return nil
}

// healthCheck is a Route53 HTTPS check of https://<host><path>, matching
// h.Match in the first 5,120 bytes of the body when set
// (https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html).
// Through CloudFront the request reaches the ALB with the origin-verify
// header; the ALB's listener rules would refuse a direct check.
func (f *Fleet) healthCheck(ctx *pulumi.Context, service, host string, h config.FleetHealthMonitor) (*route53.HealthCheck, error) {
	typ := "HTTPS"
	args := &route53.HealthCheckArgs{
		Fqdn:             pulumi.String(host),
		Port:             pulumi.Int(443),
		ResourcePath:     pulumi.String(h.Path),
		RequestInterval:  pulumi.Int(healthInterval),
		FailureThreshold: pulumi.Int(healthFailures),
		EnableSni:        pulumi.Bool(true),
		Tags:             pulumi.StringMap{"Name": pulumi.Sprintf("%s https://%s%s", service, host, h.Path)},
	}
	if h.Match != "" {
		typ, args.SearchString = "HTTPS_STR_MATCH", pulumi.String(h.Match)
	}
	args.Type = pulumi.String(typ)
	return route53.NewHealthCheck(ctx, service+"-health-"+h.CheckName(), args, pulumi.Parent(f))
}
