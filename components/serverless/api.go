package serverless

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
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
		custom := a.Spec.WebSocket.CustomDomain
		api, err := apigatewayv2.NewApi(ctx, "websocket", &apigatewayv2.ApiArgs{
			ProtocolType:             pulumi.String("WEBSOCKET"),
			RouteSelectionExpression: pulumi.String("$request.body.action"),
			Description:              pulumi.Sprintf("%s WebSocket API", a.Project),
			// With ws.<domain>, the execute-api endpoint is off too
			// (issue 15 item 3): clients and the callbacks use the domain.
			DisableExecuteApiEndpoint: pulumi.Bool(custom),
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
		if custom {
			// With the execute-api endpoint disabled, @connections is
			// reached through the custom domain (mapped at its root, so no
			// stage in the path), signed for execute-api as before
			// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html);
			// the Region's own name, so a function posts to its Region's
			// connections whatever ws.<domain> answers.
			s.ws.callbackURL = pulumi.String("https://" + wsCallbackHost(a)).ToStringOutput()
			if a.Failover == "" && s.wsEdgeURL() != "" {
				// ws.<domain> maps the API at /ws behind CloudFront.
				s.ws.callbackURL = pulumi.String("https://" + wsCallbackHost(a) + "/" + EdgeWebSocketKey).ToStringOutput()
			}
		}
	}
	return nil
}

// wireHTTPAPI creates the HTTP API's VPC link and integration to the
// services' listener, the Lambda REQUEST authorizer, one authorized route
// per service plus the explicit public routes, the $default stage with
// JSON access logs and throttling, and the api.<domain> custom domain.
func (s *Serverless) wireHTTPAPI(ctx *pulumi.Context) error {
	if s.http == nil {
		return nil
	}
	spec := *s.args.Spec.API
	services, publicServices, err := s.httpIntegrations(ctx, spec)
	if err != nil {
		return err
	}
	authorizer, public, err := s.httpAuthorizers(ctx, spec)
	if err != nil {
		return err
	}
	routes, err := s.httpRoutes(ctx, spec, httpRouteTargets{
		authorizer: authorizer, public: public,
		services: services, publicServices: publicServices,
	})
	if err != nil {
		return err
	}
	stage, err := s.httpStage(ctx, spec, routes)
	if err != nil {
		return err
	}
	return s.httpEndpoint(ctx, spec, stage)
}

// httpIntegrations creates the VPC link and the integrations to the
// services' listener: one for token routes, which passes the caller's
// identity, and (for public routes, or the health route) one without.
func (s *Serverless) httpIntegrations(ctx *pulumi.Context, spec config.HTTPAPI) (services, publicServices *apigatewayv2.Integration, err error) {
	a := s.args
	parent := pulumi.Parent(s)
	apiID := s.http.api.ID()
	link, err := apigatewayv2.NewVpcLink(ctx, "services", &apigatewayv2.VpcLinkArgs{
		Name:             pulumi.Sprintf("%s-%s-services", a.Project, a.Stack),
		SubnetIds:        a.Network.PrivateSubnetIDs,
		SecurityGroupIds: pulumi.StringArray{a.VpcLinkSecurityGroupID},
	}, parent)
	if err != nil {
		return nil, nil, err
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
	// The services learn who called from headers API Gateway sets from the
	// authorizer's context, never from the client (edge.go, identity).
	authorized, anonymous := *integration, *integration
	authorized.RequestParameters = identityMapping(true, a.OriginVerify)
	anonymous.RequestParameters = identityMapping(false, a.OriginVerify)
	anonymous.Description = pulumi.String("the services' load balancer, through the VPC link, for public routes (no identity)")
	if services, err = apigatewayv2.NewIntegration(ctx, "services", &authorized, parent); err != nil {
		return nil, nil, err
	}
	publicServices = services
	if len(spec.PublicRoutes) > 0 || (a.OriginVerify != nil && spec.HealthCheckPath != "") {
		if publicServices, err = apigatewayv2.NewIntegration(ctx, "services-public", &anonymous, parent); err != nil {
			return nil, nil, err
		}
	}
	return services, publicServices, nil
}

// httpAuthorizers creates the REQUEST authorizer of token routes and, for
// public routes behind CloudFront, one keyed on the origin header alone.
func (s *Serverless) httpAuthorizers(ctx *pulumi.Context, spec config.HTTPAPI) (authorizer, public *apigatewayv2.Authorizer, err error) {
	a := s.args
	h := s.http
	parent := pulumi.Parent(s)
	apiID := h.api.ID()
	authFn := s.functions[spec.Authorizer]
	// authorize creates a REQUEST authorizer of the authorizer function on
	// these identity sources (edge.go: the origin header when CloudFront
	// is the only way in).
	authorize := func(name, desc string, sources ...string) (*apigatewayv2.Authorizer, error) {
		if o := a.OriginVerify; o != nil {
			sources = append(sources, "$request.header."+o.Header)
		}
		au, err := apigatewayv2.NewAuthorizer(ctx, name, &apigatewayv2.AuthorizerArgs{
			ApiId:                          apiID,
			Name:                           pulumi.String(desc),
			AuthorizerType:                 pulumi.String("REQUEST"),
			AuthorizerUri:                  authFn.fn.InvokeArn,
			IdentitySources:                pulumi.ToStringArray(sources),
			AuthorizerResultTtlInSeconds:   pulumi.Int(*spec.AuthorizerCacheSeconds),
			AuthorizerPayloadFormatVersion: pulumi.String("2.0"),
			EnableSimpleResponses:          pulumi.Bool(true),
		}, parent)
		if err != nil {
			return nil, err
		}
		return au, s.permit(ctx, name+"-authorizer", authFn, pulumi.Sprintf("%s/authorizers/%s", h.api.ExecutionArn, au.ID()))
	}
	if authorizer, err = authorize("http", "lambda", "$request.header.Authorization"); err != nil {
		return nil, nil, err
	}
	// Public routes need no token, but behind CloudFront they need the
	// origin header: an authorizer keyed on it alone.
	if a.OriginVerify != nil && len(spec.PublicRoutes) > 0 {
		if public, err = authorize("http-origin", "origin"); err != nil {
			return nil, nil, err
		}
	}
	return authorizer, public, nil
}

// httpRouteTargets are what httpRoutes' routes use: the token routes'
// authorizer and integration, and the public routes'.
type httpRouteTargets struct {
	authorizer, public       *apigatewayv2.Authorizer
	services, publicServices *apigatewayv2.Integration
}

// httpRoutes creates one authorized route per service, the explicit public
// routes and, behind CloudFront, the health route; it returns them all.
func (s *Serverless) httpRoutes(ctx *pulumi.Context, spec config.HTTPAPI, t httpRouteTargets) ([]pulumi.Resource, error) {
	a := s.args
	parent := pulumi.Parent(s)
	apiID := s.http.api.ID()
	authorizer, public := t.authorizer, t.public
	target := pulumi.Sprintf("integrations/%s", t.services.ID())
	publicTarget := pulumi.Sprintf("integrations/%s", t.publicServices.ID())
	var routes []pulumi.Resource
	route := func(logical, key string, auth *apigatewayv2.Authorizer) error {
		args := &apigatewayv2.RouteArgs{ApiId: apiID, RouteKey: pulumi.String(key), Target: publicTarget, AuthorizationType: pulumi.String("NONE")}
		if auth == authorizer {
			args.Target = target // a token route: the caller's identity
		}
		if auth != nil {
			args.AuthorizationType, args.AuthorizerId = pulumi.String("CUSTOM"), auth.ID()
		}
		r, err := apigatewayv2.NewRoute(ctx, logical, args, parent)
		routes = append(routes, r)
		return err
	}
	for _, svc := range spec.Services {
		if err := route("http-"+svc, config.ServiceRouteKey(svc), authorizer); err != nil {
			return nil, err
		}
	}
	seen := map[string]string{}
	for _, key := range spec.PublicRoutes {
		logical := "http-public-" + slug(key)
		if other, dup := seen[logical]; dup {
			return nil, fmt.Errorf("serverless: public routes %q and %q have the same logical name %s", other, key, logical)
		}
		seen[logical] = key
		if err := route(logical, key, public); err != nil {
			return nil, err
		}
	}
	if healthRoute(a, spec) {
		if err := route("http-health", spec.HealthRouteKey(), nil); err != nil {
			return nil, err
		}
	}
	return routes, nil
}

// healthRoute reports whether the health path has a route of its own.
// Route53's checkers cannot send the origin header: the health path
// alone is served without it, throttled (config.HealthRouteThrottle).
func healthRoute(a *Args, spec config.HTTPAPI) bool {
	return a.OriginVerify != nil && spec.HealthCheckPath != ""
}

// httpStage creates the $default stage with JSON access logs and
// throttling, after the routes.
func (s *Serverless) httpStage(ctx *pulumi.Context, spec config.HTTPAPI, routes []pulumi.Resource) (*apigatewayv2.Stage, error) {
	a := s.args
	lg, err := s.logGroup(ctx, "http-access", fmt.Sprintf("/aws/apigateway/%s-%s-http", a.Project, a.Stack))
	if err != nil {
		return nil, err
	}
	return apigatewayv2.NewStage(ctx, "http", &apigatewayv2.StageArgs{
		ApiId:      s.http.api.ID(),
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
		// A route setting names an existing route key: after the routes.
		RouteSettings: routeSettings(spec, healthRoute(a, spec)),
	}, pulumi.Parent(s), pulumi.DependsOn(routes))
}

// httpEndpoint sets what the component exports of the API: its
// execute-api endpoint, or the api.<domain> custom domain it creates.
func (s *Serverless) httpEndpoint(ctx *pulumi.Context, spec config.HTTPAPI, stage *apigatewayv2.Stage) error {
	h := s.http
	host := h.api.ApiEndpoint.ApplyT(func(e string) string { return strings.TrimPrefix(e, "https://") }).(pulumi.StringOutput)
	h.baseURL = pulumi.Sprintf("%s%s", h.api.ApiEndpoint, apiPrefix)
	h.host, h.targetDomain, h.targetZone = host, host, pulumi.String("").ToStringOutput()
	if spec.CustomDomain {
		d, err := s.customDomain(ctx, "api", h.api.ID(), stage.Name)
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

// wsCallbackHost is the custom domain name a WebSocket function posts its
// replies through: the Region-pinned ws-<region>.<domain> when the stack
// has failover records, ws.<domain> otherwise.
func wsCallbackHost(a *Args) string {
	if a.Failover != "" {
		return "ws-" + a.Region + "." + a.Domain
	}
	return "ws." + a.Domain
}
