package policy

import (
	"github.com/dbay/infra/internal/mockengine"
)

// inRegion places a fixture resource in a Region (the mock engine records
// it from the resource's provider).
func inRegion(region string) opt {
	return func(r *mockengine.Resource) { r.Region = region }
}

// awsEdgeFixtures are the fixtures of the code-region, text, CloudFront
// and certificate-validation constraint rules.
func awsEdgeFixtures() map[string]fixture {
	west := inRegion("us-west-2")
	zip := func(name, bucket string) *mockengine.Resource {
		return res(function, name, with(goodFunction, "s3Bucket", bucket, "s3Key", "releases/1/"+name+".zip"), west)
	}
	image := func(name, uri string) *mockengine.Resource {
		return res(function, name, with(goodFunction, "packageType", "Image", "imageUri", uri), west)
	}
	return map[string]fixture{
		"lambda-code-same-region": {
			good: one(
				zip("by-name", "dbay-serverless-artifacts-us-west-2"),
				zip("own-bucket", "code-west"), res(bucketV2, "code-west", map[string]any{"bucket": "code-west"}, out("bucket", "code-west"), west),
				zip("unknown-region", "someone-elses-bucket"),
				image("img", "123456789012.dkr.ecr.us-west-2.amazonaws.com/dbay/fn:1.0.0"),
			),
			bad: one(
				zip("by-name", "dbay-serverless-artifacts-us-east-1"),
				zip("own-bucket", "code-east"), res(bucketV2, "code-east", map[string]any{"bucket": "code-east"}, out("bucket", "code-east"), inRegion("us-east-1")),
				image("img", "123456789012.dkr.ecr.us-east-1.amazonaws.com/dbay/fn:1.0.0"),
			),
		},
	}
}
