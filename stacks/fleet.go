package stacks

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/fleet"
	"github.com/dbay/infra/components/frontend"
	"github.com/dbay/infra/components/network"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
)

// zoneID looks up the stack's public hosted zone (the frontend's zone, or
// the domain) for the components that write records into it: SES DKIM,
// the ALB certificate validation. nil when the stack has no frontend or the
// frontend creates the zone itself (then those records are outputs).
func zoneID(ctx *pulumi.Context, cfg *config.Config, providers *Providers) pulumi.StringInput {
	if cfg.Frontend == nil || cfg.Frontend.CreateZone {
		return nil
	}
	name := cfg.Frontend.ZoneName
	if name == "" {
		name = cfg.Domain
	}
	return route53.LookupZoneOutput(ctx, route53.LookupZoneOutputArgs{
		Name: pulumi.String(name), PrivateZone: pulumi.Bool(false),
	}, pulumi.Provider(providers.Regional)).ZoneId()
}

// buildFleet creates the services and exports what operators and the other
// stacks need from them.
func buildFleet(ctx *pulumi.Context, cfg *config.Config, providers *Providers, net *network.Network,
	sec *secrets.Secrets, data *datalayer.DataLayer, zone pulumi.StringInput, ov *fleet.OriginVerify,
) (*fleet.Fleet, error) {
	replica := ""
	if cfg.Role == config.RolePrimary {
		replica = cfg.DRRegion
	}
	fl, err := fleet.New(ctx, "fleet", &fleet.Args{
		Spec: *cfg.Fleet, Network: net, Data: data, Secrets: sec,
		Project: cfg.Project, Stack: cfg.Stack, Environment: cfg.Environment, Region: cfg.Region,
		Partition: cfg.Partition(), Domain: cfg.Domain, Role: cfg.Role, Protect: cfg.Protected(),
		ReplicaRegion: replica, ZoneID: zone, OriginVerify: ov,
	}, pulumi.Providers(providers.Regional))
	if err != nil {
		return nil, err
	}
	ctx.Export("serviceUrls", fl.ServiceURLs)
	ctx.Export("albDnsName", fl.AlbDNSName)
	ctx.Export("albArn", fl.AlbArn)
	ctx.Export("httpsListenerArn", fl.HTTPSListenerArn)
	ctx.Export("clusterName", fl.ClusterName)
	ctx.Export("repositoryUrls", fl.RepositoryURLs)
	ctx.Export("migrationCommands", fl.MigrationCommands)
	ctx.Export("vpcLinkSecurityGroupId", fl.VpcLinkSecurityGroupID)
	ctx.Export("taskRoleArns", fl.TaskRoleArns)
	return fl, nil
}

// originVerify is the secret header that proves a request came through the
// stack's CloudFront distribution, when the fleet's ALB sits behind it
// (fleet.alb.ingress cloudfront and a frontend): generated once, required
// by every fleet listener rule and sent by CloudFront to the ALB origin.
// nil otherwise.
func originVerify(ctx *pulumi.Context, cfg *config.Config) (*fleet.OriginVerify, error) {
	if cfg.Fleet == nil || cfg.Frontend == nil || cfg.Fleet.ALB.Ingress != config.IngressCloudFront {
		return nil, nil
	}
	secret, err := random.NewRandomPassword(ctx, "origin-verify", &random.RandomPasswordArgs{
		Length: pulumi.Int(48), Special: pulumi.Bool(false),
	})
	if err != nil {
		return nil, err
	}
	return &fleet.OriginVerify{Header: frontend.OriginVerifyHeader, Value: secret.Result}, nil
}
