package datalayer

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
)

// newKey creates the layer's CMK. The account administers it through IAM;
// AWS services (RDS, DocumentDB, ElastiCache, OpenSearch, S3, Secrets
// Manager, Performance Insights) use it on behalf of principals that are
// granted kms permissions through kms:ViaService, and the services that
// deliver to encrypted queues and logs get their own statements.
func (d *DataLayer) newKey(ctx *pulumi.Context) error {
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			iamdoc.AccountRoot(d.account, d.args.Partition),
			iam.GetPolicyDocumentStatementArgs{
				Sid:     pulumi.String("EventBridgeAndSNSDeliverToEncryptedQueues"),
				Effect:  pulumi.String("Allow"),
				Actions: pulumi.ToStringArray([]string{"kms:GenerateDataKey*", "kms:Decrypt"}),
				Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
					Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{"events.amazonaws.com"}),
				}},
				Resources: pulumi.ToStringArray([]string{"*"}),
				Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
					Test: pulumi.String("StringEquals"), Variable: pulumi.String("aws:SourceAccount"),
					Values: pulumi.StringArray{d.account},
				}},
			},
			iamdoc.LogsUseKey(d.account, d.args.Partition, d.args.Region, "*"),
		},
	}, pulumi.Parent(d))
	key, err := kms.NewKey(ctx, "data-key", &kms.KeyArgs{
		Description:          pulumi.Sprintf("%s data layer: databases, caches, search, buckets, queues, store credentials", d.args.Project),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy:               doc.Json(),
	}, d.protect()...)
	if err != nil {
		return err
	}
	if _, err := kms.NewAlias(ctx, "data-key-alias", &kms.AliasArgs{
		Name:        pulumi.Sprintf("alias/%s-%s-data", d.args.Project, ctx.Stack()),
		TargetKeyId: key.KeyId,
	}, pulumi.Parent(d)); err != nil {
		return err
	}
	d.key = key
	return nil
}

// protect is the option set of a stateful child: parented, and protected
// when the stack says so.
func (d *DataLayer) protect() []pulumi.ResourceOption {
	return []pulumi.ResourceOption{pulumi.Parent(d), pulumi.Protect(d.args.Protect)}
}

// newStoreSG creates a store's security group with no ingress (consumers
// are added by AllowFrom) and no egress (stores never call out).
func (d *DataLayer) newStoreSG(ctx *pulumi.Context, s Store, port int, description string) (*ec2.SecurityGroup, error) {
	sg, err := ec2.NewSecurityGroup(ctx, string(s), &ec2.SecurityGroupArgs{
		VpcId:       d.args.Network.VpcID,
		Description: pulumi.String(description),
	}, pulumi.Parent(d))
	if err != nil {
		return nil, err
	}
	d.stores[s] = &store{sg: sg, port: port}
	return sg, nil
}
