package policy

import (
	"fmt"
	"strings"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const codeSigningConfig = tokens.LambdaCodeSigningConfig

// awsLambdaRules: where Lambda reads a function's code from, and what a
// function that reads a single-reader secret must run.
func awsLambdaRules() []Rule {
	return []Rule{sealedReaderRule(), {
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

// sealedReaderRule: the one function that may read a single-reader secret
// (the xpriv) is the one thing its policy cannot protect: whoever can
// change its code or reach its network reads the secret through it. So it
// runs only code the stack's signing profile signed, and shares its
// security group with no other function (issue 15 item 4).
func sealedReaderRule() Rule {
	return Rule{
		ID: "lambda-sealed-reader-signed-isolated", Severity: High, Types: []string{function},
		Category: CategoryBestPractice, Source: config.CodeSigningSource + "; " + sealedSource,
		Title: "A function that reads a single-reader secret runs only signed code (a code signing config with Enforce) and has a security group of its own",
		Check: func(r *mockengine.Resource, x Index) []string {
			in := x.In(r)
			secretName := x.sealedSecretReadBy(str(in["role"]))
			if secretName == "" {
				return nil
			}
			var out []string
			what := "reads the single-reader secret " + secretName
			if str(in["packageType"]) == "Image" {
				out = append(out, problem(r, what+" but is an image, which Lambda cannot verify a signature on",
					"ship it as a zip and set signed: true"))
			}
			cscs := x.Resolve(codeSigningConfig, str(in["codeSigningConfigArn"]))
			if len(cscs) == 0 {
				out = append(out, problem(r, what+" but has no code signing config: anyone who can write its package to the code bucket runs code with the secret",
					"set signed: true on the function (a signing profile and a code signing config with Enforce)"))
			}
			for _, c := range cscs {
				cin := x.In(c)
				if str(get(cin, "policies.untrustedArtifactOnDeployment")) != "Enforce" {
					out = append(out, problem(r, what+" but its code signing config "+c.Name+" only warns on an unsigned package",
						"set policies.untrustedArtifactOnDeployment: Enforce"))
				}
				if len(list(get(cin, "allowedPublishers.signingProfileVersionArns"))) == 0 {
					out = append(out, problem(r, "its code signing config "+c.Name+" names no signing profile", "allow the stack's signing profile version"))
				}
			}
			mine := map[string]bool{}
			for _, sg := range list(get(in, "vpcConfig.securityGroupIds")) {
				mine[str(sg)] = true
			}
			for _, o := range x.ByType(function) {
				if o.URN == r.URN {
					continue
				}
				for _, sg := range list(get(x.In(o), "vpcConfig.securityGroupIds")) {
					if mine[str(sg)] && known(str(sg)) {
						out = append(out, problem(r, fmt.Sprintf("%s but shares security group %s with function %s: whatever that one may reach, so may this one, and the reverse", what, str(sg), o.Name),
							"give it a security group of its own (components/serverless/network.go)"))
					}
				}
			}
			return out
		},
	}
}

// sealedSecretReadBy names the single-reader secret whose policy exempts
// the role with this ARN from its deny of reads ("" when none does).
func (x Index) sealedSecretReadBy(roleArn string) string {
	var name string
	for _, role := range x.Resolve(iamRole, roleArn) {
		name = str(x.In(role)["name"])
	}
	if name == "" || !known(name) {
		return ""
	}
	for _, p := range x.ByType(secretPolicy) {
		raw := str(x.In(p)["policy"])
		d, ok := parseDocument(raw)
		if !ok || !deniesToOthers(d, "secretsmanager:GetSecretValue") || !strings.Contains(raw, ":role/"+name+`"`) {
			continue
		}
		for _, s := range x.Resolve(secret, str(x.In(p)["secretArn"])) {
			return str(x.In(s)["name"])
		}
		return p.Name
	}
	return ""
}
