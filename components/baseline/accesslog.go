package baseline

import (
	"github.com/dbay/infra/components/internal/lifecycle"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/dr"
)

// accessLogs records S3 server access to the trail bucket in a bucket of
// its own: SSE-S3 (server access logging delivers to SSE-S3 targets only,
// "Enabling Amazon S3 server access logging", S3 User Guide), written by
// S3's log delivery for the trail bucket of this account only ("Permissions
// for log delivery": logging.s3.amazonaws.com with aws:SourceArn and
// aws:SourceAccount), kept as long as the log files they describe.
func (b *Baseline) accessLogs(ctx *pulumi.Context, source *s3.BucketV2) error {
	parent := pulumi.Parent(b)
	logs, err := s3.NewBucketV2(ctx, "trail-access-logs", &s3.BucketV2Args{
		Tags: pulumi.StringMap{dr.TagDataClass: pulumi.String(dr.DataClassLog)},
	}, b.kept()...)
	if err != nil {
		return err
	}
	block, err := b.harden(ctx, "trail-access-logs", logs,
		s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{SseAlgorithm: pulumi.String("AES256")})
	if err != nil {
		return err
	}
	all := &s3.BucketLifecycleConfigurationV2RuleFilterArgs{}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, "trail-access-logs", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: logs.Bucket,
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{
			lifecycle.AbortUploads(),
			s3.BucketLifecycleConfigurationV2RuleArgs{
				Id: pulumi.String("expire"), Status: pulumi.String("Enabled"), Filter: all,
				Expiration:                  &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(b.args.Spec.TrailArchiveDays)},
				NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{NoncurrentDays: pulumi.Int(30)},
			},
		},
	}, parent); err != nil {
		return err
	}
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			denyInsecureTransport(logs),
			iam.GetPolicyDocumentStatementArgs{
				Sid:     pulumi.String("S3ServerAccessLogsOfTheTrailBucket"),
				Actions: pulumi.ToStringArray([]string{"s3:PutObject"}),
				Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
					Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{"logging.s3.amazonaws.com"}),
				}},
				Resources: pulumi.StringArray{pulumi.Sprintf("%s/trail/*", logs.Arn)},
				Conditions: iam.GetPolicyDocumentStatementConditionArray{
					iam.GetPolicyDocumentStatementConditionArgs{Test: pulumi.String("ArnLike"), Variable: pulumi.String("aws:SourceArn"), Values: pulumi.StringArray{source.Arn}},
					iam.GetPolicyDocumentStatementConditionArgs{Test: pulumi.String("StringEquals"), Variable: pulumi.String("aws:SourceAccount"), Values: pulumi.StringArray{b.account}},
				},
			},
		},
	}, parent)
	pol, err := s3.NewBucketPolicy(ctx, "trail-access-logs", &s3.BucketPolicyArgs{Bucket: logs.Bucket, Policy: doc.Json()},
		parent, pulumi.DependsOn([]pulumi.Resource{block}))
	if err != nil {
		return err
	}
	_, err = s3.NewBucketLoggingV2(ctx, "trail", &s3.BucketLoggingV2Args{
		Bucket: source.Bucket, TargetBucket: logs.Bucket, TargetPrefix: pulumi.String("trail/"),
		TargetObjectKeyFormat: &s3.BucketLoggingV2TargetObjectKeyFormatArgs{
			PartitionedPrefix: &s3.BucketLoggingV2TargetObjectKeyFormatPartitionedPrefixArgs{PartitionDateSource: pulumi.String("EventTime")},
		},
	}, parent, pulumi.DependsOn([]pulumi.Resource{pol}))
	return err
}
