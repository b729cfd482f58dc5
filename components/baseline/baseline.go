// Package baseline is the Baseline component: the account's audit and
// detection services in the stack's region, and the alarms on the wallet
// xpriv (every single-reader secret) built on the audit trail.
//
// With `security.baseline: stack` a primary stack creates a multi-Region
// CloudTrail trail (log file validation, a customer managed key, an S3
// archive and a CloudWatch Logs copy), and every stack creates a GuardDuty
// detector, Security Hub with the AWS Foundational Security Best Practices
// standard and an ACCOUNT IAM Access Analyzer: those three are regional,
// so the recovery stack has its own, while the primary's multi-Region
// trail already records the recovery Region. With `organization` the
// Organization provides all of them and nothing is created; the alarms
// then filter the log group the organization trail delivers to
// (`security.trailLogGroup`).
//
// Either way, for every single-reader secret the component puts metric
// filters on the trail's log group: GetSecretValue by any principal other
// than its reader roles, and changes to its policy, value, rotation or
// KMS key. It declares the alarms as alarm.Specs; Monitoring creates them
// on the stack's alert topic.
package baseline

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/components/internal/outputs"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
)

const typeToken = "dbay:components:Baseline"

// Args configures the baseline.
type Args struct {
	// Spec is the validated `security` config section. Required.
	Spec config.Security
	// Env is the stack's: Project, Stack and Region required (Partition
	// empty: "aws"); Protect protects the trail, its key, bucket and log
	// group.
	config.Env
	// Primary creates the multi-Region trail (with baseline stack): a
	// recovery stack's Region is recorded by its primary's trail.
	Primary bool
	// Watch are the single-reader secrets whose reads and changes are
	// alarmed. Absent: no filters (Dhanam has no single-reader secret).
	Watch []secrets.Watch
}

// Baseline is the component.
type Baseline struct {
	pulumi.ResourceState

	// TrailArn is the stack's trail ("" without one).
	TrailArn pulumi.StringOutput `pulumi:"trailArn"`
	// TrailBucket holds the trail's log files ("" without a trail).
	TrailBucket pulumi.StringOutput `pulumi:"trailBucket"`
	// TrailLogGroup is the log group the filters watch: the stack's
	// trail's, or the organization's ("" when there is none).
	TrailLogGroup pulumi.StringOutput `pulumi:"trailLogGroup"`
	// DetectorID is the GuardDuty detector ("" when organization-managed).
	DetectorID pulumi.StringOutput `pulumi:"detectorId"`

	args    *Args
	account pulumi.StringOutput
	specs   []alarm.Spec
}

// New creates the baseline (or, organization-managed, only the filters).
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Baseline, error) {
	if args == nil || args.Project == "" || args.Stack == "" || args.Region == "" {
		return nil, errors.New("baseline: Args.Project, Stack and Region are required")
	}
	switch args.Spec.Baseline {
	case config.BaselineStack, config.BaselineOrganization:
	default:
		return nil, fmt.Errorf("baseline: Spec.Baseline %q is neither stack nor organization", args.Spec.Baseline)
	}
	if args.Partition == "" {
		a := *args // a copy: the caller's Args are never written
		a.Partition = "aws"
		args = &a
	}
	b := &Baseline{args: args}
	if err := outputs.Component(ctx, typeToken, name, b, opts...); err != nil {
		return nil, err
	}
	b.account = iamdoc.Account(ctx, b)
	empty := pulumi.String("").ToStringOutput()
	b.TrailArn, b.TrailBucket, b.TrailLogGroup, b.DetectorID = empty, empty, empty, empty

	if args.Spec.StackManaged() {
		if args.Primary {
			t, err := b.newTrail(ctx)
			if err != nil {
				return nil, err
			}
			b.TrailArn, b.TrailBucket, b.TrailLogGroup = t.arn, t.bucket, t.logGroup
		}
		id, err := b.newDetection(ctx)
		if err != nil {
			return nil, err
		}
		b.DetectorID = id
	} else if args.Spec.TrailLogGroup != "" {
		b.TrailLogGroup = pulumi.String(args.Spec.TrailLogGroup).ToStringOutput()
	}
	if len(args.Watch) > 0 {
		if !args.Primary {
			return nil, errors.New("baseline: Watch is for a primary stack (a recovery stack's secrets are the primary's replicas)")
		}
		if !args.Spec.StackManaged() && args.Spec.TrailLogGroup == "" {
			return nil, errors.New("baseline: single-reader secrets need a trail log group: set security.trailLogGroup with baseline organization")
		}
		if err := b.watch(ctx); err != nil {
			return nil, err
		}
	}
	return b, outputs.Register(ctx, b)
}

// Alarms are the xpriv alarms (alarm.Source): Monitoring creates them on
// the stack's alert topic.
func (b *Baseline) Alarms() []alarm.Spec { return b.specs }

// namespace is the CloudWatch namespace of the filters' metrics.
func (b *Baseline) namespace() string {
	return fmt.Sprintf("%s/%s/security", b.args.Project, b.args.Stack)
}

// trailName is the trail's fixed name: its ARN must be known before it
// exists, for the aws:SourceArn conditions of its key and bucket policies.
func (b *Baseline) trailName() string { return b.args.Project + "-" + b.args.Stack }

// trailArn is arn:<partition>:cloudtrail:<region>:<account>:trail/<name>.
func (b *Baseline) trailArn() pulumi.StringOutput {
	return pulumi.Sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", b.args.Partition, b.args.Region, b.account, b.trailName())
}
