package frontend

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Cache lifetimes from the Dhanam guide's CDN section.
const (
	ttlHashedAssets = 31536000 // static assets: 1 year (content-hashed names)
	ttlHTML         = 3600     // HTML pages: 1 hour
)

// AWS managed policies (ids are fixed by AWS).
const (
	// managedCachingDisabled: TTL 0, nothing in the cache key.
	managedCachingDisabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	// managedAllViewer forwards every header (Host included), cookie and query string.
	managedAllViewer = "216adef6-5c7f-47e4-b989-5492eafa07d3"
	// managedAllViewerExceptHost: the same without Host, which API Gateway
	// must receive as its own name.
	managedAllViewerExceptHost = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
)

const (
	originSite    = "site"
	originReplica = "site-replica" // the site bucket's replica in the DR region
	originGroup   = "site-group"   // site, failing over to site-replica
	originAPI     = "api"
	originWS      = "websocket"
	originALB     = "alb"
)

// failoverCodes are the primary bucket's answers on which the origin group
// retries the request on the replica: server errors, never 403/404 (a
// missing object is missing in the replica too).
var failoverCodes = []int{500, 502, 503, 504}

var (
	allMethods    = []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
	readMethods   = []string{"GET", "HEAD"}
	cachedMethods = []string{"GET", "HEAD"}
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

type distributionInputs struct {
	certArn pulumi.StringOutput
	aclArn  pulumi.StringOutput
	site    *s3.BucketV2
	replica *bucketSet // nil without DR
	logs    *bucketSet
	secret  pulumi.StringOutput
}

// distribution creates the CloudFront distribution and its policies.
func (f *Frontend) distribution(ctx *pulumi.Context, args *Args, in distributionInputs) (*cloudfront.Distribution, error) {
	parent := pulumi.Parent(f)
	spec := args.Spec
	oac, err := cloudfront.NewOriginAccessControl(ctx, "site", &cloudfront.OriginAccessControlArgs{
		Description:                   pulumi.String("CloudFront reads the site bucket with SigV4"),
		OriginAccessControlOriginType: pulumi.String("s3"),
		SigningBehavior:               pulumi.String("always"),
		SigningProtocol:               pulumi.String("sigv4"),
	}, parent)
	if err != nil {
		return nil, err
	}
	assets, err := cachePolicy(ctx, "hashed-assets", "Content-hashed build output: 1 year", ttlHashedAssets, ttlHashedAssets, ttlHashedAssets, nil, parent)
	if err != nil {
		return nil, err
	}
	headers, err := securityHeaders(ctx, parent)
	if err != nil {
		return nil, err
	}

	origins := cloudfront.DistributionOriginArray{cloudfront.DistributionOriginArgs{
		OriginId:              pulumi.String(originSite),
		DomainName:            in.site.BucketRegionalDomainName,
		OriginAccessControlId: oac.ID(),
	}}
	// siteTarget is what the bucket's behaviours target: the site origin, or
	// with DR an origin group failing over to the replica. Origin groups
	// serve GET/HEAD/OPTIONS only, which is all the site behaviours allow.
	siteTarget := originSite
	var groups cloudfront.DistributionOriginGroupArray
	if in.replica != nil {
		origins = append(origins, cloudfront.DistributionOriginArgs{
			OriginId:              pulumi.String(originReplica),
			DomainName:            in.replica.bucket.BucketRegionalDomainName,
			OriginAccessControlId: oac.ID(),
		})
		groups = cloudfront.DistributionOriginGroupArray{cloudfront.DistributionOriginGroupArgs{
			OriginId:         pulumi.String(originGroup),
			FailoverCriteria: cloudfront.DistributionOriginGroupFailoverCriteriaArgs{StatusCodes: pulumi.ToIntArray(failoverCodes)},
			Members: cloudfront.DistributionOriginGroupMemberArray{
				cloudfront.DistributionOriginGroupMemberArgs{OriginId: pulumi.String(originSite)},
				cloudfront.DistributionOriginGroupMemberArgs{OriginId: pulumi.String(originReplica)},
			},
		}}
		siteTarget = originGroup
	}
	behavior := func(pattern, origin string, cachePolicy pulumi.StringInput, requestPolicy string, methods []string) cloudfront.DistributionOrderedCacheBehaviorArgs {
		b := cloudfront.DistributionOrderedCacheBehaviorArgs{
			PathPattern:             pulumi.String(pattern),
			TargetOriginId:          pulumi.String(origin),
			ViewerProtocolPolicy:    pulumi.String("redirect-to-https"),
			AllowedMethods:          pulumi.ToStringArray(methods),
			CachedMethods:           pulumi.ToStringArray(cachedMethods),
			CachePolicyId:           cachePolicy,
			ResponseHeadersPolicyId: headers.ID(),
			Compress:                pulumi.Bool(true),
		}
		if requestPolicy != "" {
			b.OriginRequestPolicyId = pulumi.String(requestPolicy)
		}
		return b
	}

	// API paths: never cached, everything forwarded (Authorization too:
	// CachingDisabled with an AllViewer origin request policy). API Gateway
	// must see its own Host; the ALB routes on the viewer's.
	var ordered cloudfront.DistributionOrderedCacheBehaviorArray
	apiOrigin, apiRequestPolicy := "", ""
	switch {
	case args.APIOrigin != nil:
		api := cloudfront.DistributionOriginArgs{
			OriginId:           pulumi.String(originAPI),
			DomainName:         args.APIOrigin.DomainName,
			OriginPath:         pulumi.String(args.APIOrigin.OriginPath),
			CustomOriginConfig: httpsOnly(),
		}
		if sec := args.APIOrigin.Secret; sec != nil {
			// A custom origin header replaces a viewer's header of the same
			// name (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html).
			api.CustomHeaders = cloudfront.DistributionOriginCustomHeaderArray{cloudfront.DistributionOriginCustomHeaderArgs{
				Name: pulumi.String(OriginVerifyHeader), Value: pulumi.ToSecret(sec.ToStringOutput()).(pulumi.StringOutput),
			}}
		}
		origins = append(origins, api)
		apiOrigin, apiRequestPolicy = originAPI, managedAllViewerExceptHost
	case args.ALBOrigin != nil:
		apiOrigin, apiRequestPolicy = originALB, managedAllViewer
	}
	if args.ALBOrigin != nil {
		// Every behaviour targeting the ALB forwards the viewer's Host
		// (managedAllViewer), so CloudFront sends app./api.<domain> as the
		// TLS SNI and validates the ALB's certificate against that Host,
		// not against DomainName ("Domain names in the CloudFront
		// distribution and in the certificate": docs.aws.amazon.com/
		// AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html).
		// DomainName only says where to connect: the ALB's own DNS name, or
		// origin.<domain> when the stacks fail the ALB over in DNS. The
		// ALB's certificate (*.<domain> and <domain> by default) covers the
		// aliases, and origin.<domain> too, so neither name needs more.
		origins = append(origins, cloudfront.DistributionOriginArgs{
			OriginId:           pulumi.String(originALB),
			DomainName:         args.ALBOrigin.DomainName,
			CustomOriginConfig: httpsOnly(),
			CustomHeaders: cloudfront.DistributionOriginCustomHeaderArray{cloudfront.DistributionOriginCustomHeaderArgs{
				Name: pulumi.String(OriginVerifyHeader), Value: in.secret,
			}},
		})
	}
	if ws := args.WebSocketOrigin; ws != nil {
		origin, b, err := f.webSocketBehavior(ctx, ws, headers.ID())
		if err != nil {
			return nil, err
		}
		origins, ordered = append(origins, origin), append(ordered, b)
	}
	if apiOrigin != "" {
		for _, p := range spec.APIPaths {
			ordered = append(ordered, behavior(p, apiOrigin, pulumi.String(managedCachingDisabled), apiRequestPolicy, allMethods))
		}
	}
	for _, p := range spec.HashedPaths {
		ordered = append(ordered, behavior(p, siteTarget, assets.ID(), "", readMethods))
	}

	def := cloudfront.DistributionDefaultCacheBehaviorArgs{
		ViewerProtocolPolicy:    pulumi.String("redirect-to-https"),
		CachedMethods:           pulumi.ToStringArray(cachedMethods),
		ResponseHeadersPolicyId: headers.ID(),
		Compress:                pulumi.Bool(true),
	}
	var errorResponses cloudfront.DistributionCustomErrorResponseArray
	var rootObject pulumi.StringPtrInput // the ALB's app serves "/" itself
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
			return nil, err
		}
		def.TargetOriginId = pulumi.String(originALB)
		def.AllowedMethods = pulumi.ToStringArray(allMethods)
		def.CachePolicyId = dynamic.ID()
		def.OriginRequestPolicyId = pulumi.String(managedAllViewer)
	} else {
		html, err := cachePolicy(ctx, "html", "SPA HTML: 1 hour", 0, ttlHTML, ttlHTML, nil, parent)
		if err != nil {
			return nil, err
		}
		def.TargetOriginId = pulumi.String(siteTarget)
		def.AllowedMethods = pulumi.ToStringArray(readMethods)
		def.CachePolicyId = html.ID()
		rootObject = pulumi.String("index.html")
		if args.APIOrigin == nil {
			// Only the bucket answers: missing paths are SPA routes.
			for _, code := range []int{403, 404} {
				errorResponses = append(errorResponses, cloudfront.DistributionCustomErrorResponseArgs{
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
				return nil, err
			}
			def.FunctionAssociations = cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArray{
				cloudfront.DistributionDefaultCacheBehaviorFunctionAssociationArgs{EventType: pulumi.String("viewer-request"), FunctionArn: fn.Arn},
			}
		}
	}

	return cloudfront.NewDistribution(ctx, "cdn", &cloudfront.DistributionArgs{
		Enabled:           pulumi.Bool(true),
		Comment:           pulumi.String(args.Spec.Aliases[0]),
		Aliases:           pulumi.ToStringArray(spec.Aliases),
		HttpVersion:       pulumi.String("http2and3"),
		IsIpv6Enabled:     pulumi.Bool(true),
		PriceClass:        pulumi.String(spec.PriceClass),
		DefaultRootObject: rootObject,
		WebAclId:          in.aclArn,
		ViewerCertificate: cloudfront.DistributionViewerCertificateArgs{
			AcmCertificateArn:      in.certArn,
			SslSupportMethod:       pulumi.String("sni-only"),
			MinimumProtocolVersion: pulumi.String(spec.MinimumProtocolVersion),
		},
		Restrictions: cloudfront.DistributionRestrictionsArgs{GeoRestriction: cloudfront.DistributionRestrictionsGeoRestrictionArgs{
			RestrictionType: pulumi.String(spec.GeoRestriction.Type),
			Locations:       pulumi.ToStringArray(spec.GeoRestriction.Locations),
		}},
		LoggingConfig: &cloudfront.DistributionLoggingConfigArgs{
			Bucket:         in.logs.bucket.BucketDomainName,
			Prefix:         pulumi.String("cloudfront/"),
			IncludeCookies: pulumi.Bool(false),
		},
		Origins:               origins,
		OriginGroups:          groups,
		DefaultCacheBehavior:  def,
		OrderedCacheBehaviors: ordered,
		CustomErrorResponses:  errorResponses,
	}, parent, pulumi.DependsOn(in.logs.ready))
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

// httpsOnly is a custom origin reached over HTTPS with TLS 1.2 only.
func httpsOnly() *cloudfront.DistributionOriginCustomOriginConfigArgs {
	return &cloudfront.DistributionOriginCustomOriginConfigArgs{
		HttpPort:             pulumi.Int(80),
		HttpsPort:            pulumi.Int(443),
		OriginProtocolPolicy: pulumi.String("https-only"),
		OriginSslProtocols:   pulumi.ToStringArray([]string{"TLSv1.2"}),
	}
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

// securityHeaders adds HSTS (2 years, subdomains), nosniff, DENY framing
// and a strict referrer policy to every response, overriding the origin's.
func securityHeaders(ctx *pulumi.Context, opts ...pulumi.ResourceOption) (*cloudfront.ResponseHeadersPolicy, error) {
	return cloudfront.NewResponseHeadersPolicy(ctx, "security-headers", &cloudfront.ResponseHeadersPolicyArgs{
		Comment: pulumi.String("HSTS, nosniff, frame DENY, strict-origin-when-cross-origin"),
		SecurityHeadersConfig: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgs{
			StrictTransportSecurity: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs{
				AccessControlMaxAgeSec: pulumi.Int(63072000),
				IncludeSubdomains:      pulumi.Bool(true),
				Preload:                pulumi.Bool(false),
				Override:               pulumi.Bool(true),
			},
			ContentTypeOptions: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs{Override: pulumi.Bool(true)},
			FrameOptions: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs{
				FrameOption: pulumi.String("DENY"), Override: pulumi.Bool(true),
			},
			ReferrerPolicy: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs{
				ReferrerPolicy: pulumi.String("strict-origin-when-cross-origin"), Override: pulumi.Bool(true),
			},
		},
	}, opts...)
}

// originSecret is the value CloudFront sends in OriginVerifyHeader: a
// generated Pulumi secret, never a plain value in state.
func (f *Frontend) originSecret(ctx *pulumi.Context) (pulumi.StringOutput, error) {
	p, err := random.NewRandomPassword(ctx, "origin-verify", &random.RandomPasswordArgs{
		Length:  pulumi.Int(48),
		Special: pulumi.Bool(false),
	}, pulumi.Parent(f))
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return p.Result, nil
}
