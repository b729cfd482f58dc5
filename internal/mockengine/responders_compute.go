package mockengine

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// computeResponders: the ServiceFleet (ECS and EKS) and Serverless.
var computeResponders = map[string]responder{
	// Lambda code signing (components/serverless/signing.go): a profile's
	// ARN is arn:…:signer:<region>:<account>:/signing-profiles/<name>, its
	// version ARN that plus /<version>
	// (https://docs.aws.amazon.com/signer/latest/api/API_PutSigningProfile.html);
	// a code signing config is csc-<17 hex>.
	"aws:signer/signingProfile:SigningProfile": func(r res, out resource.PropertyMap) string {
		arn := r.arn("signer", "/signing-profiles/"+r.physical)
		set(out, "arn", arn, "name", r.physical, "version", r.hash[:10], "versionArn", arn+"/"+r.hash[:10], "status", "Active")
		return r.physical
	},
	"aws:lambda/codeSigningConfig:CodeSigningConfig": func(r res, out resource.PropertyMap) string {
		id := "csc-" + r.hash[:17]
		set(out, "arn", r.arn("lambda", "code-signing-config:"+id), "configId", id)
		return r.arn("lambda", "code-signing-config:"+id)
	},
	// ServiceFleet (components/fleet).
	"aws:ecs/taskDefinition:TaskDefinition": func(r res, out resource.PropertyMap) string {
		family := r.str("family")
		arn := r.arn("ecs", "task-definition/"+family+":1")
		set(out, "arn", arn, "arnWithoutRevision", r.arn("ecs", "task-definition/"+family), "revision", 1, "family", family)
		return family
	},
	"aws:ecs/service:Service": func(r res, out resource.PropertyMap) string {
		cluster := r.str("cluster")
		cluster = cluster[strings.LastIndex(cluster, "/")+1:]
		arn := r.arn("ecs", "service/"+cluster+"/"+r.physical)
		set(out, "arn", arn, "name", r.physical)
		return arn
	},
	"aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": func(r res, out resource.PropertyMap) string {
		return r.str("clusterName")
	},
	"aws:lb/targetGroup:TargetGroup": func(r res, out resource.PropertyMap) string {
		name := truncate(r.physical, 32)
		suffix := "targetgroup/" + name + "/" + r.hash[:16]
		arn := r.arn("elasticloadbalancing", suffix)
		set(out, "arn", arn, "arnSuffix", suffix, "name", name, "loadBalancerArns", []any{})
		return arn
	},
	"aws:lb/listener:Listener": func(r res, out resource.PropertyMap) string {
		lbArn := r.str("loadBalancerArn")
		app := lbArn[strings.Index(lbArn, "loadbalancer/")+len("loadbalancer/"):]
		arn := r.arn("elasticloadbalancing", "listener/"+app+"/"+r.hash[:16])
		set(out, "arn", arn)
		return arn
	},
	"aws:lb/listenerRule:ListenerRule": func(r res, out resource.PropertyMap) string {
		listener := r.str("listenerArn")
		rest := listener[strings.Index(listener, ":listener/")+len(":listener/"):]
		arn := r.arn("elasticloadbalancing", "listener-rule/"+rest+"/"+r.hash[:16])
		set(out, "arn", arn)
		return arn
	},
	"aws:servicediscovery/httpNamespace:HttpNamespace": func(r res, out resource.PropertyMap) string {
		id := "ns-" + r.hash[:16]
		set(out, "arn", r.arn("servicediscovery", "namespace/"+id), "httpName", r.physical, "name", r.physical)
		return id
	},
	"aws:appautoscaling/target:Target": func(r res, out resource.PropertyMap) string {
		set(out, "arn", r.arn("application-autoscaling", "scalable-target/"+r.hash[:36]))
		return r.str("resourceId")
	},
	"aws:appautoscaling/policy:Policy": func(r res, out resource.PropertyMap) string {
		arn := r.arn("autoscaling", "scalingPolicy:"+r.uuid()+":resource/"+r.str("resourceId")+":policyName/"+r.physical)
		set(out, "arn", arn, "name", r.physical, "alarmArns", []any{})
		return r.physical
	},
	"aws:ecr/lifecyclePolicy:LifecyclePolicy": func(r res, out resource.PropertyMap) string {
		set(out, "registryId", Account)
		return r.str("repository")
	},
	"aws:ecr/replicationConfiguration:ReplicationConfiguration": func(r res, out resource.PropertyMap) string {
		set(out, "registryId", Account)
		return Account
	},
	// Serverless (components/serverless).
	"aws:apigatewayv2/stage:Stage": func(r res, out resource.PropertyMap) string {
		api, name := r.str("apiId"), r.str("name")
		scheme, path := "https", "/"+name
		if name == "$default" {
			path = "/"
		}
		// Only WebSocket (and REST) stages take a logging level.
		if v, ok := r.Inputs["defaultRouteSettings"]; ok && v.IsObject() {
			if l, ok := v.ObjectValue()["loggingLevel"]; ok && l.IsString() && l.StringValue() != "" {
				scheme = "wss"
			}
		}
		set(out, "arn", fmt.Sprintf("arn:%s:apigateway:%s::/apis/%s/stages/%s", r.partition, r.Region, api, name),
			"invokeUrl", fmt.Sprintf("%s://%s.execute-api.%s.amazonaws.com%s", scheme, api, r.Region, path),
			"executionArn", r.arn("execute-api", api+"/"+name))
		return name
	},
	"aws:apigatewayv2/authorizer:Authorizer":   func(r res, out resource.PropertyMap) string { return r.hash[:6] },
	"aws:apigatewayv2/integration:Integration": func(r res, out resource.PropertyMap) string { return r.hash[:7] },
	"aws:apigatewayv2/route:Route":             func(r res, out resource.PropertyMap) string { return r.hash[:7] },
	"aws:apigatewayv2/apiMapping:ApiMapping":   func(r res, out resource.PropertyMap) string { return r.hash[:6] },
	"aws:apigatewayv2/vpcLink:VpcLink": func(r res, out resource.PropertyMap) string {
		id := r.hash[:6]
		set(out, "arn", fmt.Sprintf("arn:%s:apigateway:%s::/vpclinks/%s", r.partition, r.Region, id))
		return id
	},
	"aws:apigatewayv2/domainName:DomainName": func(r res, out resource.PropertyMap) string {
		name := r.str("domainName")
		cfg := map[string]any{}
		if v, ok := r.Inputs["domainNameConfiguration"]; ok && v.IsObject() {
			cfg = plain(v).(map[string]any)
		}
		cfg["targetDomainName"] = "d-" + r.hash[:10] + ".execute-api." + r.Region + ".amazonaws.com"
		cfg["hostedZoneId"] = "Z1UJRXOUMOOFQ8" // API Gateway's regional zone (us-east-1's id, for every region here)
		set(out, "arn", fmt.Sprintf("arn:%s:apigateway:%s::/domainnames/%s", r.partition, r.Region, name),
			"domainNameConfiguration", cfg, "apiMappingSelectionExpression", "$request.basepath")
		return name
	},
	"aws:apigateway/account:Account": func(r res, out resource.PropertyMap) string { return "api-gateway-account" },
	"aws:scheduler/schedule:Schedule": func(r res, out resource.PropertyMap) string {
		group := r.str("groupName")
		if group == "" {
			group = "default"
		}
		set(out, "arn", r.arn("scheduler", "schedule/"+group+"/"+r.physical), "name", r.physical, "groupName", group)
		return group + "/" + r.physical
	},
	"aws:lambda/permission:Permission": func(r res, out resource.PropertyMap) string {
		id := r.str("statementId")
		if id == "" {
			id = "terraform-" + r.hash[:26]
		}
		set(out, "statementId", id)
		return id
	},
	"aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": func(r res, out resource.PropertyMap) string {
		return r.str("functionName")
	},
	// ServiceFleet's EKS runtime (components/fleet/eks*.go).
	"aws:eks/cluster:Cluster":                                     eksCluster,
	"aws:eks/nodeGroup:NodeGroup":                                 eksNodeGroup,
	"aws:eks/addon:Addon":                                         eksAddon,
	"aws:eks/accessEntry:AccessEntry":                             eksAccessEntry,
	"aws:eks/accessPolicyAssociation:AccessPolicyAssociation":     eksAccessPolicyAssociation,
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider":         openIDConnectProvider,
	"aws:ec2/launchTemplate:LaunchTemplate":                       launchTemplate,
	"kubernetes:core/v1:Namespace":                                kubernetesObject,
	"kubernetes:core/v1:ServiceAccount":                           kubernetesObject,
	"kubernetes:core/v1:Service":                                  kubernetesObject,
	"kubernetes:apps/v1:Deployment":                               kubernetesObject,
	"kubernetes:autoscaling/v2:HorizontalPodAutoscaler":           kubernetesObject,
	"kubernetes:policy/v1:PodDisruptionBudget":                    kubernetesObject,
	"kubernetes:external-secrets.io/v1:ClusterSecretStore":        kubernetesObject,
	"kubernetes:external-secrets.io/v1:ExternalSecret":            kubernetesObject,
	"kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding":         kubernetesObject,
	"kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy": kubernetesObject,
	"kubernetes:helm.sh/v3:Release":                               helmRelease,
}
