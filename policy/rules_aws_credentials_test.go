package policy

import (
	"testing"

	"github.com/dbay/infra/internal/mockengine"
)

// The source of a cross-Region replica and of a global cluster's
// secondary is in the other stack of the DR pair: the rules find it
// through Options.Partner, and say nothing about what they cannot see.
func TestCredentialRulesAcrossTheDRPair(t *testing.T) {
	t.Parallel()
	const pgArn = "arn:aws:rds:us-east-1:123456789012:db:postgres-1234567"
	prodPostgres := func(managed bool) *mockengine.Resource {
		if managed {
			return res(rdsInstance, "postgres", goodRDS, out("arn", pgArn))
		}
		return res(rdsInstance, "postgres", generatedRDS, secretInput("password"), out("arn", pgArn))
	}
	prodMongo := func(managed bool) []*mockengine.Resource {
		cluster := res(docdbCluster, "mongo", generatedDocDB, secretInput("masterPassword"), out("arn", mongoArn))
		if managed {
			cluster = res(docdbCluster, "mongo", goodDocDB, out("arn", mongoArn))
		}
		return one(cluster, res(docdbGlobalCluster, "mongo-global",
			map[string]any{"globalClusterIdentifier": "dbay-prod-mongo", "sourceDbClusterIdentifier": mongoArn}, out("id", "dbay-prod-mongo")))
	}
	// The recovery stack: a cross-Region replica named by the source's ARN,
	// and the global cluster's secondary (no credentials of its own).
	dr := one(res(rdsInstance, "postgres", with(goodReplica, "replicateSourceDb", pgArn)),
		res(docdbCluster, "mongo", map[string]any{"globalClusterIdentifier": "dbay-prod-mongo", "storageEncrypted": true}))
	tests := []struct {
		what    string
		partner []*mockengine.Resource
		want    map[string]bool // rule -> reported on dr
	}{
		{"managed sources in prod", append(one(prodPostgres(true)), prodMongo(true)...),
			map[string]bool{"rds-replica-managed-password": true, "docdb-global-managed-password": true}},
		{"generated passwords in prod", append(one(prodPostgres(false)), prodMongo(false)...), map[string]bool{}},
		{"no partner: nothing to resolve", nil, map[string]bool{}},
	}
	rules := []Rule{ruleByID(t, "rds-replica-managed-password"), ruleByID(t, "docdb-global-managed-password")}
	for _, tt := range tests {
		rep := evaluate(rules, dr, nil, Options{Partner: tt.partner})
		got := map[string]bool{}
		for _, v := range rep.Violations {
			got[v.Rule] = true
			if v.Category != CategoryAWSConstraint || v.Source == "" {
				t.Errorf("%s: %s has category %q source %q", tt.what, v.Rule, v.Category, v.Source)
			}
		}
		for _, id := range []string{"rds-replica-managed-password", "docdb-global-managed-password"} {
			if got[id] != tt.want[id] {
				t.Errorf("%s: %s reported = %v, want %v (%v)", tt.what, id, got[id], tt.want[id], rep.Violations)
			}
		}
	}
}
