package serverless

import (
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

// The variables each DBay function gets, written out from the seed's
// tables (§6.1 SAM parameters, §11 "where each variable is used"): secrets
// as <NAME>_SECRET_ARN (the Lambda secret contract), never values.
var wantEnv = map[string][]string{
	"authorizer":             {"COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID", "USER_SERVICE_URL"},
	"deposit_watcher":        {"EVENT_BUS_NAME", "REDIS_URL_SECRET_ARN", "WALLET_SERVICE_URL", "DOGECOIN_RPC_URL_SECRET_ARN", "DOGECOIN_RPC_USER_SECRET_ARN", "DOGECOIN_RPC_PASSWORD_SECRET_ARN"},
	"check_confirmations":    {"DOGECOIN_RPC_URL_SECRET_ARN", "DOGECOIN_RPC_USER_SECRET_ARN", "DOGECOIN_RPC_PASSWORD_SECRET_ARN"},
	"credit_user":            {"EVENT_BUS_NAME", "WALLET_SERVICE_URL"}, // publishes deposit.credited (the notifications queue)
	"validate_balance":       {"WALLET_SERVICE_URL"},
	"fraud_check":            {"WALLET_SERVICE_URL"},
	"debit_ledger":           {"WALLET_SERVICE_URL"},
	"build_and_sign_tx":      {"WALLET_MASTER_XPRIV_SECRET_ARN", "WALLET_MASTER_XPUB_SECRET_ARN", "DOGECOIN_RPC_URL_SECRET_ARN", "DOGECOIN_RPC_USER_SECRET_ARN", "DOGECOIN_RPC_PASSWORD_SECRET_ARN"},
	"blockchain_broadcaster": {"DOGECOIN_RPC_URL_SECRET_ARN", "DOGECOIN_RPC_USER_SECRET_ARN", "DOGECOIN_RPC_PASSWORD_SECRET_ARN"},
	"finalize_ledger":        {"EVENT_BUS_NAME", "WALLET_SERVICE_URL"}, // publishes withdrawal.completed
	"lock_escrow":            {"WALLET_SERVICE_URL"},
	"create_order":           {"ORDER_SERVICE_URL"},
	"update_order_paid":      {"ORDER_SERVICE_URL"},
	"auction_closer":         {"EVENT_BUS_NAME", "REDIS_URL_SECRET_ARN"},
	"search_indexer":         {"ELASTICSEARCH_URL", "LISTING_SERVICE_URL"},
	"ws_router":              {"MESSAGING_SERVICE_URL", "WEBSOCKET_CALLBACK_URL"},
}

func TestEnvironmentPerFunctionFollowsTheSeed(t *testing.T) {
	t.Parallel()
	r := synth(t, dbaySpec(t, nil), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	arnOf := func(typ, name string) string { return r.one(t, typ, name).Out()["arn"].(string) }
	want := map[string]string{ // values the variables must carry
		"WALLET_SERVICE_URL": "http://wallet-service:8000", "USER_SERVICE_URL": "http://user-service:8000",
		"ORDER_SERVICE_URL": "http://order-service:8000", "LISTING_SERVICE_URL": "http://listing-service:8000",
		"MESSAGING_SERVICE_URL": "http://messaging-service:8000", "EVENT_BUS_NAME": "dbay-events",
		"COGNITO_USER_POOL_ID": poolID, "COGNITO_CLIENT_ID": "client0123456789abcdefghij",
		"REDIS_URL_SECRET_ARN": arnOf("aws:secretsmanager/secret:Secret", "redis-url"),
		"ELASTICSEARCH_URL":    "https://" + r.one(t, "aws:opensearch/domain:Domain", "search").Out()["endpoint"].(string),
		// The execute-api endpoint is off with ws.<domain>: @connections
		// through the custom domain.
		"WEBSOCKET_CALLBACK_URL": "https://ws.dbay.example.com",
	}
	for _, s := range []string{"WALLET_MASTER_XPRIV", "WALLET_MASTER_XPUB", "DOGECOIN_RPC_URL", "DOGECOIN_RPC_USER", "DOGECOIN_RPC_PASSWORD"} {
		want[s+"_SECRET_ARN"] = arnOf("aws:secretsmanager/secret:Secret", s)
	}
	if n := len(r.children(tFunction)); n != len(wantEnv) {
		t.Errorf("%d functions, want %d", n, len(wantEnv))
	}
	for fn, keys := range wantEnv {
		in := r.one(t, tFunction, config.FunctionGrantee(fn)).In()
		env, _ := in["environment"].(map[string]any)["variables"].(map[string]any)
		var got []string
		for k, v := range env {
			got = append(got, k)
			if v != want[k] {
				t.Errorf("%s: %s = %v, want %v", fn, k, v, want[k])
			}
			if s, _ := v.(string); s == mockengine.Redacted || strings.Contains(s, "mock-") {
				t.Errorf("%s: %s carries a secret value", fn, k)
			}
		}
		sort.Strings(got)
		mustEqual(t, fn+" variables", got, sortedCopy(keys...))
	}
}

// The xpriv is reachable from build_and_sign_tx only: its variable, the
// only role policy naming its ARN, and the secret's deny-all-but policy.
func TestXprivOnlyReachesBuildAndSignTx(t *testing.T) {
	t.Parallel()
	r := synth(t, dbaySpec(t, nil), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	xpriv := r.one(t, "aws:secretsmanager/secret:Secret", "WALLET_MASTER_XPRIV").Out()["arn"].(string)
	for _, f := range r.eng.ByType(tFunction) {
		env, _ := f.In()["environment"].(map[string]any)["variables"].(map[string]any)
		for k, v := range env {
			if (k == "WALLET_MASTER_XPRIV_SECRET_ARN" || v == xpriv) && f.Name != "build-and-sign-tx" {
				t.Errorf("%s has %s = %v", f.Name, k, v)
			}
		}
	}
	var naming []string
	for _, p := range r.eng.ByType(tRolePolicy) {
		if strings.Contains(p.In()["policy"].(string), xpriv) {
			naming = append(naming, p.Name)
		}
	}
	mustEqual(t, "role policies naming the xpriv", naming, []string{"build-and-sign-tx-secrets"})
	role := r.one(t, tRole, "build-and-sign-tx")
	if p := r.one(t, tRolePolicy, "build-and-sign-tx-secrets"); p.In()["role"] != role.Out()["name"] {
		t.Errorf("the xpriv grant is attached to %v", p.In()["role"])
	}
	deny := statements(t, r.one(t, "aws:secretsmanager/secretPolicy:SecretPolicy", "WALLET_MASTER_XPRIV").In()["policy"])[0]
	// Break-glass and the reader (components/secrets/sealed.go).
	if want := []any{"arn:aws:iam::123456789012:role/dbay-break-glass", role.Out()["arn"]}; deny.Effect != "Deny" ||
		!reflect.DeepEqual(deny.Condition["ArnNotEquals"]["aws:PrincipalArn"], want) {
		t.Errorf("xpriv resource policy = %+v, want deny to all but %v", deny, want)
	}
}

func TestEveryFunctionIsTracedEncryptedLoggedAndInTheVPC(t *testing.T) {
	t.Parallel()
	r := synth(t, dbaySpec(t, nil), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	key := r.one(t, "aws:kms/key:Key", "serverless-key")
	if in := key.In(); in["enableKeyRotation"] != true || in["deletionWindowInDays"] != 30.0 || !key.Options.Protect {
		t.Errorf("key = %v", in)
	}
	keyArn := key.Out()["arn"]
	private := r.eng.Get("awsx:ec2:Vpc", "vpc").Out()["privateSubnetIds"].([]any)
	for _, f := range r.children(tFunction) {
		in, name := f.In(), f.Name
		physical := "dbay-prod-" + name
		lg := r.one(t, tLogGroup, name)
		role := r.one(t, tRole, name)
		switch {
		case in["name"] != physical:
			t.Errorf("%s is named %v", name, in["name"])
		case in["tracingConfig"].(map[string]any)["mode"] != "Active":
			t.Errorf("%s tracing = %v", name, in["tracingConfig"])
		case in["kmsKeyArn"] != keyArn:
			t.Errorf("%s environment key = %v", name, in["kmsKeyArn"])
		case in["role"] != role.Out()["arn"]:
			t.Errorf("%s role = %v", name, in["role"])
		case in["architectures"].([]any)[0] != "arm64" || in["runtime"] != "python3.12" || in["packageType"] != "Zip":
			t.Errorf("%s runtime = %v %v %v", name, in["architectures"], in["runtime"], in["packageType"])
		case in["s3Bucket"] != "dbay-serverless-artifacts-us-east-1" || in["s3Key"] != "releases/current/"+strings.ReplaceAll(name, "-", "_")+".zip":
			t.Errorf("%s code = s3://%v/%v", name, in["s3Bucket"], in["s3Key"])
		}
		logging := in["loggingConfig"].(map[string]any)
		if logging["logGroup"] != "/aws/lambda/"+physical || logging["logFormat"] != "JSON" ||
			lg.In()["name"] != logging["logGroup"] || lg.In()["retentionInDays"] != 365.0 || lg.In()["kmsKeyId"] != keyArn {
			t.Errorf("%s logging = %v, group = %v", name, logging, lg.In())
		}
		if !contains(f.Dependencies, lg.URN) {
			t.Errorf("%s does not wait for its log group", name)
		}
		vpc := in["vpcConfig"].(map[string]any)
		wantSG := r.one(t, tSG, "lambda-"+name).ID
		if !reflect.DeepEqual(vpc["subnetIds"], private) || len(private) < 2 || !reflect.DeepEqual(vpc["securityGroupIds"], []any{wantSG}) {
			t.Errorf("%s vpc = %v, want the private subnets and %v", name, vpc, wantSG)
		}
		trust := statements(t, role.In()["assumeRolePolicy"])[0]
		if !reflect.DeepEqual(trust.Principal, map[string]any{"Service": "lambda.amazonaws.com"}) ||
			trust.Condition["StringEquals"]["aws:SourceAccount"] != mockengine.Account {
			t.Errorf("%s trust = %+v", name, trust)
		}
		runtime := statements(t, r.one(t, tRolePolicy, name+"-runtime").In()["policy"])
		logs, decrypt := runtime[1], runtime[3]
		if !reflect.DeepEqual(list(logs.Resource), sortedCopy(lg.Out()["arn"].(string), lg.Out()["arn"].(string)+":*")) ||
			decrypt.Condition["StringEquals"]["kms:EncryptionContext:LambdaFunctionName"] != physical {
			t.Errorf("%s runtime policy = %+v", name, runtime)
		}
	}
	if fn := r.one(t, tFunction, "deposit-watcher").In(); fn["reservedConcurrentExecutions"] != 1.0 || fn["timeout"] != 120.0 || fn["memorySize"] != 512.0 {
		t.Errorf("deposit_watcher sizing = %v", fn)
	}
	if fn := r.one(t, tFunction, "credit-user").In(); fn["reservedConcurrentExecutions"] != 20.0 || fn["handler"] != "handlers.credit_user.handler" {
		t.Errorf("credit_user = %v", fn)
	}
}

// Security groups: one per function (issue 15: the signer shares its
// group with nothing), no ingress; HTTPS out to the endpoints; HTTPS
// anywhere only for the functions that need it; stores opened by the data
// layer's AllowFrom for their users only; the services the stack opens
// through the fleet are listed per function.
func TestSecurityGroups(t *testing.T) {
	t.Parallel()
	r := synth(t, dbaySpec(t, nil), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	const egressRule = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	endpoints := r.one(t, tSG, "endpoints").ID
	// The authorizer fetches Cognito's signing keys and ws_router posts to
	// execute-api's @connections: neither has a VPC endpoint they can use.
	internet := map[string]bool{"deposit-watcher": true, "check-confirmations": true, "build-and-sign-tx": true,
		"blockchain-broadcaster": true, "auction-closer": true, "authorizer": true, "ws-router": true,
		"credit-user": true, "finalize-ledger": true} // publishers reach EventBridge through NAT
	used := map[any]string{}
	for _, f := range r.children(tFunction) {
		sg := r.one(t, tSG, "lambda-"+f.Name)
		if other, ok := used[sg.ID]; ok {
			t.Errorf("%s shares its security group with %s", f.Name, other)
		}
		used[sg.ID] = f.Name
		if _, has := sg.In()["ingress"]; has {
			t.Errorf("%s has ingress", f.Name)
		}
		e := r.one(t, egressRule, "lambda-"+f.Name+"-to-endpoints").In()
		if e["securityGroupId"] != sg.ID || e["referencedSecurityGroupId"] != endpoints || e["fromPort"] != 443.0 {
			t.Errorf("%s endpoint egress = %v", f.Name, e)
		}
		open := r.eng.Get(egressRule, "lambda-"+f.Name+"-to-internet")
		switch {
		case internet[f.Name] && open == nil:
			t.Errorf("%s cannot reach the internet", f.Name)
		case !internet[f.Name] && open != nil:
			t.Errorf("%s reaches the internet", f.Name)
		case open != nil && (open.In()["cidrIpv4"] != "0.0.0.0/0" || open.In()["fromPort"] != 443.0 || open.In()["toPort"] != 443.0):
			t.Errorf("%s internet egress = %v", f.Name, open.In())
		}
	}
	// Only Redis's two users reach Redis: the signer does not.
	var redisFrom []string
	for _, rule := range r.eng.ByType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
		if rule.In()["securityGroupId"] == r.one(t, tSG, "redis").ID && strings.HasPrefix(rule.Name, "lambda-") {
			redisFrom = append(redisFrom, rule.Name)
		}
	}
	mustEqual(t, "Redis ingress from functions", sortedCopy(redisFrom...), []string{"lambda-auction-closer-to-redis-in", "lambda-deposit-watcher-to-redis-in"})
	in := r.one(t, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "lambda-search-indexer-to-search-in").In()
	if in["securityGroupId"] != r.one(t, tSG, "search").ID {
		t.Errorf("search ingress = %v", in)
	}
	consumers := r.outs["consumers"].(map[string][]string)
	mustEqual(t, "signer consumer", consumers["lambda-build-and-sign-tx"], []string(nil))
	mustEqual(t, "validate_balance consumer", consumers["lambda-validate-balance"], []string{"wallet"})
	ids := r.outs["securityGroupIds"].(map[string]any)
	if len(ids) != len(r.children(tFunction)) || ids["build_and_sign_tx"] != r.one(t, tSG, "lambda-build-and-sign-tx").ID {
		t.Errorf("securityGroupIds = %v", ids)
	}
}

// What a function uses decides its grants, and a bucket opens S3.
func TestUsesBecomeGrants(t *testing.T) {
	t.Parallel()
	r := synth(t, dbaySpec(t, func(m map[string]any) {
		f := m["functions"].(map[string]any)["credit_user"].(map[string]any)
		f["uses"] = []any{"bucket:listing-images", "queue:notifications"}
		f["image"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/dbay/credit-user:1.4.2"
	}), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, p := range []string{"credit-user-listing-images-readwrite", "credit-user-notifications-send",
		"deposit-watcher-bus-put", "deposit-watcher-store-credentials", "search-indexer-search"} {
		r.one(t, tRolePolicy, p)
	}
	fn := r.one(t, tFunction, "credit-user").In()
	env := fn["environment"].(map[string]any)["variables"].(map[string]any)
	if env["AWS_S3_BUCKET_NAME"] != "dbay-listing-images-prod" || !hasPrefix(env["SQS_QUEUE_URL"], "https://sqs.us-east-1.amazonaws.com/") ||
		fn["packageType"] != "Image" || fn["imageUri"] == nil || fn["handler"] != nil || fn["s3Bucket"] != nil {
		t.Errorf("credit_user = %v", fn)
	}
	s3 := r.one(t, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "lambda-credit-user-to-s3").In()
	if s3["prefixListId"] != "pl-63a5400a" || s3["fromPort"] != 443.0 {
		t.Errorf("S3 egress = %v", s3)
	}
}

// A function that uses PostgreSQL or DocumentDB gets the complete
// connection string the way it gets every secret: the connection secret's
// ARN and the JSON key holding the URL, read at run time (never the value
// in its environment), and a grant on exactly those secrets.
func TestDatabaseURLsReachFunctionsAsSecretReferences(t *testing.T) {
	t.Parallel()
	const data = `{"postgres":{},"documentdb":{},"redis":{},"opensearch":{},"bus":{"name":"dbay-events"},
	"queues":{"notifications":{"sources":["dbay.orders"],"detailTypes":["order.paid"]}},
	"buckets":{"listing-images":{"name":"dbay-listing-images-prod"}}}`
	r := synthData(t, data, dbaySpec(t, func(m map[string]any) {
		m["functions"].(map[string]any)["credit_user"].(map[string]any)["uses"] = []any{"postgres", "mongo"}
	}), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	pg := r.one(t, "aws:secretsmanager/secret:Secret", "postgres-credentials").Out()["arn"].(string)
	mongo := r.one(t, "aws:secretsmanager/secret:Secret", "mongo-credentials").Out()["arn"].(string)
	env := r.one(t, tFunction, "credit-user").In()["environment"].(map[string]any)["variables"].(map[string]any)
	want := map[string]any{
		"WALLET_SERVICE_URL": "http://wallet-service:8000", "EVENT_BUS_NAME": "dbay-events",
		"DATABASE_URL_SECRET_ARN": pg, "DATABASE_URL_SECRET_JSON_KEY": "url",
		"MONGO_URI_SECRET_ARN": mongo, "MONGO_URI_SECRET_JSON_KEY": "url",
	}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("credit_user environment\n got %v\nwant %v", env, want)
	}
	st := statements(t, r.one(t, tRolePolicy, "credit-user-store-credentials").In()["policy"])
	if got := list(st[0].Resource); !reflect.DeepEqual(got, sortedCopy(pg, mongo)) {
		t.Errorf("credit_user reads %v, want the two connection secrets", got)
	}
}

func TestMissingOwnersAreErrors(t *testing.T) {
	t.Parallel()
	spec := dbaySpec(t, nil)
	tests := []struct {
		name string
		edit func(a *Args)
		want string
	}{
		{"no service URLs", func(a *Args) { a.ServiceURLs = nil }, "authorizer calls [user] but Args.ServiceURLs is nil"},
		{"no listener", func(a *Args) { a.ServiceListenerArn = nil }, "the HTTP API routes need Args.ServiceListenerArn"},
		{"no zone", func(a *Args) { a.ZoneID = nil }, "api.customDomain needs Args.ZoneID"},
		{"no user pool", func(a *Args) { a.UserPoolID = nil }, "the authorizer needs Args.UserPoolID"},
		{"long names", func(a *Args) { a.Stack = strings.Repeat("s", 40) }, "over Lambda's 64"},
	}
	for _, tt := range tests {
		r := synth(t, spec, tt.edit)
		if r.err == nil || !strings.Contains(r.err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, r.err, tt.want)
		}
		if got := r.eng.ByType(tFunction); len(got) != 0 {
			t.Errorf("%s: %d functions were created before the error", tt.name, len(got))
		}
	}
}

// The xpriv's reader runs only signed code: a signing profile named as
// Signer accepts ([a-zA-Z0-9_]{2,64}), a code signing config that
// enforces it, and the config on build_and_sign_tx alone.
func TestSignerRunsOnlySignedCode(t *testing.T) {
	t.Parallel()
	r := synth(t, dbaySpec(t, nil), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	profile := r.one(t, "aws:signer/signingProfile:SigningProfile", "lambda")
	name := profile.Out()["name"].(string)
	if profile.In()["platformId"] != "AWSLambda-SHA384-ECDSA" || !regexp.MustCompile(`^[a-zA-Z0-9_]{2,64}$`).MatchString(name) {
		t.Errorf("signing profile = %v, name %q", profile.In(), name)
	}
	csc := r.one(t, "aws:lambda/codeSigningConfig:CodeSigningConfig", "signed")
	mustEqual(t, "allowed publishers", csc.In()["allowedPublishers"], map[string]any{"signingProfileVersionArns": []any{profile.Out()["versionArn"]}})
	mustEqual(t, "policies", csc.In()["policies"], map[string]any{"untrustedArtifactOnDeployment": "Enforce"})
	var signed []string
	for _, f := range r.children(tFunction) {
		if arn, ok := f.In()["codeSigningConfigArn"]; ok {
			if arn != csc.Out()["arn"] {
				t.Errorf("%s code signing config = %v", f.Name, arn)
			}
			signed = append(signed, f.Name)
		}
	}
	mustEqual(t, "signed functions", signed, []string{"build-and-sign-tx"})
	if r.outs["signingProfileName"] != name {
		t.Errorf("signingProfileName = %v", r.outs["signingProfileName"])
	}
}
