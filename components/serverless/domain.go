package serverless

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/cert"
)

// domain is a custom domain of an API.
type domain struct {
	host         string
	target, zone pulumi.StringOutput // the alias target and its hosted zone
}

// customDomain serves an API stage on <label>.<domain>: a regional ACM
// certificate validated through the zone, a REGIONAL dual-stack domain name
// with the TLS 1.2 policy, the API mapping, and A and AAAA aliases.
func (s *Serverless) customDomain(ctx *pulumi.Context, label string, apiID pulumi.IDOutput, stage pulumi.StringOutput) (domain, error) {
	parent := pulumi.Parent(s)
	host := label + "." + s.args.Domain
	certificate, err := cert.New(ctx, s, cert.Args{Name: label, Names: []string{host}, ZoneID: s.args.ZoneID})
	if err != nil {
		return domain{}, err
	}
	dn, err := apigatewayv2.NewDomainName(ctx, label, &apigatewayv2.DomainNameArgs{
		DomainName: pulumi.String(host),
		DomainNameConfiguration: &apigatewayv2.DomainNameDomainNameConfigurationArgs{
			CertificateArn: certificate.Arn,
			EndpointType:   pulumi.String("REGIONAL"),
			SecurityPolicy: pulumi.String("TLS_1_2"),
			IpAddressType:  pulumi.String("dualstack"),
		},
	}, parent)
	if err != nil {
		return domain{}, err
	}
	if _, err := apigatewayv2.NewApiMapping(ctx, label, &apigatewayv2.ApiMappingArgs{
		ApiId:      apiID,
		DomainName: dn.DomainName,
		Stage:      stage,
	}, parent); err != nil {
		return domain{}, err
	}
	target := dn.DomainNameConfiguration.TargetDomainName().Elem()
	zone := dn.DomainNameConfiguration.HostedZoneId().Elem()
	for _, typ := range []string{"A", "AAAA"} {
		if _, err := route53.NewRecord(ctx, label+"-"+typ, &route53.RecordArgs{
			ZoneId: s.args.ZoneID,
			Name:   pulumi.String(host),
			Type:   pulumi.String(typ),
			Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
				Name: target, ZoneId: zone, EvaluateTargetHealth: pulumi.Bool(false),
			}},
		}, parent); err != nil {
			return domain{}, err
		}
	}
	return domain{host: host, target: target, zone: zone}, nil
}
