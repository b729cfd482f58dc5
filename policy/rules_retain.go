package policy

import "github.com/dbay/infra/internal/mockengine"

// retainRules: what holds records nobody can recreate survives its removal
// from the program. Log groups hold the audit trails (VPC flow logs, WAF
// logs, API access logs, the functions' and services' logs): a routine
// deploy that drops or renames one must not delete what it recorded.
func retainRules() []Rule {
	return []Rule{{
		ID:       "logs-retained-on-delete",
		Title:    "Log groups outlive their removal from the program (retainOnDelete or protect)",
		Severity: Medium,
		Types:    []string{logGroup},
		Check: func(r *mockengine.Resource, _ Index) []string {
			if r.Options.RetainOnDelete || r.Options.Protect {
				return nil
			}
			return []string{problem(r, "deleting it from the program deletes the logs it holds",
				"create it with pulumi.RetainOnDelete(true): the group then expires by its retention")}
		},
	}}
}
