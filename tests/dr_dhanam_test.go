package tests

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
	"github.com/dbay/infra/stacks"
)

// Dhanam's app fails over in DNS (CloudFront origin groups cannot carry
// POST/PUT/DELETE): the distribution reaches the ALB as origin.dhanam.io,
// prod's PRIMARY record to its ALB is evaluated by a CLOUDWATCH_METRIC
// health check on the ALB's healthy targets, dr's SECONDARY points at its
// own ALB, a pilot light that accepts CloudFront exactly like prod's.
func TestDhanamOriginFailover(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, dhanamDir, "dr")
	prim := rec.Partner
	get := func(r *synth.Result, typ, name string) *mockengine.Resource { t.Helper(); return must(t, r, typ, name) }
	const (
		tRecord = tokens.Route53Record
		tCheck  = tokens.Route53HealthCheck
		tALB    = tokens.LBLoadBalancer
	)
	failover := func(in map[string]any) any {
		p, _ := in["failoverRoutingPolicies"].([]any)
		if len(p) != 1 {
			return nil
		}
		return p[0].(map[string]any)["type"]
	}
	alias := func(in map[string]any) map[string]any { return in["aliases"].([]any)[0].(map[string]any) }

	p, s := get(prim, tRecord, "origin-A").In(), get(rec, tRecord, "origin-A").In()
	palb, salb := get(prim, tALB, "alb").Out(), get(rec, tALB, "alb").Out()
	check := get(prim, tCheck, "origin")
	sw := switchOver(t, prim, "origin", check.ID)
	if p["name"] != "origin.dhanam.io" || p["type"] != "A" || failover(p) != "PRIMARY" || p["healthCheckId"] != sw.ID ||
		alias(p)["name"] != palb["dnsName"] || alias(p)["zoneId"] != palb["zoneId"] || alias(p)["evaluateTargetHealth"] != true {
		t.Errorf("prod origin record = %v, want the PRIMARY alias to prod's ALB %v, evaluated by the switch %s", p, palb["dnsName"], sw.ID)
	}
	if s["name"] != "origin.dhanam.io" || s["type"] != "A" || failover(s) != "SECONDARY" || s["healthCheckId"] != nil ||
		alias(s)["name"] != salb["dnsName"] || s["zoneId"] != p["zoneId"] || s["setIdentifier"] == p["setIdentifier"] {
		t.Errorf("dr origin record = %v, want the SECONDARY alias to dr's ALB %v in prod's zone %v", s, salb["dnsName"], p["zoneId"])
	}
	if !strings.Contains(fmt.Sprint(salb["dnsName"]), ".us-west-2.") {
		t.Errorf("dr's ALB %v is not in us-west-2", salb["dnsName"])
	}
	// Route53's HTTPS checkers cannot send X-Origin-Verify: the check reads
	// an alarm on the ALB's healthy targets in prod's region, and a region
	// that reports nothing is unhealthy.
	hc := check.In()
	alarm := get(prim, tokens.CloudWatchMetricAlarm, "origin-health")
	a := alarm.In()
	if hc["type"] != "CLOUDWATCH_METRIC" || hc["cloudwatchAlarmName"] != alarm.Out()["name"] ||
		hc["cloudwatchAlarmRegion"] != "us-east-1" || hc["insufficientDataHealthStatus"] != "Unhealthy" {
		t.Errorf("origin health check = %v", hc)
	}
	api := get(prim, tokens.LBTargetGroup, "api").Out()
	if a["namespace"] != "AWS/ApplicationELB" || a["metricName"] != "HealthyHostCount" || a["statistic"] != "Minimum" ||
		a["comparisonOperator"] != "LessThanThreshold" || a["threshold"] != 1.0 || a["treatMissingData"] != "breaching" ||
		!reflect.DeepEqual(a["dimensions"], map[string]any{"LoadBalancer": palb["arnSuffix"], "TargetGroup": api["arnSuffix"]}) ||
		!reflect.DeepEqual(a["alarmActions"], []any{prim.Outputs["alertTopicArn"]}) {
		t.Errorf("origin alarm = %v, want api's HealthyHostCount < 1 notifying %v", a, prim.Outputs["alertTopicArn"])
	}
	if rec.Engine.Get(tCheck, "origin") != nil || rec.Engine.Get(tokens.CloudWatchMetricAlarm, "origin-health") != nil {
		t.Error("dr's SECONDARY record has a health check of its own")
	}

	// The distribution's ALB origin is the failover name, not prod's ALB.
	var originDomains []any
	for _, o := range get(prim, tokens.CloudFrontDistribution, "cdn").In()["origins"].([]any) {
		if o := o.(map[string]any); o["originId"] == "alb" {
			originDomains = append(originDomains, o["domainName"])
		}
	}
	if !reflect.DeepEqual(originDomains, []any{"origin.dhanam.io"}) {
		t.Errorf("ALB origin domain = %v, want origin.dhanam.io", originDomains)
	}

	// dr's ALB accepts CloudFront exactly like prod's: the same header value
	// on every listener rule, CloudFront's prefix list, a REGIONAL web ACL.
	sent := headerValues(t, get(prim, tokens.CloudFrontDistribution, "cdn").Inputs["origins"])
	for _, r := range []*synth.Result{prim, rec} {
		rules := r.Engine.ByType(tokens.LBListenerRule)
		if len(rules) != 2 {
			t.Fatalf("%s: %d listener rules, want api and web", r.Stack, len(rules))
		}
		for _, rule := range rules {
			got := headerValues(t, rule.Inputs["conditions"])
			if len(sent) != 1 || sent[0] == "" || !reflect.DeepEqual(got, sent) {
				t.Errorf("%s listener rule %s requires %d values, not the one CloudFront sends", r.Stack, rule.Name, len(got))
			}
		}
	}
	if in := get(rec, tokens.VPCSecurityGroupIngressRule, "alb-from-cloudfront-443").In(); in["prefixListId"] == nil || in["fromPort"] != 443.0 {
		t.Errorf("dr ALB ingress = %v, want CloudFront's prefix list on 443", in)
	}
	if salbIn := get(rec, tALB, "alb").In(); salbIn["internal"] != false {
		t.Errorf("dr ALB internal = %v, want internet-facing behind CloudFront", salbIn["internal"])
	}
	assoc := get(rec, tokens.WAFv2WebAclAssociation, "alb").In()
	racl := get(rec, tokens.WAFv2WebAcl, "alb")
	if assoc["resourceArn"] != salb["arn"] || assoc["webAclArn"] != racl.Out()["arn"] || racl.In()["scope"] != "REGIONAL" {
		t.Errorf("dr ALB web ACL association = %v (ACL scope %v)", assoc, racl.In()["scope"])
	}
	groups := func(acl *mockengine.Resource) []any {
		var out []any
		for _, r := range acl.In()["rules"].([]any) {
			r := r.(map[string]any)
			out = append(out, []any{r["name"], r["priority"], r["statement"], r["overrideAction"]})
		}
		return out
	}
	if pacl := get(prim, tokens.WAFv2WebAcl, "alb"); !reflect.DeepEqual(groups(racl), groups(pacl)) {
		t.Errorf("dr ALB rules %v differ from prod's %v", groups(racl), groups(pacl))
	}
	if get(rec, tokens.WAFv2WebAclLoggingConfiguration, "alb-waf-logs").In()["resourceArn"] != racl.Out()["arn"] {
		t.Error("dr ALB web ACL does not log")
	}

	// Pilot light: the same services, no tasks.
	for _, svc := range rec.Config.Fleet.Services {
		if in := get(rec, tokens.ECSService, svc.Name).In(); in["desiredCount"] != 0.0 {
			t.Errorf("dr %s desired %v, want 0", svc.Name, in["desiredCount"])
		}
	}

	// The runbook switches the origin over and back with prod's switch.
	for output, want := range map[string]string{"failoverRunbook": stacks.StepFlipOrigin, "failbackRunbook": stacks.StepRestoreOrigin} {
		steps, _ := rec.Outputs[output].([]any)
		found := false
		for _, step := range steps {
			step := step.(string)
			if strings.Contains(step, "--health-check-id  ") || strings.Contains(step, "--health-check-id \n") {
				t.Errorf("%s names no health check: %q", output, step)
			}
			if strings.Contains(step, ". "+want+"\n") {
				found = strings.Contains(step, sw.ID) && strings.Contains(step, "origin.dhanam.io")
			}
		}
		if !found {
			t.Errorf("%s has no %q step with prod's origin switch %s: %v", output, want, sw.ID, steps)
		}
	}
	for output, all := range map[string][]string{"failoverRunbook": stacks.FailoverTitles, "failbackRunbook": stacks.FailbackTitles} {
		steps, _ := rec.Outputs[output].([]any)
		i := 0
		for n, step := range steps {
			for i < len(all) && !strings.HasPrefix(step.(string), itoa(n+1)+". "+all[i]+"\n") {
				i++
			}
			if i == len(all) {
				t.Errorf("%s step %d is out of order: %q", output, n+1, step)
				break
			}
		}
	}
}

// DBay's ALB is internal behind API Gateway: no origin record anywhere,
// and its distribution has no ALB origin.
func TestDBayHasNoOriginRecord(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, root, "dr")
	for _, r := range []*synth.Result{rec, rec.Partner} {
		if x := r.Engine.Get(tokens.Route53Record, "origin-A"); x != nil {
			t.Errorf("%s: origin record %v", r.Stack, x.In())
		}
		if len(r.Engine.ByType(tokens.WAFv2WebAclAssociation)) != 0 {
			t.Errorf("%s: the internal ALB has a REGIONAL web ACL", r.Stack)
		}
	}
}

// headerValues are the X-Origin-Verify values (revealed) in a distribution's
// origins or a listener rule's conditions.
func headerValues(t *testing.T, v resource.PropertyValue) []string {
	t.Helper()
	var out []string
	var walk func(v resource.PropertyValue, header bool)
	walk = func(v resource.PropertyValue, header bool) {
		switch {
		case v.IsSecret():
			walk(v.SecretValue().Element, header)
		case v.IsOutput():
			walk(v.OutputValue().Element, header)
		case v.IsArray():
			for _, x := range v.ArrayValue() {
				walk(x, header)
			}
		case v.IsObject():
			m := v.ObjectValue()
			h := header
			for _, k := range []resource.PropertyKey{"name", "httpHeaderName"} {
				if n, ok := m[k]; ok && n.IsString() && n.StringValue() == "X-Origin-Verify" {
					h = true
				}
			}
			for k, x := range m {
				if h && (k == "value" || k == "values") {
					walk(x, true)
				} else if k != "value" && k != "values" {
					walk(x, false)
				}
			}
		case v.IsString() && header:
			out = append(out, v.StringValue())
		}
	}
	walk(v, false)
	return out
}

// A recovery ALB behind CloudFront takes the primary's origin header: a
// primary whose ALB has no frontend exports none, and the recovery run
// fails naming the fix (config cannot see the primary's file).
func TestRecoveryOriginNeedsThePrimarysFrontend(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dr.yaml"} {
		b, err := os.ReadFile(filepath.Join(dhanamDir, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if name == "Pulumi.prod.yaml" {
			i, j := strings.Index(s, "  dhanam:frontend:"), strings.Index(s, "  # Policy pack waivers")
			if i < 0 || j < i {
				t.Fatal("no frontend section in Dhanam's Pulumi.prod.yaml")
			}
			s = s[:i] + s[j:]
		}
		write(t, dir, name, s)
	}
	var out, errOut bytes.Buffer
	code := synth.Main([]string{"--dir", dir, "--stack", "dr"}, &out, &errOut)
	// Without a frontend the primary also has no hosted zone, so it writes
	// no certificate validation record the recovery's ALB certificate can
	// wait on (stacks.certificates): either error may stop the run first.
	if code == 0 || !strings.Contains(errOut.String(), "dhanam:fleet.alb.ingress is cloudfront, but the primary stack organization/dhanam/prod exports no drContract.originVerify") &&
		!strings.Contains(errOut.String(), "dhanam: the primary stack organization/dhanam/prod writes no DNS validation record for dhanam.io") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut.String())
	}
}
