package fleet

import (
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
)

// The add-ons' service accounts (namespace, name) their IRSA roles trust.
const (
	esoNamespace = "external-secrets"
	esoAccount   = "external-secrets"
	lbcNamespace = "kube-system"
	lbcAccount   = "aws-load-balancer-controller"
	lbcGrantee   = "aws-load-balancer-controller"
)

// irsaRole is a role only the service account namespace/account of this
// cluster may assume (IRSA): the OIDC provider as federated principal,
// the token's subject and audience pinned.
func (e *eksRuntime) irsaRole(ctx *pulumi.Context, logical, namespace, account, description string) (*iam.Role, error) {
	f := e.f
	condition := func(key, value string) iam.GetPolicyDocumentStatementConditionArgs {
		return iam.GetPolicyDocumentStatementConditionArgs{
			Test:     pulumi.String("StringEquals"),
			Variable: pulumi.Sprintf("%s:%s", e.issuer, key),
			Values:   pulumi.ToStringArray([]string{value}),
		}
	}
	trust := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
			Effect:  pulumi.String("Allow"),
			Actions: pulumi.ToStringArray([]string{"sts:AssumeRoleWithWebIdentity"}),
			Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
				Type: pulumi.String("Federated"), Identifiers: pulumi.StringArray{e.oidcArn},
			}},
			Conditions: iam.GetPolicyDocumentStatementConditionArray{
				condition("sub", "system:serviceaccount:"+namespace+":"+account),
				condition("aud", stsAudience),
			},
		}},
	}, pulumi.Parent(f)).Json()
	return iam.NewRole(ctx, logical, &iam.RoleArgs{
		Description:      pulumi.Sprintf("%s (IRSA: %s/%s on %s)", description, namespace, account, f.clusterName()),
		AssumeRolePolicy: trust,
	}, pulumi.Parent(f))
}

// newRoles creates the roles of the pods: per service an IRSA role for its
// service account with exactly the ECS task role's grants (grantOwners,
// grantee name <service>), the External Secrets operator's role and the
// load balancer controller's role.
func (e *eksRuntime) newRoles(ctx *pulumi.Context) error {
	f := e.f
	for _, n := range f.names() {
		u := f.units[n]
		role, err := e.irsaRole(ctx, n+"-irsa", e.spec.Namespace, n, n+" pods: the application's AWS permissions")
		if err != nil {
			return err
		}
		u.taskRole = role.Arn
		g := iamdoc.NewGrantee(n, role)
		u.grantees = []iamdoc.Grantee{g}
		if err := f.grantOwners(ctx, u.env, g); err != nil {
			return err
		}
	}
	if err := e.secretsReaderRole(ctx); err != nil {
		return err
	}
	return e.controllerRole(ctx)
}

// secretNeeds are the declared secrets and store credentials the services
// receive, which the External Secrets operator reads for them.
func (e *eksRuntime) secretNeeds() (names []string, stores []datalayer.Store) {
	seenName, seenStore := map[string]bool{}, map[datalayer.Store]bool{}
	for _, n := range e.f.names() {
		env := e.f.units[n].env
		for _, s := range env.secretNames {
			if !seenName[s] {
				seenName[s] = true
				names = append(names, s)
			}
		}
		for _, s := range env.credentials {
			if !seenStore[s] {
				seenStore[s] = true
				stores = append(stores, s)
			}
		}
	}
	sort.Strings(names)
	sort.Slice(stores, func(i, j int) bool { return stores[i] < stores[j] })
	return names, stores
}

// secretsReaderRole is the External Secrets operator's role (grantee
// external-secrets): GetSecretValue on exactly the secrets and store
// credentials the services receive, kms:Decrypt through Secrets Manager
// only — granted by their owners. On ECS the execution roles hold these.
func (e *eksRuntime) secretsReaderRole(ctx *pulumi.Context) error {
	names, stores := e.secretNeeds()
	if len(names) == 0 && len(stores) == 0 {
		return nil
	}
	f := e.f
	role, err := e.irsaRole(ctx, "eks-external-secrets", esoNamespace, esoAccount, "External Secrets operator: the services' secrets")
	if err != nil {
		return err
	}
	e.esoRole = role.Arn
	g := iamdoc.NewGrantee(config.EKSSecretsReader, role)
	e.esoGrantee = g
	if len(names) > 0 {
		if _, err := f.args.Secrets.GrantRead(ctx, g, names...); err != nil {
			return err
		}
	}
	if len(stores) > 0 {
		if _, err := f.args.Data.GrantCredentials(ctx, g, stores...); err != nil {
			return err
		}
	}
	return nil
}

// controllerRole is the AWS Load Balancer Controller's role. The fleet owns
// the ALB, listeners, rules and target groups; the controller only
// registers and deregisters pod IPs in the fleet's target groups
// (TargetGroupBinding), so instead of the controller's documented policy
// (which creates and deletes load balancers and security-group rules
// anywhere) it gets: read-only Describe* calls, which IAM cannot scope to
// resources, and Register/DeregisterTargets on these target groups only.
// An Ingress or a LoadBalancer Service in the cluster therefore fails by
// design.
func (e *eksRuntime) controllerRole(ctx *pulumi.Context) error {
	f := e.f
	var targets []pulumi.StringInput
	for _, n := range f.names() {
		u := f.units[n]
		if u.rule != nil {
			targets = append(targets, u.target)
		}
		if u.vpcListener != nil {
			targets = append(targets, u.vpcTarget)
		}
	}
	if len(targets) == 0 {
		return nil
	}
	role, err := e.irsaRole(ctx, "eks-lb-controller", lbcNamespace, lbcAccount, "AWS Load Balancer Controller: the fleet's target groups")
	if err != nil {
		return err
	}
	e.lbcRole = role.Arn
	e.lbcGrantee = iamdoc.NewGrantee(lbcGrantee, role)
	_, err = iamdoc.Attach(ctx, f, e.lbcGrantee, "target-groups", iam.GetPolicyDocumentStatementArray{
		allow("DescribeLoadBalancing", []string{
			"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
			"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:DescribeRules",
			"elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes",
			"elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTags",
		}, pulumi.String("*")),
		allow("DescribeNetwork", []string{
			"ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances",
			"ec2:DescribeNetworkInterfaces", "ec2:DescribeAvailabilityZones", "ec2:DescribeTags",
		}, pulumi.String("*")),
		allow("RegisterPodsInFleetTargetGroups", []string{"elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"}, targets...),
	})
	return err
}
