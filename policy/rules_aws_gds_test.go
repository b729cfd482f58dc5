package policy

import (
	"strings"
	"testing"
)

func init() { topicFixtureSets = append(topicFixtureSets, awsGlobalDatastoreFixtures) }

// awsGlobalDatastoreFixtures: a primary and a secondary with automatic
// minor version upgrade off and a datastore carrying the primary's engine
// version pass; the shape the program had before (members asking for
// true, the datastore without engineVersion) fails.
func awsGlobalDatastoreFixtures() map[string]fixture {
	primary := with(goodRedis, "engine", "redis", "engineVersion", "7.1", "autoMinorVersionUpgrade", false)
	secondary := map[string]any{"globalReplicationGroupId": "ldgnf-dbay-redis", "numCacheClusters": 2.0,
		"automaticFailoverEnabled": true, "multiAzEnabled": true, "autoMinorVersionUpgrade": false}
	primary = with(primary, "nodeType", "cache.r6g.large")
	global := map[string]any{"globalReplicationGroupIdSuffix": "dbay-redis", "primaryReplicationGroupId": "redis", "engineVersion": "7.1", "cacheNodeType": "cache.r6g.large"}
	return map[string]fixture{
		"redis-global-engine-version": {
			good: one(res(redisGroup, "redis", primary), res(redisGlobalGroup, "redis-global", global)),
			bad: one(res(redisGroup, "redis", primary),
				res(redisGlobalGroup, "redis-global", with(global, "engineVersion", nil)),
				res(redisGlobalGroup, "redis-global-old", with(global, "engineVersion", "6.2", "cacheNodeType", nil))),
		},
		"redis-global-member-no-auto-minor-upgrade": {
			good: one(res(redisGroup, "redis", primary), res(redisGlobalGroup, "redis-global", global),
				res(redisGroup, "redis-secondary", secondary),
				// a standalone group is no member: true is right there
				res(redisGroup, "redis-alone", with(goodRedis, "autoMinorVersionUpgrade", true))),
			bad: one(res(redisGroup, "redis", with(primary, "autoMinorVersionUpgrade", true)), res(redisGlobalGroup, "redis-global", global),
				res(redisGroup, "redis-secondary", with(secondary, "autoMinorVersionUpgrade", true))),
		},
	}
}

// Both members and both ways of losing the datastore's version are named.
func TestGlobalDatastoreRulesNameEachMember(t *testing.T) {
	t.Parallel()
	for id, want := range map[string][]string{
		"redis-global-engine-version":               {"engineVersion is not set", `engineVersion "6.2" differs from the primary's "7.1"`, "cacheNodeType is not set"},
		"redis-global-member-no-auto-minor-upgrade": {"redis-secondary", "autoMinorVersionUpgrade true"},
	} {
		rule := ruleByID(t, id)
		rep := evaluate([]Rule{rule}, awsGlobalDatastoreFixtures()[id].bad, nil, Options{})
		var msgs []string
		for _, v := range rep.Violations {
			msgs = append(msgs, v.Message)
		}
		all := strings.Join(msgs, "\n")
		if want := map[string]int{"redis-global-engine-version": 3}[id]; len(msgs) != max(want, 2) {
			t.Errorf("%s: %d violations, want %d:\n%s", id, len(msgs), max(want, 2), all)
		}
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: no %q in:\n%s", id, w, all)
			}
		}
	}
}
