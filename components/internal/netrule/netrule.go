// Package netrule writes security-group rules between two groups, both
// sides at once, always on one port and always described. Owners of a port
// (the data layer, the fleet) call it from their AllowFrom methods.
package netrule

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Allow lets traffic from `from` reach `to` on TCP port: an ingress rule on
// `to` and the matching egress rule on `from`, named "<name>-in" and
// "<name>-out" and parented to owner.
func Allow(ctx *pulumi.Context, owner pulumi.Resource, name string, from, to *ec2.SecurityGroup, port int, description string) error {
	if _, err := vpc.NewSecurityGroupIngressRule(ctx, name+"-in", &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId:           to.ID(),
		ReferencedSecurityGroupId: from.ID(),
		IpProtocol:                pulumi.String("tcp"),
		FromPort:                  pulumi.Int(port),
		ToPort:                    pulumi.Int(port),
		Description:               pulumi.String(description),
	}, pulumi.Parent(owner)); err != nil {
		return err
	}
	_, err := vpc.NewSecurityGroupEgressRule(ctx, name+"-out", &vpc.SecurityGroupEgressRuleArgs{
		SecurityGroupId:           from.ID(),
		ReferencedSecurityGroupId: to.ID(),
		IpProtocol:                pulumi.String("tcp"),
		FromPort:                  pulumi.Int(port),
		ToPort:                    pulumi.Int(port),
		Description:               pulumi.String(description),
	}, pulumi.Parent(owner))
	return err
}
