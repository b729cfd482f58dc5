// Package alarm is how a component says what should be watched: each
// component that creates an alarm-worthy resource describes its metrics as
// Specs, and the Monitoring component turns every Spec of every Source into
// a CloudWatch alarm (thresholds from config.AlarmKinds, overridable per
// stack) and a dashboard widget. A component that adds a resource gets its
// alarms without the stack asking.
package alarm

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
)

// Kind is an alarm kind: one of the config.Alarm* constants (a key of
// config.AlarmKinds) or, for a DashboardOnly spec, a config.Dashboard*
// constant. An unknown kind fails the Monitoring component before it
// registers anything.
type Kind = config.AlarmKind

// Spec is one metric to alarm on (and chart).
type Spec struct {
	// Kind is a config.Alarm* constant (config.AlarmRDSCPU): it picks the
	// default threshold and periods and the stack's override.
	Kind Kind
	// Name is unique in the stack and stable: "<resource>-<what>".
	Name string
	// Description says what breached and what to check first.
	Description string
	Namespace   string
	Metric      string
	Dimensions  pulumi.StringMap
	// Statistic is Sum, Average, Minimum or Maximum.
	Statistic string
	// Period in seconds (a multiple of 60).
	Period int
	// Comparison is a CloudWatch comparison operator.
	Comparison string
	// Scale multiplies the configured threshold into the metric's unit
	// (GiB -> bytes). Zero means 1.
	Scale float64
	// Threshold, when set, is this resource's own threshold (a service's
	// minimum task count) and ignores the kind's default.
	Threshold *float64
	// TreatMissingData: missing, notBreaching, breaching, ignore. Empty: missing.
	TreatMissingData string
	// Global alarms watch us-east-1 metrics (CloudFront, CLOUDFRONT-scope WAF).
	Global bool
	// DashboardOnly metrics are charted but raise no alarm (request counts);
	// their Kind only names the widget.
	DashboardOnly bool
	// AlarmName is the alarm's full name, as an on-call rota routes it
	// (dhanam-api-high-error-rate). Empty: <project>-<stack>-<Name>.
	AlarmName string
	// Math, when set, alarms on (and charts) an expression over metrics of
	// Namespace with Dimensions instead of Metric and Statistic.
	Math *Math
}

// Math is a CloudWatch metric-math expression over metrics that share the
// spec's namespace, dimensions and period
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create-alarm-on-metric-math-expression.html).
type Math struct {
	// Expression over the metrics' IDs, e.g. "100 * FILL(errors, 0) / requests".
	Expression string
	// Label of the expression's line on the dashboard.
	Label string
	// Metrics the expression reads.
	Metrics []MathMetric
}

// MathMetric is one metric of an expression.
type MathMetric struct {
	// ID in the expression: a lowercase letter, then letters, digits and _.
	ID        string
	Metric    string
	Statistic string
}

// Source is a component with resources to watch.
type Source interface {
	Alarms() []Spec
}

// LogGroup is an application log group whose ERROR lines are counted.
type LogGroup struct {
	// Name is the workload's short name ("listing").
	Name string
	// LogGroupName is the CloudWatch log group.
	LogGroupName pulumi.StringOutput
}

// LogSource is a component whose workloads write application logs.
type LogSource interface {
	ErrorLogs() []LogGroup
}

// Float is a helper for Spec.Threshold.
func Float(f float64) *float64 { return &f }
