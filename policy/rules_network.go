package policy

import (
	"fmt"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const (
	securityGroup       = tokens.EC2SecurityGroup
	defaultSG           = tokens.EC2DefaultSecurityGroup
	sgRule              = tokens.EC2SecurityGroupRule
	sgIngressRule       = tokens.VPCSecurityGroupIngressRule
	sgEgressRule        = tokens.VPCSecurityGroupEgressRule
	vpcType             = tokens.EC2Vpc
	awsxVpc             = tokens.AWSXVpc
	flowLog             = tokens.EC2FlowLog
	providerDescription = "Managed by Pulumi" // the provider's default description
)

var sgRuleTypes = []string{securityGroup, sgRule, sgIngressRule, sgEgressRule}

// Ports that must never be open to anything: SSH and RDP. Operators use
// SSM Session Manager / ECS Exec instead.
var adminPorts = []int{22, 3389}

// sgPermission is one rule of a security group, from any of the four
// shapes pulumi-aws takes (inline ingress/egress, securityGroupRule, the
// vpc ingress/egress rule resources).
type sgPermission struct {
	egress      bool
	group       string // the security group's id
	where       string // "ingress[0]" for inline rules, "" for rule resources
	cidrs       []string
	protocol    string
	from, to    int
	description string
}

func (p sgPermission) public() bool {
	return contains(p.cidrs, "0.0.0.0/0") || contains(p.cidrs, "::/0")
}

func (p sgPermission) allTraffic() bool {
	return p.protocol == "-1" || strings.EqualFold(p.protocol, "all")
}

// covers reports whether the permission opens TCP port.
func (p sgPermission) covers(port int) bool {
	if p.allTraffic() {
		return true
	}
	if p.protocol != "tcp" && p.protocol != "6" {
		return false
	}
	return p.from <= port && port <= p.to
}

// single reports whether the permission is one TCP port, and which.
func (p sgPermission) single() (int, bool) {
	if (p.protocol == "tcp" || p.protocol == "6") && p.from == p.to {
		return p.from, true
	}
	return 0, false
}

func (p sgPermission) label() string {
	dir := "ingress"
	if p.egress {
		dir = "egress"
	}
	ports := fmt.Sprintf("%s %d-%d", p.protocol, p.from, p.to)
	if p.allTraffic() {
		ports = "all traffic"
	} else if port, ok := p.single(); ok {
		ports = fmt.Sprintf("tcp %d", port)
	}
	s := dir + " " + ports
	if len(p.cidrs) > 0 {
		s += " " + map[bool]string{true: "from", false: "to"}[!p.egress] + " " + strings.Join(p.cidrs, ", ")
	}
	if p.where != "" {
		s = p.where + " (" + s + ")"
	}
	return s
}

// permissions reads the rules a resource declares.
func permissions(r *mockengine.Resource, in map[string]any) []sgPermission {
	port := func(v any) int { n, _ := num(v); return int(n) }
	var out []sgPermission
	switch r.Type {
	case securityGroup, defaultSG:
		for _, dir := range []string{"ingress", "egress"} {
			for i, rule := range list(in[dir]) {
				out = append(out, sgPermission{
					egress: dir == "egress", group: r.ID, where: fmt.Sprintf("%s[%d]", dir, i),
					cidrs:    append(strs(get(rule, "cidrBlocks")), strs(get(rule, "ipv6CidrBlocks"))...),
					protocol: strings.ToLower(str(get(rule, "protocol"))), from: port(get(rule, "fromPort")), to: port(get(rule, "toPort")),
					description: str(get(rule, "description")),
				})
			}
		}
	case sgRule:
		out = append(out, sgPermission{
			egress: str(in["type"]) == "egress", group: str(in["securityGroupId"]),
			cidrs:    append(strs(in["cidrBlocks"]), strs(in["ipv6CidrBlocks"])...),
			protocol: strings.ToLower(str(in["protocol"])), from: port(in["fromPort"]), to: port(in["toPort"]),
			description: str(in["description"]),
		})
	case sgIngressRule, sgEgressRule:
		var cidrs []string
		for _, k := range []string{"cidrIpv4", "cidrIpv6"} {
			if s := str(in[k]); s != "" {
				cidrs = append(cidrs, s)
			}
		}
		from, to := port(in["fromPort"]), port(in["toPort"])
		proto := strings.ToLower(str(in["ipProtocol"]))
		if proto == "-1" {
			from, to = 0, 65535
		}
		out = append(out, sgPermission{
			egress: r.Type == sgEgressRule, group: str(in["securityGroupId"]), cidrs: cidrs,
			protocol: proto, from: from, to: to, description: str(in["description"]),
		})
	}
	return out
}

// networkRules: security groups stay closed to the internet; VPCs log flows.
// Long: a table: one entry per rule, each read on its own.
func networkRules() []Rule {
	return []Rule{
		{
			ID: "sg-no-public-ingress", Severity: High, Types: sgRuleTypes,
			Title: "No ingress from 0.0.0.0/0 or ::/0, except HTTPS/HTTP on a load balancer's security group (FSBP EC2.18, EC2.19)",
			Check: func(r *mockengine.Resource, x Index) []string {
				albSGs := x.LoadBalancerSecurityGroups()
				var out []string
				for _, p := range permissions(r, x.In(r)) {
					if p.egress || !p.public() {
						continue
					}
					if port, ok := p.single(); ok && (port == 443 || port == 80) && albSGs[p.group] {
						continue
					}
					out = append(out, problem(r, p.label()+" is open to the internet", "admit only the callers' security groups (AllowFrom); only a load balancer's group may take 443/80 from anywhere"))
				}
				return out
			},
		},
		{
			ID: "sg-no-admin-ports", Severity: High, Types: sgRuleTypes,
			Title: "No ingress ever reaches SSH (22) or RDP (3389) (FSBP EC2.13, EC2.14)",
			Check: func(r *mockengine.Resource, x Index) []string {
				var out []string
				for _, p := range permissions(r, x.In(r)) {
					for _, port := range adminPorts {
						if !p.egress && p.covers(port) {
							out = append(out, problem(r, fmt.Sprintf("%s admits port %d", p.label(), port), "remove it: reach hosts and tasks with SSM Session Manager or ECS Exec"))
						}
					}
				}
				return out
			},
		},
		{
			ID: "sg-open-egress", Severity: Medium, Types: sgRuleTypes,
			Title: "Egress to 0.0.0.0/0 or ::/0 is TCP 443 only (AWS APIs without an endpoint, third-party HTTPS through NAT)",
			Check: func(r *mockengine.Resource, x Index) []string {
				var out []string
				for _, p := range permissions(r, x.In(r)) {
					if !p.egress || !p.public() {
						continue
					}
					if port, ok := p.single(); ok && port == 443 {
						continue
					}
					out = append(out, problem(r, p.label()+" is open to the internet", "allow only TCP 443 to 0.0.0.0/0; any other port needs a waiver naming the peer it reaches"))
				}
				return out
			},
		},
		{
			ID: "sg-rule-description", Severity: Low, Types: append([]string{defaultSG}, sgRuleTypes...),
			Title: "Every security group and every rule says what it is for",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				var out []string
				if r.Type == securityGroup {
					if d := str(in["description"]); d == "" || d == providerDescription {
						out = append(out, problem(r, "the group has no description of its own", "set description to who may reach it and on what port"))
					}
				}
				for _, p := range permissions(r, in) {
					if strings.TrimSpace(p.description) == "" {
						out = append(out, problem(r, p.label()+" has no description", "set description (who is allowed and why)"))
					}
				}
				return out
			},
		},
		{
			ID: "sg-default-closed", Severity: Medium, Types: []string{defaultSG},
			Title: "The VPC's default security group has no rules (FSBP EC2.2)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if len(list(in["ingress"])) > 0 || len(list(in["egress"])) > 0 {
					return []string{problem(r, "the default security group has rules", "adopt it with ingress: [] and egress: [] so nothing falls back on it")}
				}
				return nil
			},
		},
		{
			ID: "vpc-flow-logs", Severity: Medium, Types: []string{vpcType, awsxVpc},
			Title: "Every VPC has flow logs of ALL (or REJECT) traffic (FSBP EC2.6)",
			Check: func(r *mockengine.Resource, x Index) []string {
				id := str(r.Out()["vpcId"])
				if r.Type == vpcType {
					id = r.ID
				}
				for _, fl := range x.ByType(flowLog) {
					in := x.In(fl)
					if id != "" && str(in["vpcId"]) == id {
						if t := str(in["trafficType"]); t == "ALL" || t == "REJECT" {
							return nil
						}
					}
				}
				return []string{problem(r, "no flow log of ALL traffic", "add an aws:ec2/flowLog with trafficType ALL to a KMS-encrypted log group (the Network component does)")}
			},
		},
	}
}
