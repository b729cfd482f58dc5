package config

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// validate records every problem of a defaulted serverless section.
func (s Serverless) validate(c *collector, scope ServerlessScope) {
	oneOf(c, "serverless.runtime", s.Runtime, LambdaRuntimes(), "Lambda runtime not yet deprecated ("+LambdaRuntimesSource+")")
	oneOf(c, "serverless.architecture", s.Architecture, []string{"arm64", "x86_64"}, "Lambda architecture")
	if !IsLogRetention(s.LogRetentionDays) {
		c.addf("serverless.logRetentionDays", fmt.Sprintf("use one of %v", logRetentionDays), "%d is not a CloudWatch Logs retention", s.LogRetentionDays)
	}
	if s.Code.Bucket != "" {
		if p := bucketNameProblems(s.Code.Bucket); len(p) > 0 {
			c.addf("serverless.code.bucket", "use the bucket CI publishes the packages to", "%q is not a valid S3 bucket name: %s", s.Code.Bucket, strings.Join(p, "; "))
		} else {
			checkCodeBucketRegion(c, "serverless.code.bucket", s.Code.Bucket, scope)
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
	s.validateEdge(c)
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
	checkTextLength(c, path+".description", f.Description, 256, "Lambda CreateFunction: https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html")
	checkRange(c, path+".memory", f.Memory, 128, 10240, "MB")
	checkRange(c, path+".timeout", f.Timeout, 1, 900, "seconds")
	validateSigning(c, path, name, f, scope)
	if r := f.ReservedConcurrency; r != nil && *r < UnreservedConcurrency {
		c.addf(path+".reservedConcurrency", "use 0 or more, or -1 (unreserved)", "%d is not a concurrency", *r)
	}
	oneOf(c, path+".tracing", f.Tracing, []string{TracingActive, TracingPassThrough}, "X-Ray tracing mode")
	switch {
	case f.Image != "":
		if !ecrImageRe.MatchString(f.Image) {
			c.addf(path+".image", "use an ECR image URI such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/dbay/fn:1.2.3 (or @sha256:…)", "%q is not an ECR image URI", f.Image)
		} else if r := ImageRegion(f.Image); IsAWSRegion(scope.Region) && r != scope.Region {
			c.addf(path+".image", fmt.Sprintf("push the image to a repository in %s (ECR replication can copy it) and name that one", scope.Region),
				"%q is in %s, but Lambda pulls an image only from the function's own Region (%s)", f.Image, r, scope.Region)
		}
		if f.Code != nil {
			c.add(path+".code", "is set together with image", "a function is either a zip (code) or an image")
		}
		if f.Handler != "" || f.Runtime != "" {
			c.add(path+".handler", "an image function takes its handler and runtime from the image", "remove handler and runtime, or set them in the image's CMD")
		}
	default:
		oneOf(c, path+".runtime", f.Runtime, LambdaRuntimes(), "Lambda runtime not yet deprecated ("+LambdaRuntimesSource+")")
		if !handlerRe.MatchString(f.Handler) {
			c.addf(path+".handler", "use module.function, e.g. handlers."+name+".handler", "%q is not a handler", f.Handler)
		}
		switch code := f.Code; {
		case code != nil:
			if p := bucketNameProblems(code.Bucket); len(p) > 0 {
				c.addf(path+".code.bucket", "use the bucket CI publishes the package to", "%q is not a valid S3 bucket name: %s", code.Bucket, strings.Join(p, "; "))
			} else {
				checkCodeBucketRegion(c, path+".code.bucket", code.Bucket, scope)
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
	checkList(c, path+".uses", f.Uses, func(p, entry string) {
		switch u := ParseUse(entry); {
		case u.Kind == UseBus:
			c.add(p, "the bus is not a use: publishers declare their events", busUseHint)
		case u.IsSMTP():
			c.add(p, "ses:smtp is for fleet services: a function sends mail with the SES API", "use ses instead")
		case scope.Stores[entry] == nil:
			c.addf(p, "use one of"+knownKeys(usesOf(scope.Stores)), "%q is not a store of this stack", entry)
		case u.Kind == UseQueue:
			if queues++; queues > 1 {
				c.add(p, "a function sends to one queue (its SQS_QUEUE_URL)", "split the function or drop a queue")
			}
		}
	})
	validatePublishes(c, path+".publishes", f.Publishes, scope.Stores[UseBus] != nil)
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
	if w.PointOfNoReturn != "" && !steps[w.PointOfNoReturn] {
		c.addf(path+".pointOfNoReturn", "name the first step whose effect cannot be undone, e.g. BroadcastTx", "%q is not a step of this workflow", w.PointOfNoReturn)
	}
	if cp := w.Compensation; cp != nil && w.PointOfNoReturn != "" && steps[cp.From] && steps[w.PointOfNoReturn] &&
		stepIndex(w, cp.From) >= stepIndex(w, w.PointOfNoReturn) {
		c.addf(path+".compensation.from", "compensate only failures before pointOfNoReturn ("+w.PointOfNoReturn+")",
			"%q is not before the point of no return: nothing could be compensated", cp.From)
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
	checkTextLength(c, path+".description", r.Description, 512, "EventBridge PutRule: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html")
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

// stepIndex is the position of the named step in w, or -1.
func stepIndex(w Workflow, name string) int {
	for i, st := range w.Steps {
		if st.Name == name {
			return i
		}
	}
	return -1
}

// checkCodeBucketRegion refuses a code bucket that is not in the stack's
// Region. Lambda reads a zip only from a bucket in the function's own
// Region (https://docs.aws.amazon.com/lambda/latest/api/API_FunctionCode.html);
// a bucket's Region is not part of its name in S3, so the program asks
// for a name ending with it (CodeLocation.Bucket) and checks that.
func checkCodeBucketRegion(c *collector, path, bucket string, scope ServerlessScope) {
	if !IsAWSRegion(scope.Region) {
		return // no Region, or aws:region is itself wrong (reported there)
	}
	want := fmt.Sprintf("name a bucket in %s whose name ends with -%s (e.g. %s), where CI publishes the same packages", scope.Region, scope.Region, withRegion(bucket, scope.Region))
	switch r := BucketRegion(bucket); {
	case r == scope.Region:
	case r != "" && r == scope.PrimaryRegion:
		c.addf(path, want, "%q is the primary's bucket (%s): Lambda reads a function's code only from a bucket in the function's own Region (%s)", bucket, r, scope.Region)
	case r != "":
		c.addf(path, want, "%q is a bucket in %s: Lambda reads a function's code only from a bucket in the function's own Region (%s)", bucket, r, scope.Region)
	default:
		c.addf(path, want, "%q does not end with its Region, so the program cannot tell that it is in %s (Lambda reads code only from the function's own Region)", bucket, scope.Region)
	}
}

// BucketRegion is the AWS Region a bucket's name ends with (-<region>), the
// naming convention of code buckets; "" when it ends with none.
func BucketRegion(bucket string) string {
	best := ""
	for _, r := range awsRegions {
		if strings.HasSuffix(bucket, "-"+r) && len(r) > len(best) {
			best = r
		}
	}
	return best
}

// ImageRegion is the Region of an ECR image URI
// (<account>.dkr.ecr.<region>.amazonaws.com/...), or "".
func ImageRegion(uri string) string {
	host, _, _ := strings.Cut(uri, "/")
	_, rest, ok := strings.Cut(host, ".dkr.ecr.")
	if !ok {
		return ""
	}
	region, _, _ := strings.Cut(rest, ".")
	return region
}

// withRegion is bucket renamed for region: its Region suffix replaced, or added.
func withRegion(bucket, region string) string {
	if r := BucketRegion(bucket); r != "" {
		bucket = strings.TrimSuffix(bucket, "-"+r)
	}
	return bucket + "-" + region
}

// checkTextLength refuses free text longer than the API it is sent to accepts.
func checkTextLength(c *collector, path, text string, max int, api string) {
	if n := utf8.RuneCountInString(text); n > max {
		c.addf(path, fmt.Sprintf("shorten it to at most %d characters (%s)", max, api), "is %d characters long", n)
	}
}
