package datalayer

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/dr"
)

// postgresSecondary is a recovery stack's PostgreSQL (mode secondary): a
// cross-Region read replica of the primary instance, encrypted with this
// region's layer key, plus the primary's automated backups replicated here
// (point-in-time restore in this region if the replica itself is lost).
//
// Cross-Region, ReplicateSourceDb must be the source's ARN, and an
// encrypted source needs a KmsKeyId in this region and a DB subnet group
// (pulumi-aws rds.Instance docs, replicateSourceDb / kmsKeyId /
// dbSubnetGroupName). No engine, username, password or database name: a
// replica inherits them. Backups and Multi-AZ are configured so that the
// promoted instance is a production primary at once.
func (d *DataLayer) postgresSecondary(ctx *pulumi.Context, p *config.Postgres, b *postgresBase) (postgresWriter, error) {
	src := d.args.DR.Source
	if len(p.ReadReplicas) > 0 { // validateDR reports it first; kept for callers of newPostgres
		return postgresWriter{}, fmt.Errorf("datalayer: data.postgres.readReplicas: %v not supported in a recovery stack", p.ReadReplicas)
	}
	tags := d.backupTags()
	if tags == nil {
		tags = pulumi.StringMap{}
	}
	tags["replica-purpose"] = pulumi.String("dr")
	replica, err := rds.NewInstance(ctx, "postgres", b.common(&rds.InstanceArgs{
		Identifier:              identifier(p.Identifier),
		ReplicateSourceDb:       src.PostgresArn.ToStringOutput(),
		MaxAllocatedStorage:     pulumi.Int(p.MaxAllocatedStorage),
		StorageType:             pulumi.String("gp3"),
		MultiAz:                 pulumi.Bool(*p.MultiAZ),
		DbSubnetGroupName:       b.subnets.Name,
		BackupRetentionPeriod:   pulumi.Int(p.BackupRetentionDays),
		BackupWindow:            pulumi.String(p.BackupWindow),
		DeleteAutomatedBackups:  pulumi.Bool(false),
		SkipFinalSnapshot:       pulumi.Bool(false),
		FinalSnapshotIdentifier: pulumi.Sprintf("%s-%s-postgres-final", d.args.Project, ctx.Stack()),
		Tags:                    tags,
	}), d.instanceOpts()...)
	if err != nil {
		return postgresWriter{}, err
	}
	if _, err := rds.NewInstanceAutomatedBackupsReplication(ctx, "postgres-backups", &rds.InstanceAutomatedBackupsReplicationArgs{
		SourceDbInstanceArn: src.PostgresArn,
		RetentionPeriod:     pulumi.Int(p.BackupRetentionDays),
		KmsKeyId:            d.key.Arn,
	}, d.protect()...); err != nil {
		return postgresWriter{}, err
	}
	d.watchPostgres("postgres", replica.Identifier, true)

	// The replica has the primary's master user and password, and keeps
	// them when promoted: this stack's connection secret names its own
	// endpoint with the primary's credentials (from the contract), so no
	// runbook step sets a password.
	if _, err := d.connectPostgres(ctx, replica.Address, replica.Endpoint,
		src.PostgresUsername, src.PostgresPassword, src.PostgresDatabase); err != nil {
		return postgresWriter{}, err
	}
	// Reporting replicas, once the stack is active (after the promotion):
	// replicas of the promoted instance in this Region, holding no data
	// of their own, so not protected (going back to standby deletes them).
	reporting := pulumi.StringMap{}
	for _, name := range d.args.ReportingReplicas {
		args := b.common(&rds.InstanceArgs{
			ReplicateSourceDb: replica.Identifier,
			SkipFinalSnapshot: pulumi.Bool(true),
			Tags:              pulumi.StringMap{"replica-purpose": pulumi.String(name), dr.TagDataClass: pulumi.String(string(dr.Derived))},
		})
		args.DeletionProtection = pulumi.Bool(false)
		r, err := rds.NewInstance(ctx, "postgres-"+name, args, pulumi.Parent(d), iamdoc.DependOn(d.monitoring))
		if err != nil {
			return postgresWriter{}, err
		}
		reporting[name] = r.Endpoint
		d.watchPostgres("postgres-"+name, r.Identifier, true)
	}
	d.DR.PostgresArn, d.DR.PostgresSubnetGroup = replica.Arn, b.subnets.Name
	d.DR.PostgresIdentifier = replica.Identifier
	return postgresWriter{instance: replica, replicas: reporting}, nil
}
