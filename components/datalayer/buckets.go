package datalayer

import (
	"fmt"
	"github.com/dbay/infra/components/internal/lifecycle"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/dr"
)

const (
	// logNoncurrentDays a deleted or overwritten access log stays recoverable.
	logNoncurrentDays = 30
)

// newBuckets creates every configured bucket and the access-log bucket
// they all log to; with DR, their replicas log to a second one in the DR
// region (dr_buckets.go).
func (d *DataLayer) newBuckets(ctx *pulumi.Context) error {
	specs := d.args.Spec.Buckets
	if len(specs) == 0 {
		return nil
	}
	if d.mode == secondary {
		// Recovery: the data buckets are the primary's replicas in this
		// region; they already log to the primary stack's access-log
		// bucket in this region, so no access-log bucket here.
		d.adoptReplicaBuckets(d.args.DR.Source)
		return nil
	}
	names := make([]string, 0, len(specs))
	for n := range specs {
		names = append(names, n)
	}
	sort.Strings(names)

	logs, err := d.newLogBucket(ctx, config.LogBucketName)
	if err != nil {
		return err
	}
	for _, name := range names {
		b, err := d.newBucket(ctx, name, specs[name], logs)
		if err != nil {
			return err
		}
		d.buckets[name] = b
	}
	if d.replicaLogs != nil {
		if err := d.replicaLogs.finish(ctx); err != nil {
			return err
		}
	}
	d.finishReplicas()
	d.LogBucketName = logs.bucket.Bucket
	return logs.finish(ctx)
}

// logBucket is an S3 server access log target and what it has been told
// about its sources so far: finish writes its lifecycle and the policy
// admitting them.
type logBucket struct {
	d      *DataLayer
	name   string
	bucket *s3.BucketV2
	block  *s3.BucketPublicAccessBlock
	// region are the options putting a child in the bucket's region (the
	// DR provider; none in the layer's own region).
	region    []pulumi.ResourceOption
	sources   pulumi.StringArray // the buckets allowed to deliver logs
	prefixes  pulumi.StringArray // where each delivers
	lifecycle s3.BucketLifecycleConfigurationV2RuleArray
}

// newLogBucket creates a protected access-log bucket; region (the DR
// provider; none for the layer's own region) puts it and its settings in
// its sources' region: S3 delivers server access logs within a region
// only. logTo adds its sources, finish its lifecycle and policy.
//
// S3 server access logging only supports SSE-S3 as the default
// encryption of the target bucket: "You can use default bucket
// encryption on the destination bucket only if you use server-side
// encryption with Amazon S3 managed keys (SSE-S3) ... Default
// server-side encryption with AWS KMS keys (SSE-KMS) is not supported."
// (AWS S3 User Guide, enable-server-access-logging.html, as quoted in
// ministryofjustice/modernisation-platform-environments#12965 and
// airbnb/binaryalert#122, where logs stopped arriving under SSE-KMS.)
// Tagged data-class: logs: the DR assessment exempts it (after a
// failover the recovery region writes its own logs; history is not restored).
func (d *DataLayer) newLogBucket(ctx *pulumi.Context, name string, region ...pulumi.ResourceOption) (*logBucket, error) {
	b, err := s3.NewBucketV2(ctx, name, &s3.BucketV2Args{
		Tags: pulumi.StringMap{dr.TagDataClass: pulumi.String(dr.DataClassLog)},
	}, append(d.protect(), region...)...)
	if err != nil {
		return nil, err
	}
	block, _, err := d.secureBucket(ctx, name, b,
		s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{SseAlgorithm: pulumi.String("AES256")}, region...)
	if err != nil {
		return nil, err
	}
	return &logBucket{d: d, name: name, bucket: b, block: block, region: region,
		lifecycle: s3.BucketLifecycleConfigurationV2RuleArray{lifecycle.AbortUploads(), expireNoncurrent(logNoncurrentDays)}}, nil
}

// logTo makes source (logical name name, in the log bucket's region) log
// to l under "<name>/", partitioned by event time, kept for days.
func (l *logBucket) logTo(ctx *pulumi.Context, name string, source *s3.BucketV2, days int) error {
	d := l.d
	if _, err := s3.NewBucketLoggingV2(ctx, name, &s3.BucketLoggingV2Args{
		Bucket: source.Bucket, TargetBucket: l.bucket.Bucket, TargetPrefix: pulumi.String(name + "/"),
		TargetObjectKeyFormat: &s3.BucketLoggingV2TargetObjectKeyFormatArgs{
			PartitionedPrefix: &s3.BucketLoggingV2TargetObjectKeyFormatPartitionedPrefixArgs{PartitionDateSource: pulumi.String("EventTime")},
		},
	}, append([]pulumi.ResourceOption{pulumi.Parent(d)}, l.region...)...); err != nil {
		return err
	}
	l.sources = append(l.sources, source.Arn)
	l.prefixes = append(l.prefixes, pulumi.Sprintf("%s/%s/*", l.bucket.Arn, name))
	l.lifecycle = append(l.lifecycle, s3.BucketLifecycleConfigurationV2RuleArgs{
		Id:         pulumi.String("expire-" + name),
		Status:     pulumi.String("Enabled"),
		Filter:     &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String(name + "/")},
		Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(days)},
	})
	return nil
}

// finish gives the log bucket its lifecycle (each source's logs expire
// after its days) and its policy: TLS only, and s3:PutObject for S3's
// log delivery on behalf of this account's sources only, each under its
// own prefix.
func (l *logBucket) finish(ctx *pulumi.Context) error {
	d := l.d
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, l.name, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: l.bucket.Bucket, Rules: l.lifecycle,
	}, append([]pulumi.ResourceOption{pulumi.Parent(d)}, l.region...)...); err != nil {
		return err
	}
	delivery := iam.GetPolicyDocumentStatementArgs{
		Sid:     pulumi.String("S3ServerAccessLogDelivery"),
		Effect:  pulumi.String("Allow"),
		Actions: pulumi.ToStringArray([]string{"s3:PutObject"}),
		Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
			Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{"logging.s3.amazonaws.com"}),
		}},
		Resources: l.prefixes,
		Conditions: iam.GetPolicyDocumentStatementConditionArray{
			iam.GetPolicyDocumentStatementConditionArgs{
				Test: pulumi.String("StringEquals"), Variable: pulumi.String("aws:SourceAccount"), Values: pulumi.StringArray{d.account},
			},
			iam.GetPolicyDocumentStatementConditionArgs{
				Test: pulumi.String("ArnLike"), Variable: pulumi.String("aws:SourceArn"), Values: l.sources,
			},
		},
	}
	return d.bucketPolicy(ctx, l.name, l.bucket, l.block, l.region, delivery)
}

// newBucket creates one data bucket: encrypted with the layer key, logged,
// versioned with old versions expiring, and open to browser uploads from
// the configured origins only.
func (d *DataLayer) newBucket(ctx *pulumi.Context, name string, spec config.Bucket, logs *logBucket) (*Bucket, error) {
	args := &s3.BucketV2Args{Tags: d.backupTags()}
	if spec.Name != "" {
		args.Bucket = pulumi.String(spec.Name)
	}
	b, err := s3.NewBucketV2(ctx, name, args, d.protect()...)
	if err != nil {
		return nil, err
	}
	block, versioning, err := d.secureBucket(ctx, name, b, s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
		SseAlgorithm: pulumi.String("aws:kms"), KmsMasterKeyId: d.key.Arn,
	})
	if err != nil {
		return nil, err
	}
	if err := d.bucketPolicy(ctx, name, b, block, nil); err != nil {
		return nil, err
	}
	if err := logs.logTo(ctx, name, b, spec.AccessLogDays); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: b.Bucket,
		Rules:  s3.BucketLifecycleConfigurationV2RuleArray{lifecycle.AbortUploads(), expireNoncurrent(spec.NoncurrentVersionDays)},
	}, pulumi.Parent(d)); err != nil {
		return nil, err
	}
	if err := d.bucketCors(ctx, name, b, spec); err != nil {
		return nil, err
	}
	if d.mode == globalPrimary {
		if err := d.replicateBucket(ctx, name, spec, b, versioning); err != nil {
			return nil, err
		}
	}
	return &Bucket{Name: b.Bucket, Arn: b.Arn, key: d.key.Arn, logical: name, envVar: spec.EnvVar, d: d}, nil
}

// bucketCors lets the configured origins (https://app.<domain> by default)
// upload from the browser.
func (d *DataLayer) bucketCors(ctx *pulumi.Context, name string, b *s3.BucketV2, spec config.Bucket, opts ...pulumi.ResourceOption) error {
	origins := spec.CorsOrigins
	if len(origins) == 0 {
		origins = []string{"https://app." + d.args.Domain}
	}
	if _, err := s3.NewBucketCorsConfigurationV2(ctx, name, &s3.BucketCorsConfigurationV2Args{
		Bucket: b.Bucket,
		CorsRules: s3.BucketCorsConfigurationV2CorsRuleArray{s3.BucketCorsConfigurationV2CorsRuleArgs{
			Id:             pulumi.String("browser-uploads"),
			AllowedMethods: pulumi.ToStringArray([]string{"GET", "PUT", "POST", "HEAD"}),
			AllowedOrigins: pulumi.ToStringArray(origins),
			AllowedHeaders: pulumi.ToStringArray([]string{"*"}),
			ExposeHeaders:  pulumi.ToStringArray([]string{"ETag"}), // multipart uploads read it
			MaxAgeSeconds:  pulumi.Int(3000),
		}},
	}, append([]pulumi.ResourceOption{pulumi.Parent(d)}, opts...)...); err != nil {
		return err
	}
	return nil
}

// secureBucket gives a bucket what every bucket of the layer has:
// versioning, default encryption, all four public-access blocks and
// ACLs disabled (BucketOwnerEnforced). It returns the public-access block,
// which the bucket policy waits for (S3 refuses concurrent changes), and
// the versioning, which a replication configuration waits for. opts are
// added to every child (the DR provider, for replicas).
func (d *DataLayer) secureBucket(ctx *pulumi.Context, name string, b *s3.BucketV2,
	sse s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs, opts ...pulumi.ResourceOption,
) (*s3.BucketPublicAccessBlock, *s3.BucketVersioningV2, error) {
	child := append([]pulumi.ResourceOption{pulumi.Parent(d)}, opts...)
	versioning, err := s3.NewBucketVersioningV2(ctx, name, &s3.BucketVersioningV2Args{
		Bucket:                  b.Bucket,
		VersioningConfiguration: s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, child...)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: b.Bucket,
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: sse,
			// Bucket keys cut KMS calls; they do nothing under SSE-S3, so only set them for KMS.
			BucketKeyEnabled: pulumi.Bool(sse.KmsMasterKeyId != nil),
		}},
	}, child...); err != nil {
		return nil, nil, err
	}
	block, err := s3.NewBucketPublicAccessBlock(ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket:                b.Bucket,
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, child...)
	if err != nil {
		return nil, nil, err
	}
	_, err = s3.NewBucketOwnershipControls(ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: b.Bucket,
		Rule:   s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, child...)
	return block, versioning, err
}

// bucketPolicy refuses every request not made over TLS, plus the extra
// statements given; opts are added to the policy resource's options.
func (d *DataLayer) bucketPolicy(ctx *pulumi.Context, name string, b *s3.BucketV2, block *s3.BucketPublicAccessBlock,
	opts []pulumi.ResourceOption, extra ...iam.GetPolicyDocumentStatementInput,
) error {
	statements := append([]iam.GetPolicyDocumentStatementInput{
		denyInsecureTransport("s3:*", b.Arn, pulumi.Sprintf("%s/*", b.Arn)),
	}, extra...)
	_, err := s3.NewBucketPolicy(ctx, name, &s3.BucketPolicyArgs{
		Bucket: b.Bucket,
		Policy: d.policyJSON(ctx, statements...),
	}, append([]pulumi.ResourceOption{pulumi.Parent(d), pulumi.DependsOn([]pulumi.Resource{block})}, opts...)...)
	return err
}

func expireNoncurrent(days int) s3.BucketLifecycleConfigurationV2RuleArgs {
	return s3.BucketLifecycleConfigurationV2RuleArgs{
		Id:                          pulumi.String("expire-noncurrent-versions"),
		Status:                      pulumi.String("Enabled"),
		Filter:                      &s3.BucketLifecycleConfigurationV2RuleFilterArgs{},
		NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{NoncurrentDays: pulumi.Int(days)},
		Expiration:                  &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{ExpiredObjectDeleteMarker: pulumi.Bool(true)},
	}
}

// GrantRead lets the grantee list the bucket and read its objects,
// decrypting with the layer key through S3 only.
func (b *Bucket) GrantRead(ctx *pulumi.Context, g iamdoc.Grantee) (iamdoc.Grant, error) {
	return b.grant(ctx, g, "read", []string{"s3:GetObject"}, "kms:Decrypt")
}

// GrantReadWrite lets the grantee list the bucket and read, write and
// delete its objects, using the layer key through S3 only.
func (b *Bucket) GrantReadWrite(ctx *pulumi.Context, g iamdoc.Grantee) (iamdoc.Grant, error) {
	return b.grant(ctx, g, "readwrite", []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, "kms:GenerateDataKey", "kms:Decrypt")
}

func (b *Bucket) grant(ctx *pulumi.Context, g iamdoc.Grantee, what string, objectActions []string, keyActions ...string) (iamdoc.Grant, error) {
	return iamdoc.AttachGrant(ctx, b.d, g, fmt.Sprintf("%s-%s", b.logical, what), iam.GetPolicyDocumentStatementArray{
		allowOn("Objects", objectActions, pulumi.Sprintf("%s/*", b.Arn)),
		allowOn("List", []string{"s3:ListBucket"}, b.Arn),
		keyUse("LayerKeyViaS3", b.key, b.d.viaService("s3", b.d.args.Region), keyActions...),
	})
}

// Env is the bucket's connection variable: its name under the configured
// variable (AWS_S3_BUCKET_NAME unless data.buckets.<name>.envVar says otherwise).
func (b *Bucket) Env() map[string]pulumi.StringOutput {
	return map[string]pulumi.StringOutput{b.envVar: b.Name}
}

// BucketArns are the ARNs of the stack's data buckets (a recovery stack's:
// the replicas it adopted), by logical name: what the network's S3
// gateway endpoint admits (network.RestrictS3).
func (d *DataLayer) BucketArns() pulumi.StringArray {
	out := pulumi.StringArray{}
	for _, name := range sortedKeys(d.args.Spec.Buckets) {
		if b := d.buckets[name]; b != nil {
			out = append(out, b.Arn)
		}
	}
	return out
}
