package tests

import (
	"testing"

	"github.com/dbay/infra/internal/tokens"
)

// Dhanam's Redis holds job queues ("ElastiCache Redis: Session storage and
// job queues"): its parameter group sets maxmemory-policy noeviction, and
// its description says what it holds; DBay's keeps the default group and
// its own description (issue 16 item 4).
func TestRedisParametersAndPurpose(t *testing.T) {
	t.Parallel()
	prod := synthesize(t, dhanamDir, "prod").Engine
	group := prod.Get(tokens.ElastiCacheReplicationGroup, "redis")
	pg := prod.Get(tokens.ElastiCacheParameterGroup, "redis")
	if pg == nil {
		t.Fatal("Dhanam prod has no Redis parameter group: the default (volatile-lru) evicts queue keys")
	}
	in := pg.In()
	params, _ := in["parameters"].([]any)
	policy := ""
	for _, p := range params {
		m := p.(map[string]any)
		if m["name"] == "maxmemory-policy" {
			policy, _ = m["value"].(string)
		}
	}
	if in["family"] != "redis7" || policy != "noeviction" {
		t.Errorf("Dhanam's parameter group family %v, maxmemory-policy %q: want redis7 and noeviction", in["family"], policy)
	}
	if group.In()["parameterGroupName"] != pg.Out()["name"] {
		t.Errorf("replication group uses parameter group %v, want %v", group.In()["parameterGroupName"], pg.Out()["name"])
	}
	if d := group.In()["description"]; d != "dhanam Redis: sessions and job queues" {
		t.Errorf("Dhanam's Redis description = %q (DBay's was copied)", d)
	}
	// The secondary takes the Global Datastore's group: it cannot set one.
	dr := synthesize(t, dhanamDir, "dr").Engine
	if g := dr.Get(tokens.ElastiCacheReplicationGroup, "redis"); g.In()["parameterGroupName"] != nil ||
		dr.Get(tokens.ElastiCacheParameterGroup, "redis") != nil {
		t.Errorf("Dhanam dr sets a Redis parameter group next to globalReplicationGroupId: the provider refuses it")
	}
	dbay := synthesize(t, root, "prod").Engine
	if dbay.Get(tokens.ElastiCacheParameterGroup, "redis") != nil {
		t.Error("DBay prod got a Redis parameter group it does not configure")
	}
	if d := dbay.Get(tokens.ElastiCacheReplicationGroup, "redis").In()["description"]; d != "dbay Redis: auction state, locks, sessions" {
		t.Errorf("DBay's Redis description = %q", d)
	}
}
