package datalayer

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/docdb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
)

// newDocumentDB creates the DocumentDB cluster (TLS enforced, audit logs on,
// credentials managed by DocumentDB in Secrets Manager) and one instance per
// configured count, spread over the AZs by DocumentDB.
//
// With Args.DR: on the primary side the cluster becomes the primary of a
// global cluster; on the recovery side it is the global cluster's
// secondary here, with DR-owned credentials (drCredentials).
func (d *DataLayer) newDocumentDB(ctx *pulumi.Context) error {
	m := d.args.Spec.DocumentDB
	if m == nil {
		return nil
	}
	parent := pulumi.Parent(d)
	sg, err := d.newStoreSG(ctx, DocumentDB, config.DocumentDBPort, "DocumentDB: 27017 from connected consumers only")
	if err != nil {
		return err
	}
	subnets, err := docdb.NewSubnetGroup(ctx, "mongo", &docdb.SubnetGroupArgs{
		Description: pulumi.String("DocumentDB in the isolated subnets"),
		SubnetIds:   d.args.Network.IsolatedSubnetIDs,
	}, parent)
	if err != nil {
		return err
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
		return err
	}
	args := &docdb.ClusterArgs{
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
	}
	opts := d.protect()
	src := d.source()
	switch {
	case src != nil:
		// A secondary of the primary's global cluster: no master username
		// or password — a secondary inherits them from the global cluster
		// (the provider's "New DocumentDB Global Cluster" example creates
		// the secondary with neither; terraform-provider-aws
		// website/docs/r/docdb_global_cluster.html.markdown).
		args.GlobalClusterIdentifier = src.MongoGlobalClusterID
	default:
		args.MasterUsername = pulumi.String(m.Username)
		args.ManageMasterUserPassword = pulumi.Bool(true)
		if d.drPrimary() {
			// Once the global cluster adopts this cluster, AWS reports its
			// globalClusterIdentifier; setting it here would be a cycle
			// (the global cluster is created from this cluster's ARN), so
			// it is ignored, as the provider's docs for
			// aws_docdb_global_cluster "New Global Cluster From Existing
			// DB Cluster" prescribe.
			opts = append(opts, pulumi.IgnoreChanges([]string{"globalClusterIdentifier"}))
		}
	}
	cluster, err := docdb.NewCluster(ctx, "mongo", args, opts...)
	if err != nil {
		return err
	}
	for i := 0; i < m.Instances; i++ {
		if _, err := docdb.NewClusterInstance(ctx, fmt.Sprintf("mongo-%d", i+1), &docdb.ClusterInstanceArgs{
			ClusterIdentifier:          cluster.ClusterIdentifier,
			InstanceClass:              pulumi.String(m.InstanceClass),
			AutoMinorVersionUpgrade:    pulumi.Bool(true),
			PreferredMaintenanceWindow: pulumi.String(m.MaintenanceWindow),
			PromotionTier:              pulumi.Int(i),
		}, parent); err != nil {
			return err
		}
	}
	d.watchDocumentDB(cluster.ClusterIdentifier)
	var secret pulumi.StringOutput
	if src != nil {
		if secret, err = d.drCredentials(ctx, DocumentDB, m.Username); err != nil {
			return err
		}
		d.DR.MongoClusterID = cluster.ClusterIdentifier
		d.watchDocumentDBGlobal(cluster.ClusterIdentifier)
		d.DR.MongoSecretArn = secret
	} else {
		secret = cluster.MasterUserSecrets.Index(pulumi.Int(0)).SecretArn().Elem()
	}
	if d.args.DR != nil {
		d.DR.MongoClusterArn = cluster.Arn
	}
	if d.drPrimary() {
		global, err := docdb.NewGlobalCluster(ctx, "mongo-global", &docdb.GlobalClusterArgs{
			GlobalClusterIdentifier:   pulumi.Sprintf("%s-%s-mongo", d.args.Project, ctx.Stack()),
			SourceDbClusterIdentifier: cluster.Arn, // the ARN, not the identifier (CreateGlobalCluster)
			DeletionProtection:        pulumi.Bool(d.args.Protect),
		}, d.protect()...)
		if err != nil {
			return err
		}
		d.DR.MongoGlobalClusterID = global.GlobalClusterIdentifier
	}
	d.stores[DocumentDB].conn = Connection{
		Store: DocumentDB,
		Env: map[string]pulumi.StringOutput{
			// No credentials in the URI: the app reads MONGO_USERNAME and
			// MONGO_PASSWORD (README, "Store credentials").
			"MONGO_URI": pulumi.Sprintf("mongodb://%s:%d/?tls=true&tlsCAFile=global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false",
				cluster.Endpoint, config.DocumentDBPort),
		},
		Secrets: map[string]SecretRef{
			"MONGO_USERNAME": {ARN: secret, Key: "username"},
			"MONGO_PASSWORD": {ARN: secret, Key: "password"},
		},
	}
	d.credentials[DocumentDB] = secret
	d.outputs["mongoEndpoint"] = cluster.Endpoint
	d.outputs["mongoClusterArn"] = cluster.Arn
	return nil
}
