package tests

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/tokens"
)

// Seed §9: the xpriv is readable by the BuildAndSignTx function only — one
// IAM policy in the whole prod stack names it, and its resource policy
// denies every other principal.
func TestXprivHasExactlyOneReaderInProd(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "prod")
	xpriv := r.Engine.Get(tokens.SecretsManagerSecret, "WALLET_MASTER_XPRIV").Out()["arn"].(string)
	var naming []string
	for _, p := range r.Engine.ByType(tokens.IAMRolePolicy) {
		if strings.Contains(p.In()["policy"].(string), xpriv) {
			naming = append(naming, p.Name+" on "+p.In()["role"].(string))
		}
	}
	if len(naming) != 1 || !strings.HasPrefix(naming[0], "build-and-sign-tx-") {
		t.Fatalf("IAM policies naming the xpriv: %v, want only build-and-sign-tx's", naming)
	}
	fn := r.Engine.Get(tokens.LambdaFunction, "build-and-sign-tx")
	if fn == nil {
		t.Fatal("no build-and-sign-tx function")
	}
	var doc struct {
		Statement []struct {
			Effect    string
			Principal any
			Condition map[string]map[string]any
		}
	}
	pol := r.Engine.Get(tokens.SecretsManagerSecretPolicy, "WALLET_MASTER_XPRIV")
	if pol == nil {
		t.Fatal("the xpriv has no resource policy")
	}
	if err := json.Unmarshal([]byte(pol.In()["policy"].(string)), &doc); err != nil {
		t.Fatal(err)
	}
	deny := doc.Statement[0]
	// The policy replicates to us-west-2: the dr stack's build_and_sign_tx
	// role, by its fixed name, and the break-glass role are the only other
	// principals let through (components/secrets/sealed.go).
	want := []any{"arn:aws:iam::123456789012:role/dbay-break-glass", fn.In()["role"], "arn:aws:iam::123456789012:role/dbay-build-and-sign-tx-us-west-2"}
	if deny.Effect != "Deny" || deny.Principal != "*" || !reflect.DeepEqual(deny.Condition["ArnNotEquals"]["aws:PrincipalArn"], want) {
		t.Errorf("xpriv policy = %+v, want a deny for all but %v", deny, want)
	}
	// Its key is its own: no other secret, and no key statement trusting
	// the account without naming the principal, so no IAM policy in the
	// account reaches the value (issue 15 item 4).
	secret := r.Engine.Get(tokens.SecretsManagerSecret, "WALLET_MASTER_XPRIV")
	key := secret.In()["kmsKeyId"]
	for _, other := range r.Engine.ByType(tokens.SecretsManagerSecret) {
		if other.Name != secret.Name && other.In()["kmsKeyId"] == key {
			t.Errorf("%s shares the xpriv's key %v", other.Name, key)
		}
	}
	for _, k := range r.Engine.ByType(tokens.KMSKey) {
		if k.Out()["arn"] != key {
			continue
		}
		var kdoc struct {
			Statement []struct {
				Sid       string
				Principal map[string]any
				Action    any
				Condition map[string]map[string]any
			}
		}
		if err := json.Unmarshal([]byte(k.In()["policy"].(string)), &kdoc); err != nil {
			t.Fatal(err)
		}
		for _, st := range kdoc.Statement {
			if p, _ := st.Principal["AWS"].(string); strings.HasSuffix(p, ":root") && st.Condition["ArnEquals"]["aws:PrincipalArn"] == nil {
				t.Errorf("the xpriv's key trusts the account in %s", st.Sid)
			}
		}
	}
	env, _ := fn.In()["environment"].(map[string]any)["variables"].(map[string]any)
	if env["WALLET_MASTER_XPRIV_SECRET_ARN"] != xpriv {
		t.Errorf("build_and_sign_tx env = %v", env)
	}
	for _, other := range r.Engine.ByType(tokens.LambdaFunction) {
		vars, _ := other.In()["environment"].(map[string]any)["variables"].(map[string]any)
		if _, has := vars["WALLET_MASTER_XPRIV_SECRET_ARN"]; has && other.Name != "build-and-sign-tx" {
			t.Errorf("%s carries the xpriv's ARN", other.Name)
		}
	}
}

// Seed §6.1, §7, §9: the three workflows exist, the SPA's API base URL ends
// in /api/v1, and every function is traced and VPC-attached.
func TestProdServerlessShape(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "prod")
	for _, wf := range []string{"withdrawal", "deposit", "order"} {
		if r.Engine.Get(tokens.SFNStateMachine, wf) == nil {
			t.Errorf("no %s state machine", wf)
		}
	}
	if u, _ := r.Outputs["apiBaseUrl"].(string); u != "https://api.dbay.example.com/api/v1" {
		t.Errorf("apiBaseUrl = %v", r.Outputs["apiBaseUrl"])
	}
	fns := r.Engine.ByType(tokens.LambdaFunction)
	if len(fns) < 15 {
		t.Errorf("%d functions, the seed names at least 15", len(fns))
	}
	for _, f := range fns {
		in := f.In()
		if in["tracingConfig"].(map[string]any)["mode"] != "Active" || len(in["vpcConfig"].(map[string]any)["subnetIds"].([]any)) < 2 || in["kmsKeyArn"] == nil {
			t.Errorf("%s: tracing %v vpc %v kms %v", f.Name, in["tracingConfig"], in["vpcConfig"], in["kmsKeyArn"])
		}
	}
}

// The public endpoints have Route53 health checks for the DR failover
// records: the site, and the API on the seed's known endpoint (§10.4).
func TestPublicEndpointsHaveHealthChecks(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "prod")
	api := r.Engine.Get(tokens.Route53HealthCheck, "api")
	site := r.Engine.Get(tokens.Route53HealthCheck, "site")
	if api == nil || site == nil {
		t.Fatalf("health checks: api %v site %v", api, site)
	}
	in := api.In()
	// The failover record's health check probes the region-pinned name:
	// api.dbay.example.com itself would follow the failover to us-west-2.
	if in["fqdn"] != "api-us-east-1.dbay.example.com" || in["resourcePath"] != "/api/v1/listings/listings/" || in["type"] != "HTTPS" {
		t.Errorf("api health check = %v", in)
	}
	if r.Outputs["apiHealthCheckId"] != api.ID || r.Outputs["siteHealthCheckId"] != site.ID {
		t.Errorf("health check exports: %v / %v", r.Outputs["apiHealthCheckId"], r.Outputs["siteHealthCheckId"])
	}
}
