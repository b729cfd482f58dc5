package tests

import (
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
	"strings"
	"testing"
)

// Seed §3: every store DBay provisions before its services.
func TestProdHasEverySeedStore(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "prod")
	for _, want := range []struct{ typ, name string }{
		{"aws:rds/instance:Instance", "postgres"},
		{"aws:docdb/cluster:Cluster", "mongo"},
		{"aws:elasticache/replicationGroup:ReplicationGroup", "redis"},
		{"aws:elasticache/cluster:Cluster", "memcached"},
		{"aws:opensearch/domain:Domain", "search"},
		{"aws:s3/bucketV2:BucketV2", "listing-images"},
		{"aws:cloudwatch/eventBus:EventBus", "bus"},
		{"aws:sqs/queue:Queue", "notifications"},
		{"aws:sesv2/emailIdentity:EmailIdentity", "ses"},
	} {
		if r.Engine.Get(want.typ, want.name) == nil {
			t.Errorf("prod has no %s %q", want.typ, want.name)
		}
	}
	if b := r.Engine.Get("aws:s3/bucketV2:BucketV2", "listing-images"); b != nil && b.In()["bucket"] != "dbay-listing-images-prod" {
		t.Errorf("listing images bucket = %v, the seed names dbay-listing-images-prod", b.In()["bucket"])
	}
	if bus := r.Engine.Get("aws:cloudwatch/eventBus:EventBus", "bus"); bus != nil && bus.In()["name"] != "dbay-events" {
		t.Errorf("bus name = %v", bus.In()["name"])
	}
}

// Stateful resources cannot be lost by accident in prod.
func TestProdStatefulResourcesAreProtected(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "prod")
	stateful := map[string]bool{
		"aws:rds/instance:Instance": true, "aws:docdb/cluster:Cluster": true,
		"aws:elasticache/replicationGroup:ReplicationGroup": true, "aws:opensearch/domain:Domain": true,
		"aws:s3/bucketV2:BucketV2": true, "aws:secretsmanager/secret:Secret": true, "aws:sqs/queue:Queue": true,
		"aws:kms/replicaKey:ReplicaKey": true,
	}
	seen := 0
	for _, res := range r.Resources {
		if !stateful[res.Type] && res.Type != "aws:kms/key:Key" {
			continue
		}
		seen++
		if !res.Options.Protect {
			t.Errorf("%s %s is not protected", res.Type, res.Name)
		}
		if fd, ok := res.In()["forceDestroy"]; ok && fd == true {
			t.Errorf("%s %s has forceDestroy", res.Type, res.Name)
		}
	}
	if seen < 15 {
		t.Errorf("only %d stateful resources seen", seen)
	}
}

// A single-reader secret is named by no IAM policy in the whole stack but
// its readers' (policies are named "<grantee>-secrets" by GrantRead).
func TestSingleReaderSecretsHaveOnlyTheirReaders(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"prod", "dr"} {
		r := synthesize(t, root, stack)
		for name, item := range r.Config.Secrets.Items {
			owner := r // the dr stack reads the primary's replicas
			if r.Config.Role == config.RoleRecovery {
				owner = r.Partner
			}
			arn, _ := owner.Engine.Get("aws:secretsmanager/secret:Secret", name).Out()["arn"].(string)
			arn = secrets.ReplicaARN(arn, r.Config.Region)
			if arn == "" {
				t.Fatalf("%s: no ARN for %s", stack, name)
			}
			for _, p := range r.Engine.ByType("aws:iam/rolePolicy:RolePolicy") {
				doc, _ := p.In()["policy"].(string)
				if !strings.Contains(doc, arn) || len(item.Readers) == 0 {
					continue
				}
				grantee := strings.TrimSuffix(p.Name, "-secrets")
				ok := false
				for _, reader := range item.Readers {
					ok = ok || reader == grantee
				}
				if !ok {
					t.Errorf("%s: %s may read single-reader %s (readers %v)", stack, grantee, name, item.Readers)
				}
			}
		}
	}
}

// The Dhanam shape comes from config alone: RDS db.r5.large with 100 GB and
// two read replicas, Redis, the assets bucket — no DocumentDB, no OpenSearch.
func TestDhanamDataShape(t *testing.T) {
	t.Parallel()
	r := synthesize(t, "../examples/dhanam", "prod")
	count := countTypes(r)
	if count["aws:rds/instance:Instance"] != 3 || count["aws:elasticache/replicationGroup:ReplicationGroup"] != 1 ||
		count["aws:docdb/cluster:Cluster"] != 0 || count["aws:opensearch/domain:Domain"] != 0 {
		t.Errorf("dhanam stores = %v", count)
	}
	db := r.Engine.Get("aws:rds/instance:Instance", "postgres").In()
	if db["instanceClass"] != "db.r5.large" || db["allocatedStorage"] != 100.0 || db["multiAz"] != true ||
		db["backupRetentionPeriod"] != 30.0 || db["backupWindow"] != "03:00-04:00" {
		t.Errorf("dhanam postgres = %v", db)
	}
	for _, name := range []string{"postgres-dashboards", "postgres-analytics"} {
		if r.Engine.Get("aws:rds/instance:Instance", name) == nil {
			t.Errorf("no %s replica", name)
		}
	}
	if b := r.Engine.Get("aws:s3/bucketV2:BucketV2", "assets"); b == nil || b.In()["bucket"] != "dhanam-production-assets" {
		t.Errorf("assets bucket = %+v", b)
	}
	if r.Project != "dhanam" || r.Config.Domain != "dhanam.io" {
		t.Errorf("project %s domain %s", r.Project, r.Config.Domain)
	}
}
