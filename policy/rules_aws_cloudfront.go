package policy

import (
	"fmt"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// AWS managed CloudFront policies (ids fixed by AWS:
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html,
// .../using-managed-origin-request-policies.html).
const (
	cfCachingDisabled       = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	cfAllViewer             = "216adef6-5c7f-47e4-b989-5492eafa07d3"
	cfAllViewerExceptHost   = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
	cachePolicyType         = tokens.CloudFrontCachePolicy
	originRequestPolicyType = tokens.CloudFrontOriginRequestPolicy
	authorizationHeader     = "authorization"
)

// awsCloudFrontRules: what CloudFront delivers to a dynamic origin.
func awsCloudFrontRules() []Rule {
	return []Rule{{
		ID: "cloudfront-authorization-forwarded", Severity: High, Category: CategoryAWSConstraint, Types: []string{distribution},
		Title: "Every behavior that reaches a custom origin (ALB, API Gateway) delivers the viewer's Authorization header",
		// CloudFront forwards Authorization only when the cache policy keys
		// on it, or when caching is disabled and the origin request policy
		// is AllViewer or AllViewerExceptHostHeader; otherwise it drops it
		// and bearer-token APIs answer 401.
		Source: "https://repost.aws/knowledge-center/cloudfront-authorization-header",
		Check: func(r *mockengine.Resource, x Index) []string {
			in := x.In(r)
			dynamic := customOrigins(in)
			var out []string
			behaviors := append([]any{in["defaultCacheBehavior"]}, list(in["orderedCacheBehaviors"])...)
			for i, b := range behaviors {
				if !dynamic[str(get(b, "targetOriginId"))] {
					continue
				}
				where := "defaultCacheBehavior"
				if i > 0 {
					where = "behavior " + str(get(b, "pathPattern"))
				}
				if why := dropsAuthorization(b, x); why != "" {
					out = append(out, problem(r, fmt.Sprintf("%s reaches origin %s, but %s: CloudFront drops the viewer's Authorization header", where, str(get(b, "targetOriginId")), why),
						"add Authorization to the behavior's cache policy key (headersConfig whitelist), or use CachingDisabled with the AllViewer / AllViewerExceptHostHeader origin request policy"))
				}
			}
			return out
		},
	}}
}

// customOrigins are the ids of a distribution's custom origins (an ALB,
// API Gateway, any HTTP server), and of origin groups with one among them.
func customOrigins(in map[string]any) map[string]bool {
	out := map[string]bool{}
	for _, o := range list(in["origins"]) {
		if get(o, "customOriginConfig") != nil {
			out[str(get(o, "originId"))] = true
		}
	}
	for _, g := range list(in["originGroups"]) {
		for _, m := range list(get(g, "members")) {
			if out[str(get(m, "originId"))] {
				out[str(get(g, "originId"))] = true
			}
		}
	}
	return out
}

// dropsAuthorization says why a behavior's policies drop the
// Authorization header, or "".
func dropsAuthorization(b any, x Index) string {
	cache, request := str(get(b, "cachePolicyId")), str(get(b, "originRequestPolicyId"))
	if cache == "" {
		// Legacy cache settings: forwarded headers are the cache key.
		for _, h := range strs(get(b, "forwardedValues.headers")) {
			if h == "*" || strings.EqualFold(h, authorizationHeader) {
				return ""
			}
		}
		return "its legacy forwardedValues do not forward Authorization"
	}
	if !known(cache) {
		return ""
	}
	if cache == cfCachingDisabled {
		if request == cfAllViewer || request == cfAllViewerExceptHost || !known(request) || webSocketHandshake(request, x) {
			return ""
		}
		return fmt.Sprintf("caching is disabled and its origin request policy %q is not AllViewer or AllViewerExceptHostHeader", request)
	}
	for _, p := range x.ByRef(cache) {
		if p.Type != cachePolicyType {
			continue
		}
		hc := get(x.In(p), "parametersInCacheKeyAndForwardedToOrigin.headersConfig")
		if str(get(hc, "headerBehavior")) == "whitelist" {
			for _, h := range strs(get(hc, "headers.items")) {
				if strings.EqualFold(h, authorizationHeader) {
					return ""
				}
			}
		}
		return fmt.Sprintf("its cache policy %s allows caching and does not key on Authorization", p.Name)
	}
	return fmt.Sprintf("its cache policy %s is not CachingDisabled and not one of the stack's policies keyed on Authorization", cache)
}

// webSocketHandshake reports whether an origin request policy is a
// WebSocket behaviour's: it forwards Sec-WebSocket-Key (CloudFront's
// requirement for WebSocket,
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-working-with.websockets.html)
// and query strings. A browser cannot set Authorization on the handshake;
// the token travels in the query string, which the $connect authorizer reads.
func webSocketHandshake(request string, x Index) bool {
	for _, p := range x.ByRef(request) {
		if p.Type != originRequestPolicyType {
			continue
		}
		in := x.In(p)
		if str(get(in, "queryStringsConfig.queryStringBehavior")) == "none" {
			return false
		}
		for _, h := range strs(get(in, "headersConfig.headers.items")) {
			if strings.EqualFold(h, "Sec-WebSocket-Key") {
				return true
			}
		}
	}
	return false
}
