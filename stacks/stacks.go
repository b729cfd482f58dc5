// Package stacks composes the components into a stack. Run reads and
// validates the configuration before any resource is registered, then
// builds what the stack's role asks for.
package stacks

import (
	"encoding/json"
	"os"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
)

// Run is the Pulumi program: main.go calls pulumi.Run(stacks.Run).
func Run(ctx *pulumi.Context) error {
	return RunWithKeys(ctx, configKeysFromEnv(ctx.Project()))
}

// RunWithKeys is Run for a caller that knows which config keys the run has
// (the mock engine harness). Values are always read from ctx.
func RunWithKeys(ctx *pulumi.Context, keys []string) error {
	src := config.Source{Project: ctx.Project(), Stack: ctx.Stack(), Values: map[string]string{}}
	for _, k := range keys {
		if v, ok := ctx.GetConfig(k); ok {
			src.Values[k] = v
			if ctx.IsConfigSecret(k) {
				src.SecretKeys = append(src.SecretKeys, k)
			}
		}
	}
	cfg, err := config.Load(src)
	if err != nil {
		return err // nothing has been registered yet
	}
	return Build(ctx, cfg)
}

// configKeysFromEnv lists the run's config keys. The Pulumi language host
// hands the config to the program in PULUMI_CONFIG (the same map the SDK
// reads); its keys are what the strict loader needs to spot unknown ones.
// Without it, only the keys the program knows are read.
func configKeysFromEnv(project string) []string {
	var m map[string]string
	if raw := os.Getenv(pulumi.EnvConfig); raw != "" {
		if err := json.Unmarshal([]byte(raw), &m); err == nil {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return keys
		}
	}
	return config.KnownKeys(project)
}
