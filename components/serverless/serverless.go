// Package serverless is the Serverless component: the Lambda functions the
// application's CI publishes (each with its own role, KMS-encrypted
// environment and log group, X-Ray, VPC networking), the Step Functions
// workflows built from Go values (withdrawal with compensation, deposit,
// order), the EventBridge rules and Scheduler schedules that start them,
// and the API Gateway HTTP API (VPC link to the services, Lambda REQUEST
// authorizer) and WebSocket API, with their custom domains.
//
// The Lambda secret contract: a function's environment carries only
// non-secret values (service URLs, the bus name, store endpoints without
// credentials, the user pool id) and, for every secret it reads,
// <NAME>_SECRET_ARN (plus <NAME>_SECRET_JSON_KEY for a key inside a JSON
// secret). The function fetches the value at runtime with
// secretsmanager:GetSecretValue, which its role is granted on exactly those
// ARNs. No secret value is ever in a function's configuration.
package serverless

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/signer"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/cert"
	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/components/internal/outputs"
	"github.com/dbay/infra/components/network"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
)

const typeToken = "dbay:components:Serverless"

// Args configures the serverless component.
type Args struct {
	// Spec is the validated `serverless` config section (defaults applied). Required.
	Spec config.Serverless
	// Network is where the functions run (private subnets, ≥ 2 AZs). Required.
	Network *network.Network
	// Data owns the stores, the bus and the queues functions use. Required
	// when a function uses one, or a workflow or rule needs the bus.
	Data *datalayer.DataLayer
	// Secrets owns the secrets functions read. Required when one does.
	Secrets *secrets.Secrets
	// Env is the stack's: Project and Stack (required) name the functions
	// <project>-<stack>-<function>; Region required, Partition empty:
	// "aws"; Domain (required) is the apex of api.<domain>, ws.<domain>;
	// Protect protects the component's key and dead-letter queues (prod: true).
	config.Env
	// ServiceURLs are the services' internal URLs by service name
	// (wallet → http://wallet-service:8000), from the fleet. Required when a
	// function calls a service.
	ServiceURLs pulumi.StringMapInput
	// ServiceListenerArn is the services' ALB HTTPS listener the HTTP API
	// reaches through its VPC link. Required with an HTTP API.
	ServiceListenerArn pulumi.StringInput
	// ServiceServerName is the name the listener's certificate covers; API
	// Gateway verifies it and sends it as SNI. Empty: not set.
	ServiceServerName string
	// VpcLinkSecurityGroupID is the security group the fleet admits on the
	// ALB for the VPC link. Required with an HTTP API.
	VpcLinkSecurityGroupID pulumi.StringInput
	// UserPoolID and UserPoolClientID are Cognito's (Auth component), for
	// the authorizer's COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID. UserPoolID
	// is required with an API; UserPoolClientID nil: not set.
	UserPoolID, UserPoolClientID pulumi.StringInput
	// AdminUserPoolID and AdminUserPoolClientID are the admin pool's
	// (config.Auth.AdminGroups), for the authorizer's
	// COGNITO_ADMIN_USER_POOL_ID and COGNITO_ADMIN_CLIENT_ID: it must grant
	// the admin groups only from that pool's tokens. nil: no admin pool.
	AdminUserPoolID, AdminUserPoolClientID pulumi.StringInput
	// ZoneID is the Route53 zone of Domain, for the api./ws. certificates
	// and alias records. Required when a custom domain is configured.
	ZoneID pulumi.StringInput
	// Certificates says which certificate of the stack pair writes each
	// DNS validation record (cert.Book). nil: this component's
	// certificates write their own.
	Certificates *cert.Book
	// Failover makes the api. and ws. records Route53 failover records:
	// FailoverPrimary (evaluated by the API health check) in the primary
	// stack, FailoverSecondary in the recovery stack. "": simple records.
	Failover string
	// SwitchAlarm and SwitchRegion are the pair's failover switch alarm
	// (drlink) and its Region, which the PRIMARY api./ws. records answer
	// to. Required with FailoverPrimary and an API health check.
	SwitchAlarm  pulumi.StringOutput
	SwitchRegion string
	// OriginVerify, when set, makes CloudFront the only way into the HTTP
	// API: CloudFront sends Header with Value to the API origin, every
	// route but the health check requires the header (an authorizer
	// identity source, so API Gateway refuses a request without it before
	// any function runs), and the authorizer compares it with the value in
	// the component's origin-verify secret (ORIGIN_VERIFY_SECRET_ARN). nil:
	// the API is reached directly.
	OriginVerify *OriginVerify
	// Passive is a recovery stack on standby or a fenced primary: its
	// schedules and bus rules are created DISABLED, so the standby region
	// does not run the primary's work against replicas and zero tasks (and
	// cannot act twice while the primary still runs). false: enabled.
	Passive bool
	// Fenced sets every function's reserved concurrency to 0 (a primary
	// fenced by dr.fenced after a failover: nothing it runs may write to
	// its stale stores or broadcast a withdrawal again). false: each
	// function's configured concurrency.
	Fenced bool
}

// OriginVerify is the header CloudFront sends its API origin and its value.
type OriginVerify struct {
	Header string
	Value  pulumi.StringInput
	// WebSocketURL, when set, puts the WebSocket API behind CloudFront too
	// (edge.go): the distribution serves it at this URL (wss://<site>/ws,
	// the component's WebSocketURL) and reaches ws.<domain>/ws, the API
	// mapping key EdgeWebSocketKey; $connect's authorizer requires Header.
	// Needs websocket.customDomain. "": the WebSocket API is reached
	// directly on ws.<domain> (no header required).
	WebSocketURL string
}

// Serverless is the component.
type Serverless struct {
	pulumi.ResourceState

	// APIBaseURL is VITE_API_BASE_URL: https://api.<domain>/api/v1, or the
	// execute-api URL + /api/v1 ("" without an HTTP API).
	APIBaseURL pulumi.StringOutput `pulumi:"apiBaseUrl"`
	// WebSocketURL is what clients connect to: OriginVerify.WebSocketURL
	// behind CloudFront (wss://<site>/ws), else wss://ws.<domain>, or the
	// execute-api stage URL ("" without a WebSocket API).
	WebSocketURL pulumi.StringOutput `pulumi:"webSocketUrl"`
	// APIHost is the host clients and CloudFront's API origin use.
	APIHost pulumi.StringOutput `pulumi:"apiHost"`
	// APIHealthCheckID is the Route53 health check on the API ("" without one).
	APIHealthCheckID pulumi.StringOutput `pulumi:"apiHealthCheckId"`
	// APIFailoverSwitchID is the operator's switch the PRIMARY api./ws.
	// records answer to (Failover PRIMARY only; "" otherwise).
	APIFailoverSwitchID pulumi.StringOutput `pulumi:"apiFailoverSwitchId"`
	// APIEndpointDomain and APIEndpointZoneID are the alias target of the
	// API's custom domain (the execute-api host and "" without one).
	APIEndpointDomain pulumi.StringOutput `pulumi:"apiEndpointDomain"`
	APIEndpointZoneID pulumi.StringOutput `pulumi:"apiEndpointZoneId"`
	// FunctionArns and FunctionNames by config name; StateMachineArns by workflow.
	FunctionArns     pulumi.StringMapOutput `pulumi:"functionArns"`
	FunctionNames    pulumi.StringMapOutput `pulumi:"functionNames"`
	StateMachineArns pulumi.StringMapOutput `pulumi:"stateMachineArns"`
	// SigningProfileName is the Signer profile releases sign the signed
	// functions' packages with ("" when no function is signed).
	SigningProfileName pulumi.StringOutput `pulumi:"signingProfileName"`
	// SecurityGroupIDs are each function's own security group by config name.
	SecurityGroupIDs pulumi.StringMapOutput `pulumi:"securityGroupIds"`
	// KeyArn encrypts environments, logs and dead-letter queues.
	KeyArn pulumi.StringOutput `pulumi:"keyArn"`
	// FunctionsDLQArn receives failed async invocations; EventsDLQArn
	// events the bus or the scheduler could not deliver ("" when unused).
	FunctionsDLQArn pulumi.StringOutput `pulumi:"functionsDlqArn"`
	EventsDLQArn    pulumi.StringOutput `pulumi:"eventsDlqArn"`

	args    *Args
	account pulumi.StringOutput
	key     *kms.Key
	sgs     map[string]*ec2.SecurityGroup // by function (config name)
	// signingProfile and codeSigning exist when a function is signed.
	signingProfile *signer.SigningProfile
	codeSigning    *lambda.CodeSigningConfig
	functions      map[string]*function
	machines       map[string]pulumi.StringOutput
	fnDLQ          *sqs.Queue
	eventsDLQ      *sqs.Queue
	// ruleArns are the rules delivering to the events DLQ; targets wait
	// for its policy (deliveries).
	ruleArns   pulumi.StringArray
	deliveries []func(queuePolicy pulumi.Resource) error
	http       *httpAPI
	// originSecret holds OriginVerify's value for the authorizer (nil
	// without OriginVerify).
	originSecret *secretsmanager.Secret
	ws           *wsAPI
	// apiCheck and apiSwitch are the API's health check and failover
	// switch, zero when not created. (The exported, tagged fields are
	// pre-filled by RegisterComponentResource with outputs that resolve
	// only after RegisterResourceOutputs: never test those for zero.)
	apiCheck, apiSwitch pulumi.StringOutput
}

// Consumer is a security group of the component and the services its
// functions call: the stack calls fleet.AllowFrom(ctx, c.Name, c.SG, c.Services...).
type Consumer struct {
	Name     string
	SG       *ec2.SecurityGroup
	Services []string
}

// New creates the functions, workflows, rules, schedules and APIs.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Serverless, error) {
	if err := check(args); err != nil {
		return nil, err
	}
	if args.Partition == "" {
		a := *args // a copy: the caller's Args are never written
		a.Partition = "aws"
		args = &a
	}
	s := &Serverless{args: args, sgs: map[string]*ec2.SecurityGroup{}, functions: map[string]*function{}, machines: map[string]pulumi.StringOutput{}}
	if err := outputs.Component(ctx, typeToken, name, s, opts...); err != nil {
		return nil, err
	}
	s.account = iamdoc.Account(ctx, s)
	steps := []func(*pulumi.Context) error{
		s.newKey, s.newDLQs, s.newSecurityGroups, s.newSigning, s.newOriginSecret, s.newAPIs, s.newFunctions,
		s.newWorkflows, s.newRules, s.newSchedules, s.deliver, s.wireHTTPAPI, s.wireWebSocket,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	return s, s.outputs(ctx)
}

// check refuses Args that cannot build the configured section.
func check(a *Args) error {
	if a == nil || a.Network == nil || a.Project == "" || a.Stack == "" || a.Region == "" || a.Domain == "" {
		return errors.New("serverless: Args.Network, Project, Stack, Region and Domain are required")
	}
	if n := len(a.Network.Layout[config.TierPrivate]); n < 2 && len(a.Spec.Functions) > 0 {
		return fmt.Errorf("serverless: functions need private subnets in at least 2 AZs, the network has %d", n)
	}
	var problems []error
	if o := a.OriginVerify; o != nil && (a.Spec.API == nil || o.Header == "" || o.Value == nil) {
		problems = append(problems, errors.New("serverless: Args.OriginVerify needs an HTTP API, a Header and a Value"))
	}
	if o := a.OriginVerify; o != nil && o.WebSocketURL != "" {
		if ws := a.Spec.WebSocket; ws == nil || !ws.CustomDomain {
			problems = append(problems, errors.New("serverless: Args.OriginVerify.WebSocketURL needs a WebSocket API with customDomain (CloudFront's origin is ws.<domain>)"))
		}
		if !strings.HasPrefix(o.WebSocketURL, "wss://") {
			problems = append(problems, fmt.Errorf("serverless: Args.OriginVerify.WebSocketURL %q must be a wss:// URL", o.WebSocketURL))
		}
	}
	needsBus := len(a.Spec.Rules) > 0
	for _, w := range a.Spec.Workflows {
		needsBus = needsBus || w.Trigger != nil
	}
	for _, name := range sortedKeys(a.Spec.Functions) {
		f := a.Spec.Functions[name]
		if len(f.Calls) > 0 && a.ServiceURLs == nil {
			problems = append(problems, fmt.Errorf("serverless: %s calls %v but Args.ServiceURLs is nil", name, f.Calls))
		}
		if len(f.Secrets) > 0 && a.Secrets == nil {
			problems = append(problems, fmt.Errorf("serverless: %s reads secrets but Args.Secrets is nil", name))
		}
		if len(f.Uses) > 0 && a.Data == nil {
			problems = append(problems, fmt.Errorf("serverless: %s uses %v but Args.Data is nil", name, f.Uses))
		}
		if len(f.Publishes) > 0 && a.Data == nil {
			problems = append(problems, fmt.Errorf("serverless: %s publishes on the bus but Args.Data is nil", name))
		}
		if n := len(physicalName(a, name)); n > 64 {
			problems = append(problems, fmt.Errorf("serverless: the function name %s is %d characters, over Lambda's 64", physicalName(a, name), n))
		}
	}
	if needsBus && a.Data == nil {
		problems = append(problems, errors.New("serverless: rules and workflow triggers need Args.Data (its bus)"))
	}
	if api := a.Spec.API; api != nil {
		if a.ServiceListenerArn == nil || a.VpcLinkSecurityGroupID == nil {
			problems = append(problems, errors.New("serverless: the HTTP API routes need Args.ServiceListenerArn and Args.VpcLinkSecurityGroupID"))
		}
		if api.CustomDomain && a.ZoneID == nil {
			problems = append(problems, errors.New("serverless: api.customDomain needs Args.ZoneID"))
		}
	}
	if ws := a.Spec.WebSocket; ws != nil && ws.CustomDomain && a.ZoneID == nil {
		problems = append(problems, errors.New("serverless: websocket.customDomain needs Args.ZoneID"))
	}
	if (a.Spec.API != nil || a.Spec.WebSocket != nil) && a.UserPoolID == nil {
		problems = append(problems, errors.New("serverless: the authorizer needs Args.UserPoolID (COGNITO_USER_POOL_ID)"))
	}
	return errors.Join(problems...)
}

// physicalName is a function's name: <project>-<stack>-<grantee name>. It is
// fixed (not auto-named) so its log group /aws/lambda/<name> can be created,
// encrypted and retained before the function exists.
func physicalName(a *Args, fn string) string {
	return fmt.Sprintf("%s-%s-%s", a.Project, a.Stack, config.FunctionGrantee(fn))
}

func (s *Serverless) outputs(ctx *pulumi.Context) error {
	arns, names, machines, sgs := pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringMap{}
	for n, f := range s.functions {
		arns[n] = f.fn.Arn
		names[n] = f.fn.Name
		sgs[n] = s.sgs[n].ID().ToStringOutput()
	}
	for n, arn := range s.machines {
		machines[n] = arn
	}
	empty := pulumi.String("").ToStringOutput()
	s.FunctionArns = arns.ToStringMapOutput()
	s.FunctionNames = names.ToStringMapOutput()
	s.StateMachineArns = machines.ToStringMapOutput()
	s.KeyArn = s.key.Arn
	s.SecurityGroupIDs = sgs.ToStringMapOutput()
	s.SigningProfileName = empty
	if s.signingProfile != nil {
		s.SigningProfileName = s.signingProfile.Name
	}
	s.FunctionsDLQArn, s.EventsDLQArn = empty, empty
	if s.fnDLQ != nil {
		s.FunctionsDLQArn = s.fnDLQ.Arn
	}
	if s.eventsDLQ != nil {
		s.EventsDLQArn = s.eventsDLQ.Arn
	}
	s.APIBaseURL, s.APIHost, s.APIEndpointDomain, s.APIEndpointZoneID, s.WebSocketURL = empty, empty, empty, empty, empty
	s.APIHealthCheckID, s.APIFailoverSwitchID = empty, empty
	if s.apiCheck != (pulumi.StringOutput{}) {
		s.APIHealthCheckID = s.apiCheck
	}
	if s.apiSwitch != (pulumi.StringOutput{}) {
		s.APIFailoverSwitchID = s.apiSwitch
	}
	if h := s.http; h != nil {
		s.APIBaseURL, s.APIHost, s.APIEndpointDomain, s.APIEndpointZoneID = h.baseURL, h.host, h.targetDomain, h.targetZone
	}
	if w := s.ws; w != nil {
		s.WebSocketURL = w.url
	}
	return outputs.Register(ctx, s)
}

// logGroup creates a log group under a fixed name, encrypted with the
// component key, kept for the configured retention.
func (s *Serverless) logGroup(ctx *pulumi.Context, logical, name string) (*cloudwatch.LogGroup, error) {
	return cloudwatch.NewLogGroup(ctx, logical, &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(name),
		RetentionInDays: pulumi.Int(s.args.Spec.LogRetentionDays),
		KmsKeyId:        s.key.Arn,
	}, pulumi.Parent(s), pulumi.RetainOnDelete(true))
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
