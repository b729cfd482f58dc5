package fleet

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
)

// seedTables is what each DBay service receives, written from the seed:
// §4.1 (shared by the Django services), §4.2-§4.9 and §11, plus AWS_REGION,
// which the fleet always sets. DATABASE_URL, REDIS_URL and MONGO_URI
// arrive as secrets (valueFrom the url key of the data layer's connection
// secrets) because they carry a password — complete, as the seed writes
// them (postgresql://user:pass@host:5432/dbay) — under the seed's names. MEMCACHED_URL is optional for
// the Django services (§4.1 "No") and only search-gateway declares it (§4.8).
var seedTables = map[string]struct{ env, secrets []string }{
	"listing": { // §4.1 + §4.2: ELASTICSEARCH_URL (listing, search-gateway), AWS_S3_BUCKET_NAME
		env:     []string{"AWS_REGION", "AWS_S3_BUCKET_NAME", "ELASTICSEARCH_URL", "EVENT_BUS_NAME"},
		secrets: []string{"DATABASE_URL", "DJANGO_SECRET_KEY", "REDIS_URL"},
	},
	"auction": { // §4.1 + §4.3
		env:     []string{"AWS_REGION", "EVENT_BUS_NAME", "LISTING_SERVICE_URL", "WALLET_SERVICE_URL"},
		secrets: []string{"DATABASE_URL", "DJANGO_SECRET_KEY", "REDIS_URL"},
	},
	"wallet": { // §4.1 + §4.4; §9: no WALLET_MASTER_XPRIV, no USE_SYNC_WITHDRAWAL
		env:     []string{"AWS_REGION", "EVENT_BUS_NAME"},
		secrets: []string{"DATABASE_URL", "DJANGO_SECRET_KEY", "DOGECOIN_RPC_PASSWORD", "DOGECOIN_RPC_URL", "DOGECOIN_RPC_USER", "REDIS_URL", "WALLET_MASTER_XPUB"},
	},
	"user": { // §4.1 + §4.5; §11 lists no EVENT_BUS_NAME for it
		env:     []string{"AWS_REGION", "AWS_S3_BUCKET_NAME"},
		secrets: []string{"DATABASE_URL", "DJANGO_SECRET_KEY", "REDIS_URL"},
	},
	"order": { // §4.1 + §4.6
		env:     []string{"AWS_REGION", "EVENT_BUS_NAME", "LISTING_SERVICE_URL", "WALLET_SERVICE_URL"},
		secrets: []string{"DATABASE_URL", "DJANGO_SECRET_KEY", "REDIS_URL"},
	},
	"notification":   {env: []string{"AWS_REGION", "SES_FROM_EMAIL", "SQS_QUEUE_URL"}},    // §4.7
	"search-gateway": {env: []string{"AWS_REGION", "ELASTICSEARCH_URL", "MEMCACHED_URL"}}, // §4.8
	// §4.9 lists AWS_REGION "for any AWS SDK use"; the notifications queue
	// (§3) consumes message.received, which messaging publishes, so it
	// gets EVENT_BUS_NAME (docs/decisions.md "Design decisions": publishers).
	"messaging": {env: []string{"AWS_REGION", "EVENT_BUS_NAME"}, secrets: []string{"MONGO_URI"}},
}

// section11 is the seed's "where each variable is used", restricted to
// services (Lambdas are the Serverless component's): nobody else may get it.
var section11 = map[string][]string{
	"DATABASE_URL":        {"auction", "listing", "order", "user", "wallet"},
	"REDIS_URL":           {"auction", "listing", "order", "user", "wallet"},
	"EVENT_BUS_NAME":      {"auction", "listing", "messaging", "order", "wallet"}, // §11 + messaging, the publisher of message.received
	"WALLET_MASTER_XPUB":  {"wallet"},
	"WALLET_MASTER_XPRIV": {},
	"DOGECOIN_RPC_URL":    {"wallet"},
	"WALLET_SERVICE_URL":  {"auction", "order"},
	"LISTING_SERVICE_URL": {"auction", "order"},
	"ORDER_SERVICE_URL":   {},
	"USER_SERVICE_URL":    {},
	"AWS_ENDPOINT_URL":    {}, // §4: never in production
	"USE_SYNC_WITHDRAWAL": {}, // §9: not set in production
	"AWS_ACCESS_KEY_ID":   {}, // §4.1: the task role instead
}

// matrix prints the service × variable table (e = plain, s = secret).
func matrix(containers map[string]container) string {
	vars := map[string]bool{}
	for _, c := range containers {
		for k := range c.env() {
			vars[k] = true
		}
		for k := range c.secrets() {
			vars[k] = true
		}
	}
	names := keys(containers)
	var b strings.Builder
	fmt.Fprintf(&b, "%-22s", "")
	for _, n := range names {
		fmt.Fprintf(&b, " %-6.6s", n)
	}
	for _, v := range keys(vars) {
		fmt.Fprintf(&b, "\n%-22s", v)
		for _, n := range names {
			mark := ""
			if _, ok := containers[n].env()[v]; ok {
				mark = "e"
			}
			if _, ok := containers[n].secrets()[v]; ok {
				mark = "s"
			}
			fmt.Fprintf(&b, " %-6s", mark)
		}
	}
	return b.String()
}

func TestEnvironmentMatchesTheSeedTables(t *testing.T) {
	t.Parallel()
	r := synth(t, dbay(t), nil).must(t)
	containers := map[string]container{}
	for name := range seedTables {
		containers[name] = r.container(t, name)
	}
	t.Logf("environment matrix (e: environment, s: secrets valueFrom):\n%s", matrix(containers))
	for name, want := range seedTables {
		c := containers[name]
		// PORT is every service's own port (the fleet sets it), not a seed variable.
		env := c.env()
		if env["PORT"] == "" {
			t.Errorf("%s has no PORT", name)
		}
		delete(env, "PORT")
		if got := keys(env); !equal(got, want.env) {
			t.Errorf("%s environment\n got %v\nwant %v", name, got, want.env)
		}
		if got := keys(c.secrets()); !equal(got, want.secrets) {
			t.Errorf("%s secrets\n got %v\nwant %v", name, got, want.secrets)
		}
	}
	for variable, users := range section11 {
		var got []string
		for name, c := range containers {
			_, e := c.env()[variable]
			_, s := c.secrets()[variable]
			if e || s {
				got = append(got, name)
			}
		}
		sort.Strings(got)
		if !equal(got, users) {
			t.Errorf("%s goes to %v, seed §11 says %v", variable, got, users)
		}
	}
}

func TestVariableValues(t *testing.T) {
	t.Parallel()
	r := synth(t, dbay(t), nil).must(t)
	secretArn := func(logical string) string { return r.one(t, tSecret, logical).Out()["arn"].(string) }
	auction, wallet, listing, notification := r.container(t, "auction"), r.container(t, "wallet"), r.container(t, "listing"), r.container(t, "notification")
	for k, want := range map[string]string{
		"LISTING_SERVICE_URL": "http://listing-service:8000", // seed §4.3, verbatim
		"WALLET_SERVICE_URL":  "http://wallet-service:8000",
		"EVENT_BUS_NAME":      "dbay-events",
		"AWS_REGION":          "us-east-1",
	} {
		if got := auction.env()[k]; got != want {
			t.Errorf("auction %s = %q, want %q", k, got, want)
		}
	}
	if got := listing.env()["AWS_S3_BUCKET_NAME"]; got != "dbay-listing-images-prod" {
		t.Errorf("AWS_S3_BUCKET_NAME = %q", got)
	}
	if got := notification.env()["SES_FROM_EMAIL"]; got != "noreply@dbay.example.com" {
		t.Errorf("SES_FROM_EMAIL = %q", got)
	}
	if got := notification.env()["SQS_QUEUE_URL"]; !strings.HasPrefix(got, "https://sqs.us-east-1.amazonaws.com/123456789012/notifications") {
		t.Errorf("SQS_QUEUE_URL = %q", got)
	}
	ws := wallet.secrets()
	for _, name := range []string{"DJANGO_SECRET_KEY", "WALLET_MASTER_XPUB", "DOGECOIN_RPC_URL", "DOGECOIN_RPC_USER", "DOGECOIN_RPC_PASSWORD"} {
		if ws[name] != secretArn(name) {
			t.Errorf("wallet %s valueFrom = %q, want the secret's ARN %s", name, ws[name], secretArn(name))
		}
	}
	if ws["REDIS_URL"] != secretArn("redis-url") {
		t.Errorf("REDIS_URL valueFrom = %q, want the data layer's redis-url secret", ws["REDIS_URL"])
	}
	// The complete connection strings: the url key of the data layer's
	// connection secrets, for every consumer of the store; PostgreSQL's
	// of each service's own role (data.postgres.serviceUsers).
	for _, c := range []struct{ service, variable, secret string }{
		{"listing", "DATABASE_URL", "postgres-listing-credentials"}, {"wallet", "DATABASE_URL", "postgres-wallet-credentials"},
		{"auction", "DATABASE_URL", "postgres-auction-credentials"}, {"user", "DATABASE_URL", "postgres-user-credentials"},
		{"order", "DATABASE_URL", "postgres-order-credentials"}, {"messaging", "MONGO_URI", "mongo-messaging-credentials"},
	} {
		if got, want := r.container(t, c.service).secrets()[c.variable], secretArn(c.secret)+":url::"; got != want {
			t.Errorf("%s %s valueFrom = %q, want %q", c.service, c.variable, got, want)
		}
	}
	// No secret value may sit in plain environment: the mock's generated
	// values all start with "mock-".
	for _, n := range keys(seedTables) {
		for k, v := range r.container(t, n).env() {
			if strings.Contains(v, "mock-") || strings.Contains(strings.ToLower(k), "password") || strings.Contains(k, "SECRET") {
				t.Errorf("%s: %s=%q looks like a secret in plain environment", n, k, v)
			}
		}
	}
}

func TestDhanamEnvironment(t *testing.T) {
	t.Parallel()
	r := synth(t, dhanam(t), nil).must(t)
	api, web := r.container(t, "api"), r.container(t, "web")
	// ENCRYPTION_KEY from uses key:app; the optional secrets (exchange
	// rates, monitoring, analytics) are not injected until provided.
	wantAPIEnv := []string{"AWS_REGION", "AWS_S3_BUCKET", "BELVO_ENV", "DATABASE_POOL_SIZE", "ENCRYPTION_KEY", "JWT_EXPIRES_IN",
		"PLAID_ENV", "PORT", "REDIS_DB", "REFRESH_TOKEN_EXPIRES_IN", "SMTP_HOST", "SMTP_PORT"}
	wantAPISecrets := []string{"BELVO_SECRET_ID", "BELVO_SECRET_PASSWORD", "BITSO_API_KEY", "BITSO_API_SECRET",
		"DATABASE_URL", "JWT_SECRET", "PLAID_CLIENT_ID", "PLAID_SECRET", "REDIS_URL", "SMTP_PASS", "SMTP_USER"}
	if got := keys(api.env()); !equal(got, wantAPIEnv) {
		t.Errorf("api environment\n got %v\nwant %v", got, wantAPIEnv)
	}
	if got := keys(api.secrets()); !equal(got, wantAPISecrets) {
		t.Errorf("api secrets\n got %v\nwant %v", got, wantAPISecrets)
	}
	// uses ses:smtp: both from the stack's own SES SMTP credentials secret.
	for k, key := range map[string]string{"SMTP_USER": "username", "SMTP_PASS": "password"} {
		if v := api.secrets()[k]; !strings.Contains(v, ":secret:ses-smtp-credentials-") || !strings.HasSuffix(v, ":"+key+"::") {
			t.Errorf("api %s valueFrom = %q, want key %s of ses-smtp-credentials", k, v, key)
		}
	}
	if api.env()["AWS_S3_BUCKET"] != "dhanam-production-assets" || api.env()["DATABASE_POOL_SIZE"] != "4" { // the connection budget, not the guide's 20 (docs/configuration.md "Connection budget")
		t.Errorf("api env = %v", api.env())
	}
	// Prisma reads only DATABASE_URL: the API and its migration task get
	// the complete connection string from their own role's secret
	// (data.postgres.serviceUsers).
	dbURL := r.one(t, tSecret, "postgres-api-credentials").Out()["arn"].(string) + ":url::"
	version := r.one(t, "aws:secretsmanager/secretVersion:SecretVersion", "postgres-api-credentials").URN
	for _, td := range []string{"api", "api-migrate"} {
		if got := r.container(t, td).secrets()["DATABASE_URL"]; got != dbURL {
			t.Errorf("%s DATABASE_URL valueFrom = %q, want %q", td, got, dbURL)
		}
		// Created once the secret has a value: ECS does not start a task
		// whose secret has none.
		if deps := r.one(t, tTaskDef, td).Dependencies; !contains(deps, version) {
			t.Errorf("%s does not depend on the connection secret's value (%v)", td, deps)
		}
	}
	// NEXT_PUBLIC_* are build arguments now (next build inlines them): the
	// web task gets its region and its port, nothing a bundle would need.
	if !equal(keys(web.env()), []string{"AWS_REGION", "PORT"}) || web.env()["PORT"] != "3000" || api.env()["PORT"] != "8000" ||
		len(web.secrets()) != 0 {
		t.Errorf("web env %v secrets %v; api PORT %q", web.env(), web.secrets(), api.env()["PORT"])
	}
}

// The variables config validation reserves for each `uses` entry are the
// ones the data layer actually sets: if either side changes, this fails.
func TestStoreVariablesMatchTheDataLayer(t *testing.T) {
	t.Parallel()
	fx := dbay(t)
	// The probe is no service of the stack: no role of its own (with a
	// role per service the variable is the same DATABASE_URL).
	pg := *fx.data.Postgres
	pg.ServiceUsers = false
	fx.data.Postgres = &pg
	mg := *fx.data.DocumentDB
	mg.ServiceUsers = false
	fx.data.DocumentDB = &mg
	usable := fx.data.UsableStores()
	got := map[string][]string{}
	synth(t, fx, func(ctx *pulumi.Context, d *datalayer.DataLayer, s *secrets.Secrets, _ *Fleet) error {
		for u := range usable {
			probe := config.FleetService{Name: "probe", Uses: []string{u}}
			if u == config.UseBus { // the bus is reached by publishing, not by a use
				probe = config.FleetService{Name: "probe", Publishes: []config.BusPublication{{Source: "probe"}}}
			}
			e, err := buildEnvironment(probe, nil, "us-east-1", d, s)
			if err != nil {
				return err
			}
			var names []string
			for k := range e.from {
				if k != "AWS_REGION" && k != config.PortVariable {
					names = append(names, k)
				}
			}
			sort.Strings(names)
			got[u] = names
		}
		return nil
	}).must(t)
	if len(usable) != 9 {
		t.Errorf("DBay's data section enables %d uses, want 9: %v", len(usable), keys(usable))
	}
	for u, vars := range usable {
		want := append([]string(nil), vars...)
		sort.Strings(want)
		if !equal(got[u], want) {
			t.Errorf("uses %s: the data layer sets %v, config reserves %v", u, got[u], want)
		}
	}
}

func TestBuildEnvironmentRefusesWhatConfigWouldRefuse(t *testing.T) {
	t.Parallel()
	fx := dbay(t)
	tests := []struct {
		s    config.FleetService
		want string
	}{
		{config.FleetService{Name: "a", Uses: []string{"redis"}, Env: map[string]string{"REDIS_URL": "x"}}, "REDIS_URL is set by both uses redis and env"},
		{config.FleetService{Name: "a", Calls: []string{"a"}}, `calls "a"`},
		{config.FleetService{Name: "a", Uses: []string{"queue:nope"}}, `no queue "nope"`},
		{config.FleetService{Name: "a", Secrets: []string{"NOPE"}}, `"NOPE" is not declared`},
	}
	synth(t, fx, func(ctx *pulumi.Context, d *datalayer.DataLayer, s *secrets.Secrets, _ *Fleet) error {
		for _, tt := range tests {
			_, err := buildEnvironment(tt.s, []config.FleetService{tt.s}, "us-east-1", d, s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%+v: error %v, want %q", tt.s, err, tt.want)
			}
		}
		if _, err := buildEnvironment(config.FleetService{Name: "a", Uses: []string{"postgres"}}, nil, "us-east-1", nil, s); err == nil {
			t.Error("a store use without a data layer was accepted")
		}
		return nil
	}).must(t)
}
