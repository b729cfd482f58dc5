package network

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ECRLayerBucket is the AWS-owned bucket Amazon ECR serves image layers
// from in region: a task or node pulling an image through the S3 gateway
// endpoint reads it, so a restricted endpoint policy must allow it
// ("Minimum Amazon S3 bucket permissions for Amazon ECR",
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html).
func ECRLayerBucket(partition, region string) string {
	return fmt.Sprintf("arn:%s:s3:::prod-%s-starport-layer-bucket", partition, region)
}

// RestrictS3 replaces the S3 gateway endpoint's default policy (full
// access to every bucket in every account) with one that admits only the
// buckets given (and their objects) and the ECR layer bucket, so code in
// the VPC cannot move data to a bucket outside the program through the
// endpoint (endpoint policies:
// https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html;
// for S3: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html#vpc-endpoints-policies-s3).
// Call it once every bucket the stack's consumers use exists; it returns
// the policy (nil when the network has no S3 gateway endpoint). Traffic to
// a bucket not listed is refused at the endpoint whatever IAM allows: the
// wiring proof checks every bucket edge against this policy.
func (n *Network) RestrictS3(ctx *pulumi.Context, buckets pulumi.StringArrayInput) (*ec2.VpcEndpointPolicy, error) {
	if n.s3Endpoint == nil {
		return nil, nil
	}
	partition := n.args.Partition
	if partition == "" {
		partition = "aws"
	}
	layers := ECRLayerBucket(partition, n.args.Region)
	doc := buckets.ToStringArrayOutput().ApplyT(func(arns []string) (string, error) {
		statements := []map[string]any{
			{"Sid": "EcrImageLayers", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": layers + "/*"},
		}
		if len(arns) > 0 {
			resources := make([]string, 0, 2*len(arns))
			for _, a := range arns {
				resources = append(resources, a, a+"/*")
			}
			statements = append([]map[string]any{
				{"Sid": "ProgramBuckets", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": resources},
			}, statements...)
		}
		b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
		return string(b), err
	}).(pulumi.StringOutput)
	return ec2.NewVpcEndpointPolicy(ctx, "s3-endpoint-policy", &ec2.VpcEndpointPolicyArgs{
		VpcEndpointId: n.s3Endpoint.ID(),
		Policy:        doc,
	}, pulumi.Parent(n))
}
