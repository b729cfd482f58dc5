package policy

import "github.com/dbay/infra/internal/mockengine"

func init() { topicFixtureSets = append(topicFixtureSets, retainFixtures) }

func retainFixtures() map[string]fixture {
	retained := func(r *mockengine.Resource) { r.Options.RetainOnDelete = true }
	lg := map[string]any{"name": "/aws/vpc/flow-logs", "retentionInDays": 365}
	return map[string]fixture{
		"logs-retained-on-delete": {
			good: one(res(logGroup, "flow-logs", lg, retained), res(logGroup, "audit", lg, protected)),
			bad:  one(res(logGroup, "flow-logs", lg)),
		},
	}
}
