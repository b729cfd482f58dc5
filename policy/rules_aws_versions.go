package policy

import (
	"fmt"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

// awsVersionRules: engine versions AWS no longer creates. The versions and
// their dates are config's catalog (config/versions.go), so the config
// check, the pack and the expiry test read one table.
func awsVersionRules() []Rule {
	return []Rule{{
		ID:       "aws-postgres-version-creatable",
		Title:    "RDS for PostgreSQL is created at a version AWS still creates",
		Severity: High,
		Category: CategoryAWSConstraint,
		Source:   config.PinnedVersions[0].Source,
		Types:    []string{rdsInstance},
		Check: func(r *mockengine.Resource, x Index) []string {
			in := x.In(r)
			// A replica takes its source's version and sets none.
			if str(in["engine"]) != "postgres" || isSet(in["replicateSourceDb"]) {
				return nil
			}
			if problemText := config.PostgresVersionProblem(str(in["engineVersion"])); problemText != "" {
				return []string{problem(r, fmt.Sprintf("engineVersion %q: %s", str(in["engineVersion"]), problemText),
					"set the major version 16: AWS creates its current minor and auto minor upgrades keep it current")}
			}
			return nil
		},
	}}
}
