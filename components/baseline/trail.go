package baseline

import (
	"github.com/dbay/infra/components/internal/lifecycle"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudtrail"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/dr"
)

// trail is what newTrail created, as the component's outputs need it.
type trail struct {
	arn, bucket, logGroup pulumi.StringOutput
}

// kept are the options of what holds the audit history: protected in a
// protected stack, and retained when dropped from the program.
func (b *Baseline) kept() []pulumi.ResourceOption {
	return []pulumi.ResourceOption{pulumi.Parent(b), pulumi.Protect(b.args.Protect), pulumi.RetainOnDelete(true)}
}

// newTrail creates the multi-Region trail with log file validation, its
// customer managed key, its S3 archive and its CloudWatch Logs copy (the
// log group the xpriv filters watch).
func (b *Baseline) newTrail(ctx *pulumi.Context) (*trail, error) {
	a, parent := b.args, pulumi.Parent(b)
	trailArn := b.trailArn()
	key, err := b.newTrailKey(ctx, trailArn)
	if err != nil {
		return nil, err
	}

	bucket, policyRes, err := b.newTrailBucket(ctx, key, trailArn)
	if err != nil {
		return nil, err
	}

	logs, err := b.newTrailLogs(ctx, key)
	if err != nil {
		return nil, err
	}

	t, err := cloudtrail.NewTrail(ctx, "trail", &cloudtrail.TrailArgs{
		Name:                       pulumi.String(b.trailName()),
		S3BucketName:               bucket.Bucket,
		IsMultiRegionTrail:         pulumi.Bool(true),
		IncludeGlobalServiceEvents: pulumi.Bool(true),
		EnableLogFileValidation:    pulumi.Bool(true),
		EnableLogging:              pulumi.Bool(true),
		KmsKeyId:                   key.Arn,
		// CloudTrail wants the group's ARN with its ":*" stream suffix.
		CloudWatchLogsGroupArn: pulumi.Sprintf("%s:*", logs.group.Arn),
		CloudWatchLogsRoleArn:  logs.role.Arn,
	}, parent, pulumi.Protect(a.Protect), pulumi.DependsOn([]pulumi.Resource{policyRes, logs.policy}))
	if err != nil {
		return nil, err
	}
	return &trail{arn: t.Arn, bucket: bucket.Bucket, logGroup: logs.group.Name}, nil
}

// newTrailKey creates the customer managed key of the trail's log files
// and of their CloudWatch Logs copy.
func (b *Baseline) newTrailKey(ctx *pulumi.Context, trailArn pulumi.StringOutput) (*kms.Key, error) {
	a, parent := b.args, pulumi.Parent(b)
	service := func() iam.GetPolicyDocumentStatementPrincipalArray {
		return iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
			Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{"cloudtrail.amazonaws.com"}),
		}}
	}
	fromTrail := iam.GetPolicyDocumentStatementConditionArgs{
		Test: pulumi.String("StringEquals"), Variable: pulumi.String("aws:SourceArn"), Values: pulumi.StringArray{trailArn},
	}
	// The key policy CloudTrail needs ("Configure AWS KMS key policies for
	// CloudTrail", https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html):
	// CloudTrail may generate data keys for this trail only (aws:SourceArn)
	// under this account's trail encryption context, and describe the key.
	// Decrypting log files is left to IAM policies through AccountRoot
	// (the page's "enable log file decryption" statement, for principals of
	// this account). CloudWatch Logs uses the same key for the log group.
	keyPolicy := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			iamdoc.AccountRoot(b.account, a.Partition),
			iam.GetPolicyDocumentStatementArgs{
				Sid:        pulumi.String("CloudTrailEncryptsThisTrailsLogs"),
				Actions:    pulumi.ToStringArray([]string{"kms:GenerateDataKey*"}),
				Principals: service(),
				Resources:  pulumi.ToStringArray([]string{"*"}),
				Conditions: iam.GetPolicyDocumentStatementConditionArray{fromTrail, iam.GetPolicyDocumentStatementConditionArgs{
					Test: pulumi.String("StringLike"), Variable: pulumi.String("kms:EncryptionContext:aws:cloudtrail:arn"),
					Values: pulumi.StringArray{pulumi.Sprintf("arn:%s:cloudtrail:*:%s:trail/*", a.Partition, b.account)},
				}},
			},
			iam.GetPolicyDocumentStatementArgs{
				Sid:        pulumi.String("CloudTrailDescribesTheKey"),
				Actions:    pulumi.ToStringArray([]string{"kms:DescribeKey"}),
				Principals: service(),
				Resources:  pulumi.ToStringArray([]string{"*"}),
				Conditions: iam.GetPolicyDocumentStatementConditionArray{fromTrail},
			},
			iamdoc.LogsUseKey(b.account, a.Partition, a.Region, "*"),
		},
	}, parent)
	return kms.NewKey(ctx, "trail-key", &kms.KeyArgs{
		Description:          pulumi.Sprintf("%s/%s CloudTrail log files and their CloudWatch Logs copy", a.Project, a.Stack),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy:               keyPolicy.Json(),
	}, parent, pulumi.Protect(a.Protect))
}

// trailLogs are the trail's CloudWatch Logs copy: the log group, and the
// role (with its policy) CloudTrail delivers to it with.
type trailLogs struct {
	group  *cloudwatch.LogGroup
	role   *iam.Role
	policy *iam.RolePolicy
}

// newTrailLogs creates the trail's CloudWatch Logs copy.
func (b *Baseline) newTrailLogs(ctx *pulumi.Context, key *kms.Key) (*trailLogs, error) {
	a, parent := b.args, pulumi.Parent(b)
	// CloudWatch Logs delivery ("Sending events to CloudWatch Logs",
	// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html):
	// a log group, and a role CloudTrail assumes to create streams and put
	// events in it. The metric filters read this copy.
	group, err := cloudwatch.NewLogGroup(ctx, "trail", &cloudwatch.LogGroupArgs{
		Name:            pulumi.Sprintf("/%s/%s/cloudtrail", a.Project, a.Stack),
		RetentionInDays: pulumi.Int(a.Spec.TrailRetentionDays),
		KmsKeyId:        key.Arn,
	}, b.kept()...)
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(ctx, "trail-logs", &iam.RoleArgs{
		Description:      pulumi.String("CloudTrail delivers the trail's events to its CloudWatch Logs group"),
		AssumeRolePolicy: iamdoc.ServiceTrust(ctx, b, "cloudtrail.amazonaws.com", b.account),
	}, parent)
	if err != nil {
		return nil, err
	}
	deliver := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
			Sid:       pulumi.String("DeliverToTheTrailLogGroup"),
			Actions:   pulumi.ToStringArray([]string{"logs:CreateLogStream", "logs:PutLogEvents"}),
			Resources: pulumi.StringArray{pulumi.Sprintf("%s:log-stream:*", group.Arn)},
		}},
	}, parent)
	rp, err := iam.NewRolePolicy(ctx, "trail-logs", &iam.RolePolicyArgs{Role: role.ID(), Policy: deliver.Json()}, parent)
	if err != nil {
		return nil, err
	}
	return &trailLogs{group: group, role: role, policy: rp}, nil
}

// harden gives a bucket versioning, default encryption (bucket keys with
// KMS), a public access block with all four settings, and object
// ownership by the bucket owner (ACLs off).
func (b *Baseline) harden(ctx *pulumi.Context, name string, bucket *s3.BucketV2,
	sse s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs,
) (*s3.BucketPublicAccessBlock, error) {
	parent := pulumi.Parent(b)
	if _, err := s3.NewBucketVersioningV2(ctx, name, &s3.BucketVersioningV2Args{
		Bucket:                  bucket.Bucket,
		VersioningConfiguration: s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, parent); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.Bucket,
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: sse,
			BucketKeyEnabled:                   pulumi.Bool(sse.KmsMasterKeyId != nil),
		}},
	}, parent); err != nil {
		return nil, err
	}
	block, err := s3.NewBucketPublicAccessBlock(ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket: bucket.Bucket, BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.Bucket,
		Rule:   s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, parent); err != nil {
		return nil, err
	}
	return block, nil
}

// denyInsecureTransport refuses every request to bucket not made over TLS.
func denyInsecureTransport(bucket *s3.BucketV2) iam.GetPolicyDocumentStatementArgs {
	return iam.GetPolicyDocumentStatementArgs{
		Sid: pulumi.String("DenyInsecureTransport"), Effect: pulumi.String("Deny"),
		Actions: pulumi.ToStringArray([]string{"s3:*"}),
		Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
			Type: pulumi.String("*"), Identifiers: pulumi.ToStringArray([]string{"*"}),
		}},
		Resources: pulumi.StringArray{bucket.Arn, pulumi.Sprintf("%s/*", bucket.Arn)},
		Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
			Test: pulumi.String("Bool"), Variable: pulumi.String("aws:SecureTransport"), Values: pulumi.ToStringArray([]string{"false"}),
		}},
	}
}

// newTrailBucket creates the trail's archive: versioned, SSE-KMS with the
// trail key, public access blocked, objects owned by the bucket owner,
// kept TrailArchiveDays, and the bucket policy CloudTrail needs ("Amazon
// S3 bucket policy for CloudTrail",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html):
// GetBucketAcl and PutObject under AWSLogs/<account>/ for this trail only
// (aws:SourceArn), with bucket-owner-full-control, and TLS only.
func (b *Baseline) newTrailBucket(ctx *pulumi.Context, key *kms.Key, trailArn pulumi.StringOutput) (*s3.BucketV2, *s3.BucketPolicy, error) {
	a, parent := b.args, pulumi.Parent(b)
	bucket, err := s3.NewBucketV2(ctx, "trail", &s3.BucketV2Args{
		// Audit history is not restored after a failover: the recovery
		// Region's events are in this same archive.
		Tags: pulumi.StringMap{dr.TagDataClass: pulumi.String(dr.DataClassLog)},
	}, b.kept()...)
	if err != nil {
		return nil, nil, err
	}
	block, err := b.harden(ctx, "trail", bucket, s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
		SseAlgorithm: pulumi.String("aws:kms"), KmsMasterKeyId: key.Arn,
	})
	if err != nil {
		return nil, nil, err
	}
	// CIS AWS Foundations 3.6 / FSBP S3.9: who read or deleted log files
	// is itself recorded, in an access-log bucket of its own.
	if err := b.accessLogs(ctx, bucket); err != nil {
		return nil, nil, err
	}
	all := &s3.BucketLifecycleConfigurationV2RuleFilterArgs{}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, "trail", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.Bucket,
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{
			lifecycle.AbortUploads(),
			// Log files are read rarely after the first months: Glacier
			// Flexible Retrieval after 90 days, gone after the archive period.
			s3.BucketLifecycleConfigurationV2RuleArgs{
				Id: pulumi.String("archive-then-expire"), Status: pulumi.String("Enabled"), Filter: all,
				Transitions: s3.BucketLifecycleConfigurationV2RuleTransitionArray{s3.BucketLifecycleConfigurationV2RuleTransitionArgs{
					Days: pulumi.Int(90), StorageClass: pulumi.String("GLACIER"),
				}},
				Expiration:                  &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(a.Spec.TrailArchiveDays)},
				NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{NoncurrentDays: pulumi.Int(30)},
			},
		},
	}, parent); err != nil {
		return nil, nil, err
	}
	service := iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
		Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{"cloudtrail.amazonaws.com"}),
	}}
	fromTrail := iam.GetPolicyDocumentStatementConditionArgs{
		Test: pulumi.String("StringEquals"), Variable: pulumi.String("aws:SourceArn"), Values: pulumi.StringArray{trailArn},
	}
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			denyInsecureTransport(bucket),
			iam.GetPolicyDocumentStatementArgs{
				Sid: pulumi.String("AWSCloudTrailAclCheck"), Actions: pulumi.ToStringArray([]string{"s3:GetBucketAcl"}),
				Principals: service, Resources: pulumi.StringArray{bucket.Arn},
				Conditions: iam.GetPolicyDocumentStatementConditionArray{fromTrail},
			},
			iam.GetPolicyDocumentStatementArgs{
				Sid: pulumi.String("AWSCloudTrailWrite"), Actions: pulumi.ToStringArray([]string{"s3:PutObject"}),
				Principals: service, Resources: pulumi.StringArray{pulumi.Sprintf("%s/AWSLogs/%s/*", bucket.Arn, b.account)},
				Conditions: iam.GetPolicyDocumentStatementConditionArray{fromTrail, iam.GetPolicyDocumentStatementConditionArgs{
					Test: pulumi.String("StringEquals"), Variable: pulumi.String("s3:x-amz-acl"), Values: pulumi.ToStringArray([]string{"bucket-owner-full-control"}),
				}},
			},
		},
	}, parent)
	pol, err := s3.NewBucketPolicy(ctx, "trail", &s3.BucketPolicyArgs{Bucket: bucket.Bucket, Policy: doc.Json()},
		parent, pulumi.DependsOn([]pulumi.Resource{block}))
	if err != nil {
		return nil, nil, err
	}
	return bucket, pol, nil
}
