package dr

import (
	"fmt"
	"math"
	"time"
)

// DataClass says what a store's data is to the recovery: what must be
// replicated, what can be rebuilt at failover, and what is lost with it.
type DataClass string

const (
	// SourceOfTruth data exists nowhere else: it is replicated continuously
	// (PostgreSQL, DocumentDB, the buckets, secrets, images, users).
	SourceOfTruth DataClass = "source-of-truth"
	// Derived data is computed from a source of truth and rebuilt at
	// failover (OpenSearch indexes from the listings; Memcached).
	Derived DataClass = "derived"
	// Ephemeral data is short-lived but valuable while it lives (DBay's
	// Redis: auction state, locks, sessions; Dhanam's: sessions, job
	// queues): whether it is replicated is the store's mechanism's call.
	Ephemeral DataClass = "ephemeral"
)

// Memcached is the optional warm cache: derived, never replicated.
const Memcached Kind = "memcached"

// Classes is the catalog's data class of each kind of store; config
// dr.classes may not contradict it (config.validateDR).
var Classes = map[Kind]DataClass{
	Postgres: SourceOfTruth, DocumentDB: SourceOfTruth, Redis: Ephemeral, Search: Derived, Memcached: Derived,
	Bucket: SourceOfTruth, Secret: SourceOfTruth, Images: SourceOfTruth, Users: SourceOfTruth,
}

// Rebuild estimates the time to rebuild a derived OpenSearch domain at
// failover: create the domain, then reindex DataGiB of source documents
// from PostgreSQL at IndexMiBps.
//
// Both constants are cited assumptions, not measurements of this system:
//   - SearchDomainCreate: "Domains take roughly 15-25 minutes to provision"
//     (https://alchemy.run/providers/aws/opensearch/domain); 45 min leaves
//     room for the VPC domain's dedicated masters and the log policy.
//   - SearchIndexMiBps: OpenSearch Benchmark nyc_taxis, one bulk client,
//     2 nodes of 8 vCPU: 92,773 docs/s (~40 MiB/s at ~450 B a document;
//     https://www.alibabacloud.com/help/en/polardb/polardb-for-mysql/user-guide/benchmark-results-for-polarsearch-3-0).
//     The DR domain's 3 r6g.large data nodes have 6 vCPU, and the reindex
//     goes through search_indexer rather than a tuned bulk client: 5 MiB/s
//     is an eighth of the benchmark, with refresh_interval raised and
//     replicas at 0 during the load (AWS knowledge center,
//     https://aws.amazon.com/premiumsupport/knowledge-center/opensearch-indexing-performance).
type Rebuild struct {
	DataGiB    float64
	IndexMiBps float64
}

// SearchDomainCreate and SearchIndexMiBps are the defaults of Rebuild (see there).
const (
	SearchDomainCreate = 45 * time.Minute
	SearchIndexMiBps   = 5.0
)

// SearchRebuildTime is the estimate: domain creation plus the reindex,
// rounded up to the minute.
func (r Rebuild) SearchRebuildTime() time.Duration {
	rate := r.IndexMiBps
	if rate <= 0 {
		rate = SearchIndexMiBps
	}
	secs := r.DataGiB * 1024 / rate
	return SearchDomainCreate + time.Duration(math.Ceil(secs/60))*time.Minute
}

// Arithmetic renders the estimate's sum for the DR table.
func (r Rebuild) Arithmetic() string {
	rate := r.IndexMiBps
	if rate <= 0 {
		rate = SearchIndexMiBps
	}
	return fmt.Sprintf("domain %s + %g GiB ÷ %g MiB/s = %s", Human(SearchDomainCreate), r.DataGiB, rate, Human(r.SearchRebuildTime()))
}

// Plan is what the recovery stack builds only when it is active (the
// failover's `pulumi up` with fleet.standby active) rather than on
// standby: derived stores, with the estimated time to rebuild each.
type Plan struct {
	AtFailover map[Kind]time.Duration
	// Arithmetic explains an AtFailover estimate, by kind, for the table.
	Arithmetic map[Kind]string
}
