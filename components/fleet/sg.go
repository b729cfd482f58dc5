package fleet

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/netrule"
)

// newSecurityGroups creates one security group per service, with no inline
// rules (the provider removes AWS's default allow-all egress). Each gets:
// egress 443 to the VPC interface endpoints and to S3 (ECR image layers);
// 443 (or the ports its `egress` lists) to 0.0.0.0/0 only when it needs
// AWS APIs without an endpoint or the internet (config.Fleet.InternetPorts);
// its stores through the data layer's AllowFrom; and each service it calls
// on that service's port. The ALB's rules are added by newALB.
func (f *Fleet) newSecurityGroups(ctx *pulumi.Context) error {
	parent := pulumi.Parent(f)
	net := f.args.Network
	for _, n := range f.names() {
		sg, err := ec2.NewSecurityGroup(ctx, n, &ec2.SecurityGroupArgs{
			VpcId:       net.VpcID,
			Description: pulumi.Sprintf("%s tasks: from the ALB and declared callers only", n),
		}, parent)
		if err != nil {
			return err
		}
		f.units[n].sg = sg
	}
	s3 := ec2.LookupManagedPrefixListOutput(ctx, ec2.LookupManagedPrefixListOutputArgs{
		Name: pulumi.Sprintf("com.amazonaws.%s.s3", f.args.Region),
	}, parent).Id()
	for _, n := range f.names() {
		u := f.units[n]
		if err := f.egress(ctx, n+"-egress-endpoints", u.sg, 443, "VPC interface endpoints (ECR, Secrets Manager, logs, STS, KMS)",
			&vpc.SecurityGroupEgressRuleArgs{ReferencedSecurityGroupId: net.EndpointSecurityGroupID}); err != nil {
			return err
		}
		if err := f.egress(ctx, n+"-egress-s3", u.sg, 443, "S3 (ECR image layers)",
			&vpc.SecurityGroupEgressRuleArgs{PrefixListId: s3}); err != nil {
			return err
		}
		for _, port := range f.args.Spec.InternetPorts(u.spec) {
			if err := f.egress(ctx, fmt.Sprintf("%s-egress-internet-%d", n, port), u.sg, port, "internet and AWS APIs without a VPC endpoint, through NAT",
				&vpc.SecurityGroupEgressRuleArgs{CidrIpv4: pulumi.String("0.0.0.0/0")}); err != nil {
				return err
			}
		}
		for _, callee := range u.spec.Calls {
			c := f.units[callee]
			if err := netrule.Allow(ctx, f, n+"-calls-"+callee, u.sg, c.sg, c.spec.Port, fmt.Sprintf("%s calls %s", n, callee)); err != nil {
				return err
			}
		}
		if len(u.env.stores) > 0 {
			if err := f.args.Data.AllowFrom(ctx, n, u.sg, u.env.stores...); err != nil {
				return err
			}
		}
	}
	return nil
}

// egress writes one TCP egress rule of sg to the destination set in dest.
func (f *Fleet) egress(ctx *pulumi.Context, name string, sg *ec2.SecurityGroup, port int, description string, dest *vpc.SecurityGroupEgressRuleArgs) error {
	dest.SecurityGroupId = sg.ID()
	dest.IpProtocol = pulumi.String("tcp")
	dest.FromPort = pulumi.Int(port)
	dest.ToPort = pulumi.Int(port)
	dest.Description = pulumi.String(description)
	_, err := vpc.NewSecurityGroupEgressRule(ctx, name, dest, pulumi.Parent(f))
	return err
}

// AllowFrom lets a consumer's security group (a Lambda's, of function
// `name`) reach the ALB's HTTPS listener: the ALB's ingress and the
// consumer's egress on 443. It only helps an internal ALB (ingress
// vpclink): an internet-facing one is reached through NAT, not from the SG.
func (f *Fleet) AllowFrom(ctx *pulumi.Context, name string, sg *ec2.SecurityGroup) error {
	return netrule.Allow(ctx, f, name+"-to-alb", sg, f.albSG, 443, name+" to the ALB (HTTPS)")
}
