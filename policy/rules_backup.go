package policy

import (
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const (
	backupVaultPolicy = tokens.BackupVaultPolicy
	// backupVaultSource is AWS Config's managed rule for the same check.
	backupVaultSource = "https://docs.aws.amazon.com/config/latest/developerguide/backup-recovery-point-manual-deletion-disabled.html"
)

// backupRules: the backups outlive a compromised administrator.
func backupRules() []Rule {
	return []Rule{{
		ID: "backup-vault-deletion-denied", Severity: High, Types: []string{backupVault},
		Category: CategoryBestPractice, Source: backupVaultSource,
		Title: "A backup vault's access policy denies deleting recovery points, shortening their lifecycle and replacing the policy (Principal and Resource \"*\", exceptions by aws:PrincipalArn)",
		Check: func(r *mockengine.Resource, x Index) []string {
			need := []string{"backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle", "backup:PutBackupVaultAccessPolicy"}
			for _, p := range x.Referencing(backupVaultPolicy, "backupVaultName", r) {
				d, ok := parseDocument(x.In(p)["policy"])
				if !ok {
					continue
				}
				for _, st := range d.Statement {
					if st.Effect != "Deny" || !st.principalIsAnyone() || !st.anyResource() {
						continue
					}
					all := true
					for _, a := range need {
						all = all && st.hasAction(a)
					}
					if all {
						return nil
					}
				}
			}
			return []string{problem(r, "no access policy denies "+strings.Join(need, ", ")+": whoever holds backup:* in the account (a compromised administrator or deploy role) can delete every backup",
				"attach an aws:backup/vaultPolicy denying them to \"*\" except the break-glass role (components/monitoring/backup.go)")}
		},
	}}
}
