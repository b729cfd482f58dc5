package serverless

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/internal/policy"
	"github.com/dbay/infra/config"
)

const (
	// dlqRetentionSeconds is the longest SQS keeps a message: 14 days.
	dlqRetentionSeconds = 14 * 24 * 3600
	sgPrivate           = "lambdas"
	sgInternet          = "lambdas-internet"
)

// newKey creates the component's CMK: function environments (Lambda uses
// it through the grant it creates for each function's role), the log
// groups (CloudWatch Logs, for this account's log groups only) and the
// dead-letter queues (EventBridge delivers to them on this account's behalf).
func (s *Serverless) newKey(ctx *pulumi.Context) error {
	a := s.args
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			policy.AccountRoot(s.account, a.Partition),
			policy.LogsUseKey(s.account, a.Partition, a.Region, "*"),
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

// newSecurityGroups creates the functions' security groups: "lambdas"
// (VPC destinations only) and, when a function needs the internet,
// "lambdas-internet" (also HTTPS anywhere, through the NAT gateways).
// Neither has ingress. Each reaches the VPC endpoints, the stores its
// functions use (through the data layer's AllowFrom) and S3 when a
// function uses a bucket; the services are opened by the fleet's AllowFrom
// (see Consumers).
func (s *Serverless) newSecurityGroups(ctx *pulumi.Context) error {
	a := s.args
	groups := map[string]bool{sgPrivate: true}
	for name, f := range a.Spec.Functions {
		groups[s.sgOf(name, f)] = true
	}
	for _, name := range sortedKeys(groups) {
		desc := "Lambda functions: no ingress; egress to the VPC endpoints, their stores and services"
		if name == sgInternet {
			desc = "Lambda functions that call the internet: no ingress; egress as lambdas plus HTTPS anywhere"
		}
		sg, err := ec2.NewSecurityGroup(ctx, name, &ec2.SecurityGroupArgs{
			VpcId:       a.Network.VpcID,
			Description: pulumi.String(desc),
		}, pulumi.Parent(s))
		if err != nil {
			return err
		}
		s.sgs[name] = sg
		if err := s.egress(ctx, name+"-to-endpoints", sg, "HTTPS to the VPC interface endpoints", func(r *vpc.SecurityGroupEgressRuleArgs) {
			r.ReferencedSecurityGroupId = a.Network.EndpointSecurityGroupID
		}); err != nil {
			return err
		}
		if name == sgInternet {
			if err := s.egress(ctx, name+"-to-internet", sg, "HTTPS to the internet through NAT (e.g. the Dogecoin RPC provider)", func(r *vpc.SecurityGroupEgressRuleArgs) {
				r.CidrIpv4 = pulumi.String("0.0.0.0/0")
			}); err != nil {
				return err
			}
		}
		stores, buckets := s.storesOf(name)
		if len(stores) > 0 {
			if err := a.Data.AllowFrom(ctx, name, sg, stores...); err != nil {
				return err
			}
		}
		if buckets {
			s3 := ec2.LookupManagedPrefixListOutput(ctx, ec2.LookupManagedPrefixListOutputArgs{
				Name: pulumi.Sprintf("com.amazonaws.%s.s3", a.Region),
			}, pulumi.Parent(s))
			if err := s.egress(ctx, name+"-to-s3", sg, "HTTPS to S3 through the gateway endpoint", func(r *vpc.SecurityGroupEgressRuleArgs) {
				r.PrefixListId = s3.Id()
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Serverless) egress(ctx *pulumi.Context, name string, sg *ec2.SecurityGroup, desc string, to func(*vpc.SecurityGroupEgressRuleArgs)) error {
	args := &vpc.SecurityGroupEgressRuleArgs{
		SecurityGroupId: sg.ID(),
		IpProtocol:      pulumi.String("tcp"),
		FromPort:        pulumi.Int(443),
		ToPort:          pulumi.Int(443),
		Description:     pulumi.String(desc),
	}
	to(args)
	_, err := vpc.NewSecurityGroupEgressRule(ctx, name, args, pulumi.Parent(s))
	return err
}

// sgOf is the security group a function runs in: with internet access
// when it asks for it, or when it calls an AWS API the network has no VPC
// endpoint for, reached through NAT on 443: EventBridge (a publisher),
// SQS, SES; the
// authorizers fetch the user pool's signing keys (cognito-idp's
// /.well-known/jwks.json), and the WebSocket function posts to its
// clients through the API Gateway management API (execute-api: an
// execute-api endpoint with private DNS would serve private APIs only and
// break every call to the public ones).
func (s *Serverless) sgOf(name string, f config.LambdaFunction) string {
	if f.Internet || len(f.Publishes) > 0 || s.isAuthorizer(name) || s.isWebSocketRouter(name) {
		return sgInternet
	}
	for _, u := range f.Uses {
		if kind, _, _ := strings.Cut(u, ":"); kind == "queue" || kind == "ses" {
			return sgInternet
		}
	}
	return sgPrivate
}

// networkStores maps `uses` entries to the data layer's network-reachable stores.
var networkStores = map[string]datalayer.Store{
	"postgres": datalayer.Postgres, "mongo": datalayer.DocumentDB, "redis": datalayer.Redis,
	"memcached": datalayer.Memcached, "search": datalayer.OpenSearch,
}

// storesOf lists the stores the functions of a security group use, and
// whether one of them uses a bucket.
func (s *Serverless) storesOf(sg string) ([]datalayer.Store, bool) {
	set, buckets := map[string]datalayer.Store{}, false
	for name, f := range s.args.Spec.Functions {
		if s.sgOf(name, f) != sg {
			continue
		}
		for _, u := range f.Uses {
			if st, ok := networkStores[u]; ok {
				set[u] = st
			}
			buckets = buckets || strings.HasPrefix(u, "bucket:")
		}
	}
	var out []datalayer.Store
	for _, k := range sortedKeys(set) {
		out = append(out, set[k])
	}
	return out, buckets
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
		AssumeRolePolicy: policy.ServiceTrust(ctx, s, service, s.account),
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
