package serverless

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
)

// wsStage is the WebSocket API's stage: wss://<id>.execute-api.<region>.amazonaws.com/v1.
const wsStage = "v1"

// wsAPI is the WebSocket API and its URLs.
type wsAPI struct {
	api *apigatewayv2.Api
	// url is what clients connect to; callbackURL is the @connections
	// endpoint the function posts replies to (WEBSOCKET_CALLBACK_URL).
	url, callbackURL pulumi.StringOutput
}

// wsRoutes are the WebSocket routes by logical name. Only $connect can
// carry an authorizer; the others run on an authorized connection.
var wsRoutes = []struct{ logical, key string }{
	{"connect", "$connect"}, {"disconnect", "$disconnect"}, {"default", "$default"},
}

// wireWebSocket sends every route to the configured function (WebSocket
// APIs cannot use a VPC link to an ALB, so the function relays messages to
// the messaging service's internal URL and posts replies through
// @connections), authorizes $connect with the authorizer function reading
// the token query parameter (browsers cannot set headers on the
// handshake), and creates the stage with access and execution logs
// (INFO, never full payloads) and throttling, and ws.<domain>.
func (s *Serverless) wireWebSocket(ctx *pulumi.Context) error {
	w := s.ws
	if w == nil {
		return nil
	}
	spec := *s.args.Spec.WebSocket
	routes, err := s.wsRouteFunctions(ctx, spec)
	if err != nil {
		return err
	}
	stage, err := s.wsStage(ctx, spec, routes)
	if err != nil {
		return err
	}
	if spec.CustomDomain {
		d, err := s.customDomain(ctx, "ws", w.api.ID(), stage.Name)
		if err != nil {
			return err
		}
		w.url = pulumi.Sprintf("wss://%s", d.host)
		if u := s.wsEdgeURL(); u != "" {
			w.url = pulumi.String(u).ToStringOutput()
		}
	}
	return nil
}

// wsRouteFunctions creates the integration to the configured function, the
// $connect authorizer, and the routes with their invoke permissions; it
// returns the routes.
func (s *Serverless) wsRouteFunctions(ctx *pulumi.Context, spec config.WebSocketAPI) ([]pulumi.Resource, error) {
	w := s.ws
	parent := pulumi.Parent(s)
	apiID := w.api.ID()
	fn, authFn := s.functions[spec.Function], s.functions[spec.Authorizer]
	integration, err := apigatewayv2.NewIntegration(ctx, "websocket", &apigatewayv2.IntegrationArgs{
		ApiId:                   apiID,
		Description:             pulumi.Sprintf("the %s function", spec.Function),
		IntegrationType:         pulumi.String("AWS_PROXY"),
		IntegrationMethod:       pulumi.String("POST"),
		IntegrationUri:          fn.fn.InvokeArn,
		ContentHandlingStrategy: pulumi.String("CONVERT_TO_TEXT"),
		PassthroughBehavior:     pulumi.String("WHEN_NO_MATCH"),
	}, parent)
	if err != nil {
		return nil, err
	}
	authorizer, err := apigatewayv2.NewAuthorizer(ctx, "websocket", &apigatewayv2.AuthorizerArgs{
		ApiId:           apiID,
		Name:            pulumi.String("lambda"),
		AuthorizerType:  pulumi.String("REQUEST"),
		AuthorizerUri:   authFn.fn.InvokeArn,
		IdentitySources: pulumi.ToStringArray(s.wsIdentitySources()),
	}, parent)
	if err != nil {
		return nil, err
	}
	if err := s.permit(ctx, "websocket-authorizer", authFn, pulumi.Sprintf("%s/authorizers/%s", w.api.ExecutionArn, authorizer.ID())); err != nil {
		return nil, err
	}
	target := pulumi.Sprintf("integrations/%s", integration.ID())
	var routes []pulumi.Resource
	for _, r := range wsRoutes {
		args := &apigatewayv2.RouteArgs{ApiId: apiID, RouteKey: pulumi.String(r.key), Target: target, AuthorizationType: pulumi.String("NONE")}
		if r.key == "$connect" {
			args.AuthorizationType = pulumi.String("CUSTOM")
			args.AuthorizerId = authorizer.ID()
		}
		route, err := apigatewayv2.NewRoute(ctx, "websocket-"+r.logical, args, parent)
		if err != nil {
			return nil, err
		}
		routes = append(routes, route)
		if err := s.permit(ctx, "websocket-"+r.logical, fn, pulumi.Sprintf("%s/%s/%s", w.api.ExecutionArn, wsStage, r.key)); err != nil {
			return nil, err
		}
	}
	return routes, nil
}

// wsStage creates the stage, after the routes, with access and execution
// logs (and the region's API Gateway logging role they need) and throttling.
func (s *Serverless) wsStage(ctx *pulumi.Context, spec config.WebSocketAPI, routes []pulumi.Resource) (*apigatewayv2.Stage, error) {
	a := s.args
	parent := pulumi.Parent(s)
	apiID := s.ws.api.ID()
	account, err := s.apiGatewayLogging(ctx)
	if err != nil {
		return nil, err
	}
	lg, err := s.logGroup(ctx, "websocket-access", fmt.Sprintf("/aws/apigateway/%s-%s-websocket", a.Project, a.Stack))
	if err != nil {
		return nil, err
	}
	// API Gateway writes the stage's execution logs (INFO below) to
	// API-Gateway-Execution-Logs_<api id>/<stage>, and creates that group
	// itself, with no retention and no CMK, when it does not exist
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html):
	// the program creates it first (issue 15: log groups services create
	// implicitly).
	execLogs, err := cloudwatch.NewLogGroup(ctx, "websocket-execution", &cloudwatch.LogGroupArgs{
		Name:            pulumi.Sprintf("API-Gateway-Execution-Logs_%s/%s", apiID, wsStage),
		RetentionInDays: pulumi.Int(a.Spec.LogRetentionDays),
		KmsKeyId:        s.key.Arn,
	}, parent, pulumi.RetainOnDelete(true))
	if err != nil {
		return nil, err
	}
	return apigatewayv2.NewStage(ctx, "websocket", &apigatewayv2.StageArgs{
		ApiId:      apiID,
		Name:       pulumi.String(wsStage),
		AutoDeploy: pulumi.Bool(true),
		AccessLogSettings: &apigatewayv2.StageAccessLogSettingsArgs{
			DestinationArn: lg.Arn,
			Format: pulumi.String(marshal(map[string]string{
				"requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
				"eventType": "$context.eventType", "routeKey": "$context.routeKey", "status": "$context.status",
				"connectionId": "$context.connectionId", "integrationError": "$context.integrationErrorMessage",
				"authorizerError": "$context.authorizer.error",
			})),
		},
		DefaultRouteSettings: &apigatewayv2.StageDefaultRouteSettingsArgs{
			LoggingLevel:           pulumi.String("INFO"),
			DataTraceEnabled:       pulumi.Bool(false),
			DetailedMetricsEnabled: pulumi.Bool(true),
			ThrottlingBurstLimit:   pulumi.Int(spec.Throttle.Burst),
			ThrottlingRateLimit:    pulumi.Float64(float64(spec.Throttle.Rate)),
		},
		// $connect runs the authorizer: its own throttle.
		RouteSettings: apigatewayv2.StageRouteSettingArray{apigatewayv2.StageRouteSettingArgs{
			RouteKey:               pulumi.String("$connect"),
			ThrottlingBurstLimit:   pulumi.Int(spec.ConnectThrottle.Burst),
			ThrottlingRateLimit:    pulumi.Float64(float64(spec.ConnectThrottle.Rate)),
			LoggingLevel:           pulumi.String("INFO"),
			DataTraceEnabled:       pulumi.Bool(false),
			DetailedMetricsEnabled: pulumi.Bool(true),
		}},
	}, parent, pulumi.DependsOn(append([]pulumi.Resource{account, execLogs}, routes...)))
}

// WebSocketTokenQuery is the query string the $connect authorizer reads the
// caller's token from (browsers cannot set headers on a handshake); the
// distribution's WebSocket behaviour forwards it.
const WebSocketTokenQuery = "token"

// EdgeWebSocketKey is the API mapping key of ws.<domain> when the
// WebSocket API is behind CloudFront: the distribution's behaviour
// /<EdgeWebSocketKey> forwards that path, which the mapping serves
// (wss://ws.<domain>/ws). The Region-pinned ws-<region>.<domain> stays
// mapped at its root for the @connections callbacks.
const EdgeWebSocketKey = "ws"

// wsEdgeURL is the URL clients connect to through CloudFront, "" when the
// WebSocket API is reached directly.
func (s *Serverless) wsEdgeURL() string {
	if o := s.args.OriginVerify; o != nil && s.args.Spec.WebSocket != nil && s.args.Spec.WebSocket.CustomDomain {
		return o.WebSocketURL
	}
	return ""
}

// wsIdentitySources are the $connect authorizer's identity sources: the
// token query string, and behind CloudFront the origin header, so API
// Gateway refuses a handshake without either before the authorizer runs.
// WebSocket REQUEST authorizers name them route.request.querystring.<name>
// and route.request.header.<name>
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html;
// the pattern 'route.request.querystring|header.[a-zA-z0-9._-]+' in
// https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_apigatewayv2_authorizers.WebSocketLambdaAuthorizerProps.html).
func (s *Serverless) wsIdentitySources() []string {
	out := []string{"route.request.querystring." + WebSocketTokenQuery}
	if s.wsEdgeURL() != "" {
		out = append(out, "route.request.header."+s.args.OriginVerify.Header)
	}
	return out
}

// apiGatewayLogging sets the region's API Gateway CloudWatch Logs role,
// which WebSocket (and REST) stage logs need. It is an account-and-region
// setting: the role uses AWS's managed push policy and a plain trust
// (API Gateway does not pass aws:SourceAccount to it).
func (s *Serverless) apiGatewayLogging(ctx *pulumi.Context) (pulumi.Resource, error) {
	parent := pulumi.Parent(s)
	trust := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
			Effect:     pulumi.String("Allow"),
			Actions:    pulumi.ToStringArray([]string{"sts:AssumeRole"}),
			Principals: servicePrincipal("apigateway.amazonaws.com"),
		}},
	}, parent)
	role, err := iam.NewRole(ctx, "apigateway-logs", &iam.RoleArgs{
		Description:      pulumi.String("Lets API Gateway write WebSocket stage logs in this region"),
		AssumeRolePolicy: trust.Json(),
	}, parent)
	if err != nil {
		return nil, err
	}
	attach, err := iam.NewRolePolicyAttachment(ctx, "apigateway-logs", &iam.RolePolicyAttachmentArgs{
		Role:      role.Name,
		PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs", s.args.Partition),
	}, parent)
	if err != nil {
		return nil, err
	}
	return apigateway.NewAccount(ctx, "apigateway-logs", &apigateway.AccountArgs{CloudwatchRoleArn: role.Arn},
		parent, pulumi.DependsOn([]pulumi.Resource{attach}))
}
