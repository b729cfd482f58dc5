package cost

import (
	"strings"

	"github.com/dbay/infra/internal/mockengine"
)

// pricer prices one resource: its lines, and what could not be priced.
type pricer func(e *estimator, r *mockengine.Resource) ([]Line, []error)

// priced are the types the model prices.
var priced = map[string]pricer{
	"aws:rds/instance:Instance":                                    rdsInstance,
	"aws:docdb/clusterInstance:ClusterInstance":                    docdbInstance,
	"aws:docdb/cluster:Cluster":                                    docdbCluster,
	"aws:elasticache/replicationGroup:ReplicationGroup":            cacheReplicationGroup,
	"aws:elasticache/cluster:Cluster":                              cacheCluster,
	"aws:opensearch/domain:Domain":                                 openSearchDomain,
	"aws:ecs/service:Service":                                      ecsService,
	"aws:eks/cluster:Cluster":                                      eksCluster,
	"aws:eks/nodeGroup:NodeGroup":                                  eksNodeGroup,
	"awsx:ec2:Vpc":                                                 awsxVpc,
	"aws:ec2/natGateway:NatGateway":                                natGateway,
	"aws:ec2/vpcEndpoint:VpcEndpoint":                              vpcEndpoint,
	"aws:lb/loadBalancer:LoadBalancer":                             loadBalancer,
	"aws:cloudfront/distribution:Distribution":                     cloudFront,
	"aws:wafv2/webAcl:WebAcl":                                      webACL,
	"aws:kms/key:Key":                                              flat("kms:key", "customer managed key"),
	"aws:kms/replicaKey:ReplicaKey":                                flat("kms:key", "multi-Region replica key"),
	"aws:secretsmanager/secret:Secret":                             secret,
	"aws:ssm/parameter:Parameter":                                  ssmParameter,
	"aws:cloudwatch/metricAlarm:MetricAlarm":                       metricAlarm,
	"aws:cloudwatch/dashboard:Dashboard":                           flat("cloudwatch:dashboard", "dashboard"),
	"aws:cloudwatch/logGroup:LogGroup":                             logGroup,
	"aws:cloudwatch/logMetricFilter:LogMetricFilter":               logMetricFilter,
	"aws:route53/zone:Zone":                                        flat("route53:hosted-zone", "hosted zone"),
	"aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": flat("route53:hosted-zone", "the namespace's private hosted zone"),
	"aws:route53/healthCheck:HealthCheck":                          healthCheck,
	"aws:cognito/userPool:UserPool":                                userPool,
	"aws:s3/bucketV2:BucketV2":                                     bucket,
	"aws:s3/bucket:Bucket":                                         bucket,
	"aws:s3/bucketReplicationConfig:BucketReplicationConfig":       bucketReplication,
	"aws:backup/vault:Vault":                                       backupVault,
}

// notEstimated are types whose charges are driven by usage the program
// cannot know, and for which no assumption is made.
var notEstimated = map[string]string{
	"aws:lambda/function:Function":             "Lambda: requests and GB-seconds (usage); reserved concurrency is free",
	"aws:apigatewayv2/api:Api":                 "API Gateway: per million requests (usage)",
	"aws:sqs/queue:Queue":                      "SQS: per million requests (usage)",
	"aws:sns/topic:Topic":                      "SNS: per million publishes and deliveries (usage)",
	"aws:sfn/stateMachine:StateMachine":        "Step Functions: per state transition (usage)",
	"aws:cloudwatch/eventBus:EventBus":         "EventBridge: per million custom events (usage)",
	"aws:cloudwatch/eventRule:EventRule":       "EventBridge rules: matching is free; events published are usage",
	"aws:cloudwatch/eventArchive:EventArchive": "EventBridge archive: per GB archived and stored (usage)",
	"aws:scheduler/schedule:Schedule":          "EventBridge Scheduler: per million invocations (usage; 14M free a month)",
	"aws:sesv2/emailIdentity:EmailIdentity":    "SES: per 1,000 emails sent (usage)",
	"aws:guardduty/detector:Detector":          "GuardDuty: per GB of events and logs analysed (usage)",
	"aws:securityhub/account:Account":          "Security Hub: per security check and finding ingested (usage)",
	"aws:cloudtrail/trail:Trail":               "CloudTrail: first copy of management events free; data events and S3 storage are usage",
	"aws:ecr/repository:Repository":            "ECR: per GB-month of images stored (usage)",
	"aws:ec2/flowLog:FlowLog":                  "VPC flow logs: vended log delivery per GB (usage)",
	"aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": "cross-Region backup replication: snapshot GB transferred and stored (usage)",
	"aws:cloudfront/function:Function":                                                "CloudFront Functions: per million invocations (usage)",
	"aws:servicediscovery/service:Service":                                            "Cloud Map: per registered instance and million lookups (usage)",
	"aws:ecr/replicationConfiguration:ReplicationConfiguration":                       "ECR replication: GB transferred and stored in the replica Region (usage)",
	"aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration":                 "WAF logs: vended log delivery per GB (usage)",
	"aws:signer/signingProfile:SigningProfile":                                        "AWS Signer: Lambda code signing is free; other signing jobs are usage",
	"aws:elasticache/globalReplicationGroup:GlobalReplicationGroup":                   "Global Datastore: nodes are billed on the member replication groups; cross-Region transfer is usage",
	"aws:docdb/globalCluster:GlobalCluster":                                           "DocumentDB global cluster: instances and storage billed on the member clusters; replicated write I/O is usage",
	"aws:route53/record:Record":                                                       "Route 53 records: free; DNS queries are usage (alias queries to AWS resources free)",
}

// free are types AWS charges nothing for.
var free = map[string]string{}

func init() {
	for _, t := range []string{
		"aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
		"aws:iam/user:User", "aws:iam/group:Group", "aws:iam/groupPolicy:GroupPolicy",
		"aws:iam/userGroupMembership:UserGroupMembership", "aws:iam/accessKey:AccessKey",
		"aws:ec2/securityGroup:SecurityGroup", "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
		"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
		"aws:s3/bucketVersioningV2:BucketVersioningV2", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
		"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "aws:s3/bucketPolicy:BucketPolicy",
		"aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
		"aws:s3/bucketLoggingV2:BucketLoggingV2", "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2",
		"aws:kms/alias:Alias", "aws:secretsmanager/secretVersion:SecretVersion", "aws:secretsmanager/secretPolicy:SecretPolicy",
		"aws:lambda/permission:Permission", "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
		"aws:lambda/codeSigningConfig:CodeSigningConfig",
		"aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation",
		"aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
		"aws:appautoscaling/target:Target", "aws:appautoscaling/policy:Policy",
		"aws:lb/targetGroup:TargetGroup", "aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule",
		"aws:servicediscovery/httpNamespace:HttpNamespace",
		"aws:rds/subnetGroup:SubnetGroup", "aws:rds/parameterGroup:ParameterGroup",
		"aws:docdb/subnetGroup:SubnetGroup", "aws:docdb/clusterParameterGroup:ClusterParameterGroup",
		"aws:elasticache/subnetGroup:SubnetGroup", "aws:elasticache/parameterGroup:ParameterGroup",
		"aws:elasticache/user:User", "aws:elasticache/userGroup:UserGroup",
		"aws:ecs/cluster:Cluster", "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "aws:ecs/taskDefinition:TaskDefinition",
		"aws:apigateway/account:Account", "aws:apigatewayv2/route:Route", "aws:apigatewayv2/integration:Integration",
		"aws:apigatewayv2/stage:Stage", "aws:apigatewayv2/domainName:DomainName", "aws:apigatewayv2/apiMapping:ApiMapping",
		"aws:apigatewayv2/authorizer:Authorizer", "aws:apigatewayv2/vpcLink:VpcLink",
		"aws:cloudfront/cachePolicy:CachePolicy", "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
		"aws:cloudfront/originRequestPolicy:OriginRequestPolicy",
		"aws:cloudfront/originAccessControl:OriginAccessControl",
		"aws:wafv2/webAclAssociation:WebAclAssociation",
		"aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "aws:cloudwatch/eventBusPolicy:EventBusPolicy",
		"aws:cloudwatch/eventTarget:EventTarget",
		"aws:sns/topicPolicy:TopicPolicy", "aws:sns/topicSubscription:TopicSubscription",
		"aws:sqs/queuePolicy:QueuePolicy", "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
		"aws:cognito/userPoolClient:UserPoolClient", "aws:cognito/userGroup:UserGroup", "aws:cognito/userPoolDomain:UserPoolDomain",
		"aws:opensearch/domainPolicy:DomainPolicy",
		"aws:backup/plan:Plan", "aws:backup/selection:Selection", "aws:backup/vaultPolicy:VaultPolicy", "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
		"aws:sesv2/configurationSet:ConfigurationSet",
		"aws:securityhub/standardsSubscription:StandardsSubscription",
		"aws:accessanalyzer/analyzer:Analyzer",
		"aws:eks/addon:Addon", "aws:eks/accessEntry:AccessEntry", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
		"pulumi:pulumi:StackReference",
	} {
		free[t] = "no charge for the resource itself"
	}
}

// Classify says how a resource is costed: "component" (a component
// resource: its children are costed), KindFree, KindNotEstimated or
// KindUnknown with the reason, or "priced" with its pricer.
func Classify(r *mockengine.Resource) (kind, reason string, p pricer) {
	if !r.Custom && !r.Remote {
		return "component", "", nil
	}
	if p, ok := priced[r.Type]; ok {
		return "priced", "", p
	}
	if why, ok := free[r.Type]; ok {
		return KindFree, why, nil
	}
	if why, ok := notEstimated[r.Type]; ok {
		return KindNotEstimated, why, nil
	}
	switch {
	case strings.HasPrefix(r.Type, "pulumi:providers:"):
		return KindFree, "a provider is configuration, not a cloud resource", nil
	case strings.HasPrefix(r.Type, "random:") || strings.HasPrefix(r.Type, "tls:"):
		return KindFree, "generated locally, no cloud resource", nil
	}
	return KindUnknown, "no cost model for this type: add it to internal/cost (priced, free or not estimated)", nil
}

// Known reports whether the model knows a type (priced, free or not
// estimated), for tests that keep new types from costing a silent zero.
func Known(typ string) bool {
	r := &mockengine.Resource{Type: typ, Custom: true}
	kind, _, _ := Classify(r)
	return kind != KindUnknown
}
