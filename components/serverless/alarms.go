package serverless

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/config"
)

// Alarms are the metrics of every function, workflow, dead-letter queue and
// the HTTP API: Monitoring turns them into alarms and dashboard widgets.
// Any failed withdrawal execution pages someone (sfn.failed > 0).
func (s *Serverless) Alarms() []alarm.Spec {
	var out []alarm.Spec
	for _, name := range sortedKeys(s.functions) {
		dims := pulumi.StringMap{"FunctionName": s.functions[name].fn.Name}
		out = append(out,
			alarm.Spec{Kind: config.AlarmLambdaErrors, Name: "fn-" + name + "-errors",
				Description: name + " raised errors: read its log group (JSON logs, X-Ray traces) for the failing invocations.",
				Namespace:   "AWS/Lambda", Metric: "Errors", Dimensions: dims, Statistic: "Sum", Period: 300,
				Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
			alarm.Spec{Kind: config.AlarmLambdaThrottles, Name: "fn-" + name + "-throttles",
				Description: name + " was throttled: check reserved concurrency and the account's concurrency limit.",
				Namespace:   "AWS/Lambda", Metric: "Throttles", Dimensions: dims, Statistic: "Sum", Period: 300,
				Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
		)
	}
	for _, name := range sortedKeys(s.machines) {
		dims := pulumi.StringMap{"StateMachineArn": s.machines[name]}
		out = append(out,
			alarm.Spec{Kind: config.AlarmSFNFailed, Name: "workflow-" + name + "-failed",
				Description: "A " + name + " execution failed: open it in the Step Functions console. NeedsReconciliation: funds may have moved, settle by hand from the cause (ids, txid), never re-run or refund; CompensationFailed: the credit back needs a person.",
				Namespace:   "AWS/States", Metric: "ExecutionsFailed", Dimensions: dims, Statistic: "Sum", Period: 300,
				Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
			alarm.Spec{Kind: config.AlarmSFNTimedOut, Name: "workflow-" + name + "-timed-out",
				Description: "A " + name + " execution timed out: a step hung past its TimeoutSeconds; check that step's function.",
				Namespace:   "AWS/States", Metric: "ExecutionsTimedOut", Dimensions: dims, Statistic: "Sum", Period: 300,
				Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
		)
	}
	for _, q := range []struct {
		name  string
		queue pulumi.StringOutput
	}{{"functions-dlq", s.fnDLQ.Name}, {"events-dlq", s.eventsDLQ.Name}} {
		out = append(out, alarm.Spec{Kind: config.AlarmSQSDLQ, Name: "serverless-" + q.name + "-messages",
			Description: "Events or async invocations reached " + q.name + " after every retry: read them, fix the cause, redrive.",
			Namespace:   "AWS/SQS", Metric: "ApproximateNumberOfMessagesVisible", Dimensions: pulumi.StringMap{"QueueName": q.queue},
			Statistic: "Maximum", Period: 300, Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"})
	}
	if s.http != nil {
		dims := pulumi.StringMap{"ApiId": s.http.api.ID().ToStringOutput()}
		out = append(out,
			alarm.Spec{Kind: config.AlarmAPIGW5xx, Name: "http-api-5xx",
				Description: "The HTTP API answers 5xx: check the integration errors in its access log and the ALB and service alarms.",
				Namespace:   "AWS/ApiGateway", Metric: "5xx", Dimensions: dims, Statistic: "Sum", Period: 300,
				Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
			alarm.Spec{Kind: config.AlarmAPIGWLatency, Name: "http-api-latency",
				Description: "The HTTP API is slow (ms): compare IntegrationLatency with the services' response time.",
				Namespace:   "AWS/ApiGateway", Metric: "Latency", Dimensions: dims, Statistic: "Average", Period: 300,
				Comparison: "GreaterThanThreshold"},
		)
	}
	return out
}
