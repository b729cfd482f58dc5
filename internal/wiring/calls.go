package wiring

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
	"github.com/dbay/infra/policy"
)

// secret: the consumer reads NAME from the secret (ECS valueFrom, an
// ExternalSecret, a Lambda's NAME_SECRET_ARN) — in a recovery stack, the
// replica of the primary's secret in this Region; its reader may
// GetSecretValue and decrypt with the secret's key there; a route to
// Secrets Manager.
func (c *checker) secret(k *consumer, name string) aspects {
	arn, key := c.secretARN(name)
	if arn == "" {
		msg := "no secret " + name + " in the stack or its primary"
		return aspects{network: msg, iam: msg, credentials: msg}
	}
	a := aspects{network: c.secretsRoute(k)}
	a.credentials = "no variable " + name + " read from " + arn
	if ref, ok := k.secrets[name]; ok && ref.arn == arn && ref.key == "" {
		a.credentials = OK
	}
	a.iam = first(c.allow(&a, k.secretRole, k.secretWaiter, arn, "secretsmanager:GetSecretValue"),
		c.allow(&a, k.secretRole, k.secretWaiter, key, "kms:Decrypt"),
		c.secretPolicyAdmits(k.secretRole, arn))
	return a
}

// secretPolicyAdmits: no resource policy of the secret (a single-reader
// secret's) denies the reader.
func (c *checker) secretPolicyAdmits(role *mockengine.Resource, arn string) string {
	if role == nil {
		return "the consumer has no role"
	}
	for _, p := range c.x.ByType(tokens.SecretsManagerSecretPolicy) {
		in := c.x.In(p)
		if str(in["secretArn"]) != arn {
			continue
		}
		if _, denied := policy.ResourceDocDecides(in["policy"], str(role.Out()["arn"]), "secretsmanager:GetSecretValue", arn); denied {
			return "the resource policy of " + p.Name + " denies " + role.Name
		}
	}
	return OK
}

// secretARN is the ARN and KMS key of the Secrets component's secret name
// in this stack's Region: its own, or its primary's replica here.
func (c *checker) secretARN(name string) (arn, key string) {
	for _, s := range c.x.ByType(typeSecret) {
		if s.Name == name {
			return str(s.Out()["arn"]), str(c.x.In(s)["kmsKeyId"])
		}
	}
	for _, s := range c.x.PairByType(typeSecret) {
		if s.Name != name {
			continue
		}
		for _, rep := range list(s.In()["replicas"]) {
			if str(get(rep, "region")) == c.region {
				parts := strings.Split(str(s.Out()["arn"]), ":")
				if len(parts) > 3 {
					parts[3] = c.region
				}
				return strings.Join(parts, ":"), str(get(rep, "kmsKeyId"))
			}
		}
	}
	return "", ""
}

// secretsRoute: the reader of the consumer's secrets reaches Secrets
// Manager. On EKS the reader is the External Secrets operator on the
// nodes, under the cluster security group EKS creates (all egress, not a
// resource of the program): its subnets must reach the endpoint, whose
// group must admit the VPC.
func (c *checker) secretsRoute(k *consumer) string {
	if k.runtime != "eks" {
		return c.awsRoute(k, "secretsmanager")
	}
	for _, cl := range c.x.ByType(tokens.EKSCluster) {
		if str(get(cl.Out(), "vpcConfig.clusterSecurityGroupId")) != "" {
			op := &consumer{label: "external-secrets", runtime: "eks-operator", res: k.res, subnets: k.subnets}
			return c.awsRoute(op, "secretsmanager")
		}
	}
	return "no EKS cluster security group for the External Secrets operator"
}

// call: the consumer's <NAME>_SERVICE_URL resolves to the callee (Service
// Connect alias, Cloud Map name, Kubernetes Service, or the internal NLB a
// Lambda reaches EKS pods through), and the security groups let it through
// on that port. No IAM: the call is plain HTTP inside the VPC.
func (c *checker) call(k *consumer, callee string) aspects {
	a := aspects{iam: NA}
	v := config.ServiceURLVariable(callee)
	u, err := url.Parse(k.env[v])
	if err != nil || u.Hostname() == "" {
		a.network, a.credentials = "no "+v, "no "+v
		return a
	}
	host := u.Hostname()
	port, _ := strconv.Atoi(u.Port())
	if svc := c.named(typeECSService, callee); svc != nil {
		sgs := strs(get(c.x.In(svc), "networkConfiguration.securityGroups"))
		a.credentials = c.ecsResolves(k, svc, host, port)
		a.network = c.pair(k.sgs, sgs, port, "sg of "+callee)
		return a
	}
	if dep := c.named(typeDeployment, callee); dep != nil {
		return c.eksCall(k, dep, host, port, a)
	}
	a.network, a.credentials = "no service "+callee, "no service "+callee
	return a
}

// ecsResolves: inside the fleet a Service Connect alias of the callee;
// outside it (a Lambda) a Cloud Map name the callee registers in.
func (c *checker) ecsResolves(k *consumer, svc *mockengine.Resource, host string, port int) string {
	in := c.x.In(svc)
	if k.runtime == "ecs" {
		for _, s := range list(get(in, "serviceConnectConfiguration.services")) {
			for _, al := range list(get(s, "clientAlias")) {
				if str(get(al, "dnsName")) == host && num(get(al, "port")) == port {
					return OK
				}
			}
		}
		return host + ":" + strconv.Itoa(port) + " is no Service Connect alias of " + svc.Name
	}
	reg := str(get(in, "serviceRegistries.registryArn"))
	for _, d := range c.x.ByRef(reg) {
		if d.Type != tokens.ServiceDiscoveryService {
			continue
		}
		dn := c.x.In(d)
		for _, ns := range c.x.ByRef(str(get(dn, "dnsConfig.namespaceId"))) {
			if ns.Type == tokens.ServiceDiscoveryPrivateDnsNamespace &&
				host == str(dn["name"])+"."+str(c.x.In(ns)["name"]) {
				return OK
			}
		}
	}
	return host + " is not the Cloud Map name " + svc.Name + " registers"
}

// eksCall: a pod reaches <svc>.<ns>.svc.cluster.local (pod SG → pod SG);
// a Lambda reaches the private DNS name of the callee's internal NLB
// (Lambda SG → NLB SG on the listener port → pod SG on the target port).
func (c *checker) eksCall(k *consumer, dep *mockengine.Resource, host string, port int, a aspects) aspects {
	din := c.x.In(dep)
	ns := str(get(din, "metadata.namespace"))
	pods := c.podSecurityGroups(ns, obj(get(din, "spec.template.metadata.labels")))
	target := 0
	for _, ctr := range list(get(din, "spec.template.spec.containers")) {
		for _, p := range list(get(ctr, "ports")) {
			target = num(get(p, "containerPort"))
		}
	}
	if k.runtime == "eks" {
		a.credentials = host + ":" + strconv.Itoa(port) + " is no Service of " + dep.Name
		for _, s := range c.x.ByType(tokens.K8sService) {
			sin := c.x.In(s)
			if host != str(get(sin, "metadata.name"))+"."+str(get(sin, "metadata.namespace"))+".svc.cluster.local" {
				continue
			}
			for _, p := range list(get(sin, "spec.ports")) {
				if num(get(p, "port")) == port {
					a.credentials = OK
				}
			}
		}
		a.network = c.pair(k.sgs, pods, target, "pods of "+dep.Name)
		return a
	}
	lb, listener := c.nlbFor(host, port)
	if lb == nil || listener == nil {
		a.network, a.credentials = "no load balancer listens on "+host+":"+strconv.Itoa(port), "no DNS record "+host+" of a load balancer"
		return a
	}
	a.credentials = OK
	lbSGs := strs(c.x.In(lb)["securityGroups"])
	a.network = first(c.pair(k.sgs, lbSGs, port, "sg of "+lb.Name), c.boundTo(listener, dep),
		c.pair(lbSGs, pods, target, "pods of "+dep.Name))
	return a
}

// nlbFor is the load balancer a Route53 alias named host points at, and
// its listener on port.
func (c *checker) nlbFor(host string, port int) (lb, listener *mockengine.Resource) {
	for _, rec := range c.x.ByType(tokens.Route53Record) {
		rin := c.x.In(rec)
		if strings.TrimSuffix(str(rin["name"]), ".") != host {
			continue
		}
		for _, al := range list(rin["aliases"]) {
			for _, l := range c.x.ByType(tokens.LBLoadBalancer) {
				if str(l.Out()["dnsName"]) == str(get(al, "name")) {
					lb = l
				}
			}
		}
	}
	if lb == nil {
		return nil, nil
	}
	for _, l := range c.x.Referencing(tokens.LBListener, "loadBalancerArn", lb) {
		if num(c.x.In(l)["port"]) == port {
			return lb, l
		}
	}
	return lb, nil
}

// boundTo: the listener forwards to a target group a TargetGroupBinding
// fills from a Kubernetes Service whose selector picks dep's pods.
func (c *checker) boundTo(listener, dep *mockengine.Resource) string {
	din := c.x.In(dep)
	ns, labels := str(get(din, "metadata.namespace")), obj(get(din, "spec.template.metadata.labels"))
	for _, act := range list(c.x.In(listener)["defaultActions"]) {
		tg := str(get(act, "targetGroupArn"))
		for _, b := range c.x.ByType(tokens.K8sTargetGroupBinding) {
			bin := c.x.In(b)
			if str(get(bin, "spec.targetGroupARN")) != tg || str(get(bin, "metadata.namespace")) != ns {
				continue
			}
			for _, s := range c.x.ByType(tokens.K8sService) {
				sin := c.x.In(s)
				if str(get(sin, "metadata.name")) == str(get(bin, "spec.serviceRef.name")) && str(get(sin, "metadata.namespace")) == ns &&
					selects(obj(get(sin, "spec.selector")), labels) {
					return OK
				}
			}
		}
	}
	return "no TargetGroupBinding puts the pods of " + dep.Name + " behind " + listener.Name
}

// selects reports whether a non-empty selector matches labels.
func selects(selector, labels map[string]any) bool {
	for k, v := range selector {
		if str(labels[k]) != str(v) {
			return false
		}
	}
	return len(selector) > 0
}

// awsAPI: the authorizer fetches the user pool's signing keys from
// cognito-idp (public: no IAM; it reads the pool id), ws_router posts to
// its clients through execute-api (ManageConnections on the stage's
// @connections; it reads the callback URL). Both through NAT: an
// execute-api endpoint with private DNS would capture the public API's
// name and serve private APIs only.
func (c *checker) awsAPI(k *consumer, api string) aspects {
	switch api {
	case "cognito-idp":
		a := aspects{iam: NA, network: c.awsRoute(k, api), credentials: "no user pool in the stack"}
		for _, p := range c.x.ByType(tokens.CognitoUserPool) {
			a.credentials = c.envIs(k, p.ID)
		}
		return a
	case "execute-api":
		a := aspects{network: c.nat(k, api, c.vpcOf(k.subnets)), iam: "no WebSocket API", credentials: "no WebSocket API"}
		for _, ep := range c.x.ByType(tokens.EC2VpcEndpoint) {
			if strings.HasSuffix(str(c.x.In(ep)["serviceName"]), ".execute-api") && c.x.In(ep)["privateDnsEnabled"] == true {
				a.network = "an execute-api endpoint with private DNS captures the public API's name"
			}
		}
		for _, ws := range c.x.ByType(tokens.APIGatewayV2Api) {
			if str(c.x.In(ws)["protocolType"]) != "WEBSOCKET" {
				continue
			}
			for _, st := range c.x.Referencing(tokens.APIGatewayV2Stage, "apiId", ws) {
				stage := str(c.x.In(st)["name"])
				a.iam = c.allow(&a, k.appRole, k.appWaiter, str(ws.Out()["executionArn"])+"/"+stage+"/POST/@connections/abc", "execute-api:ManageConnections")
				a.credentials = c.envIs(k, strings.Replace(str(ws.Out()["apiEndpoint"]), "wss://", "https://", 1)+"/"+stage)
				if c.x.In(ws)["disableExecuteApiEndpoint"] == true {
					// The execute-api endpoint refuses @connections too: the
					// callback goes through a custom domain mapped to the API.
					a.credentials = "the execute-api endpoint is disabled and no custom domain is mapped to the WebSocket API"
					for _, m := range c.x.Referencing(tokens.APIGatewayV2ApiMapping, "apiId", ws) {
						if got := c.envIs(k, "https://"+str(c.x.In(m)["domainName"])); got == OK || a.credentials != OK {
							a.credentials = got
						}
					}
				}
			}
		}
		return a
	}
	return aspects{network: "unknown API " + api, iam: "unknown API " + api, credentials: "unknown API " + api}
}
