package datalayer

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DR configures cross-Region recovery (dr package: the policy and the
// evidence it checks). A primary stack with a drRegion sets Region and
// Provider; a recovery stack sets Source from what the primary exported.
type DR struct {
	// Primary side (a primary stack with a drRegion): the recovery region
	// and a provider in it. Replica buckets and their key are created there.
	Region   string
	Provider *aws.Provider
	// Recovery side (a recovery stack): what the primary exported. Nil on
	// the primary side.
	Source *Source
}

// Source is what a recovery stack reads from its primary (DROutputs of the
// primary's data layer, through a StackReference).
type Source struct {
	// PostgresArn is the primary RDS instance's ARN: a cross-Region read
	// replica and automated-backup replication both need the ARN.
	PostgresArn pulumi.StringInput
	// PostgresUsername, PostgresPassword (a secret) and PostgresDatabase
	// are the primary's master credentials and database, which its replica
	// inherits: this stack's connection secret is built from them.
	PostgresUsername, PostgresPassword, PostgresDatabase pulumi.StringInput
	// MongoGlobalClusterID is the DocumentDB global cluster identifier.
	MongoGlobalClusterID pulumi.StringInput
	// MongoUsername and MongoPassword (a secret) are the global cluster's
	// master credentials, which the secondary inherits.
	MongoUsername, MongoPassword pulumi.StringInput
	// RedisGlobalGroupID is the ElastiCache global replication group id,
	// AWS-prefixed ("ldgnf-dbay-redis"), as the GlobalReplicationGroup outputs it.
	RedisGlobalGroupID pulumi.StringInput
	// RedisAuthToken is the primary's Redis AUTH token (a secret): a
	// Global Datastore secondary inherits it.
	RedisAuthToken pulumi.StringInput
	// ReplicaBuckets maps a bucket's logical name to its replica's name in
	// this (recovery) region.
	ReplicaBuckets pulumi.StringMapInput
	// ReplicaBucketKeyArn is the KMS key (in this region) the replica
	// buckets are encrypted with.
	ReplicaBucketKeyArn pulumi.StringInput
}

// DROutputs is what each side of a DR pair exposes, registered as the
// DataLayer's dr* outputs when set (its field DR is outputs:"inline").
// Fields the side does not set (and every field without Args.DR, or
// without the store) are zero outputs (check with == pulumi.StringOutput{}).
type DROutputs struct {
	// Both sides: this side's own PostgreSQL instance ARN (the primary's
	// is the replication source; the recovery replica's is the failback
	// source) and DB subnet group name, DocumentDB cluster ARN (global
	// cluster member) and Redis replication group id (global datastore
	// member).
	PostgresArn         pulumi.StringOutput `pulumi:"drPostgresArn" outputs:"optional"`
	PostgresSubnetGroup pulumi.StringOutput `pulumi:"drPostgresSubnetGroup" outputs:"optional"`
	MongoClusterArn     pulumi.StringOutput `pulumi:"drMongoClusterArn" outputs:"optional"`
	RedisGroupID        pulumi.StringOutput `pulumi:"drRedisGroupId" outputs:"optional"`

	// Primary side (Args.DR set, Source nil): what the recovery stack needs.
	// MongoGlobalClusterID is the DocumentDB global cluster identifier.
	MongoGlobalClusterID pulumi.StringOutput `pulumi:"drMongoGlobalClusterId" outputs:"optional"`
	// RedisGlobalGroupID is the global replication group id (AWS-prefixed).
	RedisGlobalGroupID pulumi.StringOutput `pulumi:"drRedisGlobalGroupId" outputs:"optional"`
	// RedisAuthToken is the Redis AUTH token, a Pulumi secret.
	RedisAuthToken pulumi.StringOutput `pulumi:"drRedisAuthToken" outputs:"optional"`
	// ReplicaBuckets maps each data bucket's logical name to its replica's
	// name in the DR region.
	ReplicaBuckets pulumi.StringMapOutput `pulumi:"drReplicaBuckets" outputs:"optional"`
	// ReplicaBucketKeyArn is the DR-region key of the replica buckets.
	ReplicaBucketKeyArn pulumi.StringOutput `pulumi:"drReplicaBucketKeyArn" outputs:"optional"`
	// PostgresUsername, PostgresDatabase and PostgresPassword (a Pulumi
	// secret), MongoUsername and MongoPassword (a secret): the master
	// credentials the replicas inherit (Source).
	PostgresUsername pulumi.StringOutput `pulumi:"drPostgresUsername" outputs:"optional"`
	PostgresDatabase pulumi.StringOutput `pulumi:"drPostgresDatabase" outputs:"optional"`
	PostgresPassword pulumi.StringOutput `pulumi:"drPostgresPassword" outputs:"optional"`
	MongoUsername    pulumi.StringOutput `pulumi:"drMongoUsername" outputs:"optional"`
	MongoPassword    pulumi.StringOutput `pulumi:"drMongoPassword" outputs:"optional"`

	// Recovery side (Args.DR.Source set): what the runbook acts on.
	// RedisGroupID (above) is then the Global Datastore secondary's id.
	// PostgresIdentifier is the cross-Region replica's identifier (promote it).
	PostgresIdentifier pulumi.StringOutput `pulumi:"drPostgresIdentifier" outputs:"optional"`
	// MongoClusterID is the DocumentDB secondary cluster's identifier.
	MongoClusterID pulumi.StringOutput `pulumi:"drMongoClusterId" outputs:"optional"`
}

// validateDR checks Args.DR against the spec before anything is
// registered, reporting every problem at once.
func (a *Args) validateDR() error {
	r := a.DR
	if r == nil {
		return nil
	}
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf("datalayer: "+format, args...)) }
	spec := a.Spec
	if src := r.Source; src == nil {
		if r.Region == "" || r.Provider == nil {
			add("Args.DR.Region and Args.DR.Provider are required on the primary side (Source nil)")
		}
		if r.Region == a.Region {
			add("Args.DR.Region %q must differ from the stack's region", r.Region)
		}
		for _, name := range sortedKeys(spec.Buckets) {
			if n := spec.Buckets[name].Name; n != "" && len(replicaBucketName(n, r.Region)) > 63 {
				add("data.buckets.%s.name: the replica %q would be %d characters; S3 allows 63", name, replicaBucketName(n, r.Region), len(replicaBucketName(n, r.Region)))
			}
		}
	} else {
		if p := spec.Postgres; p != nil {
			if len(p.ReadReplicas) > 0 {
				add("data.postgres.readReplicas: %v not supported in a recovery stack: its postgres is itself the cross-Region read replica; add read replicas after promotion", p.ReadReplicas)
			}
			if src.PostgresArn == nil || src.PostgresUsername == nil || src.PostgresPassword == nil || src.PostgresDatabase == nil {
				add("Args.DR.Source.PostgresArn, PostgresUsername, PostgresPassword and PostgresDatabase are required when data.postgres is set")
			}
		}
		if spec.DocumentDB != nil && (src.MongoGlobalClusterID == nil || src.MongoUsername == nil || src.MongoPassword == nil) {
			add("Args.DR.Source.MongoGlobalClusterID, MongoUsername and MongoPassword are required when data.documentdb is set")
		}
		if spec.Redis != nil && (src.RedisGlobalGroupID == nil || src.RedisAuthToken == nil) {
			add("Args.DR.Source.RedisGlobalGroupID and RedisAuthToken are required when data.redis is set")
		}
		if len(spec.Buckets) > 0 && (src.ReplicaBuckets == nil || src.ReplicaBucketKeyArn == nil) {
			add("Args.DR.Source.ReplicaBuckets and ReplicaBucketKeyArn are required when data.buckets is set")
		}
	}
	// Both sides: what a global datastore / global cluster supports.
	if rd := spec.Redis; rd != nil {
		if !globalDatastoreNodeType(rd.NodeType) {
			add("data.redis.nodeType: %q cannot join an ElastiCache Global Datastore (M5/R5 or newer m/r families only, e.g. cache.r6g.large)", rd.NodeType)
		}
		if !versionAtLeast(rd.EngineVersion, 5, 0, 6) {
			add("data.redis.engineVersion: %q cannot join a Global Datastore (Redis 5.0.6 or later)", rd.EngineVersion)
		}
	}
	if m := spec.DocumentDB; m != nil {
		if fam := instanceFamily(m.InstanceClass); strings.HasPrefix(fam, "t") || fam == "r4" {
			add("data.documentdb.instanceClass: %q cannot be in a DocumentDB global cluster (t3, t4g and r4 are not supported)", m.InstanceClass)
		}
		if strings.HasPrefix(m.EngineVersion, "3.6") {
			add("data.documentdb.engineVersion: %q: global clusters need DocumentDB 4.0 or later", m.EngineVersion)
		}
	}
	return errors.Join(errs...)
}

// replicaBucketName is a named bucket's replica: "<name>-<drRegion>".
func replicaBucketName(source, region string) string { return source + "-" + region }

// instanceFamily is the family of "cache.r6g.large" / "db.r6g.large": "r6g".
func instanceFamily(class string) string {
	parts := strings.Split(class, ".")
	if len(parts) != 3 {
		return ""
	}
	return parts[1]
}

// globalDatastoreNodeType: "Global datastores are not supported on
// instances older than m5 or r5" (ElastiCache User Guide,
// Redis-Global-Datastores-Getting-Started, "Prerequisites and limitations";
// the older edition lists R5, R6g, R6gd, M5 and M6g). So: an m or r family
// of generation 5 or later; never t (burstable).
func globalDatastoreNodeType(class string) bool {
	fam := instanceFamily(class)
	if len(fam) < 2 || (fam[0] != 'm' && fam[0] != 'r') {
		return false
	}
	gen, err := strconv.Atoi(fam[1:2])
	return err == nil && gen >= 5
}

// versionAtLeast compares a dotted engine version ("7.1", "6.x") with
// major.minor.patch; missing or non-numeric parts count as 0.
func versionAtLeast(v string, want ...int) bool {
	parts := strings.Split(v, ".")
	for i, w := range want {
		got := 0
		if i < len(parts) {
			got, _ = strconv.Atoi(parts[i])
		}
		if got != w {
			return got > w
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
