package cfnschema

// CloudWatch Logs, alarms and dashboards, EventBridge.
var eventsSpecs = map[string]spec{
	"aws:cloudwatch/logGroup:LogGroup": {
		cfn:   "AWS::Logs::LogGroup",
		attrs: map[string]string{"id": "Ref", "name": "Ref"},
		skip:  map[string]string{"skipDestroy": "a provider-side behaviour on delete (CloudFormation: DeletionPolicy: Retain)"},
		build: func(b *builder) {
			b.set("LogGroupName", b.physical("name"))
			b.take("name")
			b.take("namePrefix")
			b.copy("kmsKeyId", "KmsKeyId", "retentionInDays", "RetentionInDays", "logGroupClass", "LogGroupClass")
			b.set("Tags", b.tags())
		},
	},
	"aws:cloudwatch/logMetricFilter:LogMetricFilter": {
		cfn: "AWS::Logs::MetricFilter",
		build: func(b *builder) {
			b.set("FilterName", b.physical("id"))
			b.take("name")
			b.raw("pattern", "FilterPattern", "logGroupName", "LogGroupName")
			mt := obj(b.take("metricTransformation"))
			t := map[string]any{"MetricName": mt["name"], "MetricNamespace": mt["namespace"], "MetricValue": mt["value"]}
			if v, ok := mt["defaultValue"]; ok {
				t["DefaultValue"] = number(v)
			}
			if v, ok := mt["unit"]; ok {
				t["Unit"] = v
			}
			if d := obj(mt["dimensions"]); len(d) > 0 {
				var dims []any
				for _, nv := range nameValues(d).([]any) {
					nv := obj(nv)
					dims = append(dims, map[string]any{"Key": nv["Name"], "Value": nv["Value"]})
				}
				t["Dimensions"] = dims
			}
			b.set("MetricTransformations", []any{t})
		},
	},
	"aws:cloudwatch/logResourcePolicy:LogResourcePolicy": {
		cfn: "AWS::Logs::ResourcePolicy",
		build: func(b *builder) {
			// A string: CloudWatch Logs limits the document's length (5120).
			b.raw("policyName", "PolicyName", "policyDocument", "PolicyDocument")
		},
	},
	"aws:cloudwatch/metricAlarm:MetricAlarm": {
		cfn: "AWS::CloudWatch::Alarm",
		build: func(b *builder) {
			b.set("AlarmName", b.physical("name"))
			b.take("name")
			b.copy("actionsEnabled", "ActionsEnabled", "alarmActions", "AlarmActions", "alarmDescription", "AlarmDescription",
				"comparisonOperator", "ComparisonOperator", "datapointsToAlarm", "DatapointsToAlarm",
				"evaluationPeriods", "EvaluationPeriods", "metricName", "MetricName", "namespace", "Namespace",
				"okActions", "OKActions", "insufficientDataActions", "InsufficientDataActions", "period", "Period",
				"statistic", "Statistic", "extendedStatistic", "ExtendedStatistic", "threshold", "Threshold",
				"thresholdMetricId", "ThresholdMetricId", "treatMissingData", "TreatMissingData", "unit", "Unit",
				"evaluateLowSampleCountPercentiles", "EvaluateLowSampleCountPercentile")
			b.set("Dimensions", nameValues(b.take("dimensions")))
			var metrics []any
			for _, q := range list(b.take("metricQueries")) {
				q := obj(q)
				m := pascal(q, nil).(map[string]any)
				delete(m, "Metric")
				if mm := obj(q["metric"]); mm != nil {
					m["MetricStat"] = map[string]any{
						"Metric": map[string]any{"MetricName": mm["metricName"], "Namespace": mm["namespace"], "Dimensions": nameValues(mm["dimensions"])},
						"Period": mm["period"], "Stat": mm["stat"], "Unit": mm["unit"],
					}
					dropNil(m["MetricStat"].(map[string]any))
					dropNil(m["MetricStat"].(map[string]any)["Metric"].(map[string]any))
				}
				metrics = append(metrics, m)
			}
			if metrics != nil {
				b.set("Metrics", metrics)
			}
			b.set("Tags", b.tags())
		},
	},
	"aws:cloudwatch/dashboard:Dashboard": {
		cfn: "AWS::CloudWatch::Dashboard",
		build: func(b *builder) {
			b.raw("dashboardName", "DashboardName", "dashboardBody", "DashboardBody")
		},
	},
	"aws:cloudwatch/eventBus:EventBus": {
		cfn:   "AWS::Events::EventBus",
		attrs: map[string]string{"id": "Ref", "name": "Ref", "arn": "Arn"},
		build: func(b *builder) {
			b.set("Name", b.physical("name"))
			b.take("name")
			b.copy("description", "Description", "eventSourceName", "EventSourceName", "kmsKeyIdentifier", "KmsKeyIdentifier",
				"deadLetterConfig", "DeadLetterConfig", "logConfig", "LogConfig")
			b.set("Tags", b.tags())
		},
	},
	"aws:cloudwatch/eventBusPolicy:EventBusPolicy": {
		cfn: "AWS::Events::EventBus", into: "aws:cloudwatch/eventBus:EventBus", key: "eventBusName", keyOutput: "name",
		build: func(b *builder) {
			b.set("Policy", doc(b.take("policy")))
		},
	},
	"aws:cloudwatch/eventRule:EventRule": {
		cfn:   "AWS::Events::Rule",
		attrs: map[string]string{"arn": "Arn"},
		skip:  map[string]string{"forceDestroy": "a provider-side behaviour on delete, not an AWS setting"},
		build: func(b *builder) {
			b.set("Name", b.physical("name"))
			b.take("name")
			b.take("namePrefix")
			b.copy("description", "Description", "eventBusName", "EventBusName", "scheduleExpression", "ScheduleExpression",
				"state", "State", "roleArn", "RoleArn")
			if v := b.take("isEnabled"); v != nil && b.props["State"] == nil {
				b.set("State", map[bool]string{true: "ENABLED", false: "DISABLED"}[v == true])
			}
			b.set("EventPattern", doc(b.take("eventPattern")))
			b.set("Tags", b.tags())
		},
	},
	"aws:cloudwatch/eventTarget:EventTarget": {
		cfn: "AWS::Events::Rule", into: "aws:cloudwatch/eventRule:EventRule", key: "rule", keyOutput: "name",
		skip: map[string]string{"eventBusName": "the bus of the rule it is merged into", "forceDestroy": "a provider-side behaviour on delete"},
		build: func(b *builder) {
			t := map[string]any{}
			id := b.str("targetId")
			if id == "" {
				id = b.r.Name
			}
			t["Id"] = id
			for in, out := range map[string]string{"arn": "Arn", "roleArn": "RoleArn", "input": "Input", "inputPath": "InputPath"} {
				if v := b.take(in); v != nil {
					t[out] = v
				}
			}
			for in, out := range map[string]string{"deadLetterConfig": "DeadLetterConfig", "retryPolicy": "RetryPolicy",
				"inputTransformer": "InputTransformer", "sqsTarget": "SqsParameters", "ecsTarget": "EcsParameters", "httpTarget": "HttpParameters"} {
				if v := b.take(in); v != nil {
					t[out] = pascal(v, nil)
				}
			}
			b.appendTo("Targets", t)
		},
	},
	"aws:cloudwatch/eventArchive:EventArchive": {
		cfn: "AWS::Events::Archive",
		build: func(b *builder) {
			b.set("ArchiveName", b.physical("name"))
			b.take("name")
			b.copy("description", "Description", "eventSourceArn", "SourceArn", "retentionDays", "RetentionDays", "kmsKeyIdentifier", "KmsKeyIdentifier")
			b.set("EventPattern", doc(b.take("eventPattern")))
		},
	},
}
