package fleet

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/policy"
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
			policy.AccountRoot(f.account, a.Partition),
			iam.GetPolicyDocumentStatementArgs{
				Sid:     pulumi.String("CloudWatchLogsOfThisAccount"),
				Effect:  pulumi.String("Allow"),
				Actions: pulumi.ToStringArray([]string{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"}),
				Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
					Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{fmt.Sprintf("logs.%s.amazonaws.com", a.Region)}),
				}},
				Resources: pulumi.ToStringArray([]string{"*"}),
				Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
					Test: pulumi.String("ArnLike"), Variable: pulumi.String("kms:EncryptionContext:aws:logs:arn"),
					Values: pulumi.StringArray{f.account.ApplyT(func(acct string) string {
						return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:*", a.Partition, a.Region, acct)
					}).(pulumi.StringOutput)},
				}},
			},
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
	}, pulumi.Parent(f))
}
