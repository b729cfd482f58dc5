package stacks

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/drlink"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
)

// newLink creates the DR pair's link in the recovery Region (package
// drlink): in a primary with a drRegion, the failover switch's alarm, the
// primary's publisher on it (1 when dr.fenced) and the contract secret
// (under the secrets key's replica there, readable by the deploy role —
// which runs `pulumi up` on the recovery stack — and break-glass only);
// in a recovery stack, its own publisher (1 once fleet.standby is active).
// nil outside a pair.
func newLink(ctx *pulumi.Context, cfg *config.Config, providers *Providers, sec *secrets.Secrets) (*drlink.DRLink, error) {
	args := &drlink.Args{Env: cfg.Env(), SwitchOn: cfg.SwitchOn()}
	var provider *aws.Provider
	switch {
	case hasDR(cfg):
		args.Primary, args.PrimaryStack, args.RecoveryRegion = true, cfg.Stack, cfg.DRRegion
		provider = providers.ByRegion[cfg.DRRegion]
		account := aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, pulumi.Provider(providers.Regional)).AccountId()
		role := func(name string) pulumi.StringOutput {
			return pulumi.Sprintf("arn:%s:iam::%s:role/%s", cfg.Partition(), account, name)
		}
		args.Contract = &drlink.ContractArgs{
			KeyArn:  index(sec.ReplicaKeyArns, cfg.DRRegion),
			Readers: pulumi.StringArray{role(cfg.Security.DeployRole), role(cfg.Security.BreakGlassRole)},
			Writer:  role(cfg.Security.DeployRole),
		}
	case cfg.Role == config.RoleRecovery:
		args.PrimaryStack, args.RecoveryRegion = primaryStackName(cfg), cfg.Region
		provider = providers.Regional
	default:
		return nil, nil
	}
	return drlink.New(ctx, "drlink", args, pulumi.Providers(provider))
}

// primaryStackName is dr.primaryStack's stack part (organization/dbay/prod -> prod).
func primaryStackName(cfg *config.Config) string {
	s := cfg.DR.PrimaryStack
	return s[strings.LastIndex(s, "/")+1:]
}

// publishContract replicates the primary's contract into the recovery
// Region (drlink.Publish).
func publishContract(link *drlink.DRLink, ctx *pulumi.Context, c *Contract) error {
	if link == nil {
		return fmt.Errorf("stacks: a primary with a drRegion needs its DR link")
	}
	plain, secret := c.documents()
	return link.Publish(ctx, drlink.Document{Plain: plain, Secret: secret})
}

// watched are the secrets the primary's trail alarms on: the single-reader
// secrets and the replicated contract.
func watched(sec *secrets.Secrets, link *drlink.DRLink) []secrets.Watch {
	out := sec.Watched()
	if link != nil {
		if w, ok := link.Watch(); ok {
			out = append(out, w)
		}
	}
	return out
}

// linkPrimary is the pair's primary stack name: the stack itself in a primary.
func linkPrimary(cfg *config.Config) string {
	if cfg.Role == config.RoleRecovery {
		return primaryStackName(cfg)
	}
	return cfg.Stack
}
