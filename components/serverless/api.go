package serverless

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// httpAPI is the HTTP API and what the component exports of it.
type httpAPI struct {
	api                                     *apigatewayv2.Api
	baseURL, host, targetDomain, targetZone pulumi.StringOutput
}

// apiPrefix is where every service lives: /api/v1/<service>/….
const apiPrefix = "/api/v1"

// newAPIs creates the API resources first: the functions' environment
// and policies refer to them (the WebSocket callback URL).
func (s *Serverless) newAPIs(ctx *pulumi.Context) error {
	a := s.args
	if spec := a.Spec.API; spec != nil {
		api, err := apigatewayv2.NewApi(ctx, "http", &apigatewayv2.ApiArgs{
			ProtocolType: pulumi.String("HTTP"),
			Description:  pulumi.Sprintf("%s public API: %s/<service>/… to the services", a.Project, apiPrefix),
			CorsConfiguration: &apigatewayv2.ApiCorsConfigurationArgs{
				AllowOrigins: pulumi.ToStringArray(spec.CorsOrigins),
				AllowHeaders: pulumi.ToStringArray([]string{"authorization", "content-type"}),
				AllowMethods: pulumi.ToStringArray([]string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}),
				MaxAge:       pulumi.Int(600),
			},
			// With api.<domain>, nothing bypasses the domain's TLS policy.
			DisableExecuteApiEndpoint: pulumi.Bool(spec.CustomDomain),
		}, pulumi.Parent(s))
		if err != nil {
			return err
		}
		s.http = &httpAPI{api: api}
	}
	if a.Spec.WebSocket != nil {
		api, err := apigatewayv2.NewApi(ctx, "websocket", &apigatewayv2.ApiArgs{
			ProtocolType:             pulumi.String("WEBSOCKET"),
			RouteSelectionExpression: pulumi.String("$request.body.action"),
			Description:              pulumi.Sprintf("%s WebSocket API", a.Project),
		}, pulumi.Parent(s))
		if err != nil {
			return err
		}
		s.ws = &wsAPI{
			api: api,
			url: pulumi.Sprintf("%s/%s", api.ApiEndpoint, wsStage),
			callbackURL: api.ApiEndpoint.ApplyT(func(e string) string {
				return strings.Replace(e, "wss://", "https://", 1) + "/" + wsStage
			}).(pulumi.StringOutput),
		}
	}
	return nil
}

// wireHTTPAPI creates the HTTP API's VPC link and integration to the
// services' listener, the Lambda REQUEST authorizer, one authorized route
// per service plus the explicit public routes, the $default stage with
// JSON access logs and throttling, and the api.<domain> custom domain.
func (s *Serverless) wireHTTPAPI(ctx *pulumi.Context) error {
	h := s.http
	if h == nil {
		return nil
	}
	a := s.args
	spec := *a.Spec.API
	parent := pulumi.Parent(s)
	apiID := h.api.ID()
	link, err := apigatewayv2.NewVpcLink(ctx, "services", &apigatewayv2.VpcLinkArgs{
		Name:             pulumi.Sprintf("%s-%s-services", a.Project, a.Stack),
		SubnetIds:        a.Network.PrivateSubnetIDs,
		SecurityGroupIds: pulumi.StringArray{a.VpcLinkSecurityGroupID},
	}, parent)
	if err != nil {
		return err
	}
	integration := &apigatewayv2.IntegrationArgs{
		ApiId:                apiID,
		Description:          pulumi.String("the services' load balancer, through the VPC link"),
		IntegrationType:      pulumi.String("HTTP_PROXY"),
		IntegrationMethod:    pulumi.String("ANY"),
		IntegrationUri:       a.ServiceListenerArn,
		ConnectionType:       pulumi.String("VPC_LINK"),
		ConnectionId:         link.ID(),
		PayloadFormatVersion: pulumi.String("1.0"),
		TimeoutMilliseconds:  pulumi.Int(30000),
		// The load balancer routes on the path the client sent.
		RequestParameters: pulumi.StringMap{"overwrite:path": pulumi.String("$request.path")},
	}
	if a.ServiceServerName != "" {
		integration.TlsConfig = &apigatewayv2.IntegrationTlsConfigArgs{ServerNameToVerify: pulumi.String(a.ServiceServerName)}
	}
	services, err := apigatewayv2.NewIntegration(ctx, "services", integration, parent)
	if err != nil {
		return err
	}
	authFn := s.functions[spec.Authorizer]
	authorizer, err := apigatewayv2.NewAuthorizer(ctx, "http", &apigatewayv2.AuthorizerArgs{
		ApiId:                          apiID,
		Name:                           pulumi.String("lambda"),
		AuthorizerType:                 pulumi.String("REQUEST"),
		AuthorizerUri:                  authFn.fn.InvokeArn,
		IdentitySources:                pulumi.ToStringArray([]string{"$request.header.Authorization"}),
		AuthorizerResultTtlInSeconds:   pulumi.Int(*spec.AuthorizerCacheSeconds),
		AuthorizerPayloadFormatVersion: pulumi.String("2.0"),
		EnableSimpleResponses:          pulumi.Bool(true),
	}, parent)
	if err != nil {
		return err
	}
	if err := s.permit(ctx, "http-authorizer", authFn, pulumi.Sprintf("%s/authorizers/%s", h.api.ExecutionArn, authorizer.ID())); err != nil {
		return err
	}
	target := pulumi.Sprintf("integrations/%s", services.ID())
	for _, svc := range spec.Services {
		if _, err := apigatewayv2.NewRoute(ctx, "http-"+svc, &apigatewayv2.RouteArgs{
			ApiId:             apiID,
			RouteKey:          pulumi.Sprintf("ANY %s/%s/{proxy+}", apiPrefix, svc),
			Target:            target,
			AuthorizationType: pulumi.String("CUSTOM"),
			AuthorizerId:      authorizer.ID(),
		}, parent); err != nil {
			return err
		}
	}
	seen := map[string]string{}
	for _, key := range spec.PublicRoutes {
		logical := "http-public-" + slug(key)
		if other, dup := seen[logical]; dup {
			return fmt.Errorf("serverless: public routes %q and %q have the same logical name %s", other, key, logical)
		}
		seen[logical] = key
		if _, err := apigatewayv2.NewRoute(ctx, logical, &apigatewayv2.RouteArgs{
			ApiId:             apiID,
			RouteKey:          pulumi.String(key),
			Target:            target,
			AuthorizationType: pulumi.String("NONE"),
		}, parent); err != nil {
			return err
		}
	}
	lg, err := s.logGroup(ctx, "http-access", fmt.Sprintf("/aws/apigateway/%s-%s-http", a.Project, a.Stack))
	if err != nil {
		return err
	}
	stage, err := apigatewayv2.NewStage(ctx, "http", &apigatewayv2.StageArgs{
		ApiId:      apiID,
		Name:       pulumi.String("$default"),
		AutoDeploy: pulumi.Bool(true),
		AccessLogSettings: &apigatewayv2.StageAccessLogSettingsArgs{
			DestinationArn: lg.Arn,
			Format: pulumi.String(marshal(map[string]string{
				"requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
				"httpMethod": "$context.httpMethod", "routeKey": "$context.routeKey", "path": "$context.path",
				"status": "$context.status", "protocol": "$context.protocol", "responseLength": "$context.responseLength",
				"integrationError": "$context.integrationErrorMessage", "authorizerError": "$context.authorizer.error",
				"integrationLatency": "$context.integrationLatency", "userAgent": "$context.identity.userAgent",
			})),
		},
		DefaultRouteSettings: &apigatewayv2.StageDefaultRouteSettingsArgs{
			ThrottlingBurstLimit:   pulumi.Int(spec.Throttle.Burst),
			ThrottlingRateLimit:    pulumi.Float64(float64(spec.Throttle.Rate)),
			DetailedMetricsEnabled: pulumi.Bool(true),
		},
	}, parent)
	if err != nil {
		return err
	}
	host := h.api.ApiEndpoint.ApplyT(func(e string) string { return strings.TrimPrefix(e, "https://") }).(pulumi.StringOutput)
	h.baseURL = pulumi.Sprintf("%s%s", h.api.ApiEndpoint, apiPrefix)
	h.host, h.targetDomain, h.targetZone = host, host, pulumi.String("").ToStringOutput()
	if spec.CustomDomain {
		d, err := s.customDomain(ctx, "api", apiID, stage.Name)
		if err != nil {
			return err
		}
		h.baseURL = pulumi.Sprintf("https://%s%s", d.host, apiPrefix)
		h.host = pulumi.String(d.host).ToStringOutput()
		h.targetDomain, h.targetZone = d.target, d.zone
	}
	return nil
}

// permit lets API Gateway invoke a function, from exactly sourceArn.
func (s *Serverless) permit(ctx *pulumi.Context, name string, f *function, sourceArn pulumi.StringInput) error {
	_, err := lambda.NewPermission(ctx, name, &lambda.PermissionArgs{
		Action:    pulumi.String("lambda:InvokeFunction"),
		Function:  f.fn.Name,
		Principal: pulumi.String("apigateway.amazonaws.com"),
		SourceArn: sourceArn,
	}, pulumi.Parent(s))
	return err
}

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

// slug turns a route key into a logical name: "GET /api/v1/listings/{proxy+}"
// → "get-api-v1-listings-proxy".
func slug(s string) string {
	return strings.Trim(nonAlnum.ReplaceAllString(strings.ToLower(s), "-"), "-")
}
