package dr

import (
	"sort"

	"github.com/dbay/infra/internal/tokens"
)

// mechanisms are the catalog entries implemented for r, strongest first.
func (a assessor) mechanisms(k Kind, r Resource) []Mechanism {
	ids := a.implemented(k, r)
	var out []Mechanism
	for _, id := range ids {
		if m, ok := MechanismByID(id); ok {
			if est, ok := a.plan.AtFailover[k]; ok && m.AtFailover {
				m.RTO = est
			}
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if mi, mj := out[i].Meets(a.policy), out[j].Meets(a.policy); mi != mj {
			return mi
		}
		return rank(out[i]) < rank(out[j])
	})
	return out
}

// implemented are the ids of the catalog's mechanisms the stacks implement
// for r, in the order they are found.
func (a assessor) implemented(k Kind, r Resource) []string {
	switch k {
	case Postgres:
		return a.postgresMechanisms(r)
	case DocumentDB:
		return a.documentDBMechanisms(r)
	case Redis:
		return a.redisMechanisms(r)
	case Search:
		return a.searchMechanisms(r)
	case Memcached:
		return a.memcachedMechanisms(r)
	case Bucket:
		return a.bucketMechanisms(r)
	case Secret:
		return a.secretMechanisms(r)
	case Images:
		return a.imagesMechanisms()
	case Users:
		return a.usersMechanisms(r)
	}
	return nil
}

// postgresMechanisms: a cross-region read replica (possibly on a smaller
// class), and automated backups replicated to the recovery region.
func (a assessor) postgresMechanisms(r Resource) []string {
	var ids []string
	arn := str(r.Outputs, "arn")
	for _, x := range a.all(a.recovery, tokens.RDSInstance) {
		if str(x.Inputs, "replicateSourceDb") != arn || arn == "" {
			continue
		}
		id := "rds-cross-region-replica"
		if c := str(x.Inputs, "instanceClass"); c != "" && c != str(r.Inputs, "instanceClass") {
			id = "rds-cross-region-replica-scaled" // promoted on a smaller class, scaled up by the runbook
		}
		ids = append(ids, id)
		a.note(r, id, x)
	}
	for _, x := range a.all(a.recovery, tokens.RDSInstanceAutomatedBackupsReplication) {
		if str(x.Inputs, "sourceDbInstanceArn") == arn {
			ids = append(ids, "rds-backup-replication")
			a.note(r, "rds-backup-replication", x)
		}
	}
	return ids
}

// documentDBMechanisms: a global cluster with a secondary in the recovery
// region, with instances or headless.
func (a assessor) documentDBMechanisms(r Resource) []string {
	var ids []string
	if sec, ok := a.joinsGlobal(str(r.Outputs, "arn"), tokens.DocDBGlobalCluster, "sourceDbClusterIdentifier",
		"globalClusterIdentifier", tokens.DocDBCluster); ok {
		cid := str(sec.Outputs, "clusterIdentifier")
		var instances []Resource
		for _, x := range a.all(a.recovery, tokens.DocDBClusterInstance) {
			if cid != "" && str(x.Inputs, "clusterIdentifier") == cid {
				instances = append(instances, x)
			}
		}
		id := "docdb-global-secondary"
		if len(instances) == 0 {
			id = "docdb-headless-secondary"
		}
		ids = append(ids, id)
		a.note(r, id, append([]Resource{sec}, instances...)...)
	}
	return ids
}

// redisMechanisms: a Global Datastore with a secondary in the recovery region.
func (a assessor) redisMechanisms(r Resource) []string {
	var ids []string
	if sec, ok := a.joinsGlobal(str(r.Outputs, "replicationGroupId"), tokens.ElastiCacheGlobalReplicationGroup,
		"primaryReplicationGroupId", "globalReplicationGroupId", tokens.ElastiCacheReplicationGroup); ok {
		ids = append(ids, "redis-global-datastore")
		a.note(r, "redis-global-datastore", sec)
	}
	return ids
}

// searchMechanisms: a domain of the same name in the recovery stack, or one
// created at failover.
func (a assessor) searchMechanisms(r Resource) []string {
	var ids []string
	for _, x := range a.all(a.recovery, r.Type) {
		if x.Name == r.Name {
			ids = append(ids, "opensearch-rebuild")
			a.note(r, "opensearch-rebuild", x)
		}
	}
	// Built at failover: only with the source of truth it is rebuilt
	// from (the PostgreSQL replica) in the recovery stack.
	if _, ok := a.plan.AtFailover[Search]; ok && len(ids) == 0 &&
		a.any(a.recovery, tokens.RDSInstance, func(x Resource) bool { return str(x.Inputs, "replicateSourceDb") != "" }) {
		ids = append(ids, "opensearch-create-at-failover")
	}
	return ids
}

// memcachedMechanisms: a standby cache of the same name, or one created at
// failover.
func (a assessor) memcachedMechanisms(r Resource) []string {
	var ids []string
	for _, x := range a.all(a.recovery, r.Type) {
		if x.Name == r.Name {
			ids = append(ids, "memcached-standby")
			a.note(r, "memcached-standby", x)
		}
	}
	if _, ok := a.plan.AtFailover[Memcached]; ok && len(ids) == 0 {
		ids = append(ids, "memcached-create-at-failover")
	}
	return ids
}

// bucketMechanisms: cross-region replication with RTC.
func (a assessor) bucketMechanisms(r Resource) []string {
	var ids []string
	if a.replicatedWithRTC(r) {
		ids = append(ids, "s3-crr-rtc")
	}
	return ids
}

// secretMechanisms: a replica in the recovery region, else a secret of the
// same name rebuilt in the recovery stack.
func (a assessor) secretMechanisms(r Resource) []string {
	var ids []string
	for _, rep := range list(r.Inputs, "replicas") {
		if str(asMap(rep), "region") == a.region {
			ids = append(ids, "secrets-replica")
		}
	}
	for _, x := range a.all(a.recovery, r.Type) {
		if len(ids) == 0 && x.Name == r.Name {
			ids = append(ids, "secret-rebuilt")
			a.note(r, "secret-rebuilt", x)
		}
	}
	return ids
}

// imagesMechanisms: ECR replication to the recovery region.
func (a assessor) imagesMechanisms() []string {
	var ids []string
	if a.ecrReplicated() {
		ids = append(ids, "ecr-replication")
	}
	return ids
}

// usersMechanisms: a standby user pool in the recovery stack.
func (a assessor) usersMechanisms(r Resource) []string {
	var ids []string
	if pools := a.all(a.recovery, r.Type); len(pools) > 0 {
		ids = append(ids, "cognito-standby-pool")
		a.note(r, "cognito-standby-pool", pools...)
	}
	return ids
}

// joinsGlobal finds, when a global resource of globalType in the
// primary is built from the member (its sourceKey input is member) and a
// resource of secondaryType in the recovery stack joins it (its idKey
// input is the global resource's idKey output): a DocumentDB global
// cluster or an ElastiCache Global Datastore with a secondary: that
// secondary.
func (a assessor) joinsGlobal(member, globalType, sourceKey, idKey, secondaryType string) (Resource, bool) {
	for _, g := range a.all(a.primary, globalType) {
		if member == "" || str(g.Inputs, sourceKey) != member {
			continue
		}
		gid := str(g.Outputs, idKey)
		for _, x := range a.all(a.recovery, secondaryType) {
			if gid != "" && str(x.Inputs, idKey) == gid {
				return x, true
			}
		}
	}
	return Resource{}, false
}

// replicatedWithRTC reports whether a replication configuration on the
// bucket sends every object, with RTC (15 min), to a bucket in the DR region.
func (a assessor) replicatedWithRTC(b Resource) bool {
	name := str(b.Outputs, "bucket")
	for _, c := range a.all(append(append([]Resource(nil), a.primary...), a.recovery...), tokens.S3BucketReplicationConfig) {
		if str(c.Inputs, "bucket") != name {
			continue
		}
		for _, rule := range list(c.Inputs, "rules") {
			rm := asMap(rule)
			dest := asMap(rm["destination"])
			rtc := asMap(dest["replicationTime"])
			minutes, _ := asMap(rtc["time"])["minutes"].(float64)
			if str(rm, "status") != "Enabled" || str(rtc, "status") != "Enabled" || minutes == 0 || minutes > 15 {
				continue
			}
			if f := asMap(rm["filter"]); str(f, "prefix") != "" || f["tag"] != nil {
				continue // a partial rule does not cover the bucket
			}
			target := str(dest, "bucket")
			if a.any(append(append([]Resource(nil), a.primary...), a.recovery...), tokens.S3BucketV2, func(x Resource) bool {
				return str(x.Outputs, "arn") == target && x.Region == a.region
			}) {
				return true
			}
		}
	}
	return false
}

func (a assessor) ecrReplicated() bool {
	for _, c := range a.all(a.primary, tokens.ECRReplicationConfiguration) {
		for _, rule := range list(asMap(c.Inputs["replicationConfiguration"]), "rules") {
			for _, d := range list(asMap(rule), "destinations") {
				if str(asMap(d), "region") == a.region {
					return true
				}
			}
		}
	}
	return false
}

func (a assessor) all(rs []Resource, typ string) []Resource {
	var out []Resource
	for _, r := range rs {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func (a assessor) any(rs []Resource, typ string, pred func(Resource) bool) bool {
	for _, r := range a.all(rs, typ) {
		if pred(r) {
			return true
		}
	}
	return false
}
