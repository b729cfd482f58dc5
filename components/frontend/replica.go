package frontend

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/components/internal/replication"
	"github.com/dbay/infra/dr"
)

// replicaName is the logical name of the site bucket's DR replica and of
// the resources that configure it.
const replicaName = "site-replica"

// replicaLogsName is the logical name of the access-log bucket the replica
// logs to, in its region.
const replicaLogsName = "site-replica-logs"

// replicaBucket is the site bucket's replica in DR.Region: private,
// versioned, owner-enforced like the site bucket, protected like it, and
// tagged replica-of=site so the DR assessment counts it as the copy, not
// as data of its own. Its key and policy need the distribution and are
// added by replicate. nil without Args.DR.
func (f *Frontend) replicaBucket(ctx *pulumi.Context, args *Args) (*bucketSet, error) {
	if args.DR == nil {
		return nil, nil
	}
	set, err := f.bucket(ctx, replicaName, "BucketOwnerEnforced", nil, args.Protect,
		pulumi.StringMap{dr.TagReplicaOf: pulumi.String("site")}, pulumi.Provider(args.DR.Provider))
	if err != nil {
		return nil, err
	}
	return set, expireOldVersions(ctx, replicaName, set, pulumi.Parent(f), pulumi.Provider(args.DR.Provider))
}

// replicate locks the replica as the site bucket is locked (a DR-region CMK
// CloudFront may decrypt with for this distribution only, OAC-only reads,
// TLS only), and replicates the whole site bucket to it with RTC: new
// versions and delete markers, SSE-KMS objects re-encrypted under the
// replica's key. Objects uploaded before the configuration exists are not
// replicated (S3 Batch Replication, or a fresh upload, copies them).
func (f *Frontend) replicate(ctx *pulumi.Context, args *Args, site *bucketSet, siteKey *kms.Key, replica *bucketSet,
	distArn, account pulumi.StringOutput, partition string,
) error {
	parent := pulumi.Parent(f)
	replicaKey, _, err := f.lockForCloudFront(ctx, replicaName, "Encrypts the site bucket's DR replica; CloudFront decrypts through OAC",
		args.Protect, replica, distArn, account, partition, pulumi.Provider(args.DR.Provider))
	if err != nil {
		return err
	}

	role, err := iam.NewRole(ctx, "site-replication", &iam.RoleArgs{
		Description:      pulumi.String("S3 replicates the site bucket to its DR replica"),
		AssumeRolePolicy: iamdoc.ServiceTrust(ctx, f, "s3.amazonaws.com", account),
	}, parent)
	if err != nil {
		return err
	}
	allow := func(sid string, actions []string, resources ...pulumi.StringInput) iam.GetPolicyDocumentStatementArgs {
		return iam.GetPolicyDocumentStatementArgs{
			Sid: pulumi.String(sid), Effect: pulumi.String("Allow"),
			Actions: pulumi.ToStringArray(actions), Resources: pulumi.StringArray(resources),
		}
	}
	// keyVia lets the role use a key only through S3 in the key's region,
	// and only for objects of the given bucket (the encryption context is
	// the bucket's ARN with S3 Bucket Keys, the object's without).
	keyVia := func(sid string, actions []string, key *kms.Key, region string, bucketArn pulumi.StringOutput) iam.GetPolicyDocumentStatementArgs {
		st := allow(sid, actions, key.Arn)
		st.Conditions = iam.GetPolicyDocumentStatementConditionArray{
			iam.GetPolicyDocumentStatementConditionArgs{
				Test: pulumi.String("StringEquals"), Variable: pulumi.String("kms:ViaService"),
				Values: pulumi.ToStringArray([]string{viaS3(region, partition)}),
			},
			iam.GetPolicyDocumentStatementConditionArgs{
				Test: pulumi.String("StringLike"), Variable: pulumi.String("kms:EncryptionContext:aws:s3:arn"),
				Values: pulumi.StringArray{bucketArn, pulumi.Sprintf("%s/*", bucketArn)},
			},
		}
		return st
	}
	src, dst := site.bucket.Arn, replica.bucket.Arn
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			allow("ReadReplicationConfiguration", []string{"s3:GetReplicationConfiguration", "s3:ListBucket"}, src),
			allow("ReadSourceVersions", []string{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"},
				pulumi.Sprintf("%s/*", src)),
			allow("WriteReplica", []string{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"}, pulumi.Sprintf("%s/*", dst)),
			keyVia("DecryptSource", []string{"kms:Decrypt"}, siteKey, args.Region, src),
			keyVia("EncryptReplica", []string{"kms:Encrypt", "kms:GenerateDataKey"}, replicaKey, args.DR.Region, dst),
		},
	}, parent)
	rolePolicy, err := iam.NewRolePolicy(ctx, "site-replication", &iam.RolePolicyArgs{Role: role.Name, Policy: doc.Json()}, parent)
	if err != nil {
		return err
	}

	if err := f.logReplica(ctx, args, replica, account); err != nil {
		return err
	}

	_, err = replication.Configure(ctx, "site", replication.Args{Source: site.bucket, Replica: dst, ReplicaKeyArn: replicaKey.Arn, Role: role.Arn},
		parent, pulumi.DependsOn([]pulumi.Resource{site.versioning, replica.versioning, rolePolicy}))
	f.alarms = append(f.alarms, replication.LatencyAlarm("site", site.bucket.Bucket, replica.bucket.Bucket))
	return err
}

// logReplica gives the replica S3 server access logging, under
// "site-replica/", to a bucket of its own region (S3 delivers within a
// region only; the CloudFront log bucket is SSE-KMS with ACLs, which
// server access logging cannot write to): private, versioned, ACLs
// disabled, SSE-S3 (the only default encryption a log target may have),
// TLS only, writable by S3's log delivery for the replica only, logs
// expiring as CloudFront's do, tagged data-class=logs so the DR
// assessment exempts it, protected like the replica.
func (f *Frontend) logReplica(ctx *pulumi.Context, args *Args, replica *bucketSet, account pulumi.StringOutput) error {
	inDR := pulumi.Provider(args.DR.Provider)
	with := func(more ...pulumi.ResourceOption) []pulumi.ResourceOption {
		return append([]pulumi.ResourceOption{pulumi.Parent(f), inDR}, more...)
	}
	logs, err := f.bucket(ctx, replicaLogsName, "BucketOwnerEnforced", nil, args.Protect,
		pulumi.StringMap{dr.TagDataClass: pulumi.String(dr.DataClassLog)}, inDR)
	if err != nil {
		return err
	}
	b := logs.bucket
	if _, err := encrypt(ctx, replicaLogsName, b, nil, with()...); err != nil {
		return err
	}
	if err := expireLogs(ctx, replicaLogsName, b, args.Spec.LogRetentionDays, with()...); err != nil {
		return err
	}
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			iam.GetPolicyDocumentStatementArgs{
				Sid:     pulumi.String("S3ServerAccessLogDelivery"),
				Effect:  pulumi.String("Allow"),
				Actions: pulumi.ToStringArray([]string{"s3:PutObject"}),
				Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
					Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{"logging.s3.amazonaws.com"}),
				}},
				Resources: pulumi.StringArray{pulumi.Sprintf("%s/%s/*", b.Arn, replicaName)},
				Conditions: iam.GetPolicyDocumentStatementConditionArray{
					iam.GetPolicyDocumentStatementConditionArgs{
						Test: pulumi.String("StringEquals"), Variable: pulumi.String("aws:SourceAccount"), Values: pulumi.StringArray{account},
					},
					iam.GetPolicyDocumentStatementConditionArgs{
						Test: pulumi.String("ArnLike"), Variable: pulumi.String("aws:SourceArn"), Values: pulumi.StringArray{replica.bucket.Arn},
					},
				},
			},
			denyInsecureTransport(b.Arn),
		},
	}, pulumi.Parent(f))
	if _, err := s3.NewBucketPolicy(ctx, replicaLogsName, &s3.BucketPolicyArgs{Bucket: b.ID(), Policy: doc.Json()},
		with(pulumi.DependsOn(logs.ready))...); err != nil {
		return err
	}
	_, err = s3.NewBucketLoggingV2(ctx, replicaName, &s3.BucketLoggingV2Args{
		Bucket: replica.bucket.ID(), TargetBucket: b.ID(), TargetPrefix: pulumi.String(replicaName + "/"),
		TargetObjectKeyFormat: &s3.BucketLoggingV2TargetObjectKeyFormatArgs{
			PartitionedPrefix: &s3.BucketLoggingV2TargetObjectKeyFormatPartitionedPrefixArgs{PartitionDateSource: pulumi.String("EventTime")},
		},
	}, with()...)
	return err
}

// viaS3 is S3's endpoint in region, as kms:ViaService names it.
func viaS3(region, partition string) string {
	suffix := "amazonaws.com"
	if strings.HasPrefix(partition, "aws-cn") {
		suffix = "amazonaws.com.cn"
	}
	return fmt.Sprintf("s3.%s.%s", region, suffix)
}
