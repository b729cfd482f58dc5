package config

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// validate records every problem of a defaulted serverless section.
func (s Serverless) validate(c *collector, scope ServerlessScope) {
	oneOf(c, "serverless.runtime", s.Runtime, LambdaRuntimes(), "Lambda runtime not yet deprecated ("+LambdaRuntimesSource+")")
	oneOf(c, "serverless.architecture", s.Architecture, []string{"arm64", "x86_64"}, "Lambda architecture")
	if !IsLogRetention(s.LogRetentionDays) {
		c.invalidf("serverless.logRetentionDays", s.LogRetentionDays, fmt.Sprintf("use one of %v", logRetentionDays), "%d is not a CloudWatch Logs retention", s.LogRetentionDays)
	}
	if s.Code.Bucket != "" {
		if p := bucketNameProblems(s.Code.Bucket); len(p) > 0 {
			c.invalidf("serverless.code.bucket", s.Code.Bucket, "use the bucket CI publishes the packages to", "%q is not a valid S3 bucket name: %s", s.Code.Bucket, strings.Join(p, "; "))
		} else {
			checkCodeBucketRegion(c, "serverless.code.bucket", s.Code.Bucket, scope)
		}
	}
	if k := s.Code.KeyPrefix; k != "" && (strings.HasPrefix(k, "/") || strings.HasSuffix(k, "/") || !s3KeyRe.MatchString(k)) {
		c.invalidf("serverless.code.keyPrefix", k, "use a key prefix without leading or trailing slash, e.g. releases/1a2b3c4", "%q is not a valid key prefix", k)
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
	s.validateEdge(c)
	if w := s.WebSocket; w != nil {
		path := "serverless.websocket"
		s.checkSyncFunction(c, path+".function", w.Function, "handles the WebSocket routes")
		s.checkSyncFunction(c, path+".authorizer", w.Authorizer, "authorizes $connect")
		w.Throttle.validate(c, path+".throttle")
		if w.CustomDomain && !scope.HasZone {
			c.required(path+".customDomain", "needs the stack's hosted zone (a frontend section)", "add frontend or set customDomain false")
		}
	}
}

func (s Serverless) validateFunction(c *collector, name string, f LambdaFunction, scope ServerlessScope) {
	path := "serverless.functions." + name
	grantee := FunctionGrantee(name)
	switch {
	case !functionNameRe.MatchString(name) || len(name) > maxFunctionName:
		c.invalidf(path, name, fmt.Sprintf("use up to %d lowercase letters, digits and single underscores, starting with a letter, as the application spells it (build_and_sign_tx)", maxFunctionName), "%q is not a valid function name", name)
	case scope.Services[grantee] || scope.Services[strings.TrimSuffix(grantee, "-exec")]:
		c.invalidf(path, name, "rename the function", "its role name %s is also a fleet service's role name", grantee)
	}
	checkTextLength(c, path+".description", f.Description, 256, "Lambda CreateFunction: https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html")
	checkRange(c, path+".memory", f.Memory, 128, 10240, "MB")
	checkRange(c, path+".timeout", f.Timeout, 1, 900, "seconds")
	validateSigning(c, path, name, f, scope)
	if r := f.ReservedConcurrency; r != nil && *r < UnreservedConcurrency {
		c.invalidf(path+".reservedConcurrency", *r, "use 0 or more, or -1 (unreserved)", "%d is not a concurrency", *r)
	}
	oneOf(c, path+".tracing", f.Tracing, []string{TracingActive, TracingPassThrough}, "X-Ray tracing mode")
	s.validateFunctionCode(c, path, name, f, scope)
	validateFunctionUses(c, path, f, scope)
	validatePublishes(c, path+".publishes", f.Publishes, scope.Stores[UseBus] != nil)
	validateFunctionLinks(c, path, name, f, scope)
	validateFunctionEnv(c, path, f, scope)
	if f.Schedule != "" {
		if err := ParseSchedule(f.Schedule); err != nil {
			c.invalidf(path+".schedule", f.Schedule, "use rate(N minute[s]|hour[s]|day[s]) or cron(minutes hours day-of-month month day-of-week year)", "%v", err)
		}
		if !f.Async {
			c.invalid(path+".async", f.Async, "is false but the function has a schedule", "set async: true: the scheduler invokes asynchronously, so failures need the DLQ")
		}
	}
}

// validateFunctionCode checks where a function's package comes from: an
// image, or a zip with its runtime, handler and S3 location.
func (s Serverless) validateFunctionCode(c *collector, path, name string, f LambdaFunction, scope ServerlessScope) {
	switch {
	case f.Image != "":
		if !ecrImageRe.MatchString(f.Image) {
			c.invalidf(path+".image", f.Image, "use an ECR image URI such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/dbay/fn:1.2.3 (or @sha256:…)", "%q is not an ECR image URI", f.Image)
		} else if r := ImageRegion(f.Image); IsAWSRegion(scope.Region) && r != scope.Region {
			c.notSupportedf(path+".image", f.Image, fmt.Sprintf("push the image to a repository in %s (ECR replication can copy it) and name that one", scope.Region),
				"%q is in %s, but Lambda pulls an image only from the function's own Region (%s)", f.Image, r, scope.Region)
		}
		if f.Code != nil {
			c.forbidden(path+".code", "is set together with image", "a function is either a zip (code) or an image")
		}
		if f.Handler != "" || f.Runtime != "" {
			c.forbidden(path+".handler", "an image function takes its handler and runtime from the image", "remove handler and runtime, or set them in the image's CMD")
		}
	default:
		oneOf(c, path+".runtime", f.Runtime, LambdaRuntimes(), "Lambda runtime not yet deprecated ("+LambdaRuntimesSource+")")
		if !handlerRe.MatchString(f.Handler) {
			c.invalidf(path+".handler", f.Handler, "use module.function, e.g. handlers."+name+".handler", "%q is not a handler", f.Handler)
		}
		switch code := f.Code; {
		case code != nil:
			if p := bucketNameProblems(code.Bucket); len(p) > 0 {
				c.invalidf(path+".code.bucket", code.Bucket, "use the bucket CI publishes the package to", "%q is not a valid S3 bucket name: %s", code.Bucket, strings.Join(p, "; "))
			} else {
				checkCodeBucketRegion(c, path+".code.bucket", code.Bucket, scope)
			}
			if !s3KeyRe.MatchString(code.Key) || strings.HasPrefix(code.Key, "/") {
				c.invalidf(path+".code.key", code.Key, "use the package's key, e.g. releases/1a2b3c4/"+name+".zip", "%q is not a valid S3 key", code.Key)
			}
		case s.Code.Bucket == "":
			c.required(path, "has no code", "set serverless.code.bucket (CI's artifact bucket), or this function's code or image")
		}
	}
}

// validateFunctionUses checks the stores a function uses.
func validateFunctionUses(c *collector, path string, f LambdaFunction, scope ServerlessScope) {
	queues := 0
	checkList(c, path+".uses", f.Uses, func(p, entry string) {
		switch u := ParseUse(entry); {
		case u.Kind == UseBus:
			c.invalid(p, entry, "the bus is not a use: publishers declare their events", busUseHint)
		case u.IsSMTP():
			c.notSupported(p, entry, "ses:smtp is for fleet services: a function sends mail with the SES API", "use ses instead")
		case scope.Stores[entry] == nil:
			c.invalidf(p, entry, "use one of"+knownKeys(usesOf(scope.Stores)), "%q is not a store of this stack", entry)
		case u.Kind == UseQueue:
			if queues++; queues > 1 {
				c.invalid(p, entry, "a function sends to one queue (its SQS_QUEUE_URL)", "split the function or drop a queue")
			}
		}
	})
}

// validateFunctionLinks checks the services a function calls and the
// secrets it reads.
func validateFunctionLinks(c *collector, path, name string, f LambdaFunction, scope ServerlessScope) {
	checkList(c, path+".calls", f.Calls, func(p, svc string) {
		if !scope.Services[svc] {
			c.invalidf(p, svc, "name a service of the fleet"+known(scope.Services), "no service named %q", svc)
		}
	})
	checkList(c, path+".secrets", f.Secrets, func(p, sec string) {
		item, ok := scope.Secrets[sec]
		switch {
		case !ok:
			c.invalidf(p, sec, "declare it in secrets.items"+knownKeys(scope.Secrets), "%q is not a declared secret", sec)
		case len(item.Readers) > 0 && !contains(item.Readers, FunctionGrantee(name)):
			c.forbiddenf(p, fmt.Sprintf("add %s to secrets.items.%s.readers, or drop it here", FunctionGrantee(name), sec), "%s is single-reader (%v)", sec, item.Readers)
		}
	})
}

// validateFunctionEnv checks a function's plain variables against those the
// runtime reserves and those the program derives.
func validateFunctionEnv(c *collector, path string, f LambdaFunction, scope ServerlessScope) {
	storeVars := map[string]bool{}
	for _, vars := range scope.Stores {
		for _, v := range vars {
			storeVars[v] = true
		}
	}
	for _, k := range sortedMapKeys(f.Env) {
		p := path + ".env." + k
		switch {
		case !envVarRe.MatchString(k):
			c.invalidf(p, k, "use upper-case letters, digits and underscores", "%q is not an environment variable name", k)
		case contains(lambdaReservedEnv, k):
			c.forbiddenf(p, "remove it (Lambda sets it, or it must not be set in production)", "%s is reserved", k)
		case contains(derivedEnv, k) || storeVars[k] || strings.HasSuffix(k, "_SERVICE_URL") || strings.HasSuffix(k, "_SECRET_ARN") || strings.HasSuffix(k, "_SECRET_JSON_KEY"):
			c.forbiddenf(p, "declare what the function uses (uses, calls, secrets) and the program sets it", "%s is derived by the program", k)
		case scope.Secrets[k].Source != "":
			c.forbiddenf(p, fmt.Sprintf("list %s under secrets: the function gets %s and reads the value at runtime", k, SecretARNVar(k)), "%s is a secret; its value may not be plain env", k)
		}
	}
}

// checkList checks each entry of a list of names and that none repeats.
func checkList(c *collector, path string, list []string, each func(path, v string)) {
	seen := map[string]bool{}
	for i, v := range list {
		p := Path(path).Index(i).String()
		if seen[v] {
			c.invalidf(p, v, "list each value once", "%q is listed twice", v)
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

// checkTextLength refuses free text longer than the API it is sent to accepts.
func checkTextLength(c *collector, path, text string, max int, api string) {
	if n := utf8.RuneCountInString(text); n > max {
		c.invalidf(path, text, fmt.Sprintf("shorten it to at most %d characters (%s)", max, api), "is %d characters long", n)
	}
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
	// Region is the stack's Region (aws:region), where every code bucket
	// and image must be; PrimaryRegion, in a recovery stack, the primary's
	// (dr.primaryRegion), named in the error when its bucket is given.
	// Region "": not checked.
	Region, PrimaryRegion string
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
var derivedEnv = append(storeVariables(), EventBusVariable,
	QueueURLVariable, DefaultBucketEnvVar, SESFromVariable, "COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID", "WEBSOCKET_CALLBACK_URL",
)

// lambdaReservedEnv are set by the Lambda runtime (or, for AWS_ENDPOINT_URL,
// point the SDKs away from AWS: LocalStack only, seed §4).
var lambdaReservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
	"AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API",
	"AWS_REGION", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_XRAY_CONTEXT_MISSING", "AWS_XRAY_DAEMON_ADDRESS",
	"LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT", "TZ",
}
