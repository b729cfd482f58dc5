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
// github.com/hashicorp/terraform-provider-aws, read for `ForceNew: true`
// (top level; nested ones and CustomizeDiff ForceNewIf go in MayReplace):
//
//   - rds/instance.go, docdb/cluster.go and elasticache/replication_group.go
//     were read field by field (their schema maps and CustomizeDiff);
//   - the other eleven rows were read from the schema file named in Source,
//     at the stored commit given in each row's comment. The store holds one
//     version per file, not the v5 tag pulumi-aws v6 pins: where that
//     version is older (v4-era) or newer (v6-era) than v5 the comment says
//     so; the ForceNew set of those rows is what that version shows.
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
	// docdb/global_cluster.go @01f4311 (v5, SDK v2): databaseName, engine,
	// globalClusterIdentifier, sourceDbClusterIdentifier, storageEncrypted.
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
	// elasticache/global_replication_group.go @02ed711 (v4-era, SDK v1):
	// only the two ids are ForceNew; an engineVersion downgrade is an error
	// in CustomizeDiff (replace by hand), not a planned replacement.
	"aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": {
		Holds:    "the Redis Global Datastore (its secondaries are detached)",
		Replaces: []string{"globalReplicationGroupIdSuffix", "primaryReplicationGroupId"},
		Source:   "internal/service/elasticache/global_replication_group.go",
	},
	// elasticache/cluster.go @0160692 (late v5, SDK v2, valkey engine).
	// Added outpostMode and preferredOutpostArn (ForceNew); CustomizeDiff
	// customizeDiffEngineVersionForceNewOnDowngrade and
	// clusterForceNewOnMemcachedNodeTypeChange force new in some cases.
	"aws:elasticache/cluster:Cluster": {
		Holds: "the cache node's data",
		Replaces: []string{"availabilityZone", "clusterId", "engine", "networkType", "outpostMode", "port",
			"preferredOutpostArn", "replicationGroupId", "snapshotArns", "snapshotName", "subnetGroupName",
			"transitEncryptionEnabled"},
		MayReplace: []string{"engineVersion", "nodeType"}, // downgrade; Memcached node type change
		Source:     "internal/service/elasticache/cluster.go",
	},
	// opensearch/domain.go, a v5 version (SDK v2, ip_address_type; the
	// store did not name its commit; an older v4-era @0089ff3 agrees on the
	// top level). Top-level ForceNew: domainName and vpcOptions (the whole
	// block, so a subnet or security group change replaces) — vpcOptions
	// added. Nested encryptAtRest.kmsKeyId is ForceNew; CustomizeDiff
	// ForceNewIf covers encryptAtRest.enabled and nodeToNodeEncryption.enabled
	// (disabling, or enabling on an old engine), advancedSecurityOptions.enabled
	// (disabling), engineVersion (not a compatible upgrade) and ipAddressType
	// (leaving dualstack).
	"aws:opensearch/domain:Domain": {
		Holds:    "the search indexes",
		Replaces: []string{"domainName", "vpcOptions"},
		MayReplace: []string{"advancedSecurityOptions", "encryptAtRest", "engineVersion", "ipAddressType",
			"nodeToNodeEncryption"},
		Source: "internal/service/opensearch/domain.go",
	},
	// s3/bucket.go, a v5 version (SDK v2; the store did not name its
	// commit; v4-era @4c72bcc agrees): bucket, bucketPrefix,
	// objectLockEnabled. The deprecated objectLockConfiguration block has a
	// nested ForceNew objectLockEnabled.
	"aws:s3/bucketV2:BucketV2": {
		Holds:      "the bucket's objects",
		Replaces:   []string{"bucket", "bucketPrefix", "objectLockEnabled"},
		MayReplace: []string{"objectLockConfiguration"},
		Source:     "internal/service/s3/bucket.go",
	},
	// secretsmanager/secret.go @00c21ce (v5, SDK v2): name, namePrefix.
	// kmsKeyId and replica update in place.
	"aws:secretsmanager/secret:Secret": {
		Holds:    "the secret's value (consumers read it by name or ARN)",
		Replaces: []string{"name", "namePrefix"},
		Source:   "internal/service/secretsmanager/secret.go",
	},
	// kms/key.go @00a3530 (v6-era): customKeyStoreId, customerMasterKeySpec,
	// keyUsage, multiRegion, xksKeyId.
	"aws:kms/key:Key": {
		Holds:    "the key material: data encrypted under the old key needs it",
		Replaces: []string{"customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"},
		Source:   "internal/service/kms/key.go",
	},
	// sqs/queue.go @00a3530 (v6-era, queueSchema map): fifoQueue, name,
	// namePrefix. kmsMasterKeyId and sqsManagedSseEnabled update in place.
	"aws:sqs/queue:Queue": {
		Holds:    "messages in flight",
		Replaces: []string{"fifoQueue", "name", "namePrefix"},
		Source:   "internal/service/sqs/queue.go",
	},
	// backup/vault.go @050ac11 (early v5, SDK v1): kmsKeyArn, name.
	"aws:backup/vault:Vault": {
		Holds:    "the recovery points",
		Replaces: []string{"kmsKeyArn", "name"},
		Source:   "internal/service/backup/vault.go",
	},
	// cognitoidp/user_pool.go @015edb1 (late v5, SDK v2): aliasAttributes,
	// name, usernameAttributes. usernameConfiguration is not ForceNew itself
	// (its caseSensitive is), so it moved to MayReplace. schemas was removed:
	// not ForceNew and no CustomizeDiff; changing an existing attribute
	// fails the update ("cannot modify or remove schema items") instead.
	"aws:cognito/userPool:UserPool": {
		Holds:      "the users and their passwords",
		Replaces:   []string{"aliasAttributes", "name", "usernameAttributes"},
		MayReplace: []string{"usernameConfiguration"},
		Source:     "internal/service/cognitoidp/user_pool.go",
	},
	// ecr/repository.go @0072eea (v4-era, SDK v1): encryptionConfigurations
	// (the block and its encryptionType, kmsKey) and name.
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
