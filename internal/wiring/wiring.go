// Package wiring proves, from the captured resources of a synthesized
// stack, that every edge the configuration declares works at run time: a
// service or function that `uses` a store, `calls` a service, reads a
// secret, uses an application key (key:<name>), `publishes` on the bus, or needs an AWS API (the authorizer → Cognito, the WebSocket
// function → execute-api). For each edge it checks four things and
// reports either "ok", "n/a" (the aspect does not apply to that kind of
// edge, e.g. IAM for an HTTP call) or the missing piece:
//
//   - network: the consumer's security-group egress and the matching
//     ingress on the dependency's port, or a route to the AWS API (an
//     interface endpoint with private DNS the consumer may reach on 443,
//     the S3 gateway endpoint, or 443 to anywhere from a private subnet of
//     a VPC with NAT);
//   - IAM: a grant of the consumer's role allowing the actions the edge
//     needs on the dependency's ARN, and on the KMS key behind it;
//   - credentials: the variable the consumer reads, in its form (a full
//     connection string from the secret's url key, a secret ARN, a name or
//     URL that is the dependency's);
//   - order: the consumer (ECS service, Lambda, service account, External
//     Secrets chart) depends on every grant the IAM check found.
//
// The config only says which edges exist; every fact comes from the
// resources (policy.Index).
package wiring

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
	"github.com/dbay/infra/policy"
)

// OK and NA are the two non-failing values of an aspect.
const (
	OK = "ok"
	NA = "n/a"
)

// Edge is one declared edge and the state of each aspect.
type Edge struct {
	Consumer    string `json:"consumer"`   // "service listing", "function deposit_watcher"
	Dependency  string `json:"dependency"` // "postgres", "service wallet", "secret DJANGO_SECRET_KEY", "aws cognito-idp"
	Network     string `json:"network"`
	IAM         string `json:"iam"`
	Credentials string `json:"credentials"`
	Order       string `json:"order"`
	// Identity is who the consumer connects as, for a store with
	// credentials: the user name in its connection string (issue 15 item
	// 2: one role per service). "" otherwise.
	Identity string `json:"identity,omitempty"`
}

// OK reports whether every aspect is ok or does not apply.
func (e Edge) OK() bool {
	for _, s := range []string{e.Network, e.IAM, e.Credentials, e.Order} {
		if s != OK && s != NA {
			return false
		}
	}
	return true
}

// Report is the edge table of a stack.
type Report struct {
	Edges []Edge `json:"edges"`
}

// Passed reports whether every edge is ok.
func (r Report) Passed() bool { return len(r.Broken()) == 0 }

// Broken are the edges with a missing piece.
func (r Report) Broken() []Edge {
	var out []Edge
	for _, e := range r.Edges {
		if !e.OK() {
			out = append(out, e)
		}
	}
	return out
}

const (
	typeRole       = tokens.IAMRole
	typeECSService = tokens.ECSService
	typeTaskDef    = tokens.ECSTaskDefinition
	typeLambda     = tokens.LambdaFunction
	typeDeployment = tokens.K8sDeployment
	typeSecret     = tokens.SecretsManagerSecret
	typeEgress     = tokens.VPCSecurityGroupEgressRule
	typeIngress    = tokens.VPCSecurityGroupIngressRule
)

type checker struct {
	x      policy.Index
	cfg    *config.Config
	region string
	cache  map[string][]rule
}

// Check builds the edge table of a stack from its resources (partner: the
// DR partner's, where a replicated secret's source lives) and its
// validated config (which edges exist).
func Check(resources, partner []*mockengine.Resource, cfg *config.Config) Report {
	c := &checker{x: policy.NewIndex(resources, policy.Options{Partner: partner}), cfg: cfg, region: cfg.Region}
	var rep Report
	add := func(k *consumer, dep string, check func(*consumer) aspects) {
		e := Edge{Consumer: k.label, Dependency: dep}
		if k.missing != "" {
			e.Network, e.IAM, e.Credentials, e.Order = k.missing, k.missing, k.missing, k.missing
		} else {
			a := check(k)
			e.Network, e.IAM, e.Credentials, e.Identity = a.network, a.iam, a.credentials, a.identity
			e.Order = c.order(k, a)
			if p := cfg.Data.Postgres; dep == "postgres" && p != nil && p.ServiceUsers && e.Credentials == OK && strings.HasPrefix(k.label, "service ") {
				// One role per service: never the master, never another's.
				if want := config.PostgresRole(strings.TrimPrefix(k.label, "service ")); e.Identity != want {
					e.Credentials = fmt.Sprintf("connects as %s, not its own role %s", e.Identity, want)
				}
			}
			if m := cfg.Data.DocumentDB; dep == "mongo" && m != nil && m.ServiceUsers && e.Credentials == OK && strings.HasPrefix(k.label, "service ") {
				// One DocumentDB user per service (data.documentdb.serviceUsers):
				// its name, never the master, never another's.
				if want := strings.TrimPrefix(k.label, "service "); e.Identity != want {
					e.Credentials = fmt.Sprintf("connects as %q, not its own DocumentDB user %s", e.Identity, want)
				}
			}
			if r := cfg.Data.Redis; dep == "redis" && r != nil && r.ServiceUsers && e.Credentials == OK {
				// One Redis user per consumer (data.redis.serviceUsers):
				// named as the service or function, never another's.
				if want := consumerName(k.label); e.Identity != want {
					e.Credentials = fmt.Sprintf("connects as %q, not its own Redis user %s", e.Identity, want)
				}
			}
		}
		rep.Edges = append(rep.Edges, e)
	}
	if f := cfg.Fleet; f != nil {
		for _, s := range f.Services {
			var k *consumer
			if f.Runtime == config.RuntimeEKS {
				k = c.eksConsumer(s.Name)
			} else {
				k = c.ecsConsumer(s.Name)
			}
			// An optional secret not yet provided is not injected
			// (config.SecretItem.Optional): no edge to prove.
			var injected []string
			for _, name := range s.Secrets {
				if cfg.Secrets.Injected(name) {
					injected = append(injected, name)
				}
			}
			c.declared(k, s.Uses, s.Calls, injected, add)
			c.publishes(k, s.Publishes, add)
		}
	}
	if sl := cfg.Serverless; sl != nil {
		names := make([]string, 0, len(sl.Functions))
		for n := range sl.Functions {
			names = append(names, n)
		}
		sort.Strings(names)
		apis := map[string][]string{}
		if sl.API != nil {
			apis[sl.API.Authorizer] = append(apis[sl.API.Authorizer], "cognito-idp")
		}
		if ws := sl.WebSocket; ws != nil {
			apis[ws.Function] = append(apis[ws.Function], "execute-api")
			if ws.Authorizer != "" && (sl.API == nil || ws.Authorizer != sl.API.Authorizer) {
				apis[ws.Authorizer] = append(apis[ws.Authorizer], "cognito-idp")
			}
		}
		for _, n := range names {
			fn := sl.Functions[n]
			k := c.lambdaConsumer(n)
			c.declared(k, fn.Uses, fn.Calls, fn.Secrets, add)
			c.publishes(k, fn.Publishes, add)
			for _, api := range apis[n] {
				add(k, "aws "+api, func(k *consumer) aspects { return c.awsAPI(k, api) })
			}
		}
		c.orchestration(sl, add)
	}
	return rep
}

// declared adds a consumer's uses, calls and secrets edges.
func (c *checker) declared(k *consumer, uses, calls, secrets []string, add func(*consumer, string, func(*consumer) aspects)) {
	for _, u := range uses {
		add(k, u, func(k *consumer) aspects { return c.use(k, u) })
	}
	for _, callee := range calls {
		add(k, "service "+callee, func(k *consumer) aspects { return c.call(k, callee) })
	}
	for _, s := range secrets {
		add(k, "secret "+s, func(k *consumer) aspects { return c.secret(k, s) })
	}
}

// aspects is what one edge check found: the three aspects and the grants
// behind its IAM verdict with the resource that must wait for each.
type aspects struct {
	network, iam, credentials string
	identity                  string
	grants                    []grant
}

type grant struct {
	policy, waiter *mockengine.Resource
}

// order: every grant the IAM check relied on is in its waiter's
// dependency closure (policy.Index.DependencyClosure, as the
// aws-consumer-after-grants rule reads it).
func (c *checker) order(k *consumer, a aspects) string {
	if len(a.grants) == 0 {
		if a.iam == NA {
			return NA
		}
		return "no grant to wait for (IAM: " + a.iam + ")"
	}
	closures := map[*mockengine.Resource]map[string]bool{}
	for _, g := range a.grants {
		if g.waiter == nil {
			return "nothing of " + k.label + " waits for " + g.policy.Name
		}
		if closures[g.waiter] == nil {
			closures[g.waiter] = c.x.DependencyClosure(g.waiter)
		}
		if !closures[g.waiter][g.policy.URN] {
			return g.waiter.Name + " does not depend on " + g.policy.Name
		}
	}
	return OK
}

// named is the resource of typ called name, nil if none.
func (c *checker) named(typ, name string) *mockengine.Resource {
	for _, r := range c.x.ByType(typ) {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// consumerName is a consumer's service or function name ("service auction": auction).
func consumerName(label string) string {
	_, name, _ := strings.Cut(label, " ")
	return name
}
