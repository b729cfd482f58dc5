package wiring

import (
	"fmt"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
	"github.com/dbay/infra/policy"
)

// rule is one security-group rule: on sg, to or from peer (a group), cidr
// or prefix list pl, TCP ports from..to (proto "-1": every protocol).
type rule struct {
	sg, peer, cidr, pl string
	from, to           int
	proto              string
}

func (r rule) covers(port int) bool {
	return (r.proto == "-1" || r.proto == "tcp" || r.proto == "6") && r.from <= port && port <= r.to
}

// rules are the stack's egress or ingress rules (computed once).
func (c *checker) rules(typ string) []rule {
	if c.cache == nil {
		c.cache = map[string][]rule{}
	}
	if r, ok := c.cache[typ]; ok {
		return r
	}
	c.cache[typ] = c.readRules(typ)
	return c.cache[typ]
}

func (c *checker) readRules(typ string) []rule {
	var out []rule
	for _, r := range c.x.ByType(typ) {
		in := c.x.In(r)
		out = append(out, rule{sg: str(in["securityGroupId"]), peer: str(in["referencedSecurityGroupId"]),
			cidr: str(in["cidrIpv4"]), pl: str(in["prefixListId"]),
			from: num(in["fromPort"]), to: num(in["toPort"]), proto: str(in["ipProtocol"])})
	}
	// inline rules of aws:ec2/securityGroup (the endpoints' group)
	key := "egress"
	if typ == typeIngress {
		key = "ingress"
	}
	for _, g := range c.x.ByType(tokens.EC2SecurityGroup) {
		for _, x := range list(c.x.In(g)[key]) {
			for _, cidr := range strs(get(x, "cidrBlocks")) {
				out = append(out, rule{sg: g.ID, cidr: cidr, from: num(get(x, "fromPort")), to: num(get(x, "toPort")), proto: str(get(x, "protocol"))})
			}
			for _, peer := range strs(get(x, "securityGroups")) {
				out = append(out, rule{sg: g.ID, peer: peer, from: num(get(x, "fromPort")), to: num(get(x, "toPort")), proto: str(get(x, "protocol"))})
			}
		}
	}
	return out
}

// find returns the first rule on one of sgs matching ok.
func find(rules []rule, sgs []string, port int, ok func(rule) bool) bool {
	for _, r := range rules {
		if contains(sgs, r.sg) && r.covers(port) && ok(r) {
			return true
		}
	}
	return false
}

// pair checks egress from one of from to one of to on port, and the
// matching ingress on to from that group.
func (c *checker) pair(from, to []string, port int, what string) string {
	if len(from) == 0 {
		return "the consumer has no security group"
	}
	if len(to) == 0 {
		return what + " has no security group"
	}
	eg, ing := c.rules(typeEgress), c.rules(typeIngress)
	egress := false
	for _, f := range from {
		for _, t := range to {
			if !find(eg, []string{f}, port, func(r rule) bool { return r.peer == t }) {
				continue
			}
			egress = true
			if find(ing, []string{t}, port, func(r rule) bool { return r.peer == f }) {
				return OK
			}
		}
	}
	if !egress {
		return fmt.Sprintf("no egress from %s to %s on %d", c.sgNames(from), what, port)
	}
	return fmt.Sprintf("no ingress on %s from %s on %d", what, c.sgNames(from), port)
}

func (c *checker) sgNames(ids []string) string {
	var out []string
	for _, id := range ids {
		name := id
		for _, r := range c.x.ByRef(id) {
			if r.Type == tokens.EC2SecurityGroup {
				name = "sg " + r.Name
			}
		}
		out = append(out, name)
	}
	return strings.Join(out, ",")
}

// awsRoute proves a route from the consumer to an AWS API on 443: an
// interface endpoint of the service with private DNS whose group admits
// the consumer, the S3 gateway endpoint, or NAT.
func (c *checker) awsRoute(k *consumer, service string) string {
	name := "com.amazonaws." + k.res.Region + "." + service
	if k.res.Region == "" {
		name = "com.amazonaws." + c.region + "." + service
	}
	vpc := c.vpcOf(k.subnets)
	for _, ep := range c.x.ByType(tokens.EC2VpcEndpoint) {
		in := c.x.In(ep)
		if str(in["serviceName"]) != name || (vpc != nil && str(in["vpcId"]) != str(vpc.Out()["vpcId"])) {
			continue
		}
		if str(in["vpcEndpointType"]) == "Gateway" {
			if len(strs(in["routeTableIds"])) == 0 {
				return "the " + service + " gateway endpoint is on no route table"
			}
			if k.runtime != "eks-operator" && !find(c.rules(typeEgress), k.sgs, 443, func(r rule) bool { return r.pl != "" || r.cidr == "0.0.0.0/0" }) {
				return "no egress on 443 to the " + service + " prefix list from " + c.sgNames(k.sgs)
			}
			return OK
		}
		if in["privateDnsEnabled"] != true {
			return "the " + service + " endpoint has no private DNS"
		}
		epSGs := strs(in["securityGroupIds"])
		cidr := ""
		if vpc != nil {
			cidr = str(c.x.In(vpc)["cidrBlock"])
		}
		if k.runtime != "eks-operator" && !find(c.rules(typeEgress), k.sgs, 443, func(r rule) bool {
			return contains(epSGs, r.peer) || r.cidr == "0.0.0.0/0" || (cidr != "" && r.cidr == cidr)
		}) {
			return "no egress on 443 from " + c.sgNames(k.sgs) + " to the " + service + " endpoint"
		}
		if !find(c.rules(typeIngress), epSGs, 443, func(r rule) bool {
			return contains(k.sgs, r.peer) || r.cidr == "0.0.0.0/0" || (cidr != "" && r.cidr == cidr)
		}) {
			return "the " + service + " endpoint's security group does not admit the consumer on 443"
		}
		return OK
	}
	return c.nat(k, service, vpc)
}

// nat proves 443 to anywhere from private subnets of a VPC with NAT gateways.
func (c *checker) nat(k *consumer, service string, vpc *mockengine.Resource) string {
	if k.runtime != "eks-operator" && !find(c.rules(typeEgress), k.sgs, 443, func(r rule) bool { return r.cidr == "0.0.0.0/0" }) {
		return "no " + service + " endpoint and no egress on 443 to 0.0.0.0/0 (NAT) from " + c.sgNames(k.sgs)
	}
	if vpc == nil {
		return "the consumer's subnets are not private subnets of the stack's VPC"
	}
	if s := str(get(c.x.In(vpc), "natGateways.strategy")); s == "None" {
		return "no " + service + " endpoint and the VPC has no NAT gateway"
	}
	return OK
}

// vpcOf is the awsx VPC whose private subnets hold every subnet given.
func (c *checker) vpcOf(subnets []string) *mockengine.Resource {
	if len(subnets) == 0 {
		return nil
	}
	for _, v := range c.x.ByType(tokens.AWSXVpc) {
		private := strs(v.Out()["privateSubnetIds"])
		all := true
		for _, s := range subnets {
			all = all && contains(private, s)
		}
		if all {
			return v
		}
	}
	return nil
}

// storeGroups are the security groups of a store resource and its port.
func storeGroups(in map[string]any, typ string) ([]string, int) {
	switch typ {
	case tokens.RDSInstance:
		return strs(in["vpcSecurityGroupIds"]), orPort(in["port"], 5432)
	case tokens.DocDBCluster:
		return strs(in["vpcSecurityGroupIds"]), orPort(in["port"], 27017)
	case tokens.ElastiCacheReplicationGroup:
		return strs(in["securityGroupIds"]), orPort(in["port"], 6379)
	case tokens.ElastiCacheCluster:
		return strs(in["securityGroupIds"]), orPort(in["port"], 11211)
	case tokens.OpenSearchDomain:
		return strs(get(in, "vpcOptions.securityGroupIds")), 443
	}
	return nil, 0
}

func orPort(v any, def int) int {
	if n := num(v); n > 0 {
		return n
	}
	return def
}

// s3EndpointAdmits checks the consumer's S3 gateway endpoint's policy (its
// `policy` input or an aws:ec2/vpcEndpointPolicy on it) admits reading and
// writing the bucket's objects: a restricted endpoint refuses a bucket it
// does not list whatever IAM allows. No gateway endpoint (the route is
// NAT) or no policy (the default: full access) admits everything.
func (c *checker) s3EndpointAdmits(k *consumer, bucket, arn string) string {
	name := "com.amazonaws." + k.res.Region + ".s3"
	if k.res.Region == "" {
		name = "com.amazonaws." + c.region + ".s3"
	}
	vpc := c.vpcOf(k.subnets)
	principal := "*"
	if k.appRole != nil {
		principal = str(k.appRole.Out()["arn"])
	}
	for _, ep := range c.x.ByType(tokens.EC2VpcEndpoint) {
		in := c.x.In(ep)
		if str(in["serviceName"]) != name || str(in["vpcEndpointType"]) != "Gateway" || (vpc != nil && str(in["vpcId"]) != str(vpc.Out()["vpcId"])) {
			continue
		}
		docs := []any{}
		if p := in["policy"]; p != nil && p != "" {
			docs = append(docs, p)
		}
		for _, p := range c.x.Referencing(tokens.EC2VpcEndpointPolicy, "vpcEndpointId", ep) {
			docs = append(docs, c.x.In(p)["policy"])
		}
		for _, doc := range docs {
			for _, action := range []string{"s3:GetObject", "s3:PutObject"} {
				if ok, denied := policy.ResourceDocDecides(doc, principal, action, arn+"/object"); !ok || denied {
					return "the S3 gateway endpoint's policy does not admit " + action + " on bucket " + bucket
				}
			}
		}
		return OK
	}
	return OK
}
