package policy

import (
	"encoding/json"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// Hand-built resources for the rule tests: no Pulumi run, so these tests
// take milliseconds. Inputs are given as plain values (what r.In() renders);
// outputs echo the inputs plus id and arn, as the mock engine does.

type opt func(*mockengine.Resource)

// res builds a resource of typ named name with inputs in. Its id is name
// and its arn "arn:aws:test:us-east-1:123456789012:<name>" unless set.
func res(typ, name string, in map[string]any, opts ...opt) *mockengine.Resource {
	r := &mockengine.Resource{
		Type: typ, Name: name, Custom: true, ID: name,
		URN:    "urn:pulumi:test::proj::" + typ + "::" + name,
		Inputs: resource.NewPropertyMapFromMap(in),
	}
	outs := map[string]any{"arn": "arn:aws:test:us-east-1:123456789012:" + name}
	for k, v := range in {
		outs[k] = v
	}
	r.Outputs = resource.NewPropertyMapFromMap(outs)
	for _, o := range opts {
		o(r)
	}
	r.Outputs["id"] = resource.NewStringProperty(r.ID)
	return r
}

// out sets outputs (id sets the resource's id).
func out(kv ...any) opt {
	return func(r *mockengine.Resource) {
		for i := 0; i+1 < len(kv); i += 2 {
			k := kv[i].(string)
			if k == "id" {
				r.ID = kv[i+1].(string)
				continue
			}
			r.Outputs[resource.PropertyKey(k)] = resource.NewPropertyValue(kv[i+1])
		}
	}
}

func protected(r *mockengine.Resource) { r.Options.Protect = true }

func secretInput(key string) opt {
	return func(r *mockengine.Resource) {
		r.Inputs[resource.PropertyKey(key)] = resource.MakeSecret(resource.NewStringProperty("hunter2-hunter2"))
	}
}

// with returns a deep copy of base with each dotted path set to its value
// (nil deletes it): with(rds, "multiAz", false, "engine", nil).
func with(base map[string]any, kv ...any) map[string]any {
	out := deepCopy(base).(map[string]any)
	for i := 0; i+1 < len(kv); i += 2 {
		path := strings.Split(kv[i].(string), ".")
		m := out
		for _, k := range path[:len(path)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		if kv[i+1] == nil {
			delete(m, path[len(path)-1])
		} else {
			m[path[len(path)-1]] = kv[i+1]
		}
	}
	return out
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, x := range t {
			a[i] = deepCopy(x)
		}
		return a
	}
	return v
}

// doc renders a policy document as the JSON string pulumi-aws takes.
func doc(statements ...map[string]any) string {
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	if err != nil {
		panic(err)
	}
	return string(b)
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func list1(v ...any) []any { return v }

const cmk = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"

// mongoArn is a DocumentDB cluster's ARN, as a global cluster names its source.
const mongoArn = "arn:aws:rds:us-east-1:123456789012:cluster:mongo-1234567"

// Compliant baselines: each rule's bad fixture is one of these with one
// thing wrong.
var (
	goodRDS = map[string]any{
		"engine": "postgres", "storageEncrypted": true, "kmsKeyId": cmk, "publiclyAccessible": false,
		"multiAz": true, "deletionProtection": true, "backupRetentionPeriod": 30, "copyTagsToSnapshot": true,
		"performanceInsightsEnabled": true, "monitoringInterval": 60, "monitoringRoleArn": "arn:aws:iam::123456789012:role/mon",
		"enabledCloudwatchLogsExports": list1("postgresql", "upgrade"), "skipFinalSnapshot": false,
		"finalSnapshotIdentifier": "dbay-prod-postgres-final", "manageMasterUserPassword": true, "masterUserSecretKmsKeyId": cmk,
		"username": "dbay_admin",
	}
	// generatedRDS and generatedDocDB are the program's shape: the master
	// password generated (add secretInput("password"/"masterPassword")).
	generatedRDS   = with(goodRDS, "manageMasterUserPassword", nil, "masterUserSecretKmsKeyId", nil)
	generatedDocDB = with(goodDocDB, "manageMasterUserPassword", nil)
	goodReplica    = map[string]any{
		"replicateSourceDb": "postgres-1234567", "kmsKeyId": cmk, "storageEncrypted": true, "publiclyAccessible": false,
		"deletionProtection": true, "skipFinalSnapshot": true, "performanceInsightsEnabled": true, "monitoringInterval": 60,
		"monitoringRoleArn": "arn:aws:iam::123456789012:role/mon", "enabledCloudwatchLogsExports": list1("postgresql"),
	}
	goodDocDB = map[string]any{
		"storageEncrypted": true, "kmsKeyId": cmk, "backupRetentionPeriod": 30, "deletionProtection": true,
		"manageMasterUserPassword": true, "masterUsername": "dbay_admin", "skipFinalSnapshot": false,
		"finalSnapshotIdentifier": "dbay-prod-mongo-final",
	}
	goodRedis = map[string]any{
		"atRestEncryptionEnabled": true, "transitEncryptionEnabled": true, "kmsKeyId": cmk,
		"automaticFailoverEnabled": true, "multiAzEnabled": true, "numCacheClusters": 2,
		"finalSnapshotIdentifier": "dbay-prod-redis-final",
	}
	goodSearch = map[string]any{
		"encryptAtRest":           map[string]any{"enabled": true, "kmsKeyId": cmk},
		"nodeToNodeEncryption":    map[string]any{"enabled": true},
		"domainEndpointOptions":   map[string]any{"enforceHttps": true, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"},
		"vpcOptions":              map[string]any{"subnetIds": list1("subnet-1", "subnet-2"), "securityGroupIds": list1("sg-1")},
		"advancedSecurityOptions": map[string]any{"enabled": true, "anonymousAuthEnabled": false},
	}
	goodDistribution = map[string]any{
		"defaultCacheBehavior":  map[string]any{"viewerProtocolPolicy": "redirect-to-https", "targetOriginId": "site"},
		"orderedCacheBehaviors": list1(map[string]any{"pathPattern": "/api/*", "viewerProtocolPolicy": "https-only"}),
		"origins": list1(
			map[string]any{"originId": "site", "domainName": "site.s3.us-east-1.amazonaws.com"},
			map[string]any{"originId": "api", "domainName": "api.example.com",
				"customOriginConfig": map[string]any{"originProtocolPolicy": "https-only", "originSslProtocols": list1("TLSv1.2")}},
		),
		"viewerCertificate": map[string]any{"acmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x", "minimumProtocolVersion": "TLSv1.2_2021", "sslSupportMethod": "sni-only"},
		"webAclId":          "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/x",
		"loggingConfig":     map[string]any{"bucket": "logs.s3.amazonaws.com"},
	}
	goodACL = map[string]any{
		"scope":            "CLOUDFRONT",
		"visibilityConfig": map[string]any{"cloudwatchMetricsEnabled": true, "metricName": "edge", "sampledRequestsEnabled": true},
		"rules": list1(map[string]any{
			"name": "aws-known-bad-inputs", "priority": 10, "overrideAction": map[string]any{"none": map[string]any{}},
			"statement":        map[string]any{"managedRuleGroupStatement": map[string]any{"name": "AWSManagedRulesKnownBadInputsRuleSet", "vendorName": "AWS"}},
			"visibilityConfig": map[string]any{"cloudwatchMetricsEnabled": true, "metricName": "kbi", "sampledRequestsEnabled": true},
		}),
	}
	goodALB = map[string]any{
		"loadBalancerType": "application", "internal": false, "securityGroups": list1("sg-alb"),
		"enableDeletionProtection": true, "accessLogs": map[string]any{"bucket": "alb-logs", "enabled": true},
	}
	goodService = map[string]any{
		"networkConfiguration":     map[string]any{"assignPublicIp": false, "subnets": list1("subnet-1")},
		"deploymentCircuitBreaker": map[string]any{"enable": true, "rollback": true},
	}
	goodEKS = map[string]any{
		"vpcConfig":              map[string]any{"endpointPrivateAccess": true, "endpointPublicAccess": false},
		"encryptionConfig":       map[string]any{"resources": list1("secrets"), "provider": map[string]any{"keyArn": cmk}},
		"enabledClusterLogTypes": list1("api", "audit", "authenticator", "controllerManager", "scheduler"),
	}
	goodFunction = map[string]any{
		"runtime": "python3.12", "kmsKeyArn": cmk, "tracingConfig": map[string]any{"mode": "Active"},
		"environment": map[string]any{"variables": map[string]any{
			"WALLET_MASTER_XPRIV_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
			"REFRESH_TOKEN_EXPIRES_IN":       "7d", "MAX_RETRIES": "3", "LOG_LEVEL": "INFO",
		}},
		"loggingConfig": map[string]any{"logFormat": "JSON", "logGroup": "/dbay/prod/functions/withdraw"},
	}
	goodMachine = map[string]any{
		"loggingConfiguration": map[string]any{"level": "ALL", "includeExecutionData": false, "logDestination": "arn:aws:logs:us-east-1:123456789012:log-group:sfn:*"},
		"tracingConfiguration": map[string]any{"enabled": true},
		"definition": jsonString(map[string]any{"StartAt": "Build", "States": map[string]any{
			"Build":  map[string]any{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Fan", "Retry": list1(map[string]any{"ErrorEquals": list1("States.TaskFailed")}), "Catch": list1(map[string]any{"ErrorEquals": list1("States.ALL"), "Next": "Failed"})},
			"Fan":    map[string]any{"Type": "Parallel", "End": true, "Branches": list1(map[string]any{"StartAt": "Notify", "States": map[string]any{"Notify": map[string]any{"Type": "Task", "End": true, "Retry": list1(map[string]any{}), "Catch": list1(map[string]any{})}}})},
			"Failed": map[string]any{"Type": "Fail"},
		}}),
	}
	goodPool = map[string]any{
		"passwordPolicy": map[string]any{"minimumLength": 12, "requireLowercase": true, "requireUppercase": true,
			"requireNumbers": true, "requireSymbols": true, "temporaryPasswordValidityDays": 7},
		"mfaConfiguration": "OPTIONAL", "softwareTokenMfaConfiguration": map[string]any{"enabled": true},
		"userPoolAddOns": map[string]any{"advancedSecurityMode": "ENFORCED"},
	}
)

// bucketSet is a bucket with every S3 configuration resource the rules
// look for, named after it; drop(...) leaves out the given types.
func bucketSet(name string, drop ...string) []*mockengine.Resource {
	all := []*mockengine.Resource{
		res(bucketV2, name, map[string]any{"bucket": name}, out("id", name, "bucket", name, "arn", "arn:aws:s3:::"+name), protected),
		res(publicAccess, name, map[string]any{"bucket": name, "blockPublicAcls": true, "blockPublicPolicy": true, "ignorePublicAcls": true, "restrictPublicBuckets": true}),
		res(bucketSSE, name, map[string]any{"bucket": name, "rules": list1(map[string]any{"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": cmk}, "bucketKeyEnabled": true})}),
		res(tokens.S3BucketPolicy, name, map[string]any{"bucket": name, "policy": doc(tlsOnly(name))}),
		res(bucketVersions, name, map[string]any{"bucket": name, "versioningConfiguration": map[string]any{"status": "Enabled"}}),
		res(bucketLogging, name, map[string]any{"bucket": name, "targetBucket": "access-logs", "targetPrefix": name + "/"}),
		res(bucketLifecycle, name, map[string]any{"bucket": name, "rules": list1(
			map[string]any{"id": "expire-old-versions", "status": "Enabled", "noncurrentVersionExpiration": map[string]any{"noncurrentDays": 30.0}},
			map[string]any{"id": "abort-incomplete-uploads", "status": "Enabled", "abortIncompleteMultipartUpload": map[string]any{"daysAfterInitiation": 7.0}})}),
	}
	var out []*mockengine.Resource
	for _, r := range all {
		if !contains(drop, r.Type) {
			out = append(out, r)
		}
	}
	return out
}

func tlsOnly(bucket string) map[string]any {
	return map[string]any{
		"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
		"Resource":  list1("arn:aws:s3:::"+bucket, "arn:aws:s3:::"+bucket+"/*"),
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	}
}

func concat(groups ...[]*mockengine.Resource) []*mockengine.Resource {
	var out []*mockengine.Resource
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func one(rs ...*mockengine.Resource) []*mockengine.Resource { return rs }
