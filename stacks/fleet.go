package stacks

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/fleet"
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
	sec *secrets.Secrets, data *datalayer.DataLayer, zone pulumi.StringInput,
) (*fleet.Fleet, error) {
	replica := ""
	if cfg.Role == config.RolePrimary {
		replica = cfg.DRRegion
	}
	fl, err := fleet.New(ctx, "fleet", &fleet.Args{
		Spec: *cfg.Fleet, Network: net, Data: data, Secrets: sec,
		Project: cfg.Project, Stack: cfg.Stack, Environment: cfg.Environment, Region: cfg.Region,
		Partition: cfg.Partition(), Domain: cfg.Domain, Role: cfg.Role, Protect: cfg.Protected(),
		ReplicaRegion: replica, ZoneID: zone,
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
