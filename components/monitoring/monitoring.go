// Package monitoring is the Monitoring component: the CMK-encrypted SNS
// alert topic and its subscribers, a CloudWatch alarm for every metric the
// other components declare (alarm.Source), an ERROR-line metric filter per
// application log group, the stack's dashboard, and AWS Backup with a copy
// to the DR region.
package monitoring

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/components/internal/outputs"
	"github.com/dbay/infra/config"
)

const typeToken = "dbay:components:Monitoring"

// GlobalRegion is where CloudFront and CLOUDFRONT-scope WAF publish metrics.
const GlobalRegion = "us-east-1"

// Args configures monitoring.
type Args struct {
	// Spec is the validated `monitoring` config section. Required.
	Spec config.Monitoring
	// Env is the stack's: Project, Stack and Region required (Partition
	// empty: "aws"); Protect protects the backup vaults and keys.
	config.Env
	// BreakGlassRole is the IAM role name (security.breakGlassRole) that
	// alone may delete recovery points, shorten their lifecycle or change
	// the vaults' access policies (backup.go). "": no vault access policy.
	BreakGlassRole string
	// GlobalProvider is a us-east-1 provider for the alarms on global
	// metrics and their topic. Required when a source declares Global specs
	// and Region is not us-east-1.
	GlobalProvider *aws.Provider
	// CopyProvider is a provider in Spec.Backup.CopyToRegion. Required when
	// that is set.
	CopyProvider *aws.Provider
	// BackupTag is the value of the `backup` tag the data layer puts on what
	// AWS Backup must cover. Required when backup is enabled.
	BackupTag string
	// Sources are the components whose metrics are watched.
	Sources []alarm.Source
	// LogSources are the components whose application logs are watched.
	LogSources []alarm.LogSource
}

// Monitoring is the component.
type Monitoring struct {
	pulumi.ResourceState

	// AlertTopicArn is the regional alert topic.
	AlertTopicArn pulumi.StringOutput `pulumi:"alertTopicArn"`
	// AlarmNames are every alarm's name.
	AlarmNames pulumi.StringArrayOutput `pulumi:"alarmNames"`
	// DashboardName is the stack's dashboard.
	DashboardName pulumi.StringOutput `pulumi:"dashboardName"`
	// BackupVaultArn and CopyVaultArn ("" without backup / copy).
	BackupVaultArn pulumi.StringOutput `pulumi:"backupVaultArn"`
	CopyVaultArn   pulumi.StringOutput `pulumi:"copyVaultArn"`

	args    *Args
	account pulumi.StringOutput
	topics  map[bool]*sns.Topic // by Global
	own     []alarm.Spec        // the component's own metrics (backup jobs)
}

// New creates the component. Call it after every source is built.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Monitoring, error) {
	if args == nil || args.Project == "" || args.Stack == "" || args.Region == "" {
		return nil, errors.New("monitoring: Args.Project, Stack and Region are required")
	}
	if args.Partition == "" {
		a := *args // a copy: the caller's Args are never written
		a.Partition = "aws"
		args = &a
	}
	// An unknown alarm kind is an error before anything is registered.
	var sourced []alarm.Spec
	for _, s := range args.Sources {
		sourced = append(sourced, s.Alarms()...)
	}
	if err := checkKinds(sourced); err != nil {
		return nil, err
	}
	m := &Monitoring{args: args, topics: map[bool]*sns.Topic{}}
	if err := outputs.Component(ctx, typeToken, name, m, opts...); err != nil {
		return nil, err
	}
	m.account = iamdoc.Account(ctx, m)

	topic, err := m.topic(ctx, "alerts", nil)
	if err != nil {
		return nil, err
	}
	m.topics[false] = topic
	m.topics[true] = topic
	m.AlertTopicArn = topic.Arn

	m.BackupVaultArn = pulumi.String("").ToStringOutput()
	m.CopyVaultArn = pulumi.String("").ToStringOutput()
	if args.Spec.Backup.BackupEnabled() {
		if err := m.backups(ctx); err != nil {
			return nil, err
		}
	}
	specs, err := m.collect()
	if err != nil {
		return nil, err
	}
	if needsGlobalTopic(specs, args.Region) {
		if args.GlobalProvider == nil {
			return nil, fmt.Errorf("monitoring: global alarms need Args.GlobalProvider (us-east-1)")
		}
		global, err := m.topic(ctx, "alerts-"+GlobalRegion, args.GlobalProvider)
		if err != nil {
			return nil, err
		}
		m.topics[true] = global
	}
	names, err := m.alarms(ctx, specs)
	if err != nil {
		return nil, err
	}
	m.AlarmNames = names
	if err := m.logFilters(ctx); err != nil {
		return nil, err
	}
	dash, err := m.dashboard(ctx, specs)
	if err != nil {
		return nil, err
	}
	m.DashboardName = dash
	return m, outputs.Register(ctx, m)
}

func needsGlobalTopic(specs []alarm.Spec, region string) bool {
	if region == GlobalRegion {
		return false
	}
	for _, s := range specs {
		if s.Global {
			return true
		}
	}
	return false
}

// topic creates an alert topic encrypted with a key of its own that
// CloudWatch (and AWS Backup) may use to publish, and subscribes the
// configured emails and pager endpoints to it. provider nil: the regional one.
func (m *Monitoring) topic(ctx *pulumi.Context, name string, provider *aws.Provider) (*sns.Topic, error) {
	opts := []pulumi.ResourceOption{pulumi.Parent(m)}
	if provider != nil {
		opts = append(opts, pulumi.Provider(provider))
	}
	keyPolicy := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			iamdoc.AccountRoot(m.account, m.args.Partition),
			iam.GetPolicyDocumentStatementArgs{
				Sid:     pulumi.String("AlarmsAndBackupPublish"),
				Actions: pulumi.ToStringArray([]string{"kms:GenerateDataKey*", "kms:Decrypt"}),
				Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
					Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{"cloudwatch.amazonaws.com", "backup.amazonaws.com"}),
				}},
				Resources: pulumi.ToStringArray([]string{"*"}),
				Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
					Test: pulumi.String("StringEquals"), Variable: pulumi.String("aws:SourceAccount"), Values: pulumi.StringArray{m.account},
				}},
			},
		},
	}, pulumi.Parent(m))
	key, err := kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:          pulumi.Sprintf("%s/%s alert topic %s", m.args.Project, m.args.Stack, name),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy:               keyPolicy.Json(),
	}, append(opts, pulumi.Protect(m.args.Protect))...)
	if err != nil {
		return nil, err
	}
	topic, err := sns.NewTopic(ctx, name, &sns.TopicArgs{KmsMasterKeyId: key.Arn}, opts...)
	if err != nil {
		return nil, err
	}
	publish := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
			Sid:     pulumi.String("AlarmsAndBackupOfThisAccount"),
			Actions: pulumi.ToStringArray([]string{"sns:Publish"}),
			Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
				Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{"cloudwatch.amazonaws.com", "backup.amazonaws.com"}),
			}},
			Resources: pulumi.StringArray{topic.Arn},
			Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
				Test: pulumi.String("StringEquals"), Variable: pulumi.String("aws:SourceAccount"), Values: pulumi.StringArray{m.account},
			}},
		}},
	}, pulumi.Parent(m))
	if _, err := sns.NewTopicPolicy(ctx, name, &sns.TopicPolicyArgs{Arn: topic.Arn, Policy: publish.Json()}, opts...); err != nil {
		return nil, err
	}
	for i, email := range m.args.Spec.Emails {
		if _, err := sns.NewTopicSubscription(ctx, fmt.Sprintf("%s-email-%d", name, i), &sns.TopicSubscriptionArgs{
			Topic: topic.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(email),
		}, opts...); err != nil {
			return nil, err
		}
	}
	for i, url := range m.args.Spec.PagerURLs {
		if _, err := sns.NewTopicSubscription(ctx, fmt.Sprintf("%s-pager-%d", name, i), &sns.TopicSubscriptionArgs{
			Topic: topic.Arn, Protocol: pulumi.String("https"), Endpoint: pulumi.String(url),
			EndpointAutoConfirms: pulumi.Bool(true),
		}, opts...); err != nil {
			return nil, err
		}
	}
	return topic, nil
}
