package auth

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// domain creates the hosted UI domain and returns its host name: a prefix
// domain under amazoncognito.com, or auth.<domain> behind a DNS-validated
// us-east-1 certificate with A and AAAA aliases to Cognito's distribution.
func (a *Auth) domain(ctx *pulumi.Context, pool *cognito.UserPool, region pulumi.StringOutput, args *Args) (pulumi.StringOutput, error) {
	parent := pulumi.Parent(a)
	if !args.Spec.CustomDomain {
		prefix := args.Spec.DomainPrefix
		d, err := cognito.NewUserPoolDomain(ctx, "hosted-ui", &cognito.UserPoolDomainArgs{
			UserPoolId: pool.ID(),
			Domain:     pulumi.String(prefix),
		}, parent)
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		return pulumi.Sprintf("%s.auth.%s.amazoncognito.com", d.Domain, region), nil
	}

	host := "auth." + args.Domain
	global := pulumi.Provider(args.GlobalProvider)
	cert, err := acm.NewCertificate(ctx, "hosted-ui", &acm.CertificateArgs{
		DomainName:       pulumi.String(host),
		ValidationMethod: pulumi.String("DNS"),
	}, parent, global)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	dvo := cert.DomainValidationOptions.Index(pulumi.Int(0))
	record, err := route53.NewRecord(ctx, "hosted-ui-validation", &route53.RecordArgs{
		ZoneId:  args.ZoneID,
		Name:    dvo.ResourceRecordName().Elem(),
		Type:    dvo.ResourceRecordType().Elem(),
		Records: pulumi.StringArray{dvo.ResourceRecordValue().Elem()},
		Ttl:     pulumi.Int(60),
		// The validation record of a name is the same for every certificate
		// of the account (e.g. the DR stack's): share it, don't fight over it.
		AllowOverwrite: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	validated, err := acm.NewCertificateValidation(ctx, "hosted-ui", &acm.CertificateValidationArgs{
		CertificateArn:        cert.Arn,
		ValidationRecordFqdns: pulumi.StringArray{record.Fqdn},
	}, parent, global)
	if err != nil {
		return pulumi.StringOutput{}, err
	}

	domainOpts := []pulumi.ResourceOption{parent}
	if args.ParentRecord != nil {
		domainOpts = append(domainOpts, pulumi.DependsOn([]pulumi.Resource{args.ParentRecord}))
	}
	d, err := cognito.NewUserPoolDomain(ctx, "hosted-ui", &cognito.UserPoolDomainArgs{
		UserPoolId:     pool.ID(),
		Domain:         pulumi.String(host),
		CertificateArn: validated.CertificateArn,
	}, domainOpts...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	for _, typ := range []string{"A", "AAAA"} {
		if _, err := route53.NewRecord(ctx, "hosted-ui-"+typ, &route53.RecordArgs{
			ZoneId: args.ZoneID,
			Name:   pulumi.String(host),
			Type:   pulumi.String(typ),
			Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
				Name:                 d.CloudfrontDistribution,
				ZoneId:               d.CloudfrontDistributionZoneId,
				EvaluateTargetHealth: pulumi.Bool(false),
			}},
		}, parent); err != nil {
			return pulumi.StringOutput{}, err
		}
	}
	return d.Domain, nil
}
