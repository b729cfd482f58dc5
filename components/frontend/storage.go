package frontend

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/components/internal/lifecycle"
	"github.com/dbay/infra/dr"
)

// bucketSet is a bucket and the settings its readers depend on.
type bucketSet struct {
	bucket *s3.BucketV2
	// ready are the settings that must exist before the bucket is used
	// (ownership controls for CloudFront's log ACL, public access block).
	ready []pulumi.Resource
	// versioning is the bucket's versioning, which replication needs on
	// both ends before it is configured.
	versioning pulumi.Resource
}

// logBucket is where CloudFront writes standard logs. Standard (legacy)
// logging grants the awslogsdelivery account through a bucket ACL, so this
// bucket keeps ACLs enabled (BucketOwnerPreferred: logs still belong to us);
// public ACLs stay blocked. Its CMK lets CloudFront's log delivery generate
// data keys, which SSE-KMS log delivery requires. It holds access logs only
// (tagged data-class=logs): the DR assessment exempts it from replication.
func (f *Frontend) logBucket(ctx *pulumi.Context, args *Args, account pulumi.StringOutput, partition string) (*bucketSet, error) {
	parent := pulumi.Parent(f)
	keyPolicy := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			iamdoc.AccountRoot(account, partition),
			iam.GetPolicyDocumentStatementArgs{
				Sid:     pulumi.String("AllowCloudFrontLogDelivery"),
				Effect:  pulumi.String("Allow"),
				Actions: pulumi.ToStringArray([]string{"kms:GenerateDataKey*"}),
				Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
					Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{"delivery.logs.amazonaws.com"}),
				}},
				Resources: pulumi.ToStringArray([]string{"*"}),
			},
		},
	}, parent)
	key, err := newKey(ctx, "logs-key", "Encrypts the CloudFront access log bucket", keyPolicy.Json(), parent, pulumi.Protect(args.Protect))
	if err != nil {
		return nil, err
	}
	set, err := f.bucket(ctx, "logs", "BucketOwnerPreferred", key, args.Protect,
		pulumi.StringMap{dr.TagDataClass: pulumi.String(dr.DataClassLog)})
	if err != nil {
		return nil, err
	}
	b := set.bucket
	if err := expireLogs(ctx, "logs", b, args.Spec.LogRetentionDays, parent); err != nil {
		return nil, err
	}
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{denyInsecureTransport(b.Arn)},
	}, parent)
	if _, err := s3.NewBucketPolicy(ctx, "logs", &s3.BucketPolicyArgs{Bucket: b.ID(), Policy: doc.Json()},
		parent, pulumi.DependsOn(set.ready)); err != nil {
		return nil, err
	}
	return set, nil
}

// expireLogs deletes a log bucket's logs after days, their old versions
// after 30 days and abandoned uploads after 7.
func expireLogs(ctx *pulumi.Context, name string, b *s3.BucketV2, days int, opts ...pulumi.ResourceOption) error {
	_, err := s3.NewBucketLifecycleConfigurationV2(ctx, name, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: b.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:                             pulumi.String("expire-logs"),
			Status:                         pulumi.String("Enabled"),
			Filter:                         &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
			Expiration:                     &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(days)},
			NoncurrentVersionExpiration:    &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{NoncurrentDays: pulumi.Int(30)},
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{DaysAfterInitiation: pulumi.Int(7)},
		}},
	}, opts...)
	return err
}

// siteBucket is the SPA's bucket: objects owned by the bucket owner (ACLs
// disabled), every public access blocked. Its encryption and policy need
// the distribution and are added by lockSite.
func (f *Frontend) siteBucket(ctx *pulumi.Context, args *Args) (*bucketSet, error) {
	set, err := f.bucket(ctx, "site", "BucketOwnerEnforced", nil, args.Protect, nil)
	if err != nil {
		return nil, err
	}
	return set, expireOldVersions(ctx, "site", set, pulumi.Parent(f))
}

// SiteVersionDays is how long a replaced or deleted site object's old
// version is kept: a month of rollbacks (re-upload the build, or copy a
// version back), then it stops costing storage (issue 17: without it
// every deploy's files are kept forever, in both Regions).
const SiteVersionDays = 30

// expireOldVersions expires a site bucket's noncurrent versions after
// SiteVersionDays and its incomplete uploads after
// lifecycle.AbortUploadDays. Lifecycle actions are not replicated
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-what-is-isnot-replicated.html),
// so the replica carries the same rule.
func expireOldVersions(ctx *pulumi.Context, name string, set *bucketSet, opts ...pulumi.ResourceOption) error {
	abort := lifecycle.AbortUploads()
	_, err := s3.NewBucketLifecycleConfigurationV2(ctx, name, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: set.bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{
			s3.BucketLifecycleConfigurationV2RuleArgs{
				Id:                          pulumi.String("expire-old-versions"),
				Status:                      pulumi.String("Enabled"),
				Filter:                      &s3.BucketLifecycleConfigurationV2RuleFilterArgs{},
				NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{NoncurrentDays: pulumi.Int(SiteVersionDays)},
			},
			abort,
		},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{set.versioning}))...)
	return err
}

// lockSite encrypts the site bucket with a CMK that only this distribution
// (and the account's IAM) may use, and lets only this distribution read
// objects, through Origin Access Control. It returns the key and the
// encryption configuration, which uploads must wait for.
func (f *Frontend) lockSite(ctx *pulumi.Context, args *Args, site *bucketSet, distArn pulumi.StringOutput, account pulumi.StringOutput, partition string) (*kms.Key, pulumi.Resource, error) {
	return f.lockForCloudFront(ctx, "site", "Encrypts the site bucket; CloudFront decrypts through OAC", args.Protect, site, distArn, account, partition)
}

// lockForCloudFront gives a bucket read by the distribution through OAC its
// CMK (decryptable by CloudFront for this distribution only), its default
// encryption, and its policy: GetObject for this distribution only, and no
// request without TLS. opts carry the provider of the bucket's region.
func (f *Frontend) lockForCloudFront(ctx *pulumi.Context, name, keyDescription string, protect bool, set *bucketSet,
	distArn, account pulumi.StringOutput, partition string, opts ...pulumi.ResourceOption,
) (*kms.Key, pulumi.Resource, error) {
	parent := pulumi.Parent(f)
	fromDistribution := iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
		Test: pulumi.String("StringEquals"), Variable: pulumi.String("AWS:SourceArn"), Values: pulumi.StringArray{distArn},
	}}
	cloudfront := iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
		Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{"cloudfront.amazonaws.com"}),
	}}
	keyPolicy := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			iamdoc.AccountRoot(account, partition),
			iam.GetPolicyDocumentStatementArgs{
				Sid:        pulumi.String("AllowCloudFrontOACDecrypt"),
				Effect:     pulumi.String("Allow"),
				Actions:    pulumi.ToStringArray([]string{"kms:Decrypt"}),
				Principals: cloudfront,
				Resources:  pulumi.ToStringArray([]string{"*"}),
				Conditions: fromDistribution,
			},
		},
	}, parent)
	with := func(more ...pulumi.ResourceOption) []pulumi.ResourceOption {
		return append(append([]pulumi.ResourceOption{parent}, opts...), more...)
	}
	key, err := newKey(ctx, name+"-key", keyDescription, keyPolicy.Json(), with(pulumi.Protect(protect))...)
	if err != nil {
		return nil, nil, err
	}
	sse, err := encrypt(ctx, name, set.bucket, key, with()...)
	if err != nil {
		return nil, nil, err
	}
	b := set.bucket
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			iam.GetPolicyDocumentStatementArgs{
				Sid:        pulumi.String("AllowCloudFrontOACRead"),
				Effect:     pulumi.String("Allow"),
				Actions:    pulumi.ToStringArray([]string{"s3:GetObject"}),
				Principals: cloudfront,
				Resources:  pulumi.StringArray{pulumi.Sprintf("%s/*", b.Arn)},
				Conditions: fromDistribution,
			},
			denyInsecureTransport(b.Arn),
		},
	}, parent)
	if _, err := s3.NewBucketPolicy(ctx, name, &s3.BucketPolicyArgs{Bucket: b.ID(), Policy: doc.Json()},
		with(pulumi.DependsOn(set.ready))...); err != nil {
		return nil, nil, err
	}
	return key, sse, nil
}

// bucket creates a private, versioned bucket (never force-destroyed) with
// its ownership rule and every public-access block; key, when set, is its
// default SSE-KMS key; tags, when set, are the bucket's own tags (the
// provider adds the stack's). opts (a provider) apply to every resource.
func (f *Frontend) bucket(ctx *pulumi.Context, name, ownership string, key *kms.Key, protect bool, tags pulumi.StringMap,
	opts ...pulumi.ResourceOption,
) (*bucketSet, error) {
	with := func(more ...pulumi.ResourceOption) []pulumi.ResourceOption {
		return append(append([]pulumi.ResourceOption{pulumi.Parent(f)}, opts...), more...)
	}
	bucketArgs := &s3.BucketV2Args{ForceDestroy: pulumi.Bool(false)}
	if len(tags) > 0 {
		bucketArgs.Tags = tags
	}
	b, err := s3.NewBucketV2(ctx, name, bucketArgs, with(pulumi.Protect(protect))...)
	if err != nil {
		return nil, err
	}
	pab, err := s3.NewBucketPublicAccessBlock(ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket:                b.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, with()...)
	if err != nil {
		return nil, err
	}
	own, err := s3.NewBucketOwnershipControls(ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: b.ID(),
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String(ownership)},
	}, with()...)
	if err != nil {
		return nil, err
	}
	ver, err := s3.NewBucketVersioningV2(ctx, name, &s3.BucketVersioningV2Args{
		Bucket:                  b.ID(),
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, with()...)
	if err != nil {
		return nil, err
	}
	if key != nil {
		if _, err := encrypt(ctx, name, b, key, with()...); err != nil {
			return nil, err
		}
	}
	return &bucketSet{bucket: b, ready: []pulumi.Resource{pab, own}, versioning: ver}, nil
}

// encrypt sets the bucket's default encryption: SSE-KMS under key with
// S3 Bucket Keys, or, with a nil key, SSE-S3 (AES256), the only default
// encryption a server access log target may have.
func encrypt(ctx *pulumi.Context, name string, b *s3.BucketV2, key *kms.Key, opts ...pulumi.ResourceOption) (pulumi.Resource, error) {
	sse := &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{SseAlgorithm: pulumi.String("AES256")}
	if key != nil {
		sse = &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
			SseAlgorithm:   pulumi.String("aws:kms"),
			KmsMasterKeyId: key.Arn,
		}
	}
	return s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: b.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: sse,
			BucketKeyEnabled:                   pulumi.Bool(key != nil),
		}},
	}, opts...)
}

// newKey is a customer managed key with rotation and a 30-day deletion
// window. Callers protect it like the data it encrypts: a deleted key makes
// that data unreadable.
func newKey(ctx *pulumi.Context, name, description string, keyPolicy pulumi.StringOutput, opts ...pulumi.ResourceOption) (*kms.Key, error) {
	return kms.NewKey(ctx, name, &kms.KeyArgs{
		Description:          pulumi.String(description),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy:               keyPolicy,
	}, opts...)
}

// denyInsecureTransport refuses any request to the bucket that is not TLS.
func denyInsecureTransport(bucketArn pulumi.StringOutput) iam.GetPolicyDocumentStatementArgs {
	return iam.GetPolicyDocumentStatementArgs{
		Sid:     pulumi.String("DenyInsecureTransport"),
		Effect:  pulumi.String("Deny"),
		Actions: pulumi.ToStringArray([]string{"s3:*"}),
		Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
			Type: pulumi.String("*"), Identifiers: pulumi.ToStringArray([]string{"*"}),
		}},
		Resources: pulumi.StringArray{bucketArn, pulumi.Sprintf("%s/*", bucketArn)},
		Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
			Test: pulumi.String("Bool"), Variable: pulumi.String("aws:SecureTransport"), Values: pulumi.ToStringArray([]string{"false"}),
		}},
	}
}
