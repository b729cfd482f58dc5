package stacks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/fleet"
	"github.com/dbay/infra/config"
)

// Point-in-time restore titles, in order (docs/runbooks.md "Restore PostgreSQL to a
// point in time"; Dhanam's guide, "Database rollback").
const (
	StepRestoreWindow  = "Choose the restore time"
	StepRestore        = "Restore to a new instance"
	StepRestoreVerify  = "Verify the restored instance"
	StepRestoreStop    = "Stop the writers"
	StepRestoreSwap    = "Give the restored instance the writer's identifier"
	StepRestoreAdopt   = "Adopt the restored instance into the stack"
	StepRestoreRebuild = "Rebuild the replicas of the old instance"
	StepRestoreStart   = "Start the writers"
	StepRestoreCleanup = "Delete the old instance"
)

// RestoreTitles are every restore step title in order; a stack without
// replicas skips StepRestoreRebuild, one without services or functions
// StepRestoreStop and StepRestoreStart.
var RestoreTitles = []string{StepRestoreWindow, StepRestore, StepRestoreVerify, StepRestoreStop, StepRestoreSwap,
	StepRestoreAdopt, StepRestoreStart, StepRestoreRebuild, StepRestoreCleanup}

// recoveryStack is the name of a primary's recovery stack (DESIGN.md:
// Pulumi.dr.yaml next to Pulumi.prod.yaml, for DBay and for Dhanam).
const recoveryStack = "dr"

// Suffixes of the instances a restore creates and leaves behind.
const (
	restoredSuffix = "-rollback"
	oldSuffix      = "-pre-rollback"
)

// exportOperations exports what an operator's commands name, with the
// stack's real values: the public URLs, the writer's identifier and the
// Redis endpoint (Dhanam's guide, "Infrastructure Outputs"), each
// service's log group and commands ("Deploy to ECS", "Application
// rollback", "Troubleshooting"), and on a primary with PostgreSQL the
// point-in-time restore runbook ("Database rollback").
func exportOperations(ctx *pulumi.Context, cfg *config.Config, data *datalayer.DataLayer, fl *fleet.Fleet, hasFunctions bool) {
	ctx.Export("postgresIdentifier", data.Postgres.Identifier)
	ctx.Export("redisEndpoint", data.RedisEndpoint)
	if cfg.Data.Postgres != nil {
		ctx.Export("postgresConnectionsCommand", pulumi.Sprintf(
			"aws cloudwatch get-metric-statistics --region %s --namespace AWS/RDS --metric-name DatabaseConnections --dimensions Name=DBInstanceIdentifier,Value=%s --statistics Maximum --period 60 --start-time $(date -u -d '-1 hour' +%%FT%%TZ) --end-time $(date -u +%%FT%%TZ)",
			cfg.Region, data.Postgres.Identifier))
	}
	if fl != nil {
		ctx.Export("publicUrls", publicURLs(cfg.Fleet))
		ctx.Export("logGroups", logGroups(fl))
		ctx.Export("serviceCommands", serviceCommands(cfg, fl))
	}
	if cfg.Data.Postgres != nil && cfg.Role == config.RolePrimary {
		ctx.Export("postgresRestoreRunbook", render(restoreSteps(cfg, data, fl, hasFunctions)))
	}
}

// publicURLs are https://<first host> of every public service by name.
func publicURLs(f *config.Fleet) pulumi.StringMap {
	out := pulumi.StringMap{}
	for _, s := range f.Services {
		if s.Expose.Public && len(s.Expose.Hosts) > 0 {
			out[s.Name] = pulumi.String("https://" + s.Expose.Hosts[0])
		}
	}
	return out
}

// logGroups are the services' CloudWatch log groups by service.
func logGroups(fl *fleet.Fleet) pulumi.StringMap {
	out := pulumi.StringMap{}
	for _, g := range fl.ErrorLogs() {
		out[g.Name] = g.LogGroupName
	}
	return out
}

// serviceCommands are, per service, the commands of the guide's
// "Deploy to ECS", "Application rollback" and log reading, with the
// cluster, service and task definition family the fleet created. On EKS,
// the kubectl equivalents.
func serviceCommands(cfg *config.Config, fl *fleet.Fleet) pulumi.Map {
	logs := map[string]pulumi.StringOutput{}
	for _, g := range fl.ErrorLogs() {
		logs[g.Name] = g.LogGroupName
	}
	out := pulumi.Map{}
	r := cfg.Region
	for _, s := range cfg.Fleet.Services {
		family := cfg.Project + "-" + s.Name
		m := pulumi.StringMap{}
		if cfg.Fleet.Runtime == config.RuntimeEKS {
			kubectl := pulumi.Sprintf("aws eks update-kubeconfig --region %s --name %s && kubectl --namespace %s", r, fl.ClusterName, cfg.Fleet.EKS.Namespace)
			m["redeploy"] = pulumi.Sprintf("%s rollout restart deployment/%s", kubectl, s.Name)
			m["rollback"] = pulumi.Sprintf("%s rollout undo deployment/%s  # then set fleet.services[%s].image.tag back in the stack config", kubectl, s.Name, s.Name)
		} else {
			m["redeploy"] = pulumi.Sprintf("aws ecs update-service --region %s --cluster %s --service %s --force-new-deployment", r, fl.ClusterName, family)
			m["rollback"] = pulumi.Sprintf("aws ecs update-service --region %s --cluster %s --service %s --task-definition %s:$(( $(aws ecs describe-services --region %s --cluster %s --services %s --query 'services[0].taskDefinition' --output text | sed 's/.*://') - 1 ))  # then set fleet.services[%s].image.tag back in the stack config",
				r, fl.ClusterName, family, family, r, fl.ClusterName, family, s.Name)
		}
		if g, ok := logs[s.Name]; ok {
			m["logs"] = pulumi.Sprintf("aws logs tail %s --region %s --follow --since 1h", g, r)
		}
		out[s.Name] = m
	}
	return out
}

// restoreSteps is the point-in-time restore of the stack's PostgreSQL
// writer: restore to a new instance, verify it, stop the writers, give it
// the writer's identifier (so the endpoint, and DATABASE_URL, stay the
// same), point the stack's state at it, rebuild the replicas that follow
// the old instance, start the writers, and delete the old instance.
//
// Sources: restore-db-instance-to-point-in-time does not copy the
// source's security groups or parameter group, so they are named
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIT.html);
// renaming keeps the instance and moves its endpoint
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_RenameInstance.html).
func restoreSteps(cfg *config.Config, data *datalayer.DataLayer, fl *fleet.Fleet, hasFunctions bool) []Step {
	p, r, stack, id := cfg.Data.Postgres, cfg.Region, cfg.Stack, data.Postgres.Identifier
	var steps []Step
	add := func(title string, cmd pulumi.StringOutput) { steps = append(steps, Step{title, cmd}) }
	add(StepRestoreWindow, pulumi.Sprintf("aws rds describe-db-instance-automated-backups --region %s --db-instance-identifier %s --query 'DBInstanceAutomatedBackups[0].RestoreWindow' && export RESTORE_TIME=2024-01-01T12:00:00Z  # a UTC time inside that window",
		r, id))
	multiAZ := "--no-multi-az"
	if p.MultiAZ != nil && *p.MultiAZ {
		multiAZ = "--multi-az"
	}
	add(StepRestore, pulumi.Sprintf("aws rds restore-db-instance-to-point-in-time --region %s --source-db-instance-identifier %s --target-db-instance-identifier %s%s --restore-time \"$RESTORE_TIME\" --db-instance-class %s --db-subnet-group-name %s --vpc-security-group-ids %s --db-parameter-group-name %s %s --storage-type gp3 --no-publicly-accessible --deletion-protection --copy-tags-to-snapshot --enable-iam-database-authentication --enable-cloudwatch-logs-exports postgresql upgrade && aws rds wait db-instance-available --region %s --db-instance-identifier %s%s",
		r, id, id, restoredSuffix, p.InstanceClass, data.Postgres.SubnetGroup, data.Postgres.SecurityGroupID, data.Postgres.ParameterGroup, multiAZ, r, id, restoredSuffix))
	add(StepRestoreVerify, verifyCommand(cfg, data, fl))
	w := writers{project: cfg.Project, region: r, stack: stack, fleet: fl != nil, functions: hasFunctions}
	if fl != nil {
		w.runtime = pulumi.String(cfg.Fleet.Runtime).ToStringOutput()
		w.cluster = fl.ClusterName
		w.namespace = pulumi.String(cfg.Fleet.EKS.Namespace).ToStringOutput()
	}
	if w.fleet || w.functions {
		add(StepRestoreStop, pulumi.Sprintf("%s  # nothing may write to the old instance from here on: those writes would be lost", w.commands(false)))
	}
	add(StepRestoreSwap, pulumi.Sprintf("aws rds modify-db-instance --region %s --db-instance-identifier %s --new-db-instance-identifier %s%s --apply-immediately && sleep 60 && aws rds wait db-instance-available --region %s --db-instance-identifier %s%s && aws rds modify-db-instance --region %s --db-instance-identifier %s%s --new-db-instance-identifier %s --apply-immediately && sleep 60 && aws rds wait db-instance-available --region %s --db-instance-identifier %s  # the endpoint, and so DATABASE_URL, is the writer's again once DNS follows (minutes)",
		r, id, id, oldSuffix, r, id, oldSuffix, r, id, restoredSuffix, id, r, id))
	urn := dataURN(stack, cfg.Project, "aws:rds/instance:Instance", "postgres")
	adopt := adoptCommand(stack, r, id, urn)
	if !w.fleet && !w.functions {
		adopt = pulumi.Sprintf("%s && pulumi up --stack %s --yes  # puts back what the restore did not copy: monitoring, Performance Insights, backup window, tags", adopt, stack)
	}
	add(StepRestoreAdopt, adopt)
	if w.fleet || w.functions {
		add(StepRestoreStart, pulumi.Sprintf("%s  # the up also puts back on the instance what the restore did not copy: monitoring, Performance Insights, backup window, tags", w.commands(true)))
	}
	var replicas []string
	for _, n := range p.ReadReplicas {
		replicas = append(replicas, dataURN(stack, cfg.Project, "aws:rds/instance:Instance", "postgres-"+n))
	}
	if len(replicas) > 0 || cfg.DRRegion != "" {
		cmd := ""
		if len(replicas) > 0 {
			cmd = fmt.Sprintf("pulumi state unprotect --stack %s '%s' && pulumi up --stack %s --yes%s", stack, strings.Join(replicas, "' '"), stack, replaceFlags(replicas))
		}
		if cfg.DRRegion != "" {
			// The recovery stack's replica and backup replication still
			// follow the old instance: same ARN string, other instance.
			dr := []string{dataURN(recoveryStack, cfg.Project, "aws:rds/instance:Instance", "postgres"),
				dataURN(recoveryStack, cfg.Project, "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "postgres-backups")}
			if cmd != "" {
				cmd += " && "
			}
			cmd += fmt.Sprintf("pulumi state unprotect --stack %s '%s' && pulumi up --stack %s --yes%s", recoveryStack, strings.Join(dr, "' '"), recoveryStack, replaceFlags(dr))
		}
		add(StepRestoreRebuild, pulumi.Sprintf("%s  # read replicas keep replicating from %s%s until they are replaced", cmd, id, oldSuffix))
	}
	add(StepRestoreCleanup, pulumi.Sprintf("aws rds modify-db-instance --region %s --db-instance-identifier %s%s --no-deletion-protection --apply-immediately && aws rds delete-db-instance --region %s --db-instance-identifier %s%s --final-db-snapshot-identifier %s%s-final  # once the restored data is confirmed; the final snapshot keeps the old data",
		r, id, oldSuffix, r, id, oldSuffix, id, oldSuffix))
	return steps
}

// verifyCommand checks the restored instance before anything switches to
// it: the first service that uses PostgreSQL and declares a migrations
// statusCommand runs it (a one-off task, the migration task definition)
// with DATABASE_URL pointed at the restored instance; without one, the
// instance's status.
func verifyCommand(cfg *config.Config, data *datalayer.DataLayer, fl *fleet.Fleet) pulumi.StringOutput {
	r, id := cfg.Region, data.Postgres.Identifier
	available := pulumi.Sprintf("aws rds describe-db-instances --region %s --db-instance-identifier %s%s --query 'DBInstances[0].[DBInstanceStatus,Endpoint.Address]' --output text",
		r, id, restoredSuffix)
	if fl == nil || cfg.Fleet.Runtime == config.RuntimeEKS {
		return available
	}
	names := make([]string, 0, len(cfg.Fleet.Services))
	byName := map[string]config.FleetService{}
	for _, s := range cfg.Fleet.Services {
		names = append(names, s.Name)
		byName[s.Name] = s
	}
	sort.Strings(names)
	for _, n := range names {
		s := byName[n]
		if s.Migrations == nil || len(s.Migrations.StatusCommand) == 0 || !usesPostgres(s) {
			continue
		}
		// The container's shell rewrites the host in DATABASE_URL
		// (<identifier>.<suffix> -> <identifier>-rollback.<suffix>) and
		// runs the status command: statusCommand words carry no quotes
		// (config validation).
		return pulumi.Sprintf(`%s && %s --overrides '{"containerOverrides":[{"name":"%s","command":["sh","-c","DATABASE_URL=$(printf %%s \"$DATABASE_URL\" | sed s/@%s./@%s%s./) exec %s"]}]}'  # then read the task's log: aws logs tail $(pulumi stack output logGroups --stack %s --json | jq -r .%s) --region %s --since 15m`,
			available, fl.MigrationCommands.MapIndex(pulumi.String(n)), n, id, id, restoredSuffix, strings.Join(s.Migrations.StatusCommand, " "), cfg.Stack, n, r)
	}
	return available
}

// usesPostgres reports whether the service declares uses: [postgres].
func usesPostgres(s config.FleetService) bool {
	for _, u := range s.Uses {
		if u == string(datalayer.Postgres) {
			return true
		}
	}
	return false
}
