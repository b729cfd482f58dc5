package policy

import "github.com/dbay/infra/internal/mockengine"

// nlbSecurityGroupsSource: "You can associate security groups with a
// Network Load Balancer when you create it. If you create a Network Load
// Balancer without associating any security groups, you can't associate
// them with the load balancer later on."
const nlbSecurityGroupsSource = "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html"

func awsELBRules() []Rule {
	return []Rule{
		{
			ID: "nlb-security-groups-at-creation", Severity: Medium, Category: CategoryAWSConstraint, Source: nlbSecurityGroupsSource,
			Types: loadBalancerTypes,
			Title: "Network load balancers get their security groups at creation (none can be added later)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if str(in["loadBalancerType"]) == "network" && len(list(in["securityGroups"])) == 0 {
					return []string{problem(r, "a network load balancer created without security groups can never have any: its targets must admit every caller's address, and adding a group later replaces the load balancer",
						"give it a security group now (ingress from its callers' groups only) and let the targets admit that group")}
				}
				return nil
			},
		},
	}
}
