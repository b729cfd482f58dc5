package serverless

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
)

const (
	// dlqRetentionSeconds is the longest SQS keeps a message: 14 days.
	dlqRetentionSeconds = 14 * 24 * 3600
)

// newKey creates the component's CMK: function environments (Lambda uses
// it through the grant it creates for each function's role), the log
// groups (CloudWatch Logs, for this account's log groups only) and the
// dead-letter queues (EventBridge delivers to them on this account's behalf).
func (s *Serverless) newKey(ctx *pulumi.Context) error {
	a := s.args
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			iamdoc.AccountRoot(s.account, a.Partition),
			iamdoc.LogsUseKey(s.account, a.Partition, a.Region, "*"),
			iam.GetPolicyDocumentStatementArgs{
				Sid:        pulumi.String("EventBridgeDeliversDeadLetters"),
				Effect:     pulumi.String("Allow"),
				Actions:    pulumi.ToStringArray([]string{"kms:GenerateDataKey*", "kms:Decrypt"}),
				Principals: servicePrincipal("events.amazonaws.com"),
				Resources:  pulumi.ToStringArray([]string{"*"}),
				Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
					Test: pulumi.String("StringEquals"), Variable: pulumi.String("aws:SourceAccount"), Values: pulumi.StringArray{s.account},
				}},
			},
		},
	}, pulumi.Parent(s))
	key, err := kms.NewKey(ctx, "serverless-key", &kms.KeyArgs{
		Description:          pulumi.Sprintf("%s serverless: function environments, logs, dead-letter queues", a.Project),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy:               doc.Json(),
	}, pulumi.Parent(s), pulumi.Protect(a.Protect))
	if err != nil {
		return err
	}
	if _, err := kms.NewAlias(ctx, "serverless-key-alias", &kms.AliasArgs{
		Name:        pulumi.Sprintf("alias/%s-%s-serverless", a.Project, a.Stack),
		TargetKeyId: key.KeyId,
	}, pulumi.Parent(s)); err != nil {
		return err
	}
	s.key = key
	return nil
}

// newDLQs creates the dead-letter queues the configuration needs: one for
// failed asynchronous invocations (Lambda on-failure destination) and one
// for events the bus or the scheduler could not deliver. Both are
// encrypted, TLS-only and kept 14 days.
func (s *Serverless) newDLQs(ctx *pulumi.Context) error {
	spec := s.args.Spec
	async, delivered := false, len(spec.Rules) > 0 || len(spec.Workflows) > 0
	for _, f := range spec.Functions {
		async = async || f.Async
		delivered = delivered || f.Schedule != ""
	}
	var err error
	if async {
		if s.fnDLQ, err = s.newDLQ(ctx, "functions-dlq", "failed asynchronous invocations"); err != nil {
			return err
		}
		if _, err := sqs.NewQueuePolicy(ctx, "functions-dlq", &sqs.QueuePolicyArgs{
			QueueUrl: s.fnDLQ.Url,
			Policy:   s.policyJSON(ctx, denyInsecureTransport(s.fnDLQ.Arn)),
		}, pulumi.Parent(s)); err != nil {
			return err
		}
	}
	if delivered {
		s.eventsDLQ, err = s.newDLQ(ctx, "events-dlq", "events the bus or the scheduler could not deliver")
	}
	return err
}

func (s *Serverless) newDLQ(ctx *pulumi.Context, name, what string) (*sqs.Queue, error) {
	return sqs.NewQueue(ctx, name, &sqs.QueueArgs{
		KmsMasterKeyId:               s.key.Arn,
		KmsDataKeyReusePeriodSeconds: pulumi.Int(300),
		MessageRetentionSeconds:      pulumi.Int(dlqRetentionSeconds),
		Tags:                         pulumi.StringMap{"purpose": pulumi.String(what)},
	}, pulumi.Parent(s), pulumi.Protect(s.args.Protect))
}

// deliver writes the events DLQ's policy (EventBridge may send to it on
// behalf of the component's rules only) and then the targets waiting for it.
func (s *Serverless) deliver(ctx *pulumi.Context) error {
	if s.eventsDLQ == nil {
		return nil
	}
	statements := []iam.GetPolicyDocumentStatementInput{denyInsecureTransport(s.eventsDLQ.Arn)}
	if len(s.ruleArns) > 0 {
		statements = append(statements, iam.GetPolicyDocumentStatementArgs{
			Sid:        pulumi.String("ComponentRulesDeliverDeadLetters"),
			Effect:     pulumi.String("Allow"),
			Actions:    pulumi.ToStringArray([]string{"sqs:SendMessage"}),
			Principals: servicePrincipal("events.amazonaws.com"),
			Resources:  pulumi.StringArray{s.eventsDLQ.Arn},
			Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
				Test: pulumi.String("ArnEquals"), Variable: pulumi.String("aws:SourceArn"), Values: s.ruleArns,
			}},
		})
	}
	qp, err := sqs.NewQueuePolicy(ctx, "events-dlq", &sqs.QueuePolicyArgs{
		QueueUrl: s.eventsDLQ.Url,
		Policy:   s.policyJSON(ctx, statements...),
	}, pulumi.Parent(s))
	if err != nil {
		return err
	}
	for _, d := range s.deliveries {
		if err := d(qp); err != nil {
			return err
		}
	}
	return nil
}

func servicePrincipal(service string) iam.GetPolicyDocumentStatementPrincipalArray {
	return iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
		Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{service}),
	}}
}

// allow is an identity-policy statement on the given resources.
func allow(sid string, actions []string, resources ...pulumi.StringInput) iam.GetPolicyDocumentStatementArgs {
	return iam.GetPolicyDocumentStatementArgs{
		Sid: pulumi.String(sid), Effect: pulumi.String("Allow"),
		Actions: pulumi.ToStringArray(actions), Resources: pulumi.StringArray(resources),
	}
}

// keyViaSQS lets a role use the component key only through SQS (sending to
// the encrypted dead-letter queues).
func (s *Serverless) keyViaSQS() iam.GetPolicyDocumentStatementArgs {
	st := allow("KeyViaSQS", []string{"kms:GenerateDataKey", "kms:Decrypt"}, s.key.Arn)
	st.Conditions = iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
		Test: pulumi.String("StringEquals"), Variable: pulumi.String("kms:ViaService"),
		Values: pulumi.ToStringArray([]string{fmt.Sprintf("sqs.%s.amazonaws.com", s.args.Region)}),
	}}
	return st
}

// denyInsecureTransport refuses every request to the queue not made over
// TLS; its "*" principal only ever takes access away.
func denyInsecureTransport(queueArn pulumi.StringOutput) iam.GetPolicyDocumentStatementArgs {
	return iam.GetPolicyDocumentStatementArgs{
		Sid:    pulumi.String("DenyInsecureTransport"),
		Effect: pulumi.String("Deny"),
		Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
			Type: pulumi.String("*"), Identifiers: pulumi.ToStringArray([]string{"*"}),
		}},
		Actions:   pulumi.ToStringArray([]string{"sqs:*"}),
		Resources: pulumi.StringArray{queueArn},
		Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
			Test: pulumi.String("Bool"), Variable: pulumi.String("aws:SecureTransport"), Values: pulumi.ToStringArray([]string{"false"}),
		}},
	}
}

func (s *Serverless) policyJSON(ctx *pulumi.Context, statements ...iam.GetPolicyDocumentStatementInput) pulumi.StringOutput {
	return iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray(statements),
	}, pulumi.Parent(s)).Json()
}

// role creates a role the given service assumes for this account, with an
// inline policy "<name>" of the given statements.
func (s *Serverless) role(ctx *pulumi.Context, name, service, desc string, statements ...iam.GetPolicyDocumentStatementInput) (*iam.Role, *iam.RolePolicy, error) {
	r, err := iam.NewRole(ctx, name, &iam.RoleArgs{
		Description:      pulumi.String(desc),
		AssumeRolePolicy: iamdoc.ServiceTrust(ctx, s, service, s.account),
	}, pulumi.Parent(s))
	if err != nil {
		return nil, nil, err
	}
	rp, err := iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: r.Name, Policy: s.policyJSON(ctx, statements...)}, pulumi.Parent(s))
	return r, rp, err
}

// marshal renders a value as compact JSON, without HTML escaping (">="
// stays readable in the console).
func marshal(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // plain maps, slices and ASL structs always marshal
	}
	return strings.TrimSuffix(b.String(), "\n")
}
