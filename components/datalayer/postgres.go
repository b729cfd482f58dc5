package datalayer

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/tokens"
)

// Postgres is the RDS PostgreSQL store (`uses: postgres`, DATABASE_URL).
const Postgres Store = "postgres"

func init() {
	registerStore(storeKind{store: Postgres, order: 10, build: (*DataLayer).newPostgres, resourceType: tokens.RDSInstance})
}

// staticPostgresParameters take effect only after a reboot.
var staticPostgresParameters = map[string]bool{
	"max_connections": true, "shared_buffers": true, "shared_preload_libraries": true,
	"max_worker_processes": true, "max_wal_senders": true, "wal_buffers": true,
}

// postgresBase is what PostgreSQL shares in every mode: its security
// group, subnet group and parameter group, and the arguments every
// instance takes.
type postgresBase struct {
	sg      *ec2.SecurityGroup
	subnets *rds.SubnetGroup
	params  *rds.ParameterGroup
	// common sets the arguments every instance takes (class, encryption,
	// monitoring, deletion protection) on a mode's own arguments.
	common func(*rds.InstanceArgs) *rds.InstanceArgs
}

// postgresWriter is what a mode built: the writer instance, its read
// replicas' endpoints by purpose, and the master password it generated
// (zero on a secondary, which inherits the primary's).
type postgresWriter struct {
	instance *rds.Instance
	replicas pulumi.StringMap
	password pulumi.StringOutput
}

// newPostgres creates the PostgreSQL primary, its parameter group and
// subnet group, the enhanced-monitoring role and the read replicas; the
// writer and its replicas depend on the mode (mode.go).
func (d *DataLayer) newPostgres(ctx *pulumi.Context) error {
	p := d.args.Spec.Postgres
	if p == nil {
		return nil
	}
	b, err := d.postgresBase(ctx, p)
	if err != nil {
		return err
	}
	var w postgresWriter
	switch d.mode {
	case secondary:
		w, err = d.postgresSecondary(ctx, p, b)
	case globalPrimary:
		w, err = d.postgresGlobalPrimary(ctx, p, b)
	default:
		w, err = d.postgresStandalone(ctx, p, b)
	}
	if err != nil {
		return err
	}
	d.ReplicaEndpoints = w.replicas.ToStringMapOutput()
	d.PostgresInstanceID = w.instance.Identifier
	d.PostgresParameterGroup = b.params.Name
	d.Postgres = PostgresNames{w.instance.Identifier, b.subnets.Name, b.params.Name, b.sg.ID().ToStringOutput()}
	return nil
}

// postgresBase creates what every mode's PostgreSQL shares: the security
// group, the subnet and parameter groups and the enhanced-monitoring role.
func (d *DataLayer) postgresBase(ctx *pulumi.Context, p *config.Postgres) (*postgresBase, error) {
	sg, err := d.newStoreSG(ctx, Postgres, config.PostgresPort, "PostgreSQL: 5432 from connected consumers only")
	if err != nil {
		return nil, err
	}
	subnets, err := rds.NewSubnetGroup(ctx, "postgres", &rds.SubnetGroupArgs{
		Description: pulumi.String("PostgreSQL in the isolated subnets"),
		SubnetIds:   d.args.Network.IsolatedSubnetIDs,
	}, pulumi.Parent(d))
	if err != nil {
		return nil, err
	}
	pg, err := d.postgresParameters(ctx, p)
	if err != nil {
		return nil, err
	}
	monitoring, err := d.newPostgresMonitoring(ctx)
	if err != nil {
		return nil, err
	}
	common := func(a *rds.InstanceArgs) *rds.InstanceArgs {
		a.InstanceClass = pulumi.String(p.InstanceClass)
		a.StorageEncrypted = pulumi.Bool(true)
		a.KmsKeyId = d.key.Arn
		a.ParameterGroupName = pg.Name
		a.VpcSecurityGroupIds = pulumi.StringArray{sg.ID()}
		a.PubliclyAccessible = pulumi.Bool(false)
		a.PerformanceInsightsEnabled = pulumi.Bool(true)
		a.PerformanceInsightsKmsKeyId = d.key.Arn
		a.PerformanceInsightsRetentionPeriod = pulumi.Int(p.PerformanceInsightsRetentionDays)
		a.MonitoringInterval = pulumi.Int(p.MonitoringInterval)
		a.MonitoringRoleArn = monitoring.Arn
		a.EnabledCloudwatchLogsExports = pulumi.ToStringArray([]string{"postgresql", "upgrade"})
		a.IamDatabaseAuthenticationEnabled = pulumi.Bool(true)
		a.AutoMinorVersionUpgrade = pulumi.Bool(true)
		a.CopyTagsToSnapshot = pulumi.Bool(true)
		a.DeletionProtection = pulumi.Bool(d.args.Protect)
		a.MaintenanceWindow = pulumi.String(p.MaintenanceWindow)
		return a
	}
	return &postgresBase{sg: sg, subnets: subnets, params: pg, common: common}, nil
}

// postgresParameters is the parameter group: data.postgres.parameters,
// each applied at once or, for a static parameter, at the next reboot.
func (d *DataLayer) postgresParameters(ctx *pulumi.Context, p *config.Postgres) (*rds.ParameterGroup, error) {
	var params rds.ParameterGroupParameterArray
	for _, k := range sortedKeys(p.Parameters) {
		method := "immediate"
		if staticPostgresParameters[k] {
			method = "pending-reboot"
		}
		params = append(params, rds.ParameterGroupParameterArgs{
			Name: pulumi.String(k), Value: pulumi.String(p.Parameters[k]), ApplyMethod: pulumi.String(method),
		})
	}
	return rds.NewParameterGroup(ctx, "postgres", &rds.ParameterGroupArgs{
		Family:      pulumi.String("postgres16"),
		Description: pulumi.String("PostgreSQL 16: Dhanam tuning and TLS-only connections"),
		Parameters:  params,
	}, pulumi.Parent(d))
}

// newPostgresMonitoring creates the enhanced-monitoring role with its
// policy and records it in d.monitoring, which every instance waits for
// (instanceOpts).
func (d *DataLayer) newPostgresMonitoring(ctx *pulumi.Context) (*iam.Role, error) {
	parent := pulumi.Parent(d)
	monitoring, err := iam.NewRole(ctx, "postgres-monitoring", &iam.RoleArgs{
		Description:      pulumi.String("RDS enhanced monitoring for PostgreSQL"),
		AssumeRolePolicy: iamdoc.ServiceTrust(ctx, d, "monitoring.rds.amazonaws.com", d.account),
	}, parent)
	if err != nil {
		return nil, err
	}
	monitor := iamdoc.NewGrantee("postgres-monitoring", monitoring)
	att, err := iam.NewRolePolicyAttachment(ctx, "postgres-monitoring", &iam.RolePolicyAttachmentArgs{
		Role:      monitoring.Name,
		PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", d.args.Partition),
	}, parent)
	if err != nil {
		return nil, err
	}
	monitor.Record(att)
	// RDS refuses an instance whose monitoring role lacks its policy ("IAM
	// role ARN value is invalid or does not include the required
	// permissions for: ENHANCED_MONITORING", pulumi/pulumi#5628): every
	// instance waits for the attachment.
	d.monitoring = monitor
	return monitoring, nil
}

// postgresStandalone is a primary's PostgreSQL: the writer with a
// generated master password, its read replicas and its connection secret.
func (d *DataLayer) postgresStandalone(ctx *pulumi.Context, p *config.Postgres, b *postgresBase) (postgresWriter, error) {
	// The master password is generated here (credentials.go): a managed
	// one would forbid the read replicas and the cross-Region replica.
	password, err := d.newMasterPassword(ctx, Postgres)
	if err != nil {
		return postgresWriter{}, err
	}
	primary, err := rds.NewInstance(ctx, "postgres", b.common(&rds.InstanceArgs{
		Identifier:              identifier(p.Identifier),
		Engine:                  pulumi.String("postgres"),
		EngineVersion:           pulumi.String(p.EngineVersion),
		AllocatedStorage:        pulumi.Int(p.AllocatedStorage),
		MaxAllocatedStorage:     pulumi.Int(p.MaxAllocatedStorage),
		StorageType:             pulumi.String("gp3"),
		MultiAz:                 pulumi.Bool(*p.MultiAZ),
		DbName:                  pulumi.String(p.DatabaseName),
		Username:                pulumi.String(p.Username),
		Password:                password,
		DbSubnetGroupName:       b.subnets.Name,
		BackupRetentionPeriod:   pulumi.Int(p.BackupRetentionDays),
		BackupWindow:            pulumi.String(p.BackupWindow),
		DeleteAutomatedBackups:  pulumi.Bool(false),
		SkipFinalSnapshot:       pulumi.Bool(false),
		FinalSnapshotIdentifier: pulumi.Sprintf("%s-%s-postgres-final", d.args.Project, ctx.Stack()),
		Tags:                    d.backupTags(),
	}), d.instanceOpts()...)
	if err != nil {
		return postgresWriter{}, err
	}

	d.watchPostgres("postgres", primary.Identifier, false)
	replicas := pulumi.StringMap{}
	for _, name := range p.ReadReplicas {
		r, err := rds.NewInstance(ctx, "postgres-"+name, b.common(&rds.InstanceArgs{
			ReplicateSourceDb: primary.Identifier,
			SkipFinalSnapshot: pulumi.Bool(true), // a replica holds no data of its own
			Tags:              pulumi.StringMap{"replica-purpose": pulumi.String(name)},
		}), d.instanceOpts()...)
		if err != nil {
			return postgresWriter{}, err
		}
		replicas[name] = r.Endpoint
		d.watchPostgres("postgres-"+name, r.Identifier, true)
	}

	if _, err := d.connectPostgres(ctx, primary.Address, primary.Endpoint,
		pulumi.String(p.Username), password, pulumi.String(p.DatabaseName)); err != nil {
		return postgresWriter{}, err
	}
	return postgresWriter{instance: primary, replicas: replicas, password: password}, nil
}

// postgresGlobalPrimary is the standalone PostgreSQL, exporting what the
// recovery stack's cross-Region replica needs (DROutputs).
func (d *DataLayer) postgresGlobalPrimary(ctx *pulumi.Context, p *config.Postgres, b *postgresBase) (postgresWriter, error) {
	w, err := d.postgresStandalone(ctx, p, b)
	if err != nil {
		return w, err
	}
	d.DR.PostgresArn, d.DR.PostgresSubnetGroup = w.instance.Arn, b.subnets.Name
	// The cross-Region replica inherits the master user and password
	// (streaming replication copies the roles); the recovery stack
	// builds its connection secret for its own endpoint from these.
	d.DR.PostgresUsername = pulumi.String(p.Username).ToStringOutput()
	d.DR.PostgresDatabase = pulumi.String(p.DatabaseName).ToStringOutput()
	d.DR.PostgresPassword = pulumi.ToSecret(w.password).(pulumi.StringOutput)
	return w, nil
}

// instanceOpts are a PostgreSQL instance's options: protected, and created
// after its monitoring role holds its policy.
func (d *DataLayer) instanceOpts() []pulumi.ResourceOption {
	return append(d.protect(), iamdoc.DependOn(d.monitoring))
}
