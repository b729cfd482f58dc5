package config

import (
	"fmt"
	"strings"
)

// checkCodeBucketRegion refuses a code bucket that is not in the stack's
// Region. Lambda reads a zip only from a bucket in the function's own
// Region (https://docs.aws.amazon.com/lambda/latest/api/API_FunctionCode.html);
// a bucket's Region is not part of its name in S3, so the program asks
// for a name ending with it (CodeLocation.Bucket) and checks that.
func checkCodeBucketRegion(c *collector, path, bucket string, scope ServerlessScope) {
	if !IsAWSRegion(scope.Region) {
		return // no Region, or aws:region is itself wrong (reported there)
	}
	want := fmt.Sprintf("name a bucket in %s whose name ends with -%s (e.g. %s), where CI publishes the same packages", scope.Region, scope.Region, withRegion(bucket, scope.Region))
	switch r := BucketRegion(bucket); {
	case r == scope.Region:
	case r != "" && r == scope.PrimaryRegion:
		c.notSupportedf(path, bucket, want, "%q is the primary's bucket (%s): Lambda reads a function's code only from a bucket in the function's own Region (%s)", bucket, r, scope.Region)
	case r != "":
		c.notSupportedf(path, bucket, want, "%q is a bucket in %s: Lambda reads a function's code only from a bucket in the function's own Region (%s)", bucket, r, scope.Region)
	default:
		c.notSupportedf(path, bucket, want, "%q does not end with its Region, so the program cannot tell that it is in %s (Lambda reads code only from the function's own Region)", bucket, scope.Region)
	}
}

// BucketRegion is the AWS Region a bucket's name ends with (-<region>), the
// naming convention of code buckets; "" when it ends with none.
func BucketRegion(bucket string) string {
	best := ""
	for _, r := range awsRegions {
		if strings.HasSuffix(bucket, "-"+r) && len(r) > len(best) {
			best = r
		}
	}
	return best
}

// ImageRegion is the Region of an ECR image URI
// (<account>.dkr.ecr.<region>.amazonaws.com/...), or "".
func ImageRegion(uri string) string {
	host, _, _ := strings.Cut(uri, "/")
	_, rest, ok := strings.Cut(host, ".dkr.ecr.")
	if !ok {
		return ""
	}
	region, _, _ := strings.Cut(rest, ".")
	return region
}

// withRegion is bucket renamed for region: its Region suffix replaced, or added.
func withRegion(bucket, region string) string {
	if r := BucketRegion(bucket); r != "" {
		bucket = strings.TrimSuffix(bucket, "-"+r)
	}
	return bucket + "-" + region
}
