package serverless

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
)

// The HTTP API behind the edge (issue 15 item 3). HTTP and WebSocket APIs
// cannot be associated with a WAF web ACL
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html:
// REST APIs only), so the CloudFront distribution's web ACL (rate per IP,
// SQLi, IP reputation) protects the API only if nothing reaches the API
// around CloudFront. The choice (docs/security.md "Trust boundaries"): keep the HTTP
// API and make CloudFront the only way in, as Dhanam's ALB does —
//
//   - CloudFront sends X-Origin-Verify with a generated value to the API
//     origin (a custom origin header overwrites a viewer's header of the
//     same name);
//   - every route but the health check has a REQUEST authorizer whose
//     identity sources include that header: API Gateway answers 401 to a
//     request without it before any function runs (request-parameter
//     authorizers answer 401 without calling the function when "the
//     configured identity sources are missing, null, empty",
//     https://repost.aws/knowledge-center/api-gateway-401-error-lambda-authorizer);
//   - the authorizer compares the header with the value it reads from the
//     origin-verify secret (AWSCURRENT, or AWSPREVIOUS while a rotation
//     reaches CloudFront) and denies a mismatch; public routes get an
//     authorizer of their own keyed on the header alone (one cached
//     decision for every legitimate request);
//   - the health-check route alone is served without it (Route53's
//     checkers cannot send headers) and throttled to
//     config.HealthRouteThrottle;
//   - the execute-api endpoint is off (customDomain).
//
// REST APIs with their own regional web ACL were rejected: a rewrite of
// every route and the VPC link (REST needs an NLB), for a second ACL
// that would duplicate CloudFront's.
//
// The WebSocket API (OriginVerify.WebSocketURL) is behind the same
// distribution, on a behaviour of the site's own host (wss://<site>/ws),
// not on a second distribution for ws.<domain>: the behaviour's origin is
// ws.<domain>, the failover record, so DR failover moves it as it moves
// /api/* (no second certificate, web ACL association or failover origin
// name), and ws-<region>.<domain> keeps serving the @connections
// callbacks. CloudFront sends the same header and value; $connect's
// authorizer has it among its identity sources beside the token query
// string (websocket.go), so a handshake around CloudFront is refused
// before any function runs, and the authorizer function (the HTTP API's,
// with ORIGIN_VERIFY_* and read access to the secret) compares it.

// newOriginSecret stores OriginVerify's value for the authorizer, in a
// secret encrypted with the component key.
func (s *Serverless) newOriginSecret(ctx *pulumi.Context) error {
	o := s.args.OriginVerify
	if o == nil {
		return nil
	}
	a := s.args
	sec, err := secretsmanager.NewSecret(ctx, "origin-verify", &secretsmanager.SecretArgs{
		Name:                 pulumi.Sprintf("%s/%s/api-origin-verify", a.Project, a.Stack),
		Description:          pulumi.String("The " + o.Header + " value CloudFront sends the APIs; the authorizer denies any other"),
		KmsKeyId:             s.key.Arn,
		RecoveryWindowInDays: pulumi.Int(7),
	}, pulumi.Parent(s), pulumi.Protect(a.Protect))
	if err != nil {
		return err
	}
	if _, err := secretsmanager.NewSecretVersion(ctx, "origin-verify", &secretsmanager.SecretVersionArgs{
		SecretId:     sec.ID(),
		SecretString: pulumi.ToSecret(o.Value.ToStringOutput()).(pulumi.StringOutput),
	}, pulumi.Parent(s)); err != nil {
		return err
	}
	s.originSecret = sec
	return nil
}

// originStatements let an authorizer read the origin-verify secret and
// decrypt it through Secrets Manager only.
func (s *Serverless) originStatements() iam.GetPolicyDocumentStatementArray {
	if s.originSecret == nil {
		return nil
	}
	decrypt := allow("DecryptOriginVerify", []string{"kms:Decrypt"}, s.key.Arn)
	decrypt.Conditions = iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
		Test: pulumi.String("StringEquals"), Variable: pulumi.String("kms:ViaService"),
		Values: pulumi.ToStringArray([]string{fmt.Sprintf("secretsmanager.%s.amazonaws.com", s.args.Region)}),
	}}
	return iam.GetPolicyDocumentStatementArray{
		allow("ReadOriginVerify", []string{"secretsmanager:GetSecretValue"}, s.originSecret.Arn),
		decrypt,
	}
}

// originEnv is what an authorizer needs to verify the header.
func (s *Serverless) originEnv(add func(string, pulumi.StringInput)) {
	if s.originSecret == nil {
		return
	}
	add("ORIGIN_VERIFY_HEADER", pulumi.String(s.args.OriginVerify.Header))
	add("ORIGIN_VERIFY_SECRET_ARN", s.originSecret.Arn)
}

// routeSettings are the stage's per-route throttles: the configured ones
// and the health route's.
func routeSettings(spec config.HTTPAPI, health bool) apigatewayv2.StageRouteSettingArray {
	var out apigatewayv2.StageRouteSettingArray
	add := func(key string, t config.APIThrottle) {
		out = append(out, apigatewayv2.StageRouteSettingArgs{
			RouteKey:               pulumi.String(key),
			ThrottlingBurstLimit:   pulumi.Int(t.Burst),
			ThrottlingRateLimit:    pulumi.Float64(float64(t.Rate)),
			DetailedMetricsEnabled: pulumi.Bool(true),
		})
	}
	for _, k := range sortedKeys(spec.RouteThrottles) {
		add(k, spec.RouteThrottles[k])
	}
	if health {
		add(spec.HealthRouteKey(), config.HealthRouteThrottle)
	}
	return out
}

// Identity headers (issue 15, Should "services receive the verified
// identity"): on token routes API Gateway sets them from the authorizer's
// context (HTTP API parameter mapping, $context.authorizer.<key>:
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html),
// overwriting whatever the client sent; on public routes it removes them,
// so a service can trust them. The authorizer returns both context keys,
// non-empty ("-" for no groups). The origin header is removed on both: the
// services never see CloudFront's secret.
const (
	UserHeader     = "x-authenticated-user"
	GroupsHeader   = "x-authenticated-groups"
	UserContext    = "userId"
	GroupsContext  = "groups"
	removeMappings = "''"
)

// identityMapping is the request parameter mapping of the services'
// integration: identity from the context on token routes, removed on
// public ones; the path as the client sent it.
func identityMapping(authorized bool, origin *OriginVerify) pulumi.StringMap {
	m := pulumi.StringMap{"overwrite:path": pulumi.String("$request.path")}
	if authorized {
		m["overwrite:header."+UserHeader] = pulumi.String("$context.authorizer." + UserContext)
		m["overwrite:header."+GroupsHeader] = pulumi.String("$context.authorizer." + GroupsContext)
	} else {
		m["remove:header."+UserHeader] = pulumi.String(removeMappings)
		m["remove:header."+GroupsHeader] = pulumi.String(removeMappings)
	}
	if origin != nil {
		m["remove:header."+strings.ToLower(origin.Header)] = pulumi.String(removeMappings)
	}
	return m
}
