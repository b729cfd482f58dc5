package monitoring

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/config"
)

// collect gathers every source's specs and the component's own, and refuses
// duplicate names (an alarm name is the stable identity of the alarm).
func (m *Monitoring) collect() ([]alarm.Spec, error) {
	var specs []alarm.Spec
	for _, s := range m.args.Sources {
		specs = append(specs, s.Alarms()...)
	}
	specs = append(specs, m.own...)
	if err := checkKinds(specs); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, s := range specs {
		if seen[s.Name] {
			return nil, fmt.Errorf("monitoring: two alarms are named %q", s.Name)
		}
		seen[s.Name] = true
		if s.Period%60 != 0 || s.Period == 0 {
			return nil, fmt.Errorf("monitoring: %s: period %d s is not a multiple of 60", s.Name, s.Period)
		}
	}
	return specs, nil
}

// checkKinds refuses a spec whose kind is not a config.AlarmKinds key (a
// DashboardOnly spec may also use a config.DashboardKinds key), naming the
// spec, the kind and the valid kinds.
func checkKinds(specs []alarm.Spec) error {
	var errs []error
	for _, s := range specs {
		if err := config.CheckAlarmKind(s.Kind, s.DashboardOnly); err != nil {
			errs = append(errs, fmt.Errorf("monitoring: alarm %s: %w", s.Name, err))
		}
	}
	return errors.Join(errs...)
}

// alarms creates one CloudWatch alarm per enabled spec, with alarm and OK
// actions on the alert topic of the alarm's region.
func (m *Monitoring) alarms(ctx *pulumi.Context, specs []alarm.Spec) (pulumi.StringArrayOutput, error) {
	var names pulumi.StringArray
	for _, s := range specs {
		if s.DashboardOnly {
			continue
		}
		threshold, periods, on, err := m.args.Spec.Threshold(s.Kind)
		if err != nil {
			return pulumi.StringArrayOutput{}, fmt.Errorf("monitoring: alarm %s: %w", s.Name, err)
		}
		if !on {
			continue
		}
		if s.Threshold != nil {
			threshold = *s.Threshold
		}
		if s.Scale != 0 {
			threshold *= s.Scale
		}
		treat := s.TreatMissingData
		if treat == "" {
			treat = "missing"
		}
		topic := m.topics[s.Global]
		opts := []pulumi.ResourceOption{pulumi.Parent(m)}
		if s.Global && m.args.Region != GlobalRegion {
			opts = append(opts, pulumi.Provider(m.args.GlobalProvider))
		}
		name := fmt.Sprintf("%s-%s-%s", m.args.Project, m.args.Stack, s.Name)
		if s.AlarmName != "" {
			name = s.AlarmName
		}
		args := &cloudwatch.MetricAlarmArgs{
			Name:               pulumi.String(name),
			AlarmDescription:   pulumi.Sprintf("[%s] %s", s.Kind, s.Description),
			Namespace:          pulumi.String(s.Namespace),
			MetricName:         pulumi.String(s.Metric),
			Dimensions:         s.Dimensions,
			Statistic:          pulumi.String(s.Statistic),
			Period:             pulumi.Int(s.Period),
			EvaluationPeriods:  pulumi.Int(periods),
			DatapointsToAlarm:  pulumi.Int(periods),
			Threshold:          pulumi.Float64(threshold),
			ComparisonOperator: pulumi.String(s.Comparison),
			TreatMissingData:   pulumi.String(treat),
			ActionsEnabled:     pulumi.Bool(true),
			AlarmActions:       pulumi.Array{topic.Arn},
			OkActions:          pulumi.Array{topic.Arn},
		}
		if s.Math != nil {
			mathQueries(args, s)
		}
		a, err := cloudwatch.NewMetricAlarm(ctx, s.Name, args, opts...)
		if err != nil {
			return pulumi.StringArrayOutput{}, err
		}
		names = append(names, a.Name)
	}
	return names.ToStringArrayOutput(), nil
}

// mathQueries makes an alarm evaluate the spec's expression: the metrics
// (ReturnData false) and the expression (ReturnData true) replace the
// single metric (PutMetricAlarm accepts one or the other).
func mathQueries(args *cloudwatch.MetricAlarmArgs, s alarm.Spec) {
	args.Namespace, args.MetricName, args.Dimensions, args.Statistic, args.Period = nil, nil, nil, nil, nil
	q := cloudwatch.MetricAlarmMetricQueryArray{cloudwatch.MetricAlarmMetricQueryArgs{
		Id: pulumi.String("e1"), Expression: pulumi.String(s.Math.Expression), Label: pulumi.String(s.Math.Label), ReturnData: pulumi.Bool(true),
	}}
	for _, mm := range s.Math.Metrics {
		q = append(q, cloudwatch.MetricAlarmMetricQueryArgs{
			Id: pulumi.String(mm.ID), ReturnData: pulumi.Bool(false),
			Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
				Namespace: pulumi.String(s.Namespace), MetricName: pulumi.String(mm.Metric), Dimensions: s.Dimensions,
				Stat: pulumi.String(mm.Statistic), Period: pulumi.Int(s.Period),
			},
		})
	}
	args.MetricQueries = q
}

// logFilters counts ERROR lines of every application log group into a
// metric, and alarms on it (kind app.errors).
func (m *Monitoring) logFilters(ctx *pulumi.Context) error {
	namespace := fmt.Sprintf("%s/%s/app", m.args.Project, m.args.Stack)
	var specs []alarm.Spec
	for _, src := range m.args.LogSources {
		for _, lg := range src.ErrorLogs() {
			metric := lg.Name + "-errors"
			if _, err := cloudwatch.NewLogMetricFilter(ctx, metric, &cloudwatch.LogMetricFilterArgs{
				LogGroupName: lg.LogGroupName,
				Pattern:      pulumi.String("ERROR"),
				MetricTransformation: &cloudwatch.LogMetricFilterMetricTransformationArgs{
					Name: pulumi.String(metric), Namespace: pulumi.String(namespace),
					Value: pulumi.String("1"), DefaultValue: pulumi.String("0"), Unit: pulumi.String("Count"),
				},
			}, pulumi.Parent(m)); err != nil {
				return err
			}
			specs = append(specs, alarm.Spec{Kind: config.AlarmAppErrors, Name: metric,
				Description: lg.Name + " logs ERROR lines above the threshold per 5 minutes: read its log group.",
				Namespace:   namespace, Metric: metric, Statistic: "Sum", Period: 300,
				Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"})
		}
	}
	names, err := m.alarms(ctx, specs)
	if err != nil {
		return err
	}
	m.AlarmNames = pulumi.All(m.AlarmNames, names).ApplyT(func(v []any) []string {
		return append(append([]string{}, v[0].([]string)...), v[1].([]string)...)
	}).(pulumi.StringArrayOutput)
	return nil
}

// widgetTitles name the dashboard's widgets by alarm kind; the seed's
// metrics come first (response time, error rate, database connections).
var widgetTitles = []struct {
	kind  alarm.Kind
	title string
}{
	{config.DashboardServiceRequests, "Requests per minute (per service)"},
	{config.AlarmServiceErrorRate, "Error rate % (target 5xx / requests, per service)"},
	{config.AlarmServiceResponseTime, "Response time (per service, s)"},
	{config.AlarmServiceHealth, "Health checks (1 = healthy)"},
	{config.DashboardALBRequests, "Requests per second (ALB)"},
	{config.AlarmALBLatency, "Response time (ALB target, s)"},
	{config.AlarmALB5xx, "Error rate (ALB target 5xx)"},
	{config.AlarmAPIGW5xx, "API Gateway 5xx"},
	{config.AlarmAPIGWLatency, "API Gateway latency (ms)"},
	{config.AlarmRDSConnections, "Database connections"},
	{config.AlarmRDSCPU, "Database CPU %"},
	{config.AlarmSQSAge, "Queue depth: oldest message age (s)"},
	{config.AlarmSQSDLQ, "Dead-letter queues"},
	{config.AlarmSFNFailed, "Workflow failures"},
	{config.AlarmLambdaErrors, "Lambda errors"},
	{config.AlarmECSCPU, "Service CPU %"},
	{config.AlarmRedisMemory, "Redis memory %"},
	{config.AlarmSearchJVM, "OpenSearch JVM pressure %"},
	{config.AlarmCloudFront5xx, "CloudFront 5xx rate %"},
	{config.AlarmWAFBlocked, "WAF blocked requests"},
}

// dashboard builds the stack's dashboard from the specs: one widget per
// kind above that has metrics, each metric with its dimensions.
func (m *Monitoring) dashboard(ctx *pulumi.Context, specs []alarm.Spec) (pulumi.StringOutput, error) {
	byKind := map[alarm.Kind][]alarm.Spec{}
	for _, s := range specs {
		byKind[s.Kind] = append(byKind[s.Kind], s)
	}
	type metricLine struct {
		spec alarm.Spec
		dims pulumi.StringMapOutput
	}
	var lines []metricLine
	var inputs []any
	for _, w := range widgetTitles {
		for _, s := range byKind[w.kind] {
			d := s.Dimensions.ToStringMapOutput()
			lines = append(lines, metricLine{s, d})
			inputs = append(inputs, d)
		}
	}
	body := pulumi.All(inputs...).ApplyT(func(resolved []any) (string, error) {
		widgets := []map[string]any{}
		i, y := 0, 0
		for _, w := range widgetTitles {
			var metrics [][]any
			region, stat, period := m.args.Region, "", 300
			for _, s := range byKind[w.kind] {
				dims := resolved[i].(map[string]string)
				i++
				keys := make([]string, 0, len(dims))
				for k := range dims {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				dimLine := func(metric string) []any {
					line := []any{s.Namespace, metric}
					for _, k := range keys {
						line = append(line, k, dims[k])
					}
					return line
				}
				if s.Math != nil {
					metrics = append(metrics, mathLines(s.Math, len(metrics), dimLine)...)
				} else {
					metrics = append(metrics, dimLine(s.Metric))
				}
				stat, period = s.Statistic, s.Period
				if s.Global {
					region = GlobalRegion
				}
			}
			if len(metrics) == 0 {
				continue
			}
			widgets = append(widgets, map[string]any{
				"type": "metric", "x": (len(widgets) % 2) * 12, "y": y, "width": 12, "height": 6,
				"properties": map[string]any{"title": w.title, "region": region, "stat": stat, "period": period,
					"metrics": metrics, "view": "timeSeries"},
			})
			if len(widgets)%2 == 0 {
				y += 6
			}
		}
		b, err := json.Marshal(map[string]any{"widgets": widgets})
		return string(b), err
	}).(pulumi.StringOutput)
	name := fmt.Sprintf("%s-%s", m.args.Project, m.args.Stack)
	dash, err := cloudwatch.NewDashboard(ctx, "dashboard", &cloudwatch.DashboardArgs{
		DashboardName: pulumi.String(name),
		DashboardBody: body,
	}, pulumi.Parent(m))
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return dash.DashboardName, nil
}

// mathLines are a dashboard widget's lines for an expression: the hidden
// metrics and the expression, their IDs suffixed with the line number n
// so that several services' expressions share one widget.
func mathLines(m *alarm.Math, n int, dimLine func(metric string) []any) [][]any {
	var out [][]any
	pairs := []string{}
	for _, mm := range m.Metrics {
		id := fmt.Sprintf("%s%d", mm.ID, n)
		pairs = append(pairs, mm.ID, id)
		out = append(out, append(dimLine(mm.Metric), map[string]any{"id": id, "stat": mm.Statistic, "visible": false}))
	}
	expr := strings.NewReplacer(pairs...).Replace(m.Expression)
	return append(out, []any{map[string]any{"expression": expr, "label": m.Label, "id": fmt.Sprintf("e%d", n)}})
}
