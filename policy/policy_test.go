package policy

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// topicFixtureSets are the fixture sets that rule files of one topic
// (rules_aws_<topic>.go, rules_retain.go) add from their own test files
// (init), so a topic's rules and fixtures sit together.
var topicFixtureSets []func() map[string]fixture

type fixture struct {
	good []*mockengine.Resource // passes the rule
	bad  []*mockengine.Resource // fails it at least once
}

// fixtures has one failing and one passing stack per rule id. A rule
// without an entry fails TestEveryRuleHasFixtures: a rule that never fails
// is a defect.
func fixtures() map[string]fixture {
	const (
		rds   = rdsInstance
		alb   = tokens.LBLoadBalancer
		route = httpRoute
	)
	logGroupFor := func(name string) *mockengine.Resource {
		return res(logGroup, name, map[string]any{"name": name, "retentionInDays": 365, "kmsKeyId": cmk})
	}
	selection := res(backupSelection, "tagged", map[string]any{
		"resources":  list1("arn:aws:rds:*:*:db:*", "arn:aws:rds:*:*:cluster:*"),
		"conditions": list1(map[string]any{"stringEquals": list1(map[string]any{"key": "aws:ResourceTag/backup", "value": "daily"})}),
	})
	dbArn := out("arn", "arn:aws:rds:us-east-1:123456789012:db:postgres-1")
	provider := res(tokens.AWSProvider, "regional", map[string]any{"region": "us-east-1", "defaultTags": map[string]any{"tags": map[string]any{"backup": "daily"}}})
	withProvider := func(r *mockengine.Resource) { r.Provider = provider.URN }
	sg := func(name string, in map[string]any) *mockengine.Resource {
		return res(securityGroup, name, with(map[string]any{"description": name + ": 443 from the ALB only", "vpcId": "vpc-1"}, mapKV(in)...), out("id", "sg-"+name))
	}
	ingress := func(name string, kv ...any) *mockengine.Resource {
		return res(sgIngressRule, name, with(map[string]any{"securityGroupId": "sg-app", "ipProtocol": "tcp", "fromPort": 8000, "toPort": 8000,
			"referencedSecurityGroupId": "sg-alb", "description": "ALB to app"}, kv...))
	}
	egress := func(name string, kv ...any) *mockengine.Resource {
		return res(sgEgressRule, name, with(map[string]any{"securityGroupId": "sg-app", "ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
			"cidrIpv4": "0.0.0.0/0", "description": "HTTPS to the internet through NAT"}, kv...))
	}
	role := func(name, policy string) *mockengine.Resource {
		return res(tokens.IAMRolePolicy, name, map[string]any{"role": "app", "policy": policy})
	}
	allow := func(action, resource any) map[string]any {
		return map[string]any{"Effect": "Allow", "Action": action, "Resource": resource}
	}
	queueArn := func(name string) opt {
		return out("arn", "arn:aws:sqs:us-east-1:123456789012:"+name, "url", "https://sqs.us-east-1.amazonaws.com/123456789012/"+name)
	}
	redriveTo := func(dlq string, n int) string {
		return jsonString(map[string]any{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:" + dlq, "maxReceiveCount": n})
	}
	sqsIn := map[string]any{"kmsMasterKeyId": cmk}

	m := map[string]fixture{
		"rds-encrypted-cmk": {
			good: one(res(rds, "postgres", goodRDS), res(rds, "replica", goodReplica)),
			bad:  one(res(rds, "postgres", with(goodRDS, "storageEncrypted", false, "kmsKeyId", "alias/aws/rds"))),
		},
		"rds-not-public": {
			good: one(res(rds, "postgres", goodRDS)),
			bad:  one(res(rds, "postgres", with(goodRDS, "publiclyAccessible", true))),
		},
		"rds-multi-az": {
			good: one(res(rds, "postgres", goodRDS), res(rds, "replica", goodReplica)),
			bad:  one(res(rds, "postgres", with(goodRDS, "multiAz", false))),
		},
		"rds-deletion-protection": {
			// A derived reporting replica of a recovery stack is deleted on the way back to standby.
			good: one(res(rds, "postgres", goodRDS), res(rds, "postgres-dashboards", with(with(goodRDS, "deletionProtection", false), "tags", map[string]any{"data-class": "derived"}))),
			bad:  one(res(rds, "postgres", with(goodRDS, "deletionProtection", nil))),
		},
		"rds-backups": {
			good: one(res(rds, "postgres", goodRDS), res(rds, "replica", goodReplica)),
			bad:  one(res(rds, "postgres", with(goodRDS, "backupRetentionPeriod", 3, "copyTagsToSnapshot", false))),
		},
		"rds-monitoring": {
			good: one(res(rds, "postgres", goodRDS)),
			bad:  one(res(rds, "postgres", with(goodRDS, "performanceInsightsEnabled", false, "monitoringInterval", 0, "enabledCloudwatchLogsExports", list1("upgrade")))),
		},
		"docdb-encrypted": {
			good: one(res(docdbCluster, "mongo", goodDocDB)),
			bad:  one(res(docdbCluster, "mongo", with(goodDocDB, "kmsKeyId", nil))),
		},
		"docdb-backups": {
			good: one(res(docdbCluster, "mongo", goodDocDB)),
			bad:  one(res(docdbCluster, "mongo", with(goodDocDB, "backupRetentionPeriod", nil))),
		},
		"docdb-deletion-protection": {
			good: one(res(docdbCluster, "mongo", goodDocDB)),
			bad:  one(res(docdbCluster, "mongo", with(goodDocDB, "deletionProtection", false))),
		},
		"db-master-password": {
			good: one(res(rds, "postgres", goodRDS), res(docdbCluster, "mongo", goodDocDB), res(rds, "replica", goodReplica),
				res(rds, "generated", generatedRDS, secretInput("password")), res(docdbCluster, "mongo-generated", generatedDocDB, secretInput("masterPassword")),
				res(docdbCluster, "mongo-secondary", map[string]any{"globalClusterIdentifier": "dbay-prod-mongo", "storageEncrypted": true})),
			bad: one(res(rds, "postgres", with(generatedRDS, "password", "plain-text!")),
				res(docdbCluster, "mongo", with(goodDocDB, "manageMasterUserPassword", false, "masterPassword", "plain-text!")),
				res(docdbCluster, "mongo-none", generatedDocDB),
				res(rds, "managed-aws-key", with(goodRDS, "masterUserSecretKmsKeyId", nil))),
		},
		"rds-replica-managed-password": {
			good: one(res(rds, "postgres", generatedRDS, secretInput("password"), out("id", "postgres-1234567")), res(rds, "replica", goodReplica)),
			bad:  one(res(rds, "postgres", goodRDS, out("id", "postgres-1234567")), res(rds, "replica", goodReplica)),
		},
		"docdb-global-managed-password": {
			good: one(res(docdbCluster, "mongo", generatedDocDB, secretInput("masterPassword"), out("arn", mongoArn)),
				res(docdbGlobalCluster, "mongo-global", map[string]any{"globalClusterIdentifier": "dbay-prod-mongo", "sourceDbClusterIdentifier": mongoArn})),
			bad: one(res(docdbCluster, "mongo", goodDocDB, out("arn", mongoArn)),
				res(docdbGlobalCluster, "mongo-global", map[string]any{"globalClusterIdentifier": "dbay-prod-mongo", "sourceDbClusterIdentifier": mongoArn})),
		},
		"redis-encryption": {
			good: one(res(redisGroup, "redis", goodRedis), res(redisGroup, "redis-secondary", map[string]any{"globalReplicationGroupId": "ldgnf-dbay-redis"})),
			bad:  one(res(redisGroup, "redis", with(goodRedis, "transitEncryptionEnabled", nil))),
		},
		"redis-auth": {
			good: one(res(redisGroup, "redis", goodRedis, secretInput("authToken")),
				res(redisGroup, "redis-secondary", map[string]any{"globalReplicationGroupId": "ldgnf-dbay-redis"})),
			bad: one(res(redisGroup, "redis", goodRedis)),
		},
		"redis-rbac-per-consumer": func() fixture {
			user := func(id, name, access string) *mockengine.Resource {
				return res(redisUser, "redis-user-"+id, map[string]any{"userId": "dbay-prod-" + id, "userName": name, "accessString": access, "engine": "redis"})
			}
			users := []*mockengine.Resource{
				user("default", "default", "off -@all"),
				user("auction", "auction", "on ~* &* +@all -@dangerous +info"),
				user("wallet", "wallet", "on ~wallet:* &* +@all -@dangerous +info"),
			}
			group := func(ids ...string) *mockengine.Resource {
				var l []any
				for _, id := range ids {
					l = append(l, "dbay-prod-"+id)
				}
				return res(redisUserGroup, "redis", map[string]any{"userGroupId": "dbay-prod-redis", "engine": "redis", "userIds": l})
			}
			rbac := with(goodRedis, "userGroupIds", list1("dbay-prod-redis"))
			stack := func(rg *mockengine.Resource, g *mockengine.Resource, extra ...*mockengine.Resource) []*mockengine.Resource {
				out := append([]*mockengine.Resource{rg, g}, users...)
				return append(out, extra...)
			}
			return fixture{
				// Without users in the stack the rule does not apply (the AUTH token: redis-auth).
				good: append(stack(res(redisGroup, "redis", rbac), group("default", "auction", "wallet")),
					res(redisGroup, "redis-secondary", map[string]any{"globalReplicationGroupId": "ldgnf-dbay-redis"})),
				bad: append(append(
					stack(res(redisGroup, "redis", rbac, secretInput("authToken")), group("default", "auction", "wallet")),
					res(redisGroup, "redis-no-group", goodRedis, secretInput("authToken")),
					res(redisGroup, "redis-default-on", with(goodRedis, "userGroupIds", list1("dbay-prod-open"))),
					res(redisUserGroup, "open", map[string]any{"userGroupId": "dbay-prod-open", "userIds": []any{"dbay-prod-default-on", "dbay-prod-auction"}}),
					user("default-on", "default", "on ~* +@all"),
				), res(redisGroup, "redis-twice", with(goodRedis, "userGroupIds", list1("dbay-prod-twice"))),
					res(redisUserGroup, "twice", map[string]any{"userGroupId": "dbay-prod-twice", "userIds": []any{"dbay-prod-default", "dbay-prod-auction", "dbay-prod-auction2"}}),
					user("auction2", "auction", "on ~* &* +@all")),
			}
		}(),
		"redis-failover": {
			good: one(res(redisGroup, "redis", goodRedis)),
			bad: one(res(redisGroup, "redis", with(goodRedis, "multiAzEnabled", false)), res(redisGroup, "redis-secondary", map[string]any{
				"globalReplicationGroupId": "ldgnf-dbay-redis", "numCacheClusters": 1.0, "automaticFailoverEnabled": false, "multiAzEnabled": false})),
		},
		"redis-global-secondary-has-replica": {
			good: one(res(redisGroup, "redis", goodRedis), res(redisGroup, "redis-secondary", map[string]any{
				"globalReplicationGroupId": "ldgnf-dbay-redis", "numCacheClusters": 2.0, "automaticFailoverEnabled": true, "multiAzEnabled": true})),
			// issue 18's standby secondary: one node, failover off — AWS
			// refuses it when the primary fails over automatically.
			bad: one(res(redisGroup, "redis-secondary", map[string]any{
				"globalReplicationGroupId": "ldgnf-dbay-redis", "numCacheClusters": 1.0, "automaticFailoverEnabled": false, "multiAzEnabled": false})),
		},
		"redis-failover-needs-replica": {
			good: one(res(redisGroup, "redis", goodRedis), res(redisGroup, "redis-secondary", map[string]any{
				"globalReplicationGroupId": "ldgnf-dbay-redis", "numCacheClusters": 1.0, "automaticFailoverEnabled": false})),
			bad: one(res(redisGroup, "redis-secondary", map[string]any{
				"globalReplicationGroupId": "ldgnf-dbay-redis", "numCacheClusters": 1.0, "automaticFailoverEnabled": true})),
		},
		"opensearch-encryption": {
			good: one(res(searchDomain, "search", goodSearch)),
			bad:  one(res(searchDomain, "search", with(goodSearch, "nodeToNodeEncryption.enabled", false))),
		},
		"opensearch-https": {
			good: one(res(searchDomain, "search", goodSearch)),
			bad:  one(res(searchDomain, "search", with(goodSearch, "domainEndpointOptions.tlsSecurityPolicy", "Policy-Min-TLS-1-0-2019-07"))),
		},
		"opensearch-vpc": {
			good: one(res(searchDomain, "search", goodSearch)),
			bad:  one(res(searchDomain, "search", with(goodSearch, "vpcOptions", nil))),
		},
		"opensearch-fgac": {
			good: one(res(searchDomain, "search", goodSearch)),
			bad:  one(res(searchDomain, "search", with(goodSearch, "advancedSecurityOptions.anonymousAuthEnabled", true))),
		},
		"s3-public-access-block": {
			good: bucketSet("images"),
			bad: concat(bucketSet("images", publicAccess),
				one(res(publicAccess, "images", map[string]any{"bucket": "images", "blockPublicAcls": true, "blockPublicPolicy": true, "ignorePublicAcls": true, "restrictPublicBuckets": false}))),
		},
		"s3-encryption": {
			good: concat(bucketSet("images"), one( // a log target may use SSE-S3
				res(bucketV2, "access-logs", map[string]any{}, out("id", "access-logs", "bucket", "access-logs")),
				res(bucketSSE, "access-logs", map[string]any{"bucket": "access-logs", "rules": list1(map[string]any{"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "AES256"}})}),
			)),
			bad: concat(bucketSet("images", bucketSSE),
				one(res(bucketSSE, "images", map[string]any{"bucket": "images", "rules": list1(map[string]any{"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "AES256"}})}))),
		},
		"s3-tls-only": {
			good: bucketSet("images"),
			bad: concat(bucketSet("images", tokens.S3BucketPolicy), one(res(tokens.S3BucketPolicy, "images",
				map[string]any{"bucket": "images", "policy": doc(with(tlsOnly("images"), "Effect", "Allow"))}))),
		},
		"s3-access-logs": {
			good: concat(bucketSet("images"), one(res(bucketV2, "access-logs", map[string]any{}, out("id", "access-logs", "bucket", "access-logs")))),
			bad:  bucketSet("images", bucketLogging),
		},
		"logs-retention": {
			good: one(res(logGroup, "api", map[string]any{"name": "/aws/ecs/dbay/api", "retentionInDays": 365.0})),
			bad:  one(res(logGroup, "api", map[string]any{"name": "/aws/ecs/dbay/api"}), res(logGroup, "zero", map[string]any{"name": "/x", "retentionInDays": 0.0})),
		},
		"s3-versions-expire": {
			good: bucketSet("images"),
			// Before issue 17: the site bucket and its replica kept every
			// deployed version and abandoned upload.
			bad: bucketSet("site", bucketLifecycle),
		},
		"s3-versioning": {
			good: bucketSet("images"),
			bad: concat(bucketSet("images", bucketVersions),
				one(res(bucketVersions, "images", map[string]any{"bucket": "images", "versioningConfiguration": map[string]any{"status": "Suspended"}}))),
		},
		"cloudfront-https-only": {
			good: one(res(distribution, "cdn", goodDistribution)),
			bad: one(res(distribution, "cdn", with(goodDistribution, "orderedCacheBehaviors", list1(map[string]any{"pathPattern": "/api/*", "viewerProtocolPolicy": "allow-all"}),
				"origins", list1(map[string]any{"originId": "api", "customOriginConfig": map[string]any{"originProtocolPolicy": "match-viewer", "originSslProtocols": list1("TLSv1", "TLSv1.2")}})))),
		},
		"cloudfront-tls": {
			good: one(res(distribution, "cdn", goodDistribution)),
			bad:  one(res(distribution, "cdn", with(goodDistribution, "viewerCertificate.minimumProtocolVersion", "TLSv1"))),
		},
		"cloudfront-waf": {
			good: one(res(distribution, "cdn", goodDistribution)),
			bad:  one(res(distribution, "cdn", with(goodDistribution, "webAclId", nil))),
		},
		"cloudfront-logging": {
			good: one(res(distribution, "cdn", goodDistribution)),
			bad:  one(res(distribution, "cdn", with(goodDistribution, "loggingConfig", nil))),
		},
		"waf-known-bad-inputs": {
			good: one(res(webACL, "edge", goodACL)),
			bad:  one(res(webACL, "edge", with(goodACL, "rules", list1(with(obj(list(goodACL["rules"])[0]), "overrideAction", map[string]any{"count": map[string]any{}}))))),
		},
		"waf-metrics": {
			good: one(res(webACL, "edge", goodACL)),
			bad:  one(res(webACL, "edge", with(goodACL, "rules", list1(with(obj(list(goodACL["rules"])[0]), "visibilityConfig.cloudwatchMetricsEnabled", false))))),
		},
		"waf-logging": {
			good: one(res(webACL, "edge", goodACL), res(webACLLogging, "edge", map[string]any{"resourceArn": "arn:aws:test:us-east-1:123456789012:edge", "logDestinationConfigs": list1("arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-edge")})),
			bad:  one(res(webACL, "edge", goodACL), res(webACLLogging, "other", map[string]any{"resourceArn": "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/other/x"})),
		},
		"alb-access-logs": {
			good: one(res(alb, "alb", goodALB)),
			bad:  one(res(alb, "alb", with(goodALB, "accessLogs.enabled", false))),
		},
		"alb-deletion-protection": {
			good: one(res(alb, "alb", goodALB)),
			bad:  one(res(alb, "alb", with(goodALB, "enableDeletionProtection", nil))),
		},
		"alb-waf": {
			good: one(res(alb, "alb", goodALB), res(alb, "internal", with(goodALB, "internal", true)),
				res(webACLAssoc, "alb", map[string]any{"resourceArn": "arn:aws:test:us-east-1:123456789012:alb", "webAclArn": "arn:aws:wafv2:x"})),
			bad: one(res(alb, "alb", goodALB)),
		},
		"alb-http-redirect": {
			good: one(res(tokens.LBListener, "http", map[string]any{"protocol": "HTTP", "port": 80, "defaultActions": list1(map[string]any{"type": "redirect", "redirect": map[string]any{"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}})}),
				res(tokens.LBListener, "https", map[string]any{"protocol": "HTTPS", "port": 443, "defaultActions": list1(map[string]any{"type": "fixed-response"})})),
			bad: one(res(tokens.LBListener, "http", map[string]any{"protocol": "HTTP", "port": 80, "defaultActions": list1(map[string]any{"type": "forward", "targetGroupArn": "tg"})})),
		},
		"ecs-container-insights": {
			good: one(res(ecsCluster, "cluster", map[string]any{"settings": list1(map[string]any{"name": "containerInsights", "value": "enabled"})})),
			bad:  one(res(ecsCluster, "cluster", map[string]any{"settings": list1(map[string]any{"name": "containerInsights", "value": "disabled"})})),
		},
		"ecs-no-public-ip": {
			good: one(res(ecsService, "listing", goodService)),
			bad:  one(res(ecsService, "listing", with(goodService, "networkConfiguration.assignPublicIp", true))),
		},
		"ecs-circuit-breaker": {
			good: one(res(ecsService, "listing", goodService), res(ecsService, "blue-green", with(goodService, "deploymentCircuitBreaker", nil, "deploymentController.type", "CODE_DEPLOY"))),
			bad:  one(res(ecsService, "listing", with(goodService, "deploymentCircuitBreaker.rollback", false))),
		},
		"eks-endpoint": {
			good: one(res(eksCluster, "eks", goodEKS), res(eksCluster, "limited", with(goodEKS, "vpcConfig.endpointPublicAccess", true, "vpcConfig.publicAccessCidrs", list1("203.0.113.0/24")))),
			bad:  one(res(eksCluster, "eks", with(goodEKS, "vpcConfig.endpointPublicAccess", nil))),
		},
		"eks-secrets-encryption": {
			good: one(res(eksCluster, "eks", goodEKS)),
			bad:  one(res(eksCluster, "eks", with(goodEKS, "encryptionConfig", nil))),
		},
		"eks-control-plane-logs": {
			good: one(res(eksCluster, "eks", goodEKS)),
			bad:  one(res(eksCluster, "eks", with(goodEKS, "enabledClusterLogTypes", list1("api")))),
		},
		"apigw-access-logs": {
			good: one(res(httpStage, "http", map[string]any{"accessLogSettings": map[string]any{"destinationArn": "arn:aws:logs:x", "format": `{"requestId":"$context.requestId"}`}})),
			bad:  one(res(httpStage, "http", map[string]any{"autoDeploy": true}), res(restStage, "v1", map[string]any{"accessLogSettings": map[string]any{"destinationArn": "arn:aws:logs:x"}})),
		},
		"apigw-route-authorized": {
			good: one(
				res(httpAPI, "websocket", map[string]any{"protocolType": "WEBSOCKET"}, out("id", "ws1")),
				res(route, "ws-connect", map[string]any{"apiId": "ws1", "routeKey": "$connect", "authorizationType": "CUSTOM"}),
				res(route, "ws-default", map[string]any{"apiId": "ws1", "routeKey": "$default"}),
				res(route, "listings", map[string]any{"apiId": "http1", "routeKey": "ANY /listings/{proxy+}", "authorizationType": "JWT"}),
			),
			bad: one(
				res(httpAPI, "websocket", map[string]any{"protocolType": "WEBSOCKET"}, out("id", "ws1")),
				res(route, "ws-connect", map[string]any{"apiId": "ws1", "routeKey": "$connect"}),
				res(route, "listings", map[string]any{"apiId": "http1", "routeKey": "ANY /listings/{proxy+}", "authorizationType": "NONE"}),
			),
		},
		"lambda-tracing": {
			good: one(res(function, "withdraw", goodFunction)),
			bad:  one(res(function, "withdraw", with(goodFunction, "tracingConfig.mode", "PassThrough"))),
		},
		"lambda-env-cmk": {
			good: one(res(function, "withdraw", goodFunction), res(function, "no-env", with(goodFunction, "environment", nil, "kmsKeyArn", nil))),
			bad:  one(res(function, "withdraw", with(goodFunction, "kmsKeyArn", nil))),
		},
		"no-secret-env": {
			good: one(res(function, "withdraw", goodFunction),
				res(ecsTask, "listing", map[string]any{"containerDefinitions": jsonString(list1(map[string]any{"name": "listing",
					"environment": list1(map[string]any{"name": "DATABASE_URL", "value": "postgresql://dbay_admin@db:5432/dbay?sslmode=require"}),
					"secrets":     list1(map[string]any{"name": "PGPASSWORD", "valueFrom": "arn:aws:secretsmanager:x:password::"})}))})),
			bad: one(res(function, "withdraw", with(goodFunction, "environment.variables.JWT_SECRET", "s3cr3t-value")),
				res(function, "secret-env", with(goodFunction, "environment.variables.SENTRY", "[secret]")),
				res(ecsTask, "listing", map[string]any{"containerDefinitions": jsonString(list1(map[string]any{"name": "listing",
					"environment": list1(map[string]any{"name": "REDIS_URL", "value": "rediss://:token123@redis:6379/0"})}))})),
		},
		"lambda-runtime": {
			good: one(res(function, "withdraw", goodFunction), res(function, "image", map[string]any{"packageType": "Image", "imageUri": "x"})),
			bad:  one(res(function, "withdraw", with(goodFunction, "runtime", "python3.9"))),
		},
		"lambda-log-retention": {
			good: one(res(function, "withdraw", goodFunction), logGroupFor("/dbay/prod/functions/withdraw"),
				res(function, "named", with(goodFunction, "loggingConfig", nil, "name", "dbay-prod-named")), logGroupFor("/aws/lambda/dbay-prod-named")),
			bad: one(res(function, "withdraw", goodFunction), res(logGroup, "withdraw", map[string]any{"name": "/dbay/prod/functions/withdraw"}),
				res(function, "orphan", with(goodFunction, "loggingConfig", nil))),
		},
		"sfn-logging": {
			good: one(res(stateMachine, "withdrawal", goodMachine)),
			bad:  one(res(stateMachine, "withdrawal", with(goodMachine, "loggingConfiguration.level", "OFF"))),
		},
		"sfn-logs-exclude-execution-data": {
			good: one(res(stateMachine, "withdrawal", goodMachine)),
			bad:  one(res(stateMachine, "withdrawal", with(goodMachine, "loggingConfiguration.includeExecutionData", true))),
		},
		"sfn-tracing": {
			good: one(res(stateMachine, "withdrawal", goodMachine)),
			bad:  one(res(stateMachine, "withdrawal", with(goodMachine, "tracingConfiguration", nil))),
		},
		"sfn-retry-catch": {
			good: one(res(stateMachine, "withdrawal", goodMachine), res(stateMachine, "computed", with(goodMachine, "definition", mockengine.Unknown))),
			bad: one(res(stateMachine, "withdrawal", with(goodMachine, "definition", jsonString(map[string]any{"StartAt": "Fan", "States": map[string]any{
				"Fan": map[string]any{"Type": "Parallel", "End": true, "Branches": list1(map[string]any{"StartAt": "Sign", "States": map[string]any{
					"Sign": map[string]any{"Type": "Task", "End": true, "Retry": list1(map[string]any{})}}})},
			}})))),
		},
		"iam-no-star-action": {
			good: one(role("app-read", doc(allow(list1("s3:GetObject"), "arn:aws:s3:::images/*")))),
			bad:  one(role("app-admin", doc(allow("*", "*")))),
		},
		"iam-no-kms-decrypt-star": {
			good: one(role("app-read", doc(allow("kms:Decrypt", cmk))),
				res(kmsKey, "data-key", map[string]any{"enableKeyRotation": true, "policy": doc(map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"})})),
			bad: one(role("app-read", doc(allow(list1("kms:Decrypt*"), "*"))),
				res(tokens.IAMRole, "app", map[string]any{"inlinePolicies": list1(map[string]any{"name": "keys", "policy": doc(allow("kms:*", "arn:aws:kms:us-east-1:123456789012:key/*"))})})),
		},
		"iam-no-public-principal": {
			good: concat(bucketSet("images"), one(res(lambdaPerm, "api", map[string]any{"principal": "apigateway.amazonaws.com", "sourceArn": "arn:aws:execute-api:x"}))),
			bad: one(res(tokens.SQSQueuePolicy, "orders", map[string]any{"policy": doc(map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": "*"}, "Action": "sqs:SendMessage", "Resource": "*"})}),
				res(lambdaPerm, "public", map[string]any{"principal": "*", "action": "lambda:InvokeFunction"})),
		},
		"iam-no-admin-attachment": {
			good: one(res(tokens.IAMRolePolicyAttachment, "monitoring", map[string]any{"policyArn": "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"})),
			bad: one(res(tokens.IAMRolePolicyAttachment, "admin", map[string]any{"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
				res(tokens.IAMRole, "ops", map[string]any{"managedPolicyArns": list1("arn:aws:iam::aws:policy/IAMFullAccess")})),
		},
		"kms-rotation": {
			good: one(res(kmsKey, "data-key", map[string]any{"enableKeyRotation": true}), res(kmsKey, "signing", map[string]any{"keyUsage": "SIGN_VERIFY", "customerMasterKeySpec": "ECC_SECG_P256K1"})),
			bad:  one(res(kmsKey, "data-key", map[string]any{"description": "no rotation"})),
		},
		"secret-cmk": {
			good: one(res(secret, "JWT_SECRET", map[string]any{"kmsKeyId": cmk, "replicas": list1(map[string]any{"region": "us-west-2", "kmsKeyId": cmk})})),
			bad:  one(res(secret, "JWT_SECRET", map[string]any{"kmsKeyId": cmk, "replicas": list1(map[string]any{"region": "us-west-2"})})),
		},
		"secret-rotation": {
			good: one(res(secret, "JWT_SECRET", map[string]any{"kmsKeyId": cmk}, out("arn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-AbCdEf")),
				res(secretRotation, "JWT_SECRET", map[string]any{"secretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-AbCdEf", "rotationRules": map[string]any{"automaticallyAfterDays": 30}})),
			bad: one(res(secret, "JWT_SECRET", map[string]any{"kmsKeyId": cmk})),
		},
		"sqs-encrypted": {
			good: one(res(queue, "orders", sqsIn), res(queue, "sse", map[string]any{"sqsManagedSseEnabled": true})),
			bad:  one(res(queue, "orders", map[string]any{"visibilityTimeoutSeconds": 60})),
		},
		"sqs-dlq": {
			good: one(res(queue, "orders", with(sqsIn, "redrivePolicy", redriveTo("orders-dlq", 5)), queueArn("orders")),
				res(queue, "orders-dlq", sqsIn, queueArn("orders-dlq")),
				res(queue, "rule-dlq", sqsIn, queueArn("rule-dlq")),
				res(tokens.CloudWatchEventTarget, "rule", map[string]any{"deadLetterConfig": map[string]any{"arn": "arn:aws:sqs:us-east-1:123456789012:rule-dlq"}}),
				res(queue, "functions-dlq", sqsIn, queueArn("functions-dlq")),
				res(tokens.LambdaFunctionEventInvokeConfig, "closer", map[string]any{"destinationConfig": map[string]any{"onFailure": map[string]any{"destination": "arn:aws:sqs:us-east-1:123456789012:functions-dlq"}}})),
			bad: one(res(queue, "orders", with(sqsIn, "redrivePolicy", redriveTo("orders-dlq", 50)), queueArn("orders")),
				res(queue, "orders-dlq", sqsIn, queueArn("orders-dlq")),
				res(queue, "lonely", sqsIn, queueArn("lonely"))),
		},
		"sg-no-public-ingress": {
			good: one(res(alb, "alb", goodALB), ingress("alb-443", "securityGroupId", "sg-alb", "referencedSecurityGroupId", nil, "cidrIpv4", "0.0.0.0/0", "fromPort", 443, "toPort", 443), ingress("alb-to-app")),
			bad: one(res(alb, "alb", goodALB), ingress("app-public", "referencedSecurityGroupId", nil, "cidrIpv6", "::/0"),
				ingress("alb-8080", "securityGroupId", "sg-alb", "referencedSecurityGroupId", nil, "cidrIpv4", "0.0.0.0/0", "fromPort", 8080, "toPort", 8080),
				sg("legacy", map[string]any{"ingress": list1(map[string]any{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": list1("0.0.0.0/0"), "description": "open"})})),
		},
		"sg-no-admin-ports": {
			good: one(ingress("alb-to-app"), sg("endpoints", map[string]any{"ingress": list1(map[string]any{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": list1("10.0.0.0/16"), "description": "HTTPS from the VPC"})})),
			bad: one(ingress("ssh", "fromPort", 22, "toPort", 22, "referencedSecurityGroupId", nil, "cidrIpv4", "10.0.0.0/8"),
				ingress("everything", "ipProtocol", "-1", "fromPort", nil, "toPort", nil)),
		},
		"sg-open-egress": {
			good: one(egress("https-out"), egress("to-db", "cidrIpv4", nil, "referencedSecurityGroupId", "sg-db", "fromPort", 5432, "toPort", 5432)),
			bad: one(egress("smtp-out", "fromPort", 587, "toPort", 587),
				sg("allout", map[string]any{"egress": list1(map[string]any{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": list1("0.0.0.0/0"), "description": "all"})})),
		},
		"sg-rule-description": {
			good: one(ingress("alb-to-app"), egress("https-out"), sg("app", nil), res(defaultSG, "default", map[string]any{"ingress": list1(), "egress": list1()})),
			bad: one(ingress("alb-to-app", "description", nil), res(securityGroup, "undescribed", map[string]any{"description": "Managed by Pulumi"}),
				sg("inline", map[string]any{"egress": list1(map[string]any{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": list1("10.0.0.0/16")})})),
		},
		"sg-default-closed": {
			good: one(res(defaultSG, "default", map[string]any{"ingress": list1(), "egress": list1(), "vpcId": "vpc-1"})),
			bad:  one(res(defaultSG, "default", map[string]any{"egress": list1(map[string]any{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": list1("0.0.0.0/0")})})),
		},
		"vpc-flow-logs": {
			good: one(res(awsxVpc, "vpc", map[string]any{"cidrBlock": "10.0.0.0/16"}, out("vpcId", "vpc-1")),
				res(flowLog, "flow-log", map[string]any{"vpcId": "vpc-1", "trafficType": "ALL"})),
			bad: one(res(awsxVpc, "vpc", map[string]any{"cidrBlock": "10.0.0.0/16"}, out("vpcId", "vpc-1")),
				res(vpcType, "other", map[string]any{"cidrBlock": "10.2.0.0/16"}, out("id", "vpc-2")),
				res(flowLog, "flow-log", map[string]any{"vpcId": "vpc-1", "trafficType": "ACCEPT"})),
		},
		"cognito-password-policy": {
			good: one(res(userPool, "users", goodPool)),
			bad:  one(res(userPool, "users", with(goodPool, "passwordPolicy.minimumLength", 8, "passwordPolicy.requireSymbols", false))),
		},
		"cognito-mfa": {
			good: one(res(userPool, "users", goodPool)),
			bad:  one(res(userPool, "users", with(goodPool, "mfaConfiguration", "OFF"))),
		},
		"cognito-admin-group-mfa": {
			good: one(res(userPool, "users", goodPool), res(userPool, "admins", with(goodPool, "mfaConfiguration", "ON")),
				res(userGroup, "admins-group-admin", map[string]any{"userPoolId": "admins", "name": "admin"}),
				res(userGroup, "group-sellers", map[string]any{"userPoolId": "users", "name": "sellers"})),
			bad: one(res(userPool, "users", goodPool), res(userGroup, "group-admin", map[string]any{"userPoolId": "users", "name": "admin"})),
		},
		"cognito-advanced-security": {
			good: one(res(userPool, "users", goodPool)),
			bad:  one(res(userPool, "users", with(goodPool, "userPoolAddOns.advancedSecurityMode", "AUDIT"))),
		},
		"alarm-actions": {
			good: one(res(metricAlarm, "cpu", map[string]any{"alarmActions": list1("arn:aws:sns:x:alerts"), "okActions": list1("arn:aws:sns:x:alerts")})),
			bad:  one(res(metricAlarm, "cpu", map[string]any{"metricName": "CPUUtilization"}), res(compositeAlarm, "any", map[string]any{"alarmActions": list1("arn:aws:sns:x"), "actionsEnabled": false})),
		},
		"backup-vault-cmk": {
			good: one(res(backupVault, "vault", map[string]any{"kmsKeyArn": cmk})),
			bad:  one(res(backupVault, "vault", map[string]any{})),
		},
		"backup-covers-databases": {
			good: one(provider, selection, res(rds, "postgres", goodRDS, dbArn, withProvider), res(rds, "replica", goodReplica)),
			bad: one(provider, selection, res(rds, "postgres", goodRDS, dbArn), // untagged
				res(docdbCluster, "mongo", with(goodDocDB, "tags", map[string]any{"backup": "never"}), out("arn", "arn:aws:rds:us-east-1:123456789012:cluster:mongo"), withProvider)),
		},
		"stateful-protected": {
			good: one(res(rds, "postgres", goodRDS, protected), res(queue, "orders", sqsIn, protected),
				res(rds, "postgres-dashboards", with(goodRDS, "tags", map[string]any{"data-class": "derived"}))),
			bad: one(res(rds, "postgres", goodRDS), res(kmsKey, "data-key", map[string]any{"enableKeyRotation": true}),
				res(rds, "postgres-analytics", with(goodRDS, "tags", map[string]any{"data-class": "logs"}))),
		},
		"no-force-destroy": {
			good: one(res(bucketV2, "images", map[string]any{"forceDestroy": false}), res(secret, "JWT_SECRET", map[string]any{"recoveryWindowInDays": 30})),
			bad: one(res(bucketV2, "images", map[string]any{"forceDestroy": true}), res(tokens.ECRRepository, "listing", map[string]any{"forceDelete": true}),
				res(secret, "JWT_SECRET", map[string]any{"recoveryWindowInDays": 0})),
		},
		"final-snapshot": {
			good: one(res(rds, "postgres", goodRDS), res(rds, "replica", goodReplica), res(redisGroup, "redis", goodRedis)),
			bad:  one(res(rds, "postgres", with(goodRDS, "skipFinalSnapshot", true)), res(redisGroup, "redis", with(goodRedis, "finalSnapshotIdentifier", nil))),
		},
	}
	// Fixtures of the rules in topic files live beside them
	// (rules_<topic>_test.go) and register themselves here.
	for _, set := range topicFixtureSets {
		for id, f := range set() {
			if _, dup := m[id]; dup {
				panic("policy: two fixtures for rule " + id)
			}
			m[id] = f
		}
	}
	return m
}

// mapKV flattens a map into with()'s key/value list.
func mapKV(m map[string]any) []any {
	var kv []any
	for k, v := range m {
		kv = append(kv, k, v)
	}
	return kv
}

func ruleByID(t *testing.T, id string) Rule {
	t.Helper()
	for _, r := range Rules() {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no rule %s", id)
	return Rule{}
}

// Every rule fails its bad fixture, naming the resource in each message,
// and passes its good one.
func TestRuleFixtures(t *testing.T) {
	t.Parallel()
	for id, f := range fixtures() {
		t.Run(id, func(t *testing.T) {
			rule := ruleByID(t, id)
			bad := evaluate([]Rule{rule}, f.bad, nil, Options{})
			if len(bad.Violations) == 0 {
				t.Fatalf("bad fixture passes")
			}
			for _, v := range bad.Violations {
				if v.Rule != id || !strings.Contains(v.Message, v.Type+" "+v.Name+": ") || !strings.Contains(v.Message, "; ") {
					t.Errorf("violation %+v: the message must name the resource and the fix", v)
				}
			}
			if good := evaluate([]Rule{rule}, f.good, nil, Options{}); len(good.Violations) > 0 {
				for _, v := range good.Violations {
					t.Errorf("good fixture fails: %s", v.Message)
				}
			}
		})
	}
}

// A rule that never fails is a defect: every rule has fixtures, and every
// fixture belongs to a rule.
func TestEveryRuleHasFixtures(t *testing.T) {
	t.Parallel()
	fx := fixtures()
	ids := map[string]bool{}
	for _, r := range Rules() {
		ids[r.ID] = true
		if _, ok := fx[r.ID]; !ok {
			t.Errorf("rule %s has no failing fixture", r.ID)
		}
		if r.Title == "" || (r.Severity != High && r.Severity != Medium && r.Severity != Low) {
			t.Errorf("rule %s: title %q, severity %q", r.ID, r.Title, r.Severity)
		}
	}
	for id := range fx {
		if !ids[id] {
			t.Errorf("fixture %s names no rule", id)
		}
	}
	if len(ids) < 60 {
		t.Errorf("%d rules; the issue lists more", len(ids))
	}
}

// Evaluate with the full rule set reports each rule on its bad fixture
// (the rules are wired into Rules() with the types they check).
func TestEvaluateRunsEveryRule(t *testing.T) {
	t.Parallel()
	for id, f := range fixtures() {
		rep := Evaluate(f.bad, nil)
		found := false
		for _, v := range rep.Violations {
			found = found || v.Rule == id
		}
		if !found {
			t.Errorf("Evaluate does not report %s on its bad fixture", id)
		}
	}
}

// A throwaway stack (protect: false) is not held to protection rules.
func TestUnprotectedStackSkipsProtectionRules(t *testing.T) {
	t.Parallel()
	rs := one(res(rdsInstance, "postgres", with(goodRDS, "deletionProtection", false)),
		res(docdbCluster, "mongo", with(goodDocDB, "deletionProtection", false)),
		res(tokens.LBLoadBalancer, "alb", with(goodALB, "enableDeletionProtection", false)))
	rep := EvaluateWith(rs, nil, Options{Unprotected: true})
	for _, v := range rep.Violations {
		switch v.Rule {
		case "stateful-protected", "rds-deletion-protection", "docdb-deletion-protection", "alb-deletion-protection":
			t.Errorf("unprotected stack: %s reported", v.Rule)
		}
	}
	rep = Evaluate(rs, nil)
	got := map[string]bool{}
	for _, v := range rep.Violations {
		got[v.Rule] = true
	}
	for _, id := range []string{"stateful-protected", "rds-deletion-protection", "docdb-deletion-protection", "alb-deletion-protection"} {
		if !got[id] {
			t.Errorf("protected stack: %s not reported", id)
		}
	}
}

func TestWaivers(t *testing.T) {
	t.Parallel()
	rs := one(
		res(secret, "PLAID_SECRET", map[string]any{"kmsKeyId": cmk}),
		res(secret, "PLAID_CLIENT_ID", map[string]any{"kmsKeyId": cmk}),
		res(secret, "JWT_SECRET", map[string]any{"kmsKeyId": cmk}),
	)
	for _, r := range rs {
		r.Options.Protect = true
	}
	const reason = "third-party credential: rotated by an operator (docs/runbooks.md \"Set an external secret\")"
	waivers := []Waiver{
		{Rule: "secret-rotation", Resource: "PLAID_*", Reason: reason},
		{Rule: "secret-rotation", Resource: "urn:pulumi:test::proj::aws:secretsmanager/secret:Secret::JWT_SECRET", Reason: "generated: rotated by pulumi up --replace"},
		{Rule: "secret-rotation", Resource: "SMTP_PASS", Reason: "stale: SMTP moved to SES"},
		{Rule: "no-such-rule", Resource: "JWT_SECRET", Reason: "typo in the rule id"},
	}
	rep := Evaluate(rs, waivers)
	if !rep.Failed() {
		t.Error("unused waivers must fail the report")
	}
	var waived, unused []string
	for _, v := range rep.Violations {
		switch {
		case v.Waived:
			waived = append(waived, v.Name)
			if v.Name == "PLAID_SECRET" && v.Reason != reason {
				t.Errorf("reason = %q", v.Reason)
			}
		case v.Rule == UnusedWaiverRule:
			unused = append(unused, v.Message)
		default:
			t.Errorf("unexpected unwaived violation: %s", v.Message)
		}
	}
	if len(waived) != 3 {
		t.Errorf("waived = %v, want the three secrets", waived)
	}
	if len(unused) != 2 || !strings.Contains(strings.Join(unused, "\n"), "SMTP_PASS} matches no violation") || !strings.Contains(strings.Join(unused, "\n"), `"no-such-rule" is not a rule id`) {
		t.Errorf("unused = %q", unused)
	}
	// Unwaived violations sort first.
	if rep.Violations[0].Waived {
		t.Error("a waived violation sorts before an unwaived one")
	}

	// Without the stale ones the report passes and prints every reason.
	rep = Evaluate(rs, waivers[:2])
	if rep.Failed() {
		t.Errorf("report fails: %+v", rep.Unwaived())
	}
	var text, md bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{text.String(), md.String()} {
		if !strings.Contains(s, reason) || !strings.Contains(s, "generated: rotated by pulumi up --replace") || !strings.Contains(s, "3 waived") {
			t.Errorf("report lacks the waivers' reasons:\n%s", s)
		}
	}
}

func TestReportRendering(t *testing.T) {
	t.Parallel()
	rep := evaluate([]Rule{ruleByID(t, "rds-not-public")}, one(res(rdsInstance, "postgres", with(goodRDS, "publiclyAccessible", true), protected)), nil, Options{})
	if !rep.Failed() || len(rep.Unwaived()) != 1 {
		t.Fatalf("violations = %+v", rep.Violations)
	}
	var text, md bytes.Buffer
	_ = rep.WriteText(&text)
	_ = rep.WriteMarkdown(&md)
	if !strings.Contains(text.String(), "[HIGH] rds-not-public  aws:rds/instance:Instance postgres") || !strings.Contains(text.String(), "policy FAIL: 1 violation, 0 waived") {
		t.Errorf("text:\n%s", text.String())
	}
	if !strings.Contains(md.String(), "| high | `rds-not-public` | `aws:rds/instance:Instance postgres` |") {
		t.Errorf("markdown:\n%s", md.String())
	}
	b, _ := json.Marshal(rep.Violations[0])
	for _, key := range []string{`"rule":"rds-not-public"`, `"severity":"high"`, `"waived":false`, `"urn":"urn:pulumi:test::proj::aws:rds/instance:Instance::postgres"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}

	// Messages name the project's own config key.
	rep = evaluate([]Rule{ruleByID(t, "rds-deletion-protection")}, one(res(rdsInstance, "postgres", with(goodRDS, "deletionProtection", false))), nil, Options{})
	if len(rep.Violations) != 1 || !strings.Contains(rep.Violations[0].Message, "from proj:protect") {
		t.Errorf("violations = %+v", rep.Violations)
	}
}

func TestWildcard(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		pattern, s string
		want       bool
	}{
		{"arn:aws:rds:*:*:db:*", "arn:aws:rds:us-east-1:123456789012:db:postgres-1", true},
		{"arn:aws:rds:*:*:db:*", "arn:aws:rds:us-east-1:123456789012:cluster:mongo", false},
		{"PLAID_*", "PLAID_SECRET", true},
		{"PLAID_*", "BELVO_SECRET_ID", false},
		{"kms:decrypt*", "kms:decrypt", true},
		{"kms:?ecrypt", "kms:decrypt", true},
		{"", "", true},
	} {
		if got := wildcard(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcard(%q, %q) = %v", tt.pattern, tt.s, got)
		}
	}
}

func TestSecretLike(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, value string
		secret      bool
	}{
		{"JWT_SECRET", "abc", true},
		{"SMTP_PASS", "abc", true},
		{"DJANGO_SECRET_KEY", "x", true},
		{"ANYTHING", "[secret]", true},
		{"REDIS_URL", "rediss://:tok@host:6379/0", true},
		{"DATABASE_URL", "postgresql://user@host:5432/db", false},
		{"JWT_SECRET_ARN", "arn:aws:secretsmanager:x", false},
		{"REFRESH_TOKEN_EXPIRES_IN", "7d", false},
		{"API_KEY", "arn:aws:secretsmanager:x", false},
		{"TOKEN", "3600", false},
	} {
		if got := secretLike(tt.name, tt.value) != ""; got != tt.secret {
			t.Errorf("secretLike(%s=%s) = %v", tt.name, tt.value, got)
		}
	}
}

// The guard and the protection rule share one list; the types the policy
// names elsewhere must be spelled the same way in it.
func TestStatefulTypesAreSpelledLikeTheRules(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{rdsInstance, rdsCluster, docdbCluster, redisGroup, searchDomain, bucketV2, bucketV1, kmsKey,
		secret, userPool, dynamoTable, efsFileSystem, queue, backupVault} {
		if !contains(StatefulTypes, typ) {
			t.Errorf("%s is not in StatefulTypes", typ)
		}
	}
}
