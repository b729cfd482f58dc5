package policy

import (
	"strings"
	"testing"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// inRegion places a fixture resource in a Region (the mock engine records
// it from the resource's provider).
func inRegion(region string) opt {
	return func(r *mockengine.Resource) { r.Region = region }
}

func init() { topicFixtureSets = append(topicFixtureSets, awsEdgeFixtures) }

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
	fx := textFixtures()
	for id, f := range map[string]fixture{
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
		"cloudfront-authorization-forwarded": {
			good: one(
				res(distribution, "cdn", with(goodDistribution, "orderedCacheBehaviors", list1(map[string]any{"pathPattern": "/api/*", "targetOriginId": "api",
					"cachePolicyId": cfCachingDisabled, "originRequestPolicyId": cfAllViewerExceptHost}))),
				res(distribution, "alb", with(goodDistribution, "defaultCacheBehavior", map[string]any{"targetOriginId": "api", "cachePolicyId": "dynamic-1"})),
				res(cachePolicyType, "dynamic", map[string]any{"parametersInCacheKeyAndForwardedToOrigin": map[string]any{"headersConfig": map[string]any{
					"headerBehavior": "whitelist", "headers": map[string]any{"items": list1("Host", "Authorization")}}}}, out("id", "dynamic-1")),
			),
			bad: one(
				// Dhanam before the fix: api.<domain> through a default
				// behavior that caches and keys on Host only.
				res(distribution, "alb", with(goodDistribution, "defaultCacheBehavior", map[string]any{"targetOriginId": "api", "cachePolicyId": "dynamic-1",
					"originRequestPolicyId": cfAllViewer})),
				res(cachePolicyType, "dynamic", map[string]any{"parametersInCacheKeyAndForwardedToOrigin": map[string]any{"headersConfig": map[string]any{
					"headerBehavior": "whitelist", "headers": map[string]any{"items": list1("Host")}}}}, out("id", "dynamic-1")),
				// CachingDisabled without an all-viewer request policy.
				res(distribution, "cdn", with(goodDistribution, "orderedCacheBehaviors", list1(map[string]any{"pathPattern": "/api/*", "targetOriginId": "api",
					"cachePolicyId": cfCachingDisabled}))),
			),
		},
		"route53-record-one-owner": {
			good: one(
				record("alb-certificate-validation", validation, "CNAME", nil),
				record("api-A", "api.dbay.example.com", "A", nil), record("api-AAAA", "api.dbay.example.com", "AAAA", nil),
				record("api-primary", "ws.dbay.example.com", "A", "primary"), record("api-secondary", "ws.dbay.example.com", "A", "secondary"),
			),
			bad: one(
				// Before the fix: the site and ALB certificates both write
				// the <domain> validation record, sharing it with allowOverwrite.
				res(route53Record, "site-certificate-validation", map[string]any{"zoneId": "Z1", "name": validation, "type": "CNAME", "allowOverwrite": true}),
				record("alb-certificate-validation", validation, "CNAME", nil),
			),
		},
	} {
		fx[id] = f
	}
	return fx
}

const validation = "_64aacd4fc5139dfc81b564bf6ae60b24.dbay.example.com."

// record is a Route 53 record in zone Z1 (setIdentifier nil: simple routing).
func record(name, host, typ string, set any) *mockengine.Resource {
	in := map[string]any{"zoneId": "Z1", "name": host, "type": typ}
	if set != nil {
		in["setIdentifier"] = set
	}
	return res(route53Record, name, in)
}

// textFixtures builds each text rule's fixtures from its table row: every
// field at its ok example, or at its bad one.
func textFixtures() map[string]fixture {
	out := map[string]fixture{}
	for _, t := range textRules {
		good, bad := map[string]any{}, map[string]any{}
		for _, f := range t.fields {
			setPath(good, f.key, f.ok)
			setPath(bad, f.key, f.bad)
		}
		out["text-"+t.id] = fixture{good: one(res(t.typ, "x", good)), bad: one(res(t.typ, "x", bad))}
	}
	return out
}

// setPath sets a dotted path; "k[]" is a list of one object, shared by the
// paths through it.
func setPath(m map[string]any, path, v string) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		if strings.HasSuffix(k, "[]") {
			k = strings.TrimSuffix(k, "[]")
			if _, ok := m[k]; !ok {
				m[k] = []any{map[string]any{}}
			}
			m = m[k].([]any)[0].(map[string]any)
			continue
		}
		if _, ok := m[k]; !ok {
			m[k] = map[string]any{}
		}
		m = m[k].(map[string]any)
	}
	m[keys[len(keys)-1]] = v
}

// Each row's examples are what the row says: ok passes, bad fails, one by
// one (the generated fixtures only prove each rule fails somewhere).
func TestTextTableExamples(t *testing.T) {
	t.Parallel()
	for _, r := range textRules {
		for _, f := range r.fields {
			if why := f.refuses(f.ok); why != "" {
				t.Errorf("%s %s: ok example %q refused: %s", r.typ, f.key, f.ok, why)
			}
			if f.refuses(f.bad) == "" {
				t.Errorf("%s %s: bad example %q accepted", r.typ, f.key, f.bad)
			}
			if !strings.HasPrefix(f.source, "https://docs.aws.amazon.com/") {
				t.Errorf("%s %s: source %q is not an AWS reference", r.typ, f.key, f.source)
			}
		}
	}
}

// The WAF description, an em dash in an IAM description, an
// apostrophe in a security group description; an auto-named target group
// whose logical name has an underscore.
func TestTextRulesOnKnownCases(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		id   string
		r    *mockengine.Resource
		want string
	}{
		{"text-wafv2-web-acl", res(tokens.WAFv2WebAcl, "alb", map[string]any{"description": "ALB behind CloudFront: origin.dhanam.io (recovery)"}),
			`description "ALB behind CloudFront: origin.dhanam.io (recovery)" contains '(', ')', which the API's pattern`},
		{"text-iam-role", res(tokens.IAMRole, "wallet", map[string]any{"description": "Runs wallet — xpub only"}),
			`description "Runs wallet — xpub only" contains '—'`},
		{"text-ec2-security-group", res(tokens.EC2SecurityGroup, "alb", map[string]any{"description": "the services' ALB"}),
			`description "the services' ALB" contains '\''`},
		{"text-elb-target-group", res(tokens.LBTargetGroup, "search_gateway", map[string]any{}),
			`name "search_gateway-0a1b2c3" contains '_'`},
		{"text-cloudfront-distribution", res(tokens.CloudFrontDistribution, "cdn", map[string]any{"comment": strings.Repeat("c", 129)}),
			"is 129 characters long, over the API's 128"},
	} {
		rep := evaluate([]Rule{ruleByID(t, tt.id)}, one(tt.r), nil, Options{})
		if len(rep.Violations) != 1 || !strings.Contains(rep.Violations[0].Message, tt.want) {
			t.Errorf("%s: violations %+v, want one with %q", tt.id, rep.Violations, tt.want)
		}
	}
}

// Both ways a record gets a second owner are reported: an ACM validation
// record with allowOverwrite, and two records of one name and type.
func TestRecordOwnerFindsBothProblems(t *testing.T) {
	t.Parallel()
	f := awsEdgeFixtures()["route53-record-one-owner"]
	rep := evaluate([]Rule{ruleByID(t, "route53-record-one-owner")}, f.bad, nil, Options{})
	var msgs []string
	for _, v := range rep.Violations {
		msgs = append(msgs, v.Message)
	}
	all := strings.Join(msgs, "\n")
	if len(msgs) != 2 || !strings.Contains(all, "with allowOverwrite") || !strings.Contains(all, "which alb-certificate-validation writes too") {
		t.Errorf("violations:\n%s", all)
	}
}
