package policy

import "github.com/dbay/infra/internal/mockengine"

func init() { topicFixtureSets = append(topicFixtureSets, auditFixtures) }

// auditFixtures are the fixtures of the security baseline rules.
func auditFixtures() map[string]fixture {
	const (
		fsbp      = "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0"
		xprivName = "dbay/prod/WALLET_MASTER_XPRIV"
		xprivArn  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:dbay/prod/WALLET_MASTER_XPRIV-AbCdEf"
	)
	regional := res(awsProvider, regionalDefault, map[string]any{"region": "us-east-1"})
	east := inRegion("us-east-1")
	goodTrail := map[string]any{
		"isMultiRegionTrail": true, "includeGlobalServiceEvents": true, "enableLogFileValidation": true, "kmsKeyId": cmk,
		"cloudWatchLogsGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/dbay/prod/cloudtrail:*",
		"cloudWatchLogsRoleArn":  "arn:aws:iam::123456789012:role/trail-logs",
	}
	baseline := func(detector map[string]any, standard string) []any {
		return []any{
			res(detectorType, "guardduty", detector, east), res(hubType, "securityhub", map[string]any{}, east),
			res(standardType, "fsbp", map[string]any{"standardsArn": standard}, east),
			res(analyzerType, "access-analyzer", map[string]any{"analyzerName": "dbay-prod", "type": "ACCOUNT"}, east),
		}
	}
	// stack flattens resources and lists of them into one stack.
	stack := func(rs ...any) []*mockengine.Resource {
		var out []*mockengine.Resource
		for _, r := range rs {
			switch v := r.(type) {
			case *mockengine.Resource:
				out = append(out, v)
			case []any:
				for _, x := range v {
					out = append(out, x.(*mockengine.Resource))
				}
			}
		}
		return out
	}

	singleReader := res(secretPolicy, "WALLET_MASTER_XPRIV", map[string]any{"secretArn": xprivArn,
		"policy": doc(map[string]any{"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Principal": "*", "Resource": "*"})})
	xpriv := res(secret, "WALLET_MASTER_XPRIV", map[string]any{"name": xprivName}, out("arn", xprivArn))
	const ownKey = "arn:aws:kms:us-east-1:123456789012:key/mrk-0wn"
	others := map[string]any{"ArnNotEquals": map[string]any{"aws:PrincipalArn": "arn:aws:iam::123456789012:role/dbay-break-glass"}}
	sealedPolicy := res(secretPolicy, "WALLET_MASTER_XPRIV", map[string]any{"secretArn": xprivArn, "policy": doc(
		map[string]any{"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Principal": "*", "Resource": "*", "Condition": others},
		map[string]any{"Effect": "Deny", "Action": []any{"secretsmanager:PutSecretValue"}, "Principal": "*", "Resource": "*", "Condition": others},
		map[string]any{"Effect": "Deny", "Action": []any{"secretsmanager:UpdateSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy",
			"secretsmanager:DeleteSecret", "secretsmanager:ReplicateSecretToRegions"}, "Principal": "*", "Resource": "*", "Condition": others})})
	filter := func(name, event, metric string) *mockengine.Resource {
		return res(metricFilter, name, map[string]any{"logGroupName": "/dbay/prod/cloudtrail",
			"pattern":              `{ ($.eventName = "` + event + `") && ($.requestParameters.secretId = "` + xprivName + `") }`,
			"metricTransformation": map[string]any{"name": metric, "namespace": "dbay/prod/security", "value": "1"}})
	}
	alarmOn := func(metric string, actions bool) *mockengine.Resource {
		in := map[string]any{"metricName": metric, "namespace": "dbay/prod/security"}
		if actions {
			in["alarmActions"] = list1("arn:aws:sns:us-east-1:123456789012:alerts")
		}
		return res(metricAlarm, metric, in)
	}
	return map[string]fixture{
		"security-baseline-present": {
			good: stack(regional, res(awsProvider, "us-west-2", map[string]any{"region": "us-west-2"}),
				baseline(map[string]any{"enable": true}, fsbp), res(trailType, "trail", goodTrail, east)),
			// Today's stacks: nothing at all; and a baseline with the
			// detector off, CIS instead of FSBP and a single-Region trail.
			bad: stack(regional, baseline(map[string]any{"enable": false}, "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"),
				res(trailType, "trail", with(goodTrail, "isMultiRegionTrail", false), east)),
		},
		"cloudtrail-log-validation-kms": {
			good: one(res(trailType, "trail", goodTrail)),
			bad: one(res(trailType, "trail", with(goodTrail, "enableLogFileValidation", false, "kmsKeyId", nil)),
				res(trailType, "regional-only", with(goodTrail, "isMultiRegionTrail", false, "cloudWatchLogsGroupArn", nil))),
		},
		"single-reader-secret-sealed": {
			good: one(sealedPolicy, res(secret, "WALLET_MASTER_XPRIV", map[string]any{"name": xprivName, "kmsKeyId": ownKey}, out("arn", xprivArn)),
				res(kmsKey, "WALLET_MASTER_XPRIV-key", map[string]any{"enableKeyRotation": true, "policy": doc(
					map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::123456789012:role/dbay-ci-deploy"}, "Action": "kms:PutKeyPolicy", "Resource": "*"},
					map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:Decrypt", "Resource": "*",
						"Condition": map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": "arn:aws:iam::123456789012:role/dbay-build-and-sign-tx-us-east-1"}}})},
					out("arn", ownKey)),
				res(secret, "JWT_SECRET", map[string]any{"name": "dbay/prod/JWT_SECRET", "kmsKeyId": cmk})),
			// Today's prod: only reads denied; the key shared with every
			// secret and trusting the account root for kms:*.
			bad: one(singleReader, res(secret, "WALLET_MASTER_XPRIV", map[string]any{"name": xprivName, "kmsKeyId": ownKey}, out("arn", xprivArn)),
				res(kmsKey, "secrets-key", map[string]any{"enableKeyRotation": true, "policy": doc(
					map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"})},
					out("arn", ownKey)),
				res(secret, "JWT_SECRET", map[string]any{"name": "dbay/prod/JWT_SECRET", "kmsKeyId": ownKey})),
		},
		"single-reader-secret-alarmed": {
			good: one(singleReader, xpriv, filter("read", "GetSecretValue", "xpriv-read"), alarmOn("xpriv-read", true),
				filter("change", "PutResourcePolicy", "xpriv-change"), alarmOn("xpriv-change", true)),
			// Today's prod: the deny policy and nothing watching it; and
			// a read filter whose alarm has no action.
			bad: one(singleReader, xpriv, filter("read", "GetSecretValue", "xpriv-read"), alarmOn("xpriv-read", false)),
		},
	}
}
