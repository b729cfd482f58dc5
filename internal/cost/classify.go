package cost

import (
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// pricer prices one resource: its lines, and what could not be priced.
type pricer func(e *estimator, r *mockengine.Resource) ([]Line, []error)

// priced are the types the model prices.
var priced = map[string]pricer{
	tokens.RDSInstance:                         rdsInstance,
	tokens.DocDBClusterInstance:                docdbInstance,
	tokens.DocDBCluster:                        docdbCluster,
	tokens.ElastiCacheReplicationGroup:         cacheReplicationGroup,
	tokens.ElastiCacheCluster:                  cacheCluster,
	tokens.OpenSearchDomain:                    openSearchDomain,
	tokens.ECSService:                          ecsService,
	tokens.EKSCluster:                          eksCluster,
	tokens.EKSNodeGroup:                        eksNodeGroup,
	tokens.AWSXVpc:                             awsxVpc,
	tokens.EC2NatGateway:                       natGateway,
	tokens.EC2VpcEndpoint:                      vpcEndpoint,
	tokens.LBLoadBalancer:                      loadBalancer,
	tokens.CloudFrontDistribution:              cloudFront,
	tokens.WAFv2WebAcl:                         webACL,
	tokens.KMSKey:                              flat("kms:key", "customer managed key"),
	tokens.KMSReplicaKey:                       flat("kms:key", "multi-Region replica key"),
	tokens.SecretsManagerSecret:                secret,
	tokens.SSMParameter:                        ssmParameter,
	tokens.CloudWatchMetricAlarm:               metricAlarm,
	tokens.CloudWatchDashboard:                 flat("cloudwatch:dashboard", "dashboard"),
	tokens.CloudWatchLogGroup:                  logGroup,
	tokens.CloudWatchLogMetricFilter:           logMetricFilter,
	tokens.Route53Zone:                         flat("route53:hosted-zone", "hosted zone"),
	tokens.ServiceDiscoveryPrivateDnsNamespace: flat("route53:hosted-zone", "the namespace's private hosted zone"),
	tokens.Route53HealthCheck:                  healthCheck,
	tokens.CognitoUserPool:                     userPool,
	tokens.S3BucketV2:                          bucket,
	tokens.S3Bucket:                            bucket,
	tokens.S3BucketReplicationConfig:           bucketReplication,
	tokens.BackupVault:                         backupVault,
}

// notEstimated are types whose charges are driven by usage the program
// cannot know, and for which no assumption is made.
var notEstimated = map[string]string{
	tokens.LambdaFunction:                         "Lambda: requests and GB-seconds (usage); reserved concurrency is free",
	tokens.APIGatewayV2Api:                        "API Gateway: per million requests (usage)",
	tokens.SQSQueue:                               "SQS: per million requests (usage)",
	tokens.SNSTopic:                               "SNS: per million publishes and deliveries (usage)",
	tokens.SFNStateMachine:                        "Step Functions: per state transition (usage)",
	tokens.CloudWatchEventBus:                     "EventBridge: per million custom events (usage)",
	tokens.CloudWatchEventRule:                    "EventBridge rules: matching is free; events published are usage",
	tokens.CloudWatchEventArchive:                 "EventBridge archive: per GB archived and stored (usage)",
	tokens.SchedulerSchedule:                      "EventBridge Scheduler: per million invocations (usage; 14M free a month)",
	tokens.SESv2EmailIdentity:                     "SES: per 1,000 emails sent (usage)",
	tokens.GuardDutyDetector:                      "GuardDuty: per GB of events and logs analysed (usage)",
	tokens.SecurityHubAccount:                     "Security Hub: per security check and finding ingested (usage)",
	tokens.CloudTrailTrail:                        "CloudTrail: first copy of management events free; data events and S3 storage are usage",
	tokens.ECRRepository:                          "ECR: per GB-month of images stored (usage)",
	tokens.EC2FlowLog:                             "VPC flow logs: vended log delivery per GB (usage)",
	tokens.RDSInstanceAutomatedBackupsReplication: "cross-Region backup replication: snapshot GB transferred and stored (usage)",
	tokens.CloudFrontFunction:                     "CloudFront Functions: per million invocations (usage)",
	tokens.ServiceDiscoveryService:                "Cloud Map: per registered instance and million lookups (usage)",
	tokens.ECRReplicationConfiguration:            "ECR replication: GB transferred and stored in the replica Region (usage)",
	tokens.WAFv2WebAclLoggingConfiguration:        "WAF logs: vended log delivery per GB (usage)",
	tokens.SignerSigningProfile:                   "AWS Signer: Lambda code signing is free; other signing jobs are usage",
	tokens.ElastiCacheGlobalReplicationGroup:      "Global Datastore: nodes are billed on the member replication groups; cross-Region transfer is usage",
	tokens.DocDBGlobalCluster:                     "DocumentDB global cluster: instances and storage billed on the member clusters; replicated write I/O is usage",
	tokens.Route53Record:                          "Route 53 records: free; DNS queries are usage (alias queries to AWS resources free)",
}

// free are types AWS charges nothing for.
var free = map[string]string{}

func init() {
	for _, t := range []string{
		tokens.IAMRole, tokens.IAMRolePolicy, tokens.IAMRolePolicyAttachment,
		tokens.IAMUser, tokens.IAMGroup, tokens.IAMGroupPolicy,
		tokens.IAMUserGroupMembership, tokens.IAMAccessKey,
		tokens.EC2SecurityGroup, tokens.EC2VpcEndpointPolicy, tokens.EC2DefaultSecurityGroup,
		tokens.VPCSecurityGroupEgressRule, tokens.VPCSecurityGroupIngressRule,
		tokens.S3BucketVersioningV2, tokens.S3BucketServerSideEncryptionConfigurationV2,
		tokens.S3BucketPublicAccessBlock, tokens.S3BucketPolicy,
		tokens.S3BucketOwnershipControls, tokens.S3BucketLifecycleConfigurationV2,
		tokens.S3BucketLoggingV2, tokens.S3BucketCorsConfigurationV2,
		tokens.KMSAlias, tokens.SecretsManagerSecretVersion, tokens.SecretsManagerSecretPolicy,
		tokens.LambdaPermission, tokens.LambdaFunctionEventInvokeConfig,
		tokens.LambdaCodeSigningConfig,
		tokens.ACMCertificate, tokens.ACMCertificateValidation,
		tokens.ECRLifecyclePolicy, tokens.ECRRepositoryCreationTemplate,
		tokens.AppAutoscalingTarget, tokens.AppAutoscalingPolicy,
		tokens.LBTargetGroup, tokens.LBListener, tokens.LBListenerRule,
		tokens.ServiceDiscoveryHttpNamespace,
		tokens.RDSSubnetGroup, tokens.RDSParameterGroup,
		tokens.DocDBSubnetGroup, tokens.DocDBClusterParameterGroup,
		tokens.ElastiCacheSubnetGroup, tokens.ElastiCacheParameterGroup,
		tokens.ElastiCacheUser, tokens.ElastiCacheUserGroup,
		tokens.ECSCluster, tokens.ECSClusterCapacityProviders, tokens.ECSTaskDefinition,
		tokens.APIGatewayAccount, tokens.APIGatewayV2Route, tokens.APIGatewayV2Integration,
		tokens.APIGatewayV2Stage, tokens.APIGatewayV2DomainName, tokens.APIGatewayV2ApiMapping,
		tokens.APIGatewayV2Authorizer, tokens.APIGatewayV2VpcLink,
		tokens.CloudFrontCachePolicy, tokens.CloudFrontResponseHeadersPolicy,
		tokens.CloudFrontOriginRequestPolicy,
		tokens.CloudFrontOriginAccessControl,
		tokens.WAFv2WebAclAssociation,
		tokens.CloudWatchLogResourcePolicy, tokens.CloudWatchEventBusPolicy,
		tokens.CloudWatchEventTarget,
		tokens.SNSTopicPolicy, tokens.SNSTopicSubscription,
		tokens.SQSQueuePolicy, tokens.SQSRedriveAllowPolicy,
		tokens.CognitoUserPoolClient, tokens.CognitoUserGroup, tokens.CognitoUserPoolDomain,
		tokens.OpenSearchDomainPolicy,
		tokens.BackupPlan, tokens.BackupSelection, tokens.BackupVaultPolicy, tokens.BackupVaultLockConfiguration,
		tokens.SESv2ConfigurationSet,
		tokens.SecurityHubStandardsSubscription,
		tokens.AccessAnalyzerAnalyzer,
		tokens.EKSAddon, tokens.EKSAccessEntry, tokens.EKSAccessPolicyAssociation,
		tokens.StackReference,
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
