package policy

import (
	"fmt"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const (
	rdsInstance        = tokens.RDSInstance
	rdsCluster         = tokens.RDSCluster
	rdsClusterInstance = tokens.RDSClusterInstance
	docdbCluster       = tokens.DocDBCluster
	redisGroup         = tokens.ElastiCacheReplicationGroup
	redisUser          = tokens.ElastiCacheUser
	redisUserGroup     = tokens.ElastiCacheUserGroup
	searchDomain       = tokens.OpenSearchDomain
	dynamoTable        = tokens.DynamoDBTable
	efsFileSystem      = tokens.EFSFileSystem
)

// minBackupDays is the shortest automated backup retention a production
// database may keep (FSBP RDS.11 and DocumentDB.2 ask for 7).
const minBackupDays = 7

// isReplica reports whether an RDS instance is a read replica: it holds no
// data of its own, so Multi-AZ, backups and final snapshots are its
// source's business.
func isReplica(in map[string]any) bool { return isSet(in["replicateSourceDb"]) }

// dataRules: databases, caches and search are encrypted, private, backed up.
// Long: a table: one entry per rule, each read on its own.
func dataRules() []Rule {
	out := append([]Rule{
		{
			ID: "rds-encrypted-cmk", Severity: High, Types: []string{rdsInstance, rdsCluster},
			Title: "RDS storage is encrypted with a customer managed KMS key (FSBP RDS.3, checkov CKV_AWS_16/CKV_AWS_79)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				var out []string
				if !isReplica(in) && !truthy(in["storageEncrypted"]) {
					out = append(out, problem(r, "storageEncrypted is not true", "set storageEncrypted: true (storage encryption cannot be added later without a snapshot restore)"))
				}
				if !isCMK(in["kmsKeyId"]) {
					out = append(out, problem(r, "no customer managed kmsKeyId", "set kmsKeyId to the data layer's CMK (the AWS managed aws/rds key cannot be shared with the DR region or restricted)"))
				}
				return out
			},
		},
		{
			ID: "rds-not-public", Severity: High, Types: []string{rdsInstance, rdsClusterInstance},
			Title: "RDS instances are not publicly accessible (FSBP RDS.2)",
			Check: func(r *mockengine.Resource, x Index) []string {
				if truthy(x.In(r)["publiclyAccessible"]) {
					return []string{problem(r, "publiclyAccessible is true", "set publiclyAccessible: false; databases live in the isolated subnets and are reached through AllowFrom")}
				}
				return nil
			},
		},
		{
			ID: "rds-multi-az", Severity: Medium, Types: []string{rdsInstance},
			Title: "RDS primaries are Multi-AZ (FSBP RDS.5); read replicas are exempt",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if !isReplica(in) && !truthy(in["multiAz"]) {
					return []string{problem(r, "multiAz is not true", "set multiAz: true (the DataLayer reads data.postgres.multiAz, default true)")}
				}
				return nil
			},
		},
		{
			ID: "rds-deletion-protection", Severity: High, Types: []string{rdsInstance, rdsCluster},
			Title: "RDS databases have deletion protection (FSBP RDS.8/RDS.7)",
			Check: func(r *mockengine.Resource, x Index) []string {
				if x.Protected() && !truthy(x.In(r)["deletionProtection"]) && !derivedData(x.In(r)) {
					return []string{problem(r, "deletionProtection is not true", "set deletionProtection: true (the DataLayer sets it from <project>:protect)")}
				}
				return nil
			},
		},
		{
			ID: "rds-backups", Severity: Medium, Types: []string{rdsInstance, rdsCluster},
			Title: fmt.Sprintf("RDS automated backups are kept at least %d days and snapshots copy tags (FSBP RDS.11, RDS.17)", minBackupDays),
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if isReplica(in) {
					return nil
				}
				var out []string
				if days, _ := num(in["backupRetentionPeriod"]); days < minBackupDays {
					out = append(out, problem(r, fmt.Sprintf("backupRetentionPeriod is %v", orNone(in["backupRetentionPeriod"])),
						fmt.Sprintf("set backupRetentionPeriod to at least %d (data.postgres.backupRetentionDays, default 30)", minBackupDays)))
				}
				if !truthy(in["copyTagsToSnapshot"]) {
					out = append(out, problem(r, "copyTagsToSnapshot is not true", "set copyTagsToSnapshot: true so snapshots keep the stack's cost and backup tags"))
				}
				return out
			},
		},
		{
			ID: "rds-monitoring", Severity: Low, Types: []string{rdsInstance},
			Title: "RDS instances have Performance Insights, enhanced monitoring and log exports (FSBP RDS.9, RDS.24 family)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				var out []string
				if !truthy(in["performanceInsightsEnabled"]) {
					out = append(out, problem(r, "performanceInsightsEnabled is not true", "set performanceInsightsEnabled: true with performanceInsightsKmsKeyId the data key"))
				}
				if v, _ := num(in["monitoringInterval"]); v <= 0 || !isSet(in["monitoringRoleArn"]) {
					out = append(out, problem(r, "enhanced monitoring is off (monitoringInterval 0 or no monitoringRoleArn)", "set monitoringInterval (data.postgres.monitoringInterval, default 60) and monitoringRoleArn"))
				}
				logs := strs(in["enabledCloudwatchLogsExports"])
				engine := str(in["engine"])
				switch {
				case len(logs) == 0:
					out = append(out, problem(r, "enabledCloudwatchLogsExports is empty", "export the engine's logs (postgres: [postgresql, upgrade])"))
				case strings.HasPrefix(engine, "postgres") && !contains(logs, "postgresql"):
					out = append(out, problem(r, "enabledCloudwatchLogsExports lacks postgresql", "add postgresql to enabledCloudwatchLogsExports"))
				}
				return out
			},
		},
		{
			ID: "docdb-encrypted", Severity: High, Types: []string{docdbCluster},
			Title: "DocumentDB clusters are encrypted with a customer managed key (FSBP DocumentDB.1)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				var out []string
				if !truthy(in["storageEncrypted"]) {
					out = append(out, problem(r, "storageEncrypted is not true", "set storageEncrypted: true"))
				}
				if !isCMK(in["kmsKeyId"]) {
					out = append(out, problem(r, "no customer managed kmsKeyId", "set kmsKeyId to the data layer's CMK"))
				}
				return out
			},
		},
		{
			ID: "docdb-backups", Severity: Medium, Types: []string{docdbCluster},
			Title: fmt.Sprintf("DocumentDB backups are kept at least %d days (FSBP DocumentDB.2)", minBackupDays),
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if days, _ := num(in["backupRetentionPeriod"]); days < minBackupDays {
					return []string{problem(r, fmt.Sprintf("backupRetentionPeriod is %v (DocumentDB's default is 1)", orNone(in["backupRetentionPeriod"])),
						fmt.Sprintf("set backupRetentionPeriod to at least %d (data.documentdb.backupRetentionDays, default 30)", minBackupDays))}
				}
				return nil
			},
		},
		{
			ID: "docdb-deletion-protection", Severity: High, Types: []string{docdbCluster},
			Title: "DocumentDB clusters have deletion protection (FSBP DocumentDB.5)",
			Check: func(r *mockengine.Resource, x Index) []string {
				if x.Protected() && !truthy(x.In(r)["deletionProtection"]) && !derivedData(x.In(r)) {
					return []string{problem(r, "deletionProtection is not true", "set deletionProtection: true (the DataLayer sets it from <project>:protect)")}
				}
				return nil
			},
		},
		{
			ID: "db-master-password", Severity: High, Types: []string{rdsInstance, rdsCluster, docdbCluster},
			Title: "Database master passwords are never plain text: generated into a Pulumi secret, or managed by RDS under a CMK",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if isReplica(in) || isSet(in["replicationSourceIdentifier"]) || globalSecondary(in) {
					return nil // inherited from the source
				}
				var out []string
				for _, k := range []string{"password", "masterPassword"} {
					if v := str(in[k]); v != "" && known(v) {
						out = append(out, problem(r, k+" is plain text in the program or its config (and so in state and in every preview)",
							"generate it (random.RandomPassword, a Pulumi secret) into the database's connection secret"))
					}
				}
				if !isSet(in["password"]) && !isSet(in["masterPassword"]) && !truthy(in["manageMasterUserPassword"]) {
					out = append(out, problem(r, "no master password: neither a generated one nor manageMasterUserPassword",
						"set password/masterPassword from a random.RandomPassword (the DataLayer does) — manageMasterUserPassword forbids replicas and global clusters"))
				}
				if r.Type != docdbCluster && truthy(in["manageMasterUserPassword"]) && !isCMK(in["masterUserSecretKmsKeyId"]) {
					out = append(out, problem(r, "the managed master secret uses the AWS managed key", "set masterUserSecretKmsKeyId to the data layer's CMK"))
				}
				return out
			},
		},
	}, redisRules()...)
	return append(out, []Rule{
		{
			ID: "opensearch-encryption", Severity: High, Types: []string{searchDomain},
			Title: "OpenSearch encrypts at rest and node to node (FSBP Opensearch.1, Opensearch.3)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				var out []string
				if !truthy(get(in, "encryptAtRest.enabled")) {
					out = append(out, problem(r, "encryptAtRest.enabled is not true", "set encryptAtRest: {enabled: true, kmsKeyId: <data key>}"))
				}
				if !truthy(get(in, "nodeToNodeEncryption.enabled")) {
					out = append(out, problem(r, "nodeToNodeEncryption.enabled is not true", "set nodeToNodeEncryption: {enabled: true}"))
				}
				return out
			},
		},
		{
			ID: "opensearch-https", Severity: High, Types: []string{searchDomain},
			Title: "OpenSearch enforces HTTPS with a TLS 1.2 minimum policy (FSBP Opensearch.8)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				var out []string
				if !truthy(get(in, "domainEndpointOptions.enforceHttps")) {
					out = append(out, problem(r, "domainEndpointOptions.enforceHttps is not true", "set enforceHttps: true"))
				}
				if p := str(get(in, "domainEndpointOptions.tlsSecurityPolicy")); !contains(searchTLSPolicies, p) {
					out = append(out, problem(r, fmt.Sprintf("tlsSecurityPolicy is %q", p), "set domainEndpointOptions.tlsSecurityPolicy to Policy-Min-TLS-1-2-PFS-2023-10"))
				}
				return out
			},
		},
		{
			ID: "opensearch-vpc", Severity: High, Types: []string{searchDomain},
			Title: "OpenSearch domains live in a VPC (FSBP Opensearch.2)",
			Check: func(r *mockengine.Resource, x Index) []string {
				if len(list(get(x.In(r), "vpcOptions.subnetIds"))) == 0 {
					return []string{problem(r, "no vpcOptions.subnetIds: the endpoint is public", "set vpcOptions with the isolated subnets and the domain's security group")}
				}
				return nil
			},
		},
		{
			ID: "opensearch-fgac", Severity: High, Types: []string{searchDomain},
			Title: "OpenSearch has fine-grained access control and no anonymous access (FSBP Opensearch.7)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				var out []string
				if !truthy(get(in, "advancedSecurityOptions.enabled")) {
					out = append(out, problem(r, "advancedSecurityOptions.enabled is not true", "enable fine-grained access control, or waive it for an IAM-only domain whose access policy names its consumers (rule opensearch-iam-access-policy)"))
				}
				if truthy(get(in, "advancedSecurityOptions.anonymousAuthEnabled")) {
					out = append(out, problem(r, "anonymousAuthEnabled is true", "set advancedSecurityOptions.anonymousAuthEnabled: false"))
				}
				return out
			},
		},
	}...)
}

// searchTLSPolicies are the OpenSearch endpoint policies with a TLS 1.2 minimum.
var searchTLSPolicies = []string{"Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10"}

// orNone renders an absent input as "absent" in messages.
func orNone(v any) any {
	if v == nil {
		return "absent"
	}
	return v
}
