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
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
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
	// Domain is the stack's apex domain. Required.
	Domain string
	// Region is the stack's region (the regional provider's). Required.
	Region string
	// Partition is the AWS partition of Region. Empty: "aws".
	Partition string
	// GlobalProvider is an AWS provider in us-east-1: CloudFront's
	// certificate and CLOUDFRONT-scope WAF resources live there whatever the
	// stack's region. Required.
	GlobalProvider *aws.Provider
	// Certificates says which certificate of the stack pair writes each
	// DNS validation record (cert.Book). nil: this component's
	// certificates write their own.
	Certificates *cert.Book
	// Protect protects the buckets (and a created zone) from deletion by
	// Pulumi (true in prod).
	Protect bool
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
	account := iamdoc.Account(ctx, f)

	zoneID, err := f.zone(ctx, args)
	if err != nil {
		return nil, err
	}
	certArn, err := f.certificate(ctx, zoneID, args)
	if err != nil {
		return nil, err
	}
	logs, err := f.logBucket(ctx, args, account, partition)
	if err != nil {
		return nil, err
	}
	site, err := f.siteBucket(ctx, args)
	if err != nil {
		return nil, err
	}
	replica, err := f.replicaBucket(ctx, args) // nil without DR
	if err != nil {
		return nil, err
	}
	acl, err := f.edgeACL(ctx, name, args, account, partition)
	if err != nil {
		return nil, err
	}
	secret := pulumi.String("").ToStringOutput()
	if args.ALBOrigin != nil {
		if args.ALBOrigin.Secret != nil {
			secret = pulumi.ToSecret(args.ALBOrigin.Secret.ToStringOutput()).(pulumi.StringOutput)
		} else if secret, err = f.originSecret(ctx); err != nil {
			return nil, err
		}
	}
	dist, err := f.distribution(ctx, args, distributionInputs{
		certArn: certArn, aclArn: acl.Arn, site: site.bucket, replica: replica, logs: logs, secret: secret,
	})
	if err != nil {
		return nil, err
	}
	siteKey, sse, err := f.lockSite(ctx, args, site, dist.Arn, account, partition)
	if err != nil {
		return nil, err
	}
	f.ReplicaBucketName = pulumi.String("").ToStringOutput()
	if replica != nil {
		if err := f.replicate(ctx, args, site, siteKey, replica, dist.Arn, account, partition); err != nil {
			return nil, err
		}
		f.ReplicaBucketName = replica.bucket.Bucket
	}
	if err := f.records(ctx, zoneID, dist.DomainName, dist.HostedZoneId, args); err != nil {
		return nil, err
	}
	f.RegionalWebACLArn = pulumi.String("").ToStringOutput()
	if alb := args.ALBOrigin; alb != nil {
		if alb.InternetFacing {
			regional, err := NewALBFirewall(ctx, f, ALBFirewallArgs{
				Name: name, Site: args.Spec.Aliases[0], LoadBalancerArn: alb.LoadBalancerArn,
				Region: args.Region, Partition: partition, LogRetentionDays: args.Spec.LogRetentionDays, Protect: args.Protect,
			})
			if err != nil {
				return nil, err
			}
			f.RegionalWebACLArn = regional.Arn
		}
		if err := f.listenerRules(ctx, alb, secret); err != nil {
			return nil, err
		}
	}
	if err := f.release(ctx, args, site.bucket, sse, dist.ID().ToStringOutput()); err != nil {
		return nil, err
	}

	f.BucketName = site.bucket.Bucket
	f.BucketArn = site.bucket.Arn
	f.LogBucketName = logs.bucket.Bucket
	f.DistributionID = dist.ID().ToStringOutput()
	f.DistributionArn = dist.Arn
	f.DistributionDomainName = dist.DomainName
	f.CertificateArn = certArn
	f.WebACLArn = acl.Arn
	f.watch(f.DistributionID, acl.Name)
	f.ZoneID = zoneID
	f.SiteURL = pulumi.String("https://" + args.Spec.Aliases[0]).ToStringOutput()
	f.OriginVerifySecret = pulumi.ToSecret(secret).(pulumi.StringOutput)

	return f, outputs.Register(ctx, f)
}

// check reports every wiring mistake at once, before anything is registered.
func (args *Args) check() error {
	if args == nil {
		return errors.New("frontend: Args are required")
	}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("frontend: "+format, a...)) }
	if args.Domain == "" || args.Region == "" {
		bad("Args.Domain and Args.Region are required")
	}
	if args.GlobalProvider == nil {
		bad("Args.GlobalProvider (us-east-1) is required: CloudFront's certificate and web ACL live there")
	}
	if len(args.Spec.Aliases) == 0 || args.Spec.WAF.RateLimit == 0 || args.Spec.HealthCheck.Path == "" {
		bad("Args.Spec must be a defaulted, validated config.Frontend")
	}
	if o := args.APIOrigin; o != nil {
		if o.DomainName == nil {
			bad("APIOrigin.DomainName is required")
		}
		if o.OriginPath != "" && (!strings.HasPrefix(o.OriginPath, "/") || strings.HasSuffix(o.OriginPath, "/")) {
			bad("APIOrigin.OriginPath %q must start with / and not end with one", o.OriginPath)
		}
	}
	if o := args.WebSocketOrigin; o != nil {
		if o.DomainName == nil || o.TokenQuery == "" {
			bad("WebSocketOrigin.DomainName and TokenQuery are required")
		}
		if !wsPath.MatchString(o.Path) {
			bad("WebSocketOrigin.Path %q must be one path segment, e.g. /ws", o.Path)
		}
		for _, p := range append(append([]string{}, args.Spec.APIPaths...), args.Spec.HashedPaths...) {
			if strings.HasPrefix(o.Path+"/", strings.TrimSuffix(p, "*")) {
				bad("WebSocketOrigin.Path %q is inside the behaviour %q", o.Path, p)
			}
		}
	}
	if o := args.ALBOrigin; o != nil {
		if o.DomainName == nil {
			bad("ALBOrigin.DomainName is required")
		}
		if o.InternetFacing && o.LoadBalancerArn == nil {
			bad("ALBOrigin.LoadBalancerArn is required for an internet-facing ALB (its REGIONAL web ACL)")
		}
		if len(o.Routes) > 0 && o.ListenerArn == nil {
			bad("ALBOrigin.Routes need ALBOrigin.ListenerArn")
		}
		priorities := map[int]bool{}
		for _, r := range o.Routes {
			if !contains(args.Spec.Aliases, r.Host) {
				bad("ALBOrigin route host %q is not one of the aliases %v", r.Host, args.Spec.Aliases)
			}
			if r.TargetGroupArn == nil {
				bad("ALBOrigin route %q has no TargetGroupArn", r.Host)
			}
			if r.Priority < 1 || r.Priority > 50000 || priorities[r.Priority] {
				bad("ALBOrigin route %q priority %d must be unique and within 1..50000", r.Host, r.Priority)
			}
			priorities[r.Priority] = true
		}
	}
	if d := args.DR; d != nil {
		if d.Region == "" || d.Provider == nil {
			bad("DR.Region and DR.Provider are required")
		}
		if d.Region == args.Region {
			bad("DR.Region %s is the stack's region: the replica must be in another region", d.Region)
		}
	}
	for _, r := range args.Records {
		if args.Domain != "" && !strings.HasSuffix(r.Name, "."+args.Domain) {
			bad("record %q is not below the domain %s", r.Name, args.Domain)
		}
		if contains(args.Spec.Aliases, r.Name) {
			bad("record %q is already an alias of the distribution", r.Name)
		}
		if r.Target == nil || r.ZoneID == nil {
			bad("record %q needs Target and ZoneID", r.Name)
		}
	}
	return errors.Join(errs...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// label names a record after its host: "apex" for the domain itself.
func label(host, domain string) string {
	if host == domain {
		return "apex"
	}
	return strings.TrimSuffix(host, "."+domain)
}
