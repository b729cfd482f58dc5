package cost

import (
	"fmt"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// Compute and network: Fargate services, EKS, NAT, endpoints, load balancers.

// ecsService: Fargate vCPU- and GB-hours of the service's task definition
// at its desired count, split between FARGATE and FARGATE_SPOT by its
// capacity provider strategy (or its cluster's default).
func ecsService(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	in := r.In()
	if lt := str(in, "launchType"); lt == "EC2" || lt == "EXTERNAL" {
		ls.fail("launch type %s: the container instances are priced, not the service", lt)
		return ls.done()
	}
	td := e.taskDefinition(str(in, "taskDefinition"))
	if td == nil {
		ls.fail("task definition %q not found in the stack", str(in, "taskDefinition"))
		return ls.done()
	}
	tin := td.In()
	cpu, okc := num(tin, "cpu")
	mem, okm := num(tin, "memory")
	if !okc || !okm {
		ls.fail("task definition %s has no task-level cpu and memory", td.Name)
		return ls.done()
	}
	vcpu, gb := cpu/1024, mem/1024
	arch := "x86_64"
	if lower(str(obj(tin, "runtimePlatform"), "cpuArchitecture")) == "arm64" {
		arch = "arm64"
	}
	desired, _ := num(in, "desiredCount")
	strategy := strategies(arr(in, "capacityProviderStrategies"))
	if len(strategy) == 0 {
		strategy = e.clusterStrategy(str(in, "cluster"))
	}
	split := splitTasks(desired, strategy)
	for _, cp := range []string{"FARGATE", "FARGATE_SPOT"} {
		n := split[cp]
		if n == 0 {
			continue
		}
		prefix := "fargate"
		if cp == "FARGATE_SPOT" {
			prefix = "fargate-spot"
		}
		what := fmt.Sprintf("%s %g tasks × %g vCPU", cp, n, vcpu)
		ls.add(e.hourly(r, fmt.Sprintf("%s:linux:%s:vcpu", prefix, arch), n*vcpu, what))
		what = fmt.Sprintf("%s %g tasks × %g GB", cp, n, gb)
		ls.add(e.hourly(r, fmt.Sprintf("%s:linux:%s:memory", prefix, arch), n*gb, what))
	}
	for cp := range split {
		if cp != "FARGATE" && cp != "FARGATE_SPOT" {
			ls.fail("capacity provider %s is not priced (its instances are)", cp)
		}
	}
	return ls.done()
}

type strategy struct {
	provider     string
	base, weight float64
}

func strategies(a []any) []strategy {
	var out []strategy
	for _, x := range a {
		m, _ := x.(map[string]any)
		base, _ := num(m, "base")
		w, _ := num(m, "weight")
		out = append(out, strategy{provider: str(m, "capacityProvider"), base: base, weight: w})
	}
	return out
}

// splitTasks places n tasks as ECS does: each provider's base first, the
// rest by weight. No strategy means FARGATE.
func splitTasks(n float64, ss []strategy) map[string]float64 {
	out := map[string]float64{}
	if len(ss) == 0 {
		out["FARGATE"] = n
		return out
	}
	rest := n
	for _, s := range ss {
		b := min(s.base, rest)
		out[s.provider] += b
		rest -= b
	}
	total := 0.0
	for _, s := range ss {
		total += s.weight
	}
	for _, s := range ss {
		if total == 0 {
			out[ss[0].provider] += rest
			break
		}
		out[s.provider] += rest * s.weight / total
	}
	return out
}

// taskDefinition finds the stack's task definition an ARN (or family:rev) names.
func (e *estimator) taskDefinition(ref string) *mockengine.Resource {
	family := ref[strings.LastIndex(ref, "/")+1:]
	if i := strings.LastIndex(family, ":"); i >= 0 {
		family = family[:i]
	}
	for _, r := range e.all {
		if r.Type == tokens.ECSTaskDefinition && str(r.In(), "family") == family {
			return r
		}
	}
	return nil
}

// clusterStrategy is the default capacity provider strategy of the cluster ref names.
func (e *estimator) clusterStrategy(ref string) []strategy {
	name := ref[strings.LastIndex(ref, "/")+1:]
	for _, r := range e.all {
		if r.Type == tokens.ECSClusterCapacityProviders && (name == "" || str(r.In(), "clusterName") == name) {
			return strategies(arr(r.In(), "defaultCapacityProviderStrategies"))
		}
	}
	return nil
}

func eksCluster(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	ls.add(e.hourly(r, "eks:cluster", 1, "control plane"))
	return ls.done()
}

// eksNodeGroup: EC2 on-demand hours of the first instance type at the desired size.
func eksNodeGroup(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	in := r.In()
	n, _ := num(obj(in, "scalingConfig"), "desiredSize")
	types := mockengine.Strings(in["instanceTypes"])
	if len(types) == 0 {
		types = []string{"t3.medium"} // EKS's default
	}
	key := "ec2:" + types[0] + ":linux"
	if str(in, "capacityType") == "SPOT" {
		ls.fail("spot node groups are not priced")
		return ls.done()
	}
	ls.add(e.hourly(r, key, n, types[0]+" nodes"))
	return ls.done()
}

// awsxVpc: the NAT gateways awsx creates (one per AZ or a single one),
// each with its public IPv4 address, and the natGbPerGateway assumption.
func awsxVpc(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	in := r.In()
	azs := float64(azCount(in))
	nats := 0.0
	switch s := str(obj(in, "natGateways"), "strategy"); s {
	case "", "OnePerAz":
		nats = azs
	case "Single":
		nats = 1
	case "None":
		return ls.done()
	default:
		ls.fail("NAT gateway strategy %q is not priced", s)
		return ls.done()
	}
	ls.add(e.hourly(r, "vpc:nat-gateway", nats, "NAT gateways"))
	ls.add(e.hourly(r, "vpc:public-ipv4", nats, "NAT gateways' public IPv4 addresses"))
	ls.add(e.assumed(r, "vpc:nat-gateway:data", nats*e.as.NATGBPerGateway, "natGbPerGateway", fmt.Sprintf("%g GB processed × %g gateways", e.as.NATGBPerGateway, nats)))
	return ls.done()
}

// azCount is the AZ count awsx uses: subnet specs' CIDR blocks, AZ names,
// numberOfAvailabilityZones, or 3.
func azCount(in map[string]any) int {
	if specs := arr(in, "subnetSpecs"); len(specs) > 0 {
		if m, ok := specs[0].(map[string]any); ok && len(arr(m, "cidrBlocks")) > 0 {
			return len(arr(m, "cidrBlocks"))
		}
	}
	if names := arr(in, "availabilityZoneNames"); len(names) > 0 {
		return len(names)
	}
	if n, ok := num(in, "numberOfAvailabilityZones"); ok {
		return int(n)
	}
	return 3
}

func natGateway(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	ls.add(e.hourly(r, "vpc:nat-gateway", 1, "NAT gateway"))
	if str(r.In(), "connectivityType") != "private" {
		ls.add(e.hourly(r, "vpc:public-ipv4", 1, "public IPv4 address"))
	}
	ls.add(e.assumed(r, "vpc:nat-gateway:data", e.as.NATGBPerGateway, "natGbPerGateway", fmt.Sprintf("%g GB processed", e.as.NATGBPerGateway)))
	return ls.done()
}

// vpcEndpoint: an interface endpoint is billed per AZ (one ENI per subnet); a gateway endpoint is free.
func vpcEndpoint(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	in := r.In()
	if t := str(in, "vpcEndpointType"); t == "" || t == "Gateway" {
		return ls.done()
	} else if t != "Interface" {
		ls.fail("%s endpoints are not priced", t)
		return ls.done()
	}
	azs := float64(len(arr(in, "subnetIds")))
	if azs == 0 {
		azs = 1
	}
	ls.add(e.hourly(r, "vpc:interface-endpoint", azs, str(in, "serviceName")+" AZs"))
	return ls.done()
}

func loadBalancer(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	switch t := str(r.In(), "loadBalancerType"); t {
	case "", "application":
		ls.add(e.hourly(r, "elb:alb", 1, "ALB"))
		l, err := e.hourly(r, "elb:alb:lcu", e.as.ALBLCUs, "LCUs")
		l.Assumption = "albLcus"
		ls.add(l, err)
	default:
		ls.add(e.hourly(r, "elb:"+map[string]string{"network": "nlb", "gateway": "gwlb"}[t], 1, t+" load balancer"))
	}
	return ls.done()
}
