package policy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const (
	ecsCluster   = tokens.ECSCluster
	ecsService   = tokens.ECSService
	ecsTask      = tokens.ECSTaskDefinition
	eksCluster   = tokens.EKSCluster
	httpAPI      = tokens.APIGatewayV2Api
	httpStage    = tokens.APIGatewayV2Stage
	httpRoute    = tokens.APIGatewayV2Route
	restStage    = tokens.APIGatewayStage
	restMethod   = tokens.APIGatewayMethod
	function     = tokens.LambdaFunction
	stateMachine = tokens.SFNStateMachine
	logGroup     = tokens.CloudWatchLogGroup
)

// eksRequiredLogs are the control-plane log types a cluster must send.
var eksRequiredLogs = []string{"api", "audit", "authenticator"}

// computeRules: ECS, EKS, API Gateway, Lambda and Step Functions log and trace.
// Long: a table: one entry per rule, each read on its own.
func computeRules() []Rule {
	return []Rule{
		{
			ID: "ecs-container-insights", Severity: Low, Types: []string{ecsCluster},
			Title: "ECS clusters have Container Insights (FSBP ECS.12)",
			Check: func(r *mockengine.Resource, x Index) []string {
				for _, s := range list(x.In(r)["settings"]) {
					if str(get(s, "name")) == "containerInsights" && (str(get(s, "value")) == "enabled" || str(get(s, "value")) == "enhanced") {
						return nil
					}
				}
				return []string{problem(r, "containerInsights is not enabled", "add settings [{name: containerInsights, value: enabled}]")}
			},
		},
		{
			ID: "ecs-no-public-ip", Severity: High, Types: []string{ecsService},
			Title: "ECS services do not give tasks public IPs (FSBP ECS.2)",
			Check: func(r *mockengine.Resource, x Index) []string {
				if truthy(get(x.In(r), "networkConfiguration.assignPublicIp")) {
					return []string{problem(r, "networkConfiguration.assignPublicIp is true", "run tasks in the private subnets with assignPublicIp: false (egress through NAT)")}
				}
				return nil
			},
		},
		{
			ID: "ecs-circuit-breaker", Severity: Medium, Types: []string{ecsService},
			Title: "ECS rolling deployments have the circuit breaker with rollback",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if t := str(get(in, "deploymentController.type")); t != "" && t != "ECS" {
					return nil // CodeDeploy / external controllers roll back themselves
				}
				if !truthy(get(in, "deploymentCircuitBreaker.enable")) || !truthy(get(in, "deploymentCircuitBreaker.rollback")) {
					return []string{problem(r, "deploymentCircuitBreaker is not {enable: true, rollback: true}", "set deploymentCircuitBreaker: {enable: true, rollback: true}")}
				}
				return nil
			},
		},
		{
			ID: "eks-endpoint", Severity: High, Types: []string{eksCluster},
			Title: "EKS API endpoints are private, or public only to listed CIDRs (FSBP EKS.1)",
			Check: func(r *mockengine.Resource, x Index) []string {
				vc := get(x.In(r), "vpcConfig")
				public := !falsy(get(vc, "endpointPublicAccess")) // the default is public
				if !public {
					return nil
				}
				cidrs := strs(get(vc, "publicAccessCidrs"))
				if len(cidrs) == 0 || contains(cidrs, "0.0.0.0/0") || contains(cidrs, "::/0") {
					return []string{problem(r, "the API endpoint is public to 0.0.0.0/0", "set vpcConfig.endpointPublicAccess: false (endpointPrivateAccess: true), or publicAccessCidrs to the operators' ranges")}
				}
				return nil
			},
		},
		{
			ID: "eks-secrets-encryption", Severity: High, Types: []string{eksCluster},
			Title: "EKS encrypts Kubernetes secrets with a KMS key (FSBP EKS.3)",
			Check: func(r *mockengine.Resource, x Index) []string {
				ec := get(x.In(r), "encryptionConfig")
				if !contains(strs(get(ec, "resources")), "secrets") || !isSet(get(ec, "provider.keyArn")) {
					return []string{problem(r, "Kubernetes secrets are not envelope-encrypted", "set encryptionConfig: {resources: [secrets], provider: {keyArn: <CMK>}}")}
				}
				return nil
			},
		},
		{
			ID: "eks-control-plane-logs", Severity: Medium, Types: []string{eksCluster},
			Title: "EKS sends api, audit and authenticator control-plane logs (FSBP EKS.8)",
			Check: func(r *mockengine.Resource, x Index) []string {
				have := strs(x.In(r)["enabledClusterLogTypes"])
				var missing []string
				for _, l := range eksRequiredLogs {
					if !contains(have, l) {
						missing = append(missing, l)
					}
				}
				if len(missing) > 0 {
					return []string{problem(r, "enabledClusterLogTypes lacks "+strings.Join(missing, ", "), "enable api, audit, authenticator (and controllerManager, scheduler)")}
				}
				return nil
			},
		},
		{
			ID: "apigw-access-logs", Severity: Medium, Types: []string{httpStage, restStage},
			Title: "API Gateway stages write access logs (FSBP APIGateway.1 family)",
			Check: func(r *mockengine.Resource, x Index) []string {
				s := get(x.In(r), "accessLogSettings")
				if !isSet(get(s, "destinationArn")) || !isSet(get(s, "format")) {
					return []string{problem(r, "no accessLogSettings", "set accessLogSettings: {destinationArn: <log group ARN>, format: <JSON with requestId, ip, routeKey, status>}")}
				}
				return nil
			},
		},
		{
			ID: "apigw-route-authorized", Severity: High, Types: []string{httpRoute, restMethod},
			Title: "Every HTTP API route has an authorizer (WebSocket APIs: the $connect route)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if r.Type == restMethod {
					if a := str(in["authorization"]); (a == "" || a == "NONE") && str(in["httpMethod"]) != "OPTIONS" {
						return []string{problem(r, "authorization is NONE", "set authorization to COGNITO_USER_POOLS, CUSTOM or AWS_IAM")}
					}
					return nil
				}
				if apiProtocol(x, in["apiId"]) == "WEBSOCKET" && str(in["routeKey"]) != "$connect" {
					return nil // WebSocket APIs authorize the connection, on $connect only
				}
				if t := str(in["authorizationType"]); t == "" || t == "NONE" {
					return []string{problem(r, fmt.Sprintf("route %q has authorizationType NONE", str(in["routeKey"])), "set authorizationType JWT (the Cognito authorizer), CUSTOM or AWS_IAM, or waive a deliberate public route with its reason")}
				}
				return nil
			},
		},
		{
			ID: "lambda-tracing", Severity: Low, Types: []string{function},
			Title: "Lambda functions have X-Ray active tracing",
			Check: func(r *mockengine.Resource, x Index) []string {
				if str(get(x.In(r), "tracingConfig.mode")) != "Active" {
					return []string{problem(r, "tracingConfig.mode is not Active", "set tracingConfig: {mode: Active} (the role needs xray:PutTraceSegments)")}
				}
				return nil
			},
		},
		{
			ID: "lambda-env-cmk", Severity: Medium, Types: []string{function},
			Title: "Lambda environment variables are encrypted with a customer managed key (checkov CKV_AWS_173)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if len(obj(get(in, "environment.variables"))) > 0 && !isCMK(in["kmsKeyArn"]) {
					return []string{problem(r, "environment variables use the AWS managed key", "set kmsKeyArn to the serverless CMK")}
				}
				return nil
			},
		},
		{
			ID: "no-secret-env", Severity: High, Types: []string{function, ecsTask},
			Title: "No secret value in plain environment variables (Lambda and ECS): pass a Secrets Manager ARN or valueFrom instead",
			Check: func(r *mockengine.Resource, x Index) []string {
				var out []string
				for _, v := range plainEnv(r, x.In(r)) {
					if why := secretLike(v.name, v.value); why != "" {
						out = append(out, problem(r, fmt.Sprintf("%s%s %s", v.where, v.name, why),
							"put the value in Secrets Manager and pass its ARN (Lambda: <NAME>_SECRET_ARN, read at runtime) or ECS secrets valueFrom"))
					}
				}
				return out
			},
		},
		{
			// The runtimes and their deprecation dates are config's one
			// catalog (config.LambdaRuntimeDeprecation).
			ID: "lambda-runtime", Severity: Medium, Types: []string{function},
			Category: CategoryAWSConstraint, Source: config.LambdaRuntimesSource,
			Title: "Lambda functions use a runtime AWS has not deprecated (FSBP Lambda.2)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if str(in["packageType"]) == "Image" {
					return nil
				}
				if rt := str(in["runtime"]); !contains(config.LambdaRuntimes(), rt) {
					return []string{problem(r, fmt.Sprintf("runtime %q is deprecated or unknown", rt), "use a supported runtime ("+strings.Join(config.LambdaRuntimes(), ", ")+")")}
				}
				return nil
			},
		},
		{
			ID: "lambda-log-retention", Severity: Low, Types: []string{function},
			Title: "Lambda functions log to a log group the stack owns, with a retention (otherwise Lambda creates one that never expires)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				name := str(get(in, "loggingConfig.logGroup"))
				if name == "" {
					name = "/aws/lambda/" + str(r.Out()["name"])
				}
				for _, lg := range x.ByType(logGroup) {
					lin := x.In(lg)
					if str(lg.Out()["name"]) == name || str(lin["name"]) == name {
						if _, ok := num(lin["retentionInDays"]); ok {
							return nil
						}
						return []string{problem(r, "its log group "+name+" keeps logs forever", "set retentionInDays on the log group")}
					}
				}
				return []string{problem(r, "no log group "+name+" in the stack", "create the function's log group (KMS-encrypted, with retentionInDays) before the function, or set loggingConfig.logGroup")}
			},
		},
		{
			ID: "sfn-logging", Severity: Medium, Types: []string{stateMachine},
			Title: "Step Functions state machines log executions (FSBP StepFunctions.1)",
			Check: func(r *mockengine.Resource, x Index) []string {
				lc := get(x.In(r), "loggingConfiguration")
				if l := str(get(lc, "level")); (l != "ALL" && l != "ERROR" && l != "FATAL") || !isSet(get(lc, "logDestination")) {
					return []string{problem(r, "execution logging is off", "set loggingConfiguration: {level: ALL (or ERROR), logDestination: <log group ARN>:*}")}
				}
				return nil
			},
		},
		{
			ID: "sfn-logs-exclude-execution-data", Severity: Medium, Types: []string{stateMachine},
			Category: CategoryBestPractice, Source: "https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html (includeExecutionData: input, output and state data in the log events)",
			Title: "State machine logs leave out execution data: a withdrawal's amounts, addresses and transactions stay in the execution history (states:GetExecutionHistory), not in a log group more roles can read",
			Check: func(r *mockengine.Resource, x Index) []string {
				if truthy(get(x.In(r), "loggingConfiguration.includeExecutionData")) {
					return []string{problem(r, "logs include execution data", "set loggingConfiguration.includeExecutionData: false")}
				}
				return nil
			},
		},
		{
			ID: "sfn-tracing", Severity: Low, Types: []string{stateMachine},
			Title: "Step Functions state machines have X-Ray tracing",
			Check: func(r *mockengine.Resource, x Index) []string {
				if !truthy(get(x.In(r), "tracingConfiguration.enabled")) {
					return []string{problem(r, "tracingConfiguration.enabled is not true", "set tracingConfiguration: {enabled: true}")}
				}
				return nil
			},
		},
		{
			ID: "sfn-retry-catch", Severity: Medium, Types: []string{stateMachine},
			Title: "Every Task state of a state machine has Retry and Catch",
			Check: func(r *mockengine.Resource, x Index) []string {
				def := str(x.In(r)["definition"])
				if !known(def) || def == "" {
					return nil // computed at deploy time: nothing to inspect
				}
				var asl map[string]any
				if err := json.Unmarshal([]byte(def), &asl); err != nil {
					return []string{problem(r, "definition is not JSON: "+err.Error(), "build the definition from Go structs marshalled to JSON")}
				}
				var out []string
				for _, s := range tasksWithout(asl, "") {
					out = append(out, problem(r, "Task state "+s, "give it Retry (transient errors, with backoff) and Catch (States.ALL to a failure or compensation state)"))
				}
				return out
			},
		},
	}
}

// apiProtocol is the protocolType of the apigatewayv2 API with id apiID.
func apiProtocol(x Index, apiID any) string {
	for _, api := range x.ByRef(str(apiID)) {
		if api.Type == httpAPI {
			return str(x.In(api)["protocolType"])
		}
	}
	return "HTTP"
}

// tasksWithout lists the Task states (by path) lacking Retry or Catch,
// descending into Parallel branches and Map iterators.
func tasksWithout(machine map[string]any, prefix string) []string {
	states := obj(machine["States"])
	names := make([]string, 0, len(states))
	for n := range states {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		s := obj(states[n])
		path := prefix + n
		switch str(s["Type"]) {
		case "Task":
			var missing []string
			if len(list(s["Retry"])) == 0 {
				missing = append(missing, "Retry")
			}
			if len(list(s["Catch"])) == 0 {
				missing = append(missing, "Catch")
			}
			if len(missing) > 0 {
				out = append(out, fmt.Sprintf("%s has no %s", path, strings.Join(missing, " or ")))
			}
		case "Parallel":
			for i, b := range list(s["Branches"]) {
				out = append(out, tasksWithout(obj(b), fmt.Sprintf("%s.Branches[%d].", path, i))...)
			}
		case "Map":
			for _, k := range []string{"ItemProcessor", "Iterator"} {
				if m := obj(s[k]); m != nil {
					out = append(out, tasksWithout(m, path+"."+k+".")...)
				}
			}
		}
	}
	return out
}

// envVar is one plain environment variable of a function or container.
type envVar struct{ where, name, value string }

// plainEnv lists the plain environment variables of a Lambda function or
// of every container of an ECS task definition.
func plainEnv(r *mockengine.Resource, in map[string]any) []envVar {
	var out []envVar
	switch r.Type {
	case function:
		vars := obj(get(in, "environment.variables"))
		for k, v := range vars {
			out = append(out, envVar{name: k, value: fmt.Sprint(v)})
		}
	case ecsTask:
		var containers []map[string]any
		if s := str(in["containerDefinitions"]); known(s) {
			_ = json.Unmarshal([]byte(s), &containers)
		}
		for _, c := range containers {
			for _, e := range list(c["environment"]) {
				out = append(out, envVar{where: "container " + str(c["name"]) + ": ", name: str(get(e, "name")), value: fmt.Sprint(get(e, "value"))})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].where+out[i].name < out[j].where+out[j].name })
	return out
}

var (
	// secretName is a variable whose name ends with a secret word
	// (JWT_SECRET, SMTP_PASS, DJANGO_SECRET_KEY, AWS_SECRET_ACCESS_KEY); a
	// name that goes on (REFRESH_TOKEN_EXPIRES_IN, JWT_SECRET_ARN) names
	// something about the secret, not the secret.
	secretName     = regexp.MustCompile(`(?i)(^|_)(PASSWORD|PASSWD|PASS|PWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|SECRET_?KEY|ACCESS_?KEY|XPRIV|CREDENTIALS?)$`)
	credentialsURL = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*://[^/@\s:]*:[^/@\s]+@`)
	plainScalar    = regexp.MustCompile(`^(\d+|true|false)$`)
)

// secretLike says why an environment variable looks like it carries a
// secret value ("" when it does not).
func secretLike(name, value string) string {
	switch {
	case value == mockengine.Redacted:
		return "is a Pulumi secret: in a plain variable it is readable by anyone who can read the configuration"
	case credentialsURL.MatchString(value):
		return "is a URL with credentials in it"
	case secretName.MatchString(name) && !strings.HasPrefix(value, "arn:") && !plainScalar.MatchString(value) && value != "":
		return "has a secret-like name and a literal value"
	}
	return ""
}
