package fleet

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
)

// vpcCNIConfig switches security groups for pods on: pods matched by a
// SecurityGroupPolicy get a branch network interface carrying their
// service's security group (standard mode: kube-proxy Services keep
// working), and early demux is off so kubelet probes reach them.
var vpcCNIConfig = map[string]any{
	"env":  map[string]string{"ENABLE_POD_ENI": "true", "POD_SECURITY_GROUP_ENFORCING_MODE": "standard"},
	"init": map[string]any{"env": map[string]string{"DISABLE_TCP_EARLY_DEMUX": "true"}},
}

// podNetwork adds what pods with their own security group need beyond the
// ECS rules newSecurityGroups wrote: DNS to CoreDNS, which runs on the
// nodes (the cluster security group), and the kubelet's probes from the
// nodes on the service's port.
func (e *eksRuntime) podNetwork(ctx *pulumi.Context) error {
	f := e.f
	parent := pulumi.Parent(f)
	for _, n := range f.names() {
		u := f.units[n]
		for _, proto := range []string{"udp", "tcp"} {
			if _, err := vpc.NewSecurityGroupEgressRule(ctx, fmt.Sprintf("%s-dns-%s-out", n, proto), &vpc.SecurityGroupEgressRuleArgs{
				SecurityGroupId: u.sg.ID(), ReferencedSecurityGroupId: e.clusterSG,
				IpProtocol: pulumi.String(proto), FromPort: pulumi.Int(53), ToPort: pulumi.Int(53),
				Description: pulumi.Sprintf("%s pods to CoreDNS", n),
			}, parent); err != nil {
				return err
			}
			if _, err := vpc.NewSecurityGroupIngressRule(ctx, fmt.Sprintf("%s-dns-%s-in", n, proto), &vpc.SecurityGroupIngressRuleArgs{
				SecurityGroupId: e.clusterSG, ReferencedSecurityGroupId: u.sg.ID(),
				IpProtocol: pulumi.String(proto), FromPort: pulumi.Int(53), ToPort: pulumi.Int(53),
				Description: pulumi.Sprintf("%s pods to CoreDNS", n),
			}, parent); err != nil {
				return err
			}
		}
		if _, err := vpc.NewSecurityGroupIngressRule(ctx, n+"-kubelet-in", &vpc.SecurityGroupIngressRuleArgs{
			SecurityGroupId: u.sg.ID(), ReferencedSecurityGroupId: e.clusterSG,
			IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(u.spec.Port), ToPort: pulumi.Int(u.spec.Port),
			Description: pulumi.Sprintf("kubelet probes of %s pods", n),
		}, parent); err != nil {
			return err
		}
	}
	return nil
}

// newNodes creates the node role, the launch template, the add-ons and the
// managed node group in the private subnets.
func (e *eksRuntime) newNodes(ctx *pulumi.Context) error {
	f, a, ng := e.f, e.f.args, e.spec.NodeGroup
	parent := pulumi.Parent(f)
	role, deps, err := e.nodeRole(ctx)
	if err != nil {
		return err
	}
	lt, err := e.nodeLaunchTemplate(ctx)
	if err != nil {
		return err
	}
	cni, proxy, err := e.networkAddons(ctx)
	if err != nil {
		return err
	}
	group, err := eks.NewNodeGroup(ctx, "eks-nodes", &eks.NodeGroupArgs{
		ClusterName:   e.cluster.Name,
		NodeRoleArn:   role.Arn,
		SubnetIds:     a.Network.PrivateSubnetIDs,
		AmiType:       pulumi.String(e.spec.AMIType()),
		CapacityType:  pulumi.String("ON_DEMAND"),
		InstanceTypes: pulumi.ToStringArray(ng.InstanceTypes),
		ScalingConfig: &eks.NodeGroupScalingConfigArgs{
			MinSize: pulumi.Int(ng.MinSize), MaxSize: pulumi.Int(ng.MaxSize), DesiredSize: pulumi.Int(ng.DesiredSize),
		},
		UpdateConfig: &eks.NodeGroupUpdateConfigArgs{MaxUnavailable: pulumi.Int(1)},
		LaunchTemplate: &eks.NodeGroupLaunchTemplateArgs{
			Id:      lt.ID(),
			Version: lt.LatestVersion.ApplyT(strconv.Itoa).(pulumi.StringOutput),
		},
	}, parent, pulumi.DependsOn(append(deps, cni, proxy)))
	if err != nil {
		return err
	}
	e.nodes = group
	// CoreDNS needs nodes to run on.
	if e.dns, err = e.addon(ctx, "coredns", &eks.AddonArgs{}, group); err != nil {
		return err
	}
	// The HorizontalPodAutoscalers read CPU and memory from the Metrics
	// Server, which EKS does not deploy by default; without it they never
	// scale out (https://docs.aws.amazon.com/eks/latest/userguide/metrics-server.html,
	// add-on "metrics-server": https://docs.aws.amazon.com/eks/latest/userguide/community-addons.html).
	_, err = e.addon(ctx, "metrics-server", &eks.AddonArgs{}, group)
	return err
}

// nodeRole creates the nodes' role with its managed policies and the right
// to decrypt image layers; it returns the role and what a node group must
// wait for.
func (e *eksRuntime) nodeRole(ctx *pulumi.Context) (*iam.Role, []pulumi.Resource, error) {
	f, a := e.f, e.f.args
	parent := pulumi.Parent(f)
	// The aws:SourceAccount condition of iamdoc.ServiceTrust is not
	// documented for EC2 instance profiles, so the node role trusts EC2 as
	// AWS's own EKS node role template does, without it.
	trust := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
			Effect:  pulumi.String("Allow"),
			Actions: pulumi.ToStringArray([]string{"sts:AssumeRole"}),
			Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
				Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{"ec2.amazonaws.com"}),
			}},
		}},
	}, parent).Json()
	role, err := iam.NewRole(ctx, "eks-nodes", &iam.RoleArgs{
		Description:      pulumi.Sprintf("%s EKS nodes", f.clusterName()),
		AssumeRolePolicy: trust,
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	// The CNI policy is not here: vpc-cni has its own IRSA role, so pods
	// never inherit network-interface rights from the node.
	deps := []pulumi.Resource{}
	for _, p := range []string{"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"} {
		att, err := iam.NewRolePolicyAttachment(ctx, "eks-nodes-"+p, &iam.RolePolicyAttachmentArgs{
			Role: role.Name, PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/%s", a.Partition, p),
		}, parent)
		if err != nil {
			return nil, nil, err
		}
		deps = append(deps, att)
	}
	// The repositories are encrypted with the fleet key.
	decrypt, err := iamdoc.Attach(ctx, f, iamdoc.NewGrantee("eks-nodes", role), "image-key", iam.GetPolicyDocumentStatementArray{
		allow("DecryptImageLayers", []string{"kms:Decrypt"}, f.key.Arn),
	})
	if err != nil {
		return nil, nil, err
	}
	deps = append(deps, decrypt)
	return role, deps, nil
}

// nodeLaunchTemplate is the nodes' launch template.
// IMDSv2 only, one hop: a pod cannot reach the node's credentials.
func (e *eksRuntime) nodeLaunchTemplate(ctx *pulumi.Context) (*ec2.LaunchTemplate, error) {
	f, ng := e.f, e.spec.NodeGroup
	return ec2.NewLaunchTemplate(ctx, "eks-nodes", &ec2.LaunchTemplateArgs{
		Description:          pulumi.Sprintf("%s EKS nodes: IMDSv2, encrypted root volume", f.clusterName()),
		UpdateDefaultVersion: pulumi.Bool(true),
		MetadataOptions: &ec2.LaunchTemplateMetadataOptionsArgs{
			HttpEndpoint: pulumi.String("enabled"), HttpTokens: pulumi.String("required"), HttpPutResponseHopLimit: pulumi.Int(1),
		},
		BlockDeviceMappings: ec2.LaunchTemplateBlockDeviceMappingArray{ec2.LaunchTemplateBlockDeviceMappingArgs{
			DeviceName: pulumi.String("/dev/xvda"),
			Ebs: &ec2.LaunchTemplateBlockDeviceMappingEbsArgs{
				VolumeSize: pulumi.Int(ng.DiskSize), VolumeType: pulumi.String("gp3"),
				Encrypted: pulumi.String("true"), DeleteOnTermination: pulumi.String("true"),
			},
		}},
	}, pulumi.Parent(f))
}

// networkAddons installs vpc-cni (with its IRSA role) and kube-proxy.
// Networking add-ons first: without them no node becomes Ready.
func (e *eksRuntime) networkAddons(ctx *pulumi.Context) (cni, proxy *eks.Addon, err error) {
	a := e.f.args
	parent := pulumi.Parent(e.f)
	cniRole, err := e.irsaRole(ctx, "eks-vpc-cni", "kube-system", "aws-node", "vpc-cni: pod networking")
	if err != nil {
		return nil, nil, err
	}
	cniPolicy, err := iam.NewRolePolicyAttachment(ctx, "eks-vpc-cni-AmazonEKS_CNI_Policy", &iam.RolePolicyAttachmentArgs{
		Role: cniRole.Name, PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/AmazonEKS_CNI_Policy", a.Partition),
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	cniConfig, err := json.Marshal(vpcCNIConfig)
	if err != nil {
		return nil, nil, err
	}
	cni, err = e.addon(ctx, "vpc-cni", &eks.AddonArgs{ServiceAccountRoleArn: cniRole.Arn, ConfigurationValues: pulumi.String(string(cniConfig))}, cniPolicy)
	if err != nil {
		return nil, nil, err
	}
	proxy, err = e.addon(ctx, "kube-proxy", &eks.AddonArgs{})
	if err != nil {
		return nil, nil, err
	}
	return cni, proxy, nil
}

// addon installs an EKS add-on at the default version for the cluster's
// Kubernetes version; the add-on owns its settings (OVERWRITE).
func (e *eksRuntime) addon(ctx *pulumi.Context, name string, args *eks.AddonArgs, deps ...pulumi.Resource) (*eks.Addon, error) {
	args.ClusterName = e.cluster.Name
	args.AddonName = pulumi.String(name)
	args.ResolveConflictsOnCreate = pulumi.String("OVERWRITE")
	args.ResolveConflictsOnUpdate = pulumi.String("OVERWRITE")
	return eks.NewAddon(ctx, "eks-"+name, args, pulumi.Parent(e.f), pulumi.DependsOn(deps))
}
