package config

import (
	"fmt"
	"regexp"
	"strconv"
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
}

// CodeLocation is the S3 location CI publishes packages to.
type CodeLocation struct {
	// Bucket holding the packages (same region as the stack). Absent: none.
	Bucket string `json:"bucket"`
	// KeyPrefix of the packages, without leading or trailing slash. Absent: the bucket root.
	KeyPrefix string `json:"keyPrefix"`
}

// FunctionCode is one package in S3.
type FunctionCode struct {
	// Bucket and Key of the zip. Both required.
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
	// @sha256:…), instead of a zip. Absent: a zip.
	Image string `json:"image"`
	// Memory in MB: 128..10240. Absent: 256.
	Memory int `json:"memory"`
	// Timeout in seconds: 1..900. Absent: 30.
	Timeout int `json:"timeout"`
	// ReservedConcurrency caps (and reserves) concurrent executions: ≥ 0,
	// or -1. Absent or -1: unreserved.
	ReservedConcurrency *int `json:"reservedConcurrency"`
	// Uses are the stores the function connects to: postgres, mongo, redis,
	// search, memcached, bus, ses, queue:<name> (send), bucket:<name> (read
	// and write). Each gives its variables (secrets as <NAME>_SECRET_ARN),
	// the grants and the network path. Absent: none.
	Uses []string `json:"uses"`
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
	// except that a function using bus, ses or a queue reaches those AWS
	// APIs through NAT too (the network has no VPC endpoint for them).
	Internet bool `json:"internet"`
	// Tracing is the X-Ray mode: Active or PassThrough. Absent: Active.
	Tracing string `json:"tracing"`
}

// Workflow is a Standard state machine: a linear chain of Task steps, each
// invoking one function with the previous step's output.
type Workflow struct {
	// Description of the state machine. Absent: none.
	Description string `json:"description"`
	// Steps in order. Required.
	Steps []WorkflowStep `json:"steps"`
	// Compensation runs when a step at or after Compensation.From fails:
	// e.g. credit the user back after the ledger was debited. Absent: every
	// failure ends in the Fail state with its reason.
	Compensation *Compensation `json:"compensation"`
	// Trigger starts an execution per matching bus event (its detail is the
	// input). Exactly one of Trigger and Schedule.
	Trigger *WorkflowTrigger `json:"trigger"`
	// Schedule starts an execution on a Scheduler expression (input {}).
	Schedule string `json:"schedule"`
}

// WorkflowStep is one Task state.
type WorkflowStep struct {
	// Name of the state, e.g. DebitLedger: a letter then letters and digits.
	Name string `json:"name"`
	// Function invoked. Required.
	Function string `json:"function"`
	// TimeoutSeconds of the task: 1..86400. Absent: the function's timeout + 30.
	TimeoutSeconds int `json:"timeoutSeconds"`
	// Poll turns the step into a Wait/Choice loop: the step runs until its
	// result's Field reaches AtLeast, waiting WaitSeconds between runs, at
	// most MaxPolls times. At most one step of a workflow polls.
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
	// public route. Absent: no health check.
	HealthCheckPath string `json:"healthCheckPath"`
}

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
	// CustomDomain serves the API on ws.<domain>. Absent: false.
	CustomDomain bool `json:"customDomain"`
}

// APIThrottle is a stage's default route throttling.
type APIThrottle struct {
	// Burst requests: 1..5000. Absent: 200.
	Burst int `json:"burst"`
	// Rate in requests per second: 1..10000. Absent: 100.
	Rate int `json:"rate"`
}

// ServerlessScope is what the serverless section is checked against: the
// rest of the stack.
type ServerlessScope struct {
	// Stores maps each `uses` entry the data section enables (postgres,
	// mongo, redis, search, memcached, bus, ses, queue:<name>,
	// bucket:<name>) to the variables it sets: Data.UsableStores().
	Stores map[string][]string
	// Services are the service names the fleet declares (for calls; a
	// function's grantee name may not be a service's role name).
	Services map[string]bool
	// Secrets are secrets.items.
	Secrets map[string]SecretItem
	// HasZone: the stack has a hosted zone, so custom domains can be validated.
	HasZone bool
}

// Serverless defaults and limits.
const (
	DefaultLambdaRuntime          = "python3.12"
	DefaultLambdaArchitecture     = "arm64"
	DefaultFunctionMemory         = 256
	DefaultFunctionTimeout        = 30
	TracingActive                 = "Active"
	TracingPassThrough            = "PassThrough"
	DefaultAuthorizer             = "authorizer"
	DefaultAuthorizerCacheSeconds = 300
	DefaultThrottleBurst          = 200
	DefaultThrottleRate           = 100
	DefaultPollField              = "confirmations"
	DefaultPollWaitSeconds        = 60
	DefaultMaxPolls               = 180
	// StepTimeoutMarginSeconds is added to a function's timeout for its task.
	StepTimeoutMarginSeconds = 30
	// UnreservedConcurrency is Lambda's "no reservation".
	UnreservedConcurrency = -1
	maxFunctionName       = 40
)

// LambdaRuntimes are the runtimes Lambda supports for new functions (2026;
// deprecated ones such as python3.9 and nodejs18.x are refused).
var LambdaRuntimes = []string{
	"python3.10", "python3.11", "python3.12", "python3.13", "python3.14",
	"nodejs20.x", "nodejs22.x", "nodejs24.x",
	"java11", "java17", "java21",
	"dotnet8", "ruby3.3", "ruby3.4", "provided.al2", "provided.al2023",
}

// ReservedWorkflowStates are the state names the program adds to a workflow.
var ReservedWorkflowStates = []string{"Failed", "Compensate", "Compensated", "CompensationFailed"}

// FunctionGrantee is the grantee name of a function's role: its name with
// dashes (build_and_sign_tx → build-and-sign-tx). A single-reader secret
// names it in readers.
func FunctionGrantee(name string) string { return strings.ReplaceAll(name, "_", "-") }

// ServiceURLVar is the variable carrying a service's internal URL
// (wallet → WALLET_SERVICE_URL, search-gateway → SEARCH_GATEWAY_SERVICE_URL).
func ServiceURLVar(service string) string {
	return strings.ToUpper(strings.ReplaceAll(service, "-", "_")) + "_SERVICE_URL"
}

// SecretARNVar is the variable carrying a secret's ARN (the Lambda secret
// contract: the function fetches the value at runtime).
func SecretARNVar(name string) string { return name + "_SECRET_ARN" }

// Principals are the grantee names of the functions.
func (s *Serverless) Principals() map[string]bool {
	out := map[string]bool{}
	if s == nil {
		return out
	}
	for name := range s.Functions {
		out[FunctionGrantee(name)] = true
	}
	return out
}

// CodeOf is the S3 location of a zip function's package.
func (s Serverless) CodeOf(name string) FunctionCode {
	if c := s.Functions[name].Code; c != nil {
		return *c
	}
	key := name + ".zip"
	if s.Code.KeyPrefix != "" {
		key = s.Code.KeyPrefix + "/" + key
	}
	return FunctionCode{Bucket: s.Code.Bucket, Key: key}
}

func (s *Serverless) applyDefaults(domain string) {
	def(&s.Runtime, DefaultLambdaRuntime)
	def(&s.Architecture, DefaultLambdaArchitecture)
	defInt(&s.LogRetentionDays, DefaultLogRetentionDays)
	for name, f := range s.Functions {
		if f.Image == "" {
			def(&f.Handler, "handlers."+name+".handler")
			def(&f.Runtime, s.Runtime)
		}
		defInt(&f.Memory, DefaultFunctionMemory)
		defInt(&f.Timeout, DefaultFunctionTimeout)
		def(&f.Tracing, TracingActive)
		s.Functions[name] = f
	}
	for name, w := range s.Workflows {
		for i, st := range w.Steps {
			if st.TimeoutSeconds == 0 {
				if f, ok := s.Functions[st.Function]; ok {
					st.TimeoutSeconds = f.Timeout + StepTimeoutMarginSeconds
				}
			}
			if p := st.Poll; p != nil {
				def(&p.Field, DefaultPollField)
				defInt(&p.WaitSeconds, DefaultPollWaitSeconds)
				defInt(&p.MaxPolls, DefaultMaxPolls)
			}
			w.Steps[i] = st
		}
		s.Workflows[name] = w
	}
	if a := s.API; a != nil {
		def(&a.Authorizer, DefaultAuthorizer)
		if a.AuthorizerCacheSeconds == nil {
			v := DefaultAuthorizerCacheSeconds
			a.AuthorizerCacheSeconds = &v
		}
		a.Throttle.applyDefaults()
		if a.CorsOrigins == nil && domain != "" {
			a.CorsOrigins = []string{"https://app." + domain}
		}
	}
	if w := s.WebSocket; w != nil {
		def(&w.Authorizer, DefaultAuthorizer)
		w.Throttle.applyDefaults()
	}
}

func (t *APIThrottle) applyDefaults() {
	defInt(&t.Burst, DefaultThrottleBurst)
	defInt(&t.Rate, DefaultThrottleRate)
}

var (
	functionNameRe = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	handlerRe      = regexp.MustCompile(`^[A-Za-z0-9_.:/$-]{1,128}$`)
	ecrImageRe     = regexp.MustCompile(`^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$`)
	s3KeyRe        = regexp.MustCompile(`^[A-Za-z0-9!_.*'()/-]+$`)
	stepNameRe     = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,63}$`)
	payloadFieldRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
	apiSegmentRe   = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)
	routeKeyRe     = regexp.MustCompile(`^(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (/\S*)$`)
	routeSegmentRe = regexp.MustCompile(`^([A-Za-z0-9._~-]+|\{[A-Za-z_][A-Za-z0-9_]*\+?\})$`)
)

// derivedEnv are the variables the program sets itself; env may not set them.
var derivedEnv = []string{
	"DATABASE_URL", "MONGO_URI", "REDIS_URL", "ELASTICSEARCH_URL", "MEMCACHED_URL", "EVENT_BUS_NAME",
	"SQS_QUEUE_URL", "AWS_S3_BUCKET_NAME", "SES_FROM_EMAIL", "COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID", "WEBSOCKET_CALLBACK_URL",
}

// lambdaReservedEnv are set by the Lambda runtime (or, for AWS_ENDPOINT_URL,
// point the SDKs away from AWS: LocalStack only, seed §4).
var lambdaReservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
	"AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API",
	"AWS_REGION", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_XRAY_CONTEXT_MISSING", "AWS_XRAY_DAEMON_ADDRESS",
	"LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT", "TZ",
}

// validate records every problem of a defaulted serverless section.
func (s Serverless) validate(c *collector, scope ServerlessScope) {
	oneOf(c, "serverless.runtime", s.Runtime, LambdaRuntimes, "Lambda runtime AWS supports for new functions")
	oneOf(c, "serverless.architecture", s.Architecture, []string{"arm64", "x86_64"}, "Lambda architecture")
	if !IsLogRetention(s.LogRetentionDays) {
		c.addf("serverless.logRetentionDays", fmt.Sprintf("use one of %v", logRetentionDays), "%d is not a CloudWatch Logs retention", s.LogRetentionDays)
	}
	if s.Code.Bucket != "" {
		if p := bucketNameProblems(s.Code.Bucket); len(p) > 0 {
			c.addf("serverless.code.bucket", "use the bucket CI publishes the packages to", "%q is not a valid S3 bucket name: %s", s.Code.Bucket, strings.Join(p, "; "))
		}
	}
	if k := s.Code.KeyPrefix; k != "" && (strings.HasPrefix(k, "/") || strings.HasSuffix(k, "/") || !s3KeyRe.MatchString(k)) {
		c.addf("serverless.code.keyPrefix", "use a key prefix without leading or trailing slash, e.g. releases/1a2b3c4", "%q is not a valid key prefix", k)
	}
	for _, name := range sortedMapKeys(s.Functions) {
		s.validateFunction(c, name, s.Functions[name], scope)
	}
	for _, name := range sortedMapKeys(s.Workflows) {
		s.validateWorkflow(c, name, s.Workflows[name], scope)
	}
	for _, name := range sortedMapKeys(s.Rules) {
		s.validateRule(c, name, s.Rules[name], scope)
	}
	if a := s.API; a != nil {
		s.validateAPI(c, *a, scope)
	}
	if w := s.WebSocket; w != nil {
		path := "serverless.websocket"
		s.checkSyncFunction(c, path+".function", w.Function, "handles the WebSocket routes")
		s.checkSyncFunction(c, path+".authorizer", w.Authorizer, "authorizes $connect")
		w.Throttle.validate(c, path+".throttle")
		if w.CustomDomain && !scope.HasZone {
			c.add(path+".customDomain", "needs the stack's hosted zone (a frontend section)", "add frontend or set customDomain false")
		}
	}
}

func (s Serverless) validateFunction(c *collector, name string, f LambdaFunction, scope ServerlessScope) {
	path := "serverless.functions." + name
	grantee := FunctionGrantee(name)
	switch {
	case !functionNameRe.MatchString(name) || len(name) > maxFunctionName:
		c.addf(path, fmt.Sprintf("use up to %d lowercase letters, digits and single underscores, starting with a letter, as the application spells it (build_and_sign_tx)", maxFunctionName), "%q is not a valid function name", name)
	case scope.Services[grantee] || scope.Services[strings.TrimSuffix(grantee, "-exec")]:
		c.addf(path, "rename the function", "its role name %s is also a fleet service's role name", grantee)
	}
	checkRange(c, path+".memory", f.Memory, 128, 10240, "MB")
	checkRange(c, path+".timeout", f.Timeout, 1, 900, "seconds")
	if r := f.ReservedConcurrency; r != nil && *r < UnreservedConcurrency {
		c.addf(path+".reservedConcurrency", "use 0 or more, or -1 (unreserved)", "%d is not a concurrency", *r)
	}
	oneOf(c, path+".tracing", f.Tracing, []string{TracingActive, TracingPassThrough}, "X-Ray tracing mode")
	switch {
	case f.Image != "":
		if !ecrImageRe.MatchString(f.Image) {
			c.addf(path+".image", "use an ECR image URI such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/dbay/fn:1.2.3 (or @sha256:…)", "%q is not an ECR image URI", f.Image)
		}
		if f.Code != nil {
			c.add(path+".code", "is set together with image", "a function is either a zip (code) or an image")
		}
		if f.Handler != "" || f.Runtime != "" {
			c.add(path+".handler", "an image function takes its handler and runtime from the image", "remove handler and runtime, or set them in the image's CMD")
		}
	default:
		oneOf(c, path+".runtime", f.Runtime, LambdaRuntimes, "Lambda runtime AWS supports for new functions")
		if !handlerRe.MatchString(f.Handler) {
			c.addf(path+".handler", "use module.function, e.g. handlers."+name+".handler", "%q is not a handler", f.Handler)
		}
		switch code := f.Code; {
		case code != nil:
			if p := bucketNameProblems(code.Bucket); len(p) > 0 {
				c.addf(path+".code.bucket", "use the bucket CI publishes the package to", "%q is not a valid S3 bucket name: %s", code.Bucket, strings.Join(p, "; "))
			}
			if !s3KeyRe.MatchString(code.Key) || strings.HasPrefix(code.Key, "/") {
				c.addf(path+".code.key", "use the package's key, e.g. releases/1a2b3c4/"+name+".zip", "%q is not a valid S3 key", code.Key)
			}
		case s.Code.Bucket == "":
			c.add(path, "has no code", "set serverless.code.bucket (CI's artifact bucket), or this function's code or image")
		}
	}

	storeVars := map[string]bool{}
	for _, vars := range scope.Stores {
		for _, v := range vars {
			storeVars[v] = true
		}
	}
	queues := 0
	checkList(c, path+".uses", f.Uses, func(p, u string) {
		switch {
		case scope.Stores[u] == nil:
			c.addf(p, "use one of"+knownKeys(scope.Stores), "%q is not a store of this stack", u)
		case strings.HasPrefix(u, "queue:"):
			if queues++; queues > 1 {
				c.add(p, "a function sends to one queue (its SQS_QUEUE_URL)", "split the function or drop a queue")
			}
		}
	})
	checkList(c, path+".calls", f.Calls, func(p, svc string) {
		if !scope.Services[svc] {
			c.addf(p, "name a service of the fleet"+known(scope.Services), "no service named %q", svc)
		}
	})
	checkList(c, path+".secrets", f.Secrets, func(p, sec string) {
		item, ok := scope.Secrets[sec]
		switch {
		case !ok:
			c.addf(p, "declare it in secrets.items"+knownKeys(scope.Secrets), "%q is not a declared secret", sec)
		case len(item.Readers) > 0 && !contains(item.Readers, FunctionGrantee(name)):
			c.addf(p, fmt.Sprintf("add %s to secrets.items.%s.readers, or drop it here", FunctionGrantee(name), sec), "%s is single-reader (%v)", sec, item.Readers)
		}
	})
	for _, k := range sortedMapKeys(f.Env) {
		p := path + ".env." + k
		switch {
		case !envVarRe.MatchString(k):
			c.addf(p, "use upper-case letters, digits and underscores", "%q is not an environment variable name", k)
		case contains(lambdaReservedEnv, k):
			c.addf(p, "remove it (Lambda sets it, or it must not be set in production)", "%s is reserved", k)
		case contains(derivedEnv, k) || storeVars[k] || strings.HasSuffix(k, "_SERVICE_URL") || strings.HasSuffix(k, "_SECRET_ARN") || strings.HasSuffix(k, "_SECRET_JSON_KEY"):
			c.addf(p, "declare what the function uses (uses, calls, secrets) and the program sets it", "%s is derived by the program", k)
		case scope.Secrets[k].Source != "":
			c.addf(p, fmt.Sprintf("list %s under secrets: the function gets %s and reads the value at runtime", k, SecretARNVar(k)), "%s is a secret; its value may not be plain env", k)
		}
	}
	if f.Schedule != "" {
		if err := ParseSchedule(f.Schedule); err != nil {
			c.addf(path+".schedule", "use rate(N minute[s]|hour[s]|day[s]) or cron(minutes hours day-of-month month day-of-week year)", "%v", err)
		}
		if !f.Async {
			c.add(path+".async", "is false but the function has a schedule", "set async: true: the scheduler invokes asynchronously, so failures need the DLQ")
		}
	}
}

func (s Serverless) validateWorkflow(c *collector, name string, w Workflow, scope ServerlessScope) {
	path := "serverless.workflows." + name
	if !logicalNameRe.MatchString(name) {
		c.addf(path, "use 1-40 lowercase letters, digits and dashes, starting with a letter, e.g. withdrawal", "%q is not a valid workflow name", name)
	}
	if len(w.Steps) == 0 {
		c.add(path+".steps", "is empty", "list the steps in order, each with a name and a function")
	}
	steps, polls := map[string]bool{}, 0
	for i, st := range w.Steps {
		p := fmt.Sprintf("%s.steps[%d]", path, i)
		switch {
		case !stepNameRe.MatchString(st.Name):
			c.addf(p+".name", "use a letter then letters and digits, e.g. DebitLedger", "%q is not a state name", st.Name)
		case contains(ReservedWorkflowStates, st.Name):
			c.addf(p+".name", "choose another name", "%q is a state the program adds", st.Name)
		case steps[st.Name]:
			c.addf(p+".name", "give each step its own name", "%q is listed twice", st.Name)
		}
		steps[st.Name] = true
		if _, ok := s.Functions[st.Function]; !ok {
			c.addf(p+".function", "name a function of serverless.functions"+knownKeys(s.Functions), "no function named %q", st.Function)
		}
		checkRange(c, p+".timeoutSeconds", st.TimeoutSeconds, 1, 86400, "seconds")
		if pl := st.Poll; pl != nil {
			if polls++; polls > 1 {
				c.add(p+".poll", "a workflow has at most one polling step", "poll in one step")
			}
			if !payloadFieldRe.MatchString(pl.Field) {
				c.addf(p+".poll.field", "use the result's field name, e.g. confirmations", "%q is not a field name", pl.Field)
			}
			if pl.AtLeast < 1 {
				c.addf(p+".poll.atLeast", "use 1 or more, e.g. 6 confirmations", "%d never ends the loop meaningfully", pl.AtLeast)
			}
			checkRange(c, p+".poll.waitSeconds", pl.WaitSeconds, 1, 86400, "seconds")
			checkRange(c, p+".poll.maxPolls", pl.MaxPolls, 1, 10000, "polls")
		}
	}
	if cp := w.Compensation; cp != nil {
		if _, ok := s.Functions[cp.Function]; !ok {
			c.addf(path+".compensation.function", "name a function of serverless.functions"+knownKeys(s.Functions), "no function named %q", cp.Function)
		}
		if !steps[cp.From] {
			c.addf(path+".compensation.from", "name the step after which failures are compensated, e.g. DebitLedger", "%q is not a step of this workflow", cp.From)
		}
	}
	switch {
	case w.Trigger != nil && w.Schedule != "":
		c.add(path+".schedule", "is set together with trigger", "start the workflow from an event or a schedule, not both")
	case w.Trigger != nil:
		if !eventSourceRe.MatchString(w.Trigger.Source) || strings.HasPrefix(w.Trigger.Source, "aws.") {
			c.addf(path+".trigger.source", "use the source the service puts the event with, e.g. dbay.wallet", "%q is not an event source", w.Trigger.Source)
		}
		if w.Trigger.DetailType == "" || len(w.Trigger.DetailType) > 128 {
			c.addf(path+".trigger.detailType", "use the event's detail type, e.g. withdrawal.requested", "%q is not a detail type", w.Trigger.DetailType)
		}
		if scope.Stores["bus"] == nil {
			c.add(path+".trigger", "needs the event bus", "configure data.bus")
		}
	case w.Schedule != "":
		if err := ParseSchedule(w.Schedule); err != nil {
			c.addf(path+".schedule", "use rate(…) or cron(…)", "%v", err)
		}
	default:
		c.add(path, "has no trigger and no schedule", "set trigger {source, detailType} or schedule")
	}
}

func (s Serverless) validateRule(c *collector, name string, r EventRule, scope ServerlessScope) {
	path := "serverless.rules." + name
	checkLogicalName(c, path, name, "")
	if len(r.Sources) == 0 {
		c.add(path+".sources", "is empty", "list the event sources, e.g. dbay.listings")
	}
	checkEventValues(c, path+".sources", r.Sources, func(v string) bool {
		return eventSourceRe.MatchString(v) && !strings.HasPrefix(v, "aws.")
	}, "use the source your services put events with, e.g. dbay.listings")
	checkEventValues(c, path+".detailTypes", r.DetailTypes, func(v string) bool {
		return len(v) <= 128 && strings.TrimSpace(v) == v
	}, "use a detail type of at most 128 characters")
	if scope.Stores["bus"] == nil {
		c.add(path, "needs the event bus", "configure data.bus")
	}
	if len(r.Targets) == 0 {
		c.add(path+".targets", "is empty", "list the functions the events go to")
	}
	checkList(c, path+".targets", r.Targets, func(p, fn string) {
		f, ok := s.Functions[fn]
		switch {
		case !ok:
			c.addf(p, "name a function of serverless.functions"+knownKeys(s.Functions), "no function named %q", fn)
		case !f.Async:
			c.addf(p, fmt.Sprintf("set serverless.functions.%s.async: true", fn), "%s is invoked asynchronously by the rule, so its failures need the DLQ", fn)
		}
	})
}

func (s Serverless) validateAPI(c *collector, a HTTPAPI, scope ServerlessScope) {
	path := "serverless.api"
	if len(a.Services) == 0 {
		c.add(path+".services", "is empty", "list the path segments routed as /api/v1/<service>/{proxy+}")
	}
	checkList(c, path+".services", a.Services, func(p, svc string) {
		if !apiSegmentRe.MatchString(svc) {
			c.addf(p, "use a lowercase path segment such as listings", "%q is not a path segment", svc)
		}
	})
	if hp := a.HealthCheckPath; hp != "" {
		switch {
		case !a.CustomDomain:
			c.add(path+".healthCheckPath", "needs customDomain: the check targets api.<domain>", "set customDomain: true or remove the path")
		case !strings.HasPrefix(hp, "/"):
			c.addf(path+".healthCheckPath", "start it with /", "%q is not a path", hp)
		}
	}
	checkList(c, path+".publicRoutes", a.PublicRoutes, func(p, key string) {
		if problem := routeProblem(key, a.Services); problem != "" {
			c.addf(p, `use "METHOD /api/v1/<service>/…", e.g. "GET /api/v1/listings/{proxy+}"`, "%q %s", key, problem)
		}
	})
	s.checkSyncFunction(c, path+".authorizer", a.Authorizer, "authorizes every non-public route")
	if n := *a.AuthorizerCacheSeconds; n < 0 || n > 3600 {
		c.addf(path+".authorizerCacheSeconds", "use 0..3600 (0 turns the cache off)", "%d seconds is outside 0..3600", n)
	}
	a.Throttle.validate(c, path+".throttle")
	for i, o := range a.CorsOrigins {
		if problem := originProblem(o); problem != "" {
			c.addf(fmt.Sprintf("%s.corsOrigins[%d]", path, i), "use an https origin such as https://app.dbay.example.com", "%q %s", o, problem)
		}
	}
	if a.CustomDomain && !scope.HasZone {
		c.add(path+".customDomain", "needs the stack's hosted zone (a frontend section)", "add frontend or set customDomain false")
	}
}

// routeProblem says what is wrong with a public route key, or "".
func routeProblem(key string, services []string) string {
	m := routeKeyRe.FindStringSubmatch(key)
	if m == nil {
		return "is not a route key"
	}
	segs := strings.Split(strings.TrimPrefix(m[2], "/"), "/")
	if len(segs) < 3 || segs[0] != "api" || segs[1] != "v1" || !contains(services, segs[2]) {
		return "is not under /api/v1/<service> of serverless.api.services"
	}
	for i, seg := range segs {
		if !routeSegmentRe.MatchString(seg) {
			return fmt.Sprintf("has an invalid path segment %q", seg)
		}
		if strings.HasSuffix(seg, "+}") && i != len(segs)-1 {
			return "has a greedy {name+} segment that is not the last"
		}
	}
	if m[1] == "ANY" && len(segs) == 4 && strings.HasSuffix(segs[3], "+}") {
		return "would make the whole service public (it is the service's own authorized route)"
	}
	return ""
}

// checkSyncFunction checks a function invoked synchronously by API Gateway.
func (s Serverless) checkSyncFunction(c *collector, path, name, role string) {
	f, ok := s.Functions[name]
	switch {
	case !ok:
		c.addf(path, "name a function of serverless.functions"+knownKeys(s.Functions), "no function named %q (it %s)", name, role)
	case f.Async || f.Schedule != "":
		c.addf(path, "use a function that is neither async nor scheduled", "%s %s, so API Gateway invokes it synchronously", name, role)
	}
}

func (t APIThrottle) validate(c *collector, path string) {
	checkRange(c, path+".burst", t.Burst, 1, 5000, "requests")
	checkRange(c, path+".rate", t.Rate, 1, 10000, "requests per second")
}

// checkList checks each entry of a list of names and that none repeats.
func checkList(c *collector, path string, list []string, each func(path, v string)) {
	seen := map[string]bool{}
	for i, v := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		if seen[v] {
			c.addf(p, "list each value once", "%q is listed twice", v)
			continue
		}
		seen[v] = true
		each(p, v)
	}
}

func knownKeys[V any](m map[string]V) string {
	if len(m) == 0 {
		return " (none is declared)"
	}
	return fmt.Sprintf(" (%v)", sortedMapKeys(m))
}

// LoadServerless decodes, defaults and validates a `serverless` section on
// its own, as Load does within a stack: raw is the section's JSON, domain
// the stack's domain, scope the rest of the stack.
func LoadServerless(project, domain, raw string, scope ServerlessScope) (Serverless, error) {
	var s Serverless
	err := loadSection(project, "serverless", raw, &s, func() { s.applyDefaults(domain) }, func(c *collector) { s.validate(c, scope) })
	return s, err
}

// ParseSchedule checks an EventBridge Scheduler expression: rate(N unit)
// with a positive N and the unit singular exactly when N is 1, or cron()
// with six fields (minutes hours day-of-month month day-of-week year) in
// which exactly one of day-of-month and day-of-week is "?". One-time at()
// schedules are refused: a function's schedule recurs.
func ParseSchedule(expr string) error {
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		return parseRate(strings.TrimSuffix(strings.TrimPrefix(expr, "rate("), ")"))
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		return parseCron(strings.TrimSuffix(strings.TrimPrefix(expr, "cron("), ")"))
	case strings.HasPrefix(expr, "at("):
		return fmt.Errorf("%q is a one-time schedule; a recurring rate() or cron() is needed", expr)
	}
	return fmt.Errorf("%q is neither rate(…) nor cron(…)", expr)
}

func parseRate(body string) error {
	n, unit, ok := strings.Cut(body, " ")
	v, err := strconv.Atoi(n)
	switch {
	case !ok || err != nil || n == "" || n[0] < '1' || n[0] > '9':
		return fmt.Errorf("rate(%s) needs a positive whole number (no sign, no leading zero), a space and a unit", body)
	case unit != "minute" && unit != "minutes" && unit != "hour" && unit != "hours" && unit != "day" && unit != "days":
		return fmt.Errorf("rate(%s): %q is not minute(s), hour(s) or day(s)", body, unit)
	case v == 1 && strings.HasSuffix(unit, "s"):
		return fmt.Errorf("rate(%s): a value of 1 takes the singular %s", body, strings.TrimSuffix(unit, "s"))
	case v > 1 && !strings.HasSuffix(unit, "s"):
		return fmt.Errorf("rate(%s): a value above 1 takes the plural %ss", body, unit)
	}
	return nil
}

type cronField struct {
	name   string
	lo, hi int
	names  []string // names of lo, lo+1, … (JAN…, SUN…)
	kind   string   // "dom", "dow" or ""
}

var cronFields = []cronField{
	{name: "minutes", lo: 0, hi: 59},
	{name: "hours", lo: 0, hi: 23},
	{name: "day-of-month", lo: 1, hi: 31, kind: "dom"},
	{name: "month", lo: 1, hi: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day-of-week", lo: 1, hi: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}, kind: "dow"},
	{name: "year", lo: 1970, hi: 2199},
}

var (
	cronNearestWeekdayRe = regexp.MustCompile(`^([0-9]{1,2})W$`)
	cronLastWeekdayRe    = regexp.MustCompile(`^([0-9A-Z]+)L$`)
	cronNthWeekdayRe     = regexp.MustCompile(`^([0-9A-Z]+)#([0-9]+)$`)
)

func parseCron(body string) error {
	fields := strings.Split(body, " ")
	if len(fields) != len(cronFields) {
		return fmt.Errorf("cron(%s) has %d fields; it needs 6 separated by single spaces: minutes hours day-of-month month day-of-week year", body, len(fields))
	}
	for i, f := range cronFields {
		if err := f.check(fields[i]); err != nil {
			return fmt.Errorf("cron(%s): %s %w", body, f.name, err)
		}
	}
	if (fields[2] == "?") == (fields[4] == "?") {
		return fmt.Errorf("cron(%s): exactly one of day-of-month and day-of-week must be ?", body)
	}
	return nil
}

func (f cronField) check(s string) error {
	items := strings.Split(s, ",")
	for _, it := range items {
		sole := func() error {
			if len(items) > 1 {
				return fmt.Errorf("%q cannot be part of a list", it)
			}
			return nil
		}
		switch {
		case it == "?" || it == "L" || (it == "LW" && f.kind == "dom"):
			if f.kind == "" {
				return fmt.Errorf("%q is only valid in day-of-month or day-of-week", it)
			}
			if err := sole(); err != nil {
				return err
			}
			continue
		case f.kind == "dom" && cronNearestWeekdayRe.MatchString(it):
			if err := f.value(cronNearestWeekdayRe.FindStringSubmatch(it)[1]); err != nil {
				return err
			}
			if err := sole(); err != nil {
				return err
			}
			continue
		case f.kind == "dow" && cronLastWeekdayRe.MatchString(it):
			if err := f.value(cronLastWeekdayRe.FindStringSubmatch(it)[1]); err != nil {
				return err
			}
			if err := sole(); err != nil {
				return err
			}
			continue
		case f.kind == "dow" && cronNthWeekdayRe.MatchString(it):
			m := cronNthWeekdayRe.FindStringSubmatch(it)
			if err := f.value(m[1]); err != nil {
				return err
			}
			if n, _ := strconv.Atoi(m[2]); n < 1 || n > 5 {
				return fmt.Errorf("%q: the nth weekday must be 1..5", it)
			}
			if err := sole(); err != nil {
				return err
			}
			continue
		}
		base, step, hasStep := strings.Cut(it, "/")
		if hasStep {
			n, err := strconv.Atoi(step)
			if err != nil || n < 1 || n > f.hi-f.lo+1 {
				return fmt.Errorf("%q: the increment must be 1..%d", it, f.hi-f.lo+1)
			}
		}
		switch lo, hi, isRange := strings.Cut(base, "-"); {
		case base == "*":
			if len(items) > 1 && !hasStep {
				return fmt.Errorf("%q cannot be part of a list", it)
			}
		case isRange:
			a, errA := f.number(lo)
			b, errB := f.number(hi)
			if errA != nil || errB != nil {
				return fmt.Errorf("%q is not a range of %d..%d", it, f.lo, f.hi)
			}
			if a > b {
				return fmt.Errorf("%q: the range runs backwards", it)
			}
		default:
			if err := f.value(base); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f cronField) value(s string) error {
	if _, err := f.number(s); err != nil {
		return err
	}
	return nil
}

// number parses a field value: digits within lo..hi, or a name.
func (f cronField) number(s string) (int, error) {
	for i, n := range f.names {
		if s == n {
			return f.lo + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || s == "" || s[0] == '+' || v < f.lo || v > f.hi {
		valid := fmt.Sprintf("%d..%d", f.lo, f.hi)
		if len(f.names) > 0 {
			valid += " or " + f.names[0] + "…" + f.names[len(f.names)-1]
		}
		return 0, fmt.Errorf("%q is not %s", s, valid)
	}
	return v, nil
}
