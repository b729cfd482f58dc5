package tests

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/tokens"
)

// CloudFront's certificate, the CLOUDFRONT-scope web ACL and its logging,
// and the hosted UI certificate live in us-east-1 whatever the stack's
// region; everything else is regional.
func TestEdgeResourcesUseTheGlobalProvider(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "prod")
	global := "urn:pulumi:prod::dbay::pulumi:providers:aws::us-east-1"
	mustBeGlobal := map[string]string{
		"aws:acm/certificate:Certificate|site":           "CloudFront certificate",
		"aws:acm/certificate:Certificate|hosted-ui":      "Cognito custom domain certificate",
		"aws:wafv2/webAcl:WebAcl|edge":                   "CLOUDFRONT web ACL",
		"aws:cloudwatch/logGroup:LogGroup|edge-waf-logs": "WAF log group",
	}
	for key, what := range mustBeGlobal {
		typ, name, _ := strings.Cut(key, "|")
		res := r.Engine.Get(typ, name)
		if res == nil {
			t.Errorf("no %s (%s %s)", what, typ, name)
			continue
		}
		if res.Provider != global || res.Region != "us-east-1" {
			t.Errorf("%s is on %s (%s)", what, res.Provider, res.Region)
		}
	}
	acl := r.Engine.Get(tokens.WAFv2WebAcl, "edge")
	if acl != nil && acl.In()["scope"] != "CLOUDFRONT" {
		t.Errorf("edge web ACL scope = %v", acl.In()["scope"])
	}
}

// The Vite build variables come from the real outputs (seed §7, §8).
func TestViteEnvIsWiredFromOutputs(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "prod")
	env, _ := r.Outputs["viteEnv"].(map[string]any)
	pool := r.Engine.Get(tokens.CognitoUserPool, "users")
	client := r.Engine.Get(tokens.CognitoUserPoolClient, "spa")
	if pool == nil || client == nil {
		t.Fatalf("no user pool or client: %v %v", pool, client)
	}
	want := map[string]any{
		"VITE_USE_COGNITO":          "true",
		"VITE_COGNITO_USER_POOL_ID": pool.ID,
		"VITE_COGNITO_CLIENT_ID":    client.ID,
		"VITE_AWS_REGION":           "us-east-1",
		"VITE_API_BASE_URL":         "https://app.dbay.example.com/api/v1",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("viteEnv[%s] = %v, want %v", k, env[k], v)
		}
	}
	if r.Outputs["userPoolId"] != pool.ID {
		t.Errorf("userPoolId export = %v", r.Outputs["userPoolId"])
	}
}

// Dhanam "Architecture": CloudFront + WAF in front of the ALB, and no way
// around them — every listener rule requires the secret header CloudFront
// sends, and the internet-facing ALB has its own REGIONAL web ACL.
func TestDhanamALBOnlyThroughCloudFront(t *testing.T) {
	t.Parallel()
	r := synthesize(t, "../examples/dhanam", "prod")
	rules := r.Engine.ByType(tokens.LBListenerRule)
	if len(rules) != 2 {
		t.Fatalf("%d listener rules, want api and web", len(rules))
	}
	for _, rule := range rules {
		ok := false
		for _, c := range rule.In()["conditions"].([]any) {
			if h, has := c.(map[string]any)["httpHeader"]; has {
				hh := h.(map[string]any)
				ok = hh["httpHeaderName"] == "X-Origin-Verify" && strings.Contains(fmt.Sprint(hh["values"]), "[secret]")
			}
		}
		if !ok {
			t.Errorf("listener rule %s does not require the origin header: %v", rule.Name, rule.In()["conditions"])
		}
	}
	dist := r.Engine.Get(tokens.CloudFrontDistribution, "cdn")
	if dist == nil {
		t.Fatal("no distribution")
	}
	var header bool
	for _, o := range dist.In()["origins"].([]any) {
		for _, h := range mockengineList(o.(map[string]any)["customHeaders"]) {
			header = header || h.(map[string]any)["name"] == "X-Origin-Verify"
		}
	}
	if !header {
		t.Error("CloudFront does not send the origin header to the ALB")
	}
	if len(r.Engine.ByType(tokens.WAFv2WebAclAssociation)) != 1 {
		t.Error("the internet-facing ALB has no REGIONAL web ACL")
	}
}

func mockengineList(v any) []any {
	l, _ := v.([]any)
	return l
}

// Issue 15 (Should: MFA for the admin group): in both DBay stacks the admin
// group lives only in the admin pool, which requires MFA, and the API's
// authorizer is told that pool (COGNITO_ADMIN_USER_POOL_ID) so it grants
// admin from its tokens alone.
func TestAdminGroupOnlyInThePoolThatRequiresMFA(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"prod", "dr"} {
		r := synthesize(t, root, stack)
		users := r.Engine.Get(tokens.CognitoUserPool, "users")
		admins := r.Engine.Get(tokens.CognitoUserPool, "admins")
		if users == nil || admins == nil {
			t.Fatalf("%s: users pool %v, admin pool %v", stack, users != nil, admins != nil)
		}
		if admins.In()["mfaConfiguration"] != "ON" {
			t.Errorf("%s: admin pool mfaConfiguration = %v", stack, admins.In()["mfaConfiguration"])
		}
		for _, g := range r.Engine.ByType(tokens.CognitoUserGroup) {
			if g.In()["name"] == "admin" && g.In()["userPoolId"] != admins.ID {
				t.Errorf("%s: group admin (%s) is in pool %v, not the admin pool", stack, g.Name, g.In()["userPoolId"])
			}
		}
		fn := r.Engine.Get(tokens.LambdaFunction, "authorizer")
		if fn == nil {
			t.Fatalf("%s: no authorizer function", stack)
		}
		vars, _ := fn.In()["environment"].(map[string]any)["variables"].(map[string]any)
		if vars["COGNITO_ADMIN_USER_POOL_ID"] != admins.ID || vars["COGNITO_USER_POOL_ID"] != users.ID {
			t.Errorf("%s: authorizer pools = %v / %v, want %s / %s", stack, vars["COGNITO_USER_POOL_ID"], vars["COGNITO_ADMIN_USER_POOL_ID"], users.ID, admins.ID)
		}
	}
}
