// Package dr is the disaster-recovery policy of the program: the RPO/RTO a
// stack must meet, the catalog of recovery mechanisms with the RPO and RTO
// each gives, and the assessment that proves every stateful resource of a
// primary stack has a mechanism meeting the policy.
//
// The package is plain Go (no Pulumi): config validates a policy against
// the catalog before anything is registered, and synth and the tests assess
// the resources a run captured. The primary -> recovery output contract is
// stacks.Contract; the runbook is built in stacks (it needs the outputs).
package dr

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Policy is the recovery objective a stack must meet: Dhanam "Disaster
// Recovery" sets RTO 4 h and RPO 1 h.
type Policy struct {
	// RPO is the most data, in time, a failover may lose.
	RPO time.Duration
	// RTO is the longest a failover may take, from decision to serving.
	RTO time.Duration
}

// Default is the seed's policy.
var Default = Policy{RPO: time.Hour, RTO: 4 * time.Hour}

// String renders the policy as "RPO 1h, RTO 4h".
func (p Policy) String() string { return fmt.Sprintf("RPO %s, RTO %s", Human(p.RPO), Human(p.RTO)) }

// Kind is a kind of stateful resource the policy covers.
type Kind string

const (
	Postgres   Kind = "postgres"
	DocumentDB Kind = "documentdb"
	Redis      Kind = "redis"
	Search     Kind = "opensearch"
	Bucket     Kind = "bucket"
	Secret     Kind = "secret"
	Images     Kind = "images"
	Users      Kind = "userpool"
)

// Kinds lists every kind, in table order.
var Kinds = []Kind{Postgres, DocumentDB, Redis, Search, Memcached, Bucket, Secret, Images, Users}

// Mechanism is one way a kind of store survives the loss of the primary
// region, with the RPO and RTO it gives and where those numbers come from.
type Mechanism struct {
	ID      string
	Kind    Kind
	Summary string
	// RPO is the data-loss bound; Unbounded means the mechanism does not
	// bound it (the data is not recovered), which only an accepted risk
	// (config dr.accept) can pass.
	RPO       time.Duration
	Unbounded bool
	// RTO is the time from the decision to fail over to this store serving.
	RTO time.Duration
	// Basis says where RPO and RTO come from.
	Basis string
	// AtFailover: nothing is built on standby; the failover's `pulumi up`
	// (fleet.standby active) creates the store and it is rebuilt from the
	// source of truth. Its RTO is the Plan's estimate when one is given.
	AtFailover bool
}

// Meets reports whether the mechanism meets the policy.
func (m Mechanism) Meets(p Policy) bool {
	return !m.Unbounded && m.RPO <= p.RPO && m.RTO <= p.RTO
}

// RPOText renders the mechanism's RPO ("5m", "unbounded").
func (m Mechanism) RPOText() string {
	if m.Unbounded {
		return "unbounded"
	}
	return Human(m.RPO)
}

// Catalog is every mechanism the program implements. The numbers are the
// bounds docs/dr.md's table states; each Basis names its source.
var Catalog = []Mechanism{
	{ID: "rds-cross-region-replica", Kind: Postgres, RPO: 15 * time.Minute, RTO: 30 * time.Minute,
		Summary: "cross-Region read replica in the DR region (DR CMK), promoted with promote-read-replica",
		Basis:   "asynchronous replication, typically seconds behind; the ReplicaLag alarm (rds.replicaLag) pages at 900 s, so lag past 15 min is known before it reaches the RPO; promotion takes minutes (RDS User Guide, USER_ReadRepl.Promote), plus the password reset and scale-up steps"},
	{ID: "rds-backup-replication", Kind: Postgres, RPO: 15 * time.Minute, RTO: 2 * time.Hour,
		Summary: "automated-backup replication to the DR region (30 days, DR CMK): point-in-time restore there",
		Basis:   "transaction logs are shipped every 5 min and replicated asynchronously; a restore of 100-500 GiB gp3 takes under 2 h"},
	{ID: "docdb-global-secondary", Kind: DocumentDB, RPO: time.Minute, RTO: 15 * time.Minute,
		Summary: "DocumentDB global cluster: the primary's cluster plus a secondary cluster in the DR region",
		Basis:   "storage-based replication with typical lag under 1 s (CreateGlobalCluster); the docdb.globalLag alarm pages at 60 s; failover-global-cluster promotes the secondary in minutes"},
	{ID: "redis-global-datastore", Kind: Redis, RPO: time.Minute, RTO: 15 * time.Minute,
		Summary: "ElastiCache Global Datastore: a secondary replication group in the DR region",
		Basis:   "asynchronous replication with typical lag under 1 s; the redis.globalLag alarm pages at 60 s; failover-global-replication-group promotes the secondary in minutes. It stays for ephemeral-but-valuable data: DBay's open auctions (seed §3) and Dhanam's queued jobs (guide \"Components\") exist nowhere else. The secondary keeps its replica on standby: it inherits the primary's Multi-AZ and automatic failover, which need two nodes, so AWS refuses a one-node secondary (ElastiCache User Guide, Redis-Global-Datastores-Getting-Started.html, \"Important\"); node type and engine are the datastore's"},
	{ID: "docdb-headless-secondary", Kind: DocumentDB, RPO: time.Minute, RTO: 30 * time.Minute,
		Summary: "headless secondary cluster of the DocumentDB global cluster (no instances on standby; the storage volume replicates); the failover's scale-up adds the instances before failover-global-cluster",
		Basis:   "a secondary cluster without compute keeps receiving data at the storage level (AWS Database Blog, https://aws.amazon.com/blogs/database/use-headless-clusters-in-amazon-documentdb-for-cost-effective-multi-region-resiliency/); adding an instance takes under 10 min regardless of data volume (https://aws.amazon.com/documentdb/global-clusters/), failover-global-cluster minutes: 10 + 15 min, rounded to 30; the docdb.globalLag alarm pages at 60 s"},
	{ID: "rds-cross-region-replica-scaled", Kind: Postgres, RPO: 15 * time.Minute, RTO: time.Hour,
		Summary: "cross-Region read replica on a standby class (dr.standby.postgresInstanceClass), promoted, then scaled to the primary's class with Multi-AZ in one modify-db-instance",
		Basis:   "a read replica's DBInstanceClass may differ from its source (\"Default: Inherits the value from the source DB instance\", CreateDBInstanceReadReplica, https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html); promotion minutes plus the class and Multi-AZ change of the promoted instance (tens of minutes for 100 GiB): 1 h; the ReplicaLag alarm bounds the RPO as for the same-class replica"},
	{ID: "opensearch-create-at-failover", Kind: Search, RPO: 0, RTO: 2 * time.Hour, AtFailover: true,
		Summary: "derived: no domain on standby; the failover's pulumi up (fleet.standby active) creates it and search_indexer reindexes the listings from PostgreSQL",
		Basis:   "search holds no data of its own (RPO is the sources'); RTO = domain creation + dr.rebuild.searchDataGiB ÷ the indexing rate (dr.Rebuild: cited assumptions)"},
	{ID: "memcached-create-at-failover", Kind: Memcached, RPO: 0, RTO: 20 * time.Minute, AtFailover: true,
		Summary: "derived: no cluster on standby; the failover's pulumi up creates it empty and the search gateway warms it",
		Basis:   "a warm cache of search results (seed §3: \"Warm cache; can share Redis or omit\"): nothing to lose; creating a cache cluster takes minutes"},
	{ID: "memcached-standby", Kind: Memcached, RPO: 0, RTO: 0,
		Summary: "cache cluster pre-provisioned in the DR region, empty until used",
		Basis:   "a warm cache holds nothing that is not derived"},
	{ID: "opensearch-rebuild", Kind: Search, RPO: 0, RTO: 2 * time.Hour,
		Summary: "domain pre-provisioned in the DR region, rebuilt from the source databases by the search indexer",
		Basis:   "search holds no data of its own (RPO is the sources'); re-indexing the listing catalogue is estimated under 2 h"},
	{ID: "s3-crr-rtc", Kind: Bucket, RPO: 15 * time.Minute, RTO: 0,
		Summary: "cross-Region replication with Replication Time Control to a versioned SSE-KMS bucket in the DR region",
		Basis:   "RTC replicates 99.99 % of objects within 15 min (S3 SLA); the s3.replicationLatency alarm pages past 900 s; the replica bucket is already serving reads"},
	{ID: "secrets-replica", Kind: Secret, RPO: 0, RTO: 0,
		Summary: "Secrets Manager replica in the DR region under the multi-Region key's replica; DR roles read the replica ARN",
		Basis:   "every change propagates to the replica within seconds; the resource policy replicates with it"},
	{ID: "secret-rebuilt", Kind: Secret, RPO: 0, RTO: 0,
		Summary: "derived secret (a connection URL) that the recovery stack builds for its own endpoints",
		Basis:   "the value is derived from the DR stores; nothing is copied"},
	{ID: "ecr-replication", Kind: Images, RPO: 30 * time.Minute, RTO: 0,
		Summary: "registry replication of every repository to the DR region",
		Basis:   "ECR replicates most images within 30 min of the push; a release waits for the replica before it is promoted"},
	{ID: "cognito-standby-pool", Kind: Users, Unbounded: true, RTO: 30 * time.Minute,
		Summary: "user pool with the same settings deployed in the DR region; users are not replicated",
		Basis:   "Cognito pools are regional and passwords cannot be exported: after failover users register again or are imported, MFA enrolled again"},
}

// Mechanism returns the catalog entry with the id.
func MechanismByID(id string) (Mechanism, bool) {
	for _, m := range Catalog {
		if m.ID == id {
			return m, true
		}
	}
	return Mechanism{}, false
}

// For returns the mechanisms of a kind, in catalog order.
func For(k Kind) []Mechanism {
	var out []Mechanism
	for _, m := range Catalog {
		if m.Kind == k {
			out = append(out, m)
		}
	}
	return out
}

// Best is the mechanism of kind k that meets p, or the strongest one when
// none does (ok false).
func Best(k Kind, p Policy) (m Mechanism, ok bool) {
	ms := For(k)
	for _, c := range ms {
		if c.Meets(p) {
			return c, true
		}
	}
	sort.SliceStable(ms, func(i, j int) bool { return rank(ms[i]) < rank(ms[j]) })
	if len(ms) == 0 {
		return Mechanism{}, false
	}
	return ms[0], false
}

func rank(m Mechanism) time.Duration {
	if m.Unbounded {
		return 1 << 62
	}
	return m.RPO + m.RTO
}

// Unmet explains why no mechanism of kind k meets p ("" when one does).
func Unmet(k Kind, p Policy) string {
	m, ok := Best(k, p)
	if ok {
		return ""
	}
	if m.ID == "" {
		return fmt.Sprintf("no recovery mechanism exists for %s", k)
	}
	return fmt.Sprintf("the best mechanism for %s (%s) gives RPO %s, RTO %s", k, m.ID, m.RPOText(), Human(m.RTO))
}

// Human renders a duration without zero units: 1h, 4h, 15m, 90s, 0.
func Human(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
