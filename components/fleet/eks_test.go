package fleet

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

// Resource types the EKS tests read.
const (
	tCluster    = "aws:eks/cluster:Cluster"
	tNodeGroup  = "aws:eks/nodeGroup:NodeGroup"
	tAddon      = "aws:eks/addon:Addon"
	tOIDC       = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	tK8s        = "pulumi:providers:kubernetes"
	tNamespace  = "kubernetes:core/v1:Namespace"
	tSA         = "kubernetes:core/v1:ServiceAccount"
	tK8sService = "kubernetes:core/v1:Service"
	tDeployment = "kubernetes:apps/v1:Deployment"
	tHPA        = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	tPDB        = "kubernetes:policy/v1:PodDisruptionBudget"
	tRelease    = "kubernetes:helm.sh/v3:Release"
	tExtSecret  = "kubernetes:external-secrets.io/v1:ExternalSecret"
	tStore      = "kubernetes:external-secrets.io/v1:ClusterSecretStore"
	tTGB        = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding"
	tSGP        = "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy"
	tTG         = "aws:lb/targetGroup:TargetGroup"
)

// eksSection is what DBay's Pulumi.prod.yaml would add to switch to EKS:
// nodes that hold every service's minimum (9.5 vCPUs) and one admin role.
var eksSection = map[string]any{
	"nodeGroup": map[string]any{"instanceTypes": []string{"m6i.xlarge"}, "desiredSize": 4},
	"admins":    []string{"arn:aws:iam::123456789012:role/platform-admins"},
}

// onEKS loads a shipped stack file with its fleet switched to the EKS
// runtime as an operator would — `runtime: eks` and an eks section in the
// same file — through config.Load, so defaults and validation apply.
func onEKS(t *testing.T, dir, project string, eks map[string]any) fixture {
	t.Helper()
	values := stackValues(t, dir, "prod")
	key := project + ":fleet"
	var fl map[string]any
	if err := json.Unmarshal([]byte(values[key]), &fl); err != nil {
		t.Fatal(err)
	}
	fl["runtime"] = config.RuntimeEKS
	if eks != nil {
		fl["eks"] = eks
	}
	b, _ := json.Marshal(fl)
	values[key] = string(b)
	// The service roles' bootstrap is an ECS task: config refuses
	// data.postgres.serviceUsers on EKS.
	var data map[string]any
	if err := json.Unmarshal([]byte(values[project+":data"]), &data); err == nil {
		if pg, ok := data["postgres"].(map[string]any); ok {
			pg["serviceUsers"] = false
			delete(pg, "urlSchema") // needs serviceUsers
		}
		if m, ok := data["documentdb"].(map[string]any); ok {
			m["serviceUsers"] = false // the DocumentDB users' bootstrap too
		}
		b, _ = json.Marshal(data)
		values[project+":data"] = string(b)
	}
	cfg, err := config.Load(config.Source{Project: project, Stack: "prod", Values: values})
	if err != nil {
		t.Fatalf("%s on eks does not validate:\n%v", dir, err)
	}
	sec := cfg.Secrets
	sec.ReplicaRegions = nil // as fromStack
	return fixture{project: project, domain: cfg.Domain, region: cfg.Region, role: cfg.Role, network: cfg.Network,
		data: cfg.Data, secrets: sec, fleet: *cfg.Fleet, zone: true, replica: cfg.DRRegion, protect: true}
}

func dbayEKS(t *testing.T) fixture { t.Helper(); return onEKS(t, "../..", "dbay", eksSection) }

// dbayOneUser is DBay on ECS as EKS runs it: every service connects as the
// master user (data.postgres.serviceUsers is ECS-only), so the two
// runtimes compare like for like.
func dbayOneUser(t *testing.T) fixture {
	t.Helper()
	fx := dbay(t)
	pg := *fx.data.Postgres
	pg.ServiceUsers = false
	fx.data.Postgres = &pg
	mg := *fx.data.DocumentDB
	mg.ServiceUsers = false
	fx.data.DocumentDB = &mg
	return fx
}

// podSpec and container of a service's Deployment.
func (r run) podSpec(t *testing.T, service string) map[string]any {
	t.Helper()
	spec, _ := mockengine.At(r.one(t, tDeployment, service).In(), "spec", "template", "spec").(map[string]any)
	return spec
}

func (r run) k8sContainer(t *testing.T, service string) map[string]any {
	t.Helper()
	c, _ := mockengine.At(r.podSpec(t, service), "containers", 0).(map[string]any)
	return c
}

func TestEKSCluster(t *testing.T) {
	t.Parallel()
	r := synth(t, dbayEKS(t), nil).must(t)
	c := r.one(t, tCluster, "eks").In()
	private := mockengine.At(r.eng.ByType("awsx:ec2:Vpc")[0].Out(), "privateSubnetIds")
	keyArn := r.one(t, "aws:kms/key:Key", "fleet-key").Out()["arn"]
	for what, got := range map[string][2]any{
		"name":                         {mockengine.At(c, "name"), "dbay-production"},
		"version":                      {mockengine.At(c, "version"), config.DefaultEKSVersion},
		"private endpoint":             {mockengine.At(c, "vpcConfig", "endpointPrivateAccess"), true},
		"public endpoint":              {mockengine.At(c, "vpcConfig", "endpointPublicAccess"), false},
		"public CIDRs":                 {mockengine.At(c, "vpcConfig", "publicAccessCidrs"), nil},
		"subnets":                      {mockengine.At(c, "vpcConfig", "subnetIds"), private},
		"encrypted resources":          {mockengine.At(c, "encryptionConfig", "resources"), []any{"secrets"}},
		"encryption key":               {mockengine.At(c, "encryptionConfig", "provider", "keyArn"), keyArn},
		"log types":                    {mockengine.At(c, "enabledClusterLogTypes"), []any{"api", "audit", "authenticator"}},
		"authentication mode":          {mockengine.At(c, "accessConfig", "authenticationMode"), "API"},
		"self-managed add-ons skipped": {mockengine.At(c, "bootstrapSelfManagedAddons"), false},
	} {
		if !reflect.DeepEqual(got[0], got[1]) {
			t.Errorf("cluster %s = %v, want %v", what, got[0], got[1])
		}
	}
	// The EKS outputs are registered with runtime eks only (TestOutputs: not on ECS).
	if got, want := r.outs["kubeconfigCommand"], "aws eks update-kubeconfig --region us-east-1 --name "+mockengine.At(r.one(t, tCluster, "eks").Out(), "name").(string); got != want {
		t.Errorf("kubeconfigCommand = %v, want %q", got, want)
	}
	if r.outs["eksEndpoint"] != r.one(t, tCluster, "eks").Out()["endpoint"] || r.outs["eksOidcProviderArn"] == nil || r.outs["eksOidcProviderArn"] == "" {
		t.Errorf("eksEndpoint = %v, eksOidcProviderArn = %v", r.outs["eksEndpoint"], r.outs["eksOidcProviderArn"])
	}
	logs := r.one(t, "aws:cloudwatch/logGroup:LogGroup", "eks-control-plane").In()
	if logs["name"] != "/aws/eks/dbay-production/cluster" || logs["kmsKeyId"] != keyArn || logs["retentionInDays"] != float64(90) {
		t.Errorf("control-plane log group = %v", logs)
	}
	// The cluster role: the EKS policies and envelope encryption with the fleet key only.
	role := r.roleName(t, "eks-cluster")
	var managed []string
	for _, a := range r.eng.ByType("aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
		if a.In()["role"] == role {
			managed = append(managed, a.In()["policyArn"].(string))
		}
	}
	sort.Strings(managed)
	if want := []string{"arn:aws:iam::aws:policy/AmazonEKSClusterPolicy", "arn:aws:iam::aws:policy/AmazonEKSVPCResourceController"}; !reflect.DeepEqual(managed, want) {
		t.Errorf("cluster role policies = %v, want %v", managed, want)
	}
	if got := r.grants(t)[role]["kms:Encrypt"]; !reflect.DeepEqual(got, []string{keyArn.(string)}) {
		t.Errorf("cluster role kms:Encrypt on %v, want the fleet key", got)
	}
	// Admins: an access entry and cluster-wide admin.
	entry := r.one(t, "aws:eks/accessEntry:AccessEntry", "admin-platform-admins").In()
	assoc := r.one(t, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "admin-platform-admins").In()
	if entry["principalArn"] != "arn:aws:iam::123456789012:role/platform-admins" || entry["type"] != "STANDARD" ||
		assoc["policyArn"] != "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" || mockengine.At(assoc, "accessScope", "type") != "cluster" {
		t.Errorf("admin access: entry %v, association %v", entry, assoc)
	}
	if n := len(r.eng.ByType("aws:eks/accessEntry:AccessEntry")); n != 1 {
		t.Errorf("%d access entries, want 1", n)
	}
	// Nothing of the ECS runtime is left.
	for _, res := range r.eng.Resources() {
		if strings.HasPrefix(res.Type, "aws:ecs/") || strings.HasPrefix(res.Type, "aws:appautoscaling/") || strings.HasPrefix(res.Type, "aws:servicediscovery/") {
			t.Errorf("EKS stack has ECS resource %s %s", res.Type, res.Name)
		}
	}
}

func TestEKSPublicEndpointOnlyForConfiguredBlocks(t *testing.T) {
	t.Parallel()
	eks := map[string]any{"nodeGroup": eksSection["nodeGroup"], "publicAccessCidrs": []string{"203.0.113.0/24"}}
	r := synth(t, onEKS(t, "../..", "dbay", eks), nil).must(t)
	vpc := mockengine.At(r.one(t, tCluster, "eks").In(), "vpcConfig")
	if mockengine.At(vpc, "endpointPublicAccess") != true || mockengine.At(vpc, "endpointPrivateAccess") != true ||
		!reflect.DeepEqual(mockengine.At(vpc, "publicAccessCidrs"), []any{"203.0.113.0/24"}) {
		t.Errorf("vpcConfig = %v", vpc)
	}
}

func TestEKSNodeGroup(t *testing.T) {
	t.Parallel()
	r := synth(t, dbayEKS(t), nil).must(t)
	ng := r.one(t, tNodeGroup, "eks-nodes")
	in := ng.In()
	private := mockengine.At(r.eng.ByType("awsx:ec2:Vpc")[0].Out(), "privateSubnetIds")
	lt := r.one(t, "aws:ec2/launchTemplate:LaunchTemplate", "eks-nodes")
	for what, got := range map[string][2]any{
		"subnets":         {in["subnetIds"], private},
		"scaling":         {in["scalingConfig"], map[string]any{"minSize": float64(3), "maxSize": float64(9), "desiredSize": float64(4)}},
		"AMI":             {in["amiType"], "AL2023_x86_64_STANDARD"},
		"instance types":  {in["instanceTypes"], []any{"m6i.xlarge"}},
		"max unavailable": {mockengine.At(in, "updateConfig", "maxUnavailable"), float64(1)},
		"launch template": {mockengine.At(in, "launchTemplate", "id"), lt.ID},
		"IMDS tokens":     {mockengine.At(lt.In(), "metadataOptions", "httpTokens"), "required"},
		"IMDS hops":       {mockengine.At(lt.In(), "metadataOptions", "httpPutResponseHopLimit"), float64(1)},
		"disk":            {mockengine.At(lt.In(), "blockDeviceMappings", 0, "ebs", "volumeSize"), float64(50)},
		"disk encrypted":  {mockengine.At(lt.In(), "blockDeviceMappings", 0, "ebs", "encrypted"), "true"},
	} {
		if !reflect.DeepEqual(got[0], got[1]) {
			t.Errorf("node group %s = %v, want %v", what, got[0], got[1])
		}
	}
	// The node role has no CNI rights: vpc-cni has its own IRSA role.
	role := r.roleName(t, "eks-nodes")
	var managed []string
	for _, a := range r.eng.ByType("aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
		if a.In()["role"] == role {
			managed = append(managed, strings.TrimPrefix(a.In()["policyArn"].(string), "arn:aws:iam::aws:policy/"))
		}
	}
	sort.Strings(managed)
	if want := []string{"AmazonEC2ContainerRegistryReadOnly", "AmazonEKSWorkerNodePolicy"}; !reflect.DeepEqual(managed, want) {
		t.Errorf("node role policies = %v, want %v", managed, want)
	}
	cni := r.one(t, tAddon, "eks-vpc-cni")
	var cfg map[string]any
	_ = json.Unmarshal([]byte(cni.In()["configurationValues"].(string)), &cfg)
	if mockengine.At(cfg, "env", "ENABLE_POD_ENI") != "true" || mockengine.At(cfg, "init", "env", "DISABLE_TCP_EARLY_DEMUX") != "true" ||
		cni.In()["serviceAccountRoleArn"] != r.one(t, tRole, "eks-vpc-cni").Out()["arn"] {
		t.Errorf("vpc-cni add-on = %v", cni.In())
	}
	// Networking before nodes, CoreDNS after them.
	deps := func(res *mockengine.Resource) []string { return res.Dependencies }
	if !containsString(deps(ng), cni.URN) || !containsString(deps(ng), r.one(t, tAddon, "eks-kube-proxy").URN) {
		t.Errorf("node group does not wait for vpc-cni and kube-proxy: %v", deps(ng))
	}
	if !containsString(deps(r.one(t, tAddon, "eks-metrics-server")), ng.URN) {
		t.Errorf("no metrics-server add-on on the nodes: the autoscalers would have no metrics")
	}
	if !containsString(deps(r.one(t, tAddon, "eks-coredns")), ng.URN) {
		t.Error("CoreDNS does not wait for the nodes")
	}
}

// irsaTrust checks a role's trust policy: only the service account
// namespace/account of this cluster, through its OIDC provider.
func (r run) irsaTrust(t *testing.T, logical, namespace, account string) {
	t.Helper()
	oidc := r.one(t, tOIDC, "eks-oidc")
	issuer := strings.TrimPrefix(oidc.In()["url"].(string), "https://")
	st := parsePolicy(t, r.one(t, tRole, logical).In()["assumeRolePolicy"])
	if len(st) != 1 {
		t.Fatalf("%s trust has %d statements", logical, len(st))
	}
	want := map[string]map[string]any{"StringEquals": {
		issuer + ":sub": "system:serviceaccount:" + namespace + ":" + account,
		issuer + ":aud": "sts.amazonaws.com",
	}}
	if st[0].Action != "sts:AssumeRoleWithWebIdentity" || !reflect.DeepEqual(st[0].Principal, map[string]any{"Federated": oidc.Out()["arn"]}) ||
		!reflect.DeepEqual(st[0].Condition, want) {
		t.Errorf("%s trust = %+v, want federated %v with %v", logical, st[0], oidc.Out()["arn"], want)
	}
}

func TestEKSOIDCAndIRSATrust(t *testing.T) {
	t.Parallel()
	r := synth(t, dbayEKS(t), nil).must(t)
	oidc := r.one(t, tOIDC, "eks-oidc")
	issuer := mockengine.At(r.one(t, tCluster, "eks").Out(), "identities", 0, "oidcs", 0, "issuer")
	if oidc.In()["url"] != issuer || !reflect.DeepEqual(oidc.In()["clientIdLists"], []any{"sts.amazonaws.com"}) ||
		!reflect.DeepEqual(oidc.In()["thumbprintLists"], []any{eksOIDCThumbprint}) {
		t.Errorf("OIDC provider = %v (issuer %v)", oidc.In(), issuer)
	}
	if !strings.HasPrefix(oidc.Out()["arn"].(string), "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/") {
		t.Errorf("OIDC provider ARN = %v", oidc.Out()["arn"])
	}
	for _, s := range r.fx.fleet.Services {
		r.irsaTrust(t, s.Name+"-irsa", "dbay", s.Name)
		sa := r.one(t, tSA, s.Name).In()
		if mockengine.At(sa, "metadata", "annotations", "eks.amazonaws.com/role-arn") != r.one(t, tRole, s.Name+"-irsa").Out()["arn"] ||
			mockengine.At(sa, "metadata", "namespace") != "dbay" || mockengine.At(sa, "metadata", "name") != s.Name {
			t.Errorf("%s service account = %v", s.Name, sa)
		}
	}
	r.irsaTrust(t, "eks-external-secrets", "external-secrets", "external-secrets")
	r.irsaTrust(t, "eks-lb-controller", "kube-system", "aws-load-balancer-controller")
	r.irsaTrust(t, "eks-vpc-cni", "kube-system", "aws-node")
}

// secretReads are the secretsmanager:GetSecretValue resources of roles.
func secretReads(g map[string]map[string][]string, roles ...string) []string {
	set := map[string]bool{}
	for _, role := range roles {
		for _, arn := range g[role]["secretsmanager:GetSecretValue"] {
			set[arn] = true
		}
	}
	return keys(set)
}

// Each service's IRSA role holds exactly its ECS task role's grants, and
// the operator reads exactly what the ECS execution roles read.
func TestEKSGrantsMatchECS(t *testing.T) {
	t.Parallel()
	ecs := synth(t, dbayOneUser(t), nil).must(t)
	eks := synth(t, dbayEKS(t), nil).must(t)
	ge, gk := ecs.grants(t), eks.grants(t)
	var execRoles []string
	for _, s := range ecs.fx.fleet.Services {
		execRoles = append(execRoles, ecs.roleName(t, s.Name+"-exec"))
		task, irsa := ge[ecs.roleName(t, s.Name+"-task")], gk[eks.roleName(t, s.Name+"-irsa")]
		if len(task) == 0 && len(irsa) == 0 {
			continue
		}
		if !reflect.DeepEqual(task, irsa) {
			t.Errorf("%s: IRSA role grants\n%v\nECS task role grants\n%v", s.Name, irsa, task)
		}
	}
	if len(gk[eks.roleName(t, "listing-irsa")]["s3:PutObject"]) == 0 || len(gk[eks.roleName(t, "notification-irsa")]["sqs:ReceiveMessage"]) == 0 {
		t.Error("the comparison saw no grants")
	}
	eso := eks.roleName(t, "eks-external-secrets")
	want := secretReads(ge, execRoles...)
	if got := secretReads(gk, eso); len(want) < 5 || !reflect.DeepEqual(got, want) {
		t.Errorf("operator reads %v, ECS execution roles read %v", got, want)
	}
	for action := range gk[eso] {
		if action != "secretsmanager:GetSecretValue" && action != "kms:Decrypt" {
			t.Errorf("operator may %s", action)
		}
	}
	// The controller registers targets in the fleet's target groups only.
	lbc := gk[eks.roleName(t, "eks-lb-controller")]
	var tgs []string
	for _, tg := range eks.eng.ByType(tTG) {
		tgs = append(tgs, tg.Out()["arn"].(string))
	}
	sort.Strings(tgs)
	if !reflect.DeepEqual(lbc["elasticloadbalancing:RegisterTargets"], tgs) || !reflect.DeepEqual(lbc["elasticloadbalancing:DeregisterTargets"], tgs) {
		t.Errorf("controller registers in %v, want %v", lbc["elasticloadbalancing:RegisterTargets"], tgs)
	}
	for action, res := range lbc {
		if !strings.HasPrefix(action, "elasticloadbalancing:Describe") && !strings.HasPrefix(action, "ec2:Describe") &&
			!strings.HasSuffix(action, "egisterTargets") {
			t.Errorf("controller may %s on %v", action, res)
		}
	}
}

// The network is the ECS one: every security-group rule, target group and
// listener rule of the ECS run exists unchanged, and each service's pods
// carry its security group.
func TestEKSNetworkMatchesECS(t *testing.T) {
	t.Parallel()
	ecs := synth(t, dbayOneUser(t), nil).must(t)
	eks := synth(t, dbayEKS(t), nil).must(t)
	for _, typ := range []string{tIngress, tEgress, tSG, tTG, "aws:lb/listenerRule:ListenerRule", "aws:lb/listener:Listener", "aws:lb/loadBalancer:LoadBalancer"} {
		n := 0
		for _, want := range ecs.eng.ByType(typ) {
			got := eks.eng.Get(typ, want.Name)
			if got == nil {
				t.Errorf("%s %s of the ECS run is missing on EKS", typ, want.Name)
				continue
			}
			if !reflect.DeepEqual(got.In(), want.In()) {
				t.Errorf("%s %s differs:\n eks %v\n ecs %v", typ, want.Name, got.In(), want.In())
			}
			n++
		}
		if n == 0 {
			t.Errorf("no %s compared", typ)
		}
	}
	clusterSG := mockengine.At(eks.one(t, tCluster, "eks").Out(), "vpcConfig", "clusterSecurityGroupId")
	for _, s := range eks.fx.fleet.Services {
		sg := eks.one(t, tSG, s.Name).ID
		sgp := eks.one(t, tSGP, s.Name+"-security-group").In()
		if !reflect.DeepEqual(mockengine.At(sgp, "spec", "securityGroups", "groupIds"), []any{sg}) ||
			mockengine.At(sgp, "spec", "podSelector", "matchLabels", "app.kubernetes.io/name") != s.Name {
			t.Errorf("%s SecurityGroupPolicy = %v", s.Name, sgp)
		}
		kubelet := eks.one(t, tIngress, s.Name+"-kubelet-in").In()
		dns := eks.one(t, tEgress, s.Name+"-dns-udp-out").In()
		if kubelet["securityGroupId"] != sg || kubelet["referencedSecurityGroupId"] != clusterSG || kubelet["fromPort"] != float64(s.Port) ||
			dns["securityGroupId"] != sg || dns["referencedSecurityGroupId"] != clusterSG || dns["ipProtocol"] != "udp" {
			t.Errorf("%s pod rules: kubelet %v, dns %v", s.Name, kubelet, dns)
		}
	}
}

func TestEKSWorkloads(t *testing.T) {
	t.Parallel()
	r := synth(t, dbayEKS(t), nil).must(t)
	ns := r.one(t, tNamespace, "dbay").In()
	if mockengine.At(ns, "metadata", "name") != "dbay" || mockengine.At(ns, "metadata", "labels", "pod-security.kubernetes.io/enforce") != "restricted" {
		t.Errorf("namespace = %v", ns)
	}
	if n := len(r.eng.ByType(tDeployment)); n != 8 {
		t.Errorf("%d Deployments, want 8", n)
	}
	sizes := map[string][2]string{ // Fargate sizes of Pulumi.prod.yaml
		"listing": {"1000m", "2048Mi"}, "auction": {"1000m", "2048Mi"}, "wallet": {"500m", "1024Mi"}, "user": {"500m", "1024Mi"},
		"order": {"500m", "1024Mi"}, "notification": {"250m", "512Mi"}, "search-gateway": {"500m", "1024Mi"}, "messaging": {"500m", "1024Mi"},
	}
	for _, s := range r.fx.fleet.Services {
		d := r.one(t, tDeployment, s.Name).In()
		pod, c := r.podSpec(t, s.Name), r.k8sContainer(t, s.Name)
		repo := r.one(t, tRepo, s.Name).Out()["repositoryUrl"].(string)
		want := map[string]any{
			"namespace":             mockengine.At(d, "metadata", "namespace"),
			"replicas (HPA owns)":   mockengine.At(d, "spec", "replicas"),
			"image":                 c["image"],
			"service account":       pod["serviceAccountName"],
			"token automount":       pod["automountServiceAccountToken"],
			"readiness path":        mockengine.At(c, "readinessProbe", "httpGet", "path"),
			"liveness path":         mockengine.At(c, "livenessProbe", "httpGet", "path"),
			"probe port":            mockengine.At(c, "livenessProbe", "httpGet", "port"),
			"liveness grace":        mockengine.At(c, "livenessProbe", "initialDelaySeconds"),
			"port":                  mockengine.At(c, "ports", 0, "containerPort"),
			"non-root (pod)":        mockengine.At(pod, "securityContext", "runAsNonRoot"),
			"uid":                   mockengine.At(pod, "securityContext", "runAsUser"),
			"seccomp":               mockengine.At(pod, "securityContext", "seccompProfile", "type"),
			"non-root":              mockengine.At(c, "securityContext", "runAsNonRoot"),
			"read-only root":        mockengine.At(c, "securityContext", "readOnlyRootFilesystem"),
			"no escalation":         mockengine.At(c, "securityContext", "allowPrivilegeEscalation"),
			"capabilities":          mockengine.At(c, "securityContext", "capabilities", "drop"),
			"/tmp":                  mockengine.At(c, "volumeMounts", 0, "mountPath"),
			"cpu request":           mockengine.At(c, "resources", "requests", "cpu"),
			"memory request":        mockengine.At(c, "resources", "requests", "memory"),
			"cpu limit":             mockengine.At(c, "resources", "limits", "cpu"),
			"memory limit":          mockengine.At(c, "resources", "limits", "memory"),
			"rollout not awaited":   mockengine.At(d, "metadata", "annotations", "pulumi.com/skipAwait"),
			"selector":              mockengine.At(d, "spec", "selector", "matchLabels", "app.kubernetes.io/name"),
			"template label":        mockengine.At(d, "spec", "template", "metadata", "labels", "app.kubernetes.io/name"),
			"zone spread":           mockengine.At(pod, "topologySpreadConstraints", 0, "topologyKey"),
			"termination grace (s)": pod["terminationGracePeriodSeconds"],
		}
		expect := map[string]any{
			"namespace": "dbay", "replicas (HPA owns)": nil, "image": repo + ":v1.0.0", "service account": s.Name, "token automount": false,
			"readiness path": "/health", "liveness path": "/health", "probe port": "http", "liveness grace": float64(60), "port": float64(8000),
			"non-root (pod)": true, "uid": float64(1000), "seccomp": "RuntimeDefault", "non-root": true, "read-only root": true,
			"no escalation": false, "capabilities": []any{"ALL"}, "/tmp": "/tmp",
			"cpu request": sizes[s.Name][0], "memory request": sizes[s.Name][1], "cpu limit": sizes[s.Name][0], "memory limit": sizes[s.Name][1],
			"rollout not awaited": "true", "selector": s.Name, "template label": s.Name, "zone spread": "topology.kubernetes.io/zone",
			"termination grace (s)": float64(30),
		}
		for k, v := range expect {
			if !reflect.DeepEqual(want[k], v) {
				t.Errorf("%s Deployment %s = %v, want %v", s.Name, k, want[k], v)
			}
		}
		svc := r.one(t, tK8sService, s.Name).In()
		if mockengine.At(svc, "metadata", "name") != s.Name+"-service" || mockengine.At(svc, "spec", "type") != "ClusterIP" ||
			mockengine.At(svc, "spec", "ports", 0, "port") != float64(8000) || mockengine.At(svc, "spec", "ports", 0, "targetPort") != "http" ||
			mockengine.At(svc, "spec", "selector", "app.kubernetes.io/name") != s.Name || mockengine.At(svc, "metadata", "annotations", "pulumi.com/skipAwait") != "true" {
			t.Errorf("%s Service = %v", s.Name, svc)
		}
		hpa := r.one(t, tHPA, s.Name).In()
		if mockengine.At(hpa, "spec", "minReplicas") != float64(s.Min) || mockengine.At(hpa, "spec", "maxReplicas") != float64(s.Max) ||
			mockengine.At(hpa, "spec", "scaleTargetRef", "name") != s.Name || mockengine.At(hpa, "spec", "scaleTargetRef", "kind") != "Deployment" ||
			mockengine.At(hpa, "spec", "metrics", 0, "resource", "name") != "cpu" || mockengine.At(hpa, "spec", "metrics", 0, "resource", "target", "averageUtilization") != float64(70) ||
			mockengine.At(hpa, "spec", "metrics", 1, "resource", "name") != "memory" || mockengine.At(hpa, "spec", "metrics", 1, "resource", "target", "averageUtilization") != float64(80) ||
			mockengine.At(hpa, "spec", "behavior", "scaleDown", "stabilizationWindowSeconds") != float64(300) {
			t.Errorf("%s HPA = %v (min %d, max %d)", s.Name, hpa, s.Min, s.Max)
		}
		pdb := r.one(t, tPDB, s.Name).In()
		if mockengine.At(pdb, "spec", "minAvailable") != float64(1) || mockengine.At(pdb, "spec", "selector", "matchLabels", "app.kubernetes.io/name") != s.Name {
			t.Errorf("%s PDB = %v", s.Name, pdb)
		}
	}
	// Seed §5.2: auction reaches listing through the cluster DNS name.
	env := map[string]string{}
	for _, e := range mockengine.At(r.k8sContainer(t, "auction"), "env").([]any) {
		env[mockengine.At(e, "name").(string)] = mockengine.At(e, "value").(string)
	}
	if env["LISTING_SERVICE_URL"] != "http://listing-service.dbay.svc.cluster.local:8000" || env["WALLET_SERVICE_URL"] != "http://wallet-service.dbay.svc.cluster.local:8000" {
		t.Errorf("auction service URLs: %v", env)
	}
	if r.outs["serviceUrls"].(map[string]any)["listing"] != "http://listing-service.dbay.svc.cluster.local:8000" ||
		r.outs["migrationCommands"].(map[string]any)["listing"] != "kubectl --namespace dbay exec deploy/listing -- python manage.py migrate --noinput" ||
		r.outs["clusterName"] != "dbay-production" || r.outs["taskRoleArns"].(map[string]any)["listing"] != r.one(t, tRole, "listing-irsa").Out()["arn"] ||
		len(r.outs["internalUrls"].(map[string]any)) != 0 {
		t.Errorf("outputs: %v", r.outs)
	}
}

// containerEnv is a Deployment container's plain variables.
func containerEnv(c map[string]any) map[string]string {
	env := map[string]string{}
	list, _ := c["env"].([]any)
	for _, e := range list {
		v, _ := mockengine.At(e, "value").(string)
		env[mockengine.At(e, "name").(string)] = v
	}
	return env
}

// Each service's ExternalSecret maps exactly the names its ECS task
// definition injects as secrets, from the same sources; no secret is in
// a Deployment's env.
func TestEKSSecretsMatchECS(t *testing.T) {
	t.Parallel()
	ecs := synth(t, dbayOneUser(t), nil).must(t)
	eks := synth(t, dbayEKS(t), nil).must(t)
	for _, s := range ecs.fx.fleet.Services {
		want := ecs.container(t, s.Name).secrets()
		c := eks.k8sContainer(t, s.Name)
		env := containerEnv(c)
		if !reflect.DeepEqual(keys(env), keys(ecs.container(t, s.Name).env())) {
			t.Errorf("%s plain env %v, ECS %v", s.Name, keys(env), keys(ecs.container(t, s.Name).env()))
		}
		for k, v := range env {
			if _, secret := want[k]; secret || strings.Contains(v, "mock-") {
				t.Errorf("%s: %s=%q is a secret in plain env", s.Name, k, v)
			}
		}
		es := eks.eng.Get(tExtSecret, s.Name+"-secrets")
		if len(want) == 0 {
			if es != nil || c["envFrom"] != nil {
				t.Errorf("%s has no secrets but an ExternalSecret or envFrom", s.Name)
			}
			continue
		}
		if es == nil {
			t.Fatalf("%s: no ExternalSecret", s.Name)
		}
		got := map[string]string{}
		for _, d := range mockengine.At(es.In(), "spec", "data").([]any) {
			from := mockengine.At(d, "remoteRef", "key").(string)
			if p, ok := mockengine.At(d, "remoteRef", "property").(string); ok {
				from += ":" + p + "::" // ECS valueFrom's JSON-key form
			}
			got[mockengine.At(d, "secretKey").(string)] = from
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s ExternalSecret maps\n%v\nECS injects\n%v", s.Name, got, want)
		}
		spec := mockengine.At(es.In(), "spec")
		if mockengine.At(spec, "target", "name") != s.Name+"-secrets" || mockengine.At(spec, "secretStoreRef", "kind") != "ClusterSecretStore" ||
			mockengine.At(spec, "secretStoreRef", "name") != "aws-secrets-manager" || mockengine.At(es.In(), "metadata", "namespace") != "dbay" ||
			mockengine.At(c, "envFrom", 0, "secretRef", "name") != s.Name+"-secrets" {
			t.Errorf("%s ExternalSecret %v, envFrom %v", s.Name, spec, c["envFrom"])
		}
	}
	store := eks.one(t, tStore, "aws-secrets-manager").In()
	if mockengine.At(store, "spec", "provider", "aws", "service") != "SecretsManager" || mockengine.At(store, "spec", "provider", "aws", "region") != "us-east-1" ||
		mockengine.At(store, "spec", "provider", "aws", "auth", "jwt", "serviceAccountRef", "name") != "external-secrets" ||
		!reflect.DeepEqual(mockengine.At(store, "spec", "conditions", 0, "namespaces"), []any{"dbay"}) {
		t.Errorf("ClusterSecretStore = %v", store)
	}
	eso := eks.one(t, tRelease, "external-secrets")
	if mockengine.At(eso.In(), "version") != config.DefaultExternalSecretsVersion || mockengine.At(eso.In(), "namespace") != "external-secrets" ||
		mockengine.At(eso.In(), "values", "serviceAccount", "annotations", "eks.amazonaws.com/role-arn") != eks.one(t, tRole, "eks-external-secrets").Out()["arn"] ||
		!containsString(eks.one(t, tStore, "aws-secrets-manager").Dependencies, eso.URN) {
		t.Errorf("external-secrets release = %v", eso.In())
	}
}

// Public services register their pods in the fleet's own target groups.
func TestEKSTargetGroupBindings(t *testing.T) {
	t.Parallel()
	r := synth(t, dbayEKS(t), nil).must(t)
	lbc := r.one(t, tRelease, "aws-load-balancer-controller")
	if mockengine.At(lbc.In(), "version") != config.DefaultLoadBalancerControllerVersion || mockengine.At(lbc.In(), "values", "vpcId") != r.eng.ByType("awsx:ec2:Vpc")[0].Out()["vpcId"] ||
		mockengine.At(lbc.In(), "values", "clusterName") != "dbay-production" || mockengine.At(lbc.In(), "values", "createIngressClassResource") != false {
		t.Errorf("controller release = %v", lbc.In())
	}
	var public []string
	for _, s := range r.fx.fleet.Services {
		tgb := r.eng.Get(tTGB, s.Name+"-targets")
		if !s.Expose.Public {
			if tgb != nil {
				t.Errorf("internal service %s has a TargetGroupBinding", s.Name)
			}
			continue
		}
		public = append(public, s.Name)
		if tgb == nil {
			t.Fatalf("%s: no TargetGroupBinding", s.Name)
		}
		spec := mockengine.At(tgb.In(), "spec")
		if mockengine.At(spec, "targetGroupARN") != r.one(t, tTG, s.Name).Out()["arn"] || mockengine.At(spec, "targetType") != "ip" ||
			mockengine.At(spec, "serviceRef", "name") != s.Name+"-service" || mockengine.At(spec, "serviceRef", "port") != float64(8000) ||
			!containsString(tgb.Dependencies, lbc.URN) {
			t.Errorf("%s TargetGroupBinding = %v", s.Name, tgb.In())
		}
	}
	if len(public) != 7 {
		t.Errorf("public services %v, want 7", public)
	}
}

// Every Kubernetes object is a child of the fleet created through the
// provider built from the cluster, whose kubeconfig holds no credential.
func TestEKSKubernetesProvider(t *testing.T) {
	t.Parallel()
	r := synth(t, dbayEKS(t), nil).must(t)
	p := r.one(t, tK8s, "eks")
	fleetURN := r.eng.ByType("dbay:components:ServiceFleet")[0].URN
	n := 0
	for _, res := range r.eng.Resources() {
		if !strings.HasPrefix(res.Type, "kubernetes:") {
			continue
		}
		n++
		if res.Provider != p.URN || res.Parent != fleetURN {
			t.Errorf("%s %s: provider %q parent %q", res.Type, res.Name, res.Provider, res.Parent)
		}
	}
	if n < 8*6 {
		t.Errorf("only %d Kubernetes objects", n)
	}
	if p.In()["enableServerSideApply"] != true {
		t.Errorf("provider = %v", p.In())
	}
	var kc kubeconfigFile
	if err := json.Unmarshal([]byte(p.In()["kubeconfig"].(string)), &kc); err != nil {
		t.Fatal(err)
	}
	cluster := r.one(t, tCluster, "eks").Out()
	if len(kc.Clusters) != 1 || kc.Clusters[0].Cluster.Server != cluster["endpoint"] ||
		kc.Clusters[0].Cluster.CertificateAuthorityData != mockengine.At(cluster, "certificateAuthority", "data") ||
		!reflect.DeepEqual(kc.Users[0].User.Exec.Args, []string{"eks", "get-token", "--cluster-name", "dbay-production", "--region", "us-east-1", "--output", "json"}) ||
		strings.Contains(p.In()["kubeconfig"].(string), "token\":") {
		t.Errorf("kubeconfig = %+v", kc)
	}
}

// A pilot-light recovery stack runs no pods: zero replicas, no autoscaler,
// no disruption budget.
func TestEKSPilotStandby(t *testing.T) {
	t.Parallel()
	fx := dbayEKS(t)
	fx.role, fx.replica = config.RoleRecovery, ""
	r := synth(t, fx, nil).must(t)
	for _, s := range fx.fleet.Services {
		if got := mockengine.At(r.one(t, tDeployment, s.Name).In(), "spec", "replicas"); got != float64(0) {
			t.Errorf("%s replicas = %v, want 0", s.Name, got)
		}
	}
	if n, m := len(r.eng.ByType(tHPA)), len(r.eng.ByType(tPDB)); n+m != 0 {
		t.Errorf("pilot standby has %d HPAs and %d PDBs", n, m)
	}
}

// The Go code names no DBay service: Dhanam Ledger runs on EKS from its own file.
func TestDhanamOnEKS(t *testing.T) {
	t.Parallel()
	r := synth(t, onEKS(t, "../../examples/dhanam", "dhanam", nil), nil).must(t)
	r.one(t, tNamespace, "dhanam")
	web := r.one(t, tK8sService, "web").In()
	if mockengine.At(web, "metadata", "name") != "web-service" || mockengine.At(web, "metadata", "namespace") != "dhanam" || mockengine.At(web, "spec", "ports", 0, "port") != float64(3000) {
		t.Errorf("web Service = %v", web)
	}
	c := r.k8sContainer(t, "web")
	if mockengine.At(c, "securityContext", "readOnlyRootFilesystem") != false || c["volumeMounts"] != nil {
		t.Errorf("web (writable root) container = %v", c["securityContext"])
	}
	if mockengine.At(r.one(t, tNodeGroup, "eks-nodes").In(), "instanceTypes") == nil || r.eng.Get(tExtSecret, "api-secrets") == nil {
		t.Error("Dhanam on EKS lacks nodes or the api's ExternalSecret")
	}
}

// An eks fleet without its eks defaults is refused before anything exists.
func TestEKSNeedsItsDefaults(t *testing.T) {
	t.Parallel()
	fx := dhanam(t)
	fx.fleet.Runtime = config.RuntimeEKS // config.Load was not asked to default the eks section
	r := synth(t, fx, nil)
	if r.err == nil || !strings.Contains(r.err.Error(), "the eks section has no defaults applied") {
		t.Fatalf("eks without defaults: error %v", r.err)
	}
	if r.eng.Get(typeToken, "fleet") != nil {
		t.Error("the fleet was registered before refusing")
	}
	fx.fleet.WithDefaults(fx.project)
	if r := synth(t, fx, nil); r.err != nil {
		t.Errorf("after WithDefaults: %v", r.err)
	}
}
