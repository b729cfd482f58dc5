package auth

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/cert"
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
	certificate, err := cert.New(ctx, a, cert.Args{Name: "hosted-ui", Names: []string{host}, ZoneID: args.ZoneID, Provider: args.GlobalProvider, Book: args.Certificates})
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
		CertificateArn: certificate.Arn,
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
