package policy

import (
	"fmt"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

// awsLambdaRules: where Lambda reads a function's code from.
func awsLambdaRules() []Rule {
	return []Rule{{
		ID: "lambda-code-same-region", Severity: High, Category: CategoryAWSConstraint, Types: []string{function},
		Title: "A function's code (S3 bucket or ECR image) is in the function's own Region",
		// FunctionCode.S3Bucket: "An Amazon S3 bucket in the same AWS Region
		// as your function"; ImageUri: "The Amazon ECR repository must be in
		// the same AWS Region as the Lambda function"
		// (https://docs.aws.amazon.com/lambda/latest/dg/images-create.html).
		Source: "https://docs.aws.amazon.com/lambda/latest/api/API_FunctionCode.html",
		Check: func(r *mockengine.Resource, x Index) []string {
			region := r.Region
			if region == "" {
				return nil
			}
			in := x.In(r)
			var out []string
			if b := str(in["s3Bucket"]); b != "" && known(b) {
				if where, how := codeBucketRegion(b, x); where != "" && where != region {
					out = append(out, problem(r, fmt.Sprintf("runs in %s but its code is in bucket %s, in %s (%s): Lambda refuses a bucket of another Region", region, b, where, how),
						fmt.Sprintf("publish the package to a bucket in %s too and name that one (<project>:serverless.code.bucket)", region)))
				}
			}
			if u := str(in["imageUri"]); u != "" && known(u) {
				if where := config.ImageRegion(u); where != "" && where != region {
					out = append(out, problem(r, fmt.Sprintf("runs in %s but its image %s is in %s: Lambda pulls only from its own Region", region, u, where),
						fmt.Sprintf("replicate the image to an ECR repository in %s and name that one", region)))
				}
			}
			return out
		},
	}}
}

// codeBucketRegion is the Region of a bucket named by a function: the
// Region of the stack's bucket resource of that name, or the Region its
// name ends with; "" when neither tells.
func codeBucketRegion(bucket string, x Index) (region, how string) {
	for _, b := range x.ByRef(bucket) {
		if (b.Type == bucketV2 || b.Type == bucketV1) && b.Region != "" {
			return b.Region, "the stack's bucket"
		}
	}
	// The naming convention config enforces for code buckets
	// (dbay-serverless-artifacts-us-west-2).
	if r := config.BucketRegion(bucket); r != "" {
		return r, "its name ends with its Region"
	}
	return "", ""
}
