package config

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FleetEKS configures the EKS runtime of the fleet (`fleet.runtime: eks`):
// the cluster, its managed node group, who administers it, the namespace
// the services run in and the pinned versions of the cluster add-ons
// installed with Helm. It is ignored (neither defaulted nor validated)
// while the runtime is ecs, so a stack can carry it before switching.
type FleetEKS struct {
	// Version is the Kubernetes minor version of the control plane: a
	// version of EKSVersionCalendar whose extended support has not ended
	// (EKS creates no cluster on it after that). Absent: DefaultEKSVersion.
	Version string `json:"version"`
	// PublicAccessCidrs are the IPv4 blocks that may reach the API server's
	// public endpoint. Absent: none, and the public endpoint is off (the
	// API server is reached from inside the VPC only). 0.0.0.0/0 is refused.
	PublicAccessCidrs []string `json:"publicAccessCidrs"`
	// NodeGroup is the managed node group the pods run on. Absent: the
	// defaults of its keys (3 to 9 nodes of m6i.large, or m6g.large for
	// an ARM64 fleet).
	NodeGroup FleetEKSNodeGroup `json:"nodeGroup"`
	// Admins are IAM role ARNs given cluster-admin through EKS access
	// entries (AmazonEKSClusterAdminPolicy, cluster scope). Absent: none —
	// only the identity that runs `pulumi up` administers the cluster
	// (bootstrapClusterCreatorAdminPermissions).
	Admins []string `json:"admins"`
	// Namespace the services, their service accounts and secrets live in;
	// services are reached as <name>-service.<namespace>.svc.cluster.local.
	// Absent: the project name (dbay, as DBay's guide §5.2 says).
	Namespace string `json:"namespace"`
	// ExternalSecretsVersion is the external-secrets Helm chart version
	// (https://charts.external-secrets.io); it must serve the
	// external-secrets.io/v1 API (0.16 and later). Absent: DefaultExternalSecretsVersion.
	ExternalSecretsVersion string `json:"externalSecretsVersion"`
	// LoadBalancerControllerVersion is the aws-load-balancer-controller Helm
	// chart version (https://aws.github.io/eks-charts). Absent:
	// DefaultLoadBalancerControllerVersion.
	LoadBalancerControllerVersion string `json:"loadBalancerControllerVersion"`
}

// FleetEKSNodeGroup is the managed node group.
type FleetEKSNodeGroup struct {
	// InstanceTypes of the nodes, all of one CPU architecture, which must be
	// every service's `architecture`; burstable (t*) and a1 types are
	// refused (no ENI trunking, which security groups for pods need).
	// Absent: m6g.large when every service is ARM64, m6i.large otherwise.
	InstanceTypes []string `json:"instanceTypes"`
	// MinSize, MaxSize and DesiredSize bound the node count:
	// 1 <= min <= desired <= max <= 450. Absent: 3, 9 and minSize.
	// Nothing scales the group by itself yet: desiredSize is the capacity,
	// and it must hold every service's minimum (checked).
	MinSize     int `json:"minSize"`
	MaxSize     int `json:"maxSize"`
	DesiredSize int `json:"desiredSize"`
	// DiskSize of each node's root volume in GiB (gp3, encrypted): 20..16384. Absent: 50.
	DiskSize int `json:"diskSize"`
}

// EKS values and defaults.
const (
	// DefaultEKSVersion is the version in standard support with the
	// longest support left on 2026-12-05 (EKSVersionCalendar: standard
	// support until 2027-08-02). 1.36 disables gitRepo volumes and needs
	// containerd 2 (the AL2023 node AMIs have it); the fleet uses neither
	// gitRepo nor cgroup v1. The vpc-cni, kube-proxy and CoreDNS add-ons
	// are installed at EKS's default version for the cluster's version.
	DefaultEKSVersion = "1.36"
	// DefaultExternalSecretsVersion is the external-secrets chart pinned by
	// default: it serves external-secrets.io/v1 (v1beta1 stopped being
	// served in 0.17). ESO supports only its current minor, tested on the
	// newest Kubernetes (2.7: 1.35,
	// https://external-secrets.io/v2.8.0/introduction/stability-support/;
	// 0.19 was tested on 1.33 only); 2.9.0 is its newest release here
	// (2026-08, https://github.com/external-secrets/external-secrets/releases/tag/helm-chart-2.9.0).
	// 2.0's only breaking change removed the Alibaba and Device42 providers.
	DefaultExternalSecretsVersion = "2.9.0"
	// DefaultLoadBalancerControllerVersion is the aws-load-balancer-controller
	// chart pinned by default (controller v2.14.0). Chart 1.5.0 and later
	// need Kubernetes 1.22+ and name no upper bound
	// (https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/main/helm/aws-load-balancer-controller/README.md).
	DefaultLoadBalancerControllerVersion = "1.14.0"
	DefaultEKSNodeMin                    = 3
	DefaultEKSNodeMax                    = 9
	DefaultEKSDiskSize                   = 50
	DefaultARMInstanceType               = "m6g.large"
	DefaultX86InstanceType               = "m6i.large"
	// EKSSecretsReader is the grantee name of the External Secrets
	// operator's role, which reads every secret the services receive: a
	// single-reader secret a service receives on EKS lists it in `readers`.
	EKSSecretsReader = "external-secrets"
	// maxNodeGroupSize is EKS's default quota of nodes per managed node group.
	maxNodeGroupSize = 450
	// maxPublicAccessCidrs is EKS's limit of public access CIDR blocks.
	maxPublicAccessCidrs = 40
	// usableNodeShare is the share of a node's vCPUs the services can
	// request: the rest is kubelet/system reservation and the add-ons'
	// daemon sets (vpc-cni, kube-proxy) and deployments (CoreDNS, the
	// External Secrets operator, the load balancer controller).
	usableNodeShare = 0.85
)

// EKSLogTypes are the control-plane logs every cluster sends to CloudWatch
// Logs (fixed: the API calls, the audit trail and who authenticated).
var EKSLogTypes = []string{"api", "audit", "authenticator"}

var (
	instanceTypeRe    = regexp.MustCompile(`^([a-z]+)([0-9]+)([a-z-]*)\.([a-z0-9]+)$`)
	iamRoleARNRe      = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`)
	namespaceRe       = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	chartVersionRe    = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
	numericUserRe     = regexp.MustCompile(`^[0-9]+(:[0-9]+)?$`)
	reservedK8sSpaces = []string{"default", "kube-system", "kube-public", "kube-node-lease", EKSSecretsReader}
)

// InstanceArchitecture is the CPU architecture of an EC2 instance type:
// ARM64 for Graviton families (a1, and a "g" among the attribute letters
// after the generation: m6g, c7gn, r6gd, im4gn, is4gen, x2gd), X86_64 for
// the rest; "" when the name is not an instance type.
func InstanceArchitecture(instanceType string) string {
	m := instanceTypeRe.FindStringSubmatch(instanceType)
	switch {
	case m == nil:
		return ""
	case m[1] == "a" && m[2] == "1", strings.Contains(m[3], "g"):
		return "ARM64"
	}
	return "X86_64"
}

// instanceVCPUs is the vCPU count of an instance size (large: 2, xlarge:
// 4, Nxlarge: 4N); 0 for sizes without a fixed count here (metal, medium).
func instanceVCPUs(instanceType string) int {
	m := instanceTypeRe.FindStringSubmatch(instanceType)
	if m == nil {
		return 0
	}
	switch size := m[4]; {
	case size == "large":
		return 2
	case size == "xlarge":
		return 4
	case strings.HasSuffix(size, "xlarge"):
		n, err := strconv.Atoi(strings.TrimSuffix(size, "xlarge"))
		if err != nil {
			return 0
		}
		return 4 * n
	}
	return 0
}

// MilliCPU converts ECS CPU units (1024 per vCPU) to Kubernetes millicores.
func MilliCPU(units int) int { return units * 1000 / 1024 }

// Architecture is the CPU architecture of the node group (its first
// instance type's; validation makes them all agree).
func (e FleetEKS) Architecture() string {
	if len(e.NodeGroup.InstanceTypes) == 0 {
		return ""
	}
	return InstanceArchitecture(e.NodeGroup.InstanceTypes[0])
}

// AMIType is the EKS-optimised Amazon Linux 2023 AMI for the node group's architecture.
func (e FleetEKS) AMIType() string {
	if e.Architecture() == "ARM64" {
		return "AL2023_ARM_64_STANDARD"
	}
	return "AL2023_x86_64_STANDARD"
}

// ServiceDNSName is a service's name inside the cluster:
// <name>-service.<namespace>.svc.cluster.local.
func ServiceDNSName(namespace, name string) string {
	return ServiceAlias(name) + "." + namespace + ".svc.cluster.local"
}

// ServiceURLFor is the internal URL of a service on a runtime: ECS Service
// Connect's http://<name>-service:<port>, or on EKS the cluster DNS name
// http://<name>-service.<namespace>.svc.cluster.local:<port> (guide §5.2).
func ServiceURLFor(runtime, namespace, name string, port int) string {
	if runtime == RuntimeEKS {
		return fmt.Sprintf("http://%s:%d", ServiceDNSName(namespace, name), port)
	}
	return ServiceURL(name, port)
}

// CallURL is the URL other services of the fleet call a service at on the
// fleet's runtime: the value of their <NAME>_SERVICE_URL.
func (f Fleet) CallURL(name string, port int) string {
	return ServiceURLFor(f.Runtime, f.EKS.Namespace, name, port)
}

// eksPrincipals are the grantee names the EKS runtime adds to the fleet's.
func (f Fleet) eksPrincipals() []string {
	if f.Runtime != RuntimeEKS {
		return nil
	}
	return []string{EKSSecretsReader}
}

// applyDefaults fills the EKS section of an eks fleet; services must be
// defaulted first (the instance types follow their architecture).
func (e *FleetEKS) applyDefaults(project string, services []FleetService) {
	def(&e.Version, DefaultEKSVersion)
	def(&e.Namespace, project)
	def(&e.ExternalSecretsVersion, DefaultExternalSecretsVersion)
	def(&e.LoadBalancerControllerVersion, DefaultLoadBalancerControllerVersion)
	if len(e.NodeGroup.InstanceTypes) == 0 {
		it := DefaultARMInstanceType
		for _, s := range services {
			if s.Architecture != "ARM64" {
				it = DefaultX86InstanceType
			}
		}
		e.NodeGroup.InstanceTypes = []string{it}
	}
	defInt(&e.NodeGroup.MinSize, DefaultEKSNodeMin)
	defInt(&e.NodeGroup.MaxSize, DefaultEKSNodeMax)
	defInt(&e.NodeGroup.DesiredSize, e.NodeGroup.MinSize)
	defInt(&e.NodeGroup.DiskSize, DefaultEKSDiskSize)
}

// validate records every problem of a defaulted EKS section. services are
// the fleet's (defaulted), secrets the declared secrets.items.
func (e FleetEKS) validate(c *collector, services []FleetService, secrets map[string]SecretItem) {
	const p = "fleet.eks"
	validateEKSVersion(c, p+".version", e.Version, time.Now().UTC())
	if len(e.PublicAccessCidrs) > maxPublicAccessCidrs {
		c.invalidf(p+".publicAccessCidrs", len(e.PublicAccessCidrs), fmt.Sprintf("list at most %d blocks", maxPublicAccessCidrs), "%d blocks", len(e.PublicAccessCidrs))
	}
	for i, cidr := range e.PublicAccessCidrs {
		path := fmt.Sprintf("%s.publicAccessCidrs[%d]", p, i)
		if pfx, ok := parseCIDR(path, cidr, true, c); ok && pfx.Bits() == 0 {
			c.forbidden(path, "0.0.0.0/0 opens the API server's endpoint to the internet",
				"list the offices' or CI runners' blocks, or none to keep the endpoint private")
		}
	}
	e.NodeGroup.validate(c, p+".nodeGroup", services)
	seen := map[string]bool{}
	for i, arn := range e.Admins {
		path := fmt.Sprintf("%s.admins[%d]", p, i)
		switch {
		case !iamRoleARNRe.MatchString(arn):
			c.invalidf(path, arn, "use an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admins", "%q is not an IAM role ARN", arn)
		case seen[arn]:
			c.invalidf(path, arn, "list each role once", "%s is listed twice", arn)
		}
		seen[arn] = true
	}
	switch {
	case !namespaceRe.MatchString(e.Namespace):
		c.invalidf(p+".namespace", e.Namespace, "use 1-63 lowercase letters, digits and dashes, starting and ending with a letter or digit", "%q is not a Kubernetes namespace name", e.Namespace)
	case fleetContains(reservedK8sSpaces, e.Namespace):
		c.forbiddenf(p+".namespace", "use a namespace of the stack's own, e.g. the project name", "%q is reserved (%s)", e.Namespace, strings.Join(reservedK8sSpaces, ", "))
	}
	for key, v := range map[string]string{"externalSecretsVersion": e.ExternalSecretsVersion, "loadBalancerControllerVersion": e.LoadBalancerControllerVersion} {
		if !chartVersionRe.MatchString(v) {
			c.invalidf(p+"."+key, v, "pin an exact chart version such as 1.2.3", "%q is not a chart version", v)
		}
	}
	if v := e.ExternalSecretsVersion; chartVersionRe.MatchString(v) && !servesExternalSecretsV1(v) {
		c.notSupportedf(p+".externalSecretsVersion", v, "use 0.16.0 or later (the ClusterSecretStore and ExternalSecrets are external-secrets.io/v1)",
			"chart %s does not serve external-secrets.io/v1", v)
	}
	for i, s := range services {
		// Kubernetes runs a container as a numeric uid only.
		if u := s.User; u != nil && *u != "" && !numericUserRe.MatchString(*u) {
			c.invalidf(fmt.Sprintf("fleet.services[%d].user", i), *u, `use a numeric uid[:gid] such as 1000:1000, or "" for the image's USER`,
				"%q is a name; Kubernetes (runAsUser) needs numbers", *u)
		}
	}
	// The operator reads every secret the services receive.
	for i, s := range services {
		for j, name := range s.Secrets {
			if item, ok := secrets[name]; ok && len(item.Readers) > 0 && !fleetContains(item.Readers, EKSSecretsReader) {
				c.forbiddenf(fmt.Sprintf("fleet.services[%d].secrets[%d]", i, j),
					fmt.Sprintf("add %s (the External Secrets operator's role, which delivers it on EKS) to its readers", EKSSecretsReader),
					"%s is single-reader (%s)", name, strings.Join(item.Readers, ", "))
			}
		}
	}
}

func servesExternalSecretsV1(version string) bool {
	parts := strings.SplitN(version, ".", 3)
	major, _ := strconv.Atoi(parts[0])
	minor, _ := strconv.Atoi(parts[1])
	return major > 0 || minor >= 16
}

func (g FleetEKSNodeGroup) validate(c *collector, p string, services []FleetService) {
	archs := map[string]bool{}
	if len(g.InstanceTypes) == 0 || len(g.InstanceTypes) > 20 {
		c.invalidf(p+".instanceTypes", len(g.InstanceTypes), "list 1 to 20 instance types", "%d instance types", len(g.InstanceTypes))
	}
	for i, it := range g.InstanceTypes {
		path := fmt.Sprintf("%s.instanceTypes[%d]", p, i)
		m := instanceTypeRe.FindStringSubmatch(it)
		switch {
		case m == nil:
			c.invalidf(path, it, "use an EC2 instance type such as m6i.large", "%q is not an instance type", it)
			continue
		case m[1] == "t" || (m[1] == "a" && m[2] == "1"):
			c.notSupportedf(path, it, "use a Nitro type with ENI trunking (m, c, r families)", "%s cannot give pods their own security groups", it)
		}
		archs[InstanceArchitecture(it)] = true
	}
	if len(archs) > 1 {
		c.invalid(p+".instanceTypes", g.InstanceTypes, "mixes ARM64 and X86_64 instance types", "use one architecture: every image must run on every node")
	}
	if len(archs) == 1 {
		arch := sortedBoolKeys(archs)[0]
		for i, s := range services {
			if s.Architecture != arch {
				c.invalidf(fmt.Sprintf("fleet.services[%d].architecture", i), s.Architecture, fmt.Sprintf("build %s for %s or choose %s nodes in %s.instanceTypes", s.Name, arch, s.Architecture, p),
					"%s runs on %s nodes", s.Architecture, arch)
			}
		}
	}
	switch {
	case g.MinSize < 1 || g.MinSize > maxNodeGroupSize:
		c.invalidf(p+".minSize", g.MinSize, fmt.Sprintf("use 1..%d", maxNodeGroupSize), "%d nodes is outside 1..%d", g.MinSize, maxNodeGroupSize)
	case g.MaxSize < g.MinSize || g.MaxSize > maxNodeGroupSize:
		c.invalidf(p+".maxSize", g.MaxSize, fmt.Sprintf("use %d..%d", g.MinSize, maxNodeGroupSize), "max %d is below min %d or above %d", g.MaxSize, g.MinSize, maxNodeGroupSize)
	case g.DesiredSize < g.MinSize || g.DesiredSize > g.MaxSize:
		c.invalidf(p+".desiredSize", g.DesiredSize, fmt.Sprintf("use %d..%d or leave it out", g.MinSize, g.MaxSize), "%d is outside minSize..maxSize", g.DesiredSize)
	default:
		g.checkCapacity(c, p, services)
	}
	checkRange(c, p+".diskSize", g.DiskSize, 20, 16384, "GiB")
}

// checkCapacity makes sure the desired nodes hold every service at its
// minimum: nothing adds nodes by itself, and a pod that does not fit stays
// Pending. It uses the smallest instance type listed; sizes without a
// fixed vCPU count are not checked.
func (g FleetEKSNodeGroup) checkCapacity(c *collector, p string, services []FleetService) {
	vcpus := 0
	for _, it := range g.InstanceTypes {
		if n := instanceVCPUs(it); n > 0 && (vcpus == 0 || n < vcpus) {
			vcpus = n
		}
	}
	if vcpus == 0 {
		return
	}
	need := 0
	for _, s := range services {
		need += s.Min * MilliCPU(s.CPU)
	}
	have := int(float64(g.DesiredSize*vcpus*1000) * usableNodeShare)
	if need > have {
		perNode := int(float64(vcpus*1000) * usableNodeShare)
		c.invalidf(p+".desiredSize", g.DesiredSize, fmt.Sprintf("use at least %d nodes or a larger instance type", (need+perNode-1)/perNode),
			"%d nodes of %d vCPUs offer about %dm CPU to pods; the services' minimums request %dm", g.DesiredSize, vcpus, have, need)
	}
}

func sortedBoolKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
