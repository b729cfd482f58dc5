package datalayer

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/docdb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/tokens"
)

// DocumentDB is the DocumentDB cluster (`uses: mongo`, MONGO_URI).
const DocumentDB Store = "mongo"

func init() {
	registerStore(storeKind{store: DocumentDB, order: 20, build: (*DataLayer).newDocumentDB, resourceType: tokens.DocDBCluster})
}

// newDocumentDB creates the DocumentDB cluster (TLS enforced, audit logs on,
// a generated master password in a program-owned secret, credentials.go)
// and one instance per configured count, spread over the AZs by DocumentDB.
//
// With Args.DR (mode.go): on the primary side the cluster becomes the
// primary of a global cluster (mongoGlobalPrimary); on the recovery side it
// is the global cluster's secondary here (mongoSecondary), whose connection
// secret names its own endpoint with the primary's credentials (a secondary
// inherits them).
func (d *DataLayer) newDocumentDB(ctx *pulumi.Context) error {
	m := d.args.Spec.DocumentDB
	if m == nil {
		return nil
	}
	args, err := d.mongoClusterArgs(ctx, m)
	if err != nil {
		return err
	}
	var cluster *docdb.Cluster
	switch d.mode {
	case secondary:
		cluster, err = d.mongoSecondary(ctx, m, args)
	case globalPrimary:
		cluster, err = d.mongoGlobalPrimary(ctx, m, args)
	default:
		cluster, _, err = d.mongoStandalone(ctx, m, args)
	}
	if err != nil {
		return err
	}
	d.MongoEndpoint = cluster.Endpoint
	d.MongoClusterArn = cluster.Arn
	return nil
}

// mongoClusterArgs creates what the cluster needs in every mode (security
// group, subnet group, parameter group) and returns the arguments every
// mode's cluster shares.
func (d *DataLayer) mongoClusterArgs(ctx *pulumi.Context, m *config.DocumentDB) (*docdb.ClusterArgs, error) {
	parent := pulumi.Parent(d)
	sg, err := d.newStoreSG(ctx, DocumentDB, config.DocumentDBPort, "DocumentDB: 27017 from connected consumers only")
	if err != nil {
		return nil, err
	}
	subnets, err := docdb.NewSubnetGroup(ctx, "mongo", &docdb.SubnetGroupArgs{
		Description: pulumi.String("DocumentDB in the isolated subnets"),
		SubnetIds:   d.args.Network.IsolatedSubnetIDs,
	}, parent)
	if err != nil {
		return nil, err
	}
	params, err := docdb.NewClusterParameterGroup(ctx, "mongo", &docdb.ClusterParameterGroupArgs{
		Family:      pulumi.String("docdb5.0"),
		Description: pulumi.String("DocumentDB: TLS required, audit logs on"),
		Parameters: docdb.ClusterParameterGroupParameterArray{
			docdb.ClusterParameterGroupParameterArgs{Name: pulumi.String("audit_logs"), Value: pulumi.String("enabled"), ApplyMethod: pulumi.String("pending-reboot")},
			docdb.ClusterParameterGroupParameterArgs{Name: pulumi.String("tls"), Value: pulumi.String("enabled"), ApplyMethod: pulumi.String("pending-reboot")},
		},
	}, parent)
	if err != nil {
		return nil, err
	}
	return &docdb.ClusterArgs{
		Engine:                       pulumi.String("docdb"),
		EngineVersion:                pulumi.String(m.EngineVersion),
		StorageEncrypted:             pulumi.Bool(true),
		KmsKeyId:                     d.key.Arn,
		DbSubnetGroupName:            subnets.Name,
		DbClusterParameterGroupName:  params.Name,
		VpcSecurityGroupIds:          pulumi.StringArray{sg.ID()},
		BackupRetentionPeriod:        pulumi.Int(m.BackupRetentionDays),
		PreferredBackupWindow:        pulumi.String(m.BackupWindow),
		PreferredMaintenanceWindow:   pulumi.String(m.MaintenanceWindow),
		EnabledCloudwatchLogsExports: pulumi.ToStringArray([]string{"audit", "profiler"}),
		DeletionProtection:           pulumi.Bool(d.args.Protect),
		SkipFinalSnapshot:            pulumi.Bool(false),
		FinalSnapshotIdentifier:      pulumi.Sprintf("%s-%s-mongo-final", d.args.Project, ctx.Stack()),
		Tags:                         d.backupTags(),
	}, nil
}

// mongoCluster creates the cluster (protected, plus a mode's opts) and
// its instances, and watches it.
func (d *DataLayer) mongoCluster(ctx *pulumi.Context, m *config.DocumentDB, args *docdb.ClusterArgs, opts ...pulumi.ResourceOption) (*docdb.Cluster, error) {
	cluster, err := docdb.NewCluster(ctx, "mongo", args, append(d.protect(), opts...)...)
	if err != nil {
		return nil, err
	}
	for i := 0; i < m.Instances; i++ {
		if _, err := docdb.NewClusterInstance(ctx, fmt.Sprintf("mongo-%d", i+1), &docdb.ClusterInstanceArgs{
			ClusterIdentifier:          cluster.ClusterIdentifier,
			InstanceClass:              pulumi.String(m.InstanceClass),
			AutoMinorVersionUpgrade:    pulumi.Bool(true),
			PreferredMaintenanceWindow: pulumi.String(m.MaintenanceWindow),
			PromotionTier:              pulumi.Int(i),
		}, pulumi.Parent(d)); err != nil {
			return nil, err
		}
	}
	d.watchDocumentDB(cluster.ClusterIdentifier)
	return cluster, nil
}

// mongoStandalone is a primary's cluster: its own master user with a
// generated password, and its connection secret. opts are the global
// primary's additions to the cluster's options.
func (d *DataLayer) mongoStandalone(ctx *pulumi.Context, m *config.DocumentDB, args *docdb.ClusterArgs, opts ...pulumi.ResourceOption) (*docdb.Cluster, pulumi.StringOutput, error) {
	// A managed master password is not supported in a global cluster
	// (docdb-secrets-manager.html, "Limitations"): generated instead.
	password, err := d.newMasterPassword(ctx, DocumentDB)
	if err != nil {
		return nil, password, err
	}
	args.MasterUsername = pulumi.String(m.Username)
	args.MasterPassword = password
	// A new password (a rotation) takes effect at once, as its
	// connection secret does: without ApplyImmediately, DocumentDB
	// defers a MasterUserPassword change to the next maintenance window
	// (it affects only MasterUserPassword and NewDBClusterIdentifier,
	// https://docs.aws.amazon.com/documentdb/latest/developerguide/API_ModifyDBCluster.html).
	// RDS applies an instance's new master password as soon as
	// possible whatever ApplyImmediately says (ModifyDBInstance).
	args.ApplyImmediately = pulumi.Bool(true)
	cluster, err := d.mongoCluster(ctx, m, args, opts...)
	if err != nil {
		return nil, password, err
	}
	if _, err := d.connectDocumentDB(ctx, cluster.Endpoint, pulumi.String(m.Username), password); err != nil {
		return nil, password, err
	}
	return cluster, password, nil
}

// mongoGlobalPrimary is the standalone cluster made the primary of a
// global cluster, exporting what the recovery stack's secondary needs.
func (d *DataLayer) mongoGlobalPrimary(ctx *pulumi.Context, m *config.DocumentDB, args *docdb.ClusterArgs) (*docdb.Cluster, error) {
	// Once the global cluster adopts this cluster, AWS reports its
	// globalClusterIdentifier; setting it here would be a cycle
	// (the global cluster is created from this cluster's ARN), so
	// it is ignored, as the provider's docs for
	// aws_docdb_global_cluster "New Global Cluster From Existing
	// DB Cluster" prescribe.
	cluster, password, err := d.mongoStandalone(ctx, m, args, pulumi.IgnoreChanges([]string{"globalClusterIdentifier"}))
	if err != nil {
		return nil, err
	}
	d.DR.MongoClusterArn = cluster.Arn
	global, err := docdb.NewGlobalCluster(ctx, "mongo-global", &docdb.GlobalClusterArgs{
		GlobalClusterIdentifier:   pulumi.Sprintf("%s-%s-mongo", d.args.Project, ctx.Stack()),
		SourceDbClusterIdentifier: cluster.Arn, // the ARN, not the identifier (CreateGlobalCluster)
		DeletionProtection:        pulumi.Bool(d.args.Protect),
	}, d.protect()...)
	if err != nil {
		return nil, err
	}
	d.DR.MongoGlobalClusterID = global.GlobalClusterIdentifier
	d.DR.MongoUsername = pulumi.String(m.Username).ToStringOutput()
	d.DR.MongoPassword = pulumi.ToSecret(password).(pulumi.StringOutput)
	return cluster, nil
}

// mongoSecondary is a recovery stack's cluster: a secondary of the
// primary's global cluster, connected with the primary's credentials.
func (d *DataLayer) mongoSecondary(ctx *pulumi.Context, m *config.DocumentDB, args *docdb.ClusterArgs) (*docdb.Cluster, error) {
	src := d.args.DR.Source
	// No master username or password — a secondary inherits them from the
	// global cluster (the provider's "New DocumentDB Global Cluster"
	// example creates the secondary with neither; terraform-provider-aws
	// website/docs/r/docdb_global_cluster.html.markdown).
	args.GlobalClusterIdentifier = src.MongoGlobalClusterID
	cluster, err := d.mongoCluster(ctx, m, args)
	if err != nil {
		return nil, err
	}
	d.DR.MongoClusterID = cluster.ClusterIdentifier
	d.watchDocumentDBGlobal(cluster.ClusterIdentifier)
	if _, err := d.connectDocumentDB(ctx, cluster.Endpoint, src.MongoUsername, src.MongoPassword); err != nil {
		return nil, err
	}
	d.DR.MongoClusterArn = cluster.Arn
	return cluster, nil
}
