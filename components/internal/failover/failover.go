// Package failover is the operator's switch in front of a Route53 failover
// record pair.
//
// The recovery stack is a pilot light: its services run 0 tasks until it
// is made active. A PRIMARY record evaluated directly by a measuring
// health check would move traffic there by itself — on a bad deploy or a
// flapping check — to a region that cannot serve it. So the PRIMARY
// record is evaluated by a Switch: a CLOUDWATCH_METRIC health check on the
// pair's switch alarm in the recovery Region (package drlink), which is in
// ALARM — the check unhealthy, Route 53 answering from the recovery
// Region — only while configuration says so (the recovery stack's
// fleet.standby: active, or the primary's dr.fenced). Flipping it is a
// `pulumi up` in the recovery Region: no Route 53 control-plane call
// (us-east-1). The measuring check still alarms and shows the region's
// state.
package failover

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Alarm is the pair's switch alarm: its name (an output of the resource,
// so the health check is created after it) and Region.
type Alarm struct {
	Name   pulumi.StringOutput
	Region string
}

// Switch creates the operator's switch "<name>-failover-switch" on the
// switch alarm. Without data it keeps its last status (a new check starts
// healthy): a recovery Region that stops publishing changes nothing
// (InsufficientDataHealthStatus,
// https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html).
func Switch(ctx *pulumi.Context, name, description string, alarm Alarm, opts ...pulumi.ResourceOption) (*route53.HealthCheck, error) {
	return route53.NewHealthCheck(ctx, name+"-failover-switch", &route53.HealthCheckArgs{
		Type:                         pulumi.String("CLOUDWATCH_METRIC"),
		CloudwatchAlarmName:          alarm.Name,
		CloudwatchAlarmRegion:        pulumi.String(alarm.Region),
		InsufficientDataHealthStatus: pulumi.String("LastKnownStatus"),
		Tags: pulumi.StringMap{"Name": pulumi.String(description +
			": healthy until the failover switch alarm in " + alarm.Region + " is in ALARM (fleet.standby active on the recovery stack, or dr.fenced on the primary)")},
	}, opts...)
}
