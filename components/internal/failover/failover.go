// Package failover is the operator's switch in front of a Route53 failover
// record pair.
//
// The recovery stack is a pilot light: its services run 0 tasks until the
// runbook scales them up. A PRIMARY record evaluated directly by a
// measuring health check would move traffic there by itself — on a bad
// deploy or a flapping check — to a region that cannot serve it. So the
// PRIMARY record is evaluated by a Switch: a CALCULATED health check over
// the measuring one with a health threshold of 0, which Route53 always
// considers healthy ("If you specify 0, Route 53 always considers this
// health check to be healthy", HealthThreshold in the Route53 API). The
// measuring check still alarms and shows the region's state; failing over
// is the runbook's `aws route53 update-health-check --inverted` on the
// switch, failing back `--no-inverted`. The RTO (4 h) leaves the time for
// that decision.
package failover

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Switch creates the operator's switch "<name>-failover-switch" over the
// measuring health check.
func Switch(ctx *pulumi.Context, name, description string, measure pulumi.IDOutput, opts ...pulumi.ResourceOption) (*route53.HealthCheck, error) {
	return route53.NewHealthCheck(ctx, name+"-failover-switch", &route53.HealthCheckArgs{
		Type:                 pulumi.String("CALCULATED"),
		ChildHealthchecks:    pulumi.StringArray{measure.ToStringOutput()},
		ChildHealthThreshold: pulumi.Int(0),
		Tags: pulumi.StringMap{"Name": pulumi.String(description +
			": healthy until inverted (aws route53 update-health-check --inverted fails over)")},
	}, opts...)
}
