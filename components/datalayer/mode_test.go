package datalayer_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/dbay/infra/dr"
)

// Each DR mode (mode.go) builds what differs by mode and nothing else: the
// global primary is the standalone layer plus its global clusters and
// exports; the secondary generates no credentials and joins the primary's.
func TestModes(t *testing.T) {
	t.Parallel()
	standalone := runPrimary(t, false)
	if standalone.err != nil {
		t.Fatal(standalone.err)
	}
	primary := runPrimary(t, true)
	secondary := runRecovery(t, drData, sourceOf(t, primary))
	if secondary.err != nil {
		t.Fatal(secondary.err)
	}
	// The resources only some modes create, by logical name.
	byMode := map[string]string{
		"postgres-master-password": "random:index/randomPassword:RandomPassword",
		"mongo-master-password":    "random:index/randomPassword:RandomPassword",
		"redis-auth-token":         "random:index/randomPassword:RandomPassword",
		"mongo-global":             "aws:docdb/globalCluster:GlobalCluster",
		"redis-global":             "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup",
		"postgres-backups":         "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
	}
	type got struct {
		created, outputs               string
		mongoIgnores, redisIgnores     string
		searchProtected                bool
		searchDataClass                any
		postgresReplicates, redisJoins bool
	}
	observe := func(r drRun) got {
		var created, outputs []string
		for name, typ := range byMode {
			if r.eng.Get(typ, name) != nil {
				created = append(created, name)
			}
		}
		for k := range r.out {
			outputs = append(outputs, k)
		}
		sort.Strings(created)
		sort.Strings(outputs)
		search := r.one(t, "aws:opensearch/domain:Domain", "search")
		tags, _ := search.In()["tags"].(map[string]any)
		return got{
			created: strings.Join(created, " "), outputs: strings.Join(outputs, " "),
			mongoIgnores:       strings.Join(r.one(t, "aws:docdb/cluster:Cluster", "mongo").Options.IgnoreChanges, " "),
			redisIgnores:       strings.Join(r.one(t, "aws:elasticache/replicationGroup:ReplicationGroup", "redis").Options.IgnoreChanges, " "),
			searchProtected:    search.Options.Protect,
			searchDataClass:    tags[dr.TagDataClass],
			postgresReplicates: r.one(t, "aws:rds/instance:Instance", "postgres").In()["replicateSourceDb"] != nil,
			redisJoins:         r.one(t, "aws:elasticache/replicationGroup:ReplicationGroup", "redis").In()["globalReplicationGroupId"] != nil,
		}
	}
	tests := []struct {
		mode string
		run  drRun
		want got
	}{
		{"standalone", standalone, got{
			created:         "mongo-master-password postgres-master-password redis-auth-token",
			searchProtected: true,
		}},
		{"global primary", primary, got{
			created: "mongo-global mongo-master-password postgres-master-password redis-auth-token redis-global",
			outputs: "MongoClusterArn MongoGlobalClusterID MongoPassword MongoUsername PostgresArn PostgresDatabase PostgresPassword " +
				"PostgresSubnetGroup PostgresUsername RedisAuthToken RedisGlobalGroupID RedisGroupID ReplicaBucketKeyArn ReplicaBuckets",
			mongoIgnores: "globalClusterIdentifier", redisIgnores: "engineVersion nodeType",
			searchProtected: true,
		}},
		{"secondary", secondary, got{
			created:            "postgres-backups",
			outputs:            "MongoClusterArn MongoClusterID PostgresArn PostgresIdentifier PostgresSubnetGroup RedisGroupID",
			searchDataClass:    string(dr.Derived),
			postgresReplicates: true, redisJoins: true,
		}},
	}
	for _, tt := range tests {
		if g := observe(tt.run); !reflect.DeepEqual(g, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.mode, g, tt.want)
		}
	}
}
