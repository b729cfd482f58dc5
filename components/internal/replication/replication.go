// Package replication is the one way a bucket is replicated to the
// recovery region: S3 cross-Region replication of the whole bucket with
// Replication Time Control (dr.Catalog's s3-crr-rtc) and the alarm that
// bounds its RPO. The DataLayer (data buckets) and the Frontend (the site)
// use it; each writes its own replication role, which names its own keys.
package replication

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/config"
)

const (
	// Minutes is RTC's objective and metrics threshold: 15 is the only
	// value S3 accepts (S3 User Guide, "Replication Time Control").
	Minutes = 15
	// RuleID names the one rule; the latency metric's RuleId dimension.
	RuleID = "dr"
)

// Args is one source bucket's replication.
type Args struct {
	// Source is the replicated bucket (versioned).
	Source *s3.BucketV2
	// Replica and ReplicaKeyArn are the destination bucket's ARN (versioned,
	// in the recovery region) and the key replicas are encrypted with.
	Replica, ReplicaKeyArn pulumi.StringInput
	// Role is the replication role's ARN.
	Role pulumi.StringInput
}

// Configure writes the source bucket's replication configuration: one
// rule over the whole bucket (an empty V2 filter, which delete-marker
// replication and RTC require), delete markers and SSE-KMS objects
// replicated, STANDARD storage under the replica key, RTC and metrics at
// 15 minutes. opts must make it depend on both buckets' versioning and
// on the role's policy.
func Configure(ctx *pulumi.Context, name string, a Args, opts ...pulumi.ResourceOption) (*s3.BucketReplicationConfig, error) {
	return s3.NewBucketReplicationConfig(ctx, name, &s3.BucketReplicationConfigArgs{
		Bucket: a.Source.Bucket,
		Role:   a.Role,
		Rules: s3.BucketReplicationConfigRuleArray{s3.BucketReplicationConfigRuleArgs{
			Id:                      pulumi.String(RuleID),
			Status:                  pulumi.String("Enabled"),
			Filter:                  &s3.BucketReplicationConfigRuleFilterArgs{},
			DeleteMarkerReplication: &s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs{Status: pulumi.String("Enabled")},
			SourceSelectionCriteria: &s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs{
				SseKmsEncryptedObjects: &s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs{Status: pulumi.String("Enabled")},
			},
			Destination: &s3.BucketReplicationConfigRuleDestinationArgs{
				Bucket:       a.Replica,
				StorageClass: pulumi.String("STANDARD"),
				EncryptionConfiguration: &s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs{
					ReplicaKmsKeyId: a.ReplicaKeyArn,
				},
				ReplicationTime: &s3.BucketReplicationConfigRuleDestinationReplicationTimeArgs{
					Status: pulumi.String("Enabled"),
					Time:   &s3.BucketReplicationConfigRuleDestinationReplicationTimeTimeArgs{Minutes: pulumi.Int(Minutes)},
				},
				Metrics: &s3.BucketReplicationConfigRuleDestinationMetricsArgs{
					Status:         pulumi.String("Enabled"),
					EventThreshold: &s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs{Minutes: pulumi.Int(Minutes)},
				},
			},
		}},
	}, opts...)
}

// LatencyAlarm is the ReplicationLatency alarm of a bucket's rule (RTC
// metrics, published in the source bucket's region): it pages once
// replication is slower than RTC's 15 minutes, the mechanism's RPO.
func LatencyAlarm(name string, source, replica pulumi.StringOutput) alarm.Spec {
	return alarm.Spec{Kind: config.AlarmS3ReplicationLatency, Name: name + "-replication-latency",
		Description: fmt.Sprintf("%s replicates to the recovery region slower than RTC's %d minutes: the replica is behind the RPO.", name, Minutes),
		Namespace:   "AWS/S3", Metric: "ReplicationLatency",
		Dimensions: pulumi.StringMap{"SourceBucket": source, "DestinationBucket": replica, "RuleId": pulumi.String(RuleID)},
		Statistic:  "Maximum", Period: 300, Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"}
}
