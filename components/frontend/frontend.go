// Package frontend is the Frontend component: a private, versioned, KMS
// encrypted site bucket readable only by its CloudFront distribution (Origin
// Access Control); the distribution with a us-east-1 certificate, seed cache
// policies, security headers and standard logs; WAFv2 web ACLs (CLOUDFRONT
// scope in us-east-1, and REGIONAL for an internet-facing ALB origin); the
// Route53 records, and a health check for DR failover.
//
// Two shapes are supported, chosen by which origins the stack passes:
//   - SPA (DBay): the bucket serves the site; APIOrigin adds /api/* → API Gateway.
//   - ALB (Dhanam): the ALB serves the api and web hosts (Host is forwarded,
//     the ALB routes by host); only requests carrying the secret origin
//     header reach its targets. The bucket still serves the hashed assets.
//
// With Args.DR the site bucket is replicated (CRR with RTC) to a bucket in
// the recovery region, and CloudFront fails over to it for GET/HEAD when the
// primary bucket answers 5xx (an origin group).
package frontend

import (
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/components/cert"
	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/components/internal/outputs"
	"github.com/dbay/infra/config"
)

const typeToken = "dbay:components:Frontend"

// OriginVerifyHeader is the header CloudFront adds to every request to the
// ALB origin; the ALB's listener rules forward only requests carrying it.
const OriginVerifyHeader = "X-Origin-Verify"

// wsPath is a WebSocketOrigin.Path: one segment an API mapping key may be
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-mappings.html:
// letters, numbers and $-_.+!*'()).
var wsPath = regexp.MustCompile(`^/[A-Za-z0-9_.+-]+$`)

// Args configures the frontend.
type Args struct {
	// Spec is the validated `frontend` config section (defaults applied). Required.
	Spec config.Frontend
	// Env is the stack's: Domain (the apex domain) and Region (the
	// regional provider's) required, Partition empty: "aws"; Protect
	// protects the buckets (and a created zone) from deletion by Pulumi
	// (true in prod).
	config.Env
	// GlobalProvider is an AWS provider in us-east-1: CloudFront's
	// certificate and CLOUDFRONT-scope WAF resources live there whatever the
	// stack's region. Required.
	GlobalProvider *aws.Provider
	// Certificates says which certificate of the stack pair writes each
	// DNS validation record (cert.Book). nil: this component's
	// certificates write their own.
	Certificates *cert.Book
	// APIOrigin routes Spec.APIPaths to an API Gateway stage. nil: no API
	// origin (the ALB takes the API paths when there is one).
	APIOrigin *APIOrigin
	// WebSocketOrigin routes WebSocketOrigin.Path to a WebSocket API
	// through the distribution (and so its web ACL). nil: no WebSocket
	// behaviour.
	WebSocketOrigin *WebSocketOrigin
	// ALBOrigin makes an ALB the default origin. nil: the bucket is.
	ALBOrigin *ALBOrigin
	// Records are alias records of other components' endpoints (api.,
	// ws.) in the zone. nil: none.
	Records []AliasRecord
	// DR, when set, replicates the site bucket to a bucket in the recovery
	// region and serves GET/HEAD from it when the primary origin fails.
	DR *DR
}

// DR is the recovery region the site bucket is replicated to.
type DR struct {
	// Region is the recovery region; it must differ from Args.Region. Required.
	Region string
	// Provider is an AWS provider in Region: the replica bucket and its key
	// are created with it. Required.
	Provider *aws.Provider
}

// APIOrigin is an API Gateway endpoint reached over HTTPS.
type APIOrigin struct {
	// DomainName is the API's host: its custom domain (api.<domain>, as the
	// stacks pass it, so DNS failover of that name moves /api/* too) or an
	// execute-api host (abc123.execute-api.us-east-1.amazonaws.com). Required.
	DomainName pulumi.StringInput
	// OriginPath is the stage prefix, e.g. "/prod". Empty: none ($default stage).
	OriginPath string
	// Secret, when set, is sent as OriginVerifyHeader to the API, whose
	// authorizers refuse requests without it (CloudFront is then the only
	// way in). nil: no header.
	Secret pulumi.StringInput
}

// WebSocketOrigin is an API Gateway WebSocket API reached over HTTPS: the
// distribution serves it at wss://<first alias><Path>, forwarding the
// handshake's Sec-WebSocket-* headers and the TokenQuery query string to
// wss://<DomainName><Path>, never cached.
type WebSocketOrigin struct {
	// DomainName is the API's custom domain (ws.<domain>, the failover
	// record, so DNS failover moves the WebSocket behaviour too), mapped
	// with the API mapping key Path. Required.
	DomainName pulumi.StringInput
	// Path is the behaviour's path pattern and the path CloudFront
	// forwards, e.g. "/ws": one segment, no wildcard. Required.
	Path string
	// TokenQuery is the query string the $connect authorizer reads the
	// token from. Required.
	TokenQuery string
	// Secret, when set, is sent as OriginVerifyHeader; the $connect
	// authorizer refuses a handshake without it. nil: no header.
	Secret pulumi.StringInput
}

// ALBOrigin is an Application Load Balancer reached over HTTPS (TLS 1.2),
// with the viewer's Host forwarded: its certificate must cover the aliases.
type ALBOrigin struct {
	// DomainName is the ALB's DNS name, or a name that resolves to it (the
	// stacks pass origin.<domain>, a Route53 failover record between the
	// primary's and the recovery stack's ALBs). Required.
	DomainName pulumi.StringInput
	// InternetFacing puts a REGIONAL web ACL on the ALB (LoadBalancerArn
	// then required).
	InternetFacing bool
	// LoadBalancerArn is the ALB, for the REGIONAL web ACL association.
	LoadBalancerArn pulumi.StringInput
	// ListenerArn is the ALB's HTTPS listener; Routes become its rules,
	// each requiring OriginVerifyHeader. nil: the owner of the listener
	// writes those rules with OriginVerifySecret.
	ListenerArn pulumi.StringInput
	// Routes forward each host to its target group (Dhanam: api. and app.).
	Routes []HostRoute
	// Secret is the value CloudFront sends in OriginVerifyHeader, when the
	// listener's owner already requires it (the stack generates it once for
	// both). nil: generated here and exported as OriginVerifySecret.
	Secret pulumi.StringInput
}

// HostRoute forwards one host to a target group.
type HostRoute struct {
	Host           string             // one of Spec.Aliases
	TargetGroupArn pulumi.StringInput // required
	Priority       int                // listener rule priority, 1..50000, unique
}

// AliasRecord is an A (and optionally AAAA) alias to another endpoint.
type AliasRecord struct {
	Name   string             // full name under Domain, e.g. api.dbay.example.com
	Target pulumi.StringInput // the endpoint's DNS name
	ZoneID pulumi.StringInput // the endpoint's hosted zone id
	IPv6   bool               // also create the AAAA alias
}

// Frontend is the site, its CDN, firewall and DNS.
type Frontend struct {
	pulumi.ResourceState

	protect bool // Args.Protect: keys and buckets
	alarms  []alarm.Spec

	BucketName             pulumi.StringOutput      `pulumi:"bucketName"`
	BucketArn              pulumi.StringOutput      `pulumi:"bucketArn"`
	LogBucketName          pulumi.StringOutput      `pulumi:"logBucketName"`
	DistributionID         pulumi.StringOutput      `pulumi:"distributionId"`
	DistributionArn        pulumi.StringOutput      `pulumi:"distributionArn"`
	DistributionDomainName pulumi.StringOutput      `pulumi:"distributionDomainName"`
	CertificateArn         pulumi.StringOutput      `pulumi:"certificateArn"`
	WebACLArn              pulumi.StringOutput      `pulumi:"webAclArn"`
	RegionalWebACLArn      pulumi.StringOutput      `pulumi:"regionalWebAclArn"` // "" without an internet-facing ALB
	ZoneID                 pulumi.StringOutput      `pulumi:"zoneId"`
	NameServers            pulumi.StringArrayOutput `pulumi:"nameServers"`
	HealthCheckID          pulumi.StringOutput      `pulumi:"healthCheckId"`
	SiteURL                pulumi.StringOutput      `pulumi:"siteUrl"`
	// OriginVerifySecret is the value of OriginVerifyHeader (a secret); "" without an ALB origin.
	OriginVerifySecret pulumi.StringOutput `pulumi:"originVerifySecret"`
	// SyncCommands upload a build with the right Cache-Control per file
	// class, hashed assets first and HTML last; InvalidateCommand follows them.
	SyncCommands      pulumi.StringArrayOutput `pulumi:"syncCommands"`
	InvalidateCommand pulumi.StringOutput      `pulumi:"invalidateCommand"`
	// ReplicaBucketName is the site bucket's replica in DR.Region; "" without Args.DR.
	ReplicaBucketName pulumi.StringOutput `pulumi:"replicaBucketName"`

	// ApexRecord is the A alias of the domain itself, nil when the apex is
	// not an alias. Auth's custom domain waits for it (Args.ParentRecord).
	ApexRecord pulumi.Resource
}

// New creates the frontend. Children inherit the regional providers passed
// in opts; the certificate and CLOUDFRONT-scope WAF use Args.GlobalProvider.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Frontend, error) {
	if err := args.check(); err != nil {
		return nil, err
	}
	f := &Frontend{protect: args.Protect}
	if err := outputs.Component(ctx, typeToken, name, f, opts...); err != nil {
		return nil, err
	}
	partition := args.Partition
	if partition == "" {
		partition = "aws"
	}
	p := &parts{name: name, args: args, partition: partition, account: iamdoc.Account(ctx, f)}
	for _, step := range []func(*pulumi.Context, *parts) error{f.newEdge, f.newDistribution, f.secure, f.newRelease} {
		if err := step(ctx, p); err != nil {
			return nil, err
		}
	}
	return f, outputs.Register(ctx, f)
}

// parts are what New's steps create and hand each other.
type parts struct {
	name      string
	args      *Args
	partition string
	account   pulumi.StringOutput
	zoneID    pulumi.StringOutput
	certArn   pulumi.StringOutput
	logs      *bucketSet
	site      *bucketSet
	replica   *bucketSet // nil without DR
	acl       *wafv2.WebAcl
	secret    pulumi.StringOutput // the origin verify value; "" without an ALB origin
	dist      *cloudfront.Distribution
	siteKey   *kms.Key
	sse       pulumi.Resource
}

// newEdge creates the zone, certificate, buckets and the CLOUDFRONT web
// ACL, and settles the ALB origin's verify secret.
func (f *Frontend) newEdge(ctx *pulumi.Context, p *parts) error {
	args := p.args
	var err error
	if p.zoneID, err = f.zone(ctx, args); err != nil {
		return err
	}
	if p.certArn, err = f.certificate(ctx, p.zoneID, args); err != nil {
		return err
	}
	if p.logs, err = f.logBucket(ctx, args, p.account, p.partition); err != nil {
		return err
	}
	if p.site, err = f.siteBucket(ctx, args); err != nil {
		return err
	}
	if p.replica, err = f.replicaBucket(ctx, args); err != nil {
		return err
	}
	if p.acl, err = f.edgeACL(ctx, p.name, args, p.account, p.partition); err != nil {
		return err
	}
	p.secret = pulumi.String("").ToStringOutput()
	if args.ALBOrigin != nil {
		if args.ALBOrigin.Secret != nil {
			p.secret = pulumi.ToSecret(args.ALBOrigin.Secret.ToStringOutput()).(pulumi.StringOutput)
		} else if p.secret, err = f.originSecret(ctx); err != nil {
			return err
		}
	}
	return nil
}

// newDistribution creates the distribution, then locks the site bucket to
// it and replicates the bucket (with DR).
func (f *Frontend) newDistribution(ctx *pulumi.Context, p *parts) error {
	args := p.args
	dist, err := f.distribution(ctx, args, distributionInputs{
		certArn: p.certArn, aclArn: p.acl.Arn, site: p.site.bucket, replica: p.replica, logs: p.logs, secret: p.secret,
	})
	if err != nil {
		return err
	}
	p.dist = dist
	if p.siteKey, p.sse, err = f.lockSite(ctx, args, p.site, dist.Arn, p.account, p.partition); err != nil {
		return err
	}
	f.ReplicaBucketName = pulumi.String("").ToStringOutput()
	if p.replica != nil {
		if err := f.replicate(ctx, args, p.site, p.siteKey, p.replica, dist.Arn, p.account, p.partition); err != nil {
			return err
		}
		f.ReplicaBucketName = p.replica.bucket.Bucket
	}
	return nil
}

// secure creates the records, the ALB's REGIONAL web ACL (internet-facing)
// and its listener rules requiring the verify header.
func (f *Frontend) secure(ctx *pulumi.Context, p *parts) error {
	args := p.args
	if err := f.records(ctx, p.zoneID, p.dist.DomainName, p.dist.HostedZoneId, args); err != nil {
		return err
	}
	f.RegionalWebACLArn = pulumi.String("").ToStringOutput()
	alb := args.ALBOrigin
	if alb == nil {
		return nil
	}
	if alb.InternetFacing {
		regional, err := NewALBFirewall(ctx, f, ALBFirewallArgs{
			Env: args.Env, Name: p.name, Site: args.Spec.Aliases[0], LoadBalancerArn: alb.LoadBalancerArn,
			LogRetentionDays: args.Spec.LogRetentionDays,
		})
		if err != nil {
			return err
		}
		f.RegionalWebACLArn = regional.Arn
	}
	return f.listenerRules(ctx, alb, p.secret)
}

// newRelease creates the release commands and sets the remaining outputs.
func (f *Frontend) newRelease(ctx *pulumi.Context, p *parts) error {
	if err := f.release(ctx, p.args, p.site.bucket, p.sse, p.dist.ID().ToStringOutput()); err != nil {
		return err
	}
	f.BucketName = p.site.bucket.Bucket
	f.BucketArn = p.site.bucket.Arn
	f.LogBucketName = p.logs.bucket.Bucket
	f.DistributionID = p.dist.ID().ToStringOutput()
	f.DistributionArn = p.dist.Arn
	f.DistributionDomainName = p.dist.DomainName
	f.CertificateArn = p.certArn
	f.WebACLArn = p.acl.Arn
	f.watch(f.DistributionID, p.acl.Name)
	f.ZoneID = p.zoneID
	f.SiteURL = pulumi.String("https://" + p.args.Spec.Aliases[0]).ToStringOutput()
	f.OriginVerifySecret = pulumi.ToSecret(p.secret).(pulumi.StringOutput)
	return nil
}

// label names a record after its host: "apex" for the domain itself.
func label(host, domain string) string {
	if host == domain {
		return "apex"
	}
	return strings.TrimSuffix(host, "."+domain)
}
