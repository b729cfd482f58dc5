package policy

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/mockengine"
)

func init() { topicFixtureSets = append(topicFixtureSets, searchFixtures) }

// searchFixtures: an FGAC domain used by its master only, the same domain
// with a consumer role no one mapped (the issue 14 item 3 failure), and an
// IAM-only domain whose policy names its consumer.
func searchFixtures() map[string]fixture {
	const (
		account   = "arn:aws:iam::123456789012:"
		masterArn = account + "role/search-master-1a2b"
		readerArn = account + "role/listing-1a2b"
		domainArn = "arn:aws:es:us-east-1:123456789012:domain/search-1"
	)
	doc := func(principals ...string) string {
		st := map[string]any{"Effect": "Allow", "Action": list1("es:ESHttpGet", "es:ESHttpPost", "es:ESHttpPut"), "Resource": domainArn + "/*"}
		if principals != nil {
			p := make([]any, len(principals))
			for i, s := range principals {
				p[i] = s
			}
			st["Principal"] = map[string]any{"AWS": p}
		}
		b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": list1(st)})
		return string(b)
	}
	domain := func(in map[string]any) *mockengine.Resource {
		return res(searchDomain, "search", in, out("arn", domainArn, "domainName", "search-1"))
	}
	domainPolicy := func(principals ...string) *mockengine.Resource {
		return res(searchDomainPolicy, "search", map[string]any{"domainName": "search-1", "accessPolicies": doc(principals...)})
	}
	// listing: a role whose own policy allows the HTTP API on the domain's indexes.
	listing := one(
		res(iamRole, "listing", nil, out("arn", readerArn, "name", "listing-1a2b")),
		res(iamRolePolicy, "listing-search", map[string]any{"role": "listing-1a2b", "policy": doc()}),
	)
	fgac := with(goodSearch, "advancedSecurityOptions.masterUserOptions.masterUserArn", masterArn)
	iamOnly := with(goodSearch, "advancedSecurityOptions", map[string]any{"enabled": false})
	logs := func(types ...string) []any {
		var out []any
		for _, t := range types {
			out = append(out, map[string]any{"logType": t, "cloudwatchLogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:" + t, "enabled": true})
		}
		return out
	}
	return map[string]fixture{
		"opensearch-fgac-unmapped-consumers": {
			good: one(domain(fgac), domainPolicy(masterArn)),
			// The listing role is admitted twice over (domain policy and its
			// own policy) and still refused by FGAC: nothing maps it.
			bad: concat(one(domain(fgac), domainPolicy(masterArn, readerArn)), listing),
		},
		"opensearch-audit-logs-need-fgac": {
			good: one(domain(with(iamOnly, "logPublishingOptions", logs("ES_APPLICATION_LOGS", "INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS")))),
			bad:  one(domain(with(iamOnly, "logPublishingOptions", logs("AUDIT_LOGS", "ES_APPLICATION_LOGS")))),
		},
		"opensearch-iam-access-policy": {
			good: concat(one(domain(iamOnly), domainPolicy(readerArn)), listing),
			bad:  one(domain(iamOnly), domainPolicy("*")),
		},
	}
}

// A consumer is found through its own role policy alone (the domain policy
// names only the master), and an IAM-only domain passes with consumers.
func TestSearchConsumerFoundThroughItsOwnPolicy(t *testing.T) {
	t.Parallel()
	f := searchFixtures()["opensearch-fgac-unmapped-consumers"]
	rule := ruleByID(t, "opensearch-fgac-unmapped-consumers")
	identityOnly := concat(f.good, f.bad[2:]) // FGAC domain, master-only policy, listing's role policy
	rep := evaluate([]Rule{rule}, identityOnly, nil, Options{})
	if len(rep.Violations) != 1 || !strings.Contains(rep.Violations[0].Message, "listing-search") {
		t.Errorf("violations = %+v, want one naming listing's role policy", rep.Violations)
	}
	iamOnly := searchFixtures()["opensearch-iam-access-policy"].good
	if rep := evaluate([]Rule{rule}, iamOnly, nil, Options{}); len(rep.Violations) != 0 {
		t.Errorf("IAM-only domain: %+v", rep.Violations)
	}
}
