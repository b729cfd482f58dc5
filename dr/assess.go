package dr

import (
	"fmt"
	"sort"
	"strings"
)

// Resource is one captured resource of a run, as plain values: what the
// assessment reads (synth and the tests adapt the mock engine's records).
type Resource struct {
	Type, Name, Region string
	Inputs, Outputs    map[string]any
}

// Tag values the assessment reads on buckets.
const (
	// TagDataClass "logs" marks a bucket that holds access logs only:
	// logs written after a failover go to the recovery region's own log
	// buckets, and the history is not restored.
	TagDataClass = "data-class"
	DataClassLog = "logs"
	// TagReplicaOf marks a bucket that is itself a DR replica.
	TagReplicaOf = "replica-of"
)

// Status of one row.
const (
	StatusMeets    = "meets"
	StatusAccepted = "accepted"
	StatusExempt   = "exempt"
	StatusMissing  = "missing"
	StatusTooSlow  = "too slow"
)

// Row is the recovery of one stateful resource of the primary stack.
type Row struct {
	Kind     Kind
	Type     string
	Resource string // logical name
	// Mechanisms are the ids found implemented, strongest first.
	Mechanisms []string
	RPO, RTO   string
	Status     string
	Note       string
}

// Report is the assessment of a primary stack against a policy.
type Report struct {
	Policy     Policy
	Region     string // the recovery region
	Rows       []Row
	Violations []string
}

// OK reports whether every stateful resource meets the policy.
func (r Report) OK() bool { return len(r.Violations) == 0 }

// Assess finds, for every stateful resource of the primary stack, the
// mechanisms implemented for it in the primary and recovery runs, and
// checks the strongest against the policy. accepted maps a kind to the
// written reason its unbounded mechanism is acceptable (config dr.accept).
func Assess(p Policy, drRegion string, primary, recovery []Resource, accepted map[string]string) Report {
	a := assessor{policy: p, region: drRegion, primary: primary, recovery: recovery}
	rep := Report{Policy: p, Region: drRegion}
	for _, r := range primary {
		kind, ok := statefulKind(r)
		if !ok || kind == Secret && r.Region == drRegion && drRegion != "" {
			// A secret the primary keeps in the recovery Region (its
			// replicated DR contract, components/drlink) outlives the
			// primary's Region by being there: not a store to recover.
			continue
		}
		row := Row{Kind: kind, Type: r.Type, Resource: r.Name}
		if kind == Bucket && tags(r)[TagDataClass] == DataClassLog {
			row.Status, row.RPO, row.RTO = StatusExempt, "-", "-"
			row.Note = "access logs only: the recovery region writes its own; history is not restored"
			rep.Rows = append(rep.Rows, row)
			continue
		}
		found := a.mechanisms(kind, r)
		for _, m := range found {
			row.Mechanisms = append(row.Mechanisms, m.ID)
		}
		switch {
		case len(found) == 0:
			row.Status, row.RPO, row.RTO = StatusMissing, "-", "-"
			var want []string
			for _, m := range For(kind) {
				want = append(want, m.ID)
			}
			rep.Violations = append(rep.Violations, fmt.Sprintf("%s %s (%s): no recovery mechanism in place; implement one of %s",
				kind, r.Name, r.Type, strings.Join(want, ", ")))
		default:
			best := found[0]
			row.RPO, row.RTO = best.RPOText(), Human(best.RTO)
			row.Note = best.Summary
			switch reason := accepted[string(kind)]; {
			case best.Meets(p):
				row.Status = StatusMeets
			case reason != "":
				row.Status, row.Note = StatusAccepted, best.Summary+" — accepted: "+reason
			default:
				row.Status = StatusTooSlow
				rep.Violations = append(rep.Violations, fmt.Sprintf("%s %s: %s gives RPO %s, RTO %s; the policy is %s",
					kind, r.Name, best.ID, best.RPOText(), Human(best.RTO), p))
			}
		}
		rep.Rows = append(rep.Rows, row)
	}
	sort.SliceStable(rep.Rows, func(i, j int) bool {
		if ki, kj := kindIndex(rep.Rows[i].Kind), kindIndex(rep.Rows[j].Kind); ki != kj {
			return ki < kj
		}
		return rep.Rows[i].Resource < rep.Rows[j].Resource
	})
	sort.Strings(rep.Violations)
	return rep
}

func kindIndex(k Kind) int {
	for i, x := range Kinds {
		if x == k {
			return i
		}
	}
	return len(Kinds)
}

// statefulKind classifies a primary-stack resource.
func statefulKind(r Resource) (Kind, bool) {
	switch r.Type {
	case "aws:rds/instance:Instance":
		return Postgres, str(r.Inputs, "replicateSourceDb") == "" // in-region replicas hold no data of their own
	case "aws:docdb/cluster:Cluster":
		return DocumentDB, true
	case "aws:elasticache/replicationGroup:ReplicationGroup":
		return Redis, true
	case "aws:opensearch/domain:Domain":
		return Search, true
	case "aws:s3/bucketV2:BucketV2":
		return Bucket, tags(r)[TagReplicaOf] == ""
	case "aws:secretsmanager/secret:Secret":
		return Secret, true
	case "aws:ecr/repository:Repository":
		return Images, true
	case "aws:cognito/userPool:UserPool":
		return Users, true
	}
	return "", false
}

type assessor struct {
	policy            Policy
	region            string
	primary, recovery []Resource
}

// mechanisms are the catalog entries implemented for r, strongest first.
func (a assessor) mechanisms(k Kind, r Resource) []Mechanism {
	var ids []string
	switch k {
	case Postgres:
		arn := str(r.Outputs, "arn")
		if a.any(a.recovery, "aws:rds/instance:Instance", func(x Resource) bool { return str(x.Inputs, "replicateSourceDb") == arn }) {
			ids = append(ids, "rds-cross-region-replica")
		}
		if a.any(a.recovery, "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
			func(x Resource) bool { return str(x.Inputs, "sourceDbInstanceArn") == arn }) {
			ids = append(ids, "rds-backup-replication")
		}
	case DocumentDB:
		if a.joinsGlobal(str(r.Outputs, "arn"), "aws:docdb/globalCluster:GlobalCluster", "sourceDbClusterIdentifier",
			"globalClusterIdentifier", "aws:docdb/cluster:Cluster") {
			ids = append(ids, "docdb-global-secondary")
		}
	case Redis:
		if a.joinsGlobal(str(r.Outputs, "replicationGroupId"), "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup",
			"primaryReplicationGroupId", "globalReplicationGroupId", "aws:elasticache/replicationGroup:ReplicationGroup") {
			ids = append(ids, "redis-global-datastore")
		}
	case Search:
		if a.any(a.recovery, r.Type, func(x Resource) bool { return x.Name == r.Name }) {
			ids = append(ids, "opensearch-rebuild")
		}
	case Bucket:
		if a.replicatedWithRTC(r) {
			ids = append(ids, "s3-crr-rtc")
		}
	case Secret:
		for _, rep := range list(r.Inputs, "replicas") {
			if str(asMap(rep), "region") == a.region {
				ids = append(ids, "secrets-replica")
			}
		}
		if len(ids) == 0 && a.any(a.recovery, r.Type, func(x Resource) bool { return x.Name == r.Name }) {
			ids = append(ids, "secret-rebuilt")
		}
	case Images:
		if a.ecrReplicated() {
			ids = append(ids, "ecr-replication")
		}
	case Users:
		if a.any(a.recovery, r.Type, func(Resource) bool { return true }) {
			ids = append(ids, "cognito-standby-pool")
		}
	}
	var out []Mechanism
	for _, id := range ids {
		if m, ok := MechanismByID(id); ok {
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

// joinsGlobal reports whether a global resource of globalType in the
// primary is built from the member (its sourceKey input is member) and a
// resource of secondaryType in the recovery stack joins it (its idKey
// input is the global resource's idKey output): a DocumentDB global
// cluster or an ElastiCache Global Datastore with a secondary.
func (a assessor) joinsGlobal(member, globalType, sourceKey, idKey, secondaryType string) bool {
	for _, g := range a.all(a.primary, globalType) {
		if member == "" || str(g.Inputs, sourceKey) != member {
			continue
		}
		gid := str(g.Outputs, idKey)
		if a.any(a.recovery, secondaryType, func(x Resource) bool { return gid != "" && str(x.Inputs, idKey) == gid }) {
			return true
		}
	}
	return false
}

// replicatedWithRTC reports whether a replication configuration on the
// bucket sends every object, with RTC (15 min), to a bucket in the DR region.
func (a assessor) replicatedWithRTC(b Resource) bool {
	name := str(b.Outputs, "bucket")
	for _, c := range a.all(append(append([]Resource(nil), a.primary...), a.recovery...), "aws:s3/bucketReplicationConfig:BucketReplicationConfig") {
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
			if a.any(append(append([]Resource(nil), a.primary...), a.recovery...), "aws:s3/bucketV2:BucketV2", func(x Resource) bool {
				return str(x.Outputs, "arn") == target && x.Region == a.region
			}) {
				return true
			}
		}
	}
	return false
}

func (a assessor) ecrReplicated() bool {
	for _, c := range a.all(a.primary, "aws:ecr/replicationConfiguration:ReplicationConfiguration") {
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

func tags(r Resource) map[string]string {
	out := map[string]string{}
	for k, v := range asMap(r.Inputs["tags"]) {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func list(m map[string]any, key string) []any {
	l, _ := m[key].([]any)
	return l
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
