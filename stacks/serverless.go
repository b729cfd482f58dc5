package stacks

import (
	"errors"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/auth"
	"github.com/dbay/infra/components/cert"
	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/drlink"
	"github.com/dbay/infra/components/fleet"
	"github.com/dbay/infra/components/network"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/components/serverless"
	"github.com/dbay/infra/config"
)

// buildServerless creates the functions, workflows and APIs, and opens the
// services they call to their security groups.
func buildServerless(ctx *pulumi.Context, cfg *config.Config, providers *Providers, net *network.Network,
	sec *secrets.Secrets, data *datalayer.DataLayer, fl *fleet.Fleet, au *auth.Auth, zone pulumi.StringInput, certs *cert.Book, ov *fleet.OriginVerify,
	link *drlink.DRLink,
) (*serverless.Serverless, error) {
	args := &serverless.Args{
		Env: cfg.Env(), Spec: *cfg.Serverless, Network: net, Data: data, Secrets: sec,
		ZoneID: zone, Passive: cfg.Quiet(), Fenced: cfg.Fenced(), Certificates: certs,
	}
	if ov != nil && cfg.Serverless.API != nil && cfg.Serverless.API.CustomDomain {
		args.OriginVerify = &serverless.OriginVerify{Header: ov.Header, Value: ov.Value, WebSocketURL: webSocketEdgeURL(cfg)}
	}
	switch {
	case cfg.Role == config.RoleRecovery:
		args.Failover = serverless.FailoverSecondary
	case hasDR(cfg):
		args.Failover = serverless.FailoverPrimary
		if link != nil {
			args.SwitchAlarm, args.SwitchRegion = link.SwitchAlarm, cfg.DRRegion
		}
	}
	if fl != nil {
		args.ServiceURLs = fl.InternalURLs
		args.ServiceListenerArn = fl.HTTPSListenerArn
		args.VpcLinkSecurityGroupID = fl.VpcLinkSecurityGroupID
		args.ServiceServerName = fleetServerName(cfg)
	}
	if au != nil {
		args.UserPoolID = au.UserPoolID
		args.UserPoolClientID = au.UserPoolClientID
		if cfg.Auth.HasAdminPool() {
			args.AdminUserPoolID = au.AdminUserPoolID
			args.AdminUserPoolClientID = au.AdminUserPoolClientID
		}
	}
	sl, err := serverless.New(ctx, "serverless", args, pulumi.Providers(providers.Regional))
	if err != nil {
		return nil, err
	}
	for _, c := range sl.Consumers() {
		if len(c.Services) == 0 {
			continue
		}
		if fl == nil {
			return nil, errors.New("stacks: functions call services but the stack has no fleet")
		}
		if err := fl.AllowServices(ctx, c.Name, c.SG, c.Services...); err != nil {
			return nil, err
		}
	}
	ctx.Export("apiBaseUrl", sl.APIBaseURL)
	ctx.Export("apiHealthCheckId", sl.APIHealthCheckID)
	ctx.Export("apiFailoverSwitchId", sl.APIFailoverSwitchID)
	ctx.Export("webSocketUrl", sl.WebSocketURL)
	ctx.Export("functionArns", sl.FunctionArns)
	ctx.Export("stateMachineArns", sl.StateMachineArns)
	ctx.Export("lambdaSecurityGroupIds", sl.SecurityGroupIDs)
	ctx.Export("signingProfileName", sl.SigningProfileName)
	ctx.Export("functionsDlqArn", sl.FunctionsDLQArn)
	ctx.Export("eventsDlqArn", sl.EventsDLQArn)
	return sl, nil
}

// fleetServerName is a name the fleet ALB's certificate covers, which API
// Gateway sends as SNI and verifies over the VPC link.
func fleetServerName(cfg *config.Config) string {
	return "api." + cfg.Domain
}
