package fleet

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/netrule"
	"github.com/dbay/infra/config"
)

const (
	// tlsPolicy negotiates TLS 1.3 and 1.2 only.
	tlsPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
	// cloudFrontPrefixList is CloudFront's origin-facing managed prefix list.
	cloudFrontPrefixList = "com.amazonaws.global.cloudfront.origin-facing"
	deregistrationDelay  = 30
)

// newALB creates the load balancer, its security group and ingress, the
// access-log bucket, the certificate, the HTTP listener (redirect only),
// the HTTPS listener (404 unless a rule matches), and per public service a
// target group, a listener rule and the ALB -> service rule on its port.
func (f *Fleet) newALB(ctx *pulumi.Context) error {
	parent := pulumi.Parent(f)
	a := f.args
	ingress := a.Spec.ALB.Ingress
	sg, err := ec2.NewSecurityGroup(ctx, "alb", &ec2.SecurityGroupArgs{
		VpcId:       a.Network.VpcID,
		Description: pulumi.Sprintf("ALB: HTTPS and HTTP (redirect) from %s only", ingress),
	}, parent)
	if err != nil {
		return err
	}
	f.albSG = sg
	f.VpcLinkSecurityGroupID = pulumi.String("").ToStringOutput()
	if err := f.albIngress(ctx, ingress); err != nil {
		return err
	}
	bucket, bucketPolicy, err := f.newLogBucket(ctx)
	if err != nil {
		return err
	}
	subnets := a.Network.PublicSubnetIDs
	if ingress == config.IngressVPCLink {
		subnets = a.Network.PrivateSubnetIDs
	}
	alb, err := lb.NewLoadBalancer(ctx, "alb", &lb.LoadBalancerArgs{
		LoadBalancerType:         pulumi.String("application"),
		Internal:                 pulumi.Bool(ingress == config.IngressVPCLink),
		Subnets:                  subnets,
		SecurityGroups:           pulumi.StringArray{sg.ID()},
		DropInvalidHeaderFields:  pulumi.Bool(true),
		EnableDeletionProtection: pulumi.Bool(a.Protect),
		AccessLogs: &lb.LoadBalancerAccessLogsArgs{
			Bucket: bucket.Bucket, Prefix: pulumi.String(albLogPrefix), Enabled: pulumi.Bool(true),
		},
	}, parent, pulumi.DependsOn([]pulumi.Resource{bucketPolicy}))
	if err != nil {
		return err
	}
	f.AlbArn, f.AlbDNSName, f.AlbZoneID = alb.Arn, alb.DnsName, alb.ZoneId
	f.albSuffix = alb.ArnSuffix
	f.watchALB(alb.ArnSuffix)
	certificate, err := f.certificate(ctx)
	if err != nil {
		return err
	}
	if _, err := lb.NewListener(ctx, "http", &lb.ListenerArgs{
		LoadBalancerArn: alb.Arn,
		Port:            pulumi.Int(80),
		Protocol:        pulumi.String("HTTP"),
		DefaultActions: lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{
			Type: pulumi.String("redirect"),
			Redirect: &lb.ListenerDefaultActionRedirectArgs{
				Protocol: pulumi.String("HTTPS"), Port: pulumi.String("443"), StatusCode: pulumi.String("HTTP_301"),
			},
		}},
	}, parent); err != nil {
		return err
	}
	https, err := lb.NewListener(ctx, "https", &lb.ListenerArgs{
		LoadBalancerArn: alb.Arn,
		Port:            pulumi.Int(443),
		Protocol:        pulumi.String("HTTPS"),
		SslPolicy:       pulumi.String(tlsPolicy),
		CertificateArn:  certificate,
		DefaultActions: lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{
			Type: pulumi.String("fixed-response"),
			FixedResponse: &lb.ListenerDefaultActionFixedResponseArgs{
				ContentType: pulumi.String("text/plain"), MessageBody: pulumi.String("Not found"), StatusCode: pulumi.String("404"),
			},
		}},
	}, parent)
	if err != nil {
		return err
	}
	f.HTTPSListenerArn = https.Arn
	for i, n := range f.names() {
		if u := f.units[n]; u.spec.Expose.Public {
			if err := f.route(ctx, u, https, (i+1)*10); err != nil {
				return err
			}
		}
	}
	return nil
}

// albIngress admits 443 (and 80, which redirects) from the configured
// source only. CloudFront gets 443 alone: its prefix list weighs 55 rules
// of the group's quota of 60, so a second reference would not fit, and
// CloudFront reaches the origin over HTTPS.
func (f *Fleet) albIngress(ctx *pulumi.Context, ingress string) error {
	parent := pulumi.Parent(f)
	in := func(name string, port int, description string, src *vpc.SecurityGroupIngressRuleArgs) error {
		src.SecurityGroupId = f.albSG.ID()
		src.IpProtocol, src.FromPort, src.ToPort = pulumi.String("tcp"), pulumi.Int(port), pulumi.Int(port)
		src.Description = pulumi.String(description)
		_, err := vpc.NewSecurityGroupIngressRule(ctx, name, src, parent)
		return err
	}
	switch ingress {
	case config.IngressCloudFront:
		pl := ec2.LookupManagedPrefixListOutput(ctx, ec2.LookupManagedPrefixListOutputArgs{Name: pulumi.String(cloudFrontPrefixList)}, parent)
		return in("alb-from-cloudfront-443", 443, "HTTPS from CloudFront origin-facing servers", &vpc.SecurityGroupIngressRuleArgs{PrefixListId: pl.Id()})
	case config.IngressPublic:
		for _, port := range []int{443, 80} {
			if err := in(fmt.Sprintf("alb-from-internet-%d", port), port, "public (fleet.alb.ingress: public)",
				&vpc.SecurityGroupIngressRuleArgs{CidrIpv4: pulumi.String("0.0.0.0/0")}); err != nil {
				return err
			}
		}
		return nil
	case config.IngressVPCLink:
		link, err := ec2.NewSecurityGroup(ctx, "vpc-link", &ec2.SecurityGroupArgs{
			VpcId:       f.args.Network.VpcID,
			Description: pulumi.String("API Gateway VPC link: to the ALB only"),
		}, parent)
		if err != nil {
			return err
		}
		// 443 only: the HTTP API's integration is the HTTPS listener (issue
		// 15: the port-80 rule was never used).
		if err := netrule.Allow(ctx, f, "vpc-link-to-alb-443", link, f.albSG, 443, "API Gateway VPC link to the ALB"); err != nil {
			return err
		}
		f.VpcLinkSecurityGroupID = link.ID().ToStringOutput()
		return nil
	}
	return fmt.Errorf("fleet: unknown ALB ingress %q", ingress)
}

// route creates a public service's target group (its health check), its
// listener rule and the ALB -> service security group rule.
func (f *Fleet) route(ctx *pulumi.Context, u *unit, https *lb.Listener, priority int) error {
	parent := pulumi.Parent(f)
	s := u.spec
	tg, err := lb.NewTargetGroup(ctx, s.Name, &lb.TargetGroupArgs{
		TargetType:          pulumi.String("ip"),
		Protocol:            pulumi.String("HTTP"),
		Port:                pulumi.Int(s.Port),
		VpcId:               f.args.Network.VpcID,
		DeregistrationDelay: pulumi.Int(deregistrationDelay),
		HealthCheck: &lb.TargetGroupHealthCheckArgs{
			Enabled:            pulumi.Bool(true),
			Path:               pulumi.String(s.HealthCheck.Path),
			Protocol:           pulumi.String("HTTP"),
			Port:               pulumi.String("traffic-port"),
			Matcher:            pulumi.String("200-399"),
			Interval:           pulumi.Int(15),
			Timeout:            pulumi.Int(5),
			HealthyThreshold:   pulumi.Int(2),
			UnhealthyThreshold: pulumi.Int(3),
		},
	}, parent)
	if err != nil {
		return err
	}
	var conditions lb.ListenerRuleConditionArray
	if len(s.Expose.Hosts) > 0 {
		conditions = append(conditions, lb.ListenerRuleConditionArgs{
			HostHeader: &lb.ListenerRuleConditionHostHeaderArgs{Values: pulumi.ToStringArray(s.Expose.Hosts)},
		})
	}
	if len(s.Expose.Paths) > 0 {
		conditions = append(conditions, lb.ListenerRuleConditionArgs{
			PathPattern: &lb.ListenerRuleConditionPathPatternArgs{Values: pulumi.ToStringArray(s.Expose.Paths)},
		})
	}
	if ov := f.args.OriginVerify; ov != nil {
		conditions = append(conditions, lb.ListenerRuleConditionArgs{
			HttpHeader: &lb.ListenerRuleConditionHttpHeaderArgs{
				HttpHeaderName: pulumi.String(ov.Header), Values: pulumi.StringArray{ov.Value},
			},
		})
	}
	rule, err := lb.NewListenerRule(ctx, s.Name, &lb.ListenerRuleArgs{
		ListenerArn: https.Arn,
		Priority:    pulumi.Int(priority),
		Actions:     lb.ListenerRuleActionArray{lb.ListenerRuleActionArgs{Type: pulumi.String("forward"), TargetGroupArn: tg.Arn}},
		Conditions:  conditions,
	}, parent)
	if err != nil {
		return err
	}
	u.target, u.targetSuffix, u.rule = tg.Arn, tg.ArnSuffix, rule
	f.watchTargets(s.Name, f.albSuffix, tg.ArnSuffix)
	if err := f.watchMonitored(ctx, u); err != nil {
		return err
	}
	return netrule.Allow(ctx, f, "alb-to-"+s.Name, f.albSG, u.sg, s.Port, "ALB to "+s.Name)
}

// OriginVerify is the header CloudFront adds to every request to the ALB
// and the secret value it carries.
type OriginVerify struct {
	Header string
	Value  pulumi.StringInput
}
