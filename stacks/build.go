package stacks

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/components/auth"
	"github.com/dbay/infra/components/baseline"
	"github.com/dbay/infra/components/cert"
	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/drlink"
	"github.com/dbay/infra/components/fleet"
	"github.com/dbay/infra/components/frontend"
	"github.com/dbay/infra/components/monitoring"
	"github.com/dbay/infra/components/network"
	"github.com/dbay/infra/components/seal"
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

// Build creates the stack from a validated configuration, in four steps:
// the network and the stores (core), the fleet, edge and serverless
// workloads, the baseline and monitoring (operations), then — every grant
// made — the seal of the grant-dependent policies (seal.All) and the
// exports. It fails if a component that needs a seal was never sealed.
//
// A recovery stack on standby builds its StandbyView: no derived store,
// the DocumentDB secondary headless, the
// PostgreSQL replica on its standby class (docs/dr.md "Disaster recovery").
func Build(ctx *pulumi.Context, cfg *config.Config) error {
	err := build(ctx, cfg.StandbyView())
	if checkErr := seal.Check(ctx); err == nil {
		err = checkErr
	}
	return err
}

// built is what the steps of Build create and hand each other.
type built struct {
	cfg        *config.Config
	providers  *Providers
	regional   pulumi.ResourceOption
	contract   *Contract // the primary's, in a recovery stack; nil otherwise
	net        *network.Network
	sec        *secrets.Secrets
	link       *drlink.DRLink
	data       *datalayer.DataLayer
	zone       pulumi.StringInput
	certs      *cert.Book
	ov         *fleet.OriginVerify
	fl         *fleet.Fleet
	fe         *frontend.Frontend
	au         *auth.Auth
	sl         *serverless.Serverless
	base       *baseline.Baseline
	mon        *monitoring.Monitoring
	sources    []alarm.Source
	logSources []alarm.LogSource
}

func build(ctx *pulumi.Context, cfg *config.Config) error {
	b := &built{cfg: cfg}
	for _, step := range []func(*pulumi.Context) error{b.core, b.workloads, b.operations, seal.All, b.export} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// core creates the providers, the network, the secrets, the DR link and
// the data layer (reading the primary's contract first in a recovery stack).
func (b *built) core(ctx *pulumi.Context) error {
	cfg := b.cfg
	providers, err := NewProviders(ctx, cfg)
	if err != nil {
		return err
	}
	b.providers, b.regional = providers, pulumi.Providers(providers.Regional)
	if cfg.Role == config.RoleRecovery {
		// Read first: a recovery stack is built from the contract its
		// primary replicated into this Region.
		if b.contract, err = ReadContract(ctx, cfg.Project, cfg.DR.PrimaryStack, cfg.Region, providers.Regional); err != nil {
			return err
		}
	}
	if b.net, err = network.New(ctx, "network", &network.Args{Env: cfg.Env(), Spec: cfg.Network}, b.regional); err != nil {
		return err
	}
	secArgs, dataArgs, zone := storeArgs(ctx, cfg, providers, b.net, b.contract)
	b.zone = zone
	if b.sec, err = secrets.New(ctx, "secrets", secArgs, b.regional); err != nil {
		return err
	}
	if b.link, err = newLink(ctx, cfg, providers, b.sec); err != nil {
		return err
	}
	// Database master credentials live under the secrets key and replicate
	// with the other secrets (datalayer.Vault).
	dataArgs.Vault = &datalayer.Vault{KeyArn: b.sec.KeyArn, Replicas: b.sec.Replicas()}
	if b.data, err = datalayer.New(ctx, "data", dataArgs, b.regional); err != nil {
		return err
	}
	// The S3 gateway endpoint admits the stack's buckets and ECR's layers
	// only (docs/security.md "Security"; the wiring proof checks each bucket edge).
	if _, err := b.net.RestrictS3(ctx, b.data.BucketArns()); err != nil {
		return err
	}
	b.certs = certificates(cfg, b.contract)
	b.sources = []alarm.Source{b.data}
	return nil
}

// workloads creates the fleet, the edge (frontend, auth) and the
// serverless component, each only when configured.
func (b *built) workloads(ctx *pulumi.Context) error {
	cfg, providers := b.cfg, b.providers
	ov, err := originVerify(ctx, cfg, b.contract)
	if err != nil {
		return err
	}
	b.ov = ov
	if cfg.Fleet != nil {
		if b.fl, err = buildFleet(ctx, cfg, providers, b.net, b.sec, b.data, b.zone, albVerify(cfg, ov), b.certs, b.contract); err != nil {
			return err
		}
		b.sources = append(b.sources, b.fl)
		b.logSources = append(b.logSources, b.fl)
	}
	if b.fe, b.au, err = buildEdge(ctx, cfg, providers, b.fl, ov, albVerify(cfg, ov), b.certs); err != nil {
		return err
	}
	if b.fe != nil {
		b.sources = append(b.sources, b.fe)
	}
	if cfg.Serverless != nil {
		if b.sl, err = buildServerless(ctx, cfg, providers, b.net, b.sec, b.data, b.fl, b.au, b.zone, b.certs, ov, b.link); err != nil {
			return err
		}
		b.sources = append(b.sources, b.sl)
	}
	return nil
}

// operations creates the baseline and monitoring, and the fleet's origin
// failover records.
func (b *built) operations(ctx *pulumi.Context) error {
	cfg, providers := b.cfg, b.providers
	var err error
	// The audit trail, detection services and the xpriv alarms (docs/security.md
	// "Security baseline"); Monitoring turns its specs into alarms.
	if b.base, err = baseline.New(ctx, "baseline", &baseline.Args{
		Env: cfg.Env(), Spec: cfg.Security, Primary: cfg.Role == config.RolePrimary, Watch: watched(b.sec, b.link),
	}, b.regional); err != nil {
		return err
	}
	b.sources = append(b.sources, b.base)
	if b.mon, err = monitoring.New(ctx, "monitoring", &monitoring.Args{
		Env: cfg.Env(), Spec: cfg.Monitoring, GlobalProvider: providers.Global, CopyProvider: providers.ByRegion[cfg.Monitoring.Backup.CopyToRegion],
		BackupTag: backupTag(cfg), Sources: b.sources, LogSources: b.logSources, BreakGlassRole: cfg.Security.BreakGlassRole,
	}, b.regional); err != nil {
		return err
	}
	return failoverOrigin(ctx, cfg, b.fl, b.fe, b.contract, b.mon.AlertTopicArn, b.link)
}

// export publishes the stack outputs, and the DR contract (a primary with
// a DR region) or the runbooks (a recovery stack).
func (b *built) export(ctx *pulumi.Context) error {
	cfg, net, sec, data, mon := b.cfg, b.net, b.sec, b.data, b.mon
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
	ctx.Export("trailLogGroup", b.base.TrailLogGroup)
	ctx.Export("drPolicy", pulumi.String(cfg.DR.Policy().String()))
	exportOperations(ctx, cfg, data, b.fl, b.sl != nil)
	switch {
	case b.contract != nil:
		// The runbook is the configuration as written (the active sizes),
		// whatever the standby view built.
		in := runbookInputs{cfg: cfg.Full(), contract: b.contract, data: data, fleet: b.fl, sl: b.sl, auth: b.au}
		ctx.Export("failoverRunbook", render(in.failover()))
		ctx.Export("failbackRunbook", render(in.failback()))
	case hasDR(cfg):
		c := primaryContract(cfg, net, sec, data, b.fe, b.fl, b.sl, b.zone, b.ov, b.certs)
		c.Export(ctx)
		if err := publishContract(b.link, ctx, c); err != nil {
			return err
		}
	}
	if b.link != nil {
		ctx.Export("failoverSwitchAlarm", pulumi.String(drlink.SwitchAlarmName(cfg.Project, linkPrimary(cfg))))
		ctx.Export("failoverSwitchValue", b.link.PublisherValue)
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
