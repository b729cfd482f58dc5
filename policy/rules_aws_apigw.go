package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const (
	apiMapping       = tokens.APIGatewayV2ApiMapping
	apiAuthorizer    = tokens.APIGatewayV2Authorizer
	edgeOnlySource   = "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html (HTTP and WebSocket APIs cannot take a web ACL); https://repost.aws/knowledge-center/api-gateway-401-error-lambda-authorizer (a missing identity source is refused before the authorizer runs)"
	wsEdgeOnlySource = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-working-with.websockets.html (CloudFront carries WebSocket on any distribution); https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html (only $connect takes an authorizer; identity sources route.request.header.<name>)"
	endpointSource   = "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateApi.html (disableExecuteApiEndpoint: clients can then invoke the API only through a custom domain)"
	healthRouteBurst = 10
)

// awsAPIGatewayRules: the API is reached only through the edge, and a
// flood cannot take the concurrency the money needs (issue 15 item 3).
func awsAPIGatewayRules() []Rule {
	return []Rule{
		{
			ID: "apigw-default-endpoint-disabled", Severity: High, Types: []string{httpAPI},
			Category: CategoryBestPractice, Source: endpointSource,
			Title: "An API served on a custom domain has its execute-api endpoint disabled (the domain's TLS policy, DNS failover and edge cannot be bypassed)",
			Check: func(r *mockengine.Resource, x Index) []string {
				if len(x.Referencing(apiMapping, "apiId", r)) == 0 || x.In(r)["disableExecuteApiEndpoint"] == true {
					return nil
				}
				return []string{problem(r, fmt.Sprintf("the %s API has a custom domain but keeps its execute-api endpoint, which anyone can call around the domain", str(x.In(r)["protocolType"])),
					"set disableExecuteApiEndpoint: true (a WebSocket function then posts to @connections through the custom domain)")}
			},
		},
		{
			ID: "apigw-edge-only", Severity: High, Types: []string{distribution},
			Category: CategoryBestPractice, Source: edgeOnlySource,
			Title: "An HTTP API behind CloudFront refuses requests around it: CloudFront sends a secret header and every route requires it as an authorizer identity source (a health route may not, if throttled to 10)",
			Check: func(r *mockengine.Resource, x Index) []string {
				var out []string
				for _, o := range list(x.In(r)["origins"]) {
					origin := obj(o)
					domain := str(origin["domainName"])
					for _, m := range x.ByType(apiMapping) {
						if str(x.In(m)["domainName"]) != domain {
							continue
						}
						for _, api := range x.Resolve(httpAPI, str(x.In(m)["apiId"])) {
							if str(x.In(api)["protocolType"]) == "WEBSOCKET" {
								continue // apigw-websocket-edge-only
							}
							out = append(out, x.edgeOnly(r, api, origin)...)
						}
					}
				}
				return out
			},
		},
		{
			ID: "apigw-websocket-edge-only", Severity: High, Types: []string{httpAPI},
			Category: CategoryBestPractice, Source: wsEdgeOnlySource,
			Title: "In a stack with a CloudFront distribution, a WebSocket API is one of its origins, with a secret header its $connect authorizer requires as an identity source",
			Check: func(r *mockengine.Resource, x Index) []string {
				if str(x.In(r)["protocolType"]) != "WEBSOCKET" || len(x.ByType(distribution)) == 0 {
					return nil
				}
				return x.webSocketEdgeOnly(r)
			},
		},
		{
			ID: "lambda-authorizer-concurrency-capped", Severity: Medium, Types: []string{function},
			Category: CategoryBestPractice, Source: config.ConcurrencySource,
			Title: "An API authorizer function has its concurrency reserved (and so capped): a flood of bad tokens hits the cap, not the Region's quota the other functions share",
			Check: func(r *mockengine.Resource, x Index) []string {
				arn := str(r.Out()["arn"])
				authorizes := false
				for _, a := range x.ByType(apiAuthorizer) {
					authorizes = authorizes || (arn != "" && strings.Contains(str(x.In(a)["authorizerUri"]), arn+"/"))
				}
				if !authorizes {
					return nil
				}
				// 0 is a reservation too: the function is throttled (a
				// primary fenced by dr.fenced), capped at nothing.
				if n, ok := x.In(r)["reservedConcurrentExecutions"].(float64); ok && n >= 0 {
					return nil
				}
				return []string{problem(r, "authorizes an API without a concurrency reservation", "set serverless.functions.<name>.reservedConcurrency (e.g. 100)")}
			},
		},
		{
			ID: "lambda-reserved-concurrency-quota", Severity: High, Types: []string{awsProvider},
			Category: CategoryAWSConstraint, Source: config.ConcurrencySource,
			Title: "The functions' reserved concurrency in a Region leaves 100 of the default quota (1000) unreserved, or Lambda refuses the reservation",
			Check: func(r *mockengine.Resource, x Index) []string {
				if r.Name != regionalDefault {
					return nil
				}
				region := str(x.In(r)["region"])
				total, parts := 0, []string{}
				for _, f := range x.ByType(function) {
					if f.Region != "" && region != "" && f.Region != region {
						continue
					}
					if n, ok := x.In(f)["reservedConcurrentExecutions"].(float64); ok && n > 0 {
						total += int(n)
						parts = append(parts, fmt.Sprintf("%s %d", f.Name, int(n)))
					}
				}
				limit := config.DefaultAccountConcurrency - config.MinUnreservedConcurrency
				if total <= limit {
					return nil
				}
				sort.Strings(parts)
				return []string{problem(r, fmt.Sprintf("reserves %d concurrent executions in %s (%s), more than the %d the default quota allows", total, region, strings.Join(parts, ", "), limit),
					"lower the reservations, or raise the quota and waive this rule naming the quota increase")}
			},
		},
	}
}

// edgeOnly checks one API behind one CloudFront origin.
func (x Index) edgeOnly(dist, api *mockengine.Resource, origin map[string]any) []string {
	header := ""
	for _, h := range list(origin["customHeaders"]) {
		if n := str(obj(h)["name"]); n != "" {
			header = n
		}
	}
	if header == "" {
		return []string{problem(dist, fmt.Sprintf("origin %s reaches API %s without a secret header: the API cannot tell CloudFront's requests (filtered by the web ACL) from anyone else's", str(origin["originId"]), api.Name),
			"send an origin custom header (X-Origin-Verify) and require it on every route (serverless.Args.OriginVerify)")}
	}
	throttled := map[string]bool{}
	for _, st := range x.Referencing(httpStage, "apiId", api) {
		for _, s := range list(x.In(st)["routeSettings"]) {
			if b, ok := obj(s)["throttlingBurstLimit"].(float64); ok && b <= healthRouteBurst {
				throttled[str(obj(s)["routeKey"])] = true
			}
		}
	}
	var out []string
	for _, rt := range x.Referencing(httpRoute, "apiId", api) {
		in := x.In(rt)
		key := str(in["routeKey"])
		required := false
		for _, a := range x.Resolve(apiAuthorizer, str(in["authorizerId"])) {
			for _, src := range list(x.In(a)["identitySources"]) {
				required = required || strings.EqualFold(str(src), "$request.header."+header)
			}
		}
		if !required && !throttled[key] {
			out = append(out, problem(dist, fmt.Sprintf("route %q of API %s does not require %s: it can be called around CloudFront's web ACL", key, api.Name, header),
				"authorize it with a REQUEST authorizer whose identity sources include $request.header."+header+", or throttle it to a burst of 10 (a health route)"))
		}
	}
	return out
}

// webSocketEdgeOnly checks a WebSocket API against the stack's
// distributions: an origin reaching one of its custom domains sends a
// secret header, and $connect (the only route that takes an authorizer:
// $disconnect and $default run on a connection $connect admitted) has a
// REQUEST authorizer with route.request.header.<that header> among its
// identity sources, so API Gateway refuses a handshake around CloudFront
// before any function runs.
func (x Index) webSocketEdgeOnly(api *mockengine.Resource) []string {
	domains := map[string]bool{}
	for _, m := range x.Referencing(apiMapping, "apiId", api) {
		domains[str(x.In(m)["domainName"])] = true
	}
	headers := map[string]bool{}
	reached := false
	for _, d := range x.ByType(distribution) {
		for _, o := range list(x.In(d)["origins"]) {
			if !domains[str(obj(o)["domainName"])] {
				continue
			}
			reached = true
			for _, h := range list(obj(o)["customHeaders"]) {
				if n := str(obj(h)["name"]); n != "" {
					headers[strings.ToLower(n)] = true
				}
			}
		}
	}
	if !reached {
		return []string{problem(api, "no CloudFront origin reaches this WebSocket API: every handshake goes around the distribution's web ACL",
			"serve it on a behaviour of the distribution (origin: its custom domain, forwarding Sec-WebSocket-* and the token query string) with an origin header $connect requires (serverless.Args.OriginVerify.WebSocketURL)")}
	}
	if len(headers) == 0 {
		return []string{problem(api, "CloudFront reaches this WebSocket API without a secret header: the API cannot tell CloudFront's handshakes from anyone else's",
			"send an origin custom header (X-Origin-Verify) and require it on $connect")}
	}
	var out []string
	for _, rt := range x.Referencing(httpRoute, "apiId", api) {
		in := x.In(rt)
		if str(in["routeKey"]) != "$connect" {
			continue
		}
		required := false
		for _, a := range x.Resolve(apiAuthorizer, str(in["authorizerId"])) {
			for _, src := range list(x.In(a)["identitySources"]) {
				name, ok := strings.CutPrefix(strings.ToLower(str(src)), "route.request.header.")
				required = required || (ok && headers[name])
			}
		}
		if !required {
			out = append(out, problem(api, "$connect does not require CloudFront's origin header: a handshake straight to the API's domain skips the web ACL",
				"give $connect a REQUEST authorizer whose identity sources include route.request.header.X-Origin-Verify besides the token"))
		}
	}
	return out
}
