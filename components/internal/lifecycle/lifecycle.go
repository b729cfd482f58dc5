// Package lifecycle holds the S3 lifecycle rules every bucket of the
// program carries, whichever component owns the bucket.
package lifecycle

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AbortUploadDays after which incomplete multipart uploads are removed
// (they are billed as storage until then).
const AbortUploadDays = 7

// AbortUploads is the rule removing incomplete multipart uploads after
// AbortUploadDays, over the whole bucket.
func AbortUploads() s3.BucketLifecycleConfigurationV2RuleArgs {
	return s3.BucketLifecycleConfigurationV2RuleArgs{
		Id:     pulumi.String("abort-incomplete-uploads"),
		Status: pulumi.String("Enabled"),
		Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{},
		AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
			DaysAfterInitiation: pulumi.Int(AbortUploadDays),
		},
	}
}
