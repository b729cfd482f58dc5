package config

import (
	"strings"
)

// Serverless configures the Serverless component: the Lambda functions, the
// Step Functions workflows, the EventBridge rules and schedules, and the API
// Gateway HTTP and WebSocket APIs. Nothing in it is DBay-specific: DBay's
// fifteen functions, its withdrawal workflow and its routes are stack
// configuration (Pulumi.prod.yaml).
type Serverless struct {
	// Code is where the application's CI publishes function packages:
	// functions without their own code or image run
	// s3://<bucket>/<keyPrefix>/<function>.zip. The program never builds
	// application code. Set keyPrefix per release (e.g. releases/<git sha>)
	// so a new package changes the function. Absent: every function needs
	// its own code or image.
	Code CodeLocation `json:"code"`
	// Runtime of zip functions: a Lambda runtime AWS currently supports.
	// Absent: python3.12.
	Runtime string `json:"runtime"`
	// Architecture of every function: arm64 or x86_64. Absent: arm64.
	Architecture string `json:"architecture"`
	// LogRetentionDays of the function, workflow and API log groups; a
	// CloudWatch Logs retention. Absent: 365.
	LogRetentionDays int `json:"logRetentionDays"`
	// Functions by name, spelled as the application does (deposit_watcher,
	// build_and_sign_tx): lowercase letters, digits and single underscores,
	// at most 40 characters. Absent: none.
	Functions map[string]LambdaFunction `json:"functions"`
	// Workflows are Step Functions state machines, by name (withdrawal).
	// Absent: none.
	Workflows map[string]Workflow `json:"workflows"`
	// Rules route bus events to functions, by rule name. Absent: none.
	Rules map[string]EventRule `json:"rules"`
	// API is the HTTP API in front of the services. Absent: none.
	API *HTTPAPI `json:"api"`
	// WebSocket is the WebSocket API. Absent: none.
	WebSocket *WebSocketAPI `json:"websocket"`
	// AccountConcurrency is the Region's Lambda concurrency quota: every
	// function's reservedConcurrency together must leave 100 of it
	// unreserved. Absent: 1000 (the default quota).
	AccountConcurrency int `json:"accountConcurrency"`
}

// CodeLocation is the S3 location CI publishes packages to.
type CodeLocation struct {
	// Bucket holding the packages. Lambda reads a zip only from a bucket in
	// the function's own Region
	// (https://docs.aws.amazon.com/lambda/latest/api/API_FunctionCode.html),
	// so each stack names a bucket of its own Region, and the name ends with
	// that Region (dbay-serverless-artifacts-us-west-2): the convention lets
	// validation and the policy pack tell a bucket's Region from its name,
	// offline. A recovery stack therefore cannot name the primary's bucket.
	// Absent: none.
	Bucket string `json:"bucket"`
	// KeyPrefix of the packages, without leading or trailing slash. Absent: the bucket root.
	KeyPrefix string `json:"keyPrefix"`
}

// FunctionCode is one package in S3.
type FunctionCode struct {
	// Bucket and Key of the zip. Required: a code section names both.
	// Bucket follows the CodeLocation.Bucket convention (ends with the
	// stack's Region).
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
}

// LambdaFunction declares one function.
type LambdaFunction struct {
	// Description shown in the console. Absent: none.
	Description string `json:"description"`
	// Handler of a zip function. Absent: handlers.<name>.handler. Not for images.
	Handler string `json:"handler"`
	// Runtime of a zip function. Absent: serverless.runtime. Not for images.
	Runtime string `json:"runtime"`
	// Code overrides the package location. Absent: serverless.code.
	Code *FunctionCode `json:"code"`
	// Image is an ECR image URI (…dkr.ecr.<region>.amazonaws.com/repo:tag or
	// @sha256:…) in the stack's own Region (Lambda pulls only from there:
	// https://docs.aws.amazon.com/lambda/latest/dg/images-create.html),
	// instead of a zip. Absent: a zip.
	Image string `json:"image"`
	// Memory in MB: 128..10240. Absent: 256.
	Memory int `json:"memory"`
	// Timeout in seconds: 1..900. Absent: 30.
	Timeout int `json:"timeout"`
	// ReservedConcurrency caps (and reserves) concurrent executions: ≥ 0,
	// or -1. Absent or -1: unreserved.
	ReservedConcurrency *int `json:"reservedConcurrency"`
	// Uses are the stores the function connects to: postgres, mongo, redis,
	// search, memcached, ses, queue:<name> (send), bucket:<name> (read
	// and write). Each gives its variables (secrets as <NAME>_SECRET_ARN),
	// the grants and the network path. The bus is not a use: see
	// Publishes. Absent: none.
	Uses []string `json:"uses"`
	// Publishes are the events the function puts on the bus: it gets
	// EVENT_BUS_NAME, events:PutEvents limited to these sources and detail
	// types, and the NAT path to EventBridge. Absent: none (no bus access).
	Publishes []BusPublication `json:"publishes"`
	// Calls are the services whose internal URL the function gets as
	// <NAME>_SERVICE_URL (wallet → WALLET_SERVICE_URL), and whose security
	// group admits it. Absent: none.
	Calls []string `json:"calls"`
	// Secrets are secrets.items names the function reads at runtime: it gets
	// <NAME>_SECRET_ARN and GetSecretValue on exactly those. A single-reader
	// secret must list the function's grantee name (FunctionGrantee) in its
	// readers. Absent: none.
	Secrets []string `json:"secrets"`
	// Env are plain, non-secret variables. Keys the program derives (store,
	// service and secret variables), Lambda's reserved keys and
	// AWS_ENDPOINT_URL are refused. Absent: none.
	Env map[string]string `json:"env"`
	// Async marks a function invoked asynchronously (by a rule or a
	// schedule): failed events go to the component's DLQ after 2 retries.
	// Absent: false.
	Async bool `json:"async"`
	// Schedule invokes the function on an EventBridge Scheduler expression:
	// rate(N minute[s]|hour[s]|day[s]) or cron(min hour dom month dow year).
	// Requires async. Absent: no schedule.
	Schedule string `json:"schedule"`
	// Internet lets the function reach the internet (HTTPS through NAT),
	// e.g. a hosted Dogecoin RPC. Absent: false, VPC destinations only —
	// except that a function publishing on the bus or using ses or a queue reaches those AWS
	// APIs through NAT too (the network has no VPC endpoint for them).
	Internet bool `json:"internet"`
	// Tracing is the X-Ray mode: Active or PassThrough. Absent: Active.
	Tracing string `json:"tracing"`
	// Signed makes Lambda refuse any package not signed by the stack's
	// signing profile (a code signing config with Enforce). Required for a
	// function that reads a single-reader secret; zip packages only.
	// Absent: false.
	Signed bool `json:"signed"`
}

// Workflow is a Standard state machine: a linear chain of Task steps, each
// invoking one function with the previous step's output.
type Workflow struct {
	// Description of the state machine. Absent: none.
	Description string `json:"description"`
	// Steps in order. Required.
	Steps []WorkflowStep `json:"steps"`
	// Compensation runs when a step at or after Compensation.From and
	// before PointOfNoReturn fails: e.g. credit the user back after the
	// ledger was debited. Absent: every failure before PointOfNoReturn ends
	// in the Fail state with its reason.
	Compensation *Compensation `json:"compensation"`
	// PointOfNoReturn is the first step whose effect the program cannot
	// take back (the broadcast: the signed transaction may have reached the
	// network even if the call failed). From it on a failure is never
	// compensated: the steps retry (they must be idempotent: the same txid,
	// the same withdrawal id) and then end in NeedsReconciliation, which
	// alarms, for a person to settle. Absent: no such step.
	PointOfNoReturn string `json:"pointOfNoReturn"`
	// Trigger starts an execution per matching bus event (its detail is the
	// input). Exactly one of Trigger and Schedule. Absent: no event
	// starts it (then schedule is required).
	Trigger *WorkflowTrigger `json:"trigger"`
	// Schedule starts an execution on a Scheduler expression (input {}).
	// Absent: none (then trigger is required).
	Schedule string `json:"schedule"`
}

// WorkflowStep is one Task state.
type WorkflowStep struct {
	// Name of the state, e.g. DebitLedger. Required: a letter then letters
	// and digits.
	Name string `json:"name"`
	// Function invoked. Required.
	Function string `json:"function"`
	// TimeoutSeconds of the task: 1..86400. Absent: the function's timeout + 30.
	TimeoutSeconds int `json:"timeoutSeconds"`
	// Poll turns the step into a Wait/Choice loop: the step runs until its
	// result's Field reaches AtLeast, waiting WaitSeconds between runs, at
	// most MaxPolls times. At most one step of a workflow polls. Absent:
	// the step runs once.
	Poll *WorkflowPoll `json:"poll"`
}

// WorkflowPoll is a polling loop on the step's result.
type WorkflowPoll struct {
	// Field of the function's result compared. Absent: confirmations.
	Field string `json:"field"`
	// AtLeast is the value that ends the loop: ≥ 1. Required.
	AtLeast int `json:"atLeast"`
	// WaitSeconds between polls: 1..86400. Absent: 60.
	WaitSeconds int `json:"waitSeconds"`
	// MaxPolls before the step fails (as PollTimeout): 1..10000. Absent: 180.
	MaxPolls int `json:"maxPolls"`
}

// Compensation is the function that undoes the workflow's effect.
type Compensation struct {
	// Function invoked with the failed state (its error under $.error). Required.
	Function string `json:"function"`
	// From is the first step whose failure compensates (the debit: it may
	// have committed before failing, so the compensation must be idempotent).
	// Required.
	From string `json:"from"`
}

// WorkflowTrigger is a bus event pattern.
type WorkflowTrigger struct {
	// Source of the event, e.g. dbay.wallet. Required.
	Source string `json:"source"`
	// DetailType of the event, e.g. withdrawal.requested. Required.
	DetailType string `json:"detailType"`
}

// EventRule routes bus events to functions.
type EventRule struct {
	// Description of the rule. Absent: none.
	Description string `json:"description"`
	// Sources matched, e.g. dbay.listings. Required.
	Sources []string `json:"sources"`
	// DetailTypes narrow the match. Absent: every detail type of the sources.
	DetailTypes []string `json:"detailTypes"`
	// Targets are async functions. Required.
	Targets []string `json:"targets"`
}

// HTTPAPI is the public HTTP API: /api/v1/<service>/{proxy+} to the
// services' load balancer through a VPC link, behind the Lambda authorizer.
type HTTPAPI struct {
	// Services are the path segments routed, each as ANY
	// /api/v1/<service>/{proxy+}; the load balancer routes them on. Required.
	Services []string `json:"services"`
	// PublicRoutes are route keys ("GET /api/v1/listings/{proxy+}") served
	// without the authorizer. Each must lie under a service. Absent: none,
	// every route is authorized.
	PublicRoutes []string `json:"publicRoutes"`
	// Authorizer is the REQUEST authorizer function. Absent: authorizer.
	Authorizer string `json:"authorizer"`
	// AuthorizerCacheSeconds caches a decision per Authorization header:
	// 0..3600. Absent: 300.
	AuthorizerCacheSeconds *int `json:"authorizerCacheSeconds"`
	// Throttle of the stage's routes. Absent: burst 200, rate 100.
	Throttle APIThrottle `json:"throttle"`
	// CorsOrigins may call the API from a browser: https origins.
	// Absent: https://app.<domain>.
	CorsOrigins []string `json:"corsOrigins"`
	// CustomDomain serves the API on api.<domain> (regional certificate,
	// TLS 1.2) and turns the execute-api endpoint off. Needs the stack's
	// hosted zone. Absent: false.
	CustomDomain bool `json:"customDomain"`
	// HealthCheckPath, with CustomDomain, gets a Route53 HTTPS health check
	// on api.<domain><path> (the DR failover records use it); it must be a
	// public route. Behind CloudFront it is the one route served without
	// the origin header (Route53's checkers cannot send one), throttled to
	// HealthRouteThrottle. Absent: no health check.
	HealthCheckPath string `json:"healthCheckPath"`
	// RouteThrottles override the stage throttle for single routes, by
	// route key: a service's "ANY /api/v1/<service>/{proxy+}" or a public
	// route key. Absent: every route gets Throttle.
	RouteThrottles map[string]APIThrottle `json:"routeThrottles"`
}

// HealthRouteThrottle is the throttle of the API's health-check route
// (HTTPAPI.HealthCheckPath): Route53's checkers send about one request
// every two seconds in all (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html,
// "Request interval"), so a flood around the edge gets ten at most.
var HealthRouteThrottle = APIThrottle{Burst: 10, Rate: 5}

// HealthRouteKey is the route of the health-check path: a GET of the path
// without its trailing slash (API Gateway routes /a/b/ as /a/b).
func (a HTTPAPI) HealthRouteKey() string {
	if a.HealthCheckPath == "" {
		return ""
	}
	p := strings.TrimSuffix(a.HealthCheckPath, "/")
	if p == "" {
		p = "/"
	}
	return "GET " + p
}

// ServiceRouteKey is the authorized route of a service.
func ServiceRouteKey(service string) string { return "ANY /api/v1/" + service + "/{proxy+}" }

// WebSocketAPI is the WebSocket API. Its routes ($connect, $disconnect,
// $default) go to one function: WebSocket APIs cannot reach an ALB through
// a VPC link, so the function relays to the service.
type WebSocketAPI struct {
	// Function handling every route. Required.
	Function string `json:"function"`
	// Authorizer on $connect, reading the token query parameter (browsers
	// cannot set headers on a WebSocket handshake). Absent: authorizer.
	Authorizer string `json:"authorizer"`
	// Throttle of the stage's routes. Absent: burst 200, rate 100.
	Throttle APIThrottle `json:"throttle"`
	// CustomDomain serves the API on ws.<domain> and turns the execute-api
	// endpoint off. Absent: false.
	CustomDomain bool `json:"customDomain"`
	// ConnectThrottle limits $connect (each runs the authorizer). Absent:
	// Throttle.
	ConnectThrottle *APIThrottle `json:"connectThrottle"`
}

// APIThrottle is a stage's default route throttling.
type APIThrottle struct {
	// Burst requests: 1..5000. Absent: 200.
	Burst int `json:"burst"`
	// Rate in requests per second: 1..10000. Absent: 100.
	Rate int `json:"rate"`
}
