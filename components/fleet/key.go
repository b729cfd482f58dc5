package fleet

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
)

// newKey creates the fleet's CMK — service and ECS Exec log groups, ECR
// repositories, ECS Exec sessions — and one log group per service. The
// account administers the key through IAM; CloudWatch Logs may use it only
// for this account's log groups in this region.
func (f *Fleet) newKey(ctx *pulumi.Context) error {
	parent := pulumi.Parent(f)
	a := f.args
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			iamdoc.AccountRoot(f.account, a.Partition),
			iamdoc.LogsUseKey(f.account, a.Partition, a.Region, "*"),
		},
	}, parent)
	key, err := kms.NewKey(ctx, "fleet-key", &kms.KeyArgs{
		Description:          pulumi.Sprintf("%s/%s service fleet: logs, images, ECS Exec sessions", a.Project, a.Stack),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy:               doc.Json(),
	}, parent, pulumi.Protect(a.Protect))
	if err != nil {
		return err
	}
	if _, err := kms.NewAlias(ctx, "fleet-key-alias", &kms.AliasArgs{
		Name:        pulumi.Sprintf("alias/%s-%s-fleet", a.Project, a.Stack),
		TargetKeyId: key.KeyId,
	}, parent); err != nil {
		return err
	}
	f.key = key
	for _, n := range f.names() {
		lg, err := f.logGroup(ctx, n+"-logs", n)
		if err != nil {
			return err
		}
		f.units[n].logs = lg
	}
	return nil
}

// logGroup is /aws/ecs/<cluster>/<suffix>, encrypted with the fleet key,
// kept fleet.logRetentionDays.
func (f *Fleet) logGroup(ctx *pulumi.Context, logical, suffix string) (*cloudwatch.LogGroup, error) {
	return cloudwatch.NewLogGroup(ctx, logical, &cloudwatch.LogGroupArgs{
		Name:            pulumi.Sprintf("/aws/ecs/%s/%s", f.clusterName(), suffix),
		RetentionInDays: pulumi.Int(f.args.Spec.LogRetentionDays),
		KmsKeyId:        f.key.Arn,
	}, pulumi.Parent(f), pulumi.RetainOnDelete(true))
}
