package tests

import (
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
	"strings"
	"testing"
)

// Seed §3: every store DBay provisions before its services.
func TestProdHasEverySeedStore(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "prod")
	for _, want := range []struct{ typ, name string }{
		{tokens.RDSInstance, "postgres"},
		{tokens.DocDBCluster, "mongo"},
		{tokens.ElastiCacheReplicationGroup, "redis"},
		{tokens.ElastiCacheCluster, "memcached"},
		{tokens.OpenSearchDomain, "search"},
		{tokens.S3BucketV2, "listing-images"},
		{tokens.CloudWatchEventBus, "bus"},
		{tokens.SQSQueue, "notifications"},
		{tokens.SESv2EmailIdentity, "ses"},
	} {
		if r.Engine.Get(want.typ, want.name) == nil {
			t.Errorf("prod has no %s %q", want.typ, want.name)
		}
	}
	// The seed's names.
	r.Engine.HasResource(t, tokens.S3BucketV2, mockengine.Props{"bucket": "dbay-listing-images-prod"})
	r.Engine.HasResource(t, tokens.CloudWatchEventBus, mockengine.Props{"name": "dbay-events"})
}

// Stateful resources cannot be lost by accident in prod.
func TestProdStatefulResourcesAreProtected(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "prod")
	stateful := map[string]bool{
		tokens.RDSInstance: true, tokens.DocDBCluster: true,
		tokens.ElastiCacheReplicationGroup: true, tokens.OpenSearchDomain: true,
		tokens.S3BucketV2: true, tokens.SecretsManagerSecret: true, tokens.SQSQueue: true,
		tokens.KMSReplicaKey: true,
	}
	seen := 0
	for _, res := range r.Resources {
		if !stateful[res.Type] && res.Type != tokens.KMSKey {
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
			arn, _ := owner.Engine.Get(tokens.SecretsManagerSecret, name).Out()["arn"].(string)
			arn = secrets.ReplicaARN(arn, r.Config.Region)
			if arn == "" {
				t.Fatalf("%s: no ARN for %s", stack, name)
			}
			for _, p := range r.Engine.ByType(tokens.IAMRolePolicy) {
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
	if count[tokens.RDSInstance] != 3 || count[tokens.ElastiCacheReplicationGroup] != 1 ||
		count[tokens.DocDBCluster] != 0 || count[tokens.OpenSearchDomain] != 0 {
		t.Errorf("dhanam stores = %v", count)
	}
	r.Engine.HasResource(t, tokens.RDSInstance, mockengine.Props{
		"instanceClass": "db.r5.large", "allocatedStorage": 100, "multiAz": true,
		"backupRetentionPeriod": 30, "backupWindow": "03:00-04:00",
		"replicateSourceDb": mockengine.Absent, // the primary, not a replica
	})
	for _, name := range []string{"postgres-dashboards", "postgres-analytics"} {
		if r.Engine.Get(tokens.RDSInstance, name) == nil {
			t.Errorf("no %s replica", name)
		}
	}
	if b := r.Engine.Get(tokens.S3BucketV2, "assets"); b == nil || b.In()["bucket"] != "dhanam-production-assets" {
		t.Errorf("assets bucket = %+v", b)
	}
	if r.Project != "dhanam" || r.Config.Domain != "dhanam.io" {
		t.Errorf("project %s domain %s", r.Project, r.Config.Domain)
	}
}
