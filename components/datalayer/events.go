package datalayer

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
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

// GrantPut lets the grantee put events on this bus and no other, and only
// the events it publishes: one statement per source, conditioned on
// events:source and, when the publication names them, events:detail-type
// (StringEquals; a missing key fails the condition). EventBridge does not
// authenticate an event's source, so without the condition any publisher
// could emit dbay.wallet withdrawal.requested and start a withdrawal
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html:
// events:source and events:detail-type restrict the events a principal
// may put). Every publication needs a source.
func (b *Bus) GrantPut(ctx *pulumi.Context, g iamdoc.Grantee, pubs ...config.BusPublication) (iamdoc.Grant, error) {
	statements, err := PutStatements(b.Arn, pubs)
	if err != nil {
		return iamdoc.Grant{}, fmt.Errorf("datalayer: bus grant to %s: %w", g.Name, err)
	}
	return iamdoc.AttachGrant(ctx, b.d, g, "bus-put", statements)
}

// PutStatements are the identity-policy statements letting a principal
// put exactly pubs on the bus busArn (GrantPut's document).
func PutStatements(busArn pulumi.StringInput, pubs []config.BusPublication) (iam.GetPolicyDocumentStatementArray, error) {
	if len(pubs) == 0 {
		return nil, errors.New("no publication: name the source (and detail types) the principal puts")
	}
	var out iam.GetPolicyDocumentStatementArray
	seen, sids := map[string]bool{}, map[string]bool{}
	for i, p := range pubs {
		if p.Source == "" || seen[p.Source] {
			return nil, fmt.Errorf("source %q is empty or listed twice", p.Source)
		}
		seen[p.Source] = true
		conds := iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
			Test: pulumi.String("StringEquals"), Variable: pulumi.String("events:source"),
			Values: pulumi.ToStringArray([]string{p.Source}),
		}}
		if len(p.DetailTypes) > 0 {
			conds = append(conds, iam.GetPolicyDocumentStatementConditionArgs{
				Test: pulumi.String("StringEquals"), Variable: pulumi.String("events:detail-type"),
				Values: pulumi.ToStringArray(p.DetailTypes),
			})
		}
		// A Sid is unique within a policy: dbay.wallet and dbay-wallet
		// would both be PutDbayWallet.
		sid := "Put" + sidPart(p.Source)
		if sids[sid] {
			sid = fmt.Sprintf("%s%d", sid, i)
		}
		sids[sid] = true
		st := allowOn(sid, []string{"events:PutEvents"}, busArn)
		st.Conditions = conds
		out = append(out, st)
	}
	return out, nil
}

// sidPart is s reduced to a statement id's characters ([A-Za-z0-9]),
// each word capitalised: dbay.wallet -> DbayWallet.
func sidPart(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if up {
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}

// Env is the bus's connection variable, EVENT_BUS_NAME (seed §4.1).
func (b *Bus) Env() map[string]pulumi.StringOutput {
	return map[string]pulumi.StringOutput{config.EventBusVariable: b.Name}
}
