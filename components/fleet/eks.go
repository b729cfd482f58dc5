package fleet

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
)

// The EKS runtime (fleet.runtime: eks) runs the same services from the
// same config on an EKS cluster instead of ECS Fargate. What both runtimes
// share is built by the same code: the fleet key and log groups, the ECR
// repositories, one security group per service (stores, calls, endpoints,
// internet), the ALB with its listeners, target groups, rules and alarms,
// each service's variables and secrets (buildRuntimeEnvironment) and its
// AWS permissions (grantOwners). What differs:
//
//   - the cluster (eks.go): private API endpoint (public only for
//     fleet.eks.publicAccessCidrs), secrets envelope-encrypted with the
//     fleet key, api/audit/authenticator logs to a KMS-encrypted group,
//     access entries (API mode) for fleet.eks.admins, the OIDC provider for
//     IRSA, and the Kubernetes provider every Kubernetes object uses;
//   - the nodes (eks_nodes.go): a managed node group in the private subnets
//     behind a launch template (IMDSv2 with one hop, encrypted gp3 root
//     volume), vpc-cni with its own IRSA role and security groups for pods
//     switched on, kube-proxy and CoreDNS add-ons;
//   - the roles (eks_iam.go): per service an IRSA role with exactly the ECS
//     task role's grants, the External Secrets operator's role reading
//     exactly the services' secrets, and the load balancer controller's
//     role confined to the fleet's target groups;
//   - the operators (eks_operators.go): the External Secrets operator with
//     its ClusterSecretStore and the load balancer controller, as Helm
//     releases (eks_helm.go);
//   - the workloads (eks_workloads.go): the namespace, and per service a
//     ServiceAccount, SecurityGroupPolicy (its pods get the service's
//     security group, so every network rule is the ECS one), ExternalSecret,
//     Deployment, Service <name>-service, HorizontalPodAutoscaler,
//     PodDisruptionBudget and — for public services — a TargetGroupBinding
//     that registers its pods in the ALB target group;
//   - the internal endpoints (eks_endpoints.go): for each service callers
//     outside the fleet reach (Args.CalledFromVPC), an internal NLB and a
//     private DNS name giving it the ECS runtime's internal URL.

// eksAccessPolicy is the EKS access policy fleet.eks.admins get.
const eksAccessPolicy = "AmazonEKSClusterAdminPolicy"

// eksRuntime is what the EKS steps share.
type eksRuntime struct {
	f          *Fleet
	spec       config.FleetEKS
	cluster    *eks.Cluster
	clusterSG  pulumi.StringOutput // the EKS-created cluster security group (nodes, CoreDNS)
	oidcArn    pulumi.StringOutput // the IAM OIDC provider's ARN
	issuer     pulumi.StringOutput // the issuer without https://, as IAM condition keys name it
	k8s        *kubernetes.Provider
	nodes      pulumi.Resource     // the node group: workloads that need running pods wait for it
	dns        pulumi.Resource     // the CoreDNS add-on: Helm releases wait for it
	secrets    pulumi.Resource     // the ClusterSecretStore (nil without secrets)
	controller pulumi.Resource     // the load balancer controller release (nil without public services)
	esoRole    pulumi.StringOutput // the External Secrets operator's role (zero without secrets)
	lbcRole    pulumi.StringOutput // the load balancer controller's role (zero without public services)
	// esoGrantee and lbcGrantee hold the grants to those roles: their
	// service accounts and charts wait for them (iamdoc.DependOn).
	esoGrantee, lbcGrantee iamdoc.Grantee
}

// eksSteps are the EKS runtime's steps, in order; the shared ones are the
// ECS runtime's own.
func (f *Fleet) eksSteps() []func(*pulumi.Context) error {
	e := &eksRuntime{f: f, spec: f.args.Spec.EKS}
	return []func(*pulumi.Context) error{
		f.newKey, f.newRepositories, e.newCluster, f.newSecurityGroups, e.podNetwork,
		f.newALB, e.newEndpoints, e.newNodes, e.newRoles, e.newOperators, e.newWorkloads, e.collect,
	}
}

// checkEKSSpec refuses, before anything is registered, an eks fleet whose
// eks section was not defaulted (config.Load does it; a fleet switched to
// eks in code must call config.Fleet.WithDefaults again).
func checkEKSSpec(spec config.Fleet) error {
	if spec.Runtime != config.RuntimeEKS {
		return nil
	}
	s := spec.EKS
	if s.Version == "" || s.Namespace == "" || len(s.NodeGroup.InstanceTypes) == 0 || s.NodeGroup.DesiredSize == 0 ||
		s.ExternalSecretsVersion == "" || s.LoadBalancerControllerVersion == "" {
		return errors.New("fleet: the eks section has no defaults applied (config.Fleet.WithDefaults after setting runtime: eks)")
	}
	return nil
}

// k8sOpts are the options of every Kubernetes object: a child of the
// fleet, created through the cluster's provider (never an ambient kubeconfig).
func (e *eksRuntime) k8sOpts(more ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return append([]pulumi.ResourceOption{pulumi.Parent(e.f), pulumi.Provider(e.k8s)}, more...)
}

// newCluster creates the cluster role, the control-plane log group, the
// cluster, its OIDC provider, the admins' access entries and the
// Kubernetes provider.
func (e *eksRuntime) newCluster(ctx *pulumi.Context) error {
	f, a := e.f, e.f.args
	parent := pulumi.Parent(f)
	role, deps, err := e.clusterRole(ctx)
	if err != nil {
		return err
	}
	// EKS writes to /aws/eks/<cluster>/cluster; created first, it is
	// encrypted and expires like the fleet's other logs.
	logs, err := cloudwatch.NewLogGroup(ctx, "eks-control-plane", &cloudwatch.LogGroupArgs{
		Name:            pulumi.Sprintf("/aws/eks/%s/cluster", f.clusterName()),
		RetentionInDays: pulumi.Int(a.Spec.LogRetentionDays),
		KmsKeyId:        f.key.Arn,
	}, parent, pulumi.RetainOnDelete(true))
	if err != nil {
		return err
	}
	public := len(e.spec.PublicAccessCidrs) > 0
	vpc := &eks.ClusterVpcConfigArgs{
		SubnetIds:             a.Network.PrivateSubnetIDs,
		EndpointPrivateAccess: pulumi.Bool(true),
		EndpointPublicAccess:  pulumi.Bool(public),
	}
	if public {
		vpc.PublicAccessCidrs = pulumi.ToStringArray(e.spec.PublicAccessCidrs)
	}
	cluster, err := eks.NewCluster(ctx, "eks", &eks.ClusterArgs{
		Name:    pulumi.String(f.clusterName()),
		Version: pulumi.String(e.spec.Version),
		RoleArn: role.Arn,
		AccessConfig: &eks.ClusterAccessConfigArgs{
			AuthenticationMode: pulumi.String("API"),
			// The identity running `pulumi up` administers the cluster: the
			// Kubernetes provider creates the workloads as it.
			BootstrapClusterCreatorAdminPermissions: pulumi.Bool(true),
		},
		VpcConfig: vpc,
		EncryptionConfig: &eks.ClusterEncryptionConfigArgs{
			Resources: pulumi.ToStringArray([]string{"secrets"}),
			Provider:  &eks.ClusterEncryptionConfigProviderArgs{KeyArn: f.key.Arn},
		},
		EnabledClusterLogTypes: pulumi.ToStringArray(config.EKSLogTypes),
		// vpc-cni, kube-proxy and CoreDNS are managed add-ons (eks_nodes.go).
		BootstrapSelfManagedAddons: pulumi.Bool(false),
	}, parent, pulumi.DependsOn(append(deps, logs)))
	if err != nil {
		return err
	}
	e.cluster = cluster
	e.clusterSG = cluster.VpcConfig.ClusterSecurityGroupId().Elem()
	f.ClusterName, f.ClusterArn = cluster.Name, cluster.Arn
	issuerURL := cluster.Identities.Index(pulumi.Int(0)).Oidcs().Index(pulumi.Int(0)).Issuer().Elem()
	e.issuer = issuerURL.ApplyT(func(u string) string { return strings.TrimPrefix(u, "https://") }).(pulumi.StringOutput)
	oidc, err := iam.NewOpenIdConnectProvider(ctx, "eks-oidc", &iam.OpenIdConnectProviderArgs{
		Url:           issuerURL,
		ClientIdLists: pulumi.ToStringArray([]string{stsAudience}),
		// IAM trusts the EKS OIDC issuers through its own library of root
		// CAs and no longer checks the thumbprint; the API still wants one:
		// the well-known root CA thumbprint of the EKS issuers (no TLS
		// provider needed to fetch it).
		ThumbprintLists: pulumi.ToStringArray([]string{eksOIDCThumbprint}),
	}, parent)
	if err != nil {
		return err
	}
	e.oidcArn = oidc.Arn
	if err := e.admins(ctx); err != nil {
		return err
	}
	e.k8s, err = kubernetes.NewProvider(ctx, "eks", &kubernetes.ProviderArgs{
		Kubeconfig:            e.kubeconfig(),
		EnableServerSideApply: pulumi.BoolPtr(true),
	}, parent)
	if err != nil {
		return err
	}
	f.EKSEndpoint = cluster.Endpoint
	f.EKSOIDCProviderArn = oidc.Arn
	f.KubeconfigCommand = pulumi.Sprintf("aws eks update-kubeconfig --region %s --name %s", a.Region, cluster.Name)
	return nil
}

// clusterRole creates the control plane's role with its managed policies
// and the right to envelope-encrypt with the fleet key; it returns the role
// and what the cluster must wait for.
func (e *eksRuntime) clusterRole(ctx *pulumi.Context) (*iam.Role, []pulumi.Resource, error) {
	f, a := e.f, e.f.args
	parent := pulumi.Parent(f)
	role, err := iam.NewRole(ctx, "eks-cluster", &iam.RoleArgs{
		Description:      pulumi.Sprintf("%s EKS control plane", f.clusterName()),
		AssumeRolePolicy: iamdoc.ServiceTrust(ctx, f, "eks.amazonaws.com", f.account),
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	// AmazonEKSVPCResourceController manages the branch network interfaces
	// security groups for pods use.
	var attachments []pulumi.Resource
	for _, p := range []string{"AmazonEKSClusterPolicy", "AmazonEKSVPCResourceController"} {
		att, err := iam.NewRolePolicyAttachment(ctx, "eks-cluster-"+p, &iam.RolePolicyAttachmentArgs{
			Role: role.Name, PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/%s", a.Partition, p),
		}, parent)
		if err != nil {
			return nil, nil, err
		}
		attachments = append(attachments, att)
	}
	// Envelope encryption of Kubernetes secrets with the fleet key.
	keyUse, err := iamdoc.Attach(ctx, f, iamdoc.NewGrantee("eks-cluster", role), "secrets-key", iam.GetPolicyDocumentStatementArray{
		allow("EnvelopeEncryption", []string{"kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants"}, f.key.Arn),
	})
	if err != nil {
		return nil, nil, err
	}
	return role, append(attachments, keyUse), nil
}

const (
	stsAudience       = "sts.amazonaws.com"
	eksOIDCThumbprint = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
)

// admins gives each fleet.eks.admins role an access entry and cluster-wide
// AmazonEKSClusterAdminPolicy.
func (e *eksRuntime) admins(ctx *pulumi.Context) error {
	f := e.f
	parent := pulumi.Parent(f)
	used := map[string]bool{}
	for _, arn := range e.spec.Admins {
		name := "admin-" + adminName(arn)
		if used[name] {
			name += "-" + strings.Split(arn, ":")[4]
		}
		used[name] = true
		entry, err := eks.NewAccessEntry(ctx, name, &eks.AccessEntryArgs{
			ClusterName:  e.cluster.Name,
			PrincipalArn: pulumi.String(arn),
			Type:         pulumi.String("STANDARD"),
		}, parent)
		if err != nil {
			return err
		}
		if _, err := eks.NewAccessPolicyAssociation(ctx, name, &eks.AccessPolicyAssociationArgs{
			ClusterName:  e.cluster.Name,
			PrincipalArn: entry.PrincipalArn,
			PolicyArn:    pulumi.Sprintf("arn:%s:eks::aws:cluster-access-policy/%s", f.args.Partition, eksAccessPolicy),
			AccessScope:  &eks.AccessPolicyAssociationAccessScopeArgs{Type: pulumi.String("cluster")},
		}, parent); err != nil {
			return err
		}
	}
	return nil
}

// adminName is the role name of an IAM role ARN (its last path segment),
// lowercase: a stable logical name that survives reordering the list.
func adminName(arn string) string {
	return strings.ToLower(arn[strings.LastIndex(arn, "/")+1:])
}

// The kubeconfig the Kubernetes provider uses, built from values and
// marshalled. It holds no credential: `aws eks get-token` mints a
// short-lived token for whoever runs Pulumi.
type (
	kubeconfigFile struct {
		APIVersion     string              `json:"apiVersion"`
		Kind           string              `json:"kind"`
		Clusters       []kubeconfigCluster `json:"clusters"`
		Contexts       []kubeconfigContext `json:"contexts"`
		CurrentContext string              `json:"current-context"`
		Users          []kubeconfigUser    `json:"users"`
	}
	kubeconfigCluster struct {
		Name    string `json:"name"`
		Cluster struct {
			Server                   string `json:"server"`
			CertificateAuthorityData string `json:"certificate-authority-data"`
		} `json:"cluster"`
	}
	kubeconfigContext struct {
		Name    string `json:"name"`
		Context struct {
			Cluster string `json:"cluster"`
			User    string `json:"user"`
		} `json:"context"`
	}
	kubeconfigUser struct {
		Name string `json:"name"`
		User struct {
			Exec struct {
				APIVersion string   `json:"apiVersion"`
				Command    string   `json:"command"`
				Args       []string `json:"args"`
			} `json:"exec"`
		} `json:"user"`
	}
)

func (e *eksRuntime) kubeconfig() pulumi.StringOutput {
	region := e.f.args.Region
	return pulumi.All(e.cluster.Name, e.cluster.Endpoint, e.cluster.CertificateAuthority.Data().Elem()).ApplyT(func(v []any) (string, error) {
		name := v[0].(string)
		k := kubeconfigFile{APIVersion: "v1", Kind: "Config", CurrentContext: name}
		var c kubeconfigCluster
		c.Name, c.Cluster.Server, c.Cluster.CertificateAuthorityData = name, v[1].(string), v[2].(string)
		var x kubeconfigContext
		x.Name, x.Context.Cluster, x.Context.User = name, name, name
		var u kubeconfigUser
		u.Name = name
		u.User.Exec.APIVersion = "client.authentication.k8s.io/v1beta1"
		u.User.Exec.Command = "aws"
		u.User.Exec.Args = []string{"eks", "get-token", "--cluster-name", name, "--region", region, "--output", "json"}
		k.Clusters, k.Contexts, k.Users = []kubeconfigCluster{c}, []kubeconfigContext{x}, []kubeconfigUser{u}
		b, err := json.Marshal(k)
		return string(b), err
	}).(pulumi.StringOutput)
}

// collect sets the outputs the ECS steps would have: the migration
// commands (kubectl exec in a running pod of the service, which has its
// variables and secrets). InternalURLs name only the services with an
// internal endpoint (newEndpoints): a Lambda calling another service fails
// at synth (its URL is missing) instead of deploying an address it cannot
// reach.
func (e *eksRuntime) collect(*pulumi.Context) error {
	f := e.f
	commands := pulumi.StringMap{}
	for _, n := range f.names() {
		if m := f.units[n].spec.Migrations; m != nil {
			commands[n] = pulumi.String(fmt.Sprintf("kubectl --namespace %s exec deploy/%s -- %s", e.spec.Namespace, n, shellJoin(m.Command)))
		}
	}
	f.MigrationCommands = commands.ToStringMapOutput()
	return nil
}

// shellJoin quotes each word that needs it for a POSIX shell.
func shellJoin(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@%+") == "" {
			out[i] = w
			continue
		}
		out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}
