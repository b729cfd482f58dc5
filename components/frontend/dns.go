package frontend

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/cert"
)

// zone looks the public hosted zone up by name, or creates it when the
// config says so (protected like the buckets: deleting it breaks delegation).
func (f *Frontend) zone(ctx *pulumi.Context, args *Args) (pulumi.StringOutput, error) {
	parent := pulumi.Parent(f)
	if args.Spec.CreateZone {
		z, err := route53.NewZone(ctx, "zone", &route53.ZoneArgs{
			Name:    pulumi.String(args.Spec.ZoneName),
			Comment: pulumi.String("Public zone of " + args.Domain),
		}, parent, pulumi.Protect(args.Protect))
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		f.NameServers = z.NameServers
		return z.ZoneId, nil
	}
	z := route53.LookupZoneOutput(ctx, route53.LookupZoneOutputArgs{
		Name:        pulumi.String(args.Spec.ZoneName),
		PrivateZone: pulumi.Bool(false),
	}, parent)
	f.NameServers = z.NameServers()
	return z.ZoneId(), nil
}

// certificate is CloudFront's certificate for <domain> and *.<domain>, in
// us-east-1 whatever the stack's region, validated through Route53. The
// apex and the wildcard share one validation record. It returns the ARN
// once validated.
func (f *Frontend) certificate(ctx *pulumi.Context, zoneID pulumi.StringOutput, args *Args) (pulumi.StringOutput, error) {
	c, err := cert.New(ctx, f, cert.Args{Name: "site", Names: []string{args.Domain, "*." + args.Domain},
		ZoneID: zoneID, Provider: args.GlobalProvider, Book: args.Certificates})
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return c.Arn, nil
}

// records creates the A and AAAA aliases of every site name to the
// distribution, the other components' aliases (api., ws.), and the HTTPS
// health check the DR failover records use.
func (f *Frontend) records(ctx *pulumi.Context, zoneID, distDomain, distZone pulumi.StringOutput, args *Args) error {
	parent := pulumi.Parent(f)
	alias := func(name, host, typ string, target, zone pulumi.StringInput) (*route53.Record, error) {
		return route53.NewRecord(ctx, name+"-"+typ, &route53.RecordArgs{
			ZoneId: zoneID,
			Name:   pulumi.String(host),
			Type:   pulumi.String(typ),
			Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
				Name: target, ZoneId: zone, EvaluateTargetHealth: pulumi.Bool(false),
			}},
		}, parent)
	}
	for _, host := range args.Spec.Aliases {
		for _, typ := range []string{"A", "AAAA"} {
			r, err := alias("site-"+label(host, args.Domain), host, typ, distDomain, distZone)
			if err != nil {
				return err
			}
			if host == args.Domain && typ == "A" {
				f.ApexRecord = r
			}
		}
	}
	for _, rec := range args.Records {
		types := []string{"A"}
		if rec.IPv6 {
			types = append(types, "AAAA")
		}
		for _, typ := range types {
			if _, err := alias(label(rec.Name, args.Domain), rec.Name, typ, rec.Target, rec.ZoneID); err != nil {
				return err
			}
		}
	}
	hc, err := route53.NewHealthCheck(ctx, "site", &route53.HealthCheckArgs{
		Type:             pulumi.String("HTTPS"),
		Fqdn:             pulumi.String(args.Spec.HealthCheck.Host),
		Port:             pulumi.Int(443),
		ResourcePath:     pulumi.String(args.Spec.HealthCheck.Path),
		EnableSni:        pulumi.Bool(true),
		RequestInterval:  pulumi.Int(30),
		FailureThreshold: pulumi.Int(3),
		MeasureLatency:   pulumi.Bool(true),
	}, parent)
	if err != nil {
		return err
	}
	f.HealthCheckID = hc.ID().ToStringOutput()
	return nil
}
