package datalayer

import (
	"fmt"
	"github.com/dbay/infra/components/internal/lifecycle"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/components/internal/replication"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/dr"
)

// replicaLogBucketName is the logical name of the replicas' access-log bucket.
const replicaLogBucketName = "replica-access-logs"

// drOpts are the options of a resource in the DR region: parented, with
// the DR provider (the component's default provider is the primary's).
func (d *DataLayer) drOpts(protect bool) []pulumi.ResourceOption {
	opts := []pulumi.ResourceOption{pulumi.Parent(d), pulumi.Provider(d.args.DR.Provider)}
	if protect {
		opts = append(opts, pulumi.Protect(d.args.Protect))
	}
	return opts
}

// replicaBucketKey is the KMS key, in the DR region, the replica buckets
// are encrypted with (one for all of them). A recovery stack's grants name
// it (Source.ReplicaBucketKeyArn).
func (d *DataLayer) replicaBucketKey(ctx *pulumi.Context) (*kms.Key, error) {
	if d.replicaKey != nil {
		return d.replicaKey, nil
	}
	key, err := kms.NewKey(ctx, "replica-bucket-key", &kms.KeyArgs{
		Description:          pulumi.Sprintf("%s data buckets' DR replicas in %s", d.args.Project, d.args.DR.Region),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy:               d.policyJSON(ctx, iamdoc.AccountRoot(d.account, d.args.Partition)),
	}, d.drOpts(true)...)
	if err != nil {
		return nil, err
	}
	if _, err := kms.NewAlias(ctx, "replica-bucket-key-alias", &kms.AliasArgs{
		Name:        pulumi.Sprintf("alias/%s-%s-replica-buckets", d.args.Project, ctx.Stack()),
		TargetKeyId: key.KeyId,
	}, d.drOpts(false)...); err != nil {
		return nil, err
	}
	d.replicaKey, d.replicas = key, pulumi.StringMap{}
	return key, nil
}

// replicaLogBucket is the SSE-S3 access-log bucket, in the DR region, the
// replica buckets log to (one for all of them; built like the primary's).
func (d *DataLayer) replicaLogBucket(ctx *pulumi.Context) (*logBucket, error) {
	if d.replicaLogs != nil {
		return d.replicaLogs, nil
	}
	logs, err := d.newLogBucket(ctx, replicaLogBucketName, pulumi.Provider(d.args.DR.Provider))
	if err != nil {
		return nil, err
	}
	d.replicaLogs = logs
	return logs, nil
}

// replicateBucket gives a data bucket its DR replica: a bucket in the DR
// region ("<name>-<drRegion>" for a named bucket, auto-named otherwise)
// with everything a data bucket has — versioning, SSE-KMS (the replica
// key), all four public-access blocks, BucketOwnerEnforced, TLS only, the
// same CORS and lifecycle, server access logs to the DR region's
// access-log bucket under "<name>-replica/" — tagged replica-of: <logical name>; a
// least-privilege replication role; and a replication rule on the source
// covering the whole bucket with Replication Time Control (15 min) and its
// metrics, delete markers and SSE-KMS objects included.
func (d *DataLayer) replicateBucket(ctx *pulumi.Context, name string, spec config.Bucket, src *s3.BucketV2, srcVersioning *s3.BucketVersioningV2) error {
	key, err := d.replicaBucketKey(ctx)
	if err != nil {
		return err
	}
	logical := name + "-replica"
	args := &s3.BucketV2Args{Tags: pulumi.StringMap{dr.TagReplicaOf: pulumi.String(name)}}
	if spec.Name != "" {
		args.Bucket = pulumi.String(replicaBucketName(spec.Name, d.args.DR.Region)) // length checked by validateDR
	}
	replica, err := s3.NewBucketV2(ctx, logical, args, d.drOpts(true)...)
	if err != nil {
		return err
	}
	dest := []pulumi.ResourceOption{pulumi.Provider(d.args.DR.Provider)} // next to the Parent the helpers add
	block, replicaVersioning, err := d.secureBucket(ctx, logical, replica, s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
		SseAlgorithm: pulumi.String("aws:kms"), KmsMasterKeyId: key.Arn,
	}, dest...)
	if err != nil {
		return err
	}
	if err := d.bucketPolicy(ctx, logical, replica, block, dest); err != nil {
		return err
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, logical, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: replica.Bucket,
		Rules:  s3.BucketLifecycleConfigurationV2RuleArray{lifecycle.AbortUploads(), expireNoncurrent(spec.NoncurrentVersionDays)},
	}, d.drOpts(false)...); err != nil {
		return err
	}
	if err := d.bucketCors(ctx, logical, replica, spec, dest...); err != nil {
		return err
	}
	logs, err := d.replicaLogBucket(ctx)
	if err != nil {
		return err
	}
	if err := logs.logTo(ctx, logical, replica, spec.AccessLogDays); err != nil {
		return err
	}

	// The role S3 assumes to replicate (S3 User Guide, "Setting up
	// permissions for live replication", and "Replicating objects created
	// with SSE-KMS": decrypt with the source key through S3 in the source
	// region, encrypt with the replica key through S3 in the DR region).
	role, err := iam.NewRole(ctx, name+"-replication", &iam.RoleArgs{
		Description:      pulumi.Sprintf("S3 replicates bucket %s to its DR replica in %s", name, d.args.DR.Region),
		AssumeRolePolicy: iamdoc.ServiceTrust(ctx, d, "s3.amazonaws.com", d.account),
	}, pulumi.Parent(d))
	if err != nil {
		return err
	}
	rolePolicy, err := iam.NewRolePolicy(ctx, name+"-replication", &iam.RolePolicyArgs{
		Role: role.Name,
		Policy: d.policyJSON(ctx,
			allowOn("SourceBucket", []string{"s3:GetReplicationConfiguration", "s3:ListBucket"}, src.Arn),
			allowOn("SourceObjectVersions", []string{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"},
				pulumi.Sprintf("%s/*", src.Arn)),
			allowOn("ReplicaObjects", []string{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"}, pulumi.Sprintf("%s/*", replica.Arn)),
			keyUse("DecryptSourceObjects", d.key.Arn, d.viaService("s3", d.args.Region), "kms:Decrypt"),
			keyUse("EncryptReplicas", key.Arn, d.viaService("s3", d.args.DR.Region), "kms:Encrypt", "kms:GenerateDataKey"),
		),
	}, pulumi.Parent(d))
	if err != nil {
		return err
	}
	// Replication requires versioning on both sides, so the rule waits for
	// both versioning resources (and for the role's permissions).
	if _, err := replication.Configure(ctx, name, replication.Args{Source: src, Replica: replica.Arn, ReplicaKeyArn: key.Arn, Role: role.Arn},
		pulumi.Parent(d), pulumi.DependsOn([]pulumi.Resource{srcVersioning, replicaVersioning, rolePolicy})); err != nil {
		return err
	}
	d.replicas[name] = replica.Bucket
	d.alarms = append(d.alarms, replication.LatencyAlarm(name, src.Bucket, replica.Bucket))
	return nil
}

// finishReplicas publishes the replicas for the recovery stack.
func (d *DataLayer) finishReplicas() {
	if d.replicaKey == nil {
		return
	}
	d.DR.ReplicaBuckets = d.replicas.ToStringMapOutput()
	d.DR.ReplicaBucketKeyArn = d.replicaKey.Arn
}

// adoptReplicaBuckets makes the primary's replicas in this region the
// recovery stack's buckets: Bucket(name) works as on the primary (Env,
// GrantRead, GrantReadWrite), naming the replica and its key. Nothing is
// created: the primary stack owns the replicas.
func (d *DataLayer) adoptReplicaBuckets(src *Source) {
	replicas := src.ReplicaBuckets.ToStringMapOutput()
	for _, name := range sortedKeys(d.args.Spec.Buckets) {
		name := name
		bucket := replicas.ApplyT(func(m map[string]string) (string, error) {
			if b, ok := m[name]; ok && b != "" {
				return b, nil
			}
			return "", fmt.Errorf("datalayer: the primary exported no replica for bucket %q (DR.Source.ReplicaBuckets has %s)", name, messagingNames(m))
		}).(pulumi.StringOutput)
		d.buckets[name] = &Bucket{
			Name: bucket, Arn: pulumi.Sprintf("arn:%s:s3:::%s", d.args.Partition, bucket),
			key: src.ReplicaBucketKeyArn.ToStringOutput(), logical: name, envVar: d.args.Spec.Buckets[name].EnvVar, d: d,
		}
	}
}
