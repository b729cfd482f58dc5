package dr

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dbay/infra/internal/tokens"
)

// The pair the assessment reads, plainly: a primary PostgreSQL, DocumentDB
// global cluster, OpenSearch domain and Memcached cluster; the recovery
// stack's replica (on recClass) and secondary cluster with n instances.
func standbyPair(recClass string, n int) (primary, recovery []Resource) {
	primary = []Resource{
		{Type: tokens.RDSInstance, Name: "postgres", Inputs: map[string]any{"instanceClass": "db.r5.large"}, Outputs: map[string]any{"arn": "arn:pg"}},
		{Type: tokens.DocDBCluster, Name: "mongo", Outputs: map[string]any{"arn": "arn:mongo"}},
		{Type: tokens.DocDBGlobalCluster, Name: "mongo-global", Inputs: map[string]any{"sourceDbClusterIdentifier": "arn:mongo"},
			Outputs: map[string]any{"globalClusterIdentifier": "g"}},
		{Type: tokens.OpenSearchDomain, Name: "search"},
		{Type: tokens.ElastiCacheCluster, Name: "memcached", Inputs: map[string]any{"engine": "memcached"}},
	}
	recovery = []Resource{
		{Type: tokens.RDSInstance, Name: "postgres", Inputs: map[string]any{"replicateSourceDb": "arn:pg", "instanceClass": recClass}},
		{Type: tokens.DocDBCluster, Name: "mongo", Inputs: map[string]any{"globalClusterIdentifier": "g"}, Outputs: map[string]any{"clusterIdentifier": "c"}},
	}
	for i := 0; i < n; i++ {
		recovery = append(recovery, Resource{Type: tokens.DocDBClusterInstance, Name: "mongo-1", Inputs: map[string]any{"clusterIdentifier": "c"}})
	}
	return primary, recovery
}

func TestStandbyMechanisms(t *testing.T) {
	t.Parallel()
	plan := Plan{AtFailover: map[Kind]time.Duration{Search: 114 * time.Minute, Memcached: 20 * time.Minute}}
	for _, tt := range []struct {
		name     string
		class    string
		n        int
		plan     Plan
		want     map[string][]string
		evidence map[string][]string
		missing  []string
	}{
		{"headless, smaller replica, derived stores at failover", "db.r6g.large", 0, plan,
			map[string][]string{"postgres": {"rds-cross-region-replica-scaled"}, "mongo": {"docdb-headless-secondary"},
				"search": {"opensearch-create-at-failover"}, "memcached": {"memcached-create-at-failover"}},
			map[string][]string{"mongo": {"aws:docdb/cluster:Cluster mongo"}, "search": nil}, nil},
		{"active: instances, same class", "db.r5.large", 1, plan,
			map[string][]string{"postgres": {"rds-cross-region-replica"}, "mongo": {"docdb-global-secondary"}},
			map[string][]string{"mongo": {"aws:docdb/cluster:Cluster mongo", "aws:docdb/clusterInstance:ClusterInstance mongo-1"}}, nil},
		// Without a plan the derived stores have no mechanism at all.
		{"no plan", "db.r5.large", 1, Plan{}, nil, nil, []string{"opensearch search", "memcached memcached"}},
	} {
		primary, recovery := standbyPair(tt.class, tt.n)
		rep := AssessWith(Default, "us-west-2", primary, recovery, nil, tt.plan, nil)
		rows := map[string]Row{}
		for _, r := range rep.Rows {
			rows[r.Resource] = r
		}
		for name, ids := range tt.want {
			if got := rows[name].Mechanisms; !reflect.DeepEqual(got, ids) || rows[name].Status != StatusMeets {
				t.Errorf("%s: %s = %v (%s), want %v", tt.name, name, got, rows[name].Status, ids)
			}
		}
		for name, ev := range tt.evidence {
			if got := rows[name].Evidence; !reflect.DeepEqual(got, ev) {
				t.Errorf("%s: %s evidence %v, want %v", tt.name, name, got, ev)
			}
		}
		if s := rows["search"]; len(tt.plan.AtFailover) > 0 && s.RTO != "1h54m" {
			t.Errorf("%s: search RTO %s, want the plan's 1h54m", tt.name, s.RTO)
		}
		for _, m := range tt.missing {
			if !strings.Contains(strings.Join(rep.Violations, "\n"), m+" (") {
				t.Errorf("%s: no violation for %s: %v", tt.name, m, rep.Violations)
			}
		}
	}
	// The derived search is rebuilt from the PostgreSQL replica: without it, nothing.
	primary, _ := standbyPair("db.r5.large", 0)
	if rep := AssessWith(Default, "us-west-2", primary, nil, nil, plan, nil); rep.OK() {
		t.Error("a plan without the source of truth in the recovery stack passed")
	}
}

func TestBudget(t *testing.T) {
	t.Parallel()
	var r Report
	r.CheckBudget(600, 2774.76, 25)
	if !r.OK() || !r.Cost.Within || r.Cost.Share != 0.216 {
		t.Errorf("within: %+v %v", r.Cost, r.Violations)
	}
	r = Report{}
	r.CheckBudget(726.26, 1570.78, 25)
	if r.OK() || r.Cost.Within || !strings.Contains(r.Violations[0], "46.2 % of the primary's $1570.78; dr.costBudget is 25 %") {
		t.Errorf("over: %+v %v", r.Cost, r.Violations)
	}
	if got := (Rebuild{DataGiB: 20}).SearchRebuildTime(); got != 114*time.Minute {
		t.Errorf("rebuild of 20 GiB = %s, want 45m + 69m", got)
	}
}
