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

	o := siteOrigins(in, oac.ID())
	api := o.addAppOrigins(args, in.secret)
	var ordered cloudfront.DistributionOrderedCacheBehaviorArray
	if ws := args.WebSocketOrigin; ws != nil {
		origin, b, err := f.webSocketBehavior(ctx, ws, headers.ID())
		if err != nil {
			return nil, err
		}
		o.list, ordered = append(o.list, origin), append(ordered, b)
	}
	ordered = append(ordered, pathBehaviors(spec, api, o.siteTarget, assets.ID(), headers.ID())...)
	def, err := f.defaultBehavior(ctx, args, o.siteTarget, headers.ID())
	if err != nil {
		return nil, err
	}

	return cloudfront.NewDistribution(ctx, "cdn", &cloudfront.DistributionArgs{
		Enabled:           pulumi.Bool(true),
		Comment:           pulumi.String(args.Spec.Aliases[0]),
		Aliases:           pulumi.ToStringArray(spec.Aliases),
		HttpVersion:       pulumi.String("http2and3"),
		IsIpv6Enabled:     pulumi.Bool(true),
		PriceClass:        pulumi.String(spec.PriceClass),
		DefaultRootObject: def.rootObject,
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
		Origins:               o.list,
		OriginGroups:          o.groups,
		DefaultCacheBehavior:  def.args,
		OrderedCacheBehaviors: ordered,
		CustomErrorResponses:  def.errorResponses,
	}, parent, pulumi.DependsOn(in.logs.ready))
}

// distributionOrigins are the distribution's origins and origin groups.
type distributionOrigins struct {
	list   cloudfront.DistributionOriginArray
	groups cloudfront.DistributionOriginGroupArray
	// siteTarget is what the bucket's behaviours target: the site origin, or
	// with DR an origin group failing over to the replica. Origin groups
	// serve GET/HEAD/OPTIONS only, which is all the site behaviours allow.
	siteTarget string
}

// siteOrigins are the site bucket's origin and, with DR, its replica's and
// the origin group failing over from one to the other.
func siteOrigins(in distributionInputs, oac pulumi.IDOutput) *distributionOrigins {
	o := &distributionOrigins{siteTarget: originSite}
	o.list = cloudfront.DistributionOriginArray{cloudfront.DistributionOriginArgs{
		OriginId:              pulumi.String(originSite),
		DomainName:            in.site.BucketRegionalDomainName,
		OriginAccessControlId: oac,
	}}
	if in.replica != nil {
		o.list = append(o.list, cloudfront.DistributionOriginArgs{
			OriginId:              pulumi.String(originReplica),
			DomainName:            in.replica.bucket.BucketRegionalDomainName,
			OriginAccessControlId: oac,
		})
		o.groups = cloudfront.DistributionOriginGroupArray{cloudfront.DistributionOriginGroupArgs{
			OriginId:         pulumi.String(originGroup),
			FailoverCriteria: cloudfront.DistributionOriginGroupFailoverCriteriaArgs{StatusCodes: pulumi.ToIntArray(failoverCodes)},
			Members: cloudfront.DistributionOriginGroupMemberArray{
				cloudfront.DistributionOriginGroupMemberArgs{OriginId: pulumi.String(originSite)},
				cloudfront.DistributionOriginGroupMemberArgs{OriginId: pulumi.String(originReplica)},
			},
		}}
		o.siteTarget = originGroup
	}
	return o
}

// apiTarget is the origin the API paths target ("" for none) and the origin
// request policy they use.
type apiTarget struct {
	origin, requestPolicy string
}

// addAppOrigins adds the HTTP API's and the ALB's origins, and returns what
// the API paths target.
//
// API paths: never cached, everything forwarded (Authorization too:
// CachingDisabled with an AllViewer origin request policy). API Gateway
// must see its own Host; the ALB routes on the viewer's.
func (o *distributionOrigins) addAppOrigins(args *Args, secret pulumi.StringOutput) apiTarget {
	var target apiTarget
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
		o.list = append(o.list, api)
		target = apiTarget{originAPI, managedAllViewerExceptHost}
	case args.ALBOrigin != nil:
		target = apiTarget{originALB, managedAllViewer}
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
		o.list = append(o.list, cloudfront.DistributionOriginArgs{
			OriginId:           pulumi.String(originALB),
			DomainName:         args.ALBOrigin.DomainName,
			CustomOriginConfig: httpsOnly(),
			CustomHeaders: cloudfront.DistributionOriginCustomHeaderArray{cloudfront.DistributionOriginCustomHeaderArgs{
				Name: pulumi.String(OriginVerifyHeader), Value: secret,
			}},
		})
	}
	return target
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
