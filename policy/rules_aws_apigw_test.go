package policy

import "github.com/dbay/infra/internal/mockengine"

func init() { topicFixtureSets = append(topicFixtureSets, apigwFixtures) }

// apigwFixtures are the fixtures of the API-behind-the-edge rules.
func apigwFixtures() map[string]fixture {
	const (
		fnArn    = "arn:aws:lambda:us-east-1:123456789012:function:dbay-prod-authorizer"
		invokeOf = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fnArn + "/invocations"
	)
	api := func(protocol string, disabled bool) map[string]any {
		return map[string]any{"protocolType": protocol, "disableExecuteApiEndpoint": disabled}
	}
	mapping := res(apiMapping, "api", map[string]any{"apiId": "http1", "domainName": "api.dbay.example.com", "stage": "$default"})
	wsMapping := res(apiMapping, "ws", map[string]any{"apiId": "ws1", "domainName": "ws.dbay.example.com", "stage": "v1"})
	dist := func(headers bool) *mockengine.Resource {
		origin := map[string]any{"originId": "api", "domainName": "api.dbay.example.com"}
		if headers {
			origin["customHeaders"] = list1(map[string]any{"name": "X-Origin-Verify", "value": "[secret]"})
		}
		return res(distribution, "cdn", map[string]any{"origins": list1(origin)})
	}
	authorizer := func(name string, sources ...any) *mockengine.Resource {
		return res(apiAuthorizer, name, map[string]any{"apiId": "http1", "authorizerUri": invokeOf, "identitySources": list1(sources...)}, out("id", name))
	}
	route := func(name, key, auth string) *mockengine.Resource {
		in := map[string]any{"apiId": "http1", "routeKey": key, "authorizationType": "NONE"}
		if auth != "" {
			in["authorizationType"], in["authorizerId"] = "CUSTOM", auth
		}
		return res(httpRoute, name, in)
	}
	stage := func(burst float64) *mockengine.Resource {
		return res(httpStage, "http", map[string]any{"apiId": "http1", "routeSettings": list1(
			map[string]any{"routeKey": "GET /api/v1/listings/listings", "throttlingBurstLimit": burst, "throttlingRateLimit": 5.0})})
	}
	edge := func(headers bool, tokenSources []any, burst float64) []*mockengine.Resource {
		return one(res(httpAPI, "http", api("HTTP", true), out("id", "http1")), mapping, dist(headers),
			authorizer("tok", tokenSources...), authorizer("origin", "$request.header.X-Origin-Verify"),
			route("wallet", "ANY /api/v1/wallet/{proxy+}", "tok"), route("listings", "GET /api/v1/listings/{proxy+}", "origin"),
			route("health", "GET /api/v1/listings/listings", ""), stage(burst))
	}
	fn := func(reserved float64) *mockengine.Resource {
		return res(function, "authorizer", map[string]any{"reservedConcurrentExecutions": reserved}, out("arn", fnArn))
	}
	regional := res(awsProvider, regionalDefault, map[string]any{"region": "us-east-1"})
	reserved := func(name string, n float64) *mockengine.Resource {
		return res(function, name, map[string]any{"reservedConcurrentExecutions": n}, inRegion("us-east-1"))
	}
	return map[string]fixture{
		"apigw-default-endpoint-disabled": {
			good: one(res(httpAPI, "http", api("HTTP", true), out("id", "http1")), mapping,
				res(httpAPI, "websocket", api("WEBSOCKET", true), out("id", "ws1")), wsMapping,
				res(httpAPI, "internal", api("HTTP", false), out("id", "other"))),
			// Before issue 15: the WebSocket API kept wss://<id>.execute-api….
			bad: one(res(httpAPI, "http", api("HTTP", true), out("id", "http1")), mapping,
				res(httpAPI, "websocket", api("WEBSOCKET", false), out("id", "ws1")), wsMapping),
		},
		"apigw-edge-only": {
			good: edge(true, []any{"$request.header.Authorization", "$request.header.X-Origin-Verify"}, 10),
			// Before issue 15: no header, tokens only, an open public route;
			// then a header the token routes do not require and a health
			// route throttled like any other.
			bad: append(edge(false, []any{"$request.header.Authorization"}, 10),
				edge(true, []any{"$request.header.Authorization"}, 500)...),
		},
		"apigw-websocket-edge-only": {
			good: one(res(httpAPI, "websocket", api("WEBSOCKET", true), out("id", "ws1")), wsMapping,
				res(distribution, "cdn", map[string]any{"origins": list1(map[string]any{"originId": "websocket", "domainName": "ws.dbay.example.com",
					"customHeaders": list1(map[string]any{"name": "X-Origin-Verify", "value": "[secret]"})})}),
				res(apiAuthorizer, "ws", map[string]any{"apiId": "ws1", "identitySources": list1("route.request.querystring.token", "route.request.header.X-Origin-Verify")}, out("id", "wsauth")),
				res(httpRoute, "connect", map[string]any{"apiId": "ws1", "routeKey": "$connect", "authorizationType": "CUSTOM", "authorizerId": "wsauth"})),
			// Today's code shape: a distribution in the stack that does not
			// reach the WebSocket API, whose $connect reads the token only.
			bad: one(res(httpAPI, "websocket", api("WEBSOCKET", true), out("id", "ws1")), wsMapping, dist(true),
				res(apiAuthorizer, "ws", map[string]any{"apiId": "ws1", "identitySources": list1("route.request.querystring.token")}, out("id", "wsauth")),
				res(httpRoute, "connect", map[string]any{"apiId": "ws1", "routeKey": "$connect", "authorizationType": "CUSTOM", "authorizerId": "wsauth"})),
		},
		"lambda-authorizer-concurrency-capped": {
			good: one(fn(100), authorizer("tok", "$request.header.Authorization")),
			bad:  one(fn(-1), authorizer("tok", "$request.header.Authorization")),
		},
		"lambda-reserved-concurrency-quota": {
			good: one(regional, reserved("authorizer", 100), reserved("debit-ledger", 20), res(function, "other-region", map[string]any{"reservedConcurrentExecutions": 900.0}, inRegion("us-west-2"))),
			bad:  one(regional, reserved("authorizer", 700), reserved("debit-ledger", 201)),
		},
	}
}
