package datalayer

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/policy"
)

// newBus creates the custom EventBridge bus under its configured name
// (DBay: dbay-events, seed §3 and §10.2), an archive of every event on it
// for replay, and a bus policy that names this account only.
func (d *DataLayer) newBus(ctx *pulumi.Context) error {
	spec := d.args.Spec.Bus
	if spec == nil {
		return nil
	}
	bus, err := cloudwatch.NewEventBus(ctx, "bus", &cloudwatch.EventBusArgs{
		Name:        pulumi.String(spec.Name),
		Description: pulumi.Sprintf("%s domain events", d.args.Project),
	}, pulumi.Parent(d))
	if err != nil {
		return err
	}
	// The archive holds the events a replay needs: stateful, so protected.
	if _, err := cloudwatch.NewEventArchive(ctx, "bus", &cloudwatch.EventArchiveArgs{
		Name:           pulumi.String(spec.Name + "-archive"),
		Description:    pulumi.Sprintf("every event on %s, for replay", spec.Name),
		EventSourceArn: bus.Arn,
		RetentionDays:  pulumi.Int(spec.ArchiveRetentionDays),
	}, d.protect()...); err != nil {
		return err
	}
	// Same-account principals are governed by their IAM policies (GrantPut);
	// the bus policy states that no other account may put events, by
	// naming only this account's root, never "*".
	root := d.account.ApplyT(func(a string) string {
		return fmt.Sprintf("arn:%s:iam::%s:root", d.args.Partition, a)
	}).(pulumi.StringOutput)
	if _, err := cloudwatch.NewEventBusPolicy(ctx, "bus", &cloudwatch.EventBusPolicyArgs{
		EventBusName: bus.Name,
		Policy: d.policyJSON(ctx, iam.GetPolicyDocumentStatementArgs{
			Sid:     pulumi.String("ThisAccountPutsEvents"),
			Effect:  pulumi.String("Allow"),
			Actions: pulumi.ToStringArray([]string{"events:PutEvents"}),
			Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
				Type: pulumi.String("AWS"), Identifiers: pulumi.StringArray{root},
			}},
			Resources: pulumi.StringArray{bus.Arn},
		}),
	}, pulumi.Parent(d)); err != nil {
		return err
	}
	d.bus = &Bus{Name: bus.Name, Arn: bus.Arn, d: d}
	return nil
}

// GrantPut lets the grantee put events on this bus and no other
// (events:PutEvents on the bus ARN).
func (b *Bus) GrantPut(ctx *pulumi.Context, g policy.Grantee) (*iam.RolePolicy, error) {
	return policy.Attach(ctx, b.d, g, "bus-put", iam.GetPolicyDocumentStatementArray{
		allowOn("PutEvents", []string{"events:PutEvents"}, b.Arn),
	})
}

// Env is the bus's connection variable, EVENT_BUS_NAME (seed §4.1).
func (b *Bus) Env() map[string]pulumi.StringOutput {
	return map[string]pulumi.StringOutput{"EVENT_BUS_NAME": b.Name}
}
