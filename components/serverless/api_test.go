package serverless

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Every HTTP route is authorized by the Lambda authorizer, except the
// public routes named in config; all go through the VPC link integration.
func TestEveryHTTPRouteIsAuthorizedButThePublicOnes(t *testing.T) {
	t.Parallel()
	spec := dbaySpec(t, nil)
	r := synth(t, spec, nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	api := r.one(t, "aws:apigatewayv2/api:Api", "http")
	authorizer := r.one(t, "aws:apigatewayv2/authorizer:Authorizer", "http")
	integration := r.one(t, "aws:apigatewayv2/integration:Integration", "services")
	public := map[string]bool{}
	for _, k := range spec.API.PublicRoutes {
		public[k] = true
	}
	var keys []string
	for _, route := range r.eng.ByType(tRoute) {
		in := route.In()
		if in["apiId"] != api.ID {
			continue
		}
		key := in["routeKey"].(string)
		keys = append(keys, key)
		// Token routes carry the caller's identity; public ones none.
		wantTarget := "integrations/" + integration.ID
		if public[key] {
			wantTarget = "integrations/" + r.one(t, "aws:apigatewayv2/integration:Integration", "services-public").ID
		}
		if in["target"] != wantTarget {
			t.Errorf("%s targets %v, want %s", key, in["target"], wantTarget)
		}
		switch {
		case public[key]:
			if in["authorizationType"] != "NONE" {
				t.Errorf("public %s = %v", key, in["authorizationType"])
			}
		case in["authorizationType"] != "CUSTOM" || in["authorizerId"] != authorizer.ID:
			t.Errorf("%s is not authorized: %v", key, in)
		}
	}
	want := len(spec.API.Services) + len(spec.API.PublicRoutes)
	if len(keys) != want || !contains(keys, "ANY /api/v1/wallet/{proxy+}") || !contains(keys, "GET /api/v1/listings/{proxy+}") {
		t.Errorf("routes = %v, want %d", keys, want)
	}
	az := authorizer.In()
	if az["authorizerType"] != "REQUEST" || !reflect.DeepEqual(az["identitySources"], []any{"$request.header.Authorization"}) ||
		az["authorizerResultTtlInSeconds"] != 300.0 || az["authorizerPayloadFormatVersion"] != "2.0" || az["enableSimpleResponses"] != true ||
		az["authorizerUri"] != r.one(t, tFunction, "authorizer").Out()["invokeArn"] {
		t.Errorf("authorizer = %v", az)
	}
	in := integration.In()
	// The identity headers: set from the authorizer's context on token
	// routes (whatever the client sent), removed on public ones.
	mustEqual(t, "token route mapping", in["requestParameters"], map[string]any{
		"overwrite:path": "$request.path", "overwrite:header.x-authenticated-user": "$context.authorizer.userId",
		"overwrite:header.x-authenticated-groups": "$context.authorizer.groups",
	})
	mustEqual(t, "public route mapping", r.one(t, "aws:apigatewayv2/integration:Integration", "services-public").In()["requestParameters"], map[string]any{
		"overwrite:path": "$request.path", "remove:header.x-authenticated-user": "''", "remove:header.x-authenticated-groups": "''",
	})
	link := r.one(t, "aws:apigatewayv2/vpcLink:VpcLink", "services")
	if in["integrationType"] != "HTTP_PROXY" || in["connectionType"] != "VPC_LINK" || in["connectionId"] != link.ID ||
		!strings.Contains(in["integrationUri"].(string), ":listener/app/services/") || in["payloadFormatVersion"] != "1.0" {
		t.Errorf("integration = %v", in)
	}
	private := r.eng.Get("awsx:ec2:Vpc", "vpc").Out()["privateSubnetIds"]
	if !reflect.DeepEqual(link.In()["subnetIds"], private) || !reflect.DeepEqual(link.In()["securityGroupIds"], []any{"sg-0vpclink00000000"}) {
		t.Errorf("vpc link = %v", link.In())
	}
	cors := api.In()["corsConfiguration"].(map[string]any)
	if !reflect.DeepEqual(cors["allowOrigins"], []any{"https://app.dbay.example.com"}) || api.In()["disableExecuteApiEndpoint"] != true {
		t.Errorf("api = %v", api.In())
	}
	stage := r.one(t, "aws:apigatewayv2/stage:Stage", "http").In()
	settings := stage["defaultRouteSettings"].(map[string]any)
	var format map[string]string
	if err := json.Unmarshal([]byte(stage["accessLogSettings"].(map[string]any)["format"].(string)), &format); err != nil {
		t.Fatal(err)
	}
	if stage["name"] != "$default" || stage["autoDeploy"] != true || settings["throttlingBurstLimit"] != 1000.0 || settings["throttlingRateLimit"] != 500.0 ||
		stage["accessLogSettings"].(map[string]any)["destinationArn"] != r.one(t, tLogGroup, "http-access").Out()["arn"] ||
		format["requestId"] != "$context.requestId" || format["authorizerError"] != "$context.authorizer.error" {
		t.Errorf("stage = %v", stage)
	}
}

// Every Lambda permission names the exact source allowed to invoke.
func TestEveryPermissionIsScopedBySourceArn(t *testing.T) {
	t.Parallel()
	r := synth(t, dbaySpec(t, nil), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	http := r.one(t, "aws:apigatewayv2/api:Api", "http").Out()["executionArn"].(string)
	ws := r.one(t, "aws:apigatewayv2/api:Api", "websocket").Out()["executionArn"].(string)
	want := map[string][2]string{ // permission -> function, source
		"http-authorizer":      {"authorizer", http + "/authorizers/" + r.one(t, "aws:apigatewayv2/authorizer:Authorizer", "http").ID},
		"websocket-authorizer": {"authorizer", ws + "/authorizers/" + r.one(t, "aws:apigatewayv2/authorizer:Authorizer", "websocket").ID},
		"websocket-connect":    {"ws-router", ws + "/v1/$connect"},
		"websocket-disconnect": {"ws-router", ws + "/v1/$disconnect"},
		"websocket-default":    {"ws-router", ws + "/v1/$default"},
		"listing-events-search-indexer": {"search-indexer",
			r.one(t, "aws:cloudwatch/eventRule:EventRule", "listing-events").Out()["arn"].(string)},
	}
	perms := r.eng.ByType(tPermission)
	if len(perms) != len(want) {
		t.Errorf("%d permissions, want %d", len(perms), len(want))
	}
	for _, p := range perms {
		in := p.In()
		w, ok := want[p.Name]
		if !ok || in["sourceArn"] == nil || in["sourceArn"] == "" {
			t.Errorf("permission %s is not scoped: %v", p.Name, in)
			continue
		}
		if in["function"] != r.one(t, tFunction, w[0]).Out()["name"] || in["sourceArn"] != w[1] || in["action"] != "lambda:InvokeFunction" {
			t.Errorf("%s = %v, want %s from %s", p.Name, in, w[0], w[1])
		}
	}
}

func TestOutputsAndCustomDomains(t *testing.T) {
	t.Parallel()
	r := synth(t, dbaySpec(t, nil), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	dn := r.one(t, "aws:apigatewayv2/domainName:DomainName", "api")
	cfg := dn.In()["domainNameConfiguration"].(map[string]any)
	if dn.In()["domainName"] != "api.dbay.example.com" || cfg["endpointType"] != "REGIONAL" || cfg["securityPolicy"] != "TLS_1_2" ||
		cfg["certificateArn"] != r.one(t, "aws:acm/certificate:Certificate", "api").Out()["arn"] {
		t.Errorf("api domain = %v", dn.In())
	}
	if r.one(t, "aws:acm/certificate:Certificate", "api").Provider != "urn:pulumi:prod::dbay::pulumi:providers:aws::regional" {
		t.Error("the API certificate is not regional")
	}
	for _, typ := range []string{"A", "AAAA"} {
		rec := r.one(t, "aws:route53/record:Record", "api-"+typ).In()
		alias := rec["aliases"].([]any)[0].(map[string]any)
		if rec["zoneId"] != zoneID || rec["name"] != "api.dbay.example.com" || alias["name"] != dn.Out()["domainNameConfiguration"].(map[string]any)["targetDomainName"] {
			t.Errorf("api %s record = %v", typ, rec)
		}
	}
	if m := r.one(t, "aws:apigatewayv2/apiMapping:ApiMapping", "ws").In(); m["stage"] != "v1" || m["domainName"] != "ws.dbay.example.com" {
		t.Errorf("ws mapping = %v", m)
	}
	mustEqual(t, "outputs", map[string]any{"apiBaseUrl": r.outs["apiBaseUrl"], "webSocketUrl": r.outs["webSocketUrl"], "apiHost": r.outs["apiHost"]},
		map[string]any{"apiBaseUrl": "https://api.dbay.example.com/api/v1", "webSocketUrl": "wss://ws.dbay.example.com", "apiHost": "api.dbay.example.com"})

	// Without custom domains the execute-api URLs are the outputs.
	plain := synth(t, dbaySpec(t, func(m map[string]any) {
		m["api"].(map[string]any)["customDomain"] = false
		delete(m["api"].(map[string]any), "healthCheckPath") // it needs the custom domain
		m["websocket"].(map[string]any)["customDomain"] = false
	}), func(a *Args) { a.ZoneID = nil })
	if plain.err != nil {
		t.Fatal(plain.err)
	}
	httpID, wsID := plain.one(t, "aws:apigatewayv2/api:Api", "http").ID, plain.one(t, "aws:apigatewayv2/api:Api", "websocket").ID
	mustEqual(t, "execute-api outputs", []any{plain.outs["apiBaseUrl"], plain.outs["webSocketUrl"], plain.outs["apiEndpointZoneId"]},
		[]any{"https://" + httpID + ".execute-api.us-east-1.amazonaws.com/api/v1", "wss://" + wsID + ".execute-api.us-east-1.amazonaws.com/v1", ""})
	if n := len(plain.eng.ByType("aws:apigatewayv2/domainName:DomainName")) + len(plain.eng.ByType("aws:route53/record:Record")); n != 0 {
		t.Errorf("%d domain resources without custom domains", n)
	}
	if !strings.HasSuffix(plain.outs["apiBaseUrl"].(string), "/api/v1") {
		t.Errorf("apiBaseUrl = %v", plain.outs["apiBaseUrl"])
	}
}

func TestWebSocketAPI(t *testing.T) {
	t.Parallel()
	r := synth(t, dbaySpec(t, nil), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	api := r.one(t, "aws:apigatewayv2/api:Api", "websocket")
	if api.In()["protocolType"] != "WEBSOCKET" || api.In()["routeSelectionExpression"] != "$request.body.action" {
		t.Errorf("api = %v", api.In())
	}
	authorizer := r.one(t, "aws:apigatewayv2/authorizer:Authorizer", "websocket")
	if !reflect.DeepEqual(authorizer.In()["identitySources"], []any{"route.request.querystring.token"}) || authorizer.In()["authorizerType"] != "REQUEST" {
		t.Errorf("authorizer = %v", authorizer.In())
	}
	for _, name := range []string{"connect", "disconnect", "default"} {
		in := r.one(t, tRoute, "websocket-"+name).In()
		if name == "connect" && (in["authorizationType"] != "CUSTOM" || in["authorizerId"] != authorizer.ID) {
			t.Errorf("$connect is not authorized: %v", in)
		}
	}
	in := r.one(t, "aws:apigatewayv2/integration:Integration", "websocket").In()
	if in["integrationType"] != "AWS_PROXY" || in["integrationUri"] != r.one(t, tFunction, "ws-router").Out()["invokeArn"] {
		t.Errorf("integration = %v", in)
	}
	stage := r.one(t, "aws:apigatewayv2/stage:Stage", "websocket")
	settings := stage.In()["defaultRouteSettings"].(map[string]any)
	if settings["loggingLevel"] != "INFO" || settings["dataTraceEnabled"] != false || stage.In()["accessLogSettings"] == nil ||
		!contains(stage.Dependencies, r.one(t, "aws:apigateway/account:Account", "apigateway-logs").URN) {
		t.Errorf("stage = %v", stage.In())
	}
	manage := statements(t, r.one(t, tRolePolicy, "ws-router-runtime").In()["policy"])
	last := manage[len(manage)-1]
	if list(last.Action)[0] != "execute-api:ManageConnections" || list(last.Resource)[0] != api.Out()["executionArn"].(string)+"/v1/POST/@connections/*" {
		t.Errorf("ws_router may not reply: %+v", last)
	}
}

// With Failover, api. and ws. are failover records. The PRIMARY ones answer
// to the pair's failover switch (a CLOUDWATCH_METRIC check on the switch
// alarm in the recovery Region, which configuration sets: Route53 never
// fails over to a pilot light by itself); the API check probes the
// region-pinned name. SECONDARY records follow their own check.
func TestFailoverRecords(t *testing.T) {
	t.Parallel()
	for _, role := range []string{FailoverPrimary, FailoverSecondary} {
		r := synth(t, dbaySpec(t, nil), func(a *Args) {
			a.Failover = role
			if role == FailoverPrimary {
				a.SwitchAlarm, a.SwitchRegion = pulumi.String("dbay-prod-failover-switch").ToStringOutput(), "us-west-2"
			}
		})
		if r.err != nil {
			t.Fatal(r.err)
		}
		hc := r.eng.Get("aws:route53/healthCheck:HealthCheck", "api")
		if hc == nil || hc.In()["fqdn"] != "api-us-east-1."+domainName {
			t.Fatalf("%s: api health check %+v, want it on the pinned name", role, hc)
		}
		sw := r.eng.Get("aws:route53/healthCheck:HealthCheck", "api-failover-switch")
		want := hc.ID
		if role == FailoverPrimary {
			in := sw.In()
			if in["type"] != "CLOUDWATCH_METRIC" || in["cloudwatchAlarmName"] != "dbay-prod-failover-switch" || in["cloudwatchAlarmRegion"] != "us-west-2" || sw.ID == hc.ID {
				t.Errorf("switch = %v", in)
			}
			want = sw.ID
		} else if sw != nil {
			t.Errorf("a SECONDARY has no switch: %v", sw.In())
		}
		for _, name := range []string{"api-A", "api-AAAA", "ws-A", "ws-AAAA"} {
			in := r.eng.Get("aws:route53/record:Record", name).In()
			pol, _ := in["failoverRoutingPolicies"].([]any)
			if len(pol) != 1 || pol[0].(map[string]any)["type"] != role || in["healthCheckId"] != want || in["setIdentifier"] != strings.ToLower(role)+"-us-east-1" {
				t.Errorf("%s %s = %v, want %s evaluated by %s", role, name, in, role, want)
			}
		}
		if pinned := r.eng.Get("aws:route53/record:Record", "api-regional-A").In(); pinned["name"] != "api-us-east-1."+domainName || pinned["failoverRoutingPolicies"] != nil {
			t.Errorf("%s: pinned record = %v", role, pinned)
		}
	}
}
