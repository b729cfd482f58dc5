package stacks

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/auth"
	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/fleet"
	"github.com/dbay/infra/components/serverless"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/dr"
)

// Step is one runbook step: what it does and the command that does it,
// with the stacks' real identifiers.
type Step struct {
	Title   string
	Command pulumi.StringOutput
}

// Runbook titles, in order. The sections docs/dr.md "Fail over" and
// docs/dr.md "Fail back" list the same titles (tests/dr_test.go checks them); a stack
// without a store, a fleet, an API failover record or an origin failover
// record (config.OriginHost) skips the steps about it.
const (
	StepConfirm         = "Confirm the primary is down"
	StepFence           = "Fence the primary"
	StepPromotePostgres = "Promote the PostgreSQL replica"
	StepPostgresMultiAZ = "Make the promoted PostgreSQL Multi-AZ"
	StepFailoverMongo   = "Fail over the DocumentDB global cluster"
	StepFailoverRedis   = "Fail over the Redis Global Datastore"
	StepReindexSearch   = "Rebuild the search index"
	StepScaleUp         = "Scale the recovery services to the primary's capacity"
	StepReporting       = "Wait for the reporting replicas"
	StepFlipDNS         = "Switch api./ws. to the recovery region"
	StepFlipOrigin      = "Switch origin. to the recovery region"
	StepReleaseSPA      = "Release the SPA against the recovery user pool"
	StepVerify          = "Verify"

	StepPrimaryHealthy = "Confirm the primary region is healthy"
	StepSwitchMongo    = "Switch DocumentDB back to the primary"
	StepSwitchRedis    = "Switch Redis back to the primary"
	StepReseedPostgres = "Re-seed the primary PostgreSQL from the recovery instance"
	StepFreezeRecovery = "Stop writes in the recovery region"
	StepPromoteBack    = "Promote the re-seeded PostgreSQL under the primary's identifier"
	StepUnfence        = "Unfence the primary"
	StepRestoreDNS     = "Switch api./ws. back to the primary"
	StepRestoreOrigin  = "Switch origin. back to the primary"
	StepReleaseSPABack = "Release the SPA against the primary user pool"
	StepRebuildStandby = "Rebuild the recovery replicas"
)

// FailoverTitles and FailbackTitles are every step title in order.
var (
	FailoverTitles = []string{StepConfirm, StepFence, StepPromotePostgres, StepPostgresMultiAZ,
		StepFailoverRedis, StepScaleUp, StepFailoverMongo, StepReindexSearch, StepReporting, StepFlipDNS, StepFlipOrigin, StepReleaseSPA, StepVerify}
	FailbackTitles = []string{StepPrimaryHealthy, StepSwitchMongo, StepSwitchRedis, StepReseedPostgres, StepFreezeRecovery,
		StepPromoteBack, StepUnfence, StepRestoreDNS, StepRestoreOrigin, StepReleaseSPABack, StepRebuildStandby}
)

// runbookInputs are what the recovery stack built, for its runbook.
type runbookInputs struct {
	cfg      *config.Config
	contract *Contract
	data     *datalayer.DataLayer
	fleet    *fleet.Fleet
	sl       *serverless.Serverless
	auth     *auth.Auth
}

// failover is the ordered failover of the recovery stack.
func (in runbookInputs) failover() []Step {
	cfg, c, r := in.cfg, in.contract, in.cfg.Region
	primary := cfg.DR.PrimaryRegion
	var steps []Step
	add := func(title string, cmd pulumi.StringOutput) { steps = append(steps, Step{title, cmd}) }
	add(StepConfirm, pulumi.Sprintf("aws route53 get-health-check-status --health-check-id %s --query 'HealthCheckObservations[].StatusReport.Status'  # and the AWS Health Dashboard for %s", in.primaryCheck(), primary))
	if in.fenced() {
		add(StepFence, pulumi.Sprintf("%s && pulumi up --stack %s --yes  # the failover workflow commits it: %s; nothing in %s may write to its stale stores, or broadcast a withdrawal again, once this region takes over. When %s is down the up fails and the commit stands: the primary comes back fenced at its first pulumi up, which must come before anything else there",
			configCommit(in.primaryStack(), "dr.fenced", "true", "Fence "+in.primaryStack()+" after the failover to "+r), in.primaryStack(), in.fenceWhat(), primary, primary))
	}
	d := in.data.DR
	if cfg.Data.Postgres != nil {
		add(StepPromotePostgres, pulumi.Sprintf("aws rds promote-read-replica --region %s --db-instance-identifier %s --backup-retention-period %d && aws rds wait db-instance-available --region %s --db-instance-identifier %s",
			r, d.PostgresIdentifier, cfg.Data.Postgres.BackupRetentionDays, r, d.PostgresIdentifier))
		// No password to set: the promoted replica keeps the primary's
		// master password, which this stack's connection secret holds.
		// On a standby class (dr.standby.postgresInstanceClass), the same
		// modification scales the promoted instance to the primary's class.
		scale := ""
		if sc := cfg.DR.Standby.PostgresInstanceClass; sc != "" && sc != cfg.Data.Postgres.InstanceClass {
			scale = fmt.Sprintf(" --db-instance-class %s", cfg.Data.Postgres.InstanceClass)
		}
		add(StepPostgresMultiAZ, pulumi.Sprintf("aws rds modify-db-instance --region %s --db-instance-identifier %s --multi-az%s --apply-immediately  # the connection secret already names this instance with the primary's credentials",
			r, d.PostgresIdentifier, scale))
	}
	if cfg.Data.Redis != nil {
		add(StepFailoverRedis, pulumi.Sprintf("aws elasticache failover-global-replication-group --region %s --global-replication-group-id %s --primary-region %s --primary-replication-group-id %s  # the secondary keeps its replica on standby (it inherits the primary's automatic failover), so the promoted primary fails over within the Region at once",
			r, c.RedisGlobalGroupID, r, d.RedisGroupID))
	}
	if in.fleet != nil {
		add(StepScaleUp, pulumi.Sprintf("%s && pulumi up --stack %s --yes  # the failover workflow commits fleet.standby: %s; min/desired become the primary's, schedules and bus rules are enabled (cluster %s), and this stack's failover-switch publisher sends 1: alarm %s in %s goes to ALARM and Route 53 answers from this region. The same up builds what standby leaves out: %s",
			configCommit(in.stack(), "fleet.standby", config.StandbyActive, "Fail over to "+r), in.stack(), config.StandbyActive, in.fleet.ClusterName, in.switchAlarm(), r, in.builtAtScaleUp()))
	}
	if cfg.Data.DocumentDB != nil {
		// After the scale-up: the standby secondary is headless, and
		// failover-global-cluster promotes one of its instances.
		add(StepFailoverMongo, pulumi.Sprintf("aws docdb failover-global-cluster --region %s --global-cluster-identifier %s --target-db-cluster-identifier %s --allow-data-loss  # planned: switchover-global-cluster, no data loss. The scale-up added the instances to the headless secondary (%d × %s)",
			r, c.MongoGlobalClusterID, d.MongoClusterArn, cfg.Data.DocumentDB.Instances, cfg.Data.DocumentDB.InstanceClass))
	}
	if fn := in.searchIndexer(); fn != "" && cfg.AtFailover(dr.Search) {
		add(StepReindexSearch, pulumi.Sprintf("aws lambda invoke --region %s --function-name %s --invocation-type Event --cli-binary-format raw-in-base64-out --payload '{\"source\":\"%s.listings\",\"detail-type\":\"listing.reindex\",\"detail\":{\"all\":true}}' /dev/null  # the scale-up created the domain; %s rebuilds every listing from the listing service (PostgreSQL): estimate %s",
			r, in.sl.FunctionNames.MapIndex(pulumi.String(fn)), cfg.Project, fn, cfg.DR.Rebuild.Search().Arithmetic()))
	}
	if cfg.Data.Postgres != nil && len(cfg.DR.ReportingReplicas) > 0 && in.fleet != nil {
		// The scale-up's pulumi up (standby active) creates them from the
		// promoted instance: a new replica copies the instance's storage
		// (a snapshot) before it streams, tens of minutes for 100 GiB;
		// the services do not wait for them (they read the writer).
		add(StepReporting, pulumi.Sprintf(`aws rds describe-db-instances --region %s --query "DBInstances[?ReadReplicaSourceDBInstanceIdentifier=='%s'].[DBInstanceIdentifier,DBInstanceStatus]" --output text  # %s, created by the scale-up from the promoted instance: 30-60 min, in parallel with serving (dashboards and analytics read the writer until they are available); then pulumi stack output postgresReplicaEndpoints --stack %s`,
			r, d.PostgresIdentifier, strings.Join(cfg.DR.ReportingReplicas, ", "), in.stack()))
	}
	if in.apiFailover() {
		add(StepFlipDNS, pulumi.Sprintf("%s && dig +short api.%s  # ALARM since the scale-up (fleet.standby active): switch %s is unhealthy and Route 53 answers api./ws. from %s. Nothing calls Route 53's API, whose control plane is in us-east-1",
			in.switchState(), cfg.Domain, c.APIFailoverSwitchID, r))
	}
	if in.originFailover() {
		add(StepFlipOrigin, pulumi.Sprintf("%s && dig +short %s  # ALARM since the scale-up (fleet.standby active): switch %s is unhealthy and %s (CloudFront's app origin) answers with this region's ALB. Nothing calls Route 53's API",
			in.switchState(), cfg.OriginHost(), c.OriginFailoverSwitchID, cfg.OriginHost()))
	}
	if in.auth != nil {
		add(StepReleaseSPA, pulumi.Sprintf("pulumi stack output viteEnv --stack %s --json | jq -r 'to_entries[] | \"\\(.key)=\\(.value)\"' > .env.production && npm run build && aws s3 sync dist/ s3://%s --delete && aws cloudfront create-invalidation --distribution-id %s --paths '/*'  # users sign up again or reset their password: pools do not replicate",
			in.stack(), c.SiteReplicaBucket, c.DistributionID))
	}
	verify := pulumi.Sprintf("dig +short api.%s", cfg.Domain)
	if in.sl != nil && cfg.Serverless.API != nil && cfg.Serverless.API.HealthCheckPath != "" {
		verify = pulumi.Sprintf("curl -fsS https://api.%s%s && aws route53 get-health-check-status --health-check-id %s && dig +short api.%s",
			cfg.Domain, cfg.Serverless.API.HealthCheckPath, in.sl.APIHealthCheckID, cfg.Domain)
	}
	if host, path := in.originProbe(); !in.apiFailover() && host != "" {
		verify = pulumi.Sprintf("curl -fsS https://%s%s && dig +short %s  # the addresses of this region's ALB %s",
			host, path, cfg.OriginHost(), in.fleet.AlbDNSName)
	}
	add(StepVerify, verify)
	return steps
}

// failback is the ordered return to the primary region once it is healthy.
func (in runbookInputs) failback() []Step {
	cfg, c := in.cfg, in.contract
	primary := cfg.DR.PrimaryRegion
	var steps []Step
	add := func(title string, cmd pulumi.StringOutput) { steps = append(steps, Step{title, cmd}) }
	what := pulumi.Sprintf("probes api-%s.%s, the primary's own API", primary, cfg.Domain)
	if !in.apiFailover() && in.originFailover() {
		what = pulumi.Sprintf("the primary ALB's healthy targets (alarm %s in %s)", fleet.OriginAlarmName(cfg.Project, in.primaryStack()), primary)
	}
	add(StepPrimaryHealthy, pulumi.Sprintf("aws route53 get-health-check-status --health-check-id %s  # %s", in.primaryCheck(), what))
	d := in.data.DR
	if cfg.Data.DocumentDB != nil {
		add(StepSwitchMongo, pulumi.Sprintf("aws docdb switchover-global-cluster --region %s --global-cluster-identifier %s --target-db-cluster-identifier %s",
			primary, c.MongoGlobalClusterID, c.MongoClusterArn))
	}
	if cfg.Data.Redis != nil {
		add(StepSwitchRedis, pulumi.Sprintf("aws elasticache failover-global-replication-group --region %s --global-replication-group-id %s --primary-region %s --primary-replication-group-id %s",
			primary, c.RedisGlobalGroupID, primary, c.RedisGroupID))
	}
	if cfg.Data.Postgres != nil {
		add(StepReseedPostgres, pulumi.Sprintf("aws rds create-db-instance-read-replica --region %s --db-instance-identifier %s-failback --source-db-instance-identifier %s --kms-key-id %s --db-subnet-group-name %s --db-instance-class %s",
			primary, c.PostgresID, d.PostgresArn, c.DataKeyArn, c.PostgresSubnetGroup, cfg.Data.Postgres.InstanceClass)) // cfg is as written: the primary's class
	}
	if in.fleet != nil {
		add(StepFreezeRecovery, pulumi.Sprintf("%s && pulumi up --stack %s --yes  # the failback workflow commits fleet.standby: %s (its switch publisher sends 0; the fenced primary's still sends 1, so Route 53 stays here); then wait for ReplicaLag 0 on %s-failback",
			configCommit(in.stack(), "fleet.standby", config.StandbyPilot, "Fail back to "+primary), in.stack(), config.StandbyPilot, c.PostgresID))
	}
	if cfg.Data.Postgres != nil {
		// The rename does not move Pulumi's state: pulumi-aws v6 tracks an
		// instance by its DbiResourceId, so the state is pointed at the
		// promoted instance (adoptCommand) before anything refreshes it.
		add(StepPromoteBack, pulumi.Sprintf("aws rds modify-db-instance --region %s --db-instance-identifier %s --new-db-instance-identifier %s-stale --apply-immediately && aws rds promote-read-replica --region %s --db-instance-identifier %s-failback && aws rds modify-db-instance --region %s --db-instance-identifier %s-failback --new-db-instance-identifier %s --multi-az --apply-immediately && aws rds wait db-instance-available --region %s --db-instance-identifier %s && %s",
			primary, c.PostgresID, c.PostgresID, primary, c.PostgresID, primary, c.PostgresID, c.PostgresID, primary, c.PostgresID,
			adoptCommand(in.primaryStack(), primary, c.PostgresID, dataURN(in.primaryStack(), in.cfg.Project, "aws:rds/instance:Instance", "postgres"))))
	}
	if in.fenced() {
		add(StepUnfence, pulumi.Sprintf("%s && pulumi up --stack %s --refresh --yes%s  # the failback workflow commits dr.fenced: false: the scaling targets, concurrency, schedules and rules return to their configuration, and the primary's switch publisher sends 0",
			configCommit(in.primaryStack(), "dr.fenced", "false", "Unfence "+in.primaryStack()), in.primaryStack(), in.eksUnfence()))
	}
	if in.apiFailover() {
		add(StepRestoreDNS, pulumi.Sprintf("%s && dig +short api.%s  # OK once both publishers send 0 (recovery on standby, primary unfenced): switch %s is healthy and Route 53 answers api./ws. from %s",
			in.switchState(), cfg.Domain, c.APIFailoverSwitchID, primary))
	}
	if in.originFailover() {
		add(StepRestoreOrigin, pulumi.Sprintf("%s && dig +short %s  # OK once both publishers send 0: switch %s is healthy and %s returns to the primary's ALB while it has healthy targets",
			in.switchState(), cfg.OriginHost(), c.OriginFailoverSwitchID, cfg.OriginHost()))
	}
	if in.auth != nil {
		add(StepReleaseSPABack, pulumi.Sprintf("pulumi stack output viteEnv --stack %s --json | jq -r 'to_entries[] | \"\\(.key)=\\(.value)\"' > .env.production && npm run build && aws s3 sync dist/ s3://$(pulumi stack output siteBucketName --stack %s) --delete && aws cloudfront create-invalidation --distribution-id %s --paths '/*'",
			in.primaryStack(), in.primaryStack(), c.DistributionID))
	}
	var urns []string
	if cfg.Data.Postgres != nil {
		urns = append(urns, in.urn("aws:rds/instance:Instance", "postgres"))
	}
	add(StepRebuildStandby, pulumi.Sprintf("pulumi up --stack %s --yes%s  # the promoted instance is replaced by a new replica of the primary; unprotect it first: pulumi state unprotect --stack %s '%s'",
		in.stack(), replaceFlags(urns), in.stack(), strings.Join(urns, "' '")))
	return steps
}

// apiFailover reports whether api./ws. are failover records with the
// primary's API health check (the serverless API's custom domain).
func (in runbookInputs) apiFailover() bool {
	api := in.cfg.Serverless
	return in.sl != nil && api.API != nil && api.API.CustomDomain && api.API.HealthCheckPath != ""
}

// originFailover reports whether origin.<domain>, CloudFront's ALB origin,
// is a failover record pair (config.OriginHost) this stack's fleet joins.
func (in runbookInputs) originFailover() bool {
	return in.fleet != nil && in.cfg.OriginHost() != ""
}

// primaryCheck is the health check saying whether the primary serves: its
// API's, or, without an API failover, its ALB origin's.
func (in runbookInputs) primaryCheck() pulumi.StringOutput {
	if !in.apiFailover() && in.originFailover() {
		return in.contract.OriginHealthCheckID
	}
	return in.contract.APIHealthCheckID
}

// originProbe is the first public service's first host and health path,
// which reach this region's ALB through CloudFront after the failover.
func (in runbookInputs) originProbe() (host, path string) {
	if !in.originFailover() {
		return "", ""
	}
	for _, s := range in.cfg.Fleet.Services {
		if s.Expose.Public && len(s.Expose.Hosts) > 0 {
			return s.Expose.Hosts[0], s.HealthCheck.Path
		}
	}
	return "", ""
}

func replaceFlags(urns []string) string {
	var b strings.Builder
	for _, u := range urns {
		fmt.Fprintf(&b, " --replace '%s'", u)
	}
	return b.String()
}

func (in runbookInputs) stack() string { return in.cfg.Stack }

func (in runbookInputs) primaryStack() string {
	s := in.cfg.DR.PrimaryStack
	return s[strings.LastIndex(s, "/")+1:]
}

// urn is a DataLayer child's URN in this stack.
func (in runbookInputs) urn(typ, name string) string {
	return dataURN(in.cfg.Stack, in.cfg.Project, typ, name)
}

// dataURN is a DataLayer child's URN in a stack of the project.
func dataURN(stack, project, typ, name string) string {
	return fmt.Sprintf("urn:pulumi:%s::%s::dbay:components:DataLayer$%s::%s", stack, project, typ, name)
}

// adoptCommand points the stack's state for the PostgreSQL instance at urn
// to the instance now named identifier, then refreshes it. A rename alone
// does not: pulumi-aws v6 identifies an RDS instance by its DbiResourceId
// (terraform-provider-aws v5, "aws_db_instance id is no longer the
// identifier", hashicorp/terraform-provider-aws#31232), so a refresh would
// keep reading the instance that was renamed away.
func adoptCommand(stack, region string, identifier pulumi.StringInput, urn string) pulumi.StringOutput {
	return pulumi.Sprintf(`NEW_ID=$(aws rds describe-db-instances --region %s --db-instance-identifier %s --query 'DBInstances[0].DbiResourceId' --output text) && pulumi stack export --stack %s --file state-before-adopt.json && jq --arg urn '%s' --arg id "$NEW_ID" '(.deployment.resources[] | select(.urn == $urn) | .id) = $id' state-before-adopt.json > state-adopted.json && pulumi stack import --stack %s --file state-adopted.json && pulumi refresh --stack %s --target '%s' --yes`,
		region, identifier, stack, urn, stack, stack, urn)
}

// render numbers the steps: "1. Title\n   $ command".
func render(steps []Step) pulumi.StringArrayOutput {
	var out pulumi.StringArray
	for i, s := range steps {
		out = append(out, pulumi.Sprintf("%d. %s\n   $ %s", i+1, s.Title, s.Command))
	}
	return out.ToStringArrayOutput()
}
