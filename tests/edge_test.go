package tests

import (
	"strings"
	"testing"
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
	acl := r.Engine.Get("aws:wafv2/webAcl:WebAcl", "edge")
	if acl != nil && acl.In()["scope"] != "CLOUDFRONT" {
		t.Errorf("edge web ACL scope = %v", acl.In()["scope"])
	}
}

// The Vite build variables come from the real outputs (seed §7, §8).
func TestViteEnvIsWiredFromOutputs(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "prod")
	env, _ := r.Outputs["viteEnv"].(map[string]any)
	pool := r.Engine.Get("aws:cognito/userPool:UserPool", "users")
	client := r.Engine.Get("aws:cognito/userPoolClient:UserPoolClient", "spa")
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
