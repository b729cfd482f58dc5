package wiring

import (
	"encoding/json"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// consumer is what the captured resources say about one service or
// function: where it runs, which roles it holds, what it reads.
type consumer struct {
	label   string
	runtime string // ecs, eks or lambda
	res     *mockengine.Resource
	sgs     []string
	subnets []string
	// appRole holds the application's permissions (ECS task role, IRSA
	// role, Lambda role); appWaiter must depend on its grants.
	appRole, appWaiter *mockengine.Resource
	// secretRole reads the secrets the runtime injects (ECS execution
	// role, the External Secrets operator's role, the Lambda role itself).
	secretRole, secretWaiter *mockengine.Resource
	env                      map[string]string
	secrets                  map[string]secretRef // variable -> source
	missing                  string               // why the consumer could not be read
}

// secretRef is where a variable's value comes from: a secret ARN and, for
// a JSON secret, the key.
type secretRef struct{ arn, key string }

func (c *checker) role(arn string) *mockengine.Resource {
	for _, r := range c.x.ByRef(arn) {
		if r.Type == typeRole {
			return r
		}
	}
	return nil
}

// ecsConsumer reads an ECS service, its task definition and container.
func (c *checker) ecsConsumer(name string) *consumer {
	k := &consumer{label: "service " + name, runtime: "ecs", env: map[string]string{}, secrets: map[string]secretRef{}}
	svc := c.named(typeECSService, name)
	if svc == nil {
		k.missing = "no ECS service " + name
		return k
	}
	k.res, k.appWaiter, k.secretWaiter = svc, svc, svc
	in := c.x.In(svc)
	k.sgs = strs(get(in, "networkConfiguration.securityGroups"))
	k.subnets = strs(get(in, "networkConfiguration.subnets"))
	var td *mockengine.Resource
	for _, r := range c.x.ByRef(str(in["taskDefinition"])) {
		if r.Type == typeTaskDef {
			td = r
		}
	}
	if td == nil {
		k.missing = "service " + name + " has no task definition in the stack"
		return k
	}
	tin := c.x.In(td)
	k.appRole = c.role(str(tin["taskRoleArn"]))
	k.secretRole = c.role(str(tin["executionRoleArn"]))
	var defs []map[string]any
	_ = json.Unmarshal([]byte(str(tin["containerDefinitions"])), &defs)
	for _, d := range defs {
		if str(d["name"]) != name && len(defs) > 1 {
			continue
		}
		for _, e := range list(d["environment"]) {
			k.env[str(get(e, "name"))] = str(get(e, "value"))
		}
		for _, s := range list(d["secrets"]) {
			k.secrets[str(get(s, "name"))] = parseValueFrom(str(get(s, "valueFrom")))
		}
	}
	return k
}

// parseValueFrom reads ECS's "<secret arn>[:<json key>:<stage>:<version>]".
func parseValueFrom(v string) secretRef {
	parts := strings.Split(v, ":")
	if len(parts) <= 7 {
		return secretRef{arn: v}
	}
	return secretRef{arn: strings.Join(parts[:7], ":"), key: parts[7]}
}

// lambdaConsumer reads a function: its VPC config, role and variables;
// <NAME>_SECRET_ARN (+ <NAME>_SECRET_JSON_KEY) is how it receives NAME.
func (c *checker) lambdaConsumer(name string) *consumer {
	k := &consumer{label: "function " + name, runtime: "lambda", env: map[string]string{}, secrets: map[string]secretRef{}}
	fn := c.named(typeLambda, strings.ReplaceAll(name, "_", "-"))
	if fn == nil {
		k.missing = "no Lambda function " + name
		return k
	}
	k.res, k.appWaiter, k.secretWaiter = fn, fn, fn
	in := c.x.In(fn)
	k.sgs = strs(get(in, "vpcConfig.securityGroupIds"))
	k.subnets = strs(get(in, "vpcConfig.subnetIds"))
	k.appRole = c.role(str(in["role"]))
	k.secretRole = k.appRole
	vars := obj(get(in, "environment.variables"))
	for v, val := range vars {
		if base, ok := strings.CutSuffix(v, "_SECRET_ARN"); ok {
			k.secrets[base] = secretRef{arn: str(val), key: str(vars[base+"_SECRET_JSON_KEY"])}
			continue
		}
		if strings.HasSuffix(v, "_SECRET_JSON_KEY") {
			continue
		}
		k.env[v] = str(val)
	}
	return k
}

// eksConsumer reads a Deployment, its pods' security groups (the
// SecurityGroupPolicy selecting them), its service account's IRSA role,
// and the ExternalSecret behind its envFrom.
func (c *checker) eksConsumer(name string) *consumer {
	k := &consumer{label: "service " + name, runtime: "eks", env: map[string]string{}, secrets: map[string]secretRef{}}
	dep := c.named(typeDeployment, name)
	if dep == nil {
		k.missing = "no Deployment " + name
		return k
	}
	k.res = dep
	in := c.x.In(dep)
	ns := str(get(in, "metadata.namespace"))
	pod := get(in, "spec.template")
	k.sgs = c.podSecurityGroups(ns, obj(get(pod, "metadata.labels")))
	for _, ng := range c.x.ByType(tokens.EKSNodeGroup) {
		k.subnets = append(k.subnets, strs(c.x.In(ng)["subnetIds"])...)
	}
	saName := str(get(pod, "spec.serviceAccountName"))
	for _, sa := range c.x.ByType(tokens.K8sServiceAccount) {
		sin := c.x.In(sa)
		if str(get(sin, "metadata.name")) == saName && str(get(sin, "metadata.namespace")) == ns {
			k.appWaiter = sa
			k.appRole = c.role(str(obj(get(sin, "metadata.annotations"))["eks.amazonaws.com/role-arn"]))
		}
	}
	for _, ctr := range list(get(pod, "spec.containers")) {
		if str(get(ctr, "name")) != name {
			continue
		}
		for _, e := range list(get(ctr, "env")) {
			k.env[str(get(e, "name"))] = str(get(e, "value"))
		}
		for _, ef := range list(get(ctr, "envFrom")) {
			c.externalSecret(k, ns, str(get(ef, "secretRef.name")))
		}
	}
	return k
}

// externalSecret adds the variables of the Kubernetes secret target that
// an ExternalSecret writes, and the operator (role and chart) reading them.
func (c *checker) externalSecret(k *consumer, ns, target string) {
	for _, es := range c.x.ByType(tokens.K8sExternalSecret) {
		in := c.x.In(es)
		if str(get(in, "metadata.namespace")) != ns || str(get(in, "spec.target.name")) != target {
			continue
		}
		for _, d := range list(get(in, "spec.data")) {
			k.secrets[str(get(d, "secretKey"))] = secretRef{arn: str(get(d, "remoteRef.key")), key: str(get(d, "remoteRef.property"))}
		}
		store := str(get(in, "spec.secretStoreRef.name"))
		for _, css := range c.x.ByType(tokens.K8sClusterSecretStore) {
			cin := c.x.In(css)
			if str(get(cin, "metadata.name")) != store {
				continue
			}
			sa := str(get(cin, "spec.provider.aws.auth.jwt.serviceAccountRef.name"))
			for _, rel := range c.x.ByType(tokens.K8sHelmRelease) {
				vals := obj(c.x.In(rel)["values"])
				if str(get(vals, "serviceAccount.name")) == sa {
					k.secretWaiter = rel
					k.secretRole = c.role(str(obj(get(vals, "serviceAccount.annotations"))["eks.amazonaws.com/role-arn"]))
				}
			}
		}
	}
}

// podSecurityGroups are the groups of every SecurityGroupPolicy in ns whose
// podSelector matches labels.
func (c *checker) podSecurityGroups(ns string, labels map[string]any) []string {
	var out []string
	for _, p := range c.x.ByType(tokens.K8sSecurityGroupPolicy) {
		in := c.x.In(p)
		if str(get(in, "metadata.namespace")) != ns {
			continue
		}
		match := true
		for k, v := range obj(get(in, "spec.podSelector.matchLabels")) {
			match = match && str(labels[k]) == str(v)
		}
		if match {
			out = append(out, strs(get(in, "spec.securityGroups.groupIds"))...)
		}
	}
	return out
}
