package policy

import (
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const (
	bucketV2        = tokens.S3BucketV2
	bucketV1        = tokens.S3Bucket
	publicAccess    = tokens.S3BucketPublicAccessBlock
	bucketSSE       = tokens.S3BucketServerSideEncryptionConfigurationV2
	bucketVersions  = tokens.S3BucketVersioningV2
	bucketLogging   = tokens.S3BucketLoggingV2
	bucketLifecycle = tokens.S3BucketLifecycleConfigurationV2
)

var bucketTypes = []string{bucketV2, bucketV1}

// s3Rules: buckets are private, encrypted, TLS-only, logged and versioned.
// Long: a table: one entry per rule, each read on its own.
func s3Rules() []Rule {
	return []Rule{
		{
			ID: "s3-public-access-block", Severity: High, Types: bucketTypes,
			Title: "Every bucket has a public access block with all four settings on (FSBP S3.8)",
			Check: func(r *mockengine.Resource, x Index) []string {
				for _, b := range x.Referencing(publicAccess, "bucket", r) {
					in := x.In(b)
					if truthy(in["blockPublicAcls"]) && truthy(in["blockPublicPolicy"]) && truthy(in["ignorePublicAcls"]) && truthy(in["restrictPublicBuckets"]) {
						return nil
					}
				}
				return []string{problem(r, "no BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true",
					"add an aws:s3/bucketPublicAccessBlock for the bucket with all four set to true")}
			},
		},
		{
			ID: "s3-encryption", Severity: Medium, Types: bucketTypes,
			Title: "Buckets default to SSE-KMS with a customer managed key (log delivery targets: SSE-S3)",
			Check: func(r *mockengine.Resource, x Index) []string {
				var rules []any
				for _, c := range x.Referencing(bucketSSE, "bucket", r) {
					rules = append(rules, list(x.In(c)["rules"])...)
				}
				rules = append(rules, list(get(x.In(r), "serverSideEncryptionConfiguration.rule"))...)
				logTarget := x.isLogTarget(r, "s3", "alb")
				for _, rule := range rules {
					algo := str(get(rule, "applyServerSideEncryptionByDefault.sseAlgorithm"))
					key := get(rule, "applyServerSideEncryptionByDefault.kmsMasterKeyId")
					if (algo == "aws:kms" || algo == "aws:kms:dsse") && isCMK(key) || logTarget && algo == "AES256" {
						return nil
					}
				}
				if logTarget {
					return []string{problem(r, "no default encryption", "add a BucketServerSideEncryptionConfigurationV2 with AES256 (log delivery to this bucket cannot use SSE-KMS)")}
				}
				return []string{problem(r, "default encryption is not SSE-KMS with a customer managed key",
					"add a BucketServerSideEncryptionConfigurationV2 with sseAlgorithm aws:kms, kmsMasterKeyId the owner's CMK and bucketKeyEnabled: true")}
			},
		},
		{
			ID: "s3-tls-only", Severity: Medium, Types: bucketTypes,
			Title: "Bucket policies deny requests without TLS (FSBP S3.5)",
			Check: func(r *mockengine.Resource, x Index) []string {
				if !x.BucketTLSOnly(r) {
					return []string{problem(r, "no bucket policy statement denies s3:* to * when aws:SecureTransport is false",
						"add the DenyInsecureTransport statement to the bucket's aws:s3/bucketPolicy")}
				}
				return nil
			},
		},
		{
			ID: "s3-access-logs", Severity: Low, Types: bucketTypes,
			Title: "Buckets log server access to a log bucket (FSBP S3.9); log buckets themselves are exempt",
			Check: func(r *mockengine.Resource, x Index) []string {
				if x.isLogTarget(r, "s3", "alb", "cloudfront") || len(x.Referencing(bucketLogging, "bucket", r)) > 0 || len(list(x.In(r)["loggings"])) > 0 {
					return nil
				}
				return []string{problem(r, "no server access logging", "add an aws:s3/bucketLoggingV2 targeting the stack's access-log bucket (SSE-S3)")}
			},
		},
		{
			ID: "s3-versioning", Severity: Medium, Types: bucketTypes,
			Title: "Buckets are versioned (checkov CKV_AWS_21)",
			Check: func(r *mockengine.Resource, x Index) []string {
				for _, v := range x.Referencing(bucketVersions, "bucket", r) {
					if str(get(x.In(v), "versioningConfiguration.status")) == "Enabled" {
						return nil
					}
				}
				if truthy(get(x.In(r), "versioning.enabled")) {
					return nil
				}
				return []string{problem(r, "versioning is not Enabled", "add an aws:s3/bucketVersioningV2 with versioningConfiguration.status Enabled (and a noncurrent-version expiry)")}
			},
		},
		{
			ID: "logs-retention", Severity: Medium, Types: []string{logGroup},
			Category: CategoryBestPractice, Source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention (a log group without a retention keeps its events forever)",
			Title: "Every log group has a retention: no log storage that grows for ever (issue 17)",
			Check: func(r *mockengine.Resource, x Index) []string {
				if n, ok := num(x.In(r)["retentionInDays"]); ok && n > 0 {
					return nil
				}
				return []string{problem(r, "keeps its events forever", "set retentionInDays (a CloudWatch Logs retention)")}
			},
		},
		{
			ID: "s3-versions-expire", Severity: Medium, Types: bucketTypes,
			Category: CategoryBestPractice, Source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configuration-examples.html (noncurrent version expiration, aborting incomplete multipart uploads)",
			Title: "A versioned bucket expires noncurrent versions and aborts incomplete multipart uploads: no storage that grows with every deploy and is never read",
			Check: func(r *mockengine.Resource, x Index) []string {
				versioned := false
				for _, v := range x.Referencing(bucketVersions, "bucket", r) {
					versioned = versioned || str(get(x.In(v), "versioningConfiguration.status")) == "Enabled"
				}
				if !versioned {
					return nil
				}
				expires, aborts := false, false
				for _, lc := range x.Referencing(bucketLifecycle, "bucket", r) {
					for _, rule := range list(x.In(lc)["rules"]) {
						if str(obj(rule)["status"]) != "Enabled" {
							continue
						}
						expires = expires || get(rule, "noncurrentVersionExpiration.noncurrentDays") != nil
						aborts = aborts || get(rule, "abortIncompleteMultipartUpload.daysAfterInitiation") != nil
					}
				}
				var out []string
				if !expires {
					out = append(out, problem(r, "keeps every noncurrent version forever", "add a lifecycle rule with noncurrentVersionExpiration (components/internal/lifecycle)"))
				}
				if !aborts {
					out = append(out, problem(r, "keeps incomplete multipart uploads forever", "add a lifecycle rule with abortIncompleteMultipartUpload"))
				}
				return out
			},
		},
	}
}

// isLogTarget reports whether bucket receives logs of one of kinds: "s3"
// (server access logs), "alb" (load balancer access logs), "cloudfront"
// (standard logs).
func (x Index) isLogTarget(bucket *mockengine.Resource, kinds ...string) bool {
	targets := x.LogTargetBuckets()
	for _, ref := range x.Refs(bucket) {
		if contains(kinds, targets[ref]) {
			return true
		}
	}
	return false
}
