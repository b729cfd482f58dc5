package policy

import "github.com/dbay/infra/internal/mockengine"

func init() { topicFixtureSets = append(topicFixtureSets, backupFixtures) }

func backupFixtures() map[string]fixture {
	vault := res(backupVault, "vault", map[string]any{"name": "vault-1a2b3c4"}, out("id", "vault-1a2b3c4"))
	deny := func(actions ...any) *mockengine.Resource {
		return res(backupVaultPolicy, "vault", map[string]any{"backupVaultName": "vault-1a2b3c4", "policy": doc(map[string]any{
			"Effect": "Deny", "Principal": "*", "Resource": "*", "Action": actions,
			"Condition": map[string]any{"ArnNotEquals": map[string]any{"aws:PrincipalArn": "arn:aws:iam::123456789012:role/dbay-break-glass"}}})})
	}
	return map[string]fixture{
		"backup-vault-deletion-denied": {
			good: one(vault, deny("backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle", "backup:PutBackupVaultAccessPolicy", "backup:DeleteBackupVault")),
			// Before: no policy at all; and a policy that leaves the
			// lifecycle and the policy itself open.
			bad: one(vault, res(backupVault, "copy", map[string]any{"name": "copy-9z8y7x6"}, out("id", "copy-9z8y7x6")), deny("backup:DeleteRecoveryPoint")),
		},
	}
}
