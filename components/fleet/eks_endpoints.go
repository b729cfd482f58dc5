package fleet

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/netrule"
	"github.com/dbay/infra/config"
)

// On ECS, callers outside the fleet (the Lambdas, seed §6.1) reach a
// service through Cloud Map DNS: ECS registers every task's IP. On EKS
// nothing registers pods in Cloud Map or Route 53, and the cluster DNS
// names (<name>-service.<ns>.svc.cluster.local) resolve only inside the
// cluster. So every service in Args.CalledFromVPC gets an internal
// endpoint with the same URL the ECS runtime gives it,
// http://<name>-service.svc.<project>.internal:<port>:
//
//   - an internal Network Load Balancer in the private subnets, with its
//     own security group (an NLB takes security groups only at creation:
//     https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html),
//     and a TCP listener on the service's port;
//   - an ip target group (client IP preservation off, so the pods see the
//     NLB's address and their security group admits the NLB's group) with
//     the service's HTTP health check; a TargetGroupBinding registers the
//     service's pods in it — the pods' own branch-ENI addresses, which is
//     how security groups for pods meet load balancers
//     (https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html,
//     https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/targetgroupbinding/targetgroupbinding/);
//   - the rule NLB -> the service's pods on its port;
//   - an alias A record in the private hosted zone svc.<project>.internal
//     of the VPC.
//
// AllowServices then opens caller -> NLB on the port. Why not the ALB: its
// listeners are HTTPS for api.<domain> (no certificate can name a
// .internal host), and an HTTP listener would serve plain traffic on the
// public-facing load balancer of Dhanam. Why not external-dns over
// headless Services: records of pod IPs lag rollouts by the sync interval
// plus TTL, and it is one more controller and chart to pin.

// newEndpoints creates the private zone and the internal endpoint of every
// service in Args.CalledFromVPC.
func (e *eksRuntime) newEndpoints(ctx *pulumi.Context) error {
	f, a := e.f, e.f.args
	urls := pulumi.StringMap{}
	f.InternalURLs = urls.ToStringMapOutput()
	if len(a.CalledFromVPC) == 0 {
		return nil
	}
	parent := pulumi.Parent(f)
	zone, err := route53.NewZone(ctx, "internal-dns", &route53.ZoneArgs{
		Name:    pulumi.String(f.internalDomain()),
		Comment: pulumi.Sprintf("%s services for callers outside the cluster (Lambdas)", f.clusterName()),
		Vpcs:    route53.ZoneVpcArray{route53.ZoneVpcArgs{VpcId: a.Network.VpcID}},
	}, parent)
	if err != nil {
		return err
	}
	for _, n := range f.names() {
		if !containsString(a.CalledFromVPC, n) {
			continue
		}
		if err := e.endpoint(ctx, f.units[n], zone); err != nil {
			return fmt.Errorf("fleet: %s endpoint: %w", n, err)
		}
		urls[n] = pulumi.String(f.internalURL(f.units[n].spec))
	}
	f.InternalURLs = urls.ToStringMapOutput()
	return nil
}

// endpoint is one service's NLB, target group, listener, security group
// and DNS record.
func (e *eksRuntime) endpoint(ctx *pulumi.Context, u *unit, zone *route53.Zone) error {
	f, a, s := e.f, e.f.args, u.spec
	parent := pulumi.Parent(f)
	name := s.Name + "-vpc"
	sg, err := ec2.NewSecurityGroup(ctx, name, &ec2.SecurityGroupArgs{
		VpcId:       a.Network.VpcID,
		Description: pulumi.Sprintf("%s internal NLB: port %d from its callers in the VPC only", s.Name, s.Port),
	}, parent)
	if err != nil {
		return err
	}
	if err := netrule.Allow(ctx, f, name+"-to-"+s.Name, sg, u.sg, s.Port, s.Name+" internal NLB to its pods"); err != nil {
		return err
	}
	nlb, err := lb.NewLoadBalancer(ctx, name, &lb.LoadBalancerArgs{
		LoadBalancerType:             pulumi.String("network"),
		Internal:                     pulumi.Bool(true),
		Subnets:                      a.Network.PrivateSubnetIDs,
		SecurityGroups:               pulumi.StringArray{sg.ID()},
		EnableCrossZoneLoadBalancing: pulumi.Bool(true),
		EnableDeletionProtection:     pulumi.Bool(a.Protect),
	}, parent)
	if err != nil {
		return err
	}
	tg, err := lb.NewTargetGroup(ctx, name, &lb.TargetGroupArgs{
		TargetType:          pulumi.String("ip"),
		Protocol:            pulumi.String("TCP"),
		Port:                pulumi.Int(s.Port),
		VpcId:               a.Network.VpcID,
		PreserveClientIp:    pulumi.String("false"),
		DeregistrationDelay: pulumi.Int(deregistrationDelay),
		HealthCheck: &lb.TargetGroupHealthCheckArgs{
			Enabled:            pulumi.Bool(true),
			Protocol:           pulumi.String("HTTP"),
			Path:               pulumi.String(s.HealthCheck.Path),
			Port:               pulumi.String("traffic-port"),
			Matcher:            pulumi.String("200-399"),
			Interval:           pulumi.Int(10),
			Timeout:            pulumi.Int(5),
			HealthyThreshold:   pulumi.Int(2),
			UnhealthyThreshold: pulumi.Int(2),
		},
	}, parent)
	if err != nil {
		return err
	}
	listener, err := lb.NewListener(ctx, name, &lb.ListenerArgs{
		LoadBalancerArn: nlb.Arn,
		Port:            pulumi.Int(s.Port),
		Protocol:        pulumi.String("TCP"),
		DefaultActions:  lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{Type: pulumi.String("forward"), TargetGroupArn: tg.Arn}},
	}, parent)
	if err != nil {
		return err
	}
	if _, err := route53.NewRecord(ctx, s.Name+"-dns", &route53.RecordArgs{
		ZoneId: zone.ZoneId,
		Name:   pulumi.Sprintf("%s.%s", config.ServiceAlias(s.Name), f.internalDomain()),
		Type:   pulumi.String("A"),
		Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
			Name: nlb.DnsName, ZoneId: nlb.ZoneId, EvaluateTargetHealth: pulumi.Bool(true),
		}},
	}, parent); err != nil {
		return err
	}
	u.vpcSG, u.vpcTarget, u.vpcListener = sg, tg.Arn, listener
	return nil
}

// targetGroupBinding (named name, logical name <name>-targets) registers
// the pods of the service's <name>-service in a target group. The fleet
// owns the group and its load balancer; the controller only registers and
// deregisters pod IPs.
func (e *eksRuntime) targetGroupBinding(ctx *pulumi.Context, name string, u *unit, target pulumi.StringOutput, deps ...pulumi.Resource) error {
	s := u.spec
	_, err := apiextensions.NewCustomResource(ctx, name+"-targets", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String("elbv2.k8s.aws/v1beta1"),
		Kind:       pulumi.String("TargetGroupBinding"),
		Metadata:   e.meta(name, s.Name, nil),
		OtherFields: kubernetes.UntypedArgs{"spec": pulumi.Map{
			"serviceRef":     pulumi.Map{"name": pulumi.String(config.ServiceAlias(s.Name)), "port": pulumi.Int(s.Port)},
			"targetGroupARN": target,
			"targetType":     pulumi.String("ip"),
		}},
	}, e.k8sOpts(pulumi.DependsOn(append(deps, e.controller)))...)
	return err
}
