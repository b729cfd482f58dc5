package policy

import "github.com/dbay/infra/internal/mockengine"

func init() { topicFixtureSets = append(topicFixtureSets, kmsFixtures) }

// KMS fixtures: a us-east-1 primary replicated into us-west-2.
func kmsFixtures() map[string]fixture {
	const mrk = "arn:aws:kms:us-east-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
	primary := func(rotate bool) *mockengine.Resource {
		return res(kmsKey, "key-app", map[string]any{"multiRegion": true, "enableKeyRotation": rotate}, out("arn", mrk), in("us-east-1"))
	}
	replica := func(name, region, primaryArn string) *mockengine.Resource {
		return res(kmsReplicaKey, name, map[string]any{"primaryKeyArn": primaryArn}, in(region))
	}
	return map[string]fixture{
		"kms-replica-of-multi-region-key": {
			good: one(primary(true), replica("key-app", "us-west-2", mrk)),
			// A primary that does not rotate, a replica in the primary's
			// Region, a replica of a single-Region key.
			bad: one(primary(false), replica("key-app", "us-west-2", mrk), replica("same-region", "us-east-1", mrk),
				replica("single-region", "us-west-2", cmk)),
		},
	}
}
