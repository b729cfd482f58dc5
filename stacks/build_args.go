package stacks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/fleet"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
)

// exportBuild exports what the image builds need, for every service with
// a build section (fleet.services[].build): buildArgs (service -> name ->
// value; a build secret's value is "secretsmanager:<arn>", read at build
// time) and buildCommands (service -> the exact ECR login, docker build
// with every --build-arg, and push of the configured tag). Next.js and
// Vite inline NEXT_PUBLIC_* / VITE_* at build time
// (https://nextjs.org/docs/app/guides/environment-variables#bundling-environment-variables-for-the-browser):
// the task's run-time environment cannot change client code. A primary
// stack only: a recovery stack's repositories are replicas of the
// primary's (ECR replication), nobody pushes there.
func exportBuild(ctx *pulumi.Context, cfg *config.Config, fl *fleet.Fleet, sec *secrets.Secrets) error {
	if cfg.Role != config.RolePrimary {
		return nil
	}
	args, commands := pulumi.Map{}, pulumi.StringMap{}
	for _, s := range cfg.Fleet.Services {
		b := s.Build
		if b == nil {
			continue
		}
		values := pulumi.StringMap{}
		for k, v := range b.Env {
			values[k] = pulumi.String(v)
		}
		secretArns := map[string]pulumi.StringOutput{}
		for _, name := range b.Secrets {
			if sec == nil {
				return fmt.Errorf("stacks: fleet.services[%s].build.secrets names %s, but the stack has no secrets", s.Name, name)
			}
			arn, err := sec.ARN(name)
			if err != nil {
				return err
			}
			secretArns[name] = arn
			values[name] = pulumi.Sprintf("secretsmanager:%s", arn)
		}
		args[s.Name] = values
		commands[s.Name] = buildCommand(cfg.Region, s, fl.RepositoryURLs.MapIndex(pulumi.String(s.Name)), secretArns)
	}
	if len(args) == 0 {
		return nil
	}
	ctx.Export("buildArgs", args)
	ctx.Export("buildCommands", commands)
	return nil
}

// buildCommand is one service's release build: log in to the registry,
// build for the service's architecture with every build argument (plain
// ones single-quoted, secrets read from Secrets Manager by the person or
// CI job running it), push the configured tag.
func buildCommand(region string, s config.FleetService, repo pulumi.StringOutput, secretArns map[string]pulumi.StringOutput) pulumi.StringOutput {
	names := make([]string, 0, len(secretArns))
	for n := range secretArns {
		names = append(names, n)
	}
	sort.Strings(names)
	inputs := []any{repo}
	for _, n := range names {
		inputs = append(inputs, secretArns[n])
	}
	return pulumi.All(inputs...).ApplyT(func(v []any) string {
		repo := v[0].(string)
		registry, _, _ := strings.Cut(repo, "/")
		platform := "linux/amd64"
		if s.Architecture == "ARM64" {
			platform = "linux/arm64"
		}
		dockerfile := s.Build.Dockerfile
		if dockerfile == "" {
			dockerfile = "Dockerfile"
		}
		var b strings.Builder
		fmt.Fprintf(&b, "aws ecr get-login-password --region %s | docker login --username AWS --password-stdin %s && ", region, registry)
		fmt.Fprintf(&b, "docker build --platform %s -f %s", platform, dockerfile)
		keys := make([]string, 0, len(s.Build.Env))
		for k := range s.Build.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, " --build-arg %s='%s'", k, s.Build.Env[k])
		}
		for i, n := range names {
			fmt.Fprintf(&b, ` --build-arg %s="$(aws secretsmanager get-secret-value --region %s --secret-id %s --query SecretString --output text)"`,
				n, region, v[i+1].(string))
		}
		fmt.Fprintf(&b, " -t %s:%s . && docker push %s:%s", repo, s.Image.Tag, repo, s.Image.Tag)
		return b.String()
	}).(pulumi.StringOutput)
}
