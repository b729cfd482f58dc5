package config

import (
	"strings"
)

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
	// DefaultAccountConcurrency is Lambda's default concurrency quota per
	// Region; MinUnreservedConcurrency what reservations must leave
	// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
	DefaultAccountConcurrency = 1000
	MinUnreservedConcurrency  = 100
	DefaultPollField          = "confirmations"
	DefaultPollWaitSeconds    = 60
	DefaultMaxPolls           = 180
	// StepTimeoutMarginSeconds is added to a function's timeout for its task.
	StepTimeoutMarginSeconds = 30
	// UnreservedConcurrency is Lambda's "no reservation".
	UnreservedConcurrency = -1
	maxFunctionName       = 40
)

// ReservedWorkflowStates are the state names the program adds to a workflow.
var ReservedWorkflowStates = []string{"Failed", "Compensate", "Compensated", "CompensationFailed", "NeedsReconciliation"}

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
	defInt(&s.AccountConcurrency, DefaultAccountConcurrency)
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
		if w.ConnectThrottle == nil {
			t := w.Throttle
			w.ConnectThrottle = &t
		}
	}
}

func (t *APIThrottle) applyDefaults() {
	defInt(&t.Burst, DefaultThrottleBurst)
	defInt(&t.Rate, DefaultThrottleRate)
}
