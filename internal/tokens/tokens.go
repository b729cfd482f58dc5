// Package tokens names the Pulumi type tokens the tests, the policy pack,
// the DR assessment, the wiring proof and the cost model look resources up
// by ("aws:rds/instance:Instance"), so a typo is a compile error rather
// than a check that silently matches nothing. tests/tokens_test.go fails
// when a constant is not a type the shipped stacks register or pulumi-aws
// declares.
//
// Names are the provider module and the type: RDSInstance, IAMRolePolicy,
// S3BucketV2; Kubernetes kinds are K8s<Kind>; our own components are
// Component<Name>.
package tokens

// pulumi-aws accessanalyzer.
const (
	AccessAnalyzerAnalyzer = "aws:accessanalyzer/analyzer:Analyzer"
)

// pulumi-aws acm.
const (
	ACMCertificate           = "aws:acm/certificate:Certificate"
	ACMCertificateValidation = "aws:acm/certificateValidation:CertificateValidation"
)

// pulumi-aws alb.
const (
	ALBListener     = "aws:alb/listener:Listener"
	ALBLoadBalancer = "aws:alb/loadBalancer:LoadBalancer"
)

// pulumi-aws apigateway.
const (
	APIGatewayAccount       = "aws:apigateway/account:Account"
	APIGatewayMethod        = "aws:apigateway/method:Method"
	APIGatewayRestApiPolicy = "aws:apigateway/restApiPolicy:RestApiPolicy"
	APIGatewayStage         = "aws:apigateway/stage:Stage"
)

// pulumi-aws apigatewayv2.
const (
	APIGatewayV2Api         = "aws:apigatewayv2/api:Api"
	APIGatewayV2ApiMapping  = "aws:apigatewayv2/apiMapping:ApiMapping"
	APIGatewayV2Authorizer  = "aws:apigatewayv2/authorizer:Authorizer"
	APIGatewayV2DomainName  = "aws:apigatewayv2/domainName:DomainName"
	APIGatewayV2Integration = "aws:apigatewayv2/integration:Integration"
	APIGatewayV2Route       = "aws:apigatewayv2/route:Route"
	APIGatewayV2Stage       = "aws:apigatewayv2/stage:Stage"
	APIGatewayV2VpcLink     = "aws:apigatewayv2/vpcLink:VpcLink"
)

// pulumi-aws appautoscaling.
const (
	AppAutoscalingPolicy = "aws:appautoscaling/policy:Policy"
	AppAutoscalingTarget = "aws:appautoscaling/target:Target"
)

// pulumi-aws backup.
const (
	BackupPlan                   = "aws:backup/plan:Plan"
	BackupSelection              = "aws:backup/selection:Selection"
	BackupVault                  = "aws:backup/vault:Vault"
	BackupVaultLockConfiguration = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
	BackupVaultPolicy            = "aws:backup/vaultPolicy:VaultPolicy"
)

// pulumi-aws cloudfront.
const (
	CloudFrontCachePolicy           = "aws:cloudfront/cachePolicy:CachePolicy"
	CloudFrontDistribution          = "aws:cloudfront/distribution:Distribution"
	CloudFrontFunction              = "aws:cloudfront/function:Function"
	CloudFrontOriginAccessControl   = "aws:cloudfront/originAccessControl:OriginAccessControl"
	CloudFrontOriginRequestPolicy   = "aws:cloudfront/originRequestPolicy:OriginRequestPolicy"
	CloudFrontResponseHeadersPolicy = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
)

// pulumi-aws cloudtrail.
const (
	CloudTrailTrail = "aws:cloudtrail/trail:Trail"
)

// pulumi-aws cloudwatch.
const (
	CloudWatchCompositeAlarm        = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
	CloudWatchDashboard             = "aws:cloudwatch/dashboard:Dashboard"
	CloudWatchEventArchive          = "aws:cloudwatch/eventArchive:EventArchive"
	CloudWatchEventBus              = "aws:cloudwatch/eventBus:EventBus"
	CloudWatchEventBusPolicy        = "aws:cloudwatch/eventBusPolicy:EventBusPolicy"
	CloudWatchEventRule             = "aws:cloudwatch/eventRule:EventRule"
	CloudWatchEventTarget           = "aws:cloudwatch/eventTarget:EventTarget"
	CloudWatchLogGroup              = "aws:cloudwatch/logGroup:LogGroup"
	CloudWatchLogMetricFilter       = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
	CloudWatchLogResourcePolicy     = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
	CloudWatchLogSubscriptionFilter = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
	CloudWatchMetricAlarm           = "aws:cloudwatch/metricAlarm:MetricAlarm"
)

// pulumi-aws cognito.
const (
	CognitoUserGroup      = "aws:cognito/userGroup:UserGroup"
	CognitoUserPool       = "aws:cognito/userPool:UserPool"
	CognitoUserPoolClient = "aws:cognito/userPoolClient:UserPoolClient"
	CognitoUserPoolDomain = "aws:cognito/userPoolDomain:UserPoolDomain"
)

// pulumi-aws docdb.
const (
	DocDBCluster               = "aws:docdb/cluster:Cluster"
	DocDBClusterInstance       = "aws:docdb/clusterInstance:ClusterInstance"
	DocDBClusterParameterGroup = "aws:docdb/clusterParameterGroup:ClusterParameterGroup"
	DocDBGlobalCluster         = "aws:docdb/globalCluster:GlobalCluster"
	DocDBSubnetGroup           = "aws:docdb/subnetGroup:SubnetGroup"
)

// pulumi-aws dynamodb.
const (
	DynamoDBTable = "aws:dynamodb/table:Table"
)

// pulumi-aws ec2.
const (
	EC2DefaultSecurityGroup = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
	EC2FlowLog              = "aws:ec2/flowLog:FlowLog"
	EC2NatGateway           = "aws:ec2/natGateway:NatGateway"
	EC2SecurityGroup        = "aws:ec2/securityGroup:SecurityGroup"
	EC2SecurityGroupRule    = "aws:ec2/securityGroupRule:SecurityGroupRule"
	EC2Vpc                  = "aws:ec2/vpc:Vpc"
	EC2VpcEndpoint          = "aws:ec2/vpcEndpoint:VpcEndpoint"
	EC2VpcEndpointPolicy    = "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy"
)

// pulumi-aws ecr.
const (
	ECRLifecyclePolicy            = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
	ECRReplicationConfiguration   = "aws:ecr/replicationConfiguration:ReplicationConfiguration"
	ECRRepository                 = "aws:ecr/repository:Repository"
	ECRRepositoryCreationTemplate = "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"
	ECRRepositoryPolicy           = "aws:ecr/repositoryPolicy:RepositoryPolicy"
)

// pulumi-aws ecs.
const (
	ECSCluster                  = "aws:ecs/cluster:Cluster"
	ECSClusterCapacityProviders = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
	ECSService                  = "aws:ecs/service:Service"
	ECSTaskDefinition           = "aws:ecs/taskDefinition:TaskDefinition"
)

// pulumi-aws efs.
const (
	EFSFileSystem       = "aws:efs/fileSystem:FileSystem"
	EFSFileSystemPolicy = "aws:efs/fileSystemPolicy:FileSystemPolicy"
)

// pulumi-aws eks.
const (
	EKSAccessEntry             = "aws:eks/accessEntry:AccessEntry"
	EKSAccessPolicyAssociation = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
	EKSAddon                   = "aws:eks/addon:Addon"
	EKSCluster                 = "aws:eks/cluster:Cluster"
	EKSNodeGroup               = "aws:eks/nodeGroup:NodeGroup"
	EKSPodIdentityAssociation  = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
)

// pulumi-aws elasticache.
const (
	ElastiCacheCluster                = "aws:elasticache/cluster:Cluster"
	ElastiCacheGlobalReplicationGroup = "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup"
	ElastiCacheParameterGroup         = "aws:elasticache/parameterGroup:ParameterGroup"
	ElastiCacheReplicationGroup       = "aws:elasticache/replicationGroup:ReplicationGroup"
	ElastiCacheSubnetGroup            = "aws:elasticache/subnetGroup:SubnetGroup"
	ElastiCacheUser                   = "aws:elasticache/user:User"
	ElastiCacheUserGroup              = "aws:elasticache/userGroup:UserGroup"
)

// pulumi-aws guardduty.
const (
	GuardDutyDetector = "aws:guardduty/detector:Detector"
)

// pulumi-aws iam.
const (
	IAMAccessKey             = "aws:iam/accessKey:AccessKey"
	IAMGroup                 = "aws:iam/group:Group"
	IAMGroupPolicy           = "aws:iam/groupPolicy:GroupPolicy"
	IAMGroupPolicyAttachment = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
	IAMPolicy                = "aws:iam/policy:Policy"
	IAMPolicyAttachment      = "aws:iam/policyAttachment:PolicyAttachment"
	IAMRole                  = "aws:iam/role:Role"
	IAMRolePolicy            = "aws:iam/rolePolicy:RolePolicy"
	IAMRolePolicyAttachment  = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	IAMUser                  = "aws:iam/user:User"
	IAMUserGroupMembership   = "aws:iam/userGroupMembership:UserGroupMembership"
	IAMUserPolicy            = "aws:iam/userPolicy:UserPolicy"
	IAMUserPolicyAttachment  = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
)

// pulumi-aws kms.
const (
	KMSAlias      = "aws:kms/alias:Alias"
	KMSKey        = "aws:kms/key:Key"
	KMSReplicaKey = "aws:kms/replicaKey:ReplicaKey"
)

// pulumi-aws lambda.
const (
	LambdaCodeSigningConfig         = "aws:lambda/codeSigningConfig:CodeSigningConfig"
	LambdaFunction                  = "aws:lambda/function:Function"
	LambdaFunctionEventInvokeConfig = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
	LambdaPermission                = "aws:lambda/permission:Permission"
)

// pulumi-aws lb.
const (
	LBListener     = "aws:lb/listener:Listener"
	LBListenerRule = "aws:lb/listenerRule:ListenerRule"
	LBLoadBalancer = "aws:lb/loadBalancer:LoadBalancer"
	LBTargetGroup  = "aws:lb/targetGroup:TargetGroup"
)

// pulumi-aws opensearch.
const (
	OpenSearchDomain       = "aws:opensearch/domain:Domain"
	OpenSearchDomainPolicy = "aws:opensearch/domainPolicy:DomainPolicy"
)

// pulumi-aws rds.
const (
	RDSCluster                             = "aws:rds/cluster:Cluster"
	RDSClusterInstance                     = "aws:rds/clusterInstance:ClusterInstance"
	RDSGlobalCluster                       = "aws:rds/globalCluster:GlobalCluster"
	RDSInstance                            = "aws:rds/instance:Instance"
	RDSInstanceAutomatedBackupsReplication = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
	RDSParameterGroup                      = "aws:rds/parameterGroup:ParameterGroup"
	RDSSubnetGroup                         = "aws:rds/subnetGroup:SubnetGroup"
)

// pulumi-aws route53.
const (
	Route53HealthCheck = "aws:route53/healthCheck:HealthCheck"
	Route53Record      = "aws:route53/record:Record"
	Route53Zone        = "aws:route53/zone:Zone"
)

// pulumi-aws s3.
const (
	S3Bucket                                    = "aws:s3/bucket:Bucket"
	S3BucketCorsConfigurationV2                 = "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2"
	S3BucketLifecycleConfigurationV2            = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	S3BucketLoggingV2                           = "aws:s3/bucketLoggingV2:BucketLoggingV2"
	S3BucketOwnershipControls                   = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	S3BucketPolicy                              = "aws:s3/bucketPolicy:BucketPolicy"
	S3BucketPublicAccessBlock                   = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	S3BucketReplicationConfig                   = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
	S3BucketServerSideEncryptionConfigurationV2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	S3BucketV2                                  = "aws:s3/bucketV2:BucketV2"
	S3BucketVersioningV2                        = "aws:s3/bucketVersioningV2:BucketVersioningV2"
)

// pulumi-aws scheduler.
const (
	SchedulerSchedule = "aws:scheduler/schedule:Schedule"
)

// pulumi-aws secretsmanager.
const (
	SecretsManagerSecret         = "aws:secretsmanager/secret:Secret"
	SecretsManagerSecretPolicy   = "aws:secretsmanager/secretPolicy:SecretPolicy"
	SecretsManagerSecretRotation = "aws:secretsmanager/secretRotation:SecretRotation"
	SecretsManagerSecretVersion  = "aws:secretsmanager/secretVersion:SecretVersion"
)

// pulumi-aws securityhub.
const (
	SecurityHubAccount               = "aws:securityhub/account:Account"
	SecurityHubStandardsSubscription = "aws:securityhub/standardsSubscription:StandardsSubscription"
)

// pulumi-aws servicediscovery.
const (
	ServiceDiscoveryHttpNamespace       = "aws:servicediscovery/httpNamespace:HttpNamespace"
	ServiceDiscoveryPrivateDnsNamespace = "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace"
	ServiceDiscoveryService             = "aws:servicediscovery/service:Service"
)

// pulumi-aws sesv2.
const (
	SESv2ConfigurationSet = "aws:sesv2/configurationSet:ConfigurationSet"
	SESv2EmailIdentity    = "aws:sesv2/emailIdentity:EmailIdentity"
)

// pulumi-aws sfn.
const (
	SFNStateMachine = "aws:sfn/stateMachine:StateMachine"
)

// pulumi-aws signer.
const (
	SignerSigningProfile = "aws:signer/signingProfile:SigningProfile"
)

// pulumi-aws sns.
const (
	SNSTopic             = "aws:sns/topic:Topic"
	SNSTopicPolicy       = "aws:sns/topicPolicy:TopicPolicy"
	SNSTopicSubscription = "aws:sns/topicSubscription:TopicSubscription"
)

// pulumi-aws sqs.
const (
	SQSQueue              = "aws:sqs/queue:Queue"
	SQSQueuePolicy        = "aws:sqs/queuePolicy:QueuePolicy"
	SQSRedriveAllowPolicy = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"
	SQSRedrivePolicy      = "aws:sqs/redrivePolicy:RedrivePolicy"
)

// pulumi-aws ssm.
const (
	SSMParameter = "aws:ssm/parameter:Parameter"
)

// pulumi-aws vpc.
const (
	VPCSecurityGroupEgressRule  = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	VPCSecurityGroupIngressRule = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
)

// pulumi-aws wafv2.
const (
	WAFv2IpSet                      = "aws:wafv2/ipSet:IpSet"
	WAFv2RuleGroup                  = "aws:wafv2/ruleGroup:RuleGroup"
	WAFv2WebAcl                     = "aws:wafv2/webAcl:WebAcl"
	WAFv2WebAclAssociation          = "aws:wafv2/webAclAssociation:WebAclAssociation"
	WAFv2WebAclLoggingConfiguration = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
)

// pulumi-awsx remote components.
const (
	AWSXVpc = "awsx:ec2:Vpc"
)

// Our components (each package's typeToken).
const (
	ComponentAuth         = "dbay:components:Auth"
	ComponentBaseline     = "dbay:components:Baseline"
	ComponentDRLink       = "dbay:components:DRLink"
	ComponentDataLayer    = "dbay:components:DataLayer"
	ComponentFrontend     = "dbay:components:Frontend"
	ComponentMonitoring   = "dbay:components:Monitoring"
	ComponentNetwork      = "dbay:components:Network"
	ComponentSecrets      = "dbay:components:Secrets"
	ComponentServerless   = "dbay:components:Serverless"
	ComponentServiceFleet = "dbay:components:ServiceFleet"
)

// Kubernetes kinds (the EKS variant).
const (
	K8sDeployment              = "kubernetes:apps/v1:Deployment"
	K8sHorizontalPodAutoscaler = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	K8sService                 = "kubernetes:core/v1:Service"
	K8sServiceAccount          = "kubernetes:core/v1:ServiceAccount"
	K8sTargetGroupBinding      = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding"
	K8sClusterSecretStore      = "kubernetes:external-secrets.io/v1:ClusterSecretStore"
	K8sExternalSecret          = "kubernetes:external-secrets.io/v1:ExternalSecret"
	K8sHelmRelease             = "kubernetes:helm.sh/v3:Release"
	K8sSecurityGroupPolicy     = "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy"
)

// Pulumi's own types.
const (
	AWSProvider    = "pulumi:providers:aws"
	Stack          = "pulumi:pulumi:Stack"
	StackReference = "pulumi:pulumi:StackReference"
)

// pulumi-random.
const (
	RandomPassword = "random:index/randomPassword:RandomPassword"
)
