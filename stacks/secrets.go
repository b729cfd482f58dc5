package stacks

import (
	"maps"
	"slices"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
)

// Secrets runbook outputs. ECS does not start a task while a secret it
// references has no value (the task stops with ResourceInitializationError:
// Secrets Manager cannot find the secret's AWSCURRENT value,
// https://repost.aws/knowledge-center/ecs-secrets-manager-issues), and
// an external secret is created empty: its value is put by an operator.
const (
	// RequiredSecretsOutput maps each fleet service to the put-secret-value
	// commands of the external secrets it receives, which must hold a value
	// before the first deploy of that service ([] when it needs none).
	RequiredSecretsOutput = "secretsRequiredBeforeDeploy"
	// OptionalSecretsOutput maps each optional external secret not yet
	// provided to what switches it on: put its value, then declare it
	// provided in both stacks' config and run pulumi up.
	OptionalSecretsOutput = "secretsOptionalPending"
	// AppKeysOutput are the application keys' ARNs by name (secrets.keys).
	AppKeysOutput = "appKeyArns"
)

// exportSecretRunbook exports the application keys (when the stack has
// some) and, in a primary stack with a fleet, the secrets each service
// needs before its first deploy and the optional ones still switched off.
// A recovery stack reads the primary's replicas: its operator puts nothing.
func exportSecretRunbook(ctx *pulumi.Context, cfg *config.Config, sec *secrets.Secrets) {
	if len(cfg.Secrets.Keys) > 0 {
		ctx.Export(AppKeysOutput, sec.AppKeyArns)
	}
	if cfg.Role != config.RolePrimary || cfg.Fleet == nil {
		return
	}
	required := pulumi.StringArrayMap{}
	for _, s := range cfg.Fleet.Services {
		cmds := pulumi.StringArray{}
		for _, name := range RequiredSecrets(cfg.Secrets, s) {
			cmds = append(cmds, index(sec.PutCommands, name))
		}
		required[s.Name] = cmds
	}
	ctx.Export(RequiredSecretsOutput, required)
	pending := pulumi.StringMap{}
	for _, name := range slices.Sorted(maps.Keys(cfg.Secrets.Items)) {
		it := cfg.Secrets.Items[name]
		if !it.Optional || it.Provided {
			continue
		}
		pending[name] = pulumi.Sprintf("%s && pulumi config set --stack %s --path 'secrets.items.%s.provided' true && pulumi up --stack %s  # and the same provided: true in the recovery stack's file (its replica holds the value)",
			index(sec.PutCommands, name), cfg.Stack, name, cfg.Stack)
	}
	if len(pending) > 0 {
		ctx.Export(OptionalSecretsOutput, pending)
	}
}

// RequiredSecrets are the external secrets a service receives (sorted):
// every one it lists but the optional ones not yet provided. Each must
// hold a value before the service's first deploy.
func RequiredSecrets(spec config.Secrets, s config.FleetService) []string {
	var out []string
	for _, name := range s.Secrets {
		if it := spec.Items[name]; it.Source == config.SourceExternal && spec.Injected(name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
