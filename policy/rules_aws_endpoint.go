package policy

import (
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const (
	vpcEndpoint       = tokens.EC2VpcEndpoint
	vpcEndpointPolicy = tokens.EC2VpcEndpointPolicy

	endpointPolicySource = "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html#vpc-endpoints-policies-s3"
	ecrLayersSource      = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html"
)

// s3GatewayEndpoint reports whether r is an S3 gateway endpoint.
func s3GatewayEndpoint(r *mockengine.Resource, x Index) bool {
	in := x.In(r)
	return str(in["vpcEndpointType"]) == "Gateway" && strings.HasSuffix(str(in["serviceName"]), ".s3")
}

// restrictedS3Endpoint is an S3 gateway endpoint's policies (none: the
// default); ok is false for any other resource.
func restrictedS3Endpoint(r *mockengine.Resource, x Index) (docs []document, ok bool) {
	if !s3GatewayEndpoint(r, x) {
		return nil, false
	}
	return endpointDocs(r, x), true
}

// endpointDocs are the policies of an endpoint: its `policy` input and any
// aws:ec2/vpcEndpointPolicy attached to it (none: AWS's default, full
// access to every bucket of every account).
func endpointDocs(r *mockengine.Resource, x Index) []document {
	var out []document
	if d, ok := parseDocument(x.In(r)["policy"]); ok {
		out = append(out, d)
	}
	for _, p := range x.Referencing(vpcEndpointPolicy, "vpcEndpointId", r) {
		if d, ok := parseDocument(x.In(p)["policy"]); ok {
			out = append(out, d)
		}
	}
	return out
}

func awsEndpointRules() []Rule {
	return []Rule{
		{
			ID: "s3-gateway-endpoint-scoped", Severity: Medium, Source: endpointPolicySource,
			Title: "The S3 gateway endpoint admits only the program's buckets (and ECR's layers), not every bucket of every account",
			Types: []string{vpcEndpoint},
			Check: func(r *mockengine.Resource, x Index) []string {
				docs, ok := restrictedS3Endpoint(r, x)
				if !ok {
					return nil
				}
				if len(docs) == 0 {
					return []string{problem(r, "has the default endpoint policy, which admits every bucket of every account: code in the VPC can copy data to any bucket through it",
						"restrict it to the stack's buckets (network.RestrictS3)")}
				}
				var out []string
				for _, d := range docs {
					for _, st := range d.Statement {
						if st.Effect != "Allow" {
							continue
						}
						for _, res := range st.Resource {
							if res == "*" || strings.HasSuffix(res, ":s3:::*") {
								out = append(out, problem(r, "its endpoint policy allows "+strings.Join(st.Action, ",")+" on "+res,
									"name the buckets (network.RestrictS3)"))
							}
						}
					}
				}
				return out
			},
		},
		{
			ID: "s3-gateway-endpoint-admits-ecr-layers", Severity: High, Category: CategoryAWSConstraint, Source: ecrLayersSource,
			Title: "A restricted S3 gateway endpoint lets ECR image layers through (prod-<region>-starport-layer-bucket), or no task can pull its image",
			Types: []string{vpcEndpoint},
			Check: func(r *mockengine.Resource, x Index) []string {
				docs, ok := restrictedS3Endpoint(r, x)
				if !ok || len(docs) == 0 {
					return nil // not an S3 gateway endpoint, or the default policy (admits everything)
				}
				region := r.Region
				if region == "" {
					return nil
				}
				layer := "arn:aws:s3:::prod-" + region + "-starport-layer-bucket/sha256/layer"
				for _, d := range docs {
					allowed, denied := false, false
					for _, st := range d.Statement {
						if !st.grantsAction("s3:GetObject") || !st.coversResource(layer) {
							continue
						}
						allowed = allowed || st.Effect == "Allow"
						denied = denied || st.Effect == "Deny"
					}
					if !allowed || denied {
						return []string{problem(r, "its endpoint policy does not allow s3:GetObject on arn:aws:s3:::prod-"+region+"-starport-layer-bucket/*, where ECR serves image layers",
							"allow it (network.RestrictS3 does): image pulls through the endpoint fail otherwise")}
					}
				}
				return nil
			},
		},
	}
}
