package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/auth"
	"github.com/dbay/infra/components/cert"
	"github.com/dbay/infra/components/fleet"
	"github.com/dbay/infra/components/frontend"
	"github.com/dbay/infra/components/serverless"
	"github.com/dbay/infra/config"
)

// buildEdge creates what users reach first: the site (S3 + CloudFront + WAF
// + DNS) and the Cognito user pool, when the stack configures them.
func buildEdge(ctx *pulumi.Context, cfg *config.Config, providers *Providers, fl *fleet.Fleet, ov, albOV *fleet.OriginVerify, certs *cert.Book) (*frontend.Frontend, *auth.Auth, error) {
	regional := pulumi.Providers(providers.Regional)
	var fe *frontend.Frontend
	if cfg.Frontend != nil {
		var err error
		args := &frontend.Args{
			Env: cfg.Env(), Spec: *cfg.Frontend, GlobalProvider: providers.Global, Certificates: certs,
		}
		if hasDR(cfg) {
			args.DR = &frontend.DR{Region: cfg.DRRegion, Provider: providers.ByRegion[cfg.DRRegion]}
		}
		if s := cfg.Serverless; s != nil && s.API != nil && s.API.CustomDomain {
			// /api/* goes to the HTTP API's custom domain (a fixed name: the
			// Serverless component, built later, owns its record).
			args.APIOrigin = &frontend.APIOrigin{DomainName: pulumi.String("api." + cfg.Domain)}
			if ov != nil {
				// The header the API's authorizers require (serverless/edge.go).
				args.APIOrigin.Secret = ov.Value
			}
		}
		if u := webSocketEdgeURL(cfg); u != "" && ov != nil {
			// /ws goes to ws.<domain> (the failover record, as api.) with
			// the same header, which $connect's authorizer requires
			// (serverless/edge.go); clients connect to wss://<site>/ws.
			args.WebSocketOrigin = &frontend.WebSocketOrigin{
				DomainName: pulumi.String("ws." + cfg.Domain), Path: "/" + serverless.EdgeWebSocketKey,
				TokenQuery: serverless.WebSocketTokenQuery, Secret: ov.Value,
			}
		}
		if fl != nil && albOV != nil {
			// The ALB behind CloudFront (Dhanam): the distribution's default
			// origin, with the header every fleet listener rule requires, and
			// a REGIONAL web ACL on the internet-facing ALB itself. With a
			// drRegion the origin is origin.<domain>, the failover record
			// the fleets of both stacks write (failoverOrigin), not this
			// ALB's own name.
			var origin pulumi.StringInput = fl.AlbDNSName
			if host := cfg.OriginHost(); host != "" {
				origin = pulumi.String(host)
			}
			args.ALBOrigin = &frontend.ALBOrigin{
				DomainName: origin, InternetFacing: true, LoadBalancerArn: fl.AlbArn, Secret: albOV.Value,
			}
		}
		fe, err = frontend.New(ctx, "frontend", args, regional)
		if err != nil {
			return nil, nil, err
		}
		ctx.Export("siteUrl", fe.SiteURL)
		ctx.Export("siteBucketName", fe.BucketName)
		ctx.Export("distributionId", fe.DistributionID)
		ctx.Export("distributionDomainName", fe.DistributionDomainName)
		ctx.Export("webAclArn", fe.WebACLArn)
		ctx.Export("zoneId", fe.ZoneID)
		ctx.Export("siteHealthCheckId", fe.HealthCheckID)
		ctx.Export("siteSyncCommands", fe.SyncCommands)
		ctx.Export("siteInvalidateCommand", fe.InvalidateCommand)
	}
	if cfg.Auth == nil {
		return fe, nil, nil
	}
	args := &auth.Args{
		Env: cfg.Env(), Spec: *cfg.Auth, GlobalProvider: providers.Global, Certificates: certs,
		// The SPA calls the API through the distribution's /api/* behaviour.
		APIBaseURL: pulumi.Sprintf("https://%s/api/v1", cfg.Domain),
	}
	if u := webSocketEdgeURL(cfg); u != "" {
		args.WebSocketURL = pulumi.String(u)
	}
	if fe != nil {
		args.APIBaseURL = pulumi.Sprintf("https://%s/api/v1", cfg.Frontend.Aliases[0])
		args.ZoneID = fe.ZoneID
		args.ParentRecord = fe.ApexRecord
	}
	au, err := auth.New(ctx, "auth", args, regional)
	if err != nil {
		return nil, nil, err
	}
	ctx.Export("userPoolId", au.UserPoolID)
	ctx.Export("userPoolClientId", au.UserPoolClientID)
	ctx.Export("cognitoIssuer", au.Issuer)
	ctx.Export("hostedUiDomain", au.HostedUIDomain)
	ctx.Export("viteEnv", au.ViteEnv)
	if cfg.Auth.HasAdminPool() {
		ctx.Export("adminUserPoolId", au.AdminUserPoolID)
		ctx.Export("adminUserPoolClientId", au.AdminUserPoolClientID)
		ctx.Export("adminCognitoIssuer", au.AdminIssuer)
		ctx.Export("adminHostedUiDomain", au.AdminHostedUIDomain)
	}
	return fe, au, nil
}
