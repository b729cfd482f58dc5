package stacks

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/cert"
	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/drlink"
	"github.com/dbay/infra/components/fleet"
	"github.com/dbay/infra/components/frontend"
	"github.com/dbay/infra/components/network"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/components/serverless"
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
	certs *cert.Book, contract *Contract,
) (*fleet.Fleet, error) {
	args := &fleet.Args{
		Env: cfg.Env(), Spec: *cfg.Fleet, Network: net, Data: data, Secrets: sec, Role: cfg.Role,
		ZoneID: zone, OriginVerify: ov, Certificates: certs, Tags: Tags(cfg), CalledFromVPC: calledByFunctions(cfg),
		Fenced: cfg.Fenced(),
	}
	switch {
	case contract != nil:
		// The primary's registry replication creates the repositories here.
		args.Replicas = &fleet.ReplicaRepos{URLs: contract.ImageReplicaURLs, KeyArn: contract.ImageReplicaKeyArn}
	case hasDR(cfg):
		args.ReplicaRegion, args.ReplicaProvider = cfg.DRRegion, providers.ByRegion[cfg.DRRegion]
	}
	fl, err := fleet.New(ctx, "fleet", args, pulumi.Providers(providers.Regional))
	if err != nil {
		return nil, err
	}
	if err := recoveryFirewall(ctx, cfg, fl); err != nil {
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
	if err := exportBuild(ctx, cfg, fl, sec); err != nil {
		return nil, err
	}
	return fl, nil
}

// calledByFunctions are the services the stack's functions call (their
// `calls`), sorted: the fleet gives each an address reachable from the VPC.
func calledByFunctions(cfg *config.Config) []string {
	if cfg.Serverless == nil {
		return nil
	}
	set := map[string]bool{}
	for _, f := range cfg.Serverless.Functions {
		for _, svc := range f.Calls {
			set[svc] = true
		}
	}
	out := make([]string, 0, len(set))
	for svc := range set {
		out = append(out, svc)
	}
	sort.Strings(out)
	return out
}

// originVerify is the secret header that proves a request came through the
// primary's CloudFront distribution, when the fleet's ALB or the HTTP API
// sits behind it (behindEdge): required by every fleet listener rule and
// by the API's authorizers, and sent by CloudFront to those origins. A primary with a frontend
// generates it once; a recovery stack takes the primary's from the
// contract, so the distribution's requests pass its standby ALB after a
// failover of origin.<domain>. nil otherwise.
func originVerify(ctx *pulumi.Context, cfg *config.Config, contract *Contract) (*fleet.OriginVerify, error) {
	if !behindEdge(cfg) {
		return nil, nil
	}
	if contract != nil {
		primary := cfg.DR.PrimaryStack
		value := contract.OriginVerify.ApplyT(func(v string) (string, error) {
			if v == "" {
				return "", fmt.Errorf("%s:fleet.alb.ingress is cloudfront, but the primary stack %s exports no %s.originVerify: "+
					"its ALB or API is not behind its frontend (give the primary a frontend, and fleet.alb.ingress cloudfront or serverless.api.customDomain, and run pulumi up --stack %s; or set ingress public here)",
					cfg.Project, primary, ContractOutput, primary)
			}
			return v, nil
		}).(pulumi.StringOutput)
		return &fleet.OriginVerify{Header: frontend.OriginVerifyHeader, Value: value}, nil
	}
	if cfg.Frontend == nil {
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

// recoveryFirewall gives a recovery stack's CloudFront-facing ALB the same
// REGIONAL web ACL the primary's frontend puts on the primary's ALB (the
// recovery stack has no frontend of its own). The ACL's logs keep the
// frontend's default retention, the primary's unless it sets
// frontend.logRetentionDays.
func recoveryFirewall(ctx *pulumi.Context, cfg *config.Config, fl *fleet.Fleet) error {
	if cfg.Role != config.RoleRecovery || cfg.OriginHost() == "" {
		return nil
	}
	_, err := frontend.NewALBFirewall(ctx, fl, frontend.ALBFirewallArgs{
		Env: cfg.Env(), Name: "fleet", Site: cfg.OriginHost() + ", recovery stack", LoadBalancerArn: fl.AlbArn,
		LogRetentionDays: config.DefaultLogRetentionDays,
	})
	return err
}

// failoverOrigin writes the fleet's origin.<domain> failover record once
// the stack's alert topic exists: PRIMARY (health-checked) in a primary,
// SECONDARY in the recovery stack, in the zone the contract names.
func failoverOrigin(ctx *pulumi.Context, cfg *config.Config, fl *fleet.Fleet, fe *frontend.Frontend, contract *Contract, topic pulumi.StringOutput, link *drlink.DRLink) error {
	host := cfg.OriginHost()
	if host == "" || fl == nil {
		return nil
	}
	o := fleet.Origin{Name: host, Failover: fleet.FailoverSecondary}
	switch {
	case contract != nil:
		o.ZoneID = contract.ZoneID
	case fe != nil:
		o.ZoneID, o.Failover, o.AlertTopicArn = fe.ZoneID, fleet.FailoverPrimary, topic
		if link != nil {
			o.SwitchAlarm, o.SwitchRegion = link.SwitchAlarm, cfg.DRRegion
		}
	default:
		return fmt.Errorf("stacks: %s needs the frontend's zone", host)
	}
	if err := fl.FailoverOrigin(ctx, o); err != nil {
		return err
	}
	if o.Failover == fleet.FailoverPrimary {
		ctx.Export("originHealthCheckId", fl.OriginHealthCheckID)
		ctx.Export("originFailoverSwitchId", fl.OriginFailoverSwitchID)
	}
	return nil
}

// behindEdge reports whether CloudFront fronts an origin of the stack that
// must refuse requests around it: the fleet's ALB (fleet.alb.ingress
// cloudfront), or the HTTP API on api.<domain>, the primary's
// distribution's /api/* origin (issue 15 item 3), in the primary with its
// frontend and in its recovery stack.
func behindEdge(cfg *config.Config) bool {
	if cfg.Fleet != nil && cfg.Fleet.ALB.Ingress == config.IngressCloudFront {
		return true
	}
	s := cfg.Serverless
	return s != nil && s.API != nil && s.API.CustomDomain && (cfg.Frontend != nil || cfg.Role == config.RoleRecovery)
}

// wsBehindEdge reports whether the WebSocket API is behind CloudFront too
// (issue 15 item 3): a behaviour of the site's distribution, /ws, whose
// origin is ws.<domain>, with the HTTP API's origin header. It needs
// ws.<domain> and the HTTP API behind the edge (the header's secret and
// the authorizer are the HTTP API's), in the primary with its frontend and
// in its recovery stack.
func wsBehindEdge(cfg *config.Config) bool {
	s := cfg.Serverless
	return behindEdge(cfg) && s != nil && s.API != nil && s.API.CustomDomain && s.WebSocket != nil && s.WebSocket.CustomDomain
}

// siteHost is the host the SPA is served on: the frontend's first alias,
// or, in a recovery stack (no frontend of its own), the apex, as
// VITE_API_BASE_URL assumes there.
func siteHost(cfg *config.Config) string {
	if cfg.Frontend != nil {
		return cfg.Frontend.Aliases[0]
	}
	return cfg.Domain
}

// webSocketEdgeURL is the URL clients connect to through CloudFront,
// wss://<site>/ws ("" when the WebSocket API is reached directly).
func webSocketEdgeURL(cfg *config.Config) string {
	if !wsBehindEdge(cfg) {
		return ""
	}
	return "wss://" + siteHost(cfg) + "/" + serverless.EdgeWebSocketKey
}

// albVerify is the origin header the fleet's ALB requires: ov when the ALB
// sits behind CloudFront, nil otherwise (the header may exist for the API
// alone).
func albVerify(cfg *config.Config, ov *fleet.OriginVerify) *fleet.OriginVerify {
	if cfg.Fleet == nil || cfg.Fleet.ALB.Ingress != config.IngressCloudFront {
		return nil
	}
	return ov
}
