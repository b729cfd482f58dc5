package frontend

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

const (
	tBucket    = "aws:s3/bucketV2:BucketV2"
	tPolicy    = "aws:s3/bucketPolicy:BucketPolicy"
	tKey       = "aws:kms/key:Key"
	tDist      = "aws:cloudfront/distribution:Distribution"
	tCache     = "aws:cloudfront/cachePolicy:CachePolicy"
	tACL       = "aws:wafv2/webAcl:WebAcl"
	tIPSet     = "aws:wafv2/ipSet:IpSet"
	tLogGroup  = "aws:cloudwatch/logGroup:LogGroup"
	tWAFLog    = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
	tCert      = "aws:acm/certificate:Certificate"
	tCertValid = "aws:acm/certificateValidation:CertificateValidation"
	tRecord    = "aws:route53/record:Record"
	tRule      = "aws:lb/listenerRule:ListenerRule"
	globalURN  = "urn:pulumi:test::dbay::pulumi:providers:aws::global"
	regionURN  = "urn:pulumi:test::dbay::pulumi:providers:aws::regional"
	drURN      = "urn:pulumi:test::dbay::pulumi:providers:aws::recovery"
	apiHost    = "abc123defg.execute-api.us-east-1.amazonaws.com"
	albHost    = "dhanam-alb-1234567890.us-west-2.elb.amazonaws.com"
	albArn     = "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/dhanam/0123456789abcdef"
	listener   = "arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/dhanam/0123456789abcdef/fedcba9876543210"
	apiTG      = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/api/0123456789abcdef"
	webTG      = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web/0123456789abcdef"
)

// shape is which origins the stack passes.
type shape int

const (
	spaOnly shape = iota // the bucket alone (today's stacks)
	dbay                 // bucket + API Gateway on /api/*
	dhanam               // bucket for hashed assets + an internet-facing ALB for the api and web hosts
)

type setup struct {
	region  string
	domain  string // "" for dbay.example.com
	raw     string // the frontend section's JSON
	shape   shape
	records []AliasRecord
	protect bool
	dr      string // the recovery region: Args.DR with a provider there; "" for none
}

type run struct {
	eng    *mockengine.Engine
	outs   map[string]any // the component's outputs, resolved
	secret map[string]bool
	apex   string // URN of Frontend.ApexRecord
}

func spec(t *testing.T, domain, raw string) config.Frontend {
	t.Helper()
	s, err := config.LoadFrontend("dbay", domain, raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// synth runs the component with a regional provider in s.region (the
// component's) and the us-east-1 provider beside it, as the stacks pass them.
func synth(t *testing.T, s setup) run {
	t.Helper()
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.domain == "" {
		s.domain = "dbay.example.com"
	}
	args := &Args{Env: config.Env{Domain: s.domain, Region: s.region, Partition: "aws", Protect: s.protect}, Spec: spec(t, s.domain, s.raw), Records: s.records}
	switch s.shape {
	case dbay:
		args.APIOrigin = &APIOrigin{DomainName: pulumi.String(apiHost), OriginPath: "/prod"}
	case dhanam:
		args.ALBOrigin = &ALBOrigin{
			DomainName: pulumi.String(albHost), InternetFacing: true, LoadBalancerArn: pulumi.String(albArn),
			ListenerArn: pulumi.String(listener),
			Routes: []HostRoute{
				{Host: "api." + s.domain, TargetGroupArn: pulumi.String(apiTG), Priority: 10},
				{Host: "app." + s.domain, TargetGroupArn: pulumi.String(webTG), Priority: 20},
			},
		}
	}
	eng := mockengine.ForTest(t, "dbay", "test", s.region)
	r := run{eng: eng, outs: map[string]any{}, secret: map[string]bool{}}
	eng.MustRun(func(ctx *pulumi.Context) error {
		regional, err := mockengine.Provider(ctx, "regional", s.region)
		if err != nil {
			return err
		}
		if args.GlobalProvider, err = mockengine.Provider(ctx, "global", "us-east-1"); err != nil {
			return err
		}
		if s.dr != "" {
			recovery, err := mockengine.Provider(ctx, "recovery", s.dr)
			if err != nil {
				return err
			}
			args.DR = &DR{Region: s.dr, Provider: recovery}
		}
		f, err := New(ctx, "frontend", args, pulumi.Providers(regional))
		if err != nil {
			return err
		}
		outputs := map[string]pulumi.Output{
			"bucketName": f.BucketName, "bucketArn": f.BucketArn, "logBucketName": f.LogBucketName,
			"distributionId": f.DistributionID, "distributionArn": f.DistributionArn, "distributionDomainName": f.DistributionDomainName,
			"certificateArn": f.CertificateArn, "webAclArn": f.WebACLArn, "regionalWebAclArn": f.RegionalWebACLArn,
			"zoneId": f.ZoneID, "nameServers": f.NameServers, "healthCheckId": f.HealthCheckID, "siteUrl": f.SiteURL,
			"originVerifySecret": f.OriginVerifySecret, "syncCommands": f.SyncCommands, "invalidateCommand": f.InvalidateCommand,
			"replicaBucketName": f.ReplicaBucketName,
		}
		if f.ApexRecord != nil {
			outputs["apex"] = f.ApexRecord.URN()
		}
		for k, o := range outputs {
			res, err := internals.UnsafeAwaitOutput(ctx.Context(), o)
			if err != nil {
				return err
			}
			b, _ := json.Marshal(res.Value)
			var v any
			_ = json.Unmarshal(b, &v)
			r.outs[k], r.secret[k] = v, res.Secret
		}
		return nil
	})
	r.apex, _ = r.outs["apex"].(string)
	return r
}

func (r run) one(t *testing.T, typ, name string) *mockengine.Resource {
	t.Helper()
	res := r.eng.Get(typ, name)
	if res == nil {
		t.Fatalf("no %s %q was created", typ, name)
	}
	return res
}

// at walks a rendered value: keys for objects, ints for lists.
func at(v any, steps ...any) any {
	for _, s := range steps {
		switch k := s.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func parsePolicy(t *testing.T, v any) mockengine.Doc {
	t.Helper()
	d, err := mockengine.ParsePolicy(v)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestGlobalResourcesAreInUSEast1EvenInDR runs the dr stack's region: the
// certificate and the CLOUDFRONT web ACL (with its IP sets and logs) are
// still created by the us-east-1 provider; everything else by the regional one.
func TestGlobalResourcesAreInUSEast1EvenInDR(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{region: "us-west-2", shape: dhanam, domain: "dhanam.io",
		raw: `{"aliases":["app.dhanam.io","api.dhanam.io"],"hashedPaths":["/_next/static/*"],"waf":{"blockIps":["203.0.113.0/24"]}}`})
	global := map[string]bool{
		tCert + "/site": true, tCertValid + "/site": true, tACL + "/edge": true, tIPSet + "/blocked-ipv4": true,
		tLogGroup + "/edge-waf-logs": true, tKey + "/edge-waf-logs-key": true, tWAFLog + "/edge-waf-logs": true,
	}
	comp := r.one(t, typeToken, "frontend")
	seen := 0
	for _, res := range r.eng.Resources() {
		if res.URN == comp.URN || strings.HasPrefix(res.Type, "pulumi:providers:") {
			continue
		}
		if res.Parent != comp.URN {
			t.Errorf("%s %s is parented to %s", res.Type, res.Name, res.Parent)
		}
		if !res.Custom || strings.HasPrefix(res.Type, "random:") {
			continue
		}
		want, region := regionURN, "us-west-2"
		if global[res.Type+"/"+res.Name] {
			want, region = globalURN, "us-east-1"
			seen++
		}
		if res.Provider != want || res.Region != region {
			t.Errorf("%s %s: provider %s (%s), want %s", res.Type, res.Name, res.Provider, res.Region, want)
		}
	}
	if seen != len(global) {
		t.Errorf("found %d of the %d global resources", seen, len(global))
	}
	for _, k := range []string{"certificateArn", "webAclArn"} {
		if arn, _ := r.outs[k].(string); !strings.Contains(arn, ":us-east-1:") {
			t.Errorf("%s = %v, not in us-east-1", k, r.outs[k])
		}
	}
	if arn, _ := r.outs["webAclArn"].(string); !strings.Contains(arn, ":global/webacl/") {
		t.Errorf("webAclArn %s is not a CLOUDFRONT (global) ACL", arn)
	}
	if arn, _ := r.outs["regionalWebAclArn"].(string); !strings.HasPrefix(arn, "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/") {
		t.Errorf("regionalWebAclArn = %v", r.outs["regionalWebAclArn"])
	}
}

func TestArgsAreChecked(t *testing.T) {
	t.Parallel()
	s := spec(t, "dbay.example.com", "")
	ok := func() *Args {
		return &Args{Env: config.Env{Domain: "dbay.example.com", Region: "us-east-1"}, Spec: s, GlobalProvider: &aws.Provider{}}
	}
	if err := ok().check(); err != nil {
		t.Fatalf("valid args rejected: %v", err)
	}
	tests := map[string]func(a *Args){
		"no global provider":     func(a *Args) { a.GlobalProvider = nil },
		"no region":              func(a *Args) { a.Region = "" },
		"undefaulted spec":       func(a *Args) { a.Spec = config.Frontend{} },
		"API origin no domain":   func(a *Args) { a.APIOrigin = &APIOrigin{} },
		"API stage with slash":   func(a *Args) { a.APIOrigin = &APIOrigin{DomainName: pulumi.String(apiHost), OriginPath: "/prod/"} },
		"internet-facing no ARN": func(a *Args) { a.ALBOrigin = &ALBOrigin{DomainName: pulumi.String(albHost), InternetFacing: true} },
		"route to a non-alias": func(a *Args) {
			a.ALBOrigin = &ALBOrigin{DomainName: pulumi.String(albHost), ListenerArn: pulumi.String(listener),
				Routes: []HostRoute{{Host: "admin.dbay.example.com", TargetGroupArn: pulumi.String(webTG), Priority: 1}}}
		},
		"routes without listener": func(a *Args) {
			a.ALBOrigin = &ALBOrigin{DomainName: pulumi.String(albHost),
				Routes: []HostRoute{{Host: "app.dbay.example.com", TargetGroupArn: pulumi.String(webTG), Priority: 1}}}
		},
		"record outside the domain": func(a *Args) {
			a.Records = []AliasRecord{{Name: "api.example.org", Target: pulumi.String(apiHost), ZoneID: pulumi.String("Z1")}}
		},
		"record that is an alias": func(a *Args) {
			a.Records = []AliasRecord{{Name: "app.dbay.example.com", Target: pulumi.String(apiHost), ZoneID: pulumi.String("Z1")}}
		},
		"DR without provider":      func(a *Args) { a.DR = &DR{Region: "us-west-2"} },
		"DR without region":        func(a *Args) { a.DR = &DR{Provider: &aws.Provider{}} },
		"DR in the stack's region": func(a *Args) { a.DR = &DR{Region: "us-east-1", Provider: &aws.Provider{}} },
	}
	for name, edit := range tests {
		a := ok()
		edit(a)
		if err := a.check(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(nil, "frontend", nil); err == nil {
		t.Error("nil args accepted")
	}
}
