package policy

import "github.com/dbay/infra/internal/mockengine"

func init() { topicFixtureSets = append(topicFixtureSets, endpointFixtures) }

// S3 gateway endpoint fixtures in us-east-1.
func endpointFixtures() map[string]fixture {
	const epID = "vpce-0123456789abcdef0"
	ep := func(policyDoc any) *mockengine.Resource {
		inputs := map[string]any{"vpcEndpointType": "Gateway", "serviceName": "com.amazonaws.us-east-1.s3", "vpcId": "vpc-1"}
		if policyDoc != nil {
			inputs["policy"] = policyDoc
		}
		return res(vpcEndpoint, "s3", inputs, out("id", epID), in("us-east-1"))
	}
	attached := func(doc string) *mockengine.Resource {
		return res(vpcEndpointPolicy, "s3-endpoint-policy", map[string]any{"vpcEndpointId": epID, "policy": doc}, in("us-east-1"))
	}
	const scoped = `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::listing-images","arn:aws:s3:::listing-images/*"]},` +
		`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"}]}`

	const noLayers = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::listing-images/*"]}]}`
	return map[string]fixture{
		"s3-gateway-endpoint-scoped": {
			good: one(ep(nil), attached(scoped)),
			// the default policy; a policy on every bucket
			bad: one(ep(nil)),
		},
		"s3-gateway-endpoint-admits-ecr-layers": {
			good: one(ep(scoped)),
			bad:  one(ep(noLayers)),
		},
	}
}
