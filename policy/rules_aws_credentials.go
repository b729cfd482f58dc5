package policy

import (
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const docdbGlobalCluster = tokens.DocDBGlobalCluster

// awsCredentialRules: database features AWS refuses next to a master
// password that RDS or DocumentDB manages in Secrets Manager. The source
// of a cross-Region replica or of a global cluster's secondary lives in
// the other stack of a DR pair: Index.Resolve finds it there
// (Options.Partner).
func awsCredentialRules() []Rule {
	return []Rule{
		{
			ID: "rds-replica-managed-password", Severity: High, Category: CategoryAWSConstraint, Types: []string{rdsInstance},
			Title:  "No read replica of an RDS instance whose master password RDS manages (AWS refuses to create it)",
			Source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations",
			Check: func(r *mockengine.Resource, x Index) []string {
				src := str(x.In(r)["replicateSourceDb"])
				if src == "" || !known(src) {
					return nil
				}
				for _, s := range x.Resolve(rdsInstance, src) {
					if truthy(x.In(s)["manageMasterUserPassword"]) {
						return []string{problem(r, "its source "+s.Name+" has manageMasterUserPassword: true, and RDS does not create a read replica of a source whose credentials Secrets Manager manages (any engine but SQL Server)",
							"generate the source's master password into a secret the program owns (password from a random.RandomPassword) and drop manageMasterUserPassword")}
					}
				}
				return nil
			},
		},
		{
			ID: "docdb-global-managed-password", Severity: High, Category: CategoryAWSConstraint, Types: []string{docdbGlobalCluster, docdbCluster},
			Title:  "No DocumentDB global cluster over a cluster whose master password DocumentDB manages (not supported)",
			Source: "https://docs.aws.amazon.com/documentdb/latest/developerguide/docdb-secrets-manager.html",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				managed := ""
				switch r.Type {
				case docdbGlobalCluster:
					managed = managedDocDB(x, str(in["sourceDbClusterIdentifier"]))
				default:
					id := str(in["globalClusterIdentifier"])
					if id == "" || !known(id) {
						return nil
					}
					if truthy(in["manageMasterUserPassword"]) {
						managed = r.Name
					}
					// A secondary: its global cluster's source (in the DR partner).
					for _, g := range x.Resolve(docdbGlobalCluster, id) {
						if m := managedDocDB(x, str(x.In(g)["sourceDbClusterIdentifier"])); managed == "" && m != "" {
							managed = m
						}
					}
				}
				if managed == "" {
					return nil
				}
				return []string{problem(r, "cluster "+managed+" of the global cluster has manageMasterUserPassword: true; DocumentDB does not support a managed master password on a cluster that is part of a global cluster",
					"generate the master password into a secret the program owns (masterPassword from a random.RandomPassword) and drop manageMasterUserPassword")}
			},
		},
	}
}

// managedDocDB is the name of the DocumentDB cluster ref points at when its
// master password is managed, "" otherwise.
func managedDocDB(x Index, ref string) string {
	if ref == "" || !known(ref) {
		return ""
	}
	for _, c := range x.Resolve(docdbCluster, ref) {
		if truthy(x.In(c)["manageMasterUserPassword"]) {
			return c.Name
		}
	}
	return ""
}
