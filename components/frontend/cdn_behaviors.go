package frontend

import (
	"github.com/dbay/infra/config"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// spaRouting rewrites every path without a file extension to /index.html,
// so deep links load the SPA. It runs on the bucket's default behavior only,
// where an API shares the distribution: custom error responses would be
// distribution-wide and turn the API's 403/404 into 200 HTML.
const spaRouting = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/') || uri.lastIndexOf('.') <= uri.lastIndexOf('/')) {
    request.uri = '/index.html';
  }
  return request;
}
`

// orderedBehavior is a path's cache behaviour: HTTPS, compressed, with the
// security headers, and the origin request policy if any.
func orderedBehavior(pattern, origin string, cachePolicy pulumi.StringInput, requestPolicy string, methods []string, headers pulumi.IDOutput) cloudfront.DistributionOrderedCacheBehaviorArgs {
	b := cloudfront.DistributionOrderedCacheBehaviorArgs{
		PathPattern:             pulumi.String(pattern),
		TargetOriginId:          pulumi.String(origin),
		ViewerProtocolPolicy:    pulumi.String("redirect-to-https"),
		AllowedMethods:          pulumi.ToStringArray(methods),
		CachedMethods:           pulumi.ToStringArray(cachedMethods),
		CachePolicyId:           cachePolicy,
		ResponseHeadersPolicyId: headers,
		Compress:                pulumi.Bool(true),
	}
	if requestPolicy != "" {
		b.OriginRequestPolicyId = pulumi.String(requestPolicy)
	}
	return b
}

// pathBehaviors are the API paths' behaviours (never cached, see
// addAppOrigins), then the content-hashed paths' (cached for a year).
func pathBehaviors(spec config.Frontend, api apiTarget, siteTarget string, assets, headers pulumi.IDOutput) cloudfront.DistributionOrderedCacheBehaviorArray {
	var ordered cloudfront.DistributionOrderedCacheBehaviorArray
	if api.origin != "" {
		for _, p := range spec.APIPaths {
			ordered = append(ordered, orderedBehavior(p, api.origin, pulumi.String(managedCachingDisabled), api.requestPolicy, allMethods, headers))
		}
	}
	for _, p := range spec.HashedPaths {
		ordered = append(ordered, orderedBehavior(p, siteTarget, assets, "", readMethods, headers))
	}
	return ordered
}

// defaultCacheBehavior is the distribution's default behaviour and what
// goes with it: the root object and the custom error responses.
type defaultCacheBehavior struct {
	args           cloudfront.DistributionDefaultCacheBehaviorArgs
	rootObject     pulumi.StringPtrInput // the ALB's app serves "/" itself
	errorResponses cloudfront.DistributionCustomErrorResponseArray
}

// defaultBehavior targets the ALB's app when there is one, else the site
// bucket as a SPA, and creates the cache policy (and SPA routing function)
// it uses.
func (f *Frontend) defaultBehavior(ctx *pulumi.Context, args *Args, siteTarget string, headers pulumi.IDOutput) (defaultCacheBehavior, error) {
	parent := pulumi.Parent(f)
	var d defaultCacheBehavior
	def := cloudfront.DistributionDefaultCacheBehaviorArgs{
		ViewerProtocolPolicy:    pulumi.String("redirect-to-https"),
		CachedMethods:           pulumi.ToStringArray(cachedMethods),
		ResponseHeadersPolicyId: headers,
		Compress:                pulumi.Bool(true),
	}
	if args.ALBOrigin != nil {
		// The app (Next.js) renders HTML per host: the ALB sees the viewer's
		// Host and CloudFront keys on it. Responses are cached only as far
		// as the app allows (s-maxage), capped at the seed's HTML hour; the
		// API answers no-store and is never cached.
		//
		// The API host (api.<domain>) shares this behavior (behaviors match
		// paths, not hosts), and its clients send bearer tokens. CloudFront
		// drops the viewer's Authorization header unless the cache policy
		// keys on it, or caching is disabled with an AllViewer origin
		// request policy (https://repost.aws/knowledge-center/cloudfront-authorization-header);
		// keying on it keeps the app's HTML cacheable for anonymous viewers
		// and never serves one token's response to another.
		dynamic, err := cachePolicy(ctx, "dynamic", "App per host and bearer token, as the origin allows, at most 1 hour", 0, 0, ttlHTML, []string{"Host", "Authorization"}, parent)
		if err != nil {
			return d, err
		}
		def.TargetOriginId = pulumi.String(originALB)
		def.AllowedMethods = pulumi.ToStringArray(allMethods)
		def.CachePolicyId = dynamic.ID()
		def.OriginRequestPolicyId = pulumi.String(managedAllViewer)
	} else {
		html, err := cachePolicy(ctx, "html", "SPA HTML: 1 hour", 0, ttlHTML, ttlHTML, nil, parent)
		if err != nil {
			return d, err
		}
		def.TargetOriginId = pulumi.String(siteTarget)
		def.AllowedMethods = pulumi.ToStringArray(readMethods)
		def.CachePolicyId = html.ID()
		d.rootObject = pulumi.String("index.html")
		if args.APIOrigin == nil {
			// Only the bucket answers: missing paths are SPA routes.
			for _, code := range []int{403, 404} {
				d.errorResponses = append(d.errorResponses, cloudfront.DistributionCustomErrorResponseArgs{
					ErrorCode: pulumi.Int(code), ResponseCode: pulumi.Int(200),
					ResponsePagePath: pulumi.String("/index.html"), ErrorCachingMinTtl: pulumi.Int(10),
				})
			}
		} else {
			fn, err := cloudfront.NewFunction(ctx, "spa-routing", &cloudfront.FunctionArgs{
				Runtime: pulumi.String("cloudfront-js-2.0"),
				Comment: pulumi.String("SPA deep links: extension-less paths serve /index.html"),
				Code:    pulumi.String(spaRouting),
				Publish: pulumi.Bool(true),
			}, parent)
			if err != nil {
				return d, err
			}
			def.FunctionAssociations = cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArray{
				cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArgs{EventType: pulumi.String("viewer-request"), FunctionArn: fn.Arn},
			}
		}
	}
	d.args = def
	return d, nil
}

// webSocketHeaders are the handshake headers CloudFront must forward for a
// WebSocket connection (Sec-WebSocket-Key and -Version at least:
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-working-with.websockets.html),
// with the subprotocol and extension negotiation.
var webSocketHeaders = []string{"Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions"}

// webSocketBehavior is the WebSocket API's origin and its behaviour
// (issue 15 item 3): CloudFront supports WebSocket on any distribution when
// the behaviour forwards the handshake headers (webSocketHeaders), and the
// distribution's web ACL inspects the upgrade request like any other
// (https://docs.aws.amazon.com/waf/latest/developerguide/cloudfront-features.html),
// so the rate limit, SQLi and IP reputation rules see every handshake. The
// origin request policy forwards those headers and the token query string
// only (no cookies, no Host: API Gateway must see its own name); caching is
// off; GET only (the handshake), plus HEAD which a behaviour must allow.
func (f *Frontend) webSocketBehavior(ctx *pulumi.Context, ws *WebSocketOrigin, headers pulumi.IDOutput) (cloudfront.DistributionOriginArgs, cloudfront.DistributionOrderedCacheBehaviorArgs, error) {
	origin := cloudfront.DistributionOriginArgs{
		OriginId:           pulumi.String(originWS),
		DomainName:         ws.DomainName,
		CustomOriginConfig: httpsOnly(),
	}
	if sec := ws.Secret; sec != nil {
		// The same header, and value, as the HTTP API's (a custom origin
		// header replaces a viewer's header of the same name:
		// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html).
		origin.CustomHeaders = cloudfront.DistributionOriginCustomHeaderArray{cloudfront.DistributionOriginCustomHeaderArgs{
			Name: pulumi.String(OriginVerifyHeader), Value: pulumi.ToSecret(sec.ToStringOutput()).(pulumi.StringOutput),
		}}
	}
	policy, err := cloudfront.NewOriginRequestPolicy(ctx, "websocket", &cloudfront.OriginRequestPolicyArgs{
		Comment: pulumi.String("WebSocket handshake: Sec-WebSocket-* headers and the token query string"),
		HeadersConfig: cloudfront.OriginRequestPolicyHeadersConfigArgs{
			HeaderBehavior: pulumi.String("whitelist"),
			Headers:        &cloudfront.OriginRequestPolicyHeadersConfigHeadersArgs{Items: pulumi.ToStringArray(webSocketHeaders)},
		},
		CookiesConfig: cloudfront.OriginRequestPolicyCookiesConfigArgs{CookieBehavior: pulumi.String("none")},
		QueryStringsConfig: cloudfront.OriginRequestPolicyQueryStringsConfigArgs{
			QueryStringBehavior: pulumi.String("whitelist"),
			QueryStrings:        &cloudfront.OriginRequestPolicyQueryStringsConfigQueryStringsArgs{Items: pulumi.ToStringArray([]string{ws.TokenQuery})},
		},
	}, pulumi.Parent(f))
	if err != nil {
		return origin, cloudfront.DistributionOrderedCacheBehaviorArgs{}, err
	}
	return origin, cloudfront.DistributionOrderedCacheBehaviorArgs{
		PathPattern:             pulumi.String(ws.Path),
		TargetOriginId:          pulumi.String(originWS),
		ViewerProtocolPolicy:    pulumi.String("https-only"),
		AllowedMethods:          pulumi.ToStringArray(readMethods),
		CachedMethods:           pulumi.ToStringArray(cachedMethods),
		CachePolicyId:           pulumi.String(managedCachingDisabled),
		OriginRequestPolicyId:   policy.ID(),
		ResponseHeadersPolicyId: headers,
		Compress:                pulumi.Bool(false),
	}, nil
}

// cachePolicy keys on nothing but the path (and the listed headers, and
// every query string when headers are keyed), with gzip and brotli.
func cachePolicy(ctx *pulumi.Context, name, comment string, minTTL, defaultTTL, maxTTL int, keyHeaders []string, opts ...pulumi.ResourceOption) (*cloudfront.CachePolicy, error) {
	headers := cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigArgs{HeaderBehavior: pulumi.String("none")}
	queries := "none"
	if len(keyHeaders) > 0 {
		headers = cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigArgs{
			HeaderBehavior: pulumi.String("whitelist"),
			Headers:        &cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigHeadersArgs{Items: pulumi.ToStringArray(keyHeaders)},
		}
		queries = "all"
	}
	return cloudfront.NewCachePolicy(ctx, name, &cloudfront.CachePolicyArgs{
		Comment:    pulumi.String(comment),
		MinTtl:     pulumi.Int(minTTL),
		DefaultTtl: pulumi.Int(defaultTTL),
		MaxTtl:     pulumi.Int(maxTTL),
		ParametersInCacheKeyAndForwardedToOrigin: cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginArgs{
			EnableAcceptEncodingGzip:   pulumi.Bool(true),
			EnableAcceptEncodingBrotli: pulumi.Bool(true),
			HeadersConfig:              headers,
			CookiesConfig:              cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigArgs{CookieBehavior: pulumi.String("none")},
			QueryStringsConfig:         cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigArgs{QueryStringBehavior: pulumi.String(queries)},
		},
	}, opts...)
}
