package monitoring

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/backup"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
)

// BackupResources are the ARN patterns the selection covers; the `backup`
// tag condition narrows them to this stack's databases and data buckets.
var BackupResources = []string{"arn:aws:rds:*:*:db:*", "arn:aws:rds:*:*:cluster:*", "arn:aws:s3:::*"}

// backupServicePolicies are the AWS managed policies AWS Backup's role needs
// to back up and restore RDS, DocumentDB and S3.
var backupServicePolicies = map[string]string{
	"backup":     "service-role/AWSBackupServiceRolePolicyForBackup",
	"restores":   "service-role/AWSBackupServiceRolePolicyForRestores",
	"s3-backup":  "AWSBackupServiceRolePolicyForS3Backup",
	"s3-restore": "AWSBackupServiceRolePolicyForS3Restore",
}

// backups creates the vault (CMK, optional compliance lock), the copy vault
// in the DR region, the daily plan (retention from config, continuous backup
// for point-in-time recovery where the service supports it, copy to DR) and
// the tag-based selection.
func (m *Monitoring) backups(ctx *pulumi.Context) error {
	b := m.args.Spec.Backup
	if m.args.BackupTag == "" {
		return fmt.Errorf("monitoring: backup is enabled but Args.BackupTag is empty")
	}
	vault, err := m.vault(ctx, "vault", nil)
	if err != nil {
		return err
	}
	m.BackupVaultArn = vault.Arn
	rule := backup.PlanRuleArgs{
		RuleName:               pulumi.String("daily"),
		TargetVaultName:        vault.Name,
		Schedule:               pulumi.String(b.Schedule),
		StartWindow:            pulumi.Int(60),
		CompletionWindow:       pulumi.Int(360),
		EnableContinuousBackup: pulumi.Bool(true),
		Lifecycle:              &backup.PlanRuleLifecycleArgs{DeleteAfter: pulumi.Int(b.RetentionDays)},
	}
	if b.CopyToRegion != "" {
		if m.args.CopyProvider == nil {
			return fmt.Errorf("monitoring: backup.copyToRegion %s needs Args.CopyProvider", b.CopyToRegion)
		}
		copyVault, err := m.vault(ctx, "vault-"+b.CopyToRegion, m.args.CopyProvider)
		if err != nil {
			return err
		}
		m.CopyVaultArn = copyVault.Arn
		rule.CopyActions = backup.PlanRuleCopyActionArray{backup.PlanRuleCopyActionArgs{
			DestinationVaultArn: copyVault.Arn,
			Lifecycle:           &backup.PlanRuleCopyActionLifecycleArgs{DeleteAfter: pulumi.Int(b.RetentionDays)},
		}}
	}
	plan, err := backup.NewPlan(ctx, "plan", &backup.PlanArgs{
		Name:  pulumi.Sprintf("%s-%s", m.args.Project, m.args.Stack),
		Rules: backup.PlanRuleArray{rule},
	}, pulumi.Parent(m))
	if err != nil {
		return err
	}
	role, err := iam.NewRole(ctx, "backup", &iam.RoleArgs{
		Description:      pulumi.String("AWS Backup: back up and restore the stack's databases and buckets"),
		AssumeRolePolicy: iamdoc.ServiceTrust(ctx, m, "backup.amazonaws.com", m.account),
	}, pulumi.Parent(m))
	if err != nil {
		return err
	}
	g := iamdoc.NewGrantee("backup", role)
	for _, name := range []string{"backup", "restores", "s3-backup", "s3-restore"} {
		att, err := iam.NewRolePolicyAttachment(ctx, "backup-"+name, &iam.RolePolicyAttachmentArgs{
			Role:      role.Name,
			PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/%s", m.args.Partition, backupServicePolicies[name]),
		}, pulumi.Parent(m))
		if err != nil {
			return err
		}
		g.Record(att)
	}
	if _, err := backup.NewSelection(ctx, "tagged", &backup.SelectionArgs{
		Name:       pulumi.Sprintf("%s-%s-tagged", m.args.Project, m.args.Stack),
		PlanId:     plan.ID(),
		IamRoleArn: role.Arn,
		Resources:  pulumi.ToStringArray(BackupResources),
		Conditions: backup.SelectionConditionArray{backup.SelectionConditionArgs{
			StringEquals: backup.SelectionConditionStringEqualArray{backup.SelectionConditionStringEqualArgs{
				Key: pulumi.String("aws:ResourceTag/backup"), Value: pulumi.String(m.args.BackupTag),
			}},
		}},
	}, pulumi.Parent(m), iamdoc.DependOn(g)); err != nil { // the first job runs as the role: after its policies
		return err
	}
	dims := pulumi.StringMap{"BackupVaultName": vault.Name}
	m.own = append(m.own,
		alarm.Spec{Kind: config.AlarmBackupJobsFailed, Name: "backup-jobs-failed",
			Description: "An AWS Backup job failed: the RPO is at risk. Check the job's status message in the Backup console.",
			Namespace:   "AWS/Backup", Metric: "NumberOfBackupJobsFailed", Dimensions: dims,
			Statistic: "Sum", Period: 3600, Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
		alarm.Spec{Kind: config.AlarmBackupCopiesFailed, Name: "backup-copies-failed",
			Description: "Copying a recovery point to the DR region failed: the DR region has no fresh backup.",
			Namespace:   "AWS/Backup", Metric: "NumberOfCopyJobsFailed", Dimensions: dims,
			Statistic: "Sum", Period: 3600, Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
	)
	return nil
}

// vault creates a backup vault encrypted with a key of its own, locked in
// compliance mode when config says so. provider nil: the regional one.
func (m *Monitoring) vault(ctx *pulumi.Context, name string, provider *aws.Provider) (*backup.Vault, error) {
	opts := []pulumi.ResourceOption{pulumi.Parent(m), pulumi.Protect(m.args.Protect)}
	if provider != nil {
		opts = append(opts, pulumi.Provider(provider))
	}
	keyPolicy := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{iamdoc.AccountRoot(m.account, m.args.Partition)},
	}, pulumi.Parent(m))
	key, err := kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:          pulumi.Sprintf("%s/%s backup %s", m.args.Project, m.args.Stack, name),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy:               keyPolicy.Json(),
	}, opts...)
	if err != nil {
		return nil, err
	}
	vault, err := backup.NewVault(ctx, name, &backup.VaultArgs{KmsKeyArn: key.Arn}, opts...)
	if err != nil {
		return nil, err
	}
	if err := m.vaultPolicy(ctx, name, vault, opts); err != nil {
		return nil, err
	}
	if m.args.Spec.Backup.VaultLock {
		lockOpts := []pulumi.ResourceOption{pulumi.Parent(m)}
		if provider != nil {
			lockOpts = append(lockOpts, pulumi.Provider(provider))
		}
		if _, err := backup.NewVaultLockConfiguration(ctx, name, &backup.VaultLockConfigurationArgs{
			BackupVaultName:   vault.Name,
			ChangeableForDays: pulumi.Int(3), // compliance mode after a 3-day grace period
			MinRetentionDays:  pulumi.Int(1),
			MaxRetentionDays:  pulumi.Int(m.args.Spec.Backup.RetentionDays),
		}, lockOpts...); err != nil {
			return nil, err
		}
	}
	return vault, nil
}

// vaultDenied are what the vault access policy refuses to every principal
// but the break-glass role: deleting or expiring recovery points early,
// and changing or removing the policy or the vault (AWS Config's
// backup-recovery-point-manual-deletion-disabled wants the first three in
// one Deny with Principal and Resource "*",
// https://docs.aws.amazon.com/config/latest/developerguide/backup-recovery-point-manual-deletion-disabled.html;
// access policies take no wildcard actions,
// https://docs.aws.amazon.com/aws-backup/latest/devguide/create-a-vault-access-policy.html).
var vaultDenied = []string{
	"backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle", "backup:PutBackupVaultAccessPolicy",
	"backup:DeleteBackupVaultAccessPolicy", "backup:DeleteBackupVault",
}

// vaultPolicy denies vaultDenied to everyone but the break-glass role
// (issue 15, Should "Backups"): a compromised administrator or deploy role
// cannot delete the backups. Lifecycle expiry by AWS Backup itself is not
// an API call of a principal and goes on. Changing this policy later needs
// the break-glass role (docs/security.md "Security").
func (m *Monitoring) vaultPolicy(ctx *pulumi.Context, name string, vault *backup.Vault, opts []pulumi.ResourceOption) error {
	role := m.args.BreakGlassRole
	if role == "" {
		return nil
	}
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
			Sid:        pulumi.String("OnlyBreakGlassDeletesBackups"),
			Effect:     pulumi.String("Deny"),
			Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{Type: pulumi.String("*"), Identifiers: pulumi.ToStringArray([]string{"*"})}},
			Actions:    pulumi.ToStringArray(vaultDenied),
			Resources:  pulumi.ToStringArray([]string{"*"}),
			Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
				Test: pulumi.String("ArnNotEquals"), Variable: pulumi.String("aws:PrincipalArn"),
				Values: pulumi.StringArray{pulumi.Sprintf("arn:%s:iam::%s:role/%s", m.args.Partition, m.account, role)},
			}},
		}},
	}, pulumi.Parent(m))
	_, err := backup.NewVaultPolicy(ctx, name, &backup.VaultPolicyArgs{
		BackupVaultName: vault.Name,
		Policy:          doc.Json(),
	}, opts...)
	return err
}
