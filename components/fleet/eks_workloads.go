package fleet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
)

const (
	// secretStoreName is the ClusterSecretStore every ExternalSecret reads.
	secretStoreName = "aws-secrets-manager"
	// externalSecretsAPI is the External Secrets operator's API version.
	externalSecretsAPI = "external-secrets.io/v1"
	// secretsRefresh is how often the operator re-reads Secrets Manager
	// (a rotated RDS password reaches new pods within it).
	secretsRefresh = "1h"
	// appLabel selects a service's pods.
	appLabel = "app.kubernetes.io/name"
	// roleAnnotation binds a service account to its IRSA role.
	roleAnnotation = "eks.amazonaws.com/role-arn"
	httpPort       = "http"
)

// labels are the recommended labels of a service's objects ("" for the
// fleet's own).
func (e *eksRuntime) labels(service string) pulumi.StringMap {
	m := pulumi.StringMap{"app.kubernetes.io/part-of": pulumi.String(e.f.args.Project), "app.kubernetes.io/managed-by": pulumi.String("pulumi")}
	if service != "" {
		m[appLabel] = pulumi.String(service)
	}
	return m
}

// meta is the metadata of a namespaced object of a service.
func (e *eksRuntime) meta(name, service string, annotations pulumi.StringMap) *metav1.ObjectMetaArgs {
	return &metav1.ObjectMetaArgs{
		Name: pulumi.String(name), Namespace: pulumi.String(e.spec.Namespace),
		Labels: e.labels(service), Annotations: annotations,
	}
}

// newWorkloads creates the namespace and every service's objects.
func (e *eksRuntime) newWorkloads(ctx *pulumi.Context) error {
	ns, err := corev1.NewNamespace(ctx, e.spec.Namespace, &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name: pulumi.String(e.spec.Namespace),
			// Every pod of the fleet meets the restricted Pod Security Standard.
			Labels: pulumi.StringMap{
				"pod-security.kubernetes.io/enforce": pulumi.String("restricted"),
				"app.kubernetes.io/part-of":          pulumi.String(e.f.args.Project),
				"app.kubernetes.io/managed-by":       pulumi.String("pulumi"),
			},
		},
	}, e.k8sOpts()...)
	if err != nil {
		return err
	}
	for _, n := range e.f.names() {
		if err := e.workload(ctx, e.f.units[n], ns); err != nil {
			return fmt.Errorf("fleet: %s: %w", n, err)
		}
	}
	return nil
}

// workload creates one service's ServiceAccount, SecurityGroupPolicy,
// ExternalSecret, Deployment, Service, autoscaler, disruption budget and
// TargetGroupBindings (public services, services called from the VPC).
func (e *eksRuntime) workload(ctx *pulumi.Context, u *unit, ns *corev1.Namespace) error {
	s := u.spec
	inNS := pulumi.DependsOn([]pulumi.Resource{ns})
	sa, err := corev1.NewServiceAccount(ctx, s.Name, &corev1.ServiceAccountArgs{
		Metadata:                     e.meta(s.Name, s.Name, pulumi.StringMap{roleAnnotation: u.taskRole}),
		AutomountServiceAccountToken: pulumi.Bool(false),
	}, e.k8sOpts(inNS, iamdoc.DependOn(u.grantees...))...) // its pods act as the role: after every grant
	if err != nil {
		return err
	}
	// The service's pods carry its security group, with the ECS rules.
	sgp, err := apiextensions.NewCustomResource(ctx, s.Name+"-security-group", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String("vpcresources.k8s.aws/v1beta1"),
		Kind:       pulumi.String("SecurityGroupPolicy"),
		Metadata:   e.meta(s.Name, s.Name, nil),
		OtherFields: kubernetes.UntypedArgs{"spec": pulumi.Map{
			"podSelector":    pulumi.Map{"matchLabels": pulumi.StringMap{appLabel: pulumi.String(s.Name)}},
			"securityGroups": pulumi.Map{"groupIds": pulumi.StringArray{u.sg.ID().ToStringOutput()}},
		}},
	}, e.k8sOpts(inNS)...)
	if err != nil {
		return err
	}
	before := []pulumi.Resource{sa, sgp}
	if len(u.env.Secrets) > 0 {
		es, err := e.externalSecret(ctx, u, ns)
		if err != nil {
			return err
		}
		before = append(before, es)
	}
	deployment, err := appsv1.NewDeployment(ctx, s.Name, e.deployment(u), e.k8sOpts(pulumi.DependsOn(before))...)
	if err != nil {
		return err
	}
	svc, err := corev1.NewService(ctx, s.Name, &corev1.ServiceArgs{
		// Not awaited either: Pulumi would wait for a ready endpoint.
		Metadata: e.meta(config.ServiceAlias(s.Name), s.Name, skipAwait()),
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String("ClusterIP"),
			Selector: pulumi.StringMap{appLabel: pulumi.String(s.Name)},
			Ports: corev1.ServicePortArray{corev1.ServicePortArgs{
				Name: pulumi.String(httpPort), Port: pulumi.Int(s.Port), TargetPort: pulumi.String(httpPort),
				Protocol: pulumi.String("TCP"), AppProtocol: pulumi.String("http"),
			}},
		},
	}, e.k8sOpts(inNS)...)
	if err != nil {
		return err
	}
	lo, hi, _ := e.f.serviceCapacity(s)
	if lo > 0 {
		if err := e.autoscaler(ctx, u, lo, hi, deployment); err != nil {
			return err
		}
	}
	if lo >= 2 {
		if _, err := policyv1.NewPodDisruptionBudget(ctx, s.Name, &policyv1.PodDisruptionBudgetArgs{
			Metadata: e.meta(s.Name, s.Name, nil),
			Spec: &policyv1.PodDisruptionBudgetSpecArgs{
				MinAvailable: pulumi.Int(1),
				Selector:     &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{appLabel: pulumi.String(s.Name)}},
			},
		}, e.k8sOpts(inNS)...); err != nil {
			return err
		}
	}
	// The pods in the service's ALB target group (public services) and in
	// its internal NLB's (eks_endpoints.go).
	if u.rule != nil {
		if err := e.targetGroupBinding(ctx, s.Name, u, u.target, svc, u.rule); err != nil {
			return err
		}
	}
	if u.vpcListener != nil {
		return e.targetGroupBinding(ctx, s.Name+"-vpc", u, u.vpcTarget, svc, u.vpcListener)
	}
	return nil
}

// externalSecret maps each secret the service receives to the same
// variable name the ECS task definition injects: the whole secret, or one
// JSON key of it (DATABASE_URL is the connection secret's "url").
// The operator writes them to the Secret <name>-secrets.
func (e *eksRuntime) externalSecret(ctx *pulumi.Context, u *unit, ns *corev1.Namespace) (pulumi.Resource, error) {
	var data pulumi.Array
	for _, k := range sortedKeys(u.env.Secrets) {
		ref, ok := u.env.refs[k]
		if !ok {
			return nil, fmt.Errorf("secret %s has no source reference", k)
		}
		remote := pulumi.Map{"key": ref.ARN}
		if ref.Key != "" {
			remote["property"] = pulumi.String(ref.Key)
		}
		data = append(data, pulumi.Map{"secretKey": pulumi.String(k), "remoteRef": remote})
	}
	return apiextensions.NewCustomResource(ctx, u.spec.Name+"-secrets", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(externalSecretsAPI),
		Kind:       pulumi.String("ExternalSecret"),
		Metadata:   e.meta(u.spec.Name, u.spec.Name, nil),
		OtherFields: kubernetes.UntypedArgs{"spec": pulumi.Map{
			"refreshInterval": pulumi.String(secretsRefresh),
			"secretStoreRef":  pulumi.Map{"kind": pulumi.String("ClusterSecretStore"), "name": pulumi.String(secretStoreName)},
			"target":          pulumi.Map{"name": pulumi.String(secretName(u.spec.Name)), "creationPolicy": pulumi.String("Owner")},
			"data":            data,
		}},
	}, e.k8sOpts(pulumi.DependsOn([]pulumi.Resource{ns, e.secrets}))...)
}

// secretName is the Kubernetes Secret holding a service's secrets.
func secretName(service string) string { return service + "-secrets" }

// Resource quantities of a service: its ECS size, as requests and limits
// (a Fargate task's size is a hard size too).
func resourceQuantities(s config.FleetService) pulumi.StringMap {
	return pulumi.StringMap{
		"cpu":    pulumi.Sprintf("%dm", config.MilliCPU(s.CPU)),
		"memory": pulumi.Sprintf("%dMi", s.Memory),
	}
}

// deployment is a service's Deployment. It has no replicas: the
// autoscaler owns them (server-side apply leaves the field to it), except
// in a pilot-light standby, which runs none.
func (e *eksRuntime) deployment(u *unit) *appsv1.DeploymentArgs {
	s := u.spec
	selector := pulumi.StringMap{appLabel: pulumi.String(s.Name)}
	var env corev1.EnvVarArray
	for _, k := range sortedKeys(u.env.Env) {
		env = append(env, corev1.EnvVarArgs{Name: pulumi.String(k), Value: u.env.Env[k]})
	}
	var envFrom corev1.EnvFromSourceArray
	if len(u.env.Secrets) > 0 {
		envFrom = corev1.EnvFromSourceArray{corev1.EnvFromSourceArgs{
			SecretRef: &corev1.SecretEnvSourceArgs{Name: pulumi.String(secretName(s.Name))},
		}}
	}
	probe := func(initialDelay, period int) *corev1.ProbeArgs {
		return &corev1.ProbeArgs{
			HttpGet:             &corev1.HTTPGetActionArgs{Path: pulumi.String(s.HealthCheck.Path), Port: pulumi.String(httpPort)},
			InitialDelaySeconds: pulumi.Int(initialDelay), PeriodSeconds: pulumi.Int(period),
			TimeoutSeconds: pulumi.Int(5), FailureThreshold: pulumi.Int(3),
		}
	}
	readOnly := *s.ReadOnlyRootFilesystem
	container := corev1.ContainerArgs{
		Name:    pulumi.String(s.Name),
		Image:   pulumi.Sprintf("%s:%s", u.repoURL, s.Image.Tag),
		Ports:   corev1.ContainerPortArray{corev1.ContainerPortArgs{Name: pulumi.String(httpPort), ContainerPort: pulumi.Int(s.Port), Protocol: pulumi.String("TCP")}},
		Env:     env,
		EnvFrom: envFrom,
		Resources: &corev1.ResourceRequirementsArgs{
			Requests: resourceQuantities(s), Limits: resourceQuantities(s),
		},
		// Readiness gates traffic at once; liveness waits out the start-up
		// grace period the ECS service gives its health checks.
		ReadinessProbe: probe(5, 10),
		LivenessProbe:  probe(s.HealthCheck.GracePeriodSeconds, 15),
		SecurityContext: &corev1.SecurityContextArgs{
			RunAsNonRoot:             pulumi.Bool(true),
			ReadOnlyRootFilesystem:   pulumi.Bool(readOnly),
			AllowPrivilegeEscalation: pulumi.Bool(false),
			Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.ToStringArray([]string{"ALL"})},
		},
	}
	pod := &corev1.PodSpecArgs{
		ServiceAccountName:           pulumi.String(s.Name),
		AutomountServiceAccountToken: pulumi.Bool(false),
		// The ALB's deregistration delay.
		TerminationGracePeriodSeconds: pulumi.Int(deregistrationDelay),
		SecurityContext: &corev1.PodSecurityContextArgs{
			RunAsNonRoot:   pulumi.Bool(true),
			SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
		},
		TopologySpreadConstraints: corev1.TopologySpreadConstraintArray{corev1.TopologySpreadConstraintArgs{
			MaxSkew: pulumi.Int(1), TopologyKey: pulumi.String("topology.kubernetes.io/zone"),
			WhenUnsatisfiable: pulumi.String("ScheduleAnyway"),
			LabelSelector:     &metav1.LabelSelectorArgs{MatchLabels: selector},
		}},
	}
	if uid, gid, ok := numericUser(*s.User); ok {
		pod.SecurityContext = &corev1.PodSecurityContextArgs{
			RunAsNonRoot: pulumi.Bool(true), RunAsUser: pulumi.Int(uid), RunAsGroup: pulumi.Int(gid), FsGroup: pulumi.Int(gid),
			SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
		}
	}
	if readOnly {
		container.VolumeMounts = corev1.VolumeMountArray{corev1.VolumeMountArgs{Name: pulumi.String(tmpVolume), MountPath: pulumi.String("/tmp")}}
		pod.Volumes = corev1.VolumeArray{corev1.VolumeArgs{Name: pulumi.String(tmpVolume), EmptyDir: &corev1.EmptyDirVolumeSourceArgs{}}}
	}
	pod.Containers = corev1.ContainerArray{container}
	spec := &appsv1.DeploymentSpecArgs{
		Selector: &metav1.LabelSelectorArgs{MatchLabels: selector},
		Strategy: &appsv1.DeploymentStrategyArgs{
			Type:          pulumi.String("RollingUpdate"),
			RollingUpdate: &appsv1.RollingUpdateDeploymentArgs{MaxUnavailable: pulumi.Int(0), MaxSurge: pulumi.String("25%")},
		},
		RevisionHistoryLimit: pulumi.Int(10),
		Template: &corev1.PodTemplateSpecArgs{
			Metadata: &metav1.ObjectMetaArgs{Labels: e.labels(s.Name)},
			Spec:     pod,
		},
	}
	if lo, _, _ := e.f.serviceCapacity(s); lo == 0 {
		spec.Replicas = pulumi.Int(0)
	}
	return &appsv1.DeploymentArgs{
		// `pulumi up` does not wait for the rollout (as on ECS: a first
		// deploy before the images exist would hang); `kubectl rollout
		// status` does.
		Metadata: e.meta(s.Name, s.Name, skipAwait()),
		Spec:     spec,
	}
}

// skipAwait is the annotation that makes Pulumi create an object without
// waiting for it to become ready.
func skipAwait() pulumi.StringMap {
	return pulumi.StringMap{"pulumi.com/skipAwait": pulumi.String("true")}
}

// numericUser splits a uid[:gid] user; ok is false for "" (the image's
// USER) and for names, which Kubernetes cannot run as.
func numericUser(user string) (uid, gid int, ok bool) {
	u, g, hasGroup := strings.Cut(user, ":")
	uid, err := strconv.Atoi(u)
	if err != nil {
		return 0, 0, false
	}
	gid = uid
	if hasGroup {
		if gid, err = strconv.Atoi(g); err != nil {
			return 0, 0, false
		}
	}
	return uid, gid, true
}

// autoscaler keeps the Deployment between the service's bounds, tracking
// its CPU and memory targets; scale-in waits as long as on ECS.
func (e *eksRuntime) autoscaler(ctx *pulumi.Context, u *unit, lo, hi int, deployment *appsv1.Deployment) error {
	s := u.spec
	metric := func(resource string, target int) autoscalingv2.MetricSpecArgs {
		return autoscalingv2.MetricSpecArgs{
			Type: pulumi.String("Resource"),
			Resource: &autoscalingv2.ResourceMetricSourceArgs{
				Name:   pulumi.String(resource),
				Target: &autoscalingv2.MetricTargetArgs{Type: pulumi.String("Utilization"), AverageUtilization: pulumi.Int(target)},
			},
		}
	}
	_, err := autoscalingv2.NewHorizontalPodAutoscaler(ctx, s.Name, &autoscalingv2.HorizontalPodAutoscalerArgs{
		Metadata: e.meta(s.Name, s.Name, nil),
		Spec: &autoscalingv2.HorizontalPodAutoscalerSpecArgs{
			ScaleTargetRef: &autoscalingv2.CrossVersionObjectReferenceArgs{
				ApiVersion: pulumi.String("apps/v1"), Kind: pulumi.String("Deployment"), Name: pulumi.String(s.Name),
			},
			MinReplicas: pulumi.Int(lo),
			MaxReplicas: pulumi.Int(hi),
			Metrics:     autoscalingv2.MetricSpecArray{metric("cpu", s.CPUTarget), metric("memory", s.MemoryTarget)},
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehaviorArgs{
				ScaleDown: &autoscalingv2.HPAScalingRulesArgs{StabilizationWindowSeconds: pulumi.Int(scaleInCooldown)},
			},
		},
	}, e.k8sOpts(pulumi.DependsOn([]pulumi.Resource{deployment}))...)
	return err
}
