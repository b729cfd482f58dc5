package fleet

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/failover"
)

// Route53 failover roles of the origin record (Origin.Failover).
const (
	FailoverPrimary   = "PRIMARY"
	FailoverSecondary = "SECONDARY"
)

// Origin is the stack-independent name a CloudFront distribution reaches
// the ALB by when a primary and a recovery stack each run one: both stacks
// write it, pointing at their own ALB, and Route53 answers with the
// primary's while its health check passes.
type Origin struct {
	// Name is the record's full name, origin.<domain>. Required.
	Name string
	// ZoneID is the public hosted zone Name lives in. Required.
	ZoneID pulumi.StringInput
	// Failover is FailoverPrimary or FailoverSecondary. Required.
	Failover string
	// AlertTopicArn is the SNS topic the PRIMARY's health alarm notifies
	// on ALARM and OK (the stack's alert topic in the fleet's region).
	// Required for FailoverPrimary.
	AlertTopicArn pulumi.StringInput
	// SwitchAlarm and SwitchRegion are the pair's failover switch alarm
	// (drlink.DRLink.SwitchAlarm) and its Region, the recovery Region:
	// the PRIMARY record answers to it. Required for FailoverPrimary.
	SwitchAlarm  pulumi.StringOutput
	SwitchRegion string
}

// Origin health alarm: the first public service has no healthy target for
// three consecutive minutes (HealthyHostCount is a standard-resolution
// metric the ALB publishes every minute, as Route53 requires).
const (
	originPeriod  = 60
	originPeriods = 3
)

// OriginAlarmName is the name of a PRIMARY origin record's health alarm in
// the stack <project>-<stack> (the runbook names it).
func OriginAlarmName(project, stack string) string { return project + "-" + stack + "-origin-health" }

// FailoverOrigin writes o.Name as a Route53 failover A alias to the ALB.
//
// A PRIMARY record answers to the pair's failover switch (failover.Switch:
// a pilot-light region takes traffic only once configuration makes it
// active); the measuring check beside it is a
// CLOUDWATCH_METRIC health check on an alarm in the fleet's region: HealthyHostCount of the first public
// service's target group (the region's app) below 1. Route53's HTTPS
// checkers cannot be used: they cannot send the origin-verify header the
// listener rules require, so they would only ever see the 404 default. A
// dead region publishes no data points: the alarm treats missing data as
// breaching and the health check calls insufficient data Unhealthy. A
// SECONDARY record has no health check of its own; the alias's target
// health is evaluated.
//
// Call it once, after the stack's alert topic exists (Monitoring).
func (f *Fleet) FailoverOrigin(ctx *pulumi.Context, o Origin) error {
	if o.Name == "" || o.ZoneID == nil {
		return errors.New("fleet: Origin.Name and Origin.ZoneID are required")
	}
	if o.Failover != FailoverPrimary && o.Failover != FailoverSecondary {
		return fmt.Errorf("fleet: Origin.Failover %q is neither %s nor %s", o.Failover, FailoverPrimary, FailoverSecondary)
	}
	if o.Failover == FailoverPrimary && o.AlertTopicArn == nil {
		return errors.New("fleet: Origin.AlertTopicArn is required for the PRIMARY record's health alarm")
	}
	if o.Failover == FailoverPrimary && (o.SwitchAlarm == (pulumi.StringOutput{}) || o.SwitchRegion == "") {
		return errors.New("fleet: Origin.SwitchAlarm and SwitchRegion are required for the PRIMARY record's failover switch")
	}
	if f.OriginHealthCheckID != (pulumi.StringOutput{}) {
		return errors.New("fleet: FailoverOrigin was already called")
	}
	parent := pulumi.Parent(f)
	record := &route53.RecordArgs{
		ZoneId: o.ZoneID,
		Name:   pulumi.String(o.Name),
		Type:   pulumi.String("A"),
		Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
			Name: f.AlbDNSName, ZoneId: f.AlbZoneID, EvaluateTargetHealth: pulumi.Bool(true),
		}},
		SetIdentifier:           pulumi.String(strings.ToLower(o.Failover) + "-" + f.args.Region),
		FailoverRoutingPolicies: route53.RecordFailoverRoutingPolicyArray{route53.RecordFailoverRoutingPolicyArgs{Type: pulumi.String(o.Failover)}},
	}
	f.OriginHealthCheckID = pulumi.String("").ToStringOutput()
	f.OriginFailoverSwitchID = f.OriginHealthCheckID
	if o.Failover == FailoverPrimary {
		hc, err := f.originHealthCheck(ctx, o)
		if err != nil {
			return err
		}
		sw, err := failover.Switch(ctx, "origin", o.Name+" "+f.args.Region, failover.Alarm{Name: o.SwitchAlarm, Region: o.SwitchRegion}, parent)
		if err != nil {
			return err
		}
		record.HealthCheckId = sw.ID()
		f.OriginHealthCheckID = hc.ID().ToStringOutput()
		f.OriginFailoverSwitchID = sw.ID().ToStringOutput()
	}
	_, err := route53.NewRecord(ctx, "origin-A", record, parent)
	return err
}

// originHealthCheck is the alarm on the first public service's healthy
// targets and the Route53 health check that reads it.
func (f *Fleet) originHealthCheck(ctx *pulumi.Context, o Origin) (*route53.HealthCheck, error) {
	var first *unit
	for _, n := range f.names() {
		if u := f.units[n]; u.spec.Expose.Public && u.targetSuffix != (pulumi.StringOutput{}) {
			first = u
			break
		}
	}
	if first == nil || f.albSuffix == (pulumi.StringOutput{}) {
		return nil, errors.New("fleet: an origin health check needs the ALB and a public service")
	}
	parent := pulumi.Parent(f)
	a := f.args
	alarm, err := cloudwatch.NewMetricAlarm(ctx, "origin-health", &cloudwatch.MetricAlarmArgs{
		Name: pulumi.String(OriginAlarmName(a.Project, a.Stack)),
		AlarmDescription: pulumi.Sprintf("[origin.health] %s has no healthy ALB target in %s: Route53 now answers %s with the recovery region's ALB (follow the failover runbook).",
			first.spec.Name, a.Region, o.Name),
		Namespace:          pulumi.String("AWS/ApplicationELB"),
		MetricName:         pulumi.String("HealthyHostCount"),
		Dimensions:         pulumi.StringMap{"LoadBalancer": f.albSuffix, "TargetGroup": first.targetSuffix},
		Statistic:          pulumi.String("Minimum"),
		Period:             pulumi.Int(originPeriod),
		EvaluationPeriods:  pulumi.Int(originPeriods),
		DatapointsToAlarm:  pulumi.Int(originPeriods),
		Threshold:          pulumi.Float64(1),
		ComparisonOperator: pulumi.String("LessThanThreshold"),
		TreatMissingData:   pulumi.String("breaching"),
		ActionsEnabled:     pulumi.Bool(true),
		AlarmActions:       pulumi.Array{o.AlertTopicArn},
		OkActions:          pulumi.Array{o.AlertTopicArn},
	}, parent)
	if err != nil {
		return nil, err
	}
	return route53.NewHealthCheck(ctx, "origin", &route53.HealthCheckArgs{
		Type:                         pulumi.String("CLOUDWATCH_METRIC"),
		CloudwatchAlarmName:          alarm.Name,
		CloudwatchAlarmRegion:        pulumi.String(a.Region),
		InsufficientDataHealthStatus: pulumi.String("Unhealthy"),
		// Route53 keeps its own copy of the alarm's settings (pulumi-aws
		// HealthCheck `triggers` resynchronises it): a change of the watched
		// target group must update the check too.
		Triggers: pulumi.StringMap{"metric": pulumi.Sprintf("%s/%s", f.albSuffix, first.targetSuffix)},
		Tags:     pulumi.StringMap{"Name": pulumi.Sprintf("%s %s (%s)", o.Name, strings.ToLower(o.Failover), a.Region)},
	}, parent)
}
