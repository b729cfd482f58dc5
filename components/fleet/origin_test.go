package fleet

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/secrets"
)

const (
	tRecord = "aws:route53/record:Record"
	tCheck  = "aws:route53/healthCheck:HealthCheck"
	tAlarm  = "aws:cloudwatch/metricAlarm:MetricAlarm"
	zone    = "Z0ORIGIN000000000000"
	topic   = "arn:aws:sns:us-east-1:123456789012:alerts"
)

// failoverOrigin runs the Dhanam fleet and writes its origin record.
func failoverOrigin(t *testing.T, o Origin) (run, error) {
	t.Helper()
	var callErr error
	r := synth(t, dhanam(t), func(ctx *pulumi.Context, _ *datalayer.DataLayer, _ *secrets.Secrets, f *Fleet) error {
		callErr = f.FailoverOrigin(ctx, o)
		if callErr == nil && f.FailoverOrigin(ctx, o) == nil {
			t.Error("a second FailoverOrigin was accepted")
		}
		return nil
	})
	return r.must(t), callErr
}

// The PRIMARY origin record is an alias to the ALB evaluated by a
// CLOUDWATCH_METRIC health check on the first public service's healthy
// targets (Route53's HTTPS checkers cannot send the origin header); a
// region without data points is unhealthy.
func TestPrimaryOriginRecordAndItsHealthCheck(t *testing.T) {
	t.Parallel()
	r, err := failoverOrigin(t, Origin{Name: "origin.dhanam.io", ZoneID: pulumi.String(zone), Failover: FailoverPrimary, AlertTopicArn: pulumi.String(topic),
		SwitchAlarm: pulumi.String("dhanam-prod-failover-switch").ToStringOutput(), SwitchRegion: "us-west-2"})
	if err != nil {
		t.Fatal(err)
	}
	alb := r.one(t, "aws:lb/loadBalancer:LoadBalancer", "alb").Out()
	rec := r.one(t, tRecord, "origin-A").In()
	check := r.one(t, tCheck, "origin")
	// The record answers to the pair's failover switch, an alarm in the
	// recovery Region that configuration sets (drlink): Route53 never
	// sends the app to the pilot light by itself. The measuring check
	// stays beside it.
	sw := r.one(t, tCheck, "origin-failover-switch")
	if in := sw.In(); in["type"] != "CLOUDWATCH_METRIC" || in["cloudwatchAlarmName"] != "dhanam-prod-failover-switch" || in["cloudwatchAlarmRegion"] != "us-west-2" ||
		in["insufficientDataHealthStatus"] != "LastKnownStatus" || check.ID == "" || check.ID == sw.ID {
		t.Errorf("switch = %v", in)
	}
	alias := rec["aliases"].([]any)[0].(map[string]any)
	if rec["name"] != "origin.dhanam.io" || rec["type"] != "A" || rec["zoneId"] != zone || rec["setIdentifier"] != "primary-us-east-1" ||
		!reflect.DeepEqual(rec["failoverRoutingPolicies"], []any{map[string]any{"type": "PRIMARY"}}) || rec["healthCheckId"] != sw.ID ||
		alias["name"] != alb["dnsName"] || alias["zoneId"] != alb["zoneId"] || alias["evaluateTargetHealth"] != true {
		t.Errorf("origin record = %v", rec)
	}
	alarm := r.one(t, tAlarm, "origin-health")
	a := alarm.In()
	first := r.fx.fleet.Services[0] // api: the first public service
	tg := r.one(t, "aws:lb/targetGroup:TargetGroup", first.Name).Out()
	if a["name"] != "dhanam-prod-origin-health" || a["namespace"] != "AWS/ApplicationELB" || a["metricName"] != "HealthyHostCount" ||
		a["statistic"] != "Minimum" || a["period"] != 60.0 || a["evaluationPeriods"] != 3.0 || a["datapointsToAlarm"] != 3.0 ||
		a["threshold"] != 1.0 || a["comparisonOperator"] != "LessThanThreshold" || a["treatMissingData"] != "breaching" ||
		!reflect.DeepEqual(a["dimensions"], map[string]any{"LoadBalancer": alb["arnSuffix"], "TargetGroup": tg["arnSuffix"]}) ||
		!reflect.DeepEqual(a["alarmActions"], []any{topic}) || !reflect.DeepEqual(a["okActions"], []any{topic}) {
		t.Errorf("origin alarm = %v", a)
	}
	hc := check.In()
	if hc["type"] != "CLOUDWATCH_METRIC" || hc["cloudwatchAlarmName"] != alarm.Out()["name"] || hc["cloudwatchAlarmRegion"] != "us-east-1" ||
		hc["insufficientDataHealthStatus"] != "Unhealthy" || hc["fqdn"] != nil || !strings.Contains(hc["triggers"].(map[string]any)["metric"].(string), tg["arnSuffix"].(string)) {
		t.Errorf("origin health check = %v", hc)
	}
}

// The SECONDARY record points at this fleet's ALB with no check of its own.
func TestSecondaryOriginRecord(t *testing.T) {
	t.Parallel()
	r, err := failoverOrigin(t, Origin{Name: "origin.dhanam.io", ZoneID: pulumi.String(zone), Failover: FailoverSecondary})
	if err != nil {
		t.Fatal(err)
	}
	rec := r.one(t, tRecord, "origin-A").In()
	if !reflect.DeepEqual(rec["failoverRoutingPolicies"], []any{map[string]any{"type": "SECONDARY"}}) || rec["healthCheckId"] != nil ||
		rec["setIdentifier"] != "secondary-us-east-1" || rec["aliases"].([]any)[0].(map[string]any)["name"] != r.outs["albDnsName"] {
		t.Errorf("secondary record = %v", rec)
	}
	originChecks := 0
	for _, hc := range r.eng.ByType(tCheck) {
		if strings.HasPrefix(hc.Name, "origin") { // the api's monitor has checks of its own
			originChecks++
		}
	}
	if originChecks != 0 || r.eng.Get(tAlarm, "origin-health") != nil {
		t.Error("the SECONDARY record has a health check")
	}
}

func TestFailoverOriginRefusesIncompleteArgs(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		o    Origin
		want string
	}{
		"no name":     {Origin{ZoneID: pulumi.String(zone), Failover: FailoverSecondary}, "Origin.Name and Origin.ZoneID are required"},
		"no role":     {Origin{Name: "origin.dhanam.io", ZoneID: pulumi.String(zone)}, "is neither PRIMARY nor SECONDARY"},
		"no topic":    {Origin{Name: "origin.dhanam.io", ZoneID: pulumi.String(zone), Failover: FailoverPrimary}, "AlertTopicArn is required"},
		"no zone set": {Origin{Name: "origin.dhanam.io", Failover: FailoverPrimary}, "Origin.ZoneID are required"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, err := failoverOrigin(t, tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if r.eng.Get(tRecord, "origin-A") != nil {
				t.Error("a record was written anyway")
			}
		})
	}
}
