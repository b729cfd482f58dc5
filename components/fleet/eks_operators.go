package fleet

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
)

// newOperators installs the External Secrets operator (when a service
// receives secrets) with its ClusterSecretStore, and the AWS Load Balancer
// Controller (when a service is public), each with its IRSA role.
func (e *eksRuntime) newOperators(ctx *pulumi.Context) error {
	f := e.f
	ready := pulumi.DependsOn([]pulumi.Resource{e.nodes, e.dns})
	if e.esoRole != (pulumi.StringOutput{}) {
		eso, err := newHelmRelease(ctx, "external-secrets", "https://charts.external-secrets.io", "external-secrets",
			e.spec.ExternalSecretsVersion, esoNamespace, true, pulumi.Map{
				"installCRDs": pulumi.Bool(true),
				"serviceAccount": pulumi.Map{
					"create": pulumi.Bool(true), "name": pulumi.String(esoAccount),
					"annotations": pulumi.StringMap{roleAnnotation: e.esoRole},
				},
			}, e.k8sOpts(ready, iamdoc.DependOn(e.esoGrantee))...)
		if err != nil {
			return err
		}
		// Only the fleet's namespace may read through the store.
		e.secrets, err = apiextensions.NewCustomResource(ctx, secretStoreName, &apiextensions.CustomResourceArgs{
			ApiVersion: pulumi.String(externalSecretsAPI),
			Kind:       pulumi.String("ClusterSecretStore"),
			Metadata:   &metav1.ObjectMetaArgs{Name: pulumi.String(secretStoreName), Labels: e.labels("")},
			OtherFields: kubernetes.UntypedArgs{"spec": pulumi.Map{
				"conditions": pulumi.Array{pulumi.Map{"namespaces": pulumi.ToStringArray([]string{e.spec.Namespace})}},
				"provider": pulumi.Map{"aws": pulumi.Map{
					"service": pulumi.String("SecretsManager"),
					"region":  pulumi.String(f.args.Region),
					"auth": pulumi.Map{"jwt": pulumi.Map{"serviceAccountRef": pulumi.Map{
						"name": pulumi.String(esoAccount), "namespace": pulumi.String(esoNamespace),
					}}},
				}},
			}},
		}, e.k8sOpts(pulumi.DependsOn([]pulumi.Resource{eso}))...)
		if err != nil {
			return err
		}
	}
	if e.lbcRole == (pulumi.StringOutput{}) {
		return nil
	}
	lbc, err := newHelmRelease(ctx, "aws-load-balancer-controller", "https://aws.github.io/eks-charts", "aws-load-balancer-controller",
		e.spec.LoadBalancerControllerVersion, lbcNamespace, false, pulumi.Map{
			// Region and VPC given: the nodes' IMDS is out of the pods' reach.
			"clusterName":  e.cluster.Name,
			"region":       pulumi.String(f.args.Region),
			"vpcId":        f.args.Network.VpcID,
			"replicaCount": pulumi.Int(2),
			"serviceAccount": pulumi.Map{
				"create": pulumi.Bool(true), "name": pulumi.String(lbcAccount),
				"annotations": pulumi.StringMap{roleAnnotation: e.lbcRole},
			},
			// TargetGroupBindings only: no Ingress class, no LoadBalancer
			// Service webhook, no Shield/WAF lookups (the role cannot).
			"createIngressClassResource":  pulumi.Bool(false),
			"enableServiceMutatorWebhook": pulumi.Bool(false),
			"enableShield":                pulumi.Bool(false),
			"enableWaf":                   pulumi.Bool(false),
			"enableWafv2":                 pulumi.Bool(false),
		}, e.k8sOpts(ready, iamdoc.DependOn(e.lbcGrantee))...)
	if err != nil {
		return err
	}
	e.controller = lbc
	return nil
}
