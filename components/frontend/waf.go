package frontend

import (
	"errors"
	"net/netip"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
)

// Rule priorities are fixed per rule, so toggling one never renumbers the others.
const (
	prioBlockedIPs    = 0
	prioGeo           = 10
	prioIPReputation  = 20
	prioRateLimit     = 30
	prioCommon        = 40 // includes the cross-site scripting rules
	prioKnownBadInput = 50
	prioSQLi          = 60
)

// edgeACL is the CLOUDFRONT-scope web ACL (in us-east-1, on the global
// provider): the IP block list, geo rules, Amazon IP reputation, the rate
// limit per IP, and AWS's Common, KnownBadInputs and SQLi rule groups, each
// with CloudWatch metrics, logging to an aws-waf-logs- log group.
func (f *Frontend) edgeACL(ctx *pulumi.Context, name string, args *Args, account pulumi.StringOutput, partition string) (*wafv2.WebAcl, error) {
	opts := []pulumi.ResourceOption{pulumi.Parent(f), pulumi.Provider(args.GlobalProvider)}
	w := args.Spec.WAF
	metric := func(rule string) string { return name + "-" + rule }
	var rules wafv2.WebAclRuleArray

	var ipSets wafv2.WebAclRuleStatementArray
	for _, v := range splitByFamily(w.BlockIPs) {
		set, err := wafv2.NewIpSet(ctx, "blocked-"+strings.ToLower(v.family), &wafv2.IpSetArgs{
			Scope:            pulumi.String("CLOUDFRONT"),
			IpAddressVersion: pulumi.String(v.family),
			Addresses:        pulumi.ToStringArray(v.cidrs),
			Description:      pulumi.String("frontend.waf.blockIps"),
		}, opts...)
		if err != nil {
			return nil, err
		}
		ipSets = append(ipSets, wafv2.WebAclRuleStatementArgs{
			IpSetReferenceStatement: &wafv2.WebAclRuleStatementIpSetReferenceStatementArgs{Arn: set.Arn},
		})
	}
	if len(ipSets) > 0 {
		rules = append(rules, rule("blocked-ips", prioBlockedIPs, metric("blocked-ips"), anyOf(ipSets), block()))
	}
	if len(w.BlockCountries) > 0 {
		rules = append(rules, rule("blocked-countries", prioGeo, metric("blocked-countries"), geo(w.BlockCountries), block()))
	}
	if len(w.AllowCountries) > 0 {
		rules = append(rules, rule("allowed-countries-only", prioGeo, metric("allowed-countries-only"), wafv2.WebAclRuleStatementArgs{
			NotStatement: &wafv2.WebAclRuleStatementNotStatementArgs{Statements: wafv2.WebAclRuleStatementArray{geo(w.AllowCountries)}},
		}, block()))
	}
	rules = append(rules,
		managed("aws-ip-reputation", "AWSManagedRulesAmazonIpReputationList", prioIPReputation, metric("aws-ip-reputation")),
		rule("rate-limit", prioRateLimit, metric("rate-limit"), rateLimit(w, args.Spec.HashedPaths), action(w.RateAction)),
		managed("aws-common", "AWSManagedRulesCommonRuleSet", prioCommon, metric("aws-common")),
		managed("aws-known-bad-inputs", "AWSManagedRulesKnownBadInputsRuleSet", prioKnownBadInput, metric("aws-known-bad-inputs")),
		managed("aws-sqli", "AWSManagedRulesSQLiRuleSet", prioSQLi, metric("aws-sqli")),
	)
	acl, err := wafv2.NewWebAcl(ctx, "edge", &wafv2.WebAclArgs{
		Description:      pulumi.String("CloudFront: " + args.Spec.Aliases[0]),
		Scope:            pulumi.String("CLOUDFRONT"),
		DefaultAction:    wafv2.WebAclDefaultActionArgs{Allow: &wafv2.WebAclDefaultActionAllowArgs{}},
		Rules:            rules,
		VisibilityConfig: visibility(metric("edge")),
	}, opts...)
	if err != nil {
		return nil, err
	}
	return acl, wafLogging(ctx, f, f.protect, "edge", acl, "us-east-1", account, partition, args.Spec.LogRetentionDays, opts...)
}

// ALBFirewallArgs configures the REGIONAL web ACL of an internet-facing
// ALB behind CloudFront (NewALBFirewall).
type ALBFirewallArgs struct {
	// Name prefixes the ACL's CloudWatch metrics (<name>-alb-<rule>). Required.
	Name string
	// Site names what the ALB serves, for the ACL's description. Required.
	Site string
	// LoadBalancerArn is the ALB the ACL is associated with. Required.
	LoadBalancerArn pulumi.StringInput
	// Env is the stack's: Region (required) is the ALB's and the log
	// group's, Partition empty: "aws"; Protect protects the log group's key.
	config.Env
	// LogRetentionDays of the ACL's log group: a CloudWatch Logs retention.
	LogRetentionDays int
}

// NewALBFirewall protects an internet-facing ALB behind CloudFront with the
// request-inspection rule groups (AWS Common, KnownBadInputs, SQLi, each
// with its metric), logging to an encrypted aws-waf-logs- log group. The
// IP-based rules (block list, geo, reputation, rate) stay on the edge ACL:
// behind CloudFront the ALB sees edge addresses, not clients.
//
// The Frontend creates it for its own ALB origin; a recovery stack, which
// has no frontend, creates it for its standby ALB (the primary
// distribution's origin after a failover), so both ALBs filter alike.
// Every resource is a child of parent and uses parent's provider.
func NewALBFirewall(ctx *pulumi.Context, parent pulumi.Resource, args ALBFirewallArgs) (*wafv2.WebAcl, error) {
	if args.Name == "" || args.Site == "" || args.LoadBalancerArn == nil || args.Region == "" || parent == nil {
		return nil, errors.New("frontend: ALB firewall needs a parent, Name, Site, LoadBalancerArn and Region")
	}
	partition := args.Partition
	if partition == "" {
		partition = "aws"
	}
	opt := pulumi.Parent(parent)
	metric := func(rule string) string { return args.Name + "-alb-" + rule }
	acl, err := wafv2.NewWebAcl(ctx, "alb", &wafv2.WebAclArgs{
		Description:   pulumi.String("ALB behind CloudFront: " + args.Site),
		Scope:         pulumi.String("REGIONAL"),
		DefaultAction: wafv2.WebAclDefaultActionArgs{Allow: &wafv2.WebAclDefaultActionAllowArgs{}},
		Rules: wafv2.WebAclRuleArray{
			managed("aws-common", "AWSManagedRulesCommonRuleSet", prioCommon, metric("aws-common")),
			managed("aws-known-bad-inputs", "AWSManagedRulesKnownBadInputsRuleSet", prioKnownBadInput, metric("aws-known-bad-inputs")),
			managed("aws-sqli", "AWSManagedRulesSQLiRuleSet", prioSQLi, metric("aws-sqli")),
		},
		VisibilityConfig: visibility(metric("acl")),
	}, opt)
	if err != nil {
		return nil, err
	}
	if _, err := wafv2.NewWebAclAssociation(ctx, "alb", &wafv2.WebAclAssociationArgs{
		ResourceArn: args.LoadBalancerArn,
		WebAclArn:   acl.Arn,
	}, opt); err != nil {
		return nil, err
	}
	account := iamdoc.Account(ctx, parent)
	return acl, wafLogging(ctx, parent, args.Protect, "alb", acl, args.Region, account, partition, args.LogRetentionDays, opt)
}

// wafLogging sends an ACL's logs to an encrypted log group whose name
// starts with aws-waf-logs- (WAF accepts no other), in the ACL's region,
// with the Authorization and Cookie headers redacted.
func wafLogging(ctx *pulumi.Context, parent pulumi.Resource, protect bool, name string, acl *wafv2.WebAcl, region string, account pulumi.StringOutput, partition string, retention int, opts ...pulumi.ResourceOption) error {
	keyPolicy := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			iamdoc.AccountRoot(account, partition),
			iamdoc.LogsUseKey(account, partition, region, "aws-waf-logs-*"),
		},
	}, pulumi.Parent(parent))
	key, err := newKey(ctx, name+"-waf-logs-key", "Encrypts the "+name+" web ACL's log group", keyPolicy.Json(), append(opts, pulumi.Protect(protect))...)
	if err != nil {
		return err
	}
	lg, err := cloudwatch.NewLogGroup(ctx, name+"-waf-logs", &cloudwatch.LogGroupArgs{
		NamePrefix:      pulumi.String("aws-waf-logs-" + ctx.Project() + "-" + ctx.Stack() + "-" + name + "-"),
		RetentionInDays: pulumi.Int(retention),
		KmsKeyId:        key.Arn,
	}, append(opts, pulumi.RetainOnDelete(true))...)
	if err != nil {
		return err
	}
	redact := func(h string) wafv2.WebAclLoggingConfigurationRedactedFieldArgs {
		return wafv2.WebAclLoggingConfigurationRedactedFieldArgs{
			SingleHeader: &wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs{Name: pulumi.String(h)},
		}
	}
	_, err = wafv2.NewWebAclLoggingConfiguration(ctx, name+"-waf-logs", &wafv2.WebAclLoggingConfigurationArgs{
		ResourceArn:           acl.Arn,
		LogDestinationConfigs: pulumi.StringArray{lg.Arn},
		RedactedFields:        wafv2.WebAclLoggingConfigurationRedactedFieldArray{redact("authorization"), redact("cookie")},
	}, opts...)
	return err
}

// rateLimit counts requests per client IP over 5 minutes, except requests
// for hashed static assets: one page load fetches many of them, and they
// are served from the edge cache.
func rateLimit(w config.WAF, hashedPaths []string) wafv2.WebAclRuleStatementArgs {
	rb := &wafv2.WebAclRuleStatementRateBasedStatementArgs{
		Limit:               pulumi.Int(w.RateLimit),
		EvaluationWindowSec: pulumi.Int(config.RateWindowSeconds),
		AggregateKeyType:    pulumi.String("IP"),
	}
	var assets wafv2.WebAclRuleStatementArray
	for _, p := range hashedPaths {
		assets = append(assets, wafv2.WebAclRuleStatementArgs{ByteMatchStatement: &wafv2.WebAclRuleStatementByteMatchStatementArgs{
			FieldToMatch:         &wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchArgs{UriPath: &wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchUriPathArgs{}},
			PositionalConstraint: pulumi.String("STARTS_WITH"),
			SearchString:         pulumi.String(strings.TrimSuffix(p, "*")),
			TextTransformations: wafv2.WebAclRuleStatementByteMatchStatementTextTransformationArray{
				wafv2.WebAclRuleStatementByteMatchStatementTextTransformationArgs{Priority: pulumi.Int(0), Type: pulumi.String("NONE")},
			},
		}})
	}
	if len(assets) > 0 {
		rb.ScopeDownStatement = &wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementArgs{
			NotStatement: &wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementNotStatementArgs{
				Statements: wafv2.WebAclRuleStatementArray{anyOf(assets)},
			},
		}
	}
	return wafv2.WebAclRuleStatementArgs{RateBasedStatement: rb}
}

func rule(name string, priority int, metric string, st wafv2.WebAclRuleStatementArgs, act *wafv2.WebAclRuleActionArgs) wafv2.WebAclRuleArgs {
	return wafv2.WebAclRuleArgs{
		Name:             pulumi.String(name),
		Priority:         pulumi.Int(priority),
		Statement:        st,
		Action:           act,
		VisibilityConfig: ruleVisibility(metric),
	}
}

// managed is an AWS managed rule group with its own actions.
func managed(name, group string, priority int, metric string) wafv2.WebAclRuleArgs {
	return wafv2.WebAclRuleArgs{
		Name:     pulumi.String(name),
		Priority: pulumi.Int(priority),
		Statement: wafv2.WebAclRuleStatementArgs{ManagedRuleGroupStatement: &wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs{
			VendorName: pulumi.String("AWS"),
			Name:       pulumi.String(group),
		}},
		OverrideAction:   &wafv2.WebAclRuleOverrideActionArgs{None: &wafv2.WebAclRuleOverrideActionNoneArgs{}},
		VisibilityConfig: ruleVisibility(metric),
	}
}

func geo(countries []string) wafv2.WebAclRuleStatementArgs {
	return wafv2.WebAclRuleStatementArgs{GeoMatchStatement: &wafv2.WebAclRuleStatementGeoMatchStatementArgs{
		CountryCodes: pulumi.ToStringArray(countries),
	}}
}

// anyOf is the statement itself, or an OR of several.
func anyOf(sts wafv2.WebAclRuleStatementArray) wafv2.WebAclRuleStatementArgs {
	if len(sts) == 1 {
		return sts[0].(wafv2.WebAclRuleStatementArgs)
	}
	return wafv2.WebAclRuleStatementArgs{OrStatement: &wafv2.WebAclRuleStatementOrStatementArgs{Statements: sts}}
}

func block() *wafv2.WebAclRuleActionArgs {
	return &wafv2.WebAclRuleActionArgs{Block: &wafv2.WebAclRuleActionBlockArgs{}}
}

// action maps frontend.waf.rateAction to a rule action.
func action(a string) *wafv2.WebAclRuleActionArgs {
	switch a {
	case "count":
		return &wafv2.WebAclRuleActionArgs{Count: &wafv2.WebAclRuleActionCountArgs{}}
	case "captcha":
		return &wafv2.WebAclRuleActionArgs{Captcha: &wafv2.WebAclRuleActionCaptchaArgs{}}
	case "challenge":
		return &wafv2.WebAclRuleActionArgs{Challenge: &wafv2.WebAclRuleActionChallengeArgs{}}
	default:
		return block()
	}
}

func ruleVisibility(metric string) wafv2.WebAclRuleVisibilityConfigArgs {
	return wafv2.WebAclRuleVisibilityConfigArgs{
		CloudwatchMetricsEnabled: pulumi.Bool(true),
		SampledRequestsEnabled:   pulumi.Bool(true),
		MetricName:               pulumi.String(metric),
	}
}

func visibility(metric string) wafv2.WebAclVisibilityConfigArgs {
	return wafv2.WebAclVisibilityConfigArgs{
		CloudwatchMetricsEnabled: pulumi.Bool(true),
		SampledRequestsEnabled:   pulumi.Bool(true),
		MetricName:               pulumi.String(metric),
	}
}

type family struct {
	family string // IPV4 or IPV6, as WAF names them
	cidrs  []string
}

// splitByFamily splits CIDRs into WAF's per-family IP sets.
func splitByFamily(cidrs []string) []family {
	v4, v6 := family{family: "IPV4"}, family{family: "IPV6"}
	for _, c := range cidrs {
		if p, err := netip.ParsePrefix(c); err == nil && p.Addr().Is6() {
			v6.cidrs = append(v6.cidrs, c)
		} else {
			v4.cidrs = append(v4.cidrs, c)
		}
	}
	var out []family
	for _, f := range []family{v4, v6} {
		if len(f.cidrs) > 0 {
			out = append(out, f)
		}
	}
	return out
}
