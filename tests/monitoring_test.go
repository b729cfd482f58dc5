package tests

import (
	"github.com/dbay/infra/dr"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// alarmsOn lists the alarm names whose dimensions name value.
func alarmsOn(r interface {
	ByType(string) []*mockengine.Resource
}, dimension, value string) []string {
	// By dimension name and value: Dhanam's database and ECS cluster are
	// both dhanam-production.
	var out []string
	for _, a := range r.ByType(tokens.CloudWatchMetricAlarm) {
		dims, _ := a.In()["dimensions"].(map[string]any)
		if dims[dimension] == value {
			out = append(out, a.Name)
		}
	}
	return out
}

// Every database, cache node, search domain and dead-letter queue of the
// stack has alarms, without the stack naming them; every alarm pages.
func TestEveryStoreHasAlarms(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{root, "../examples/dhanam"} {
		r := synthesize(t, dir, "prod")
		eng := r.Engine
		for _, db := range eng.ByType(tokens.RDSInstance) {
			got := alarmsOn(eng, "DBInstanceIdentifier", db.Out()["identifier"].(string))
			want := 4
			if db.In()["replicateSourceDb"] != nil {
				want = 5 // + replica lag
			}
			if len(got) != want {
				t.Errorf("%s: rds %s has alarms %v, want %d", dir, db.Name, got, want)
			}
		}
		for _, c := range eng.ByType(tokens.DocDBCluster) {
			if n := len(alarmsOn(eng, "DBClusterIdentifier", c.Out()["clusterIdentifier"].(string))); n != 3 {
				t.Errorf("%s: docdb %s has %d alarms", dir, c.Name, n)
			}
		}
		for _, g := range eng.ByType(tokens.ElastiCacheReplicationGroup) {
			for i, m := range g.Out()["memberClusters"].([]any) {
				want := 3
				if i > 0 {
					want = 4
				}
				if n := len(alarmsOn(eng, "CacheClusterId", m.(string))); n != want {
					t.Errorf("%s: redis node %s has %d alarms, want %d", dir, m, n, want)
				}
			}
		}
		for _, d := range eng.ByType(tokens.OpenSearchDomain) {
			if n := len(alarmsOn(eng, "DomainName", d.Out()["domainName"].(string))); n != 4 {
				t.Errorf("%s: opensearch has %d alarms", dir, n)
			}
		}
		for _, q := range eng.ByType(tokens.SQSQueue) {
			if n := len(alarmsOn(eng, "QueueName", q.Out()["name"].(string))); n != 1 {
				t.Errorf("%s: queue %s has %d alarms, want 1 (age, or messages on a DLQ)", dir, q.Name, n)
			}
		}
		for _, a := range eng.ByType(tokens.CloudWatchMetricAlarm) {
			in := a.In()
			if len(mockengine.Strings(in["alarmActions"])) == 0 || len(mockengine.Strings(in["okActions"])) == 0 {
				t.Errorf("%s: alarm %s has no actions", dir, a.Name)
			}
		}
	}
}

// AWS Backup covers every RDS instance that holds data, every DocumentDB
// cluster and every data bucket, and copies to the DR region.
func TestBackupCoversEveryDatabaseAndBucket(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{root, "../examples/dhanam"} {
		r := synthesize(t, dir, "prod")
		eng := r.Engine
		sel := eng.Get(tokens.BackupSelection, "tagged")
		if sel == nil {
			t.Fatalf("%s: no backup selection", dir)
		}
		tag := sel.In()["conditions"].([]any)[0].(map[string]any)["stringEquals"].([]any)[0].(map[string]any)["value"]
		covered := func(typ, name string, res *mockengine.Resource) {
			tags, _ := res.In()["tags"].(map[string]any)
			if tags["backup"] != tag {
				t.Errorf("%s: %s %s is not selected (tags %v, selection %v)", dir, typ, name, tags, tag)
			}
		}
		for _, db := range eng.ByType(tokens.RDSInstance) {
			if db.In()["replicateSourceDb"] == nil {
				covered("rds", db.Name, db)
			}
		}
		for _, c := range eng.ByType(tokens.DocDBCluster) {
			covered("docdb", c.Name, c)
		}
		for _, b := range eng.ByType(tokens.S3BucketV2) {
			// Replicas (tagged replica-of, in us-west-2) are themselves the
			// copy of a backed-up bucket; the access-log buckets (tagged
			// data-class: logs, one per region) hold logs.
			tags, _ := b.In()["tags"].(map[string]any)
			if b.Parent == eng.Get(tokens.ComponentDataLayer, "data").URN && tags[dr.TagDataClass] != dr.DataClassLog && tags[dr.TagReplicaOf] == nil {
				covered("bucket", b.Name, b)
			}
		}
		rule := eng.Get(tokens.BackupPlan, "plan").In()["rules"].([]any)[0].(map[string]any)
		dest := rule["copyActions"].([]any)[0].(map[string]any)["destinationVaultArn"].(string)
		if !strings.Contains(dest, ":us-west-2:") || rule["lifecycle"].(map[string]any)["deleteAfter"] != 30.0 {
			t.Errorf("%s: backup rule = %v", dir, rule)
		}
	}
}
