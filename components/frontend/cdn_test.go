package frontend

import (
	"reflect"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/mockengine"
)

// behaviors maps each path pattern (and "default") to its rendered behavior.
func behaviors(dist *mockengine.Resource) map[string]map[string]any {
	out := map[string]map[string]any{"default": dist.In()["defaultCacheBehavior"].(map[string]any)}
	for _, b := range dist.In()["orderedCacheBehaviors"].([]any) {
		m := b.(map[string]any)
		out[m["pathPattern"].(string)] = m
	}
	return out
}

// ttls reads a cache policy's min/default/max TTL.
func ttls(p *mockengine.Resource) [3]any {
	in := p.In()
	return [3]any{in["minTtl"], in["defaultTtl"], in["maxTtl"]}
}

func origins(dist *mockengine.Resource) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, o := range dist.In()["origins"].([]any) {
		m := o.(map[string]any)
		out[m["originId"].(string)] = m
	}
	return out
}

func TestViewerSettings(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{region: "us-west-2", shape: dbay,
		raw: `{"priceClass":"PriceClass_200","geoRestriction":{"type":"whitelist","locations":["US","MX"]}}`})
	dist := r.one(t, tDist, "cdn")
	in := dist.In()
	cert := r.one(t, tCert, "site")
	want := map[string]any{
		"enabled":       true,
		"aliases":       []any{"app.dbay.example.com", "dbay.example.com"},
		"httpVersion":   "http2and3",
		"isIpv6Enabled": true,
		"priceClass":    "PriceClass_200",
		"webAclId":      r.one(t, tACL, "edge").Out()["arn"],
		"viewerCertificate": map[string]any{
			"acmCertificateArn": cert.Out()["arn"], "sslSupportMethod": "sni-only", "minimumProtocolVersion": "TLSv1.2_2021",
		},
		"restrictions": map[string]any{"geoRestriction": map[string]any{"restrictionType": "whitelist", "locations": []any{"US", "MX"}}},
	}
	for k, v := range want {
		if !reflect.DeepEqual(in[k], v) {
			t.Errorf("distribution %s = %v, want %v", k, in[k], v)
		}
	}
	headers := r.one(t, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "security-headers")
	for pattern, b := range behaviors(dist) {
		if b["viewerProtocolPolicy"] != "redirect-to-https" || b["compress"] != true || b["responseHeadersPolicyId"] != headers.ID {
			t.Errorf("behavior %s = %v, want redirect-to-https, compression and the security headers", pattern, b)
		}
	}
	if r.outs["distributionId"] != dist.ID || r.outs["distributionDomainName"] != dist.Out()["domainName"] ||
		r.outs["siteUrl"] != "https://app.dbay.example.com" || r.outs["certificateArn"] != cert.Out()["arn"] {
		t.Errorf("outputs = %v", r.outs)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{})
	got := r.one(t, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "security-headers").In()["securityHeadersConfig"]
	want := map[string]any{
		"strictTransportSecurity": map[string]any{"accessControlMaxAgeSec": 63072000.0, "includeSubdomains": true, "preload": false, "override": true},
		"contentTypeOptions":      map[string]any{"override": true},
		"frameOptions":            map[string]any{"frameOption": "DENY", "override": true},
		"referrerPolicy":          map[string]any{"referrerPolicy": "strict-origin-when-cross-origin", "override": true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("security headers\n got %v\nwant %v", got, want)
	}
}

// DBay: the bucket serves the SPA, /api/* goes to API Gateway uncached.
func TestCacheBehaviorsPerPathWithTheSeedTTLs(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{shape: dbay})
	dist := r.one(t, tDist, "cdn")
	bs := behaviors(dist)
	policies := map[string]*mockengine.Resource{}
	for _, p := range r.eng.ByType(tCache) {
		policies[p.ID] = p
	}
	tests := []struct {
		pattern, origin, requestPolicy string
		ttl                            [3]any // min, default, max; nil for the managed CachingDisabled
		methods                        int
	}{
		{"/api/*", "api", managedAllViewerExceptHost, [3]any{}, 7},
		{"/assets/*", "site", "", [3]any{31536000.0, 31536000.0, 31536000.0}, 2},
		{"default", "site", "", [3]any{0.0, 3600.0, 3600.0}, 2},
	}
	for _, tt := range tests {
		b := bs[tt.pattern]
		if b == nil {
			t.Errorf("no behavior for %s", tt.pattern)
			continue
		}
		if b["targetOriginId"] != tt.origin || len(b["allowedMethods"].([]any)) != tt.methods {
			t.Errorf("%s → %v with methods %v", tt.pattern, b["targetOriginId"], b["allowedMethods"])
		}
		if rp, _ := b["originRequestPolicyId"].(string); rp != tt.requestPolicy {
			t.Errorf("%s origin request policy = %q, want %q", tt.pattern, rp, tt.requestPolicy)
		}
		if tt.ttl == ([3]any{}) {
			if b["cachePolicyId"] != managedCachingDisabled {
				t.Errorf("%s cache policy = %v, want CachingDisabled (TTL 0)", tt.pattern, b["cachePolicyId"])
			}
			continue
		}
		p := policies[b["cachePolicyId"].(string)]
		if p == nil {
			t.Errorf("%s uses cache policy %v, which this component did not create", tt.pattern, b["cachePolicyId"])
		} else if ttls(p) != tt.ttl {
			t.Errorf("%s cache policy TTLs (min, default, max) = %v, want %v", tt.pattern, ttls(p), tt.ttl)
		}
	}
	if len(bs) != 3 || at(bs["/api/*"], "pathPattern") != at(dist.In(), "orderedCacheBehaviors", 0, "pathPattern") {
		t.Errorf("behaviors = %v, want /api/* first", bs)
	}
	api := origins(dist)["api"]
	if api["domainName"] != apiHost || api["originPath"] != "/prod" || !reflect.DeepEqual(api["customOriginConfig"], httpsOnlyRendered) {
		t.Errorf("api origin = %v", api)
	}
	// API errors must reach clients: no distribution-wide error pages, the
	// SPA routing is a function on the default behavior.
	if dist.In()["customErrorResponses"] != nil && len(dist.In()["customErrorResponses"].([]any)) > 0 {
		t.Errorf("custom error responses would rewrite API errors: %v", dist.In()["customErrorResponses"])
	}
	fn := r.one(t, "aws:cloudfront/function:Function", "spa-routing")
	want := []any{map[string]any{"eventType": "viewer-request", "functionArn": fn.Out()["arn"]}}
	if !reflect.DeepEqual(bs["default"]["functionAssociations"], want) || fn.In()["runtime"] != "cloudfront-js-2.0" ||
		!strings.Contains(fn.In()["code"].(string), "'/index.html'") {
		t.Errorf("SPA routing = %v on %v", fn.In(), bs["default"]["functionAssociations"])
	}
	if dist.In()["defaultRootObject"] != "index.html" {
		t.Errorf("defaultRootObject = %v", dist.In()["defaultRootObject"])
	}
	for _, p := range policies {
		kp := p.In()["parametersInCacheKeyAndForwardedToOrigin"]
		if at(kp, "enableAcceptEncodingGzip") != true || at(kp, "enableAcceptEncodingBrotli") != true ||
			at(kp, "cookiesConfig", "cookieBehavior") != "none" {
			t.Errorf("cache policy %s key = %v", p.Name, kp)
		}
	}
}

var httpsOnlyRendered = map[string]any{"httpPort": 80.0, "httpsPort": 443.0, "originProtocolPolicy": "https-only", "originSslProtocols": []any{"TLSv1.2"}}

func TestSPAFallbackWhenTheBucketIsTheOnlyOrigin(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{})
	dist := r.one(t, tDist, "cdn")
	want := []any{
		map[string]any{"errorCode": 403.0, "responseCode": 200.0, "responsePagePath": "/index.html", "errorCachingMinTtl": 10.0},
		map[string]any{"errorCode": 404.0, "responseCode": 200.0, "responsePagePath": "/index.html", "errorCachingMinTtl": 10.0},
	}
	if !reflect.DeepEqual(dist.In()["customErrorResponses"], want) {
		t.Errorf("custom error responses = %v, want 403/404 → /index.html 200", dist.In()["customErrorResponses"])
	}
	if len(origins(dist)) != 1 || len(behaviors(dist)) != 2 || len(r.eng.ByType("aws:cloudfront/function:Function")) != 0 {
		t.Errorf("a bucket-only site has origins %v and behaviors %v", origins(dist), behaviors(dist))
	}
}

// Dhanam: the ALB serves the api and web hosts; only CloudFront can reach it.
func TestALBOriginWithHostRoutingAndTheOriginSecret(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{region: "us-west-2", shape: dhanam, domain: "dhanam.io",
		raw: `{"aliases":["app.dhanam.io","api.dhanam.io"],"hashedPaths":["/_next/static/*"]}`})
	dist := r.one(t, tDist, "cdn")
	bs := behaviors(dist)
	alb := origins(dist)["alb"]
	if alb["domainName"] != albHost || !reflect.DeepEqual(alb["customOriginConfig"], httpsOnlyRendered) {
		t.Errorf("alb origin = %v, want HTTPS only with TLS 1.2", alb)
	}
	header := at(alb, "customHeaders", 0)
	if at(header, "name") != OriginVerifyHeader || at(header, "value") != mockengine.Redacted {
		t.Errorf("origin header = %v, want %s with a secret value", header, OriginVerifyHeader)
	}
	if !r.secret["originVerifySecret"] {
		t.Error("the originVerifySecret output is not a secret")
	}
	def := bs["default"]
	dynamic := r.one(t, tCache, "dynamic")
	if def["targetOriginId"] != "alb" || def["originRequestPolicyId"] != managedAllViewer || def["cachePolicyId"] != dynamic.ID ||
		len(def["allowedMethods"].([]any)) != 7 || def["functionAssociations"] != nil {
		t.Errorf("default behavior = %v, want the ALB with the viewer's Host", def)
	}
	if ttls(dynamic) != [3]any{0.0, 0.0, 3600.0} ||
		!reflect.DeepEqual(at(dynamic.In(), "parametersInCacheKeyAndForwardedToOrigin", "headersConfig", "headers", "items"), []any{"Host", "Authorization"}) {
		t.Errorf("dynamic cache policy = %v, want Host and Authorization (bearer tokens reach api.<domain>) in the key, nothing cached unless the app allows, at most 1 hour", dynamic.In())
	}
	if api := bs["/api/*"]; api["targetOriginId"] != "alb" || api["cachePolicyId"] != managedCachingDisabled || api["originRequestPolicyId"] != managedAllViewer {
		t.Errorf("/api/* = %v", api)
	}
	if next := bs["/_next/static/*"]; next["targetOriginId"] != "site" || ttls(r.one(t, tCache, "hashed-assets")) != [3]any{31536000.0, 31536000.0, 31536000.0} {
		t.Errorf("/_next/static/* = %v", next)
	}
	if dist.In()["customErrorResponses"] != nil || dist.In()["defaultRootObject"] != nil {
		t.Errorf("the app's own errors and root must pass through: %v %v", dist.In()["customErrorResponses"], dist.In()["defaultRootObject"])
	}

	for host, tg := range map[string]string{"api.dhanam.io": apiTG, "app.dhanam.io": webTG} {
		in := r.one(t, tRule, "alb-"+host).In()
		want := []any{
			map[string]any{"hostHeader": map[string]any{"values": []any{host}}},
			map[string]any{"httpHeader": map[string]any{"httpHeaderName": OriginVerifyHeader, "values": []any{mockengine.Redacted}}},
		}
		if in["listenerArn"] != listener || !reflect.DeepEqual(in["conditions"], want) ||
			!reflect.DeepEqual(in["actions"], []any{map[string]any{"type": "forward", "targetGroupArn": tg}}) {
			t.Errorf("listener rule for %s = %v", host, in)
		}
	}
}
