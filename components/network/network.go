// Package network is the Network component: the VPC (awsx ec2.Vpc) with
// public, private and isolated subnets, NAT gateways, VPC flow logs to a
// KMS-encrypted log group, a locked-down default security group and the VPC
// endpoints the workloads need to reach AWS APIs without the internet.
package network

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	awsxec2 "github.com/pulumi/pulumi-awsx/sdk/v2/go/awsx/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/components/internal/outputs"
	"github.com/dbay/infra/config"
)

const typeToken = "dbay:components:Network"

// Args configures the network.
type Args struct {
	// Spec is the validated `network` config section (defaults applied). Required.
	Spec config.Network
	// Env is the stack's: Region (required) is where the VPC lives and
	// names the endpoint services; Partition empty: "aws"; Protect
	// protects the flow-log key: deleting it would make the logs
	// unreadable (prod: true).
	config.Env
}

// Network is the VPC and everything attached to it.
type Network struct {
	pulumi.ResourceState

	VpcID                   pulumi.StringOutput      `pulumi:"vpcId"`
	PublicSubnetIDs         pulumi.StringArrayOutput `pulumi:"publicSubnetIds"`
	PrivateSubnetIDs        pulumi.StringArrayOutput `pulumi:"privateSubnetIds"`
	IsolatedSubnetIDs       pulumi.StringArrayOutput `pulumi:"isolatedSubnetIds"`
	CidrBlock               pulumi.StringOutput      `pulumi:"cidrBlock"`
	EndpointSecurityGroupID pulumi.StringOutput      `pulumi:"endpointSecurityGroupId"`
	FlowLogGroupName        pulumi.StringOutput      `pulumi:"flowLogGroupName"`

	// Layout is the subnet CIDR of every tier and AZ, as planned from config.
	Layout config.SubnetLayout

	// s3Endpoint is the S3 gateway endpoint (nil without one); args the
	// constructor's arguments (RestrictS3 reads the Region and partition).
	s3Endpoint *ec2.VpcEndpoint
	args       *Args
}

// New creates the network. Children inherit the providers passed in opts.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Network, error) {
	if args == nil || args.Region == "" {
		return nil, errors.New("network: Args.Region is required")
	}
	layout, err := args.Spec.Layout()
	if err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	partition := args.Partition
	if partition == "" {
		partition = "aws"
	}

	strategy := awsxec2.SubnetAllocationStrategyAuto
	n := &Network{Layout: layout, args: args}
	if err := outputs.Component(ctx, typeToken, name, n, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(n)

	// The awsx VPC is a remote component: its children are created by the
	// awsx plugin, which receives only the providers its own registration
	// names. Hand it ours explicitly rather than rely on engine inheritance.
	vpcOpts, err := providersOf(opts)
	if err != nil {
		return nil, err
	}
	vpc, err := awsxec2.NewVpc(ctx, "vpc", &awsxec2.VpcArgs{
		CidrBlock:          pulumi.StringRef(args.Spec.CIDR),
		EnableDnsHostnames: pulumi.Bool(true),
		EnableDnsSupport:   pulumi.Bool(true),
		SubnetStrategy:     &strategy,
		SubnetSpecs: []awsxec2.SubnetSpecArgs{
			{Type: awsxec2.SubnetTypePrivate, Name: pulumi.StringRef("private"), CidrBlocks: layout[config.TierPrivate]},
			{Type: awsxec2.SubnetTypePublic, Name: pulumi.StringRef("public"), CidrBlocks: layout[config.TierPublic]},
			{Type: awsxec2.SubnetTypeIsolated, Name: pulumi.StringRef("isolated"), CidrBlocks: layout[config.TierIsolated]},
		},
		NatGateways: &awsxec2.NatGatewayConfigurationArgs{Strategy: natStrategy(args.Spec.NATGateways)},
	}, append(vpcOpts, parent)...)
	if err != nil {
		return nil, err
	}
	n.VpcID = vpc.VpcId
	n.PublicSubnetIDs = vpc.PublicSubnetIds
	n.PrivateSubnetIDs = vpc.PrivateSubnetIds
	n.IsolatedSubnetIDs = vpc.IsolatedSubnetIds
	n.CidrBlock = pulumi.String(args.Spec.CIDR).ToStringOutput()

	// The default security group is adopted and emptied: nothing can fall
	// back on it and get the VPC-wide allow-all AWS creates.
	if _, err := ec2.NewDefaultSecurityGroup(ctx, "default-sg", &ec2.DefaultSecurityGroupArgs{
		VpcId:   vpc.VpcId,
		Ingress: ec2.DefaultSecurityGroupIngressArray{},
		Egress:  ec2.DefaultSecurityGroupEgressArray{},
	}, parent); err != nil {
		return nil, err
	}

	lg, err := n.flowLogs(ctx, vpc.VpcId, args, partition)
	if err != nil {
		return nil, err
	}
	n.FlowLogGroupName = lg.Name

	sg, err := n.endpoints(ctx, vpc.VpcId, args)
	if err != nil {
		return nil, err
	}
	n.EndpointSecurityGroupID = sg.ID().ToStringOutput()

	return n, outputs.Register(ctx, n)
}

// providersOf returns an option naming the providers passed to the component.
func providersOf(opts []pulumi.ResourceOption) ([]pulumi.ResourceOption, error) {
	ro, err := pulumi.NewResourceOptions(opts...)
	if err != nil {
		return nil, err
	}
	providers := ro.Providers
	if ro.Provider != nil {
		providers = append(providers, ro.Provider)
	}
	if len(providers) == 0 {
		return nil, nil
	}
	return []pulumi.ResourceOption{pulumi.Providers(providers...)}, nil
}

func natStrategy(s string) awsxec2.NatGatewayStrategy {
	if s == config.NATSingle {
		return awsxec2.NatGatewayStrategySingle
	}
	return awsxec2.NatGatewayStrategyOnePerAz
}

// flowLogs records ALL traffic of the VPC into a log group encrypted with a
// key of its own, written by a role that can write only there.
func (n *Network) flowLogs(ctx *pulumi.Context, vpcID pulumi.StringOutput, args *Args, partition string) (*cloudwatch.LogGroup, error) {
	parent := pulumi.Parent(n)
	account := iamdoc.Account(ctx, n)
	keyPolicy := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			iamdoc.AccountRoot(account, partition),
			iamdoc.LogsUseKey(account, partition, args.Region, "*"),
		},
	}, parent)
	key, err := kms.NewKey(ctx, "flow-logs-key", &kms.KeyArgs{
		Description:          pulumi.String("Encrypts the VPC flow log group"),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy:               keyPolicy.Json(),
	}, parent, pulumi.Protect(args.Protect))
	if err != nil {
		return nil, err
	}
	lg, err := cloudwatch.NewLogGroup(ctx, "flow-logs", &cloudwatch.LogGroupArgs{
		RetentionInDays: pulumi.Int(args.Spec.FlowLogs.RetentionDays),
		KmsKeyId:        key.Arn,
	}, parent, pulumi.RetainOnDelete(true))
	if err != nil {
		return nil, err
	}

	role, err := iam.NewRole(ctx, "flow-logs-role", &iam.RoleArgs{
		Description:      pulumi.String("Lets VPC flow logs write to their own log group"),
		AssumeRolePolicy: iamdoc.ServiceTrust(ctx, n, "vpc-flow-logs.amazonaws.com", account),
	}, parent)
	if err != nil {
		return nil, err
	}
	g := iamdoc.NewGrantee("flow-logs", role)
	if _, err := iamdoc.Attach(ctx, n, g, "write", iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
		Sid:       pulumi.String("WriteFlowLogs"),
		Effect:    pulumi.String("Allow"),
		Actions:   pulumi.ToStringArray([]string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"}),
		Resources: pulumi.StringArray{lg.Arn, pulumi.Sprintf("%s:*", lg.Arn)},
	}}); err != nil {
		return nil, err
	}
	if _, err := ec2.NewFlowLog(ctx, "flow-log", &ec2.FlowLogArgs{
		VpcId:                  vpcID,
		TrafficType:            pulumi.String("ALL"),
		LogDestinationType:     pulumi.String("cloud-watch-logs"),
		LogDestination:         lg.Arn,
		IamRoleArn:             role.Arn,
		MaxAggregationInterval: pulumi.Int(60),
	}, parent, iamdoc.DependOn(g)); err != nil { // delivery starts with the role's policy in place
		return nil, err
	}
	return lg, nil
}

// endpoints creates the S3 gateway endpoint on every route table of the VPC
// and the interface endpoints in the private subnets, behind a security
// group that admits HTTPS from inside the VPC only.
func (n *Network) endpoints(ctx *pulumi.Context, vpcID pulumi.StringOutput, args *Args) (*ec2.SecurityGroup, error) {
	parent := pulumi.Parent(n)
	sg, err := ec2.NewSecurityGroup(ctx, "endpoints", &ec2.SecurityGroupArgs{
		VpcId:       vpcID,
		Description: pulumi.String("VPC interface endpoints: HTTPS from inside the VPC only"),
		Ingress: ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
			Description: pulumi.String("HTTPS from the VPC"),
			Protocol:    pulumi.String("tcp"),
			FromPort:    pulumi.Int(443),
			ToPort:      pulumi.Int(443),
			CidrBlocks:  pulumi.ToStringArray([]string{args.Spec.CIDR}),
		}},
	}, parent)
	if err != nil {
		return nil, err
	}
	service := func(s string) pulumi.String { return pulumi.String(fmt.Sprintf("com.amazonaws.%s.%s", args.Region, s)) }

	if args.Spec.Endpoints.GatewayS3() {
		tables := ec2.GetRouteTablesOutput(ctx, ec2.GetRouteTablesOutputArgs{VpcId: vpcID}, parent)
		ep, err := ec2.NewVpcEndpoint(ctx, "s3", &ec2.VpcEndpointArgs{
			VpcId:           vpcID,
			ServiceName:     service("s3"),
			VpcEndpointType: pulumi.String("Gateway"),
			RouteTableIds:   tables.Ids(),
		}, parent)
		if err != nil {
			return nil, err
		}
		n.s3Endpoint = ep
	}
	for _, ep := range args.Spec.Endpoints.Interface() {
		if _, err := ec2.NewVpcEndpoint(ctx, ep.Name, &ec2.VpcEndpointArgs{
			VpcId:             vpcID,
			ServiceName:       service(ep.Service),
			VpcEndpointType:   pulumi.String("Interface"),
			PrivateDnsEnabled: pulumi.Bool(true),
			SubnetIds:         n.PrivateSubnetIDs,
			SecurityGroupIds:  pulumi.StringArray{sg.ID()},
		}, parent); err != nil {
			return nil, err
		}
	}
	return sg, nil
}
