package synth

import "sort"

// statefulType is a resource type that holds data, and the input
// properties (Pulumi's camelCase names) whose change makes the provider
// replace it — delete and recreate, losing what it holds unless restored.
type statefulType struct {
	// Holds is what a replacement loses, for the summary's table.
	Holds string
	// Replaces are the inputs marked `ForceNew: true` in the resource's
	// terraform-provider-aws schema, which pulumi-aws v6 bridges
	// unchanged (a bridged property with ForceNew is "replaceOnChanges").
	Replaces []string
	// MayReplace are inputs replaced only in some cases: nested blocks
	// with ForceNew fields, or a CustomizeDiff that forces a new resource
	// (e.g. a Redis engine downgrade).
	MayReplace []string
	// Source is the provider file holding the schema.
	Source string
}

// replaceOnChange is the table of stateful types the programs use (DBay
// and Dhanam; `synth --format json` of the four stacks lists them) and
// their replace-on-change inputs. The sources are files of
// github.com/hashicorp/terraform-provider-aws, read for `ForceNew: true`:
//
//   - rds/instance.go, docdb/cluster.go and elasticache/replication_group.go
//     were read field by field (their schema maps and CustomizeDiff);
//   - the others are the "Forces new resource" fields as their provider
//     documentation states them, NOT yet checked against the schema file
//     named in Source: read it for `ForceNew: true` before relying on a
//     row (and on a type's "updates in place").
//
// Properties not listed update in place (instanceClass, engineVersion,
// backupRetentionPeriod, deletionProtection, tags, …). A type not in
// the table is not flagged stateful.
var replaceOnChange = map[string]statefulType{
	"aws:rds/instance:Instance": {
		Holds: "the PostgreSQL database",
		Replaces: []string{"availabilityZone", "characterSetName", "customIamInstanceProfile", "dbName", "engine",
			"identifier", "identifierPrefix", "kmsKeyId", "name", "ncharCharacterSetName", "restoreToPointInTime",
			"s3Import", "snapshotIdentifier", "storageEncrypted", "timezone", "username"},
		Source: "internal/service/rds/instance.go",
	},
	"aws:docdb/cluster:Cluster": {
		Holds: "the DocumentDB data",
		Replaces: []string{"availabilityZones", "clusterIdentifier", "clusterIdentifierPrefix", "dbSubnetGroupName",
			"engine", "kmsKeyId", "masterUsername", "port", "restoreToPointInTime", "snapshotIdentifier", "storageEncrypted"},
		MayReplace: []string{"serverlessV2ScalingConfiguration"}, // CustomizeDiff: removing it
		Source:     "internal/service/docdb/cluster.go",
	},
	"aws:docdb/globalCluster:GlobalCluster": {
		Holds:    "the DocumentDB global cluster (its members are detached)",
		Replaces: []string{"databaseName", "engine", "globalClusterIdentifier", "sourceDbClusterIdentifier", "storageEncrypted"},
		Source:   "internal/service/docdb/global_cluster.go",
	},
	"aws:elasticache/replicationGroup:ReplicationGroup": {
		Holds: "the Redis data",
		Replaces: []string{"atRestEncryptionEnabled", "dataTieringEnabled", "globalReplicationGroupId", "kmsKeyId",
			"networkType", "port", "replicationGroupId", "securityGroupNames", "snapshotArns", "snapshotName", "subnetGroupName"},
		// CustomizeDiff: an engine or engineVersion downgrade, transit
		// encryption below Redis 7.0.5, a changed nodeGroupConfiguration.
		MayReplace: []string{"engine", "engineVersion", "nodeGroupConfiguration", "transitEncryptionEnabled"},
		Source:     "internal/service/elasticache/replication_group.go",
	},
	"aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": {
		Holds:    "the Redis Global Datastore (its secondaries are detached)",
		Replaces: []string{"globalReplicationGroupIdSuffix", "primaryReplicationGroupId"},
		Source:   "internal/service/elasticache/global_replication_group.go",
	},
	"aws:elasticache/cluster:Cluster": {
		Holds: "the cache node's data",
		Replaces: []string{"availabilityZone", "clusterId", "engine", "networkType", "port", "replicationGroupId",
			"snapshotArns", "snapshotName", "subnetGroupName", "transitEncryptionEnabled"},
		Source: "internal/service/elasticache/cluster.go",
	},
	"aws:opensearch/domain:Domain": {
		Holds:      "the search indexes",
		Replaces:   []string{"domainName"},
		MayReplace: []string{"encryptAtRest", "nodeToNodeEncryption"}, // nested ForceNew fields
		Source:     "internal/service/opensearch/domain.go",
	},
	"aws:s3/bucketV2:BucketV2": {
		Holds:    "the bucket's objects",
		Replaces: []string{"bucket", "bucketPrefix", "objectLockEnabled"},
		Source:   "internal/service/s3/bucket.go",
	},
	"aws:secretsmanager/secret:Secret": {
		Holds:    "the secret's value (consumers read it by name or ARN)",
		Replaces: []string{"name", "namePrefix"},
		Source:   "internal/service/secretsmanager/secret.go",
	},
	"aws:kms/key:Key": {
		Holds:    "the key material: data encrypted under the old key needs it",
		Replaces: []string{"customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"},
		Source:   "internal/service/kms/key.go",
	},
	"aws:sqs/queue:Queue": {
		Holds:    "messages in flight",
		Replaces: []string{"fifoQueue", "name", "namePrefix"},
		Source:   "internal/service/sqs/queue.go",
	},
	"aws:backup/vault:Vault": {
		Holds:    "the recovery points",
		Replaces: []string{"kmsKeyArn", "name"},
		Source:   "internal/service/backup/vault.go",
	},
	"aws:cognito/userPool:UserPool": {
		Holds:      "the users and their passwords",
		Replaces:   []string{"aliasAttributes", "name", "usernameAttributes", "usernameConfiguration"},
		MayReplace: []string{"schemas"}, // changing an existing attribute
		Source:     "internal/service/cognitoidp/user_pool.go",
	},
	"aws:ecr/repository:Repository": {
		Holds:    "the images",
		Replaces: []string{"encryptionConfigurations", "name"},
		Source:   "internal/service/ecr/repository.go",
	},
}

// replaceVerdict is what a change to a stateful resource does: "replaces"
// when a changed key is a ForceNew input, "may replace" when it is one
// only in some cases, "updates in place" otherwise, with the keys that
// decided it.
func replaceVerdict(typ string, changed []string) (verdict string, keys []string) {
	st, ok := replaceOnChange[typ]
	if !ok {
		return "", nil
	}
	in := func(list []string) []string {
		var out []string
		for _, k := range changed {
			for _, r := range list {
				if k == r {
					out = append(out, k)
				}
			}
		}
		sort.Strings(out)
		return out
	}
	if ks := in(st.Replaces); len(ks) > 0 {
		return "replaces", ks
	}
	if ks := in(st.MayReplace); len(ks) > 0 {
		return "may replace", ks
	}
	return "updates in place", nil
}

// isStateful reports whether the type is in the replace-on-change table.
func isStateful(typ string) bool {
	_, ok := replaceOnChange[typ]
	return ok
}
