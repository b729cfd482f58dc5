package serverless

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Behind CloudFront (issue 15 item 3): every route but the health check
// needs the origin header as an authorizer identity source (API Gateway
// answers 401 without it before any function runs), the authorizer reads
// the header's value from a secret of its own, the health route is
// throttled to 10/5, and neither API keeps its execute-api endpoint.
func TestAPIBehindTheEdge(t *testing.T) {
	t.Parallel()
	r := synth(t, dbaySpec(t, func(m map[string]any) {
		m["api"].(map[string]any)["routeThrottles"] = map[string]any{"ANY /api/v1/wallet/{proxy+}": map[string]any{"burst": 100, "rate": 50}}
	}), func(a *Args) {
		a.OriginVerify = &OriginVerify{Header: "X-Origin-Verify", Value: pulumi.String("s3cr3t-s3cr3t")}
	})
	if r.err != nil {
		t.Fatal(r.err)
	}
	const (
		tAuthorizer = "aws:apigatewayv2/authorizer:Authorizer"
		tRoute      = "aws:apigatewayv2/route:Route"
		tAPI        = "aws:apigatewayv2/api:Api"
	)
	mustEqual(t, "token authorizer sources", r.one(t, tAuthorizer, "http").In()["identitySources"],
		[]any{"$request.header.Authorization", "$request.header.X-Origin-Verify"})
	mustEqual(t, "public authorizer sources", r.one(t, tAuthorizer, "http-origin").In()["identitySources"], []any{"$request.header.X-Origin-Verify"})
	authorizers := map[any]string{r.one(t, tAuthorizer, "http").ID: "http", r.one(t, tAuthorizer, "http-origin").ID: "http-origin"}
	open := []string{}
	for _, rt := range r.children(tRoute) {
		in := rt.In()
		if in["apiId"] != r.one(t, tAPI, "http").ID {
			continue
		}
		if in["authorizationType"] != "CUSTOM" || authorizers[in["authorizerId"]] == "" {
			open = append(open, in["routeKey"].(string))
		}
	}
	mustEqual(t, "routes without the origin header", open, []string{"GET /api/v1/listings/listings"})
	stage := r.one(t, "aws:apigatewayv2/stage:Stage", "http").In()
	mustEqual(t, "route throttles", stage["routeSettings"], []any{
		map[string]any{"routeKey": "ANY /api/v1/wallet/{proxy+}", "throttlingBurstLimit": 100.0, "throttlingRateLimit": 50.0, "detailedMetricsEnabled": true},
		map[string]any{"routeKey": "GET /api/v1/listings/listings", "throttlingBurstLimit": 10.0, "throttlingRateLimit": 5.0, "detailedMetricsEnabled": true},
	})
	// The services never see CloudFront's secret.
	for _, in := range []string{"services", "services-public"} {
		if m := r.one(t, "aws:apigatewayv2/integration:Integration", in).In()["requestParameters"].(map[string]any); m["remove:header.x-origin-verify"] != "''" {
			t.Errorf("%s forwards the origin header: %v", in, m)
		}
	}
	for _, api := range []string{"http", "websocket"} {
		if r.one(t, tAPI, api).In()["disableExecuteApiEndpoint"] != true {
			t.Errorf("the %s API keeps its execute-api endpoint", api)
		}
	}
	// The WebSocket execution logs' group exists before the stage logs to
	// it, with retention and the component key (API Gateway would create
	// it with neither).
	execLogs := r.one(t, tLogGroup, "websocket-execution")
	if in := execLogs.In(); in["name"] != "API-Gateway-Execution-Logs_"+r.one(t, tAPI, "websocket").ID+"/v1" || in["retentionInDays"] != 365.0 ||
		in["kmsKeyId"] != r.one(t, "aws:kms/key:Key", "serverless-key").Out()["arn"] ||
		!contains(r.one(t, "aws:apigatewayv2/stage:Stage", "websocket").Dependencies, execLogs.URN) {
		t.Errorf("websocket execution log group = %v", in)
	}
	ws := r.one(t, "aws:apigatewayv2/stage:Stage", "websocket").In()["routeSettings"].([]any)
	if c := ws[0].(map[string]any); c["routeKey"] != "$connect" || c["throttlingBurstLimit"] != 500.0 || c["throttlingRateLimit"] != 200.0 {
		t.Errorf("$connect throttle = %v", c)
	}

	secret := r.one(t, "aws:secretsmanager/secret:Secret", "origin-verify")
	key := r.one(t, "aws:kms/key:Key", "serverless-key").Out()["arn"]
	if secret.In()["kmsKeyId"] != key || secret.In()["name"] != "dbay/prod/api-origin-verify" {
		t.Errorf("origin secret = %v", secret.In())
	}
	auth := r.one(t, tFunction, "authorizer").In()["environment"].(map[string]any)["variables"].(map[string]any)
	if auth["ORIGIN_VERIFY_SECRET_ARN"] != secret.Out()["arn"] || auth["ORIGIN_VERIFY_HEADER"] != "X-Origin-Verify" {
		t.Errorf("authorizer env = %v", auth)
	}
	read := false
	for _, st := range statements(t, r.one(t, tRolePolicy, "authorizer-runtime").In()["policy"]) {
		if st.Sid == "ReadOriginVerify" {
			read = true
			mustEqual(t, "origin secret grant", list(st.Resource), []string{secret.Out()["arn"].(string)})
		}
	}
	if !read {
		t.Error("the authorizer may not read the origin secret")
	}
	for _, f := range r.children(tFunction) {
		if env, ok := f.In()["environment"].(map[string]any); ok && f.Name != "authorizer" {
			if _, has := env["variables"].(map[string]any)["ORIGIN_VERIFY_SECRET_ARN"]; has {
				t.Errorf("%s gets the origin secret", f.Name)
			}
		}
	}
}

// Without CloudFront in front, the public routes stay open and there is
// no origin secret: nothing asks for a header no one sends.
func TestAPIWithoutTheEdge(t *testing.T) {
	t.Parallel()
	r := synth(t, dbaySpec(t, nil), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.eng.Get("aws:secretsmanager/secret:Secret", "origin-verify") != nil || r.eng.Get("aws:apigatewayv2/authorizer:Authorizer", "http-origin") != nil {
		t.Error("an origin secret or authorizer exists without OriginVerify")
	}
	if in := r.one(t, "aws:apigatewayv2/route:Route", "http-public-get-api-v1-listings-proxy").In(); in["authorizationType"] != "NONE" {
		t.Errorf("public route = %v", in)
	}
}

// The WebSocket API behind CloudFront (issue 15 item 3): $connect's
// authorizer requires the origin header besides the token, ws.<domain>
// maps the API at /ws (the distribution's behaviour), and clients get
// the site's wss://<site>/ws.
func TestWebSocketBehindTheEdge(t *testing.T) {
	t.Parallel()
	r := synth(t, dbaySpec(t, nil), func(a *Args) {
		a.OriginVerify = &OriginVerify{Header: "X-Origin-Verify", Value: pulumi.String("s3cr3t-s3cr3t"), WebSocketURL: "wss://app.dbay.example.com/ws"}
	})
	if r.err != nil {
		t.Fatal(r.err)
	}
	mustEqual(t, "$connect identity sources", r.one(t, "aws:apigatewayv2/authorizer:Authorizer", "websocket").In()["identitySources"],
		[]any{"route.request.querystring.token", "route.request.header.X-Origin-Verify"})
	if k := r.one(t, "aws:apigatewayv2/apiMapping:ApiMapping", "ws").In()["apiMappingKey"]; k != EdgeWebSocketKey {
		t.Errorf("ws.<domain> mapping key = %v, want %s", k, EdgeWebSocketKey)
	}
}
