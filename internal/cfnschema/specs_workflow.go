package cfnschema

// Auto scaling, service discovery, Step Functions and EventBridge Scheduler.
var workflowSpecs = map[string]spec{
	"aws:appautoscaling/target:Target": {
		cfn:  "AWS::ApplicationAutoScaling::ScalableTarget",
		skip: map[string]string{"tags": noTagsSkip("AWS::ApplicationAutoScaling::ScalableTarget")},
		build: func(b *builder) {
			b.copy("maxCapacity", "MaxCapacity", "minCapacity", "MinCapacity", "resourceId", "ResourceId",
				"scalableDimension", "ScalableDimension", "serviceNamespace", "ServiceNamespace", "roleArn", "RoleARN",
				"suspendedState", "SuspendedState")
		},
	},
	"aws:appautoscaling/policy:Policy": {
		cfn: "AWS::ApplicationAutoScaling::ScalingPolicy",
		build: func(b *builder) {
			b.copy("name", "PolicyName", "policyType", "PolicyType", "resourceId", "ResourceId",
				"scalableDimension", "ScalableDimension", "serviceNamespace", "ServiceNamespace",
				"targetTrackingScalingPolicyConfiguration", "TargetTrackingScalingPolicyConfiguration")
			if sc := obj(b.take("stepScalingPolicyConfiguration")); sc != nil {
				m := pascal(sc, nil).(map[string]any)
				for _, s := range list(m["StepAdjustments"]) {
					s := obj(s)
					for _, k := range []string{"MetricIntervalLowerBound", "MetricIntervalUpperBound"} {
						if v, ok := s[k]; ok {
							s[k] = number(v)
						}
					}
				}
				b.set("StepScalingPolicyConfiguration", m)
			}
		},
	},
	"aws:servicediscovery/httpNamespace:HttpNamespace": {
		cfn:   "AWS::ServiceDiscovery::HttpNamespace",
		attrs: map[string]string{"id": "Id", "arn": "Arn"},
		build: func(b *builder) {
			b.copy("name", "Name", "description", "Description")
			b.set("Tags", b.tags())
		},
	},
	"aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": {
		cfn:   "AWS::ServiceDiscovery::PrivateDnsNamespace",
		attrs: map[string]string{"id": "Id", "arn": "Arn"},
		build: func(b *builder) {
			b.copy("name", "Name", "description", "Description", "vpc", "Vpc")
			b.set("Tags", b.tags())
		},
	},
	"aws:servicediscovery/service:Service": {
		cfn:   "AWS::ServiceDiscovery::Service",
		attrs: map[string]string{"arn": "Arn"},
		skip:  map[string]string{"forceDestroy": "a provider-side behaviour on delete"},
		build: func(b *builder) {
			b.copy("name", "Name", "description", "Description", "namespaceId", "NamespaceId", "type", "Type",
				"healthCheckConfig", "HealthCheckConfig", "healthCheckCustomConfig", "HealthCheckCustomConfig")
			b.set("DnsConfig", pascal(b.take("dnsConfig"), map[string]string{"ttl": "TTL"}))
			b.set("Tags", b.tags())
		},
	},
	"aws:sfn/stateMachine:StateMachine": {
		cfn:  "AWS::StepFunctions::StateMachine",
		skip: map[string]string{"publish": "publishing a version is a deploy-time action"},
		build: func(b *builder) {
			b.set("StateMachineName", b.physical("name"))
			b.take("name")
			b.take("namePrefix")
			b.copy("roleArn", "RoleArn", "type", "StateMachineType", "tracingConfiguration", "TracingConfiguration",
				"encryptionConfiguration", "EncryptionConfiguration")
			b.set("Definition", doc(b.take("definition")))
			if lc := obj(b.take("loggingConfiguration")); lc != nil {
				out := map[string]any{"IncludeExecutionData": lc["includeExecutionData"], "Level": lc["level"]}
				if d, ok := lc["logDestination"]; ok {
					out["Destinations"] = []any{map[string]any{"CloudWatchLogsLogGroup": map[string]any{"LogGroupArn": d}}}
				}
				dropNil(out)
				b.set("LoggingConfiguration", out)
			}
			b.set("Tags", b.tags())
		},
	},
	"aws:scheduler/schedule:Schedule": {
		cfn: "AWS::Scheduler::Schedule",
		build: func(b *builder) {
			b.set("Name", b.physical("name"))
			b.take("name")
			b.take("namePrefix")
			b.copy("groupName", "GroupName", "description", "Description", "flexibleTimeWindow", "FlexibleTimeWindow",
				"scheduleExpression", "ScheduleExpression", "scheduleExpressionTimezone", "ScheduleExpressionTimezone",
				"startDate", "StartDate", "endDate", "EndDate", "state", "State", "kmsKeyArn", "KmsKeyArn", "target", "Target")
		},
	},
}
