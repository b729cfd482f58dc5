package policy

import "github.com/dbay/infra/internal/tokens"

func init() { topicFixtureSets = append(topicFixtureSets, elbFixtures) }

// elbFixtures: an internal NLB with its security group, and one without.
func elbFixtures() map[string]fixture {
	nlb := map[string]any{"loadBalancerType": "network", "internal": true, "securityGroups": list1("sg-nlb")}
	return map[string]fixture{
		"nlb-security-groups-at-creation": {
			good: one(res(tokens.LBLoadBalancer, "wallet-vpc", nlb)),
			bad:  one(res(tokens.LBLoadBalancer, "wallet-vpc", with(nlb, "securityGroups", nil))),
		},
	}
}
