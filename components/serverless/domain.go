package serverless

import (
	"errors"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/cert"
	"github.com/dbay/infra/components/internal/failover"
)

// Route53 failover roles of a stack's api./ws. records (Args.Failover).
const (
	FailoverPrimary   = "PRIMARY"
	FailoverSecondary = "SECONDARY"
)

// domain is a custom domain of an API.
type domain struct {
	host         string
	target, zone pulumi.StringOutput // the alias target and its hosted zone
}

// customDomain serves an API stage on <label>.<domain>: a regional ACM
// certificate validated through the zone, a REGIONAL dual-stack domain name
// with the TLS 1.2 policy, the API mapping, and A and AAAA aliases.
//
// The HTTP API ("api") with a health-check path also gets its Route53
// health check. With Args.Failover the aliases are failover records and the
// health check probes a region-pinned name, <label>-<region>.<domain>:
// probing api.<domain> itself would follow the failover. The primary's
// records are evaluated by the pair's failover switch (failover.Switch, an
// alarm in the recovery Region that configuration sets): a pilot-light
// region takes traffic only once the recovery stack is made active or the
// primary is fenced; the measuring check shows the region's state.
func (s *Serverless) customDomain(ctx *pulumi.Context, label string, apiID pulumi.IDOutput, stage pulumi.StringOutput) (domain, error) {
	a := s.args
	parent := pulumi.Parent(s)
	host := label + "." + a.Domain
	names := []string{host}
	probe := host
	pinned := ""
	if a.Failover != "" {
		pinned = label + "-" + a.Region + "." + a.Domain
		names, probe = append(names, pinned), pinned
	}
	certificate, err := cert.New(ctx, s, cert.Args{Name: label, Names: names, ZoneID: a.ZoneID, Book: a.Certificates})
	if err != nil {
		return domain{}, err
	}
	serve := func(name, fqdn, key string) (target, zone pulumi.StringOutput, err error) {
		dn, err := apigatewayv2.NewDomainName(ctx, name, &apigatewayv2.DomainNameArgs{
			DomainName: pulumi.String(fqdn),
			DomainNameConfiguration: &apigatewayv2.DomainNameDomainNameConfigurationArgs{
				CertificateArn: certificate.Arn,
				EndpointType:   pulumi.String("REGIONAL"),
				SecurityPolicy: pulumi.String("TLS_1_2"),
				IpAddressType:  pulumi.String("dualstack"),
			},
		}, parent)
		if err != nil {
			return target, zone, err
		}
		mapping := &apigatewayv2.ApiMappingArgs{ApiId: apiID, DomainName: dn.DomainName, Stage: stage}
		if key != "" {
			mapping.ApiMappingKey = pulumi.String(key)
		}
		if _, err := apigatewayv2.NewApiMapping(ctx, name, mapping, parent); err != nil {
			return target, zone, err
		}
		return dn.DomainNameConfiguration.TargetDomainName().Elem(), dn.DomainNameConfiguration.HostedZoneId().Elem(), nil
	}
	// Behind CloudFront, ws.<domain> serves the WebSocket API at the path
	// the distribution forwards (EdgeWebSocketKey).
	key := ""
	if label == "ws" && s.wsEdgeURL() != "" {
		key = EdgeWebSocketKey
	}
	target, zone, err := serve(label, host, key)
	if err != nil {
		return domain{}, err
	}
	if pinned != "" {
		pt, pz, err := serve(label+"-regional", pinned, "")
		if err != nil {
			return domain{}, err
		}
		if err := s.aliases(ctx, label+"-regional", pinned, pt, pz, nil); err != nil {
			return domain{}, err
		}
	}
	if spec := a.Spec.API; label == "api" && spec != nil && spec.HealthCheckPath != "" {
		hc, err := route53.NewHealthCheck(ctx, "api", &route53.HealthCheckArgs{
			Type: pulumi.String("HTTPS"), Fqdn: pulumi.String(probe), Port: pulumi.Int(443),
			ResourcePath: pulumi.String(spec.HealthCheckPath), EnableSni: pulumi.Bool(true),
			RequestInterval: pulumi.Int(30), FailureThreshold: pulumi.Int(3), MeasureLatency: pulumi.Bool(true),
		}, parent)
		if err != nil {
			return domain{}, err
		}
		s.apiCheck = hc.ID().ToStringOutput()
		if a.Failover == FailoverPrimary {
			if a.SwitchAlarm == (pulumi.StringOutput{}) || a.SwitchRegion == "" {
				return domain{}, errors.New("serverless: Args.SwitchAlarm and SwitchRegion are required for the PRIMARY api./ws. records")
			}
			sw, err := failover.Switch(ctx, "api", "api./ws. "+a.Region, failover.Alarm{Name: a.SwitchAlarm, Region: a.SwitchRegion}, parent)
			if err != nil {
				return domain{}, err
			}
			s.apiSwitch = sw.ID().ToStringOutput()
		}
	}
	var records *route53.RecordArgs
	if a.Failover != "" {
		records = &route53.RecordArgs{
			SetIdentifier:           pulumi.String(strings.ToLower(a.Failover) + "-" + a.Region),
			FailoverRoutingPolicies: route53.RecordFailoverRoutingPolicyArray{route53.RecordFailoverRoutingPolicyArgs{Type: pulumi.String(a.Failover)}},
		}
		// Both APIs live and die with the region: ws follows api. The
		// PRIMARY records answer to the operator's switch (package
		// failover), the SECONDARY ones to their region's own check.
		switch {
		case s.apiSwitch != (pulumi.StringOutput{}):
			records.HealthCheckId = s.apiSwitch
		case s.apiCheck != (pulumi.StringOutput{}):
			records.HealthCheckId = s.apiCheck
		}
	}
	if err := s.aliases(ctx, label, host, target, zone, records); err != nil {
		return domain{}, err
	}
	return domain{host: host, target: target, zone: zone}, nil
}

// aliases writes the A and AAAA alias records of name; failover, when not
// nil, carries the failover routing policy, set identifier and health check.
func (s *Serverless) aliases(ctx *pulumi.Context, label, name string, target, zone pulumi.StringOutput, failover *route53.RecordArgs) error {
	for _, typ := range []string{"A", "AAAA"} {
		args := &route53.RecordArgs{
			ZoneId: s.args.ZoneID,
			Name:   pulumi.String(name),
			Type:   pulumi.String(typ),
			Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
				Name: target, ZoneId: zone, EvaluateTargetHealth: pulumi.Bool(failover != nil),
			}},
		}
		if failover != nil {
			args.SetIdentifier, args.FailoverRoutingPolicies, args.HealthCheckId = failover.SetIdentifier, failover.FailoverRoutingPolicies, failover.HealthCheckId
		}
		if _, err := route53.NewRecord(ctx, label+"-"+typ, args, pulumi.Parent(s)); err != nil {
			return err
		}
	}
	return nil
}
