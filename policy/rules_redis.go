package policy

import (
	"fmt"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
)

// redisRules: ElastiCache Redis is encrypted, authenticated per consumer
// where it can be, fails over, and its Global Datastore secondary can.
// Long: a table: one entry per rule, each read on its own.
func redisRules() []Rule {
	return []Rule{
		{
			ID: "redis-encryption", Severity: High, Types: []string{redisGroup},
			Title: "Redis encrypts at rest and in transit (FSBP ElastiCache.4, ElastiCache.5)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if globalSecondary(in) {
					return nil
				}
				var out []string
				if !truthy(in["atRestEncryptionEnabled"]) {
					out = append(out, problem(r, "atRestEncryptionEnabled is not true", "set atRestEncryptionEnabled: true with kmsKeyId the data key (forces replacement: plan a migration)"))
				}
				if !truthy(in["transitEncryptionEnabled"]) || str(in["transitEncryptionMode"]) == "preferred" {
					out = append(out, problem(r, "in-transit encryption is off or only preferred", "set transitEncryptionEnabled: true (mode required); clients use rediss://"))
				}
				return out
			},
		},
		{
			ID: "redis-auth", Severity: High, Types: []string{redisGroup},
			Title: "Redis requires AUTH or RBAC user groups (FSBP ElastiCache.6)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if globalSecondary(in) {
					return nil
				}
				if !isSet(in["authToken"]) && len(list(in["userGroupIds"])) == 0 {
					return []string{problem(r, "no authToken and no userGroupIds", "set authToken from a generated Pulumi secret (the DataLayer's redis-auth-token) or attach an RBAC user group")}
				}
				return nil
			},
		},
		{
			// data.redis.serviceUsers: once the stack defines RBAC users,
			// the group must use them: an AUTH token next to them (or no
			// user group) leaves one shared credential that opens every
			// key and command, and a group whose `default` user is
			// enabled lets any client in without naming a user.
			ID: "redis-rbac-per-consumer", Severity: High, Types: []string{redisGroup},
			Title:  "With Redis RBAC users in the stack, the replication group uses their user group (default user disabled, one user per consumer) and no AUTH token",
			Source: "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if len(x.ByType(redisUser)) == 0 || globalSecondary(in) {
					return nil
				}
				var out []string
				if isSet(in["authToken"]) {
					out = append(out, problem(r, "has an authToken although the stack defines Redis users: every client holding the token connects as the default user, to every key and command",
						"drop authToken and attach the consumers' user group (data.redis.serviceUsers)"))
				}
				groups := list(in["userGroupIds"])
				if len(groups) == 0 {
					return append(out, problem(r, "has no userGroupIds although the stack defines Redis users", "attach the consumers' user group (data.redis.serviceUsers)"))
				}
				for _, g := range groups {
					if msg := redisGroupProblem(x, str(g)); msg != "" {
						out = append(out, problem(r, "user group "+str(g)+" "+msg, "put a disabled default user (access string off) and one user per consumer in it"))
					}
				}
				return out
			},
		},
		{
			ID: "redis-failover", Severity: Medium, Types: []string{redisGroup},
			Title: "Redis has automatic failover across AZs (FSBP ElastiCache.3)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if !truthy(in["automaticFailoverEnabled"]) || !truthy(in["multiAzEnabled"]) {
					return []string{problem(r, "automaticFailoverEnabled or multiAzEnabled is not true", "set both with at least one replica (data.redis.replicas ≥ 1)")}
				}
				return nil
			},
		},
		{
			// CreateReplicationGroup NumCacheClusters: "If
			// AutomaticFailoverEnabled is true, the value of this parameter
			// must be at least 2"
			// (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html).
			ID: "redis-failover-needs-replica", Severity: High, Types: []string{redisGroup},
			Title: "Redis automatic failover has a replica to promote (AWS refuses it on one node)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if n, ok := num(in["numCacheClusters"]); ok && n < 2 && truthy(in["automaticFailoverEnabled"]) {
					return []string{problem(r, "automaticFailoverEnabled with fewer than 2 nodes", "turn automatic failover and Multi-AZ off on a one-node group, or add a replica")}
				}
				return nil
			},
		},
		{
			// "When you add a secondary cluster to a global datastore, the
			// secondary cluster inherits the Multi-AZ and automatic
			// failover settings from the primary cluster. Automatic
			// failover requires at least 2 nodes" — AWS refuses a one-node
			// secondary of a primary with automatic failover
			// (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastores-Getting-Started.html).
			// The one-node standby secondary of issue 18 was exactly that.
			ID: "redis-global-secondary-has-replica", Severity: High, Types: []string{redisGroup},
			Title: "A Redis Global Datastore secondary has a replica (it inherits the primary's automatic failover)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if !globalSecondary(in) {
					return nil
				}
				if n, ok := num(in["numCacheClusters"]); ok && n < 2 {
					return []string{problem(r, fmt.Sprintf("a Global Datastore secondary with %v node(s)", n),
						"give the secondary at least one replica (data.redis.replicas ≥ 1, on standby too): it inherits the primary's automatic failover")}
				}
				return nil
			},
		},
	}
}

// globalSecondary reports whether a Redis replication group or DocumentDB
// cluster joins a global datastore / global cluster as a secondary: it
// inherits encryption, AUTH and credentials from the primary member, and
// may not set them (the provider rejects them next to the global id), so
// the rules check the primary member in the primary stack instead.
// redisGroupProblem is what is wrong with the stack's user group id for
// redis-rbac-per-consumer ("" when nothing, or when the group is not the
// stack's): no disabled `default` user, no consumer's user, or two users
// of one name.
func redisGroupProblem(x Index, id string) string {
	if !known(id) {
		return ""
	}
	users := map[string]*mockengine.Resource{}
	for _, u := range x.ByType(redisUser) {
		users[str(x.In(u)["userId"])] = u
	}
	for _, g := range x.ByType(redisUserGroup) {
		in := x.In(g)
		if str(in["userGroupId"]) != id {
			continue
		}
		names := map[string]bool{}
		defaultOff, consumers := false, 0
		for _, uid := range list(in["userIds"]) {
			u, ok := users[str(uid)]
			if !ok {
				continue
			}
			ui := x.In(u)
			name := str(ui["userName"])
			if names[name] {
				return "holds two users named " + name
			}
			names[name] = true
			if name == "default" {
				defaultOff = strings.HasPrefix(str(ui["accessString"]), "off")
				continue
			}
			consumers++
		}
		switch {
		case !defaultOff:
			return "has no disabled default user (every user group holds a user named default; enabled, it lets clients in without naming a user)"
		case consumers == 0:
			return "holds no consumer's user"
		}
		return ""
	}
	return ""
}

func globalSecondary(in map[string]any) bool {
	return isSet(in["globalReplicationGroupId"]) || isSet(in["globalClusterIdentifier"]) && !isSet(in["masterUsername"])
}
