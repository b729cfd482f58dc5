package frontend

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

// rules maps each rule name of a web ACL to its rendered rule.
func rules(t *testing.T, r run, name string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, x := range r.one(t, tACL, name).In()["rules"].([]any) {
		m := x.(map[string]any)
		out[m["name"].(string)] = m
	}
	return out
}

func names(m map[string]map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestEdgeACLRulesAndTheSeedRateLimit(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{shape: dbay})
	acl := r.one(t, tACL, "edge").In()
	if acl["scope"] != "CLOUDFRONT" || !reflect.DeepEqual(acl["defaultAction"], map[string]any{"allow": map[string]any{}}) ||
		at(acl, "visibilityConfig", "cloudwatchMetricsEnabled") != true {
		t.Errorf("edge ACL = scope %v, default %v, visibility %v", acl["scope"], acl["defaultAction"], acl["visibilityConfig"])
	}
	rs := rules(t, r, "edge")
	if got, want := names(rs), []string{"aws-common", "aws-ip-reputation", "aws-known-bad-inputs", "aws-sqli", "rate-limit"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("rules = %v, want %v", got, want)
	}
	groups := map[string]string{
		"aws-common":           "AWSManagedRulesCommonRuleSet", // XSS rules are in Common
		"aws-sqli":             "AWSManagedRulesSQLiRuleSet",
		"aws-known-bad-inputs": "AWSManagedRulesKnownBadInputsRuleSet",
		"aws-ip-reputation":    "AWSManagedRulesAmazonIpReputationList",
	}
	for rule, group := range groups {
		m := at(rs[rule], "statement", "managedRuleGroupStatement")
		if at(m, "vendorName") != "AWS" || at(m, "name") != group ||
			!reflect.DeepEqual(rs[rule]["overrideAction"], map[string]any{"none": map[string]any{}}) {
			t.Errorf("%s = %v, want AWS %s with its own actions", rule, rs[rule], group)
		}
	}

	rate := rs["rate-limit"]
	rb := at(rate, "statement", "rateBasedStatement")
	if at(rb, "limit") != 100.0 || at(rb, "evaluationWindowSec") != 300.0 || at(rb, "aggregateKeyType") != "IP" {
		t.Errorf("rate rule = %v, want 100 requests per 300 s per IP", rb)
	}
	if !reflect.DeepEqual(rate["action"], map[string]any{"block": map[string]any{}}) {
		t.Errorf("rate action = %v", rate["action"])
	}
	assets := at(rb, "scopeDownStatement", "notStatement", "statements", 0, "byteMatchStatement")
	if at(assets, "searchString") != "/assets/" || at(assets, "positionalConstraint") != "STARTS_WITH" ||
		at(assets, "fieldToMatch", "uriPath") == nil {
		t.Errorf("rate scope-down = %v, want every request but hashed assets counted", at(rb, "scopeDownStatement"))
	}

	metrics := map[string]bool{}
	priorities := map[float64]bool{}
	for name, rule := range rs {
		v := rule["visibilityConfig"]
		m, _ := at(v, "metricName").(string)
		if at(v, "cloudwatchMetricsEnabled") != true || at(v, "sampledRequestsEnabled") != true || m == "" || metrics[m] {
			t.Errorf("%s visibility = %v, want its own CloudWatch metric", name, v)
		}
		metrics[m] = true
		p := rule["priority"].(float64)
		if priorities[p] {
			t.Errorf("priority %v used twice", p)
		}
		priorities[p] = true
	}
	if rs["aws-ip-reputation"]["priority"].(float64) > rs["rate-limit"]["priority"].(float64) ||
		rs["rate-limit"]["priority"].(float64) > rs["aws-common"]["priority"].(float64) {
		t.Error("rules are out of order: reputation, then rate, then inspection")
	}
	if len(r.eng.ByType(tIPSet)) != 0 || r.outs["regionalWebAclArn"] != "" {
		t.Errorf("no block list and no ALB, yet IP sets %v / regional ACL %v", r.eng.ByType(tIPSet), r.outs["regionalWebAclArn"])
	}
}

func TestWAFConfigReachesTheRules(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{region: "us-west-2",
		raw: `{"hashedPaths":["/assets/*","/fonts/*"],"waf":{"rateLimit":2000,"rateAction":"captcha","blockCountries":["KP","IR"],"blockIps":["203.0.113.0/24","2001:db8::/32"]}}`})
	rs := rules(t, r, "edge")
	rb := at(rs["rate-limit"], "statement", "rateBasedStatement")
	if at(rb, "limit") != 2000.0 || !reflect.DeepEqual(rs["rate-limit"]["action"], map[string]any{"captcha": map[string]any{}}) {
		t.Errorf("rate rule = %v action %v", rb, rs["rate-limit"]["action"])
	}
	or := at(rb, "scopeDownStatement", "notStatement", "statements", 0, "orStatement", "statements")
	if at(or, 0, "byteMatchStatement", "searchString") != "/assets/" || at(or, 1, "byteMatchStatement", "searchString") != "/fonts/" {
		t.Errorf("scope-down = %v, want both hashed prefixes excluded", or)
	}
	geo := rs["blocked-countries"]
	if !reflect.DeepEqual(at(geo, "statement", "geoMatchStatement", "countryCodes"), []any{"KP", "IR"}) ||
		!reflect.DeepEqual(geo["action"], map[string]any{"block": map[string]any{}}) {
		t.Errorf("geo rule = %v", geo)
	}
	v4, v6 := r.one(t, tIPSet, "blocked-ipv4"), r.one(t, tIPSet, "blocked-ipv6")
	for set, want := range map[string][]any{"IPV4": {"203.0.113.0/24"}, "IPV6": {"2001:db8::/32"}} {
		s := v4
		if set == "IPV6" {
			s = v6
		}
		if s.In()["scope"] != "CLOUDFRONT" || s.In()["ipAddressVersion"] != set || !reflect.DeepEqual(s.In()["addresses"], want) ||
			s.Provider != globalURN {
			t.Errorf("%s set = %v via %s", set, s.In(), s.Provider)
		}
	}
	refs := at(rs["blocked-ips"], "statement", "orStatement", "statements")
	if at(refs, 0, "ipSetReferenceStatement", "arn") != v4.Out()["arn"] || at(refs, 1, "ipSetReferenceStatement", "arn") != v6.Out()["arn"] {
		t.Errorf("block list rule = %v", rs["blocked-ips"])
	}

	allow := rules(t, synth(t, setup{raw: `{"waf":{"allowCountries":["US","MX"]}}`}), "edge")["allowed-countries-only"]
	if !reflect.DeepEqual(at(allow, "statement", "notStatement", "statements", 0, "geoMatchStatement", "countryCodes"), []any{"US", "MX"}) ||
		!reflect.DeepEqual(allow["action"], map[string]any{"block": map[string]any{}}) {
		t.Errorf("allow-list rule = %v, want everything but US and MX blocked", allow)
	}
}

func TestWAFLogsGoToAnEncryptedAwsWafLogsGroup(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{region: "us-west-2", shape: dhanam, domain: "dhanam.io",
		raw: `{"aliases":["app.dhanam.io","api.dhanam.io"],"logRetentionDays":90}`})
	for name, region := range map[string]string{"edge": "us-east-1", "alb": "us-west-2"} {
		acl := r.one(t, tACL, name)
		lg := r.one(t, tLogGroup, name+"-waf-logs")
		key := r.one(t, tKey, name+"-waf-logs-key")
		prefix, _ := lg.In()["namePrefix"].(string)
		if !strings.HasPrefix(prefix, "aws-waf-logs-") || !strings.HasPrefix(lg.Out()["name"].(string), "aws-waf-logs-") ||
			lg.In()["retentionInDays"] != 90.0 || lg.In()["kmsKeyId"] != key.Out()["arn"] || lg.Region != region {
			t.Errorf("%s log group = %v in %s", name, lg.In(), lg.Region)
		}
		logs := parsePolicy(t, key.In()["policy"]).Statement[1]
		if !reflect.DeepEqual(logs.Principal, map[string]any{"Service": "logs." + region + ".amazonaws.com"}) ||
			logs.Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] != "arn:aws:logs:"+region+":123456789012:log-group:aws-waf-logs-*" {
			t.Errorf("%s log key statement = %+v", name, logs)
		}
		cfg := r.one(t, tWAFLog, name+"-waf-logs").In()
		redacted := []any{
			map[string]any{"singleHeader": map[string]any{"name": "authorization"}},
			map[string]any{"singleHeader": map[string]any{"name": "cookie"}},
		}
		if cfg["resourceArn"] != acl.Out()["arn"] || !reflect.DeepEqual(cfg["logDestinationConfigs"], []any{lg.Out()["arn"]}) ||
			!reflect.DeepEqual(cfg["redactedFields"], redacted) {
			t.Errorf("%s logging = %v", name, cfg)
		}
	}
}

func TestRegionalACLOnTheInternetFacingALB(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{region: "us-west-2", shape: dhanam, domain: "dhanam.io", raw: `{"aliases":["app.dhanam.io","api.dhanam.io"]}`})
	acl := r.one(t, tACL, "alb")
	if acl.In()["scope"] != "REGIONAL" || acl.Provider != regionURN || r.outs["regionalWebAclArn"] != acl.Out()["arn"] {
		t.Errorf("ALB ACL = %v via %s", acl.In()["scope"], acl.Provider)
	}
	if got := names(rules(t, r, "alb")); !reflect.DeepEqual(got, []string{"aws-common", "aws-known-bad-inputs", "aws-sqli"}) {
		t.Errorf("ALB rules = %v: IP-based rules belong on the edge, where client addresses are seen", got)
	}
	assoc := r.one(t, "aws:wafv2/webAclAssociation:WebAclAssociation", "alb").In()
	if assoc["resourceArn"] != albArn || assoc["webAclArn"] != acl.Out()["arn"] {
		t.Errorf("association = %v", assoc)
	}
}

// A recovery stack has no frontend: it puts the same REGIONAL ACL on its
// standby ALB through NewALBFirewall, the Frontend's own implementation,
// under the parent it names (its fleet) and that parent's provider.
func TestALBFirewallOutsideTheFrontend(t *testing.T) {
	t.Parallel()
	withFrontend := synth(t, setup{region: "us-west-2", shape: dhanam, domain: "dhanam.io", raw: `{"aliases":["app.dhanam.io","api.dhanam.io"]}`})
	eng := mockengine.ForTest(t, "dbay", "test", "us-west-2")
	var parentURN string
	eng.MustRun(func(ctx *pulumi.Context) error {
		regional, err := mockengine.Provider(ctx, "regional", "us-west-2")
		if err != nil {
			return err
		}
		parent := &struct{ pulumi.ResourceState }{}
		if err := ctx.RegisterComponentResource("dbay:components:ServiceFleet", "fleet", parent, pulumi.Providers(regional)); err != nil {
			return err
		}
		if _, err := NewALBFirewall(ctx, parent, ALBFirewallArgs{Name: "fleet"}); err == nil {
			t.Error("an ALB firewall without its load balancer and region was accepted")
		}
		_, err = NewALBFirewall(ctx, parent, ALBFirewallArgs{
			Env:  config.Env{Region: "us-west-2", Protect: true},
			Name: "fleet", Site: "origin.dhanam.io", LoadBalancerArn: pulumi.String(albArn),
			LogRetentionDays: 365,
		})
		parentURN = "urn:pulumi:test::dbay::dbay:components:ServiceFleet::fleet"
		return err
	})
	r := run{eng: eng}
	acl := r.one(t, tACL, "alb")
	if acl.In()["scope"] != "REGIONAL" || acl.Parent != parentURN || acl.Region != "us-west-2" {
		t.Errorf("ACL = %v under %s in %s", acl.In()["scope"], acl.Parent, acl.Region)
	}
	strip := func(rs map[string]map[string]any) map[string]any {
		out := map[string]any{}
		for name, rule := range rs {
			out[name] = []any{rule["priority"], rule["statement"], rule["overrideAction"], rule["action"]}
		}
		return out
	}
	if got, want := strip(rules(t, r, "alb")), strip(rules(t, withFrontend, "alb")); !reflect.DeepEqual(got, want) {
		t.Errorf("rules %v differ from the frontend's %v", got, want)
	}
	if m := at(rules(t, r, "alb")["aws-sqli"], "visibilityConfig", "metricName"); m != "fleet-alb-aws-sqli" {
		t.Errorf("metric name = %v", m)
	}
	assoc := r.one(t, "aws:wafv2/webAclAssociation:WebAclAssociation", "alb").In()
	if assoc["resourceArn"] != albArn || assoc["webAclArn"] != acl.Out()["arn"] {
		t.Errorf("association = %v", assoc)
	}
	key := r.one(t, tKey, "alb-waf-logs-key")
	if r.one(t, tWAFLog, "alb-waf-logs").In()["resourceArn"] != acl.Out()["arn"] || !key.Options.Protect || key.Parent != parentURN {
		t.Errorf("logging: key protect %v under %s", key.Options.Protect, key.Parent)
	}
}
