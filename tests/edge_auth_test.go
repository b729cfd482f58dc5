package tests

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
)

// AWS managed CloudFront policies (ids fixed by AWS).
const (
	cachingDisabled          = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	allViewer                = "216adef6-5c7f-47e4-b989-5492eafa07d3"
	allViewerExceptHost      = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
	cloudfrontCachePolicy    = tokens.CloudFrontCachePolicy
	cloudfrontDistributionTy = tokens.CloudFrontDistribution
)

// CloudFront forwards a viewer's Authorization header only when the
// behavior's cache policy keys on it, or when caching is disabled and the
// origin request policy is AllViewer or AllViewerExceptHostHeader
// (https://repost.aws/knowledge-center/cloudfront-authorization-header).
// Every behavior of every shipped stack that reaches a dynamic origin (an
// ALB or API Gateway) delivers bearer tokens: DBay's /api/* to API Gateway,
// and Dhanam's default behavior (app. and api.dhanam.io on the ALB) and
// /api/*.
func TestBearerTokensReachEveryDynamicOrigin(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		dir, stack string
		want       []string
	}{
		{root, "prod", []string{"/api/* -> api"}},
		{root, "dr", nil}, // no frontend: the primary's distribution fails over
		{"../examples/dhanam", "prod", []string{"/api/* -> alb", "default -> alb"}},
		{"../examples/dhanam", "dr", nil},
	} {
		r := synthesize(t, tt.dir, tt.stack)
		var got []string
		for _, d := range r.Engine.ByType(cloudfrontDistributionTy) {
			got = append(got, authorizationPaths(t, r, d)...)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %s: behaviors reaching a dynamic origin %v, want %v", tt.dir, tt.stack, got, tt.want)
		}
	}
}

// authorizationPaths lists "<path> -> <origin>" for each behavior of d that
// reaches a custom origin, failing t for each that drops Authorization.
func authorizationPaths(t *testing.T, r *synth.Result, d *mockengine.Resource) []string {
	t.Helper()
	in := d.In()
	custom := map[string]bool{}
	for _, o := range in["origins"].([]any) {
		o := o.(map[string]any)
		if o["customOriginConfig"] != nil {
			custom[o["originId"].(string)] = true
		}
	}
	behaviors := []any{in["defaultCacheBehavior"]}
	if ordered, ok := in["orderedCacheBehaviors"].([]any); ok {
		behaviors = append(behaviors, ordered...)
	}
	var out []string
	for _, b := range behaviors {
		b := b.(map[string]any)
		origin, _ := b["targetOriginId"].(string)
		if !custom[origin] {
			continue
		}
		path, _ := b["pathPattern"].(string)
		if path == "" {
			path = "default"
		}
		if origin == "websocket" {
			// A browser cannot set Authorization on a WebSocket
			// handshake: the token rides in the query string, which the
			// /ws behaviour's own origin request policy forwards (with the
			// Sec-WebSocket-* headers; TestWebSocketBehindTheEdge).
			continue
		}
		out = append(out, path+" -> "+origin)
		cache, _ := b["cachePolicyId"].(string)
		request, _ := b["originRequestPolicyId"].(string)
		switch {
		case cache == cachingDisabled && (request == allViewer || request == allViewerExceptHost):
		case cache == cachingDisabled:
			t.Errorf("%s %s: caching disabled but origin request policy %q forwards no Authorization", r.Stack, path, request)
		default:
			if !keysOnAuthorization(r, cache) {
				t.Errorf("%s %s -> %s: cache policy %s allows caching and does not key on Authorization: CloudFront drops bearer tokens", r.Stack, path, origin, cache)
			}
		}
	}
	return out
}

// keysOnAuthorization reports whether the stack's cache policy with that id
// has Authorization in its cache key.
func keysOnAuthorization(r *synth.Result, id string) bool {
	for _, p := range r.Engine.ByType(cloudfrontCachePolicy) {
		if p.ID != id {
			continue
		}
		params, _ := p.In()["parametersInCacheKeyAndForwardedToOrigin"].(map[string]any)
		hc, _ := params["headersConfig"].(map[string]any)
		headers, _ := hc["headers"].(map[string]any)
		items, _ := headers["items"].([]any)
		for _, h := range items {
			if s, _ := h.(string); strings.EqualFold(s, "Authorization") && hc["headerBehavior"] == "whitelist" {
				return true
			}
		}
	}
	return false
}
