package policy

import (
	"fmt"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// redisGlobalGroup is an ElastiCache Global Datastore.
const redisGlobalGroup = tokens.ElastiCacheGlobalReplicationGroup

// awsGlobalDatastoreRules: once a replication group belongs to a Global
// Datastore, the datastore — not the member — owns its engine version and
// AWS turns the member's automatic minor version upgrade off.
func awsGlobalDatastoreRules() []Rule {
	return []Rule{
		{
			// pulumi-aws elasticache.GlobalReplicationGroup, "Managing Redis
			// OOS/Valkey Engine Versions": "once it is part of a Global
			// Replication Group, the Global Replication Group manages the
			// version of all member replication groups. The member
			// replication groups must have ignore_changes[engineVersion]".
			// With the members ignoring it and the datastore not carrying
			// it, a version change in config reaches no node.
			ID: "redis-global-engine-version", Severity: High, Category: CategoryAWSConstraint, Types: []string{redisGlobalGroup},
			Title:  "A Redis Global Datastore carries the engine version and node type (its members ignore theirs, so only the datastore can change them)",
			Source: "https://www.pulumi.com/registry/packages/aws/api-docs/elasticache/globalreplicationgroup/",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				var primary map[string]any
				for _, g := range x.ByType(redisGroup) {
					if x.Points(in["primaryReplicationGroupId"], g) {
						primary = x.In(g)
					}
				}
				var out []string
				for _, k := range [][3]string{{"engineVersion", "engineVersion", "data.redis.engineVersion"}, {"cacheNodeType", "nodeType", "data.redis.nodeType"}} {
					got, want := str(in[k[0]]), str(primary[k[1]])
					switch {
					case got == "":
						out = append(out, problem(r, k[0]+" is not set, and the member replication groups ignore their "+k[1]+": a change of "+k[2]+" would reach no node",
							"set "+k[0]+" on the GlobalReplicationGroup to "+k[2]))
					case known(got) && known(want) && want != "" && got != want:
						out = append(out, problem(r, fmt.Sprintf("%s %q differs from the primary's %q", k[0], got, want),
							"give the datastore and the primary the same "+k[2]))
					}
				}
				return out
			},
		},
		{
			// AWS switches automatic minor version upgrade off on a
			// replication group when it joins a Global Datastore
			// (hashicorp/terraform-provider-aws#24919, open; #24854 shows
			// the resulting plan "auto_minor_version_upgrade = false ->
			// true" on both members; terraform-aws-modules/
			// terraform-aws-elasticache#7: the update is refused with 400
			// Bad Request). A member asking for true is a diff on every
			// preview and a failed update on every `pulumi up`. Minor
			// versions reach the members through the datastore's
			// engineVersion instead (rule redis-global-engine-version).
			ID: "redis-global-member-no-auto-minor-upgrade", Severity: High, Category: CategoryAWSConstraint, Types: []string{redisGroup},
			Title:  "A Redis Global Datastore member sets autoMinorVersionUpgrade false (AWS turns it off on joining; asking for true fails every update)",
			Source: "https://github.com/hashicorp/terraform-provider-aws/issues/24919",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				member := globalSecondary(in) || len(x.Referencing(redisGlobalGroup, "primaryReplicationGroupId", r)) > 0
				if !member {
					return nil
				}
				if v, ok := in["autoMinorVersionUpgrade"].(bool); ok && !v {
					return nil
				}
				return []string{problem(r, fmt.Sprintf("a Global Datastore member with autoMinorVersionUpgrade %v", in["autoMinorVersionUpgrade"]),
					"set autoMinorVersionUpgrade: false on both members and upgrade through the datastore's engineVersion")}
			},
		},
	}
}
