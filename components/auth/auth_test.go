package auth

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

const (
	domain     = "dbay.example.com"
	tPool      = "aws:cognito/userPool:UserPool"
	tClient    = "aws:cognito/userPoolClient:UserPoolClient"
	tDomain    = "aws:cognito/userPoolDomain:UserPoolDomain"
	tCert      = "aws:acm/certificate:Certificate"
	tCertValid = "aws:acm/certificateValidation:CertificateValidation"
	tRecord    = "aws:route53/record:Record"
	globalURN  = "urn:pulumi:test::dbay::pulumi:providers:aws::global"
	regionURN  = "urn:pulumi:test::dbay::pulumi:providers:aws::regional"
	apiBase    = "https://abc123defg.execute-api.us-west-2.amazonaws.com/prod/api/v1"
)

func spec(t *testing.T, raw string) config.Auth {
	t.Helper()
	s, err := config.LoadAuth("dbay", domain, raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type run struct {
	eng    *mockengine.Engine
	outs   map[string]any
	parent string // URN of the stand-in apex record
}

// synth runs the component in region with a us-east-1 provider beside the
// regional one, as the stacks pass them.
func synth(t *testing.T, region string, s config.Auth, protect bool) run {
	t.Helper()
	eng := mockengine.ForTest(t, "dbay", "test", region)
	r := run{eng: eng, outs: map[string]any{}}
	eng.MustRun(func(ctx *pulumi.Context) error {
		regional, err := mockengine.Provider(ctx, "regional", region)
		if err != nil {
			return err
		}
		global, err := mockengine.Provider(ctx, "global", "us-east-1")
		if err != nil {
			return err
		}
		apex, err := route53.NewRecord(ctx, "apex", &route53.RecordArgs{
			ZoneId: pulumi.String("Z0123456789ABC"), Name: pulumi.String(domain), Type: pulumi.String("A"),
			Records: pulumi.ToStringArray([]string{"192.0.2.1"}), Ttl: pulumi.Int(60),
		}, pulumi.Provider(regional))
		if err != nil {
			return err
		}
		a, err := New(ctx, "auth", &Args{
			Env:  config.Env{Domain: domain, Protect: protect},
			Spec: s, APIBaseURL: pulumi.String(apiBase), GlobalProvider: global,
			ZoneID: pulumi.String("Z0123456789ABC"), ParentRecord: apex,
		}, pulumi.Providers(regional))
		if err != nil {
			return err
		}
		r.parent = string(internalsURN(ctx, t, apex.URN()))
		outs, err := mockengine.Resolve(ctx, map[string]pulumi.Output{
			"userPoolId": a.UserPoolID, "userPoolArn": a.UserPoolArn, "userPoolClientId": a.UserPoolClientID,
			"region": a.Region, "issuer": a.Issuer, "hostedUiDomain": a.HostedUIDomain, "viteEnv": a.ViteEnv,
			"adminUserPoolId": a.AdminUserPoolID, "adminIssuer": a.AdminIssuer,
		})
		r.outs = outs
		return err
	})
	return r
}

func internalsURN(ctx *pulumi.Context, t *testing.T, u pulumi.URNOutput) pulumi.URN {
	res, err := internals.UnsafeAwaitOutput(ctx.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	return res.Value.(pulumi.URN)
}

func (r run) one(t *testing.T, typ, name string) *mockengine.Resource {
	t.Helper()
	res := r.eng.Get(typ, name)
	if res == nil {
		t.Fatalf("no %s %q was created", typ, name)
	}
	return res
}

func TestUserPoolSettings(t *testing.T) {
	t.Parallel()
	r := synth(t, "us-east-1", spec(t, ""), true)
	pool := r.one(t, tPool, "users")
	in := pool.In()
	want := map[string]any{
		"usernameAttributes":     []any{"email"},
		"autoVerifiedAttributes": []any{"email"},
		"usernameConfiguration":  map[string]any{"caseSensitive": false},
		"passwordPolicy": map[string]any{
			"minimumLength": 12.0, "requireLowercase": true, "requireUppercase": true, "requireNumbers": true,
			"requireSymbols": true, "temporaryPasswordValidityDays": 7.0,
		},
		"mfaConfiguration":              "OPTIONAL",
		"softwareTokenMfaConfiguration": map[string]any{"enabled": true},
		"userPoolTier":                  "PLUS",
		"userPoolAddOns":                map[string]any{"advancedSecurityMode": "ENFORCED"},
		"accountRecoverySetting": map[string]any{"recoveryMechanisms": []any{
			map[string]any{"name": "verified_email", "priority": 1.0},
		}},
		"deletionProtection": "ACTIVE",
		"schemas": []any{map[string]any{
			"name": "email", "attributeDataType": "String", "required": true, "mutable": true,
			"stringAttributeConstraints": map[string]any{"minLength": "0", "maxLength": "2048"},
		}},
	}
	for k, v := range want {
		if !reflect.DeepEqual(in[k], v) {
			t.Errorf("user pool %s = %#v, want %#v", k, in[k], v)
		}
	}
	if !pool.Options.Protect {
		t.Error("the user pool is not protected")
	}
	if !reflect.DeepEqual(pool.Options.IgnoreChanges, fixedAtCreation) {
		t.Errorf("ignoreChanges = %v, want the attributes fixed at creation %v", pool.Options.IgnoreChanges, fixedAtCreation)
	}
}

func TestConfigReachesThePoolAndSchemaMigrationLiftsTheGuard(t *testing.T) {
	t.Parallel()
	r := synth(t, "us-east-1", spec(t, `{"mfa":"ON","passwordMinLength":16,"temporaryPasswordDays":1,"schemaMigration":true}`), false)
	pool := r.one(t, tPool, "users")
	in := pool.In()
	policy := in["passwordPolicy"].(map[string]any)
	if in["mfaConfiguration"] != "ON" || policy["minimumLength"] != 16.0 || policy["temporaryPasswordValidityDays"] != 1.0 {
		t.Errorf("pool = mfa %v, policy %v", in["mfaConfiguration"], policy)
	}
	if len(pool.Options.IgnoreChanges) != 0 {
		t.Errorf("with schemaMigration, ignoreChanges = %v, want none", pool.Options.IgnoreChanges)
	}
	if pool.Options.Protect {
		t.Error("Protect=false still protected the pool")
	}
}

func TestSPAClientIsPublicWithCodeFlow(t *testing.T) {
	t.Parallel()
	r := synth(t, "us-east-1", spec(t, `{"callbackUrls":["https://app.dbay.example.com/callback"],"tokenValidity":{"accessMinutes":30,"refreshDays":7}}`), true)
	pool := r.one(t, tPool, "users")
	in := r.one(t, tClient, "spa").In()
	want := map[string]any{
		"userPoolId":                      pool.ID,
		"generateSecret":                  false,
		"allowedOauthFlowsUserPoolClient": true,
		"allowedOauthFlows":               []any{"code"},
		"allowedOauthScopes":              []any{"openid", "email", "profile"},
		"supportedIdentityProviders":      []any{"COGNITO"},
		"callbackUrls":                    []any{"https://app.dbay.example.com/callback"},
		"logoutUrls":                      []any{"https://app.dbay.example.com/"},
		"explicitAuthFlows":               []any{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		"preventUserExistenceErrors":      "ENABLED",
		"enableTokenRevocation":           true,
		"accessTokenValidity":             30.0,
		"idTokenValidity":                 15.0,
		"refreshTokenValidity":            7.0,
		"tokenValidityUnits":              map[string]any{"accessToken": "minutes", "idToken": "minutes", "refreshToken": "days"},
	}
	for k, v := range want {
		if !reflect.DeepEqual(in[k], v) {
			t.Errorf("client %s = %#v, want %#v", k, in[k], v)
		}
	}
	for _, k := range []string{"implicit", "client_credentials"} {
		if slices.Contains(mockengine.Strings(in["allowedOauthFlows"]), k) {
			t.Errorf("client allows the %s flow", k)
		}
	}
}

func TestGroups(t *testing.T) {
	t.Parallel()
	r := synth(t, "us-east-1", spec(t, `{"groups":["admin","support","sellers"]}`), true)
	pool := r.one(t, tPool, "users")
	for i, g := range []string{"support", "sellers"} {
		in := r.one(t, "aws:cognito/userGroup:UserGroup", "group-"+g).In()
		if in["name"] != g || in["precedence"] != float64(i) || in["userPoolId"] != pool.ID {
			t.Errorf("group %s = %v", g, in)
		}
	}
	admins := r.one(t, tPool, "admins")
	if in := r.one(t, "aws:cognito/userGroup:UserGroup", "admins-group-admin").In(); in["name"] != "admin" || in["userPoolId"] != admins.ID {
		t.Errorf("admin group = %v, want it in the admin pool %s", in, admins.ID)
	}
	if n := len(r.eng.ByType("aws:cognito/userGroup:UserGroup")); n != 3 {
		t.Errorf("%d groups, want 3", n)
	}
}

// TestAdminPoolRequiresMFA: the admin group lives in a pool of its own
// with MFA ON, TOTP, administrators creating the users, threat protection,
// deletion protection, its own client and prefix domain (issue 15: MFA
// for the admin group; Cognito's MFA setting is pool-wide).
func TestAdminPoolRequiresMFA(t *testing.T) {
	t.Parallel()
	r := synth(t, "us-west-2", spec(t, ""), true)
	users, admins := r.one(t, tPool, "users").In(), r.one(t, tPool, "admins")
	in := admins.In()
	if users["mfaConfiguration"] != "OPTIONAL" || in["mfaConfiguration"] != "ON" {
		t.Errorf("mfa: users %v, admins %v; want OPTIONAL and ON", users["mfaConfiguration"], in["mfaConfiguration"])
	}
	want := map[string]any{
		"softwareTokenMfaConfiguration": map[string]any{"enabled": true},
		"adminCreateUserConfig":         map[string]any{"allowAdminCreateUserOnly": true},
		"userPoolAddOns":                map[string]any{"advancedSecurityMode": "ENFORCED"},
		"deletionProtection":            "ACTIVE",
		"passwordPolicy":                users["passwordPolicy"],
		"tags":                          map[string]any{"Audience": AdminAudience},
	}
	for k, v := range want {
		if !reflect.DeepEqual(in[k], v) {
			t.Errorf("admin pool %s = %#v, want %#v", k, in[k], v)
		}
	}
	if users["adminCreateUserConfig"] != nil {
		t.Errorf("users' pool adminCreateUserConfig = %v", users["adminCreateUserConfig"])
	}
	client := r.one(t, tClient, "admin-spa")
	if c := client.In(); c["userPoolId"] != admins.ID || c["generateSecret"] != false {
		t.Errorf("admin client = %v", c)
	}
	if d := r.one(t, tDomain, "admin-hosted-ui").In(); d["domain"] != "dbay-example-com-admin" || d["userPoolId"] != admins.ID {
		t.Errorf("admin domain = %v", d)
	}
	vite, _ := r.outs["viteEnv"].(map[string]any)
	if vite["VITE_COGNITO_ADMIN_USER_POOL_ID"] != admins.ID || vite["VITE_COGNITO_ADMIN_CLIENT_ID"] != client.ID ||
		vite["VITE_COGNITO_ADMIN_DOMAIN"] != "dbay-example-com-admin.auth.us-west-2.amazoncognito.com" {
		t.Errorf("viteEnv = %v", vite)
	}
	if r.outs["adminIssuer"] != "https://cognito-idp.us-west-2.amazonaws.com/"+admins.ID {
		t.Errorf("adminIssuer = %v", r.outs["adminIssuer"])
	}

	on := synth(t, "us-west-2", spec(t, `{"mfa":"ON"}`), true)
	if n := len(on.eng.ByType(tPool)); n != 1 || on.outs["adminUserPoolId"] != "" {
		t.Errorf("MFA ON: %d pools, adminUserPoolId %v; want one pool and none", n, on.outs["adminUserPoolId"])
	}
}

func TestPrefixDomain(t *testing.T) {
	t.Parallel()
	r := synth(t, "us-west-2", spec(t, ""), true)
	in := r.one(t, tDomain, "hosted-ui").In()
	if in["domain"] != "dbay-example-com" || in["certificateArn"] != nil {
		t.Errorf("prefix domain = %v", in)
	}
	if r.outs["hostedUiDomain"] != "dbay-example-com.auth.us-west-2.amazoncognito.com" {
		t.Errorf("hostedUiDomain = %v", r.outs["hostedUiDomain"])
	}
	if len(r.eng.ByType(tCert)) != 0 || len(r.eng.ByType(tRecord)) != 1 {
		t.Errorf("a prefix domain needs no certificate or record besides the test's own")
	}
}

// The dr stack runs in us-west-2; Cognito still wants the custom domain's
// certificate in us-east-1.
func TestCustomDomainCertificateIsInUSEast1EvenInDR(t *testing.T) {
	t.Parallel()
	r := synth(t, "us-west-2", spec(t, `{"customDomain":true}`), true)
	cert := r.one(t, tCert, "hosted-ui")
	if cert.Provider != globalURN || !strings.HasPrefix(cert.Out()["arn"].(string), "arn:aws:acm:us-east-1:") {
		t.Errorf("certificate provider %s arn %v, want the us-east-1 provider", cert.Provider, cert.Out()["arn"])
	}
	if cert.In()["domainName"] != "auth.dbay.example.com" || cert.In()["validationMethod"] != "DNS" {
		t.Errorf("certificate = %v", cert.In())
	}
	valid := r.one(t, tCertValid, "hosted-ui")
	rec := r.one(t, tRecord, "hosted-ui-certificate-validation")
	dvo := cert.Out()["domainValidationOptions"].([]any)[0].(map[string]any)
	if valid.Provider != globalURN || valid.In()["certificateArn"] != cert.Out()["arn"] ||
		!reflect.DeepEqual(valid.In()["validationRecordFqdns"], []any{rec.Out()["fqdn"]}) {
		t.Errorf("certificate validation = %v via %s", valid.In(), valid.Provider)
	}
	if rec.In()["name"] != dvo["resourceRecordName"] || rec.In()["type"] != "CNAME" ||
		!reflect.DeepEqual(rec.In()["records"], []any{dvo["resourceRecordValue"]}) || rec.In()["zoneId"] != "Z0123456789ABC" {
		t.Errorf("validation record = %v, want %v", rec.In(), dvo)
	}

	d := r.one(t, tDomain, "hosted-ui")
	if d.In()["domain"] != "auth.dbay.example.com" || d.In()["certificateArn"] != cert.Out()["arn"] || d.Provider != regionURN {
		t.Errorf("custom domain = %v via %s", d.In(), d.Provider)
	}
	if !slices.Contains(d.Dependencies, r.parent) {
		t.Errorf("the custom domain does not wait for the apex record: depends on %v", d.Dependencies)
	}
	for _, typ := range []string{"A", "AAAA"} {
		in := r.one(t, tRecord, "hosted-ui-"+typ).In()
		alias := in["aliases"].([]any)[0].(map[string]any)
		if in["name"] != "auth.dbay.example.com" || in["type"] != typ ||
			alias["name"] != d.Out()["cloudfrontDistribution"] || alias["zoneId"] != "Z2FDTNDATAQYW2" {
			t.Errorf("%s record = %v", typ, in)
		}
	}
	if r.outs["hostedUiDomain"] != "auth.dbay.example.com" {
		t.Errorf("hostedUiDomain = %v", r.outs["hostedUiDomain"])
	}
}

func TestViteEnvIsWiredFromRealOutputs(t *testing.T) {
	t.Parallel()
	r := synth(t, "us-west-2", spec(t, ""), true)
	pool := r.one(t, tPool, "users")
	client := r.one(t, tClient, "spa")
	if !strings.HasPrefix(pool.ID, "us-west-2_") {
		t.Fatalf("pool id %s is not from us-west-2", pool.ID)
	}
	want := map[string]any{
		"VITE_USE_COGNITO":          "true",
		"VITE_COGNITO_USER_POOL_ID": pool.ID,
		"VITE_COGNITO_CLIENT_ID":    client.ID,
		"VITE_AWS_REGION":           "us-west-2",
		"VITE_API_BASE_URL":         apiBase,
		"VITE_COGNITO_DOMAIN":       "dbay-example-com.auth.us-west-2.amazoncognito.com",
	}
	admins, adminClient := r.one(t, tPool, "admins"), r.one(t, tClient, "admin-spa")
	want["VITE_COGNITO_ADMIN_USER_POOL_ID"] = admins.ID
	want["VITE_COGNITO_ADMIN_CLIENT_ID"] = adminClient.ID
	want["VITE_COGNITO_ADMIN_DOMAIN"] = "dbay-example-com-admin.auth.us-west-2.amazoncognito.com"
	if !reflect.DeepEqual(r.outs["viteEnv"], want) {
		t.Errorf("viteEnv\n got %v\nwant %v", r.outs["viteEnv"], want)
	}
	if r.outs["userPoolId"] != pool.ID || r.outs["userPoolClientId"] != client.ID || r.outs["region"] != "us-west-2" ||
		r.outs["issuer"] != "https://cognito-idp.us-west-2.amazonaws.com/"+pool.ID || r.outs["userPoolArn"] != pool.Out()["arn"] {
		t.Errorf("outputs = %v", r.outs)
	}
}

func TestEveryChildIsParentedAndOnlyTheCertificateIsGlobal(t *testing.T) {
	t.Parallel()
	r := synth(t, "us-west-2", spec(t, `{"customDomain":true}`), true)
	comp := r.one(t, typeToken, "auth")
	for _, res := range r.eng.Children(comp.URN) {
		want := regionURN
		if res.Type == tCert || res.Type == tCertValid {
			want = globalURN
		}
		if res.Custom && res.Provider != want {
			t.Errorf("%s %s uses provider %s, want %s", res.Type, res.Name, res.Provider, want)
		}
	}
	for _, res := range r.eng.Resources() {
		if res.Custom && res.Parent != comp.URN && res.Name != "apex" && !strings.HasPrefix(res.Type, "pulumi:providers:") {
			t.Errorf("%s %s is parented to %s", res.Type, res.Name, res.Parent)
		}
	}
}

func TestArgsAreChecked(t *testing.T) {
	t.Parallel()
	custom := spec(t, `{"customDomain":true}`)
	for name, args := range map[string]*Args{
		"nil":                       nil,
		"no domain":                 {Spec: spec(t, ""), APIBaseURL: pulumi.String(apiBase)},
		"no API base URL":           {Spec: spec(t, ""), Env: config.Env{Domain: domain}},
		"custom domain, no zone":    {Spec: custom, Env: config.Env{Domain: domain}, APIBaseURL: pulumi.String(apiBase)},
		"spec without the defaults": {Spec: config.Auth{}, Env: config.Env{Domain: domain}, APIBaseURL: pulumi.String(apiBase)},
	} {
		if _, err := New(nil, "auth", args); err == nil {
			t.Errorf("%s: New accepted the args", name)
		}
	}
}
