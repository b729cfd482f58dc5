package baseline

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/config"
)

// MaxPatternLength is the longest filter pattern CloudWatch Logs accepts
// (PutMetricFilter: filterPattern, 0..1024 characters).
const MaxPatternLength = 1024

// ChangeEvents are the Secrets Manager calls that change who may read a
// secret or what it holds: its resource policy, value, rotation,
// replication and deletion.
var ChangeEvents = []string{"PutResourcePolicy", "DeleteResourcePolicy", "UpdateSecret", "RotateSecret", "PutSecretValue",
	"DeleteSecret", "RemoveRegionsFromReplication", "StopReplicationToReplica"}

// KeyEvents are the KMS calls that change who may use the secret's key, or
// make the secret unreadable: its policy, disabling or deleting it.
var KeyEvents = []string{"PutKeyPolicy", "ScheduleKeyDeletion", "DisableKey", "DisableKeyRotation"}

// SecretIDs are the values a caller may pass as SecretId for the secret
// named name whose ARN is arn: the name, the ARN, and the partial ARN
// without the "-" and six random characters Secrets Manager appends to
// the name ("SecretId: The ARN or name of the secret", GetSecretValue API
// reference; "Find secrets from a partial ARN", Secrets Manager User Guide).
func SecretIDs(name, arn string) []string {
	ids := []string{name, arn}
	if i := strings.LastIndex(arn, ":secret:"); i >= 0 {
		tail := arn[i+len(":secret:"):]
		if len(tail) == len(name)+7 && strings.HasPrefix(tail, name+"-") {
			ids = append(ids, arn[:len(arn)-7])
		}
	}
	return ids
}

// anyOf is ( field = v1 || field = v2 ... ).
func anyOf(field string, values []string) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = fmt.Sprintf("(%s = %q)", field, v)
	}
	return "(" + strings.Join(parts, " || ") + ")"
}

// ReadPattern matches a GetSecretValue on the secret (name, arn) in region
// by any principal but the reader roles: a caller that is not an assumed
// role at all (a user, root, a service), or an assumed role whose session
// issuer is none of readerRoleArns. CloudTrail record fields: eventSource,
// eventName, awsRegion, requestParameters.secretId,
// userIdentity.type and userIdentity.sessionContext.sessionIssuer.arn
// ("CloudTrail record contents" and "CloudTrail userIdentity element",
// AWS CloudTrail User Guide); JSON filter syntax: "Using filter patterns
// to match terms in JSON log events", Amazon CloudWatch Logs User Guide.
// Failed attempts match too: the resource policy denies them, and the
// attempt is what must page.
func ReadPattern(region, name, arn string, readerRoleArns []string) string {
	others := make([]string, len(readerRoleArns))
	for i, r := range readerRoleArns {
		others[i] = fmt.Sprintf("($.userIdentity.sessionContext.sessionIssuer.arn != %q)", r)
	}
	return fmt.Sprintf(`{ ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") && ($.awsRegion = %q) && %s && (($.userIdentity.type != "AssumedRole") || (%s)) }`,
		region, anyOf("$.requestParameters.secretId", SecretIDs(name, arn)), strings.Join(others, " && "))
}

// ChangePattern matches any ChangeEvents call on the secret in region, by
// anyone (an operator's runbook put of a new value pages too, as it should).
func ChangePattern(region, name, arn string) string {
	return fmt.Sprintf(`{ ($.eventSource = "secretsmanager.amazonaws.com") && %s && ($.awsRegion = %q) && %s }`,
		anyOf("$.eventName", ChangeEvents), region, anyOf("$.requestParameters.secretId", SecretIDs(name, arn)))
}

// KeyPattern matches any KeyEvents call on the key in region, named by its
// key id or ARN (these calls take no alias: KMS API reference, KeyId).
func KeyPattern(region, keyArn string) string {
	ids := []string{keyArn}
	if i := strings.LastIndex(keyArn, ":key/"); i >= 0 {
		ids = append([]string{keyArn[i+len(":key/"):]}, ids...)
	}
	return fmt.Sprintf(`{ ($.eventSource = "kms.amazonaws.com") && %s && ($.awsRegion = %q) && %s }`,
		anyOf("$.eventName", KeyEvents), region, anyOf("$.requestParameters.keyId", ids))
}

// MetricName is the metric a watched secret's filters publish to:
// "<name, lowercase, dashes>-<what>" (wallet-master-xpriv-read).
func MetricName(item, what string) string {
	return strings.ReplaceAll(strings.ToLower(item), "_", "-") + "-" + what
}

// watch creates, for every watched secret and every Region it exists in,
// the read, change and key filters on the trail's log group, and declares
// one read and one change alarm per secret.
func (b *Baseline) watch(ctx *pulumi.Context) error {
	ns := b.namespace()
	for _, w := range b.args.Watch {
		if len(w.Regions) == 0 {
			return fmt.Errorf("baseline: watched secret %s has no region", w.Item)
		}
		read, change := MetricName(w.Item, "read"), MetricName(w.Item, "change")
		for i, region := range w.Regions {
			i, region, w := i, region, w
			arn := w.ARNs.Index(pulumi.Int(i))
			key := w.KeyArns.Index(pulumi.Int(i))
			filters := []struct {
				name, metric string
				pattern      pulumi.StringOutput
			}{
				{read + "-" + region, read, pulumi.All(arn, w.ReaderRoleArns).ApplyT(func(v []any) (string, error) {
					return checked(ReadPattern(region, w.SecretName, v[0].(string), v[1].([]string)))
				}).(pulumi.StringOutput)},
				{change + "-" + region, change, arn.ApplyT(func(a string) (string, error) {
					return checked(ChangePattern(region, w.SecretName, a))
				}).(pulumi.StringOutput)},
				{MetricName(w.Item, "key") + "-" + region, change, key.ApplyT(func(k string) (string, error) {
					return checked(KeyPattern(region, k))
				}).(pulumi.StringOutput)},
			}
			for _, f := range filters {
				if _, err := cloudwatch.NewLogMetricFilter(ctx, f.name, &cloudwatch.LogMetricFilterArgs{
					LogGroupName: b.TrailLogGroup,
					Pattern:      f.pattern,
					MetricTransformation: &cloudwatch.LogMetricFilterMetricTransformationArgs{
						Name: pulumi.String(f.metric), Namespace: pulumi.String(ns),
						Value: pulumi.String("1"), DefaultValue: pulumi.String("0"), Unit: pulumi.String("Count"),
					},
				}, pulumi.Parent(b)); err != nil {
					return err
				}
			}
		}
		b.specs = append(b.specs,
			alarm.Spec{Kind: config.AlarmSecuritySecretRead, Name: read,
				Description: fmt.Sprintf("%s was read (or a read was attempted) by a principal other than its reader roles: find the caller in the trail (eventName GetSecretValue) and treat the wallet as compromised until explained.", w.Item),
				Namespace:   ns, Metric: read, Statistic: "Sum", Period: 60, Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
			alarm.Spec{Kind: config.AlarmSecuritySecretChange, Name: change,
				Description: fmt.Sprintf("%s or its KMS key changed (policy, value, rotation, replication, deletion, key policy or state): find the call in the trail and confirm it was a planned change.", w.Item),
				Namespace:   ns, Metric: change, Statistic: "Sum", Period: 60, Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
		)
	}
	return nil
}

// checked refuses a pattern CloudWatch Logs would refuse.
func checked(p string) (string, error) {
	if len(p) > MaxPatternLength {
		return "", fmt.Errorf("baseline: filter pattern of %d characters exceeds CloudWatch Logs' %d: %s", len(p), MaxPatternLength, p)
	}
	return p, nil
}

var _ alarm.Source = (*Baseline)(nil)
