package main

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Region is one stack's home Region: its provider, key and state bucket.
type Region struct {
	Stack    Stack
	Provider *aws.Provider
	Key      *kms.Key
	Alias    string // alias/<prefix>-pulumi-<stack>
	Bucket   *s3.BucketV2
	Name     string // the bucket's name
	// Versioning is the bucket's versioning resource: replication needs it
	// on both sides first.
	Versioning *s3.BucketVersioningV2
}

// BackendURL is the stack's `pulumi login` URL: its prefix in its Region's
// bucket, with the bucket's Region, so the CLI reaches it whatever
// AWS_REGION says (the URL is gocloud.dev's s3blob URL, whose query takes
// region: https://gocloud.dev/howto/blob/#s3).
func (r *Region) BackendURL() string {
	return fmt.Sprintf("s3://%s/%s?region=%s", r.Name, r.Stack.Name, r.Stack.Region)
}

// SecretsProvider is the stack's `--secrets-provider`: its Region's key, by
// alias, in its Region (https://www.pulumi.com/docs/iac/concepts/secrets/#aws-key-management-service-kms).
func (r *Region) SecretsProvider() string {
	return fmt.Sprintf("awskms://%s?region=%s", r.Alias, r.Stack.Region)
}

// newRegion creates a stack's key and state bucket in its Region.
func newRegion(ctx *pulumi.Context, prefix, account string, st Stack) (*Region, error) {
	r := &Region{Stack: st, Alias: fmt.Sprintf("alias/%s-pulumi-%s", prefix, st.Name),
		Name: fmt.Sprintf("%s-pulumi-state-%s-%s", prefix, account, st.Region)}
	var err error
	if r.Provider, err = aws.NewProvider(ctx, "aws-"+st.Region, &aws.ProviderArgs{Region: pulumi.String(st.Region)}); err != nil {
		return nil, err
	}
	in := pulumi.Provider(r.Provider)
	kept := []pulumi.ResourceOption{in, pulumi.Protect(true), pulumi.RetainOnDelete(true)}

	// The key's policy is KMS's default (the account administers it, IAM
	// policies grant its use): the CI roles' policies below name it.
	if r.Key, err = kms.NewKey(ctx, "pulumi-"+st.Name, &kms.KeyArgs{
		Description:          pulumi.Sprintf("Pulumi secrets provider of the %s stacks and SSE-KMS key of their state bucket %s", st.Name, r.Name),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
	}, kept...); err != nil {
		return nil, err
	}
	if _, err := kms.NewAlias(ctx, "pulumi-"+st.Name, &kms.AliasArgs{Name: pulumi.String(r.Alias), TargetKeyId: r.Key.KeyId}, in); err != nil {
		return nil, err
	}

	if r.Bucket, err = s3.NewBucketV2(ctx, "state-"+st.Region, &s3.BucketV2Args{Bucket: pulumi.String(r.Name)}, kept...); err != nil {
		return nil, err
	}
	bucket := r.Bucket.Bucket
	if r.Versioning, err = s3.NewBucketVersioningV2(ctx, "state-"+st.Region, &s3.BucketVersioningV2Args{
		Bucket:                  bucket,
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, in); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, "state-"+st.Region, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket,
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("aws:kms"), KmsMasterKeyId: r.Key.Arn,
			},
			BucketKeyEnabled: pulumi.Bool(true),
		}},
	}, in); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketPublicAccessBlock(ctx, "state-"+st.Region, &s3.BucketPublicAccessBlockArgs{
		Bucket: bucket, BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, in); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, "state-"+st.Region, &s3.BucketOwnershipControlsArgs{
		Bucket: bucket,
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, in); err != nil {
		return nil, err
	}
	// TLS only: deny every request with aws:SecureTransport false
	// (https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule).
	if _, err := s3.NewBucketPolicy(ctx, "state-"+st.Region, &s3.BucketPolicyArgs{
		Bucket: bucket,
		Policy: r.Bucket.Arn.ApplyT(func(arn string) (string, error) { return TLSOnlyPolicy(arn) }).(pulumi.StringOutput),
	}, in); err != nil {
		return nil, err
	}
	all := &s3.BucketLifecycleConfigurationV2RuleFilterArgs{}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, "state-"+st.Region, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket,
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{
			s3.BucketLifecycleConfigurationV2RuleArgs{
				Id: pulumi.String("noncurrent"), Status: pulumi.String("Enabled"), Filter: all,
				NoncurrentVersionExpiration: &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{NoncurrentDays: pulumi.Int(NoncurrentDays)},
				AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
					DaysAfterInitiation: pulumi.Int(7),
				},
			},
		},
	}, in, pulumi.DependsOn([]pulumi.Resource{r.Versioning})); err != nil {
		return nil, err
	}
	return r, nil
}

// TLSOnlyPolicy is the bucket policy refusing every request not sent over TLS.
func TLSOnlyPolicy(bucketArn string) (string, error) {
	b, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
			"Resource":  []string{bucketArn, bucketArn + "/*"},
			"Condition": map[string]any{"Bool": map[string]string{"aws:SecureTransport": "false"}},
		}},
	})
	return string(b), err
}
