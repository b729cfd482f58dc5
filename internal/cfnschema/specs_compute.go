package cfnschema

import "fmt"

// containerRenames keep user data (log driver options, labels) as it is
// inside ECS container definitions and log configurations.
var containerRenames = map[string]string{
	"options": "=Options", "dockerLabels": "=DockerLabels", "secretOptions": "SecretOptions",
	"efsVolumeConfiguration": "EFSVolumeConfiguration", "fileSystemId": "FilesystemId", "iam": "IAM",
	"sizeInGib": "SizeInGiB",
}

// lbActions translates ELB listener (rule) actions: redirect, fixedResponse
// and forward become *Config.
func lbActions(v any) any {
	var out []any
	for _, a := range list(v) {
		m := pascal(a, map[string]string{
			"redirect": "RedirectConfig", "fixedResponse": "FixedResponseConfig", "forward": "ForwardConfig",
			"authenticateCognito": "AuthenticateCognitoConfig", "authenticateOidc": "AuthenticateOidcConfig",
			"stickiness": "TargetGroupStickinessConfig", "duration": "DurationSeconds",
		}).(map[string]any)
		if fc := obj(m["ForwardConfig"]); fc != nil {
			for _, tg := range list(fc["TargetGroups"]) {
				tg := obj(tg)
				if arn, ok := tg["Arn"]; ok {
					tg["TargetGroupArn"] = arn
					delete(tg, "Arn")
				}
			}
		}
		out = append(out, m)
	}
	return out
}

// lbConditions translates listener rule conditions (one field each) into
// CloudFormation's {Field, <Field>Config}.
func lbConditions(v any) any {
	fields := map[string][2]string{
		"pathPattern": {"path-pattern", "PathPatternConfig"}, "hostHeader": {"host-header", "HostHeaderConfig"},
		"httpHeader": {"http-header", "HttpHeaderConfig"}, "httpRequestMethod": {"http-request-method", "HttpRequestMethodConfig"},
		"queryStrings": {"query-string", "QueryStringConfig"}, "sourceIp": {"source-ip", "SourceIpConfig"},
	}
	var out []any
	for _, c := range list(v) {
		for k, x := range obj(c) {
			f, ok := fields[k]
			if !ok {
				out = append(out, map[string]any{"Field": k})
				continue
			}
			var cfg any = pascal(x, nil)
			if k == "queryStrings" {
				cfg = map[string]any{"Values": pascal(x, nil)}
			}
			out = append(out, map[string]any{"Field": f[0], f[1]: cfg})
		}
	}
	return out
}

// attributes turns key/value pairs into [{Key, Value}] with string values
// (ELB load balancer and target group attributes).
func attributes(kv ...any) any {
	var out []any
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			continue
		}
		out = append(out, map[string]any{"Key": kv[i], "Value": fmt.Sprint(kv[i+1])})
	}
	if out == nil {
		return nil
	}
	return out
}

var computeSpecs = map[string]spec{
	"aws:ecr/repository:Repository": {
		cfn:   "AWS::ECR::Repository",
		attrs: map[string]string{"id": "Ref", "name": "Ref", "arn": "Arn", "repositoryUrl": "RepositoryUri"},
		build: func(b *builder) {
			b.set("RepositoryName", b.physical("name"))
			b.take("name")
			b.raw("forceDelete", "EmptyOnDelete", "imageTagMutability", "ImageTagMutability")
			if ec := list(b.take("encryptionConfigurations")); len(ec) > 0 {
				b.set("EncryptionConfiguration", pascal(ec[0], nil))
			}
			b.set("ImageScanningConfiguration", pascal(b.take("imageScanningConfiguration"), nil))
			b.set("ImageTagMutabilityExclusionFilters", pascal(b.take("imageTagMutabilityExclusionFilters"), nil))
			b.set("Tags", b.tags())
		},
	},
	"aws:ecr/lifecyclePolicy:LifecyclePolicy": {
		cfn: "AWS::ECR::Repository", into: "aws:ecr/repository:Repository", key: "repository",
		build: func(b *builder) {
			// The text as the API takes it (its length is limited: 100-30720).
			b.set("LifecyclePolicy", map[string]any{"LifecyclePolicyText": b.take("policy")})
		},
	},
	"aws:ecr/replicationConfiguration:ReplicationConfiguration": {
		cfn: "AWS::ECR::ReplicationConfiguration",
		build: func(b *builder) {
			b.set("ReplicationConfiguration", pascal(b.take("replicationConfiguration"), nil))
		},
	},
	"aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": {
		cfn:   "AWS::ECR::RepositoryCreationTemplate",
		attrs: map[string]string{"id": "Ref", "prefix": "Ref"},
		build: func(b *builder) {
			b.raw("prefix", "Prefix", "appliedFors", "AppliedFor", "description", "Description",
				"imageTagMutability", "ImageTagMutability", "lifecyclePolicy", "LifecyclePolicy",
				"repositoryPolicy", "RepositoryPolicy", "customRoleArn", "CustomRoleArn")
			if ec := list(b.take("encryptionConfigurations")); len(ec) > 0 {
				b.set("EncryptionConfiguration", pascal(ec[0], nil))
			}
			b.set("ImageTagMutabilityExclusionFilters", pascal(b.take("imageTagMutabilityExclusionFilters"), nil))
			// The tags ECR puts on the repositories it creates, not the
			// template's own (the template takes none).
			b.set("ResourceTags", tags(b.take("resourceTags")))
		},
	},
	"aws:ecs/cluster:Cluster": {
		cfn:   "AWS::ECS::Cluster",
		attrs: map[string]string{"name": "Ref", "arn": "Arn"},
		build: func(b *builder) {
			b.set("ClusterName", b.physical("name"))
			b.take("name")
			b.set("ClusterSettings", pascal(b.take("settings"), nil))
			b.set("Configuration", pascal(b.take("configuration"), map[string]string{"s3BucketEncryptionEnabled": "S3EncryptionEnabled"}))
			b.set("ServiceConnectDefaults", pascal(b.take("serviceConnectDefaults"), nil))
			b.set("Tags", b.tags())
		},
	},
	"aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": {
		cfn: "AWS::ECS::ClusterCapacityProviderAssociations",
		build: func(b *builder) {
			b.raw("clusterName", "Cluster", "capacityProviders", "CapacityProviders")
			b.set("DefaultCapacityProviderStrategy", pascal(b.take("defaultCapacityProviderStrategies"), nil))
		},
	},
	"aws:ecs/service:Service": {
		cfn: "AWS::ECS::Service",
		skip: map[string]string{
			"waitForSteadyState": "how long the provider waits, not a service setting",
			"triggers":           "a provider-side replacement trigger, not a service setting",
			"forceDelete":        "a provider-side behaviour on delete, not a service setting",
		},
		build: func(b *builder) {
			b.set("ServiceName", b.physical("name"))
			b.take("name")
			b.copy("cluster", "Cluster", "desiredCount", "DesiredCount", "enableEcsManagedTags", "EnableECSManagedTags",
				"enableExecuteCommand", "EnableExecuteCommand", "healthCheckGracePeriodSeconds", "HealthCheckGracePeriodSeconds",
				"launchType", "LaunchType", "platformVersion", "PlatformVersion", "propagateTags", "PropagateTags",
				"schedulingStrategy", "SchedulingStrategy", "taskDefinition", "TaskDefinition",
				"availabilityZoneRebalancing", "AvailabilityZoneRebalancing", "deploymentController", "DeploymentController",
				"loadBalancers", "LoadBalancers", "capacityProviderStrategies", "CapacityProviderStrategy",
				"orderedPlacementStrategies", "PlacementStrategies", "placementConstraints", "PlacementConstraints")
			dc := map[string]any{}
			for in, out := range map[string]string{"deploymentMaximumPercent": "MaximumPercent", "deploymentMinimumHealthyPercent": "MinimumHealthyPercent"} {
				if v := b.take(in); v != nil {
					dc[out] = v
				}
			}
			for in, out := range map[string]string{"deploymentCircuitBreaker": "DeploymentCircuitBreaker", "alarms": "Alarms"} {
				if v := b.take(in); v != nil {
					dc[out] = pascal(v, nil)
				}
			}
			if len(dc) > 0 {
				b.set("DeploymentConfiguration", dc)
			}
			if v := b.take("forceNewDeployment"); v == true {
				b.set("ForceNewDeployment", map[string]any{"EnableForceNewDeployment": true})
			}
			if nc := obj(b.take("networkConfiguration")); nc != nil {
				aws := map[string]any{"SecurityGroups": nc["securityGroups"], "Subnets": nc["subnets"]}
				if v, ok := nc["assignPublicIp"]; ok {
					aws["AssignPublicIp"] = map[bool]string{true: "ENABLED", false: "DISABLED"}[v == true]
				}
				dropNil(aws)
				b.set("NetworkConfiguration", map[string]any{"AwsvpcConfiguration": aws})
			}
			if sc := b.take("serviceConnectConfiguration"); sc != nil {
				b.set("ServiceConnectConfiguration", pascal(sc, map[string]string{
					"options": "=Options", "clientAlias": "ClientAliases", "secretOptions": "SecretOptions",
				}))
			}
			if sr := b.take("serviceRegistries"); sr != nil {
				b.set("ServiceRegistries", []any{pascal(sr, nil)})
			}
			b.set("Tags", b.tags())
		},
	},
	"aws:ecs/taskDefinition:TaskDefinition": {
		cfn:   "AWS::ECS::TaskDefinition",
		attrs: map[string]string{"arn": "Ref"},
		skip: map[string]string{
			"skipDestroy": "a provider-side behaviour on delete (keep old revisions), not a task definition setting",
			"trackLatest": "a provider-side behaviour, not a task definition setting",
		},
		build: func(b *builder) {
			b.copy("family", "Family", "cpu", "Cpu", "memory", "Memory", "executionRoleArn", "ExecutionRoleArn",
				"taskRoleArn", "TaskRoleArn", "networkMode", "NetworkMode", "requiresCompatibilities", "RequiresCompatibilities",
				"runtimePlatform", "RuntimePlatform", "pidMode", "PidMode", "ipcMode", "IpcMode",
				"placementConstraints", "PlacementConstraints")
			b.set("ContainerDefinitions", pascal(doc(b.take("containerDefinitions")), containerRenames))
			b.set("Volumes", pascal(b.take("volumes"), containerRenames))
			b.set("EphemeralStorage", pascal(b.take("ephemeralStorage"), containerRenames))
			b.set("Tags", b.tags())
		},
	},
	"aws:lambda/function:Function": {
		cfn:   "AWS::Lambda::Function",
		attrs: map[string]string{"id": "Ref", "name": "Ref", "arn": "Arn"},
		skip: map[string]string{
			"publish":                        "publishing a version is a deploy-time action, not a function setting",
			"sourceCodeHash":                 "a provider-side change trigger, not a function setting",
			"skipDestroy":                    "a provider-side behaviour on delete",
			"replaceSecurityGroupsOnDestroy": "a provider-side behaviour on delete",
			"replacementSecurityGroupIds":    "a provider-side behaviour on delete",
			"code":                           "a local archive: its content is not in the synth output",
		},
		build: func(b *builder) {
			b.set("FunctionName", b.physical("name"))
			b.take("name")
			b.copy("architectures", "Architectures", "description", "Description", "handler", "Handler", "kmsKeyArn", "KmsKeyArn",
				"layers", "Layers", "memorySize", "MemorySize", "packageType", "PackageType",
				"role", "Role", "runtime", "Runtime",
				"timeout", "Timeout", "tracingConfig", "TracingConfig", "loggingConfig", "LoggingConfig",
				"ephemeralStorage", "EphemeralStorage", "imageConfig", "ImageConfig", "snapStart", "SnapStart",
				"fileSystemConfig", "FileSystemConfigs", "recursiveLoop", "RecursiveLoop", "codeSigningConfigArn", "CodeSigningConfigArn")
			// -1 is pulumi-aws's "no reserved concurrency", which CloudFormation
			// says by leaving ReservedConcurrentExecutions out.
			if rc := b.take("reservedConcurrentExecutions"); rc != nil && rc != float64(-1) {
				b.set("ReservedConcurrentExecutions", rc)
			}
			if dl := obj(b.take("deadLetterConfig")); dl != nil {
				b.set("DeadLetterConfig", map[string]any{"TargetArn": dl["targetArn"]})
			}
			if env := obj(b.take("environment")); env != nil {
				b.set("Environment", map[string]any{"Variables": env["variables"]})
			}
			b.set("VpcConfig", pascal(b.take("vpcConfig"), map[string]string{"vpcId": ""}))
			code := map[string]any{}
			for in, out := range map[string]string{"s3Bucket": "S3Bucket", "s3Key": "S3Key", "s3ObjectVersion": "S3ObjectVersion", "imageUri": "ImageUri"} {
				if v := b.take(in); v != nil {
					code[out] = v
				}
			}
			if len(code) == 0 {
				code["ZipFile"] = "code archive not in the synth output"
			}
			b.set("Code", code)
			b.set("Tags", b.tags())
		},
	},
	"aws:lambda/codeSigningConfig:CodeSigningConfig": {
		cfn:   "AWS::Lambda::CodeSigningConfig",
		attrs: map[string]string{"id": "Ref", "arn": "CodeSigningConfigArn", "configId": "CodeSigningConfigId"},
		build: func(b *builder) {
			b.copy("description", "Description")
			if ap := obj(b.take("allowedPublishers")); ap != nil {
				b.set("AllowedPublishers", map[string]any{"SigningProfileVersionArns": ap["signingProfileVersionArns"]})
			}
			if p := obj(b.take("policies")); p != nil {
				b.set("CodeSigningPolicies", map[string]any{"UntrustedArtifactOnDeployment": p["untrustedArtifactOnDeployment"]})
			}
			b.set("Tags", b.tags())
		},
	},
	"aws:signer/signingProfile:SigningProfile": {
		cfn:   "AWS::Signer::SigningProfile",
		attrs: map[string]string{"id": "ProfileName", "arn": "Arn", "name": "ProfileName", "versionArn": "ProfileVersionArn", "version": "ProfileVersion"},
		build: func(b *builder) {
			// ProfileName ^[0-9a-zA-Z_]{2,64}$: the provider's name from
			// namePrefix plus a unique suffix.
			b.set("ProfileName", b.physical("name"))
			b.take("name")
			b.take("namePrefix")
			b.copy("platformId", "PlatformId", "signatureValidityPeriod", "SignatureValidityPeriod")
			b.set("Tags", b.tags())
		},
	},
	"aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": {
		cfn: "AWS::Lambda::EventInvokeConfig",
		build: func(b *builder) {
			b.copy("functionName", "FunctionName", "maximumEventAgeInSeconds", "MaximumEventAgeInSeconds",
				"maximumRetryAttempts", "MaximumRetryAttempts", "destinationConfig", "DestinationConfig")
			q := b.str("qualifier")
			if q == "" {
				q = "$LATEST"
			}
			b.set("Qualifier", q)
		},
	},
	"aws:lambda/permission:Permission": {
		cfn: "AWS::Lambda::Permission",
		skip: map[string]string{
			"statementId":       "CloudFormation names the statement itself",
			"statementIdPrefix": "CloudFormation names the statement itself",
		},
		build: func(b *builder) {
			fn := b.str("function")
			if q := b.str("qualifier"); q != "" {
				fn += ":" + q
			}
			b.set("FunctionName", fn)
			b.copy("action", "Action", "principal", "Principal", "sourceArn", "SourceArn", "sourceAccount", "SourceAccount",
				"eventSourceToken", "EventSourceToken", "principalOrgId", "PrincipalOrgID", "functionUrlAuthType", "FunctionUrlAuthType")
		},
	},
	"aws:lb/loadBalancer:LoadBalancer": {
		cfn:   "AWS::ElasticLoadBalancingV2::LoadBalancer",
		attrs: map[string]string{"id": "Ref", "arn": "Ref", "arnSuffix": "LoadBalancerFullName", "dnsName": "DNSName", "zoneId": "CanonicalHostedZoneID"},
		build: func(b *builder) {
			b.set("Name", b.physical("name"))
			b.take("name")
			b.take("namePrefix")
			b.copy("loadBalancerType", "Type", "securityGroups", "SecurityGroups", "subnets", "Subnets",
				"subnetMappings", "SubnetMappings", "ipAddressType", "IpAddressType")
			if v := b.take("internal"); v != nil {
				b.set("Scheme", map[bool]string{true: "internal", false: "internet-facing"}[v == true])
			}
			al := obj(b.take("accessLogs"))
			b.set("LoadBalancerAttributes", attributes(
				"access_logs.s3.enabled", al["enabled"], "access_logs.s3.bucket", al["bucket"], "access_logs.s3.prefix", al["prefix"],
				"routing.http.drop_invalid_header_fields.enabled", b.take("dropInvalidHeaderFields"),
				"deletion_protection.enabled", b.take("enableDeletionProtection"),
				"idle_timeout.timeout_seconds", b.take("idleTimeout"),
				"routing.http2.enabled", b.take("enableHttp2"),
				"routing.http.desync_mitigation_mode", b.take("desyncMitigationMode"),
				"load_balancing.cross_zone.enabled", b.take("enableCrossZoneLoadBalancing"),
				"waf.fail_open.enabled", b.take("enableWafFailOpen"),
				"routing.http.preserve_host_header.enabled", b.take("preserveHostHeader"),
				"routing.http.xff_header_processing.mode", b.take("xffHeaderProcessingMode"),
			))
			b.set("Tags", b.tags())
		},
	},
	"aws:lb/listener:Listener": {
		cfn:   "AWS::ElasticLoadBalancingV2::Listener",
		attrs: map[string]string{"id": "Ref", "arn": "Ref"},
		skip:  map[string]string{"tags": noTagsSkip("AWS::ElasticLoadBalancingV2::Listener")},
		build: func(b *builder) {
			b.copy("loadBalancerArn", "LoadBalancerArn", "port", "Port", "protocol", "Protocol", "sslPolicy", "SslPolicy",
				"mutualAuthentication", "MutualAuthentication")
			if a := b.str("alpnPolicy"); a != "" {
				b.set("AlpnPolicy", []any{a})
			}
			if c := b.take("certificateArn"); c != nil {
				b.set("Certificates", []any{map[string]any{"CertificateArn": c}})
			}
			b.set("DefaultActions", lbActions(b.take("defaultActions")))
		},
	},
	"aws:lb/listenerRule:ListenerRule": {
		cfn:  "AWS::ElasticLoadBalancingV2::ListenerRule",
		skip: map[string]string{"tags": noTagsSkip("AWS::ElasticLoadBalancingV2::ListenerRule")},
		build: func(b *builder) {
			b.copy("listenerArn", "ListenerArn", "priority", "Priority")
			b.set("Actions", lbActions(b.take("actions")))
			b.set("Conditions", lbConditions(b.take("conditions")))
		},
	},
	"aws:lb/targetGroup:TargetGroup": {
		cfn:   "AWS::ElasticLoadBalancingV2::TargetGroup",
		attrs: map[string]string{"id": "Ref", "arn": "Ref", "arnSuffix": "TargetGroupFullName"},
		build: func(b *builder) {
			b.set("Name", b.physical("name"))
			b.take("name")
			b.take("namePrefix")
			b.copy("port", "Port", "protocol", "Protocol", "protocolVersion", "ProtocolVersion", "targetType", "TargetType",
				"vpcId", "VpcId", "ipAddressType", "IpAddressType")
			if hc := obj(b.take("healthCheck")); hc != nil {
				for in, out := range map[string]string{"enabled": "HealthCheckEnabled", "interval": "HealthCheckIntervalSeconds",
					"path": "HealthCheckPath", "port": "HealthCheckPort", "protocol": "HealthCheckProtocol",
					"timeout": "HealthCheckTimeoutSeconds", "healthyThreshold": "HealthyThresholdCount", "unhealthyThreshold": "UnhealthyThresholdCount"} {
					if v, ok := hc[in]; ok {
						b.set(out, v)
					}
				}
				if m, ok := hc["matcher"]; ok {
					b.set("Matcher", map[string]any{"HttpCode": m})
				}
			}
			st := obj(b.take("stickiness"))
			b.set("TargetGroupAttributes", attributes(
				"deregistration_delay.timeout_seconds", b.take("deregistrationDelay"),
				"slow_start.duration_seconds", b.take("slowStart"),
				"load_balancing.algorithm.type", b.take("loadBalancingAlgorithmType"),
				"stickiness.enabled", st["enabled"], "stickiness.type", st["type"],
			))
			b.set("Tags", b.tags())
		},
	},
}
