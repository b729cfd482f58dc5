package stacks

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/components/baseline"
	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/drlink"
	"github.com/dbay/infra/components/fleet"
	"github.com/dbay/infra/components/monitoring"
	"github.com/dbay/infra/components/network"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/components/serverless"
	"github.com/dbay/infra/config"
)

// GlobalRegion is where CloudFront certificates and CLOUDFRONT-scope WAF live.
const GlobalRegion = "us-east-1"

// Providers are the explicit AWS providers handed down the component tree.
type Providers struct {
	// Regional deploys into the stack's region (aws:region).
	Regional *aws.Provider
	// Global deploys into us-east-1, whatever the stack's region; nil in a
	// stack that creates nothing there (needsGlobal).
	Global *aws.Provider
	// ByRegion has a provider for every region the stack touches (its own,
	// us-east-1, and each secrets replica region).
	ByRegion map[string]*aws.Provider
}

// Build creates the stack from a validated configuration.
//
// A recovery stack on standby builds its StandbyView: no derived store,
// the DocumentDB secondary headless, the
// PostgreSQL replica on its standby class (README "Disaster recovery").
func Build(ctx *pulumi.Context, cfg *config.Config) error {
	cfg = cfg.StandbyView()
	providers, err := NewProviders(ctx, cfg)
	if err != nil {
		return err
	}
	regional := pulumi.Providers(providers.Regional)
	var contract *Contract
	if cfg.Role == config.RoleRecovery {
		// Read first: a recovery stack is built from the contract its
		// primary replicated into this Region.
		if contract, err = ReadContract(ctx, cfg.Project, cfg.DR.PrimaryStack, cfg.Region, providers.Regional); err != nil {
			return err
		}
	}
	net, err := network.New(ctx, "network", &network.Args{
		Spec:      cfg.Network,
		Region:    cfg.Region,
		Partition: cfg.Partition(),
		Protect:   cfg.Protected(),
	}, regional)
	if err != nil {
		return err
	}
	secArgs, dataArgs, zone := storeArgs(ctx, cfg, providers, net, contract)
	sec, err := secrets.New(ctx, "secrets", secArgs, regional)
	if err != nil {
		return err
	}
	link, err := newLink(ctx, cfg, providers, sec)
	if err != nil {
		return err
	}
	// Database master credentials live under the secrets key and replicate
	// with the other secrets (datalayer.Vault).
	dataArgs.Vault = &datalayer.Vault{KeyArn: sec.KeyArn, Replicas: sec.Replicas()}
	data, err := datalayer.New(ctx, "data", dataArgs, regional)
	if err != nil {
		return err
	}
	// The S3 gateway endpoint admits the stack's buckets and ECR's layers
	// only (README "Security"; the wiring proof checks each bucket edge).
	if _, err := net.RestrictS3(ctx, data.BucketArns()); err != nil {
		return err
	}
	certs := certificates(cfg, contract)
	sources := []alarm.Source{data}
	var logSources []alarm.LogSource
	var fl *fleet.Fleet
	ov, err := originVerify(ctx, cfg, contract)
	if err != nil {
		return err
	}
	if cfg.Fleet != nil {
		fl, err = buildFleet(ctx, cfg, providers, net, sec, data, zone, albVerify(cfg, ov), certs, contract)
		if err != nil {
			return err
		}
		sources = append(sources, fl)
		logSources = append(logSources, fl)
	}

	fe, au, err := buildEdge(ctx, cfg, providers, fl, ov, albVerify(cfg, ov), certs)
	if err != nil {
		return err
	}
	if fe != nil {
		sources = append(sources, fe)
	}
	var sl *serverless.Serverless
	if cfg.Serverless != nil {
		sl, err = buildServerless(ctx, cfg, providers, net, sec, data, fl, au, zone, certs, ov, link)
		if err != nil {
			return err
		}
		sources = append(sources, sl)
	}
	// The audit trail, detection services and the xpriv alarms (README
	// "Security baseline"); Monitoring turns its specs into alarms.
	base, err := baseline.New(ctx, "baseline", &baseline.Args{
		Spec: cfg.Security, Project: cfg.Project, Stack: cfg.Stack, Region: cfg.Region, Partition: cfg.Partition(),
		Primary: cfg.Role == config.RolePrimary, Protect: cfg.Protected(), Watch: watched(sec, link),
	}, regional)
	if err != nil {
		return err
	}
	sources = append(sources, base)
	mon, err := monitoring.New(ctx, "monitoring", &monitoring.Args{
		Spec: cfg.Monitoring, Project: cfg.Project, Stack: cfg.Stack, Region: cfg.Region, Partition: cfg.Partition(),
		Protect: cfg.Protected(), GlobalProvider: providers.Global, CopyProvider: providers.ByRegion[cfg.Monitoring.Backup.CopyToRegion],
		BackupTag: backupTag(cfg), Sources: sources, LogSources: logSources, BreakGlassRole: cfg.Security.BreakGlassRole,
	}, regional)
	if err != nil {
		return err
	}

	if err := failoverOrigin(ctx, cfg, fl, fe, contract, mon.AlertTopicArn, link); err != nil {
		return err
	}

	// Every grant has been made: write the policies that name the grantees.
	if err := sec.Seal(ctx); err != nil {
		return err
	}
	if err := data.Seal(ctx); err != nil {
		return err
	}

	ctx.Export("role", pulumi.String(string(cfg.Role)))
	ctx.Export("region", pulumi.String(cfg.Region))
	ctx.Export("vpcId", net.VpcID)
	ctx.Export("vpcCidr", net.CidrBlock)
	ctx.Export("publicSubnetIds", net.PublicSubnetIDs)
	ctx.Export("privateSubnetIds", net.PrivateSubnetIDs)
	ctx.Export("isolatedSubnetIds", net.IsolatedSubnetIDs)
	ctx.Export("endpointSecurityGroupId", net.EndpointSecurityGroupID)
	ctx.Export("secretsKeyArn", sec.KeyArn)
	ctx.Export("secretArns", sec.ARNs)
	ctx.Export("secretPutCommands", sec.PutCommands)
	exportSecretRunbook(ctx, cfg, sec)
	ctx.Export("dataKeyArn", data.KeyArn)
	ctx.Export("postgresEndpoint", data.PostgresEndpoint)
	ctx.Export("postgresReplicaEndpoints", data.ReplicaEndpoints)
	ctx.Export("alertTopicArn", mon.AlertTopicArn)
	ctx.Export("dashboardName", mon.DashboardName)
	ctx.Export("backupVaultArn", mon.BackupVaultArn)
	ctx.Export("backupCopyVaultArn", mon.CopyVaultArn)
	ctx.Export("trailLogGroup", base.TrailLogGroup)
	ctx.Export("drPolicy", pulumi.String(cfg.DR.Policy().String()))
	exportOperations(ctx, cfg, data, fl, sl != nil)
	switch {
	case contract != nil:
		// The runbook is the configuration as written (the active sizes),
		// whatever the standby view built.
		in := runbookInputs{cfg: cfg.Full(), contract: contract, data: data, fleet: fl, sl: sl, auth: au}
		ctx.Export("failoverRunbook", render(in.failover()))
		ctx.Export("failbackRunbook", render(in.failback()))
	case hasDR(cfg):
		c := primaryContract(cfg, net, sec, data, fe, fl, sl, zone, ov, certs)
		c.Export(ctx)
		if err := publishContract(link, ctx, c); err != nil {
			return err
		}
	}
	if link != nil {
		ctx.Export("failoverSwitchAlarm", pulumi.String(drlink.SwitchAlarmName(cfg.Project, linkPrimary(cfg))))
		ctx.Export("failoverSwitchValue", link.PublisherValue)
	}
	return nil
}

// hasDR reports whether a primary stack has a recovery region.
func hasDR(cfg *config.Config) bool { return cfg.Role == config.RolePrimary && cfg.DRRegion != "" }

// backupTag is the `backup` tag value AWS Backup selects this stack's
// databases and data buckets by.
func backupTag(cfg *config.Config) string { return cfg.Project + "-" + cfg.Stack }

// Tags are the tags every taggable resource carries, applied through the
// providers' defaultTags.
func Tags(cfg *config.Config) map[string]string {
	tags := map[string]string{
		"project":     cfg.Project,
		"stack":       cfg.Stack,
		"role":        string(cfg.Role),
		"environment": cfg.Environment,
	}
	for k, v := range cfg.Tags {
		tags[k] = v
	}
	return tags
}

// NewProviders creates the regional and the us-east-1 provider, both
// tagging everything they create.
func NewProviders(ctx *pulumi.Context, cfg *config.Config) (*Providers, error) {
	tags := &aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(Tags(cfg))}
	regional, err := aws.NewProvider(ctx, "regional", &aws.ProviderArgs{
		Region:      pulumi.String(cfg.Region),
		DefaultTags: tags,
	})
	if err != nil {
		return nil, err
	}
	ps := &Providers{Regional: regional, ByRegion: map[string]*aws.Provider{cfg.Region: regional}}
	if needsGlobal(cfg) {
		global, err := aws.NewProvider(ctx, GlobalRegion, &aws.ProviderArgs{
			Region:      pulumi.String(GlobalRegion),
			DefaultTags: tags,
		})
		if err != nil {
			return nil, err
		}
		ps.Global = global
		if _, ok := ps.ByRegion[GlobalRegion]; !ok {
			ps.ByRegion[GlobalRegion] = global
		}
	}
	regions := append([]string(nil), cfg.Secrets.ReplicaRegions...)
	if hasDR(cfg) {
		regions = append(regions, cfg.DRRegion)
	}
	if r := cfg.Monitoring.Backup.CopyToRegion; r != "" {
		regions = append(regions, r)
	}
	for _, region := range regions {
		if _, ok := ps.ByRegion[region]; ok {
			continue
		}
		p, err := aws.NewProvider(ctx, region, &aws.ProviderArgs{Region: pulumi.String(region), DefaultTags: tags})
		if err != nil {
			return nil, err
		}
		ps.ByRegion[region] = p
	}
	return ps, nil
}

// needsGlobal reports whether the stack needs the us-east-1 provider: a
// primary always has one (CloudFront certificates, the CLOUDFRONT web ACL,
// the hosted UI's certificate and the global alarms live there). A
// recovery stack creates nothing in us-east-1 — config refuses a frontend
// there — so it has no us-east-1 provider at all: `pulumi up --stack dr`
// during a us-east-1 outage does not depend on that region's endpoints.
func needsGlobal(cfg *config.Config) bool {
	return cfg.Role == config.RolePrimary || cfg.Frontend != nil || cfg.Auth != nil && cfg.Auth.CustomDomain
}
