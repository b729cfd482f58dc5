package fleet

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/dr"
)

// albLogPrefix is where the ALB writes under the bucket.
const albLogPrefix = "alb"

// legacyELBRegions are the regions opened before August 2022, where ELB
// delivers access logs as its regional account (elb.getServiceAccount);
// newer regions use the logdelivery.elasticloadbalancing.amazonaws.com
// service principal, which the policy always names.
var legacyELBRegions = map[string]bool{
	"us-east-1": true, "us-east-2": true, "us-west-1": true, "us-west-2": true, "af-south-1": true,
	"ap-east-1": true, "ap-south-1": true, "ap-northeast-1": true, "ap-northeast-2": true, "ap-northeast-3": true,
	"ap-southeast-1": true, "ap-southeast-2": true, "ap-southeast-3": true, "ca-central-1": true,
	"eu-central-1": true, "eu-west-1": true, "eu-west-2": true, "eu-west-3": true, "eu-south-1": true,
	"eu-north-1": true, "me-south-1": true, "sa-east-1": true, "us-gov-east-1": true, "us-gov-west-1": true,
	"cn-north-1": true, "cn-northwest-1": true,
}

// newLogBucket creates the ALB access-log bucket: SSE-S3 (the only
// encryption ALB log delivery supports), versioned, private, ownership
// enforced, TLS-only, logs expiring after fleet.logRetentionDays, and a
// policy letting only ELB log delivery write under alb/AWSLogs/<account>/.
// It is tagged data-class=logs: the DR assessment exempts it (a recovery
// region's ALB writes to its own bucket; the history is not restored).
// It returns the bucket and its policy, which the ALB waits for (ELB tests
// write access when logging is turned on).
func (f *Fleet) newLogBucket(ctx *pulumi.Context) (*s3.BucketV2, pulumi.Resource, error) {
	parent := pulumi.Parent(f)
	b, err := s3.NewBucketV2(ctx, "alb-logs", &s3.BucketV2Args{
		Tags: pulumi.StringMap{dr.TagDataClass: pulumi.String(dr.DataClassLog)},
	}, parent, pulumi.Protect(f.args.Protect))
	if err != nil {
		return nil, nil, err
	}
	if _, err := s3.NewBucketVersioningV2(ctx, "alb-logs", &s3.BucketVersioningV2Args{
		Bucket:                  b.Bucket,
		VersioningConfiguration: s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, parent); err != nil {
		return nil, nil, err
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, "alb-logs", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: b.Bucket,
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("AES256"),
			},
		}},
	}, parent); err != nil {
		return nil, nil, err
	}
	block, err := s3.NewBucketPublicAccessBlock(ctx, "alb-logs", &s3.BucketPublicAccessBlockArgs{
		Bucket: b.Bucket, BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, "alb-logs", &s3.BucketOwnershipControlsArgs{
		Bucket: b.Bucket,
		Rule:   s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, parent); err != nil {
		return nil, nil, err
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, "alb-logs", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: b.Bucket,
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:                          pulumi.String("expire-logs"),
			Status:                      pulumi.String("Enabled"),
			Filter:                      &s3.BucketLifecycleConfigurationV2RuleFilterArgs{},
			Expiration:                  &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(f.args.Spec.LogRetentionDays)},
			NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{NoncurrentDays: pulumi.Int(30)},
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(7),
			},
		}},
	}, parent); err != nil {
		return nil, nil, err
	}
	logs := pulumi.Sprintf("%s/%s/AWSLogs/%s/*", b.Arn, albLogPrefix, f.account)
	deliver := func(sid, typ string, principal pulumi.StringInput) iam.GetPolicyDocumentStatementArgs {
		return iam.GetPolicyDocumentStatementArgs{
			Sid: pulumi.String(sid), Effect: pulumi.String("Allow"),
			Actions: pulumi.ToStringArray([]string{"s3:PutObject"}),
			Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
				Type: pulumi.String(typ), Identifiers: pulumi.StringArray{principal},
			}},
			Resources: pulumi.StringArray{logs},
		}
	}
	statements := iam.GetPolicyDocumentStatementArray{
		iam.GetPolicyDocumentStatementArgs{
			Sid: pulumi.String("DenyInsecureTransport"), Effect: pulumi.String("Deny"),
			Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
				Type: pulumi.String("*"), Identifiers: pulumi.ToStringArray([]string{"*"}),
			}},
			Actions:   pulumi.ToStringArray([]string{"s3:*"}),
			Resources: pulumi.StringArray{b.Arn, pulumi.Sprintf("%s/*", b.Arn)},
			Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
				Test: pulumi.String("Bool"), Variable: pulumi.String("aws:SecureTransport"), Values: pulumi.ToStringArray([]string{"false"}),
			}},
		},
		deliver("ELBLogDelivery", "Service", pulumi.String("logdelivery.elasticloadbalancing.amazonaws.com")),
	}
	if legacyELBRegions[f.args.Region] {
		account := elb.GetServiceAccountOutput(ctx, elb.GetServiceAccountOutputArgs{}, parent)
		statements = append(statements, deliver(fmt.Sprintf("ELBAccountOf%s", compact(f.args.Region)), "AWS", account.Arn()))
	}
	policy, err := s3.NewBucketPolicy(ctx, "alb-logs", &s3.BucketPolicyArgs{
		Bucket: b.Bucket,
		Policy: iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{Statements: statements}, parent).Json(),
	}, parent, pulumi.DependsOn([]pulumi.Resource{block}))
	if err != nil {
		return nil, nil, err
	}
	f.AlbLogBucket = b.Bucket
	return b, policy, nil
}

// compact removes dashes: us-east-1 -> useast1 (a statement id allows
// letters and digits only).
func compact(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r != '-' {
			out = append(out, r)
		}
	}
	return string(out)
}
