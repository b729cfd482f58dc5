package cfnschema

import "fmt"

// deletionPolicySkip: CloudFormation expresses the final snapshot with
// DeletionPolicy: Snapshot, not with properties.
const deletionPolicySkip = "CloudFormation takes the final snapshot through DeletionPolicy: Snapshot, not a property"

// applyNowSkip: a deploy-time behaviour, not a setting AWS validates.
const applyNowSkip = "how the provider applies a change (now or in the maintenance window), not a setting AWS validates"

// numString renders a number input as the string some CloudFormation
// properties take (AllocatedStorage, Port).
func numString(v any) any {
	if v == nil {
		return nil
	}
	if f, ok := v.(float64); ok {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprint(v)
}

// parameters turns pulumi's [{name, value, applyMethod}] into
// CloudFormation's {name: value} map.
func parameters(v any) any {
	ps := list(v)
	if len(ps) == 0 {
		return nil
	}
	out := map[string]any{}
	for _, p := range ps {
		m := obj(p)
		out[fmt.Sprint(m["name"])] = fmt.Sprint(m["value"])
	}
	return out
}

var dataSpecs = map[string]spec{
	"aws:rds/instance:Instance": {
		cfn:   "AWS::RDS::DBInstance",
		attrs: map[string]string{"id": "Ref", "arn": "DBInstanceArn", "address": "Endpoint.Address"},
		skip: map[string]string{
			"finalSnapshotIdentifier": deletionPolicySkip, "skipFinalSnapshot": deletionPolicySkip,
			"applyImmediately": applyNowSkip,
		},
		build: func(b *builder) {
			b.set("DBInstanceIdentifier", b.physical("identifier"))
			b.take("identifier")
			b.take("identifierPrefix")
			b.set("AllocatedStorage", numString(b.take("allocatedStorage")))
			b.set("Port", numString(b.take("port")))
			b.copy("autoMinorVersionUpgrade", "AutoMinorVersionUpgrade", "allowMajorVersionUpgrade", "AllowMajorVersionUpgrade",
				"availabilityZone", "AvailabilityZone", "backupRetentionPeriod", "BackupRetentionPeriod",
				"backupWindow", "PreferredBackupWindow", "caCertIdentifier", "CACertificateIdentifier",
				"copyTagsToSnapshot", "CopyTagsToSnapshot", "dbName", "DBName", "deleteAutomatedBackups", "DeleteAutomatedBackups", "dbSubnetGroupName", "DBSubnetGroupName",
				"dedicatedLogVolume", "DedicatedLogVolume", "deletionProtection", "DeletionProtection",
				"enabledCloudwatchLogsExports", "EnableCloudwatchLogsExports", "engine", "Engine", "engineVersion", "EngineVersion",
				"engineLifecycleSupport", "EngineLifecycleSupport",
				"iamDatabaseAuthenticationEnabled", "EnableIAMDatabaseAuthentication", "instanceClass", "DBInstanceClass",
				"iops", "Iops", "kmsKeyId", "KmsKeyId", "maintenanceWindow", "PreferredMaintenanceWindow",
				"manageMasterUserPassword", "ManageMasterUserPassword", "maxAllocatedStorage", "MaxAllocatedStorage",
				"monitoringInterval", "MonitoringInterval", "monitoringRoleArn", "MonitoringRoleArn", "multiAz", "MultiAZ",
				"networkType", "NetworkType", "optionGroupName", "OptionGroupName", "parameterGroupName", "DBParameterGroupName",
				"password", "MasterUserPassword", "performanceInsightsEnabled", "EnablePerformanceInsights",
				"performanceInsightsKmsKeyId", "PerformanceInsightsKMSKeyId", "performanceInsightsRetentionPeriod", "PerformanceInsightsRetentionPeriod",
				"publiclyAccessible", "PubliclyAccessible", "replicateSourceDb", "SourceDBInstanceIdentifier",
				"storageEncrypted", "StorageEncrypted", "storageThroughput", "StorageThroughput", "storageType", "StorageType",
				"username", "MasterUsername", "vpcSecurityGroupIds", "VPCSecurityGroups", "databaseInsightsMode", "DatabaseInsightsMode")
			if k := b.take("masterUserSecretKmsKeyId"); k != nil {
				b.set("MasterUserSecret", map[string]any{"KmsKeyId": k})
			}
			// A read replica is created with CreateDBInstanceReadReplica, which
			// has no StorageEncrypted (the replica inherits the source's
			// encryption): the provider does not send it, so neither do we.
			// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html
			if b.props["SourceDBInstanceIdentifier"] != nil && b.props["StorageEncrypted"] != nil {
				delete(b.props, "StorageEncrypted")
				b.skipped("storageEncrypted", "on a read replica: CreateDBInstanceReadReplica has no StorageEncrypted, the replica inherits the source's encryption")
			}
			b.set("Tags", b.tags())
		},
	},
	"aws:rds/parameterGroup:ParameterGroup": {
		cfn:   "AWS::RDS::DBParameterGroup",
		attrs: map[string]string{"id": "Ref"},
		build: func(b *builder) {
			b.set("DBParameterGroupName", b.physical("id"))
			b.take("name")
			b.take("namePrefix")
			b.copy("description", "Description", "family", "Family")
			b.set("Parameters", parameters(b.take("parameters")))
			b.set("Tags", b.tags())
		},
	},
	"aws:rds/subnetGroup:SubnetGroup": subnetGroup("AWS::RDS::DBSubnetGroup"),
	"aws:docdb/cluster:Cluster": {
		cfn:   "AWS::DocDB::DBCluster",
		attrs: map[string]string{"id": "Ref"},
		skip: map[string]string{
			"finalSnapshotIdentifier": deletionPolicySkip, "skipFinalSnapshot": deletionPolicySkip, "applyImmediately": applyNowSkip,
			"engine": "AWS::DocDB::DBCluster has no Engine property: it is always docdb",
		},
		build: func(b *builder) {
			b.set("DBClusterIdentifier", b.physical("id"))
			b.take("clusterIdentifier")
			b.take("clusterIdentifierPrefix")
			b.copy("backupRetentionPeriod", "BackupRetentionPeriod", "dbClusterParameterGroupName", "DBClusterParameterGroupName",
				"dbSubnetGroupName", "DBSubnetGroupName", "deletionProtection", "DeletionProtection",
				"enabledCloudwatchLogsExports", "EnableCloudwatchLogsExports", "engineVersion", "EngineVersion",
				"globalClusterIdentifier", "GlobalClusterIdentifier", "kmsKeyId", "KmsKeyId",
				"manageMasterUserPassword", "ManageMasterUserPassword", "masterUserSecretKmsKeyId", "MasterUserSecretKmsKeyId",
				"masterUsername", "MasterUsername", "masterPassword", "MasterUserPassword", "port", "Port",
				"preferredBackupWindow", "PreferredBackupWindow", "preferredMaintenanceWindow", "PreferredMaintenanceWindow",
				"storageEncrypted", "StorageEncrypted", "storageType", "StorageType", "vpcSecurityGroupIds", "VpcSecurityGroupIds",
				"availabilityZones", "AvailabilityZones", "snapshotIdentifier", "SnapshotIdentifier")
			b.set("Tags", b.tags())
		},
	},
	"aws:docdb/clusterInstance:ClusterInstance": {
		cfn: "AWS::DocDB::DBInstance",
		skip: map[string]string{
			"applyImmediately": applyNowSkip, "engine": "AWS::DocDB::DBInstance has no Engine property: it is always docdb",
			"promotionTier": "AWS::DocDB::DBInstance has no PromotionTier property (the DocumentDB API takes 0-15)",
		},
		build: func(b *builder) {
			b.set("DBInstanceIdentifier", b.physical("id"))
			b.take("identifier")
			b.take("identifierPrefix")
			b.copy("autoMinorVersionUpgrade", "AutoMinorVersionUpgrade", "availabilityZone", "AvailabilityZone",
				"caCertIdentifier", "CACertificateIdentifier", "clusterIdentifier", "DBClusterIdentifier",
				"instanceClass", "DBInstanceClass", "enablePerformanceInsights", "EnablePerformanceInsights",
				"preferredMaintenanceWindow", "PreferredMaintenanceWindow")
			b.set("Tags", b.tags())
		},
	},
	"aws:docdb/clusterParameterGroup:ClusterParameterGroup": {
		cfn:   "AWS::DocDB::DBClusterParameterGroup",
		attrs: map[string]string{"id": "Ref"},
		build: func(b *builder) {
			b.set("Name", b.physical("id"))
			b.take("name")
			b.take("namePrefix")
			b.copy("description", "Description", "family", "Family")
			p := parameters(b.take("parameters"))
			if p == nil {
				p = map[string]any{}
			}
			b.set("Parameters", p)
			b.set("Tags", b.tags())
		},
	},
	"aws:docdb/subnetGroup:SubnetGroup": subnetGroup("AWS::DocDB::DBSubnetGroup"),
	"aws:docdb/globalCluster:GlobalCluster": {
		cfn: "AWS::DocDB::GlobalCluster",
		build: func(b *builder) {
			b.copy("globalClusterIdentifier", "GlobalClusterIdentifier", "deletionProtection", "DeletionProtection",
				"engine", "Engine", "engineVersion", "EngineVersion", "sourceDbClusterIdentifier", "SourceDBClusterIdentifier",
				"storageEncrypted", "StorageEncrypted")
		},
	},
	"aws:elasticache/replicationGroup:ReplicationGroup": {
		cfn:   "AWS::ElastiCache::ReplicationGroup",
		attrs: map[string]string{"id": "Ref"},
		skip:  map[string]string{"finalSnapshotIdentifier": deletionPolicySkip, "applyImmediately": applyNowSkip},
		build: func(b *builder) {
			b.set("ReplicationGroupId", b.physical("id"))
			b.take("replicationGroupId")
			b.copy("atRestEncryptionEnabled", "AtRestEncryptionEnabled", "authToken", "AuthToken",
				"autoMinorVersionUpgrade", "AutoMinorVersionUpgrade", "automaticFailoverEnabled", "AutomaticFailoverEnabled",
				"description", "ReplicationGroupDescription", "engine", "Engine", "engineVersion", "EngineVersion",
				"globalReplicationGroupId", "GlobalReplicationGroupId", "kmsKeyId", "KmsKeyId",
				"maintenanceWindow", "PreferredMaintenanceWindow", "multiAzEnabled", "MultiAZEnabled", "nodeType", "CacheNodeType",
				"numCacheClusters", "NumCacheClusters", "parameterGroupName", "CacheParameterGroupName", "port", "Port",
				"securityGroupIds", "SecurityGroupIds", "snapshotRetentionLimit", "SnapshotRetentionLimit",
				"snapshotWindow", "SnapshotWindow", "subnetGroupName", "CacheSubnetGroupName",
				"transitEncryptionEnabled", "TransitEncryptionEnabled", "transitEncryptionMode", "TransitEncryptionMode",
				"replicasPerNodeGroup", "ReplicasPerNodeGroup", "numNodeGroups", "NumNodeGroups", "userGroupIds", "UserGroupIds",
				"networkType", "NetworkType", "ipDiscovery", "IpDiscovery", "dataTieringEnabled", "DataTieringEnabled")
			b.set("Tags", b.tags())
		},
	},
	"aws:elasticache/cluster:Cluster": {
		cfn:  "AWS::ElastiCache::CacheCluster",
		skip: map[string]string{"finalSnapshotIdentifier": deletionPolicySkip, "applyImmediately": applyNowSkip},
		build: func(b *builder) {
			b.set("ClusterName", b.physical("id"))
			b.take("clusterId")
			if v := b.take("autoMinorVersionUpgrade"); v != nil {
				b.set("AutoMinorVersionUpgrade", v == true || v == "true")
			}
			b.copy("azMode", "AZMode", "engine", "Engine", "engineVersion", "EngineVersion", "nodeType", "CacheNodeType",
				"numCacheNodes", "NumCacheNodes", "port", "Port", "securityGroupIds", "VpcSecurityGroupIds",
				"subnetGroupName", "CacheSubnetGroupName", "transitEncryptionEnabled", "TransitEncryptionEnabled",
				"maintenanceWindow", "PreferredMaintenanceWindow", "parameterGroupName", "CacheParameterGroupName",
				"snapshotRetentionLimit", "SnapshotRetentionLimit", "snapshotWindow", "SnapshotWindow",
				"preferredAvailabilityZones", "PreferredAvailabilityZones", "networkType", "NetworkType", "ipDiscovery", "IpDiscovery")
			b.set("Tags", b.tags())
		},
	},
	// AWS::ElastiCache::ParameterGroup has no name property: the group is
	// named by CloudFormation, so the provider's name is left out.
	"aws:elasticache/parameterGroup:ParameterGroup": {
		cfn:   "AWS::ElastiCache::ParameterGroup",
		attrs: map[string]string{"id": "Ref", "name": "Ref"},
		build: func(b *builder) {
			b.take("name")
			b.copy("description", "Description", "family", "CacheParameterGroupFamily")
			b.set("Properties", parameters(b.take("parameters")))
			b.set("Tags", b.tags())
		},
	},
	"aws:elasticache/subnetGroup:SubnetGroup": {
		cfn:   "AWS::ElastiCache::SubnetGroup",
		attrs: map[string]string{"id": "Ref"},
		build: func(b *builder) {
			b.set("CacheSubnetGroupName", b.physical("id"))
			b.take("name")
			b.copy("description", "Description", "subnetIds", "SubnetIds")
			b.set("Tags", b.tags())
		},
	},
	// Redis RBAC (data.redis.serviceUsers):
	// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticache-user.html,
	// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticache-usergroup.html.
	"aws:elasticache/user:User": {
		cfn:   "AWS::ElastiCache::User",
		attrs: map[string]string{"id": "Ref", "userId": "Ref"},
		build: func(b *builder) {
			b.copy("userId", "UserId", "userName", "UserName", "engine", "Engine", "accessString", "AccessString",
				"passwords", "Passwords", "noPasswordRequired", "NoPasswordRequired")
			b.set("Tags", b.tags())
		},
	},
	"aws:elasticache/userGroup:UserGroup": {
		cfn:   "AWS::ElastiCache::UserGroup",
		attrs: map[string]string{"id": "Ref", "userGroupId": "Ref"},
		build: func(b *builder) {
			b.copy("userGroupId", "UserGroupId", "engine", "Engine", "userIds", "UserIds")
			b.set("Tags", b.tags())
		},
	},
	"aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": {
		cfn: "AWS::ElastiCache::GlobalReplicationGroup",
		build: func(b *builder) {
			b.copy("globalReplicationGroupDescription", "GlobalReplicationGroupDescription",
				"globalReplicationGroupIdSuffix", "GlobalReplicationGroupIdSuffix", "automaticFailoverEnabled", "AutomaticFailoverEnabled",
				"cacheNodeType", "CacheNodeType", "engineVersion", "EngineVersion", "numNodeGroups", "GlobalNodeGroupCount",
				"parameterGroupName", "CacheParameterGroupName")
			b.set("Members", []any{map[string]any{
				"ReplicationGroupId": b.take("primaryReplicationGroupId"), "ReplicationGroupRegion": b.r.Region, "Role": "PRIMARY",
			}})
		},
	},
	"aws:opensearch/domain:Domain": {
		cfn:   "AWS::OpenSearchService::Domain",
		attrs: map[string]string{"arn": "Arn"},
		build: func(b *builder) {
			b.set("DomainName", b.physical("domainName"))
			b.take("domainName")
			b.copy("engineVersion", "EngineVersion")
			b.set("AdvancedSecurityOptions", pascal(b.take("advancedSecurityOptions"), map[string]string{"masterUserArn": "MasterUserARN"}))
			b.set("ClusterConfig", pascal(b.take("clusterConfig"), nil))
			b.set("DomainEndpointOptions", pascal(b.take("domainEndpointOptions"), map[string]string{"enforceHttps": "EnforceHTTPS", "tlsSecurityPolicy": "TLSSecurityPolicy"}))
			b.set("EBSOptions", pascal(b.take("ebsOptions"), map[string]string{"ebsEnabled": "EBSEnabled"}))
			b.set("EncryptionAtRestOptions", pascal(b.take("encryptAtRest"), nil))
			b.set("NodeToNodeEncryptionOptions", pascal(b.take("nodeToNodeEncryption"), nil))
			b.set("VPCOptions", pascal(b.take("vpcOptions"), nil))
			b.set("AdvancedOptions", b.take("advancedOptions"))
			b.set("OffPeakWindowOptions", pascal(b.take("offPeakWindowOptions"), nil))
			b.set("SoftwareUpdateOptions", pascal(b.take("softwareUpdateOptions"), nil))
			if lp := list(b.take("logPublishingOptions")); len(lp) > 0 {
				m := map[string]any{}
				for _, o := range lp {
					o := obj(o)
					m[fmt.Sprint(o["logType"])] = map[string]any{"CloudWatchLogsLogGroupArn": o["cloudwatchLogGroupArn"], "Enabled": o["enabled"]}
				}
				b.set("LogPublishingOptions", m)
			}
			b.set("Tags", b.tags())
		},
	},
	"aws:opensearch/domainPolicy:DomainPolicy": {
		cfn: "AWS::OpenSearchService::Domain", into: "aws:opensearch/domain:Domain", key: "domainName", keyOutput: "domainName",
		build: func(b *builder) {
			b.set("AccessPolicies", doc(b.take("accessPolicies")))
		},
	},
	"aws:sqs/queue:Queue": {
		cfn:   "AWS::SQS::Queue",
		attrs: map[string]string{"id": "Ref", "arn": "Arn", "name": "QueueName"},
		build: func(b *builder) {
			b.set("QueueName", b.physical("name"))
			b.take("name")
			b.take("namePrefix")
			b.copy("contentBasedDeduplication", "ContentBasedDeduplication", "delaySeconds", "DelaySeconds", "fifoQueue", "FifoQueue",
				"kmsDataKeyReusePeriodSeconds", "KmsDataKeyReusePeriodSeconds", "kmsMasterKeyId", "KmsMasterKeyId",
				"maxMessageSize", "MaximumMessageSize", "messageRetentionSeconds", "MessageRetentionPeriod",
				"receiveWaitTimeSeconds", "ReceiveMessageWaitTimeSeconds", "sqsManagedSseEnabled", "SqsManagedSseEnabled",
				"visibilityTimeoutSeconds", "VisibilityTimeout")
			b.set("RedrivePolicy", doc(b.take("redrivePolicy")))
			b.set("RedriveAllowPolicy", doc(b.take("redriveAllowPolicy")))
			b.set("Tags", b.tags())
		},
	},
	"aws:sqs/queuePolicy:QueuePolicy": {
		cfn: "AWS::SQS::QueuePolicy",
		build: func(b *builder) {
			b.set("Queues", []any{b.take("queueUrl")})
			b.set("PolicyDocument", doc(b.take("policy")))
		},
	},
	"aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": {
		cfn: "AWS::SQS::Queue", into: "aws:sqs/queue:Queue", key: "queueUrl",
		build: func(b *builder) {
			b.set("RedriveAllowPolicy", doc(b.take("redriveAllowPolicy")))
		},
	},
	"aws:sns/topic:Topic": {
		cfn:   "AWS::SNS::Topic",
		attrs: map[string]string{"id": "Ref", "arn": "TopicArn"},
		build: func(b *builder) {
			b.set("TopicName", b.physical("name"))
			b.take("name")
			b.take("namePrefix")
			b.copy("displayName", "DisplayName", "fifoTopic", "FifoTopic", "kmsMasterKeyId", "KmsMasterKeyId",
				"contentBasedDeduplication", "ContentBasedDeduplication", "signatureVersion", "SignatureVersion", "tracingConfig", "TracingConfig")
			b.set("Tags", b.tags())
		},
	},
	"aws:sns/topicPolicy:TopicPolicy": {
		cfn: "AWS::SNS::TopicPolicy",
		build: func(b *builder) {
			b.set("Topics", []any{b.take("arn")})
			b.set("PolicyDocument", doc(b.take("policy")))
		},
	},
	"aws:sns/topicSubscription:TopicSubscription": {
		cfn: "AWS::SNS::Subscription",
		skip: map[string]string{
			"confirmationTimeoutInMinutes": "how long the provider waits for an HTTP(S) confirmation, not an AWS setting",
			"endpointAutoConfirms":         "tells the provider the endpoint confirms itself, not an AWS setting",
		},
		build: func(b *builder) {
			b.copy("topic", "TopicArn", "protocol", "Protocol", "endpoint", "Endpoint", "rawMessageDelivery", "RawMessageDelivery",
				"subscriptionRoleArn", "SubscriptionRoleArn", "filterPolicyScope", "FilterPolicyScope")
			b.set("FilterPolicy", doc(b.take("filterPolicy")))
			b.set("RedrivePolicy", doc(b.take("redrivePolicy")))
			b.set("DeliveryPolicy", doc(b.take("deliveryPolicy")))
		},
	},
}

// subnetGroup is the spec of an RDS or DocumentDB subnet group (the same
// inputs and the same CloudFormation properties).
func subnetGroup(cfn string) spec {
	return spec{
		cfn:   cfn,
		attrs: map[string]string{"id": "Ref"},
		build: func(b *builder) {
			b.set("DBSubnetGroupName", b.physical("id"))
			b.take("name")
			b.take("namePrefix")
			b.copy("description", "DBSubnetGroupDescription", "subnetIds", "SubnetIds")
			b.set("Tags", b.tags())
		},
	}
}
