// Package drlink is what a DR pair keeps in the recovery Region so that the
// recovery stack never needs the primary's Region: the failover switch and
// the primary's last DR contract.
//
// The failover switch. Route 53's control plane (UpdateHealthCheck, and so
// `update-health-check --inverted`) runs in us-east-1 only, and AWS's DR
// guidance is to rely on data-plane operations during recovery: Route 53
// evaluates health checks and answers queries from its data plane
// (Well-Architected REL11-BP04,
// https://docs.aws.amazon.com/wellarchitected/2022-03-31/framework/rel_withstand_component_failures_avoid_control_plane.html;
// "Creating Disaster Recovery Mechanisms Using Amazon Route 53",
// https://aws.amazon.com/blogs/networking-and-content-delivery/creating-disaster-recovery-mechanisms-using-amazon-route-53/).
// So the PRIMARY records answer to a CLOUDWATCH_METRIC health check on an
// alarm in the recovery Region (SwitchAlarmName), over a metric that
// publishers send every minute with PutMetricData — CloudWatch's data
// plane, in the recovery Region — through an EventBridge Scheduler
// universal target (arn:aws:scheduler:::aws-sdk:cloudwatch:putMetricData,
// https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html).
// Each publisher's value is configuration: 1 from a recovery stack made
// active (fleet.standby: active) and from a fenced primary (dr.fenced), 0
// otherwise; the alarm takes the Maximum, so Route 53 answers from the
// recovery Region while either says so. `pulumi up` reproduces the switch
// instead of undoing it, and flipping it needs only the recovery Region.
// When no data arrives the health check keeps its last status
// (InsufficientDataHealthStatus LastKnownStatus; a new check starts
// healthy: https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html).
//
// The contract. The primary writes its DR contract into the recovery
// Region on every `pulumi up` (Publish): the plain fields as an SSM
// parameter, the secret ones as a Secrets Manager secret under the
// secrets key's replica there, readable only by the deploy and
// break-glass roles. The recovery stack reads both with data sources in
// its own Region (stacks.ReadContract), never through a StackReference.
package drlink

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/scheduler"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/components/internal/outputs"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
)

const typeToken = "dbay:components:DRLink"

// Size limits of the replicated contract's two halves, in bytes: an SSM
// String parameter's value on the Standard tier is at most 4 KB (4096
// characters) and on the Advanced tier 8 KB
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html);
// a Secrets Manager secret value at most 65,536 bytes
// (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html).
const (
	StandardParameterMax = 4096
	AdvancedParameterMax = 8192
	SecretValueMax       = 65536
)

// ParameterTier is the SSM tier of the plain contract: Intelligent-Tiering
// keeps it Standard (free) while the value fits in 4 KB and makes it
// Advanced ($0.05 a month, up to 8 KB) when it outgrows that
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-default-tier.html).
// DBay's is 3,889 bytes and Dhanam's 4,058 (secret ARNs and keys by name,
// image replica URLs): one more secret tips Dhanam over, with no code
// change. tests/drlink_test.go checks each shipped stack's value against
// the 8 KB ceiling.
const ParameterTier = "Intelligent-Tiering"

// ParameterName is where a primary's plain contract lives in the recovery
// Region; SecretName its secret fields.
func ParameterName(project, primaryStack string) string {
	return fmt.Sprintf("/%s/%s/dr/contract", project, primaryStack)
}

// SecretName is the Secrets Manager secret holding the contract's secret fields.
func SecretName(project, primaryStack string) string {
	return fmt.Sprintf("%s/%s/dr/contract-secrets", project, primaryStack)
}

// SwitchAlarmName is the failover switch's alarm in the recovery Region.
func SwitchAlarmName(project, primaryStack string) string {
	return project + "-" + primaryStack + "-failover-switch"
}

// SwitchNamespace, SwitchMetric and SwitchDimension are the metric the
// publishers send (dimension value: <project>-<primaryStack>).
func SwitchNamespace(project string) string { return project + "/Failover" }

const (
	SwitchMetric    = "RecoveryServes"
	SwitchDimension = "Pair"
)

// Args configures the link. Zero values take the defaults documented on each field.
type Args struct {
	// Env is the stack's: Project required, Stack this stack's, Partition
	// empty: "aws"; Protect keeps a primary's contract secret from being
	// deleted by accident. Env.Region (the stack's own) is not used: the
	// link lives in RecoveryRegion.
	config.Env
	// PrimaryStack is the pair's primary stack name (this stack's own in a
	// primary).
	PrimaryStack string
	// RecoveryRegion is the recovery Region, where everything lives; the
	// caller's provider option must deploy there. It is NOT Env.Region in
	// a primary (there it is the drRegion), hence its own field.
	RecoveryRegion string
	// Primary creates the switch's alarm (a primary deploys first, and the
	// health checks of its PRIMARY records need the alarm to exist).
	Primary bool
	// SwitchOn is this stack's publisher's value: true sends 1.
	SwitchOn bool
	// Contract is where a primary's contract secret is kept. Required
	// with Primary.
	Contract *ContractArgs
}

// ContractArgs are the contract secret's key and principals.
type ContractArgs struct {
	// KeyArn encrypts the secret half: a key available in the recovery
	// Region (the secrets key's replica there).
	KeyArn pulumi.StringInput
	// Readers are the role ARNs that may read the secret half (the deploy
	// role that runs `pulumi up` on the recovery stack, and break-glass);
	// every other principal is denied, whatever its IAM policy says.
	Readers pulumi.StringArray
	// Writer is the role that writes it (the deploy role).
	Writer pulumi.StringOutput
}

// DRLink is the switch and, in a primary, the replicated contract.
type DRLink struct {
	pulumi.ResourceState
	// SwitchAlarm is the alarm's name once it exists (primary; "" in a
	// recovery stack, which only publishes).
	SwitchAlarm pulumi.StringOutput `pulumi:"switchAlarm"`
	// PublisherValue is what this stack sends (0 or 1).
	PublisherValue pulumi.IntOutput `pulumi:"publisherValue"`

	args   *Args
	opts   []pulumi.ResourceOption
	secret *secretsmanager.Secret
}

// New creates the link: the alarm (primary) and this stack's publisher.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*DRLink, error) {
	if args == nil || args.Project == "" || args.PrimaryStack == "" || args.RecoveryRegion == "" {
		return nil, fmt.Errorf("drlink: Project, PrimaryStack and RecoveryRegion are required")
	}
	if args.Primary && (args.Contract == nil || args.Contract.KeyArn == nil || len(args.Contract.Readers) == 0) {
		return nil, fmt.Errorf("drlink: a primary needs Contract (KeyArn, Readers, Writer)")
	}
	l := &DRLink{args: args}
	if err := outputs.Component(ctx, typeToken, name, l, opts...); err != nil {
		return nil, err
	}
	l.opts = []pulumi.ResourceOption{pulumi.Parent(l)}
	l.SwitchAlarm = pulumi.String("").ToStringOutput()
	if args.Primary {
		// The alarm reports to OpsCenter in the recovery Region (an
		// OpsItem per flip, either way: the record of who failed over or
		// back, and when); an SNS
		// action would need a topic in that Region, which the primary
		// does not have (alarm actions:
		// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html).
		opsItem := iamdoc.Account(ctx, l).ApplyT(func(acct string) string {
			return fmt.Sprintf("arn:%s:ssm:%s:%s:opsitem:2#CATEGORY=Availability", partition(args.Partition), args.RecoveryRegion, acct)
		}).(pulumi.StringOutput)
		alarm, err := cloudwatch.NewMetricAlarm(ctx, "failover-switch", &cloudwatch.MetricAlarmArgs{
			Name: pulumi.String(SwitchAlarmName(args.Project, args.PrimaryStack)),
			AlarmDescription: pulumi.Sprintf("[failover.switch] ALARM: Route 53 answers %s's failover records from %s (a recovery stack with fleet.standby active, or dr.fenced on the primary). Runbook: docs/dr.md \"Standby, switch and fencing\".",
				args.PrimaryStack, args.RecoveryRegion),
			Namespace:  pulumi.String(SwitchNamespace(args.Project)),
			MetricName: pulumi.String(SwitchMetric),
			Dimensions: pulumi.StringMap{SwitchDimension: pulumi.String(args.Project + "-" + args.PrimaryStack)},
			// Route 53 reads standard-resolution metrics with a 60 s
			// period; the publishers send every minute.
			Statistic:          pulumi.String("Maximum"),
			Period:             pulumi.Int(60),
			EvaluationPeriods:  pulumi.Int(1),
			Threshold:          pulumi.Float64(1),
			ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
			TreatMissingData:   pulumi.String("missing"),
			AlarmActions:       pulumi.Array{opsItem},
			OkActions:          pulumi.Array{opsItem},
		}, l.opts...)
		if err != nil {
			return nil, err
		}
		l.SwitchAlarm = alarm.Name
		if err := l.contractSecret(ctx); err != nil {
			return nil, err
		}
	}
	if err := l.publisher(ctx); err != nil {
		return nil, err
	}
	return l, outputs.Register(ctx, l)
}

// publisher sends this stack's value to the switch metric every minute.
func (l *DRLink) publisher(ctx *pulumi.Context) error {
	a := l.args
	value := 0
	if a.SwitchOn {
		value = 1
	}
	l.PublisherValue = pulumi.Int(value).ToIntOutput()
	account := iamdoc.Account(ctx, l)
	role, err := iam.NewRole(ctx, "switch-publisher", &iam.RoleArgs{
		Description:      pulumi.Sprintf("Lets the scheduler publish %s/%s's failover switch value", a.Project, a.Stack),
		AssumeRolePolicy: iamdoc.ServiceTrust(ctx, l, "scheduler.amazonaws.com", account),
	}, l.opts...)
	if err != nil {
		return err
	}
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{Statements: iam.GetPolicyDocumentStatementArray{
		iam.GetPolicyDocumentStatementArgs{
			Sid:       pulumi.String("PutTheSwitchMetricOnly"),
			Actions:   pulumi.ToStringArray([]string{"cloudwatch:PutMetricData"}),
			Resources: pulumi.ToStringArray([]string{"*"}), // PutMetricData has no resource type; the namespace condition scopes it
			Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
				Test: pulumi.String("StringEquals"), Variable: pulumi.String("cloudwatch:namespace"),
				Values: pulumi.ToStringArray([]string{SwitchNamespace(a.Project)}),
			}},
		},
	}}, pulumi.Parent(l))
	rp, err := iam.NewRolePolicy(ctx, "switch-publisher-put-metric", &iam.RolePolicyArgs{Role: role.Name, Policy: doc.Json()}, l.opts...)
	if err != nil {
		return err
	}
	input, err := json.Marshal(map[string]any{
		"Namespace": SwitchNamespace(a.Project),
		"MetricData": []map[string]any{{
			"MetricName": SwitchMetric,
			"Dimensions": []map[string]string{{"Name": SwitchDimension, "Value": a.Project + "-" + a.PrimaryStack}},
			"Value":      value,
			"Unit":       "Count",
		}},
	})
	if err != nil {
		return err
	}
	_, err = scheduler.NewSchedule(ctx, "switch-publisher", &scheduler.ScheduleArgs{
		Description:        pulumi.Sprintf("%s/%s says %d to the failover switch of %s (1: Route 53 answers from %s)", a.Project, a.Stack, value, a.PrimaryStack, a.RecoveryRegion),
		ScheduleExpression: pulumi.String("rate(1 minute)"),
		FlexibleTimeWindow: &scheduler.ScheduleFlexibleTimeWindowArgs{Mode: pulumi.String("OFF")},
		State:              pulumi.String("ENABLED"),
		Target: &scheduler.ScheduleTargetArgs{
			Arn:     pulumi.Sprintf("arn:%s:scheduler:::aws-sdk:cloudwatch:putMetricData", partition(a.Partition)),
			RoleArn: role.Arn,
			Input:   pulumi.String(string(input)),
			// A missed minute is harmless (the next one repeats the
			// value; the health check keeps its last status meanwhile).
			RetryPolicy: &scheduler.ScheduleTargetRetryPolicyArgs{MaximumEventAgeInSeconds: pulumi.Int(60), MaximumRetryAttempts: pulumi.Int(0)},
		},
	}, append(l.opts, pulumi.DependsOn([]pulumi.Resource{rp}))...)
	return err
}

func partition(p string) string {
	if p == "" {
		return "aws"
	}
	return p
}

// Document is the contract's two halves as JSON.
type Document struct {
	Plain, Secret pulumi.StringOutput
}

// contractSecret creates the secret that holds the contract's secret half,
// and its resource policy.
func (l *DRLink) contractSecret(ctx *pulumi.Context) error {
	a, c := l.args, l.args.Contract
	sopts := append([]pulumi.ResourceOption{}, l.opts...)
	if a.Protect {
		sopts = append(sopts, pulumi.Protect(true))
	}
	sec, err := secretsmanager.NewSecret(ctx, "contract-secrets", &secretsmanager.SecretArgs{
		Name:                 pulumi.String(SecretName(a.Project, a.PrimaryStack)),
		Description:          pulumi.Sprintf("%s/%s's DR contract (secret fields): read by its recovery stack's pulumi up in %s", a.Project, a.PrimaryStack, a.RecoveryRegion),
		KmsKeyId:             c.KeyArn,
		RecoveryWindowInDays: pulumi.Int(30),
	}, sopts...)
	if err != nil {
		return err
	}
	l.secret = sec
	deny := func(sid string, actions []string, who pulumi.StringArray) iam.GetPolicyDocumentStatementArgs {
		return iam.GetPolicyDocumentStatementArgs{
			Sid: pulumi.String(sid), Effect: pulumi.String("Deny"), Actions: pulumi.ToStringArray(actions),
			Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
				Type: pulumi.String("*"), Identifiers: pulumi.ToStringArray([]string{"*"}),
			}},
			Resources: pulumi.ToStringArray([]string{"*"}),
			Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
				Test: pulumi.String("ArnNotEquals"), Variable: pulumi.String("aws:PrincipalArn"), Values: who,
			}},
		}
	}
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{Statements: iam.GetPolicyDocumentStatementArray{
		deny("OnlyTheRecoveryDeployAndBreakGlassRead", secrets.SealedReadActions, c.Readers),
		deny("OnlyTheDeployRoleAndBreakGlassChangeIt", append([]string{"secretsmanager:PutSecretValue"}, secrets.SealedChangeActions...), c.Readers),
	}}, pulumi.Parent(l))
	_, err = secretsmanager.NewSecretPolicy(ctx, "contract-secrets", &secretsmanager.SecretPolicyArgs{
		SecretArn: sec.Arn, Policy: doc.Json(), BlockPublicPolicy: pulumi.Bool(true),
	}, l.opts...)
	return err
}

// Watch is the contract secret for the primary's trail filters and alarms
// (components/baseline): it holds the database master passwords and the
// Redis token, so a read by anyone but its readers pages, like the xpriv's.
func (l *DRLink) Watch() (secrets.Watch, bool) {
	if l.secret == nil {
		return secrets.Watch{}, false
	}
	a, c := l.args, l.args.Contract
	readers := make([]any, len(c.Readers))
	for i, r := range c.Readers {
		readers[i] = r
	}
	return secrets.Watch{
		Item: "DR_CONTRACT", SecretName: SecretName(a.Project, a.PrimaryStack), Regions: []string{a.RecoveryRegion},
		ARNs:           pulumi.StringArray{l.secret.Arn}.ToStringArrayOutput(),
		ReaderRoleArns: pulumi.All(readers...).ApplyT(func(v []any) []string { return toStrings(v) }).(pulumi.StringArrayOutput),
		KeyArns:        pulumi.StringArray{c.KeyArn.ToStringOutput()}.ToStringArrayOutput(),
	}, true
}

func toStrings(v []any) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i], _ = x.(string)
	}
	return out
}

// Publish writes the primary's contract into the recovery Region: the
// plain half as the SSM parameter, the secret half as the contract
// secret's value. Every `pulumi up` of the primary rewrites both.
func (l *DRLink) Publish(ctx *pulumi.Context, d Document) error {
	a := l.args
	if l.secret == nil {
		return fmt.Errorf("drlink: only a primary publishes its contract")
	}
	if _, err := ssm.NewParameter(ctx, "contract", &ssm.ParameterArgs{
		Name:        pulumi.String(ParameterName(a.Project, a.PrimaryStack)),
		Description: pulumi.Sprintf("%s/%s's DR contract (plain fields), read by its recovery stack in %s", a.Project, a.PrimaryStack, a.RecoveryRegion),
		Type:        pulumi.String("String"),
		Tier:        pulumi.String(ParameterTier),
		Value:       d.Plain,
	}, l.opts...); err != nil {
		return err
	}
	_, err := secretsmanager.NewSecretVersion(ctx, "contract-secrets", &secretsmanager.SecretVersionArgs{
		SecretId: l.secret.ID(), SecretString: pulumi.ToSecret(d.Secret).(pulumi.StringOutput),
	}, l.opts...)
	return err
}
