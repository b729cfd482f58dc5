package datalayer

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sesv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
)

const (
	// dkimTokens is how many CNAMEs Easy DKIM asks for: fixed by SES.
	dkimTokens = 3
	dkimTTL    = 1800
)

// newSES creates the domain identity (Easy DKIM, 2048-bit keys), its
// configuration set (TLS required for delivery, bounces and complaints
// suppressed, reputation metrics on) and, when the zone is managed, the
// DKIM CNAMEs; otherwise the records are a component output to publish.
func (d *DataLayer) newSES(ctx *pulumi.Context) error {
	spec := d.args.Spec.SES
	if spec == nil {
		return nil
	}
	domain := d.args.Domain
	from := spec.FromAddress
	if from == "" {
		from = "noreply@" + domain
	}
	at := strings.LastIndex(from, "@")
	if host := strings.ToLower(from[at+1:]); at < 0 || (host != domain && !strings.HasSuffix(host, "."+domain)) {
		return fmt.Errorf("datalayer: data.ses.fromAddress %q is not in %s or a subdomain of it, so the identity cannot send as it", from, domain)
	}
	cs, err := sesv2.NewConfigurationSet(ctx, "ses", &sesv2.ConfigurationSetArgs{
		ConfigurationSetName: pulumi.Sprintf("%s-%s", d.args.Project, ctx.Stack()),
		DeliveryOptions:      &sesv2.ConfigurationSetDeliveryOptionsArgs{TlsPolicy: pulumi.String("REQUIRE")},
		ReputationOptions:    &sesv2.ConfigurationSetReputationOptionsArgs{ReputationMetricsEnabled: pulumi.Bool(true)},
		SuppressionOptions: &sesv2.ConfigurationSetSuppressionOptionsArgs{
			SuppressedReasons: pulumi.ToStringArray([]string{"BOUNCE", "COMPLAINT"}),
		},
	}, pulumi.Parent(d))
	if err != nil {
		return err
	}
	identity, err := sesv2.NewEmailIdentity(ctx, "ses", &sesv2.EmailIdentityArgs{
		EmailIdentity: pulumi.String(domain),
		// The identity's default set: every message goes through it.
		ConfigurationSetName:  cs.ConfigurationSetName,
		DkimSigningAttributes: &sesv2.EmailIdentityDkimSigningAttributesArgs{NextSigningKeyLength: pulumi.String("RSA_2048_BIT")},
	}, pulumi.Parent(d))
	if err != nil {
		return err
	}
	tokens := identity.DkimSigningAttributes.Tokens()
	if d.args.ZoneID != nil {
		for i := 0; i < dkimTokens; i++ {
			token := tokens.Index(pulumi.Int(i))
			if _, err := route53.NewRecord(ctx, fmt.Sprintf("ses-dkim-%d", i), &route53.RecordArgs{
				ZoneId:  d.args.ZoneID,
				Name:    pulumi.Sprintf("%s._domainkey.%s", token, domain),
				Type:    pulumi.String("CNAME"),
				Ttl:     pulumi.Int(dkimTTL),
				Records: pulumi.StringArray{pulumi.Sprintf("%s.dkim.amazonses.com", token)},
			}, pulumi.Parent(d)); err != nil {
				return err
			}
		}
	} else {
		d.SESDkimRecords = tokens.ApplyT(func(ts []string) []map[string]string {
			out := make([]map[string]string, 0, len(ts))
			for _, t := range ts {
				out = append(out, map[string]string{"name": t + "._domainkey." + domain, "type": "CNAME", "value": t + ".dkim.amazonses.com"})
			}
			return out
		}).(pulumi.StringMapArrayOutput)
	}
	d.ses = &SES{FromAddress: from, IdentityArn: identity.Arn, ConfigurationSetArn: cs.Arn, ConfigurationSetName: cs.ConfigurationSetName, d: d}
	if spec.SMTPCredentials {
		return d.newSMTPCredentials(ctx, d.ses)
	}
	return nil
}

// GrantSendEmail lets the grantee send mail through the stack's identity
// and configuration set, as the configured from address only.
func (s *SES) GrantSendEmail(ctx *pulumi.Context, g iamdoc.Grantee) (iamdoc.Grant, error) {
	return iamdoc.AttachGrant(ctx, s.d, g, "ses-send", iam.GetPolicyDocumentStatementArray{
		iam.GetPolicyDocumentStatementArgs{
			Sid:       pulumi.String("SendAsFromAddress"),
			Effect:    pulumi.String("Allow"),
			Actions:   pulumi.ToStringArray([]string{"ses:SendEmail", "ses:SendRawEmail"}),
			Resources: pulumi.StringArray{s.IdentityArn, s.ConfigurationSetArn},
			Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
				Test: pulumi.String("StringEquals"), Variable: pulumi.String("ses:FromAddress"),
				Values: pulumi.ToStringArray([]string{s.FromAddress}),
			}},
		},
	})
}

// GrantSendEmail is SES().GrantSendEmail: an error when the stack has no identity.
func (d *DataLayer) GrantSendEmail(ctx *pulumi.Context, g iamdoc.Grantee) (iamdoc.Grant, error) {
	s, err := d.SES()
	if err != nil {
		return iamdoc.Grant{}, err
	}
	return s.GrantSendEmail(ctx, g)
}

// Env is the sender's connection variable, SES_FROM_EMAIL (seed §4.7).
func (s *SES) Env() map[string]pulumi.StringOutput {
	return map[string]pulumi.StringOutput{config.SESFromVariable: pulumi.String(s.FromAddress).ToStringOutput()}
}
