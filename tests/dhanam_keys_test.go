package tests

import (
	"encoding/json"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
)

// Dhanam's ENCRYPTION_KEY (guide "Environment Configuration" and "IAM
// Policies"): a multi-Region KMS key in prod, rotated, administered by the
// account root only, aliased alias/dhanam-prod-app; its replica in dr
// (same key id mrk-…, alias/dhanam-dr-app). The api and its migration
// task get ENCRYPTION_KEY = the key's ARN in their region, and the api's
// task role exactly kms:Decrypt and kms:GenerateDataKey on it; web gets
// neither.
func TestDhanamEncryptionKey(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, dhanamDir, "dr")
	prim := rec.Partner
	key := must(t, prim, tokens.KMSKey, "key-app")
	in := key.In()
	if in["multiRegion"] != true || in["enableKeyRotation"] != true || in["deletionWindowInDays"] != 30.0 || !key.Options.Protect {
		t.Errorf("prod key-app = %v (protect %v), want a protected multi-Region key with rotation and a 30-day window", in, key.Options.Protect)
	}
	if !strings.Contains(key.Parent, tokens.ComponentSecrets) {
		t.Errorf("key-app parent = %s, want the Secrets component", key.Parent)
	}
	keyPolicyAdminsOnly(t, "prod key-app", in["policy"])
	primArn := key.Out()["arn"].(string)
	if !strings.Contains(primArn, ":us-east-1:") || !strings.Contains(primArn, ":key/mrk-") {
		t.Errorf("prod key ARN %s is not a us-east-1 multi-Region key", primArn)
	}
	replica := must(t, rec, tokens.KMSReplicaKey, "key-app")
	if replica.In()["primaryKeyArn"] != primArn || !replica.Options.Protect || replica.In()["deletionWindowInDays"] != 30.0 {
		t.Errorf("dr key-app = %v (protect %v), want a protected replica of %s", replica.In(), replica.Options.Protect, primArn)
	}
	keyPolicyAdminsOnly(t, "dr key-app", replica.In()["policy"])
	repArn := replica.Out()["arn"].(string)
	if repArn != strings.Replace(primArn, ":us-east-1:", ":us-west-2:", 1) {
		t.Errorf("dr replica ARN %s is not prod's key id in us-west-2", repArn)
	}
	for _, c := range []struct {
		r         *synth.Result
		alias     string
		target    any
		arn       string
		keyOutput any
	}{
		{prim, "alias/dhanam-prod-app", key.Out()["keyId"], primArn, prim.Outputs["appKeyArns"]},
		{rec, "alias/dhanam-dr-app", replica.Out()["keyId"], repArn, rec.Outputs["appKeyArns"]},
	} {
		if a := must(t, c.r, tokens.KMSAlias, "key-app-alias").In(); a["name"] != c.alias || a["targetKeyId"] != c.target {
			t.Errorf("%s alias = %v, want %s -> %v", c.r.Stack, a, c.alias, c.target)
		}
		if !reflect.DeepEqual(c.keyOutput, map[string]any{"app": c.arn}) {
			t.Errorf("%s appKeyArns = %v", c.r.Stack, c.keyOutput)
		}
		for _, td := range []string{"api", "api-migrate"} {
			if got := containerEnv(t, c.r, td)["ENCRYPTION_KEY"]; got != c.arn {
				t.Errorf("%s %s ENCRYPTION_KEY = %q, want %s", c.r.Stack, td, got, c.arn)
			}
		}
		if _, ok := containerEnv(t, c.r, "web")["ENCRYPTION_KEY"]; ok {
			t.Errorf("%s web has ENCRYPTION_KEY", c.r.Stack)
		}
		// Exactly kms:Decrypt and kms:GenerateDataKey on the key, for the
		// role the api's tasks run as, and no other grant names the key.
		grant := must(t, c.r, tokens.IAMRolePolicy, "api-key-app")
		doc := policyDoc(t, grant.In()["policy"])
		want := []any{map[string]any{"Sid": "UseApplicationKey", "Effect": "Allow", "Action": []any{"kms:Decrypt", "kms:GenerateDataKey"}, "Resource": c.arn}}
		if !reflect.DeepEqual(doc["Statement"], want) {
			t.Errorf("%s api-key-app = %v, want %v", c.r.Stack, doc["Statement"], want)
		}
		taskRole := must(t, c.r, tokens.IAMRole, "api-task")
		if grant.In()["role"] != taskRole.Out()["name"] {
			t.Errorf("%s api-key-app is on role %v, not the api task role %v", c.r.Stack, grant.In()["role"], taskRole.Out()["name"])
		}
		for _, p := range c.r.Engine.ByType(tokens.IAMRolePolicy) {
			if p.Name != "api-key-app" && strings.Contains(mockengine.Str(p.In()["policy"]), c.arn) {
				t.Errorf("%s: %s also names the application key", c.r.Stack, p.Name)
			}
		}
	}
}

// keyPolicyAdminsOnly: the key policy's only principal is the account root.
func keyPolicyAdminsOnly(t *testing.T, what string, policy any) {
	t.Helper()
	doc := policyDoc(t, policy)
	stmts, _ := doc["Statement"].([]any)
	if len(stmts) != 1 {
		t.Fatalf("%s policy has %d statements: %v", what, len(stmts), doc)
	}
	p := mockengine.Obj(stmts[0])["Principal"]
	if !reflect.DeepEqual(p, map[string]any{"AWS": "arn:aws:iam::123456789012:root"}) {
		t.Errorf("%s key policy principal = %v, want the account root only", what, p)
	}
}

func policyDoc(t *testing.T, v any) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(mockengine.Str(v)), &doc); err != nil {
		t.Fatalf("policy %v: %v", v, err)
	}
	return doc
}

// container is the one container of a task definition.
func container(t *testing.T, r *synth.Result, taskDef string) map[string]any {
	t.Helper()
	var defs []map[string]any
	if err := json.Unmarshal([]byte(mockengine.Str(must(t, r, tokens.ECSTaskDefinition, taskDef).In()["containerDefinitions"])), &defs); err != nil || len(defs) != 1 {
		t.Fatalf("%s %s: %d containers, %v", r.Stack, taskDef, len(defs), err)
	}
	return defs[0]
}

func containerEnv(t *testing.T, r *synth.Result, taskDef string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, e := range mockengine.List(container(t, r, taskDef)["environment"]) {
		out[mockengine.Str(mockengine.Get(e, "name"))] = mockengine.Str(mockengine.Get(e, "value"))
	}
	return out
}

func containerSecrets(t *testing.T, r *synth.Result, taskDef string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, e := range mockengine.List(container(t, r, taskDef)["secrets"]) {
		out[mockengine.Str(mockengine.Get(e, "name"))] = mockengine.Str(mockengine.Get(e, "valueFrom"))
	}
	return out
}

// Prisma reads only DATABASE_URL (guide "Database Migration":
// postgresql://user:pass@host:5432/dhanam): the master's postgres-credentials
// secret holds a complete postgresql:// URL of the stack's own writer with
// a password that needs no encoding, port 5432, database dhanam and
// sslmode=require (the bootstrap task's); the api and api-migrate get
// theirs from the url key of their own role's secret,
// postgres-api-credentials (TestDhanamConnectsAsItsOwnRoleWithPrismaSchema
// checks its form); nothing else carries a password, and
// DATABASE_POOL_SIZE stays 20.
func TestDhanamDatabaseURL(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, dhanamDir, "dr")
	// The master password is generated in prod from letters and digits
	// only (nothing to percent-encode); dr's replica inherits it.
	gen := must(t, rec.Partner, tokens.RandomPassword, "postgres-master-password")
	if in := gen.In(); in["length"] != 40.0 || in["special"] != false {
		t.Errorf("postgres-master-password = %v, want 40 letters and digits", in)
	}
	password := revealed(t, gen.Outputs["result"])
	for _, r := range []*synth.Result{rec.Partner, rec} {
		db := must(t, r, tokens.RDSInstance, "postgres")
		var value map[string]any
		if err := json.Unmarshal([]byte(revealed(t, must(t, r, tokens.SecretsManagerSecretVersion, "postgres-credentials").Inputs["secretString"])), &value); err != nil {
			t.Fatalf("%s postgres-credentials: %v", r.Stack, err)
		}
		raw := mockengine.Str(value["url"])
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("%s url: %v", r.Stack, err)
		}
		pw, _ := u.User.Password()
		q := u.Query()
		if u.Scheme != "postgresql" || u.User.Username() != "dhanam_admin" || pw != password || !regexp.MustCompile(`^[A-Za-z0-9_.~-]+$`).MatchString(pw) ||
			u.Hostname() != db.Out()["address"] || u.Port() != "5432" || u.Path != "/dhanam" || len(q) != 1 || q.Get("sslmode") != "require" ||
			!strings.Contains(raw, "dhanam_admin:"+pw+"@") {
			t.Errorf("%s DATABASE_URL form = %s://%s:<%d chars>@%s:%s%s?%s, want postgresql://dhanam_admin:<the generated password>@%v:5432/dhanam?sslmode=require",
				r.Stack, u.Scheme, u.User.Username(), len(pw), u.Hostname(), u.Port(), u.Path, u.RawQuery, db.Out()["address"])
		}
		own := must(t, r, tokens.SecretsManagerSecret, "postgres-api-credentials")
		for _, td := range []string{"api", "api-migrate"} {
			secrets, env := containerSecrets(t, r, td), containerEnv(t, r, td)
			if want := mockengine.Str(own.Out()["arn"]) + ":url::"; secrets["DATABASE_URL"] != want {
				t.Errorf("%s %s DATABASE_URL from %q, want %q", r.Stack, td, secrets["DATABASE_URL"], want)
			}
			for _, v := range []string{"PGPASSWORD", "DATABASE_PASSWORD"} {
				if _, ok := secrets[v]; ok {
					t.Errorf("%s %s has %s", r.Stack, td, v)
				}
			}
			// 4, not the guide's 20: the connection budget (tests/budget_test.go).
			if env["DATABASE_POOL_SIZE"] != "4" {
				t.Errorf("%s %s DATABASE_POOL_SIZE = %q", r.Stack, td, env["DATABASE_POOL_SIZE"])
			}
		}
	}
}

// revealed is a string input, secret or not.
func revealed(t *testing.T, v resource.PropertyValue) string {
	t.Helper()
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput():
			v = v.OutputValue().Element
		case v.IsString():
			return v.StringValue()
		default:
			t.Fatalf("not a string: %v", v)
		}
	}
}

// dhanamOptional are the guide's external secrets the app starts without
// (exchange rates, monitoring, analytics); every other external secret is
// required.
var dhanamOptional = []string{"BANXICO_API_TOKEN", "EXCHANGERATE_API_KEY", "NEXT_PUBLIC_POSTHOG_KEY", "POSTHOG_API_KEY", "SENTRY_DSN"}

// An ECS task does not start while a secret it references has no value:
// optional external secrets are injected only once provided, required ones
// always, and secretsRequiredBeforeDeploy lists, per service, the
// put-secret-value command of each required one.
func TestDhanamSecretsThatBlockStartup(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, dhanamDir, "dr")
	prim := rec.Partner
	required := []string{"BELVO_SECRET_ID", "BELVO_SECRET_PASSWORD", "BITSO_API_KEY", "BITSO_API_SECRET", "PLAID_CLIENT_ID", "PLAID_SECRET"}
	for _, r := range []*synth.Result{prim, rec} {
		var optional []string
		var items map[string]map[string]any
		b, _ := json.Marshal(r.Config.Secrets.Items)
		_ = json.Unmarshal(b, &items)
		for name, it := range items {
			if it["optional"] == true {
				optional = append(optional, name)
			}
		}
		sort.Strings(optional)
		if !reflect.DeepEqual(optional, dhanamOptional) {
			t.Errorf("%s optional secrets = %v, want %v", r.Stack, optional, dhanamOptional)
		}
		for _, td := range []string{"api", "api-migrate", "web"} {
			got := containerSecrets(t, r, td)
			for _, name := range dhanamOptional {
				if _, ok := got[name]; ok {
					t.Errorf("%s %s injects %s, which is optional and not provided", r.Stack, td, name)
				}
			}
			if td == "web" {
				continue
			}
			for _, name := range append([]string{"JWT_SECRET"}, required...) {
				if _, ok := got[name]; !ok {
					t.Errorf("%s %s lacks the required %s", r.Stack, td, name)
				}
			}
		}
		// Nor may the execution roles read what they do not inject.
		for _, p := range r.Engine.ByType(tokens.IAMRolePolicy) {
			for _, name := range dhanamOptional {
				if strings.Contains(mockengine.Str(p.In()["policy"]), "/"+name+"-") {
					t.Errorf("%s: %s grants %s", r.Stack, p.Name, name)
				}
			}
		}
	}
	puts := prim.Outputs["secretPutCommands"].(map[string]any)
	var want []any
	for _, name := range required {
		want = append(want, puts[name])
	}
	got := prim.Outputs["secretsRequiredBeforeDeploy"]
	if !reflect.DeepEqual(got, map[string]any{"api": want, "web": []any{}}) {
		t.Errorf("secretsRequiredBeforeDeploy = %v, want api: %v, web: []", got, want)
	}
	for _, c := range want {
		if !strings.HasPrefix(mockengine.Str(c), "aws secretsmanager put-secret-value --region us-east-1 --secret-id arn:aws:secretsmanager:us-east-1:") {
			t.Errorf("command %v", c)
		}
	}
	pending, _ := prim.Outputs["secretsOptionalPending"].(map[string]any)
	for _, name := range dhanamOptional {
		if c := mockengine.Str(pending[name]); !strings.HasPrefix(c, mockengine.Str(puts[name])+" && pulumi config set --stack prod --path 'secrets.items."+name+".provided' true") {
			t.Errorf("secretsOptionalPending[%s] = %q", name, c)
		}
	}

	// Once the operator has put SENTRY_DSN and set provided, the api gets it
	// (and its execution role may read it), and it is no longer pending.
	st, err := synth.LoadStack(dhanamDir, "prod")
	if err != nil {
		t.Fatal(err)
	}
	before := st.Values["dhanam:secrets"]
	st.Values["dhanam:secrets"] = strings.Replace(before, `"SENTRY_DSN":{"optional":true,"source":"external"}`, `"SENTRY_DSN":{"optional":true,"provided":true,"source":"external"}`, 1)
	if st.Values["dhanam:secrets"] == before {
		t.Fatalf("SENTRY_DSN not found in %s", before)
	}
	r, err := synth.Run(st)
	if err != nil {
		t.Fatal(err)
	}
	if sentry := must(t, r, tokens.SecretsManagerSecret, "SENTRY_DSN").Out()["arn"]; containerSecrets(t, r, "api")["SENTRY_DSN"] != sentry {
		t.Errorf("provided SENTRY_DSN: api secrets = %v", containerSecrets(t, r, "api"))
	}
	if _, still := r.Outputs["secretsOptionalPending"].(map[string]any)["SENTRY_DSN"]; still {
		t.Error("a provided SENTRY_DSN is still pending")
	}
	if n := len(r.Outputs["secretsRequiredBeforeDeploy"].(map[string]any)["api"].([]any)); n != len(required)+1 {
		t.Errorf("with SENTRY_DSN provided the api needs %d secrets before deploy, want %d", n, len(required)+1)
	}
}
