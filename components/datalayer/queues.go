package datalayer

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
)

const (
	// dlqRetentionSeconds is the longest SQS keeps a message: 14 days.
	dlqRetentionSeconds = 14 * 24 * 3600
	// kmsDataKeyReuseSeconds bounds KMS calls per queue.
	kmsDataKeyReuseSeconds = 300
	// receiveWaitSeconds turns on long polling.
	receiveWaitSeconds = 20
	// The bus keeps retrying delivery to a queue for a day (EventBridge's
	// maxima, made explicit), then puts the event in the queue's DLQ.
	targetMaxEventAgeSeconds = 24 * 3600
	targetMaxRetryAttempts   = 185
)

// newQueues creates each configured queue with its dead-letter queue, both
// encrypted with the layer key, and, for a queue with sources, the bus rule
// feeding it and the queue policies admitting that rule only.
func (d *DataLayer) newQueues(ctx *pulumi.Context) error {
	specs := d.args.Spec.Queues
	names := make([]string, 0, len(specs))
	for n := range specs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		q, err := d.newQueue(ctx, name, specs[name])
		if err != nil {
			return err
		}
		d.queues[name] = q
	}
	return nil
}

func (d *DataLayer) newQueue(ctx *pulumi.Context, name string, spec config.Queue) (*Queue, error) {
	dlq, err := sqs.NewQueue(ctx, name+"-dlq", &sqs.QueueArgs{
		KmsMasterKeyId:               d.key.Arn,
		KmsDataKeyReusePeriodSeconds: pulumi.Int(kmsDataKeyReuseSeconds),
		MessageRetentionSeconds:      pulumi.Int(dlqRetentionSeconds),
	}, d.protect()...)
	if err != nil {
		return nil, err
	}
	q, err := sqs.NewQueue(ctx, name, &sqs.QueueArgs{
		KmsMasterKeyId:               d.key.Arn,
		KmsDataKeyReusePeriodSeconds: pulumi.Int(kmsDataKeyReuseSeconds),
		VisibilityTimeoutSeconds:     pulumi.Int(spec.VisibilityTimeoutSeconds),
		MessageRetentionSeconds:      pulumi.Int(spec.MessageRetentionSeconds),
		ReceiveWaitTimeSeconds:       pulumi.Int(receiveWaitSeconds),
		RedrivePolicy: jsonOf(dlq.Arn, func(arn string) any {
			return map[string]any{"deadLetterTargetArn": arn, "maxReceiveCount": spec.MaxReceiveCount}
		}),
	}, d.protect()...)
	if err != nil {
		return nil, err
	}
	if _, err := sqs.NewRedriveAllowPolicy(ctx, name+"-dlq", &sqs.RedriveAllowPolicyArgs{
		QueueUrl: dlq.Url,
		RedriveAllowPolicy: jsonOf(q.Arn, func(arn string) any {
			return map[string]any{"redrivePermission": "byQueue", "sourceQueueArns": []string{arn}}
		}),
	}, pulumi.Parent(d)); err != nil {
		return nil, err
	}

	queueStatements := []iam.GetPolicyDocumentStatementInput{denyInsecureTransport("sqs:*", q.Arn)}
	dlqStatements := []iam.GetPolicyDocumentStatementInput{denyInsecureTransport("sqs:*", dlq.Arn)}
	var rule *cloudwatch.EventRule
	if pattern := spec.EventPattern(); pattern != "" {
		if d.bus == nil {
			return nil, fmt.Errorf("datalayer: queue %s subscribes to the bus, but this stack has none", name)
		}
		rule, err = cloudwatch.NewEventRule(ctx, name, &cloudwatch.EventRuleArgs{
			Description:  pulumi.Sprintf("%s events for the %s queue", d.args.Project, name),
			EventBusName: d.bus.Name,
			EventPattern: pulumi.String(pattern),
			State:        pulumi.String(ruleState(d.args.Passive)),
		}, pulumi.Parent(d))
		if err != nil {
			return nil, err
		}
		queueStatements = append(queueStatements, ruleDelivers(q.Arn, rule.Arn))
		dlqStatements = append(dlqStatements, ruleDelivers(dlq.Arn, rule.Arn))
	}
	queuePolicy, err := sqs.NewQueuePolicy(ctx, name, &sqs.QueuePolicyArgs{
		QueueUrl: q.Url, Policy: d.policyJSON(ctx, queueStatements...),
	}, pulumi.Parent(d))
	if err != nil {
		return nil, err
	}
	dlqPolicy, err := sqs.NewQueuePolicy(ctx, name+"-dlq", &sqs.QueuePolicyArgs{
		QueueUrl: dlq.Url, Policy: d.policyJSON(ctx, dlqStatements...),
	}, pulumi.Parent(d))
	if err != nil {
		return nil, err
	}
	if rule != nil {
		if _, err := cloudwatch.NewEventTarget(ctx, name, &cloudwatch.EventTargetArgs{
			Rule:         rule.Name,
			EventBusName: d.bus.Name,
			Arn:          q.Arn,
			RetryPolicy: &cloudwatch.EventTargetRetryPolicyArgs{
				MaximumEventAgeInSeconds: pulumi.Int(targetMaxEventAgeSeconds),
				MaximumRetryAttempts:     pulumi.Int(targetMaxRetryAttempts),
			},
			DeadLetterConfig: &cloudwatch.EventTargetDeadLetterConfigArgs{Arn: dlq.Arn},
		}, pulumi.Parent(d), pulumi.DependsOn([]pulumi.Resource{queuePolicy, dlqPolicy})); err != nil {
			return nil, err
		}
	}
	return &Queue{URL: q.Url, Arn: q.Arn, DLQArn: dlq.Arn, Name: q.Name, DLQName: dlq.Name, logical: name, d: d}, nil
}

// ruleDelivers admits EventBridge to a queue on behalf of one rule only.
func ruleDelivers(queueArn, ruleArn pulumi.StringOutput) iam.GetPolicyDocumentStatementArgs {
	return iam.GetPolicyDocumentStatementArgs{
		Sid:     pulumi.String("BusRuleDelivers"),
		Effect:  pulumi.String("Allow"),
		Actions: pulumi.ToStringArray([]string{"sqs:SendMessage"}),
		Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
			Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{"events.amazonaws.com"}),
		}},
		Resources: pulumi.StringArray{queueArn},
		Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
			Test: pulumi.String("ArnEquals"), Variable: pulumi.String("aws:SourceArn"), Values: pulumi.StringArray{ruleArn},
		}},
	}
}

// jsonOf marshals the value built from an ARN once it is known.
func jsonOf(arn pulumi.StringOutput, build func(string) any) pulumi.StringOutput {
	return arn.ApplyT(func(a string) (string, error) {
		b, err := json.Marshal(build(a))
		return string(b), err
	}).(pulumi.StringOutput)
}

// GrantConsume lets the grantee receive, delete and re-time messages of
// this queue, decrypting them with the layer key through SQS only.
func (q *Queue) GrantConsume(ctx *pulumi.Context, g iamdoc.Grantee) (iamdoc.Grant, error) {
	return iamdoc.AttachGrant(ctx, q.d, g, q.logical+"-consume", iam.GetPolicyDocumentStatementArray{
		allowOn("Consume", []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"}, q.Arn),
		q.d.keyVia("sqs", "kms:Decrypt"),
	})
}

// GrantSend lets the grantee send messages to this queue, encrypting them
// with the layer key through SQS only.
func (q *Queue) GrantSend(ctx *pulumi.Context, g iamdoc.Grantee) (iamdoc.Grant, error) {
	return iamdoc.AttachGrant(ctx, q.d, g, q.logical+"-send", iam.GetPolicyDocumentStatementArray{
		allowOn("Send", []string{"sqs:SendMessage"}, q.Arn),
		q.d.keyVia("sqs", "kms:GenerateDataKey", "kms:Decrypt"),
	})
}

// Env is the queue's connection variable, SQS_QUEUE_URL (seed §4.7).
func (q *Queue) Env() map[string]pulumi.StringOutput {
	return map[string]pulumi.StringOutput{config.QueueURLVariable: q.URL}
}

// ruleState is a bus rule's State: DISABLED in a passive (standby) stack.
func ruleState(passive bool) string {
	if passive {
		return "DISABLED"
	}
	return "ENABLED"
}
