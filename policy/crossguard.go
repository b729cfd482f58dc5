package policy

// RetainRules are the rules that read a resource's retainOnDelete option,
// which the Go policy SDK does not pass to an analyzer (internal/crossguard).
func RetainRules() []Rule { return retainRules() }

// PairRuleIDs are the rules whose verdict on a stack of a DR pair depends
// on the other stack's resources (Options.Partner: a replica's source in
// the primary, the primary's ECR replication and its templates). A
// CrossGuard stack policy sees one stack, so internal/crossguard keeps them
// advisory; TestPairRulesAreListed (tests/crossguard_test.go) finds every rule
// whose verdict changes without the partner and fails when one is missing.
func PairRuleIDs() []string {
	return []string{
		"security-baseline-present",          // the primary's organization trail covers the recovery Region
		"ecr-replica-created-by-replication", // the primary's registry replication creates dr's repositories
		"ecr-replication-template",           // ... from templates the pair creates
		"rds-replica-managed-password",       // a replica's source instance lives in the primary
		"docdb-global-managed-password",      // the global cluster lives in the primary
		"kms-replica-of-multi-region-key",    // a replica key's primary lives in the primary
	}
}
