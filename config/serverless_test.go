package config

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/stackfile"
)

// dbayServerless is DBay's serverless section as Pulumi.prod.yaml sets it
// (seed §1, §6.1, §9, §10, §11): the fifteen functions of the seed plus the
// WebSocket relay, the withdrawal, deposit and order workflows, the
// listing-events rule and both APIs.
func dbayServerless(t *testing.T) string {
	t.Helper()
	st, err := stackfile.Load("..", "prod", nil)
	if err != nil {
		t.Fatal(err)
	}
	return st.Values["dbay:serverless"]
}

// dbayServerlessScope is what DBay's section is checked against: its
// stores (data.*), services (fleet.services) and secrets (secrets.items).
func dbayServerlessScope() ServerlessScope {
	return ServerlessScope{
		Stores: map[string][]string{
			"postgres": {"DATABASE_URL"}, "mongo": {"MONGO_URI"}, "redis": {"REDIS_URL"}, "search": {"ELASTICSEARCH_URL"},
			"memcached": {"MEMCACHED_URL"}, "bus": {"EVENT_BUS_NAME"}, "ses": {"SES_FROM_EMAIL"},
			"queue:notifications": {"SQS_QUEUE_URL"}, "bucket:listing-images": {"AWS_S3_BUCKET_NAME"},
		},
		Services: map[string]bool{"listing": true, "auction": true, "wallet": true, "user": true, "order": true,
			"notification": true, "search-gateway": true, "messaging": true},
		Secrets: map[string]SecretItem{
			"DJANGO_SECRET_KEY":     {Source: SourceGenerated},
			"WALLET_MASTER_XPRIV":   {Source: SourceExternal, Readers: []string{"build-and-sign-tx"}},
			"WALLET_MASTER_XPUB":    {Source: SourceExternal},
			"DOGECOIN_RPC_URL":      {Source: SourceExternal},
			"DOGECOIN_RPC_USER":     {Source: SourceExternal},
			"DOGECOIN_RPC_PASSWORD": {Source: SourceExternal},
		},
		HasZone: true,
	}
}

func TestDBayServerlessLoadsWithDefaults(t *testing.T) {
	t.Parallel()
	s, err := LoadServerless("dbay", testDomain, dbayServerless(t), dbayServerlessScope())
	if err != nil {
		t.Fatalf("DBay's section is rejected:\n%v", err)
	}
	if len(s.Functions) != 16 {
		t.Errorf("%d functions, want the seed's 15 and ws_router", len(s.Functions))
	}
	f := s.Functions["credit_user"]
	if f.Handler != "handlers.credit_user.handler" || f.Runtime != "python3.12" || f.Memory != 256 || f.Timeout != 30 || f.Tracing != TracingActive || f.ReservedConcurrency == nil || *f.ReservedConcurrency != 20 || s.AccountConcurrency != 1000 {
		t.Errorf("credit_user defaults = %+v", f)
	}
	if got := s.CodeOf("credit_user"); got != (FunctionCode{Bucket: "dbay-serverless-artifacts-us-east-1", Key: "releases/current/credit_user.zip"}) {
		t.Errorf("credit_user code = %+v", got)
	}
	steps := s.Workflows["withdrawal"].Steps
	if steps[3].TimeoutSeconds != 90 || steps[0].TimeoutSeconds != 60 {
		t.Errorf("step timeouts = %d, %d; want the function's timeout + 30", steps[3].TimeoutSeconds, steps[0].TimeoutSeconds)
	}
	if p := s.Workflows["deposit"].Steps[0].Poll; *p != (WorkflowPoll{Field: "confirmations", AtLeast: 6, WaitSeconds: 60, MaxPolls: 180}) {
		t.Errorf("deposit poll defaults = %+v", *p)
	}
	a := s.API
	if a.Authorizer != "authorizer" || *a.AuthorizerCacheSeconds != 300 || !reflect.DeepEqual(a.CorsOrigins, []string{"https://app." + testDomain}) {
		t.Errorf("api defaults = %+v", a)
	}
	if w := s.WebSocket; w.Authorizer != "authorizer" || w.Throttle != (APIThrottle{Burst: 500, Rate: 200}) {
		t.Errorf("websocket = %+v", w)
	}
	if p := s.Principals(); !p["build-and-sign-tx"] || !p["deposit-watcher"] || len(p) != 16 {
		t.Errorf("principals = %v", p)
	}
	if (*Serverless)(nil).Principals() == nil {
		t.Error("an absent section has no principals, not a nil map")
	}
	if ServiceURLVar("search-gateway") != "SEARCH_GATEWAY_SERVICE_URL" || FunctionGrantee("build_and_sign_tx") != "build-and-sign-tx" {
		t.Error("naming helpers")
	}
}

// edit loads DBay's section changed by fn (on its decoded JSON).
// slErrors is slLoad's errors as they print, "" when there are none.
func slErrors(t *testing.T, fn func(m map[string]any), scope func(*ServerlessScope)) string {
	t.Helper()
	if err := slLoad(t, fn, scope); err != nil {
		return err.Error()
	}
	return ""
}

// slLoad loads DBay's serverless section edited by fn, in scope.
func slLoad(t *testing.T, fn func(m map[string]any), scope func(*ServerlessScope)) error {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(dbayServerless(t)), &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	b, _ := json.Marshal(m)
	sc := dbayServerlessScope()
	if scope != nil {
		scope(&sc)
	}
	_, err := LoadServerless("dbay", testDomain, string(b), sc)
	return err
}

func obj(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		m = m[p].(map[string]any)
	}
	return m
}

// Each "Bad input" rule has a passing row at its edge and a failing row
// whose error names the key path.
func TestServerlessRules(t *testing.T) {
	t.Parallel()
	fn := func(name string) func(m map[string]any) map[string]any {
		return func(m map[string]any) map[string]any { return obj(m, "functions", name) }
	}
	credit := fn("credit_user")
	tests := []struct {
		name  string
		edit  func(m map[string]any)
		scope func(*ServerlessScope)
		want  at // the error wanted (path and kind); at{}: valid
	}{
		{"health check without a custom domain", func(m map[string]any) {
			obj(m, "api")["customDomain"] = false
		}, nil, at{"dbay:serverless.api.healthCheckPath", KindRequired}},
		{"health check path without a slash", func(m map[string]any) { obj(m, "api")["healthCheckPath"] = "health" }, nil,
			at{"dbay:serverless.api.healthCheckPath", KindInvalid}},
		{"timeout 1", func(m map[string]any) { credit(m)["timeout"] = 1 }, nil, at{}},
		{"timeout 900", func(m map[string]any) { credit(m)["timeout"] = 900 }, nil, at{}},
		{"timeout 901", func(m map[string]any) { credit(m)["timeout"] = 901 }, nil, at{"dbay:serverless.functions.credit_user.timeout", KindInvalid}},
		{"timeout -1", func(m map[string]any) { credit(m)["timeout"] = -1 }, nil, at{"dbay:serverless.functions.credit_user.timeout", KindInvalid}},
		{"memory 128", func(m map[string]any) { credit(m)["memory"] = 128 }, nil, at{}},
		{"memory 10240", func(m map[string]any) { credit(m)["memory"] = 10240 }, nil, at{}},
		{"memory 127", func(m map[string]any) { credit(m)["memory"] = 127 }, nil, at{"dbay:serverless.functions.credit_user.memory", KindInvalid}},
		{"memory 10241", func(m map[string]any) { credit(m)["memory"] = 10241 }, nil, at{"dbay:serverless.functions.credit_user.memory", KindInvalid}},
		{"unknown secret", func(m map[string]any) { credit(m)["secrets"] = []any{"STRIPE_KEY"} }, nil,
			at{"dbay:serverless.functions.credit_user.secrets[0]", KindInvalid}},
		{"xpriv for another function", func(m map[string]any) { credit(m)["secrets"] = []any{"WALLET_MASTER_XPRIV"} }, nil,
			at{"dbay:serverless.functions.credit_user.secrets[0]", KindForbidden}},
		{"xpriv reader unsigned", func(m map[string]any) { fn("build_and_sign_tx")(m)["signed"] = false }, nil,
			at{"dbay:serverless.functions.build_and_sign_tx.signed", KindRequired}},
		{"signed image", func(m map[string]any) {
			fn("build_and_sign_tx")(m)["image"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/dbay/sign:1.0.0"
		}, func(s *ServerlessScope) { s.Region = "us-east-1" }, at{"dbay:serverless.functions.build_and_sign_tx.signed", KindNotSupported}},
		{"signed zip of any function", func(m map[string]any) { credit(m)["signed"] = true }, nil, at{}},
		{"unknown store", func(m map[string]any) { credit(m)["uses"] = []any{"dynamodb"} }, nil,
			at{"dbay:serverless.functions.credit_user.uses[0]", KindInvalid}},
		{"store the stack lacks", func(m map[string]any) { credit(m)["uses"] = []any{"postgres"} },
			func(s *ServerlessScope) { delete(s.Stores, "postgres") }, at{"dbay:serverless.functions.credit_user.uses[0]", KindInvalid}},
		{"queue and bucket", func(m map[string]any) {
			credit(m)["uses"] = []any{"queue:notifications", "bucket:listing-images", "ses"}
		}, nil, at{}},
		{"unknown service", func(m map[string]any) { credit(m)["calls"] = []any{"payments"} }, nil,
			at{"dbay:serverless.functions.credit_user.calls[0]", KindInvalid}},
		{"step naming an undeclared function", func(m map[string]any) {
			obj(m, "workflows", "withdrawal")["steps"].([]any)[2].(map[string]any)["function"] = "debit"
		}, nil, at{"dbay:serverless.workflows.withdrawal.steps[2].function", KindInvalid}},
		{"compensation from an unknown step", func(m map[string]any) {
			obj(m, "workflows", "withdrawal", "compensation")["from"] = "Debit"
		}, nil, at{"dbay:serverless.workflows.withdrawal.compensation.from", KindInvalid}},
		{"point of no return that is not a step", func(m map[string]any) {
			obj(m, "workflows", "withdrawal")["pointOfNoReturn"] = "Broadcast"
		}, nil, at{"dbay:serverless.workflows.withdrawal.pointOfNoReturn", KindInvalid}},
		{"compensation after the point of no return", func(m map[string]any) {
			obj(m, "workflows", "withdrawal")["pointOfNoReturn"] = "FraudCheck"
		}, nil, at{"dbay:serverless.workflows.withdrawal.compensation.from", KindInvalid}},
		{"reserved state name", func(m map[string]any) {
			obj(m, "workflows", "order")["steps"].([]any)[0].(map[string]any)["name"] = "Compensate"
		}, nil, at{"dbay:serverless.workflows.order.steps[0].name", KindForbidden}},
		{"two polls", func(m map[string]any) {
			obj(m, "workflows", "deposit")["steps"].([]any)[1].(map[string]any)["poll"] = map[string]any{"atLeast": 1}
		}, nil, at{"dbay:serverless.workflows.deposit.steps[1].poll", KindInvalid}},
		{"trigger and schedule", func(m map[string]any) { obj(m, "workflows", "order")["schedule"] = "rate(1 hour)" }, nil,
			at{"dbay:serverless.workflows.order.schedule", KindForbidden}},
		{"schedule rate(5 minutes)", func(m map[string]any) { fn("deposit_watcher")(m)["schedule"] = "rate(5 minutes)" }, nil, at{}},
		{"schedule cron", func(m map[string]any) { fn("deposit_watcher")(m)["schedule"] = "cron(0/5 * * * ? *)" }, nil, at{}},
		{"schedule that does not parse", func(m map[string]any) { fn("deposit_watcher")(m)["schedule"] = "every minute" }, nil,
			at{"dbay:serverless.functions.deposit_watcher.schedule", KindInvalid}},
		{"schedule without async", func(m map[string]any) { fn("deposit_watcher")(m)["async"] = false }, nil,
			at{"dbay:serverless.functions.deposit_watcher.async", KindInvalid}},
		{"rule target not async", func(m map[string]any) { fn("search_indexer")(m)["async"] = false }, nil,
			at{"dbay:serverless.rules.listing-events.targets[0]", KindInvalid}},
		{"rule without the bus", func(m map[string]any) {}, func(s *ServerlessScope) { delete(s.Stores, "bus") },
			at{"dbay:serverless.functions.auction_closer.publishes", KindRequired}},
		{"bus as a use", func(m map[string]any) { credit(m)["uses"] = []any{"bus"} }, nil,
			at{"dbay:serverless.functions.credit_user.uses[0]", KindInvalid}},
		{"publication from aws.*", func(m map[string]any) { credit(m)["publishes"] = []any{map[string]any{"source": "aws.ec2"}} }, nil,
			at{"dbay:serverless.functions.credit_user.publishes[0].source", KindInvalid}},
		{"publication without a source", func(m map[string]any) {
			credit(m)["publishes"] = []any{map[string]any{"detailTypes": []any{"deposit.credited"}}}
		}, nil,
			at{"dbay:serverless.functions.credit_user.publishes[0].source", KindInvalid}},
		{"source published twice", func(m map[string]any) {
			credit(m)["publishes"] = []any{map[string]any{"source": "dbay.wallet"}, map[string]any{"source": "dbay.wallet", "detailTypes": []any{"x"}}}
		}, nil, at{"dbay:serverless.functions.credit_user.publishes[1].source", KindInvalid}},
		{"detail type too long", func(m map[string]any) {
			credit(m)["publishes"] = []any{map[string]any{"source": "dbay.wallet", "detailTypes": []any{strings.Repeat("d", 129)}}}
		}, nil, at{"dbay:serverless.functions.credit_user.publishes[0].detailTypes[0]", KindInvalid}},
		{"reserved concurrency -1", func(m map[string]any) { fn("search_indexer")(m)["reservedConcurrency"] = -1 }, nil, at{}},
		{"reserved concurrency 0", func(m map[string]any) { fn("search_indexer")(m)["reservedConcurrency"] = 0 }, nil, at{}},
		{"money step unreserved", func(m map[string]any) { delete(credit(m), "reservedConcurrency") }, nil,
			at{"dbay:serverless.functions.credit_user.reservedConcurrency", KindRequired}},
		{"money step reserved 0", func(m map[string]any) { fn("debit_ledger")(m)["reservedConcurrency"] = 0 }, nil,
			at{"dbay:serverless.functions.debit_ledger.reservedConcurrency", KindRequired}},
		{"authorizer uncapped", func(m map[string]any) { fn("authorizer")(m)["reservedConcurrency"] = -1 }, nil,
			at{"dbay:serverless.functions.authorizer.reservedConcurrency", KindRequired}},
		{"reservations over the quota", func(m map[string]any) { fn("authorizer")(m)["reservedConcurrency"] = 679 }, nil,
			at{"dbay:serverless.functions", KindInvalid}},
		{"reservations at the quota", func(m map[string]any) { fn("authorizer")(m)["reservedConcurrency"] = 678 }, nil, at{}},
		{"reservations with a raised quota", func(m map[string]any) {
			fn("authorizer")(m)["reservedConcurrency"] = 2000
			m["accountConcurrency"] = 3000
		}, nil, at{}},
		{"route throttle of an unknown route", func(m map[string]any) {
			obj(m, "api")["routeThrottles"] = map[string]any{"ANY /api/v1/payments/{proxy+}": map[string]any{"burst": 10, "rate": 5}}
		}, nil, at{`dbay:serverless.api.routeThrottles["ANY /api/v1/payments/{proxy+}"]`, KindInvalid}},
		{"route throttle out of range", func(m map[string]any) {
			obj(m, "api")["routeThrottles"] = map[string]any{"ANY /api/v1/wallet/{proxy+}": map[string]any{"burst": 0, "rate": 5}}
		}, nil, at{`dbay:serverless.api.routeThrottles["ANY /api/v1/wallet/{proxy+}"].burst`, KindInvalid}},
		{"reserved concurrency -2", func(m map[string]any) { credit(m)["reservedConcurrency"] = -2 }, nil,
			at{"dbay:serverless.functions.credit_user.reservedConcurrency", KindInvalid}},
		{"plain env", func(m map[string]any) { credit(m)["env"] = map[string]any{"LOG_LEVEL": "info"} }, nil, at{}},
		{"AWS_ENDPOINT_URL", func(m map[string]any) {
			credit(m)["env"] = map[string]any{"AWS_ENDPOINT_URL": "http://localstack:4566"}
		}, nil,
			at{"dbay:serverless.functions.credit_user.env.AWS_ENDPOINT_URL", KindForbidden}},
		{"derived env", func(m map[string]any) { credit(m)["env"] = map[string]any{"WALLET_SERVICE_URL": "http://x"} }, nil,
			at{"dbay:serverless.functions.credit_user.env.WALLET_SERVICE_URL", KindForbidden}},
		{"store env", func(m map[string]any) { credit(m)["env"] = map[string]any{"MONGO_URI": "mongodb://x"} }, nil,
			at{"dbay:serverless.functions.credit_user.env.MONGO_URI", KindForbidden}},
		{"secret value in env", func(m map[string]any) { credit(m)["env"] = map[string]any{"WALLET_MASTER_XPRIV": "xprv..."} }, nil,
			at{"dbay:serverless.functions.credit_user.env.WALLET_MASTER_XPRIV", KindForbidden}},
		{"bad function name", func(m map[string]any) { obj(m, "functions")["Credit-User"] = map[string]any{} }, nil,
			at{"dbay:serverless.functions.Credit-User", KindInvalid}},
		{"function named like a service role", func(m map[string]any) { obj(m, "functions")["wallet"] = map[string]any{} }, nil,
			at{"dbay:serverless.functions.wallet", KindInvalid}},
		{"deprecated runtime", func(m map[string]any) { credit(m)["runtime"] = "python3.9" }, nil,
			at{"dbay:serverless.functions.credit_user.runtime", KindNotSupported}},
		{"image function", func(m map[string]any) {
			credit(m)["image"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/dbay/credit-user:1.4.2"
		}, nil, at{}},
		{"image and handler", func(m map[string]any) {
			credit(m)["image"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/dbay/credit-user:1.4.2"
			credit(m)["handler"] = "x.y"
		}, nil, at{"dbay:serverless.functions.credit_user.handler", KindForbidden}},
		{"no code anywhere", func(m map[string]any) { delete(m, "code") }, nil, at{"dbay:serverless.functions.authorizer", KindRequired}},
		{"public route outside a service", func(m map[string]any) {
			obj(m, "api")["publicRoutes"] = []any{"GET /admin/{proxy+}"}
		}, nil, at{"dbay:serverless.api.publicRoutes[0]", KindInvalid}},
		{"public route that opens a service", func(m map[string]any) {
			obj(m, "api")["publicRoutes"] = []any{"ANY /api/v1/wallet/{proxy+}"}
		}, nil, at{"dbay:serverless.api.publicRoutes[0]", KindInvalid}},
		{"route key without method", func(m map[string]any) { obj(m, "api")["publicRoutes"] = []any{"/api/v1/listings"} }, nil,
			at{"dbay:serverless.api.publicRoutes[0]", KindInvalid}},
		{"authorizer that is async", func(m map[string]any) { obj(m, "api")["authorizer"] = "search_indexer" }, nil,
			at{"dbay:serverless.api.authorizer", KindInvalid}},
		{"authorizer cache 3601", func(m map[string]any) { obj(m, "api")["authorizerCacheSeconds"] = 3601 }, nil,
			at{"dbay:serverless.api.authorizerCacheSeconds", KindInvalid}},
		{"authorizer cache 0", func(m map[string]any) { obj(m, "api")["authorizerCacheSeconds"] = 0 }, nil, at{}},
		{"custom domain without zone", func(m map[string]any) {}, func(s *ServerlessScope) { s.HasZone = false },
			at{"dbay:serverless.api.customDomain", KindRequired}},
		{"unknown websocket function", func(m map[string]any) { obj(m, "websocket")["function"] = "router" }, nil,
			at{"dbay:serverless.websocket.function", KindInvalid}},
		{"unknown key", func(m map[string]any) { credit(m)["timout"] = 3 }, nil,
			at{"dbay:serverless.functions.credit_user.timout", KindUnknown}},
		{"function description over Lambda's 256", func(m map[string]any) { credit(m)["description"] = strings.Repeat("é", 257) }, nil,
			at{"dbay:serverless.functions.credit_user.description", KindInvalid}},
		{"function description of 256", func(m map[string]any) { credit(m)["description"] = strings.Repeat("é", 256) }, nil, at{}},
		{"rule description over EventBridge's 512", func(m map[string]any) { obj(m, "rules", "listing-events")["description"] = strings.Repeat("r", 513) }, nil,
			at{"dbay:serverless.rules.listing-events.description", KindInvalid}},
		// Lambda reads code and images only in its own Region.
		{"code bucket of the stack's region", func(map[string]any) {}, func(s *ServerlessScope) { s.Region = "us-east-1" }, at{}},
		{"primary's code bucket in a recovery stack", func(map[string]any) {}, func(s *ServerlessScope) { s.Region, s.PrimaryRegion = "us-west-2", "us-east-1" },
			at{"dbay:serverless.code.bucket", KindNotSupported}},
		{"code bucket of another region", func(m map[string]any) { obj(m, "code")["bucket"] = "dbay-artifacts-eu-west-1" },
			func(s *ServerlessScope) { s.Region = "us-east-1" }, at{"dbay:serverless.code.bucket", KindNotSupported}},
		{"code bucket without a region", func(m map[string]any) { obj(m, "code")["bucket"] = "dbay-artifacts" },
			func(s *ServerlessScope) { s.Region = "us-east-1" }, at{"dbay:serverless.code.bucket", KindNotSupported}},
		{"function code in another region", func(m map[string]any) {
			credit(m)["code"] = map[string]any{"bucket": "dbay-fn-us-west-2", "key": "credit.zip"}
		}, func(s *ServerlessScope) { s.Region = "us-east-1" }, at{"dbay:serverless.functions.credit_user.code.bucket", KindNotSupported}},
		{"image in another region", func(m map[string]any) {
			credit(m)["image"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/dbay/credit:1.0.0"
		}, func(s *ServerlessScope) { s.Region = "us-west-2" },
			at{"dbay:serverless.functions.credit_user.image", KindNotSupported}},
	}
	for _, tt := range tests {
		errs := slLoad(t, tt.edit, tt.scope)
		if tt.want == (at{}) {
			if errs != nil {
				t.Errorf("%s: rejected:\n%v", tt.name, errs)
			}
			continue
		}
		if es, _ := AsErrors(errs); !hasFieldError(es, tt.want) {
			t.Errorf("%s: want an error of kind %s at %s, got:\n\t%s", tt.name, tt.want.kind, tt.want.path, describeErrors(es))
		}
	}
}

// Every error of a broken section is reported at once.
func TestServerlessReportsEveryProblem(t *testing.T) {
	t.Parallel()
	got := slErrors(t, func(m map[string]any) {
		obj(m, "functions", "credit_user")["timeout"] = 0.5
		obj(m, "functions", "fraud_check")["memory"] = 64
		obj(m, "functions", "auction_closer")["schedule"] = "rate(1 minutes)"
	}, nil)
	for _, want := range []string{
		"dbay:serverless.functions.credit_user.timeout: expected an integer",
		"dbay:serverless.functions.fraud_check.memory: 64 MB",
		"dbay:serverless.functions.auction_closer.schedule: rate(1 minutes): a value of 1 takes the singular minute",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("errors\n%s\nlack %q", got, want)
		}
	}
}

func TestParseSchedule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		want string // "" valid, else part of the error
	}{
		{"rate(1 minute)", ""},
		{"rate(5 minutes)", ""},
		{"rate(1 hour)", ""},
		{"rate(12 hours)", ""},
		{"rate(1 day)", ""},
		{"rate(7 days)", ""},
		{"rate(1 minutes)", "takes the singular minute"},
		{"rate(2 minute)", "takes the plural minutes"},
		{"rate(0 minutes)", "positive whole number"},
		{"rate(-1 minutes)", "positive whole number"},
		{"rate(05 minutes)", "positive whole number"},
		{"rate(1.5 hours)", "positive whole number"},
		{"rate(5 weeks)", `"weeks" is not minute(s)`},
		{"rate(5  minutes)", `is not minute(s)`},
		{"rate(5minutes)", "positive whole number"},
		{"cron(0 12 * * ? *)", ""},
		{"cron(0/15 * * * ? *)", ""},
		{"cron(*/5 8-17 ? * MON-FRI *)", ""},
		{"cron(0 18 ? * 6L 2025-2030)", ""},
		{"cron(0 10 ? * 2#1 *)", ""},
		{"cron(15 10 L * ? *)", ""},
		{"cron(0 9 15W * ? *)", ""},
		{"cron(0 9 LW * ? *)", ""},
		{"cron(0,30 1,13 1,15 JAN,JUL ? *)", ""},
		{"cron(0 12 * * *)", "has 5 fields"},
		{"cron(0 12 * * ? * *)", "has 7 fields"},
		{"cron(0  12 * * ? *)", "has 7 fields"},
		{"cron(60 12 * * ? *)", `minutes "60" is not 0..59`},
		{"cron(0 24 * * ? *)", `hours "24" is not 0..23`},
		{"cron(0 12 32 * ? *)", `day-of-month "32" is not 1..31`},
		{"cron(0 12 0 * ? *)", `day-of-month "0" is not 1..31`},
		{"cron(0 12 ? 13 MON *)", `month "13" is not 1..12`},
		{"cron(0 12 ? * 8 *)", `day-of-week "8" is not 1..7`},
		{"cron(0 12 ? * FUNDAY *)", `"FUNDAY" is not 1..7`},
		{"cron(0 12 * * ? 1969)", `year "1969" is not 1970..2199`},
		{"cron(0 12 * * * *)", "exactly one of day-of-month and day-of-week must be ?"},
		{"cron(0 12 ? * ? *)", "exactly one of day-of-month and day-of-week must be ?"},
		{"cron(0 12 1 * MON *)", "exactly one of day-of-month and day-of-week must be ?"},
		{"cron(? 12 * * ? *)", `minutes "?" is only valid in day-of-month or day-of-week`},
		{"cron(0 12 ? * 2#6 *)", "the nth weekday must be 1..5"},
		{"cron(0 17-9 * * ? *)", "the range runs backwards"},
		{"cron(0/0 * * * ? *)", "the increment must be 1..60"},
		{"cron(0 12 L,15 * ? *)", `"L" cannot be part of a list`},
		{"cron(0 12 * JAN-DEC ? *)", ""},
		{"cron(0 12 * * ? *", "neither rate(…) nor cron(…)"},
		{"at(2026-01-01T00:00:00)", "one-time schedule"},
		{"", "neither rate(…) nor cron(…)"},
	}
	for _, tt := range tests {
		err := ParseSchedule(tt.expr)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: %v", tt.expr, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: error %v, want one containing %q", tt.expr, err, tt.want)
		}
	}
}
