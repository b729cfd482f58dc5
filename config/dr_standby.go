package config

import (
	"sort"
	"strings"
	"time"

	"github.com/dbay/infra/dr"
)

// DefaultCostBudget is dr.costBudget's default: the recovery stack costs
// at most a quarter of the primary (issue 18).
const DefaultCostBudget = 25.0

// DRStandby sizes a recovery stack's stores while it is on standby
// (fleet.standby pilot or warm). The failover's `pulumi up` with
// fleet.standby active builds the data section as written.
//
// Whatever these say, on standby a recovery stack builds its derived stores
// (dr.classes) not at all and its DocumentDB secondary headless (no
// instances). Its Redis Global Datastore secondary keeps its replica: a
// secondary inherits the primary's automatic failover, which needs two
// nodes, so AWS refuses a one-node secondary of a primary with failover
// (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastores-Getting-Started.html,
// "Important").
type DRStandby struct {
	// PostgresInstanceClass is the cross-Region replica's class on standby:
	// a read replica's class may differ from its source's
	// (CreateDBInstanceReadReplica DBInstanceClass, "Default: Inherits the
	// value from the source DB instance",
	// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html);
	// the runbook scales the promoted instance to data.postgres.instanceClass.
	// Absent: data.postgres.instanceClass.
	PostgresInstanceClass string `json:"postgresInstanceClass"`
	// InterfaceEndpoints false builds no interface VPC endpoint on
	// standby (nothing runs in the private subnets: no task, every
	// schedule and bus rule disabled; the NAT gateway stays); the
	// failover's pulumi up creates network.endpoints as written.
	// Absent: true.
	InterfaceEndpoints *bool `json:"interfaceEndpoints"`
}

// DRRebuild are the assumptions of a derived store's rebuild time.
type DRRebuild struct {
	// SearchDataGiB is the size of the documents search_indexer reindexes
	// from PostgreSQL into OpenSearch at failover (the seeds give none: an
	// explicit assumption). Required in a recovery stack whose opensearch
	// is derived.
	SearchDataGiB float64 `json:"searchDataGiB"`
	// SearchIndexMiBps is the reindex rate. Absent: dr.SearchIndexMiBps (cited there).
	SearchIndexMiBps float64 `json:"searchIndexMiBps"`
}

// Search is the rebuild assumption as the dr package takes it.
func (r DRRebuild) Search() dr.Rebuild {
	return dr.Rebuild{DataGiB: r.SearchDataGiB, IndexMiBps: r.SearchIndexMiBps}
}

// DRClass is the data class of a kind of store: config dr.classes, or the catalog's.
func (cfg *Config) DRClass(k dr.Kind) dr.DataClass {
	if c, ok := cfg.DR.Classes[string(k)]; ok {
		return dr.DataClass(c)
	}
	return dr.Classes[k]
}

// DRClasses are the data classes of every kind, for the DR table.
func (cfg *Config) DRClasses() map[dr.Kind]dr.DataClass {
	out := map[dr.Kind]dr.DataClass{}
	for _, k := range dr.Kinds {
		out[k] = cfg.DRClass(k)
	}
	return out
}

// AtFailover reports whether a recovery stack builds the store of kind k only
// at failover: a derived store it declares.
func (cfg *Config) AtFailover(k dr.Kind) bool {
	if cfg.Role != RoleRecovery || cfg.DRClass(k) != dr.Derived {
		return false
	}
	switch k {
	case dr.Search:
		return cfg.Data.OpenSearch != nil
	case dr.Memcached:
		return cfg.Data.Memcached != nil
	}
	return false
}

// DRPlan is what the recovery stack builds only at failover, with the
// rebuild estimates: the DR assessment's view of its derived stores.
func (cfg *Config) DRPlan() dr.Plan {
	p := dr.Plan{AtFailover: map[dr.Kind]time.Duration{}, Arithmetic: map[dr.Kind]string{}}
	if cfg.AtFailover(dr.Search) {
		r := cfg.DR.Rebuild.Search()
		p.AtFailover[dr.Search], p.Arithmetic[dr.Search] = r.SearchRebuildTime(), r.Arithmetic()
	}
	if cfg.AtFailover(dr.Memcached) {
		m, _ := dr.MechanismByID("memcached-create-at-failover")
		p.AtFailover[dr.Memcached] = m.RTO
	}
	return p
}

// allowedClasses are the classes config may give a kind: a source of truth
// stays one; a derived store may be kept on standby (source-of-truth).
var allowedClasses = map[dr.Kind][]dr.DataClass{
	dr.Search: {dr.Derived, dr.SourceOfTruth}, dr.Memcached: {dr.Derived, dr.SourceOfTruth},
	dr.Redis: {dr.Ephemeral, dr.SourceOfTruth},
}

func (cfg *Config) validateDRCost(c *collector, rto time.Duration, rtoOK bool) {
	d := cfg.DR
	if b := d.CostBudget; b != nil && (*b <= 0 || *b > 100) {
		c.invalidf("dr.costBudget", *b, "use a percentage of the primary's monthly cost in 1..100, e.g. 25", "%g is outside 1..100", *b)
	}
	for _, k := range sortedMapKeys(d.Classes) {
		allowed := allowedClasses[dr.Kind(k)]
		if len(allowed) == 0 {
			allowed = []dr.DataClass{dr.Classes[dr.Kind(k)]}
		}
		var names []string
		ok := false
		for _, a := range allowed {
			names = append(names, string(a))
			ok = ok || string(a) == d.Classes[k]
		}
		switch {
		case dr.Classes[dr.Kind(k)] == "":
			c.invalidf("dr.classes."+k, k, "use one of "+kindList(), "%q is not a kind of store", k)
		case !ok:
			c.invalidf("dr.classes."+k, d.Classes[k], "use "+strings.Join(names, " or "), "%q is not a data class %s may have", d.Classes[k], k)
		}
	}
	s, r := d.Standby, d.Rebuild
	if cfg.Role != RoleRecovery {
		if s != (DRStandby{}) {
			c.forbidden("dr.standby", "is set in a primary stack", "remove it: only a recovery stack has a standby")
		}
		if r != (DRRebuild{}) {
			c.forbidden("dr.rebuild", "is set in a primary stack", "remove it: only a recovery stack rebuilds derived stores")
		}
		return
	}
	if s.PostgresInstanceClass != "" {
		if cfg.Data.Postgres == nil {
			c.required("dr.standby.postgresInstanceClass", "needs data.postgres", "remove it, or add the postgres store")
		}
		checkClass(c, "dr.standby.postgresInstanceClass", s.PostgresInstanceClass, dbClassRe, "an RDS class such as db.r6g.large")
	}
	if r.SearchIndexMiBps < 0 {
		c.invalidf("dr.rebuild.searchIndexMiBps", r.SearchIndexMiBps, "use a positive rate in MiB/s, or leave it out for the cited default", "%g is negative", r.SearchIndexMiBps)
	}
	if !cfg.AtFailover(dr.Search) {
		return
	}
	switch est := r.Search().SearchRebuildTime(); {
	case r.SearchDataGiB <= 0:
		c.required("dr.rebuild.searchDataGiB", "is required: data.opensearch is derived (built at failover)",
			"state the GiB of listing documents search_indexer reindexes from PostgreSQL, or declare dr.classes.opensearch: source-of-truth to keep the domain on standby")
	case rtoOK && est > rto:
		c.invalidf("dr.rebuild.searchDataGiB", r.SearchDataGiB, "keep the domain on standby (dr.classes.opensearch: source-of-truth) or relax dr.rto",
			"the OpenSearch rebuild (%s) exceeds dr.rto %s", r.Search().Arithmetic(), dr.Human(rto))
	}
}

// StandbyView is the configuration a recovery stack on standby builds:
// its derived stores left out (with the uses and policy waivers that name
// them), the DocumentDB secondary headless (the Redis secondary keeps its
// replica: see DRStandby), the PostgreSQL replica on dr.standby.postgresInstanceClass,
// and without interface endpoints when dr.standby.interfaceEndpoints is
// false. Any other configuration is returned as is. Full returns the
// configuration as written.
func (cfg *Config) StandbyView() *Config {
	if !cfg.Passive() || cfg.full != nil {
		return cfg
	}
	v := *cfg
	v.full = cfg
	v.Data = cfg.Data
	drop := map[string]bool{}
	if cfg.AtFailover(dr.Search) {
		v.Data.OpenSearch, drop["search"] = nil, true
	}
	if cfg.AtFailover(dr.Memcached) {
		v.Data.Memcached, drop["memcached"] = nil, true
	}
	if p := cfg.Data.Postgres; p != nil && cfg.DR.Standby.PostgresInstanceClass != "" {
		q := *p
		q.InstanceClass = cfg.DR.Standby.PostgresInstanceClass
		v.Data.Postgres = &q
	}
	if m := cfg.Data.DocumentDB; m != nil {
		q := *m
		q.Instances = 0 // headless: the storage volume replicates without compute
		v.Data.DocumentDB = &q
	}
	if e := cfg.DR.Standby.InterfaceEndpoints; e != nil && !*e {
		off := false
		eps := cfg.Network.Endpoints
		eps.ECRAPI, eps.ECRDKR, eps.Logs, eps.SecretsManager, eps.STS, eps.KMS = &off, &off, &off, &off, &off, &off
		v.Network.Endpoints = eps
	}
	if len(drop) == 0 {
		return &v
	}
	if f := cfg.Fleet; f != nil {
		fc := *f
		fc.Services = make([]FleetService, len(f.Services))
		for i, s := range f.Services {
			s.Uses = without(s.Uses, drop)
			fc.Services[i] = s
		}
		v.Fleet = &fc
	}
	if s := cfg.Serverless; s != nil {
		sc := *s
		sc.Functions = make(map[string]LambdaFunction, len(s.Functions))
		for name, fn := range s.Functions {
			fn.Uses = without(fn.Uses, drop)
			sc.Functions[name] = fn
		}
		v.Serverless = &sc
	}
	// A waiver of a deferred store's rule matches nothing on standby (rule
	// policy-unused-waiver); it applies again once the store is built.
	var waivers []Waiver
	for _, w := range cfg.Policy.Waivers {
		if !(drop["search"] && strings.HasPrefix(w.Rule, "opensearch-")) && !(drop["memcached"] && strings.HasPrefix(w.Rule, "memcached-")) {
			waivers = append(waivers, w)
		}
	}
	v.Policy.Waivers = waivers
	return &v
}

// Full is the configuration as written: StandbyView's input.
func (cfg *Config) Full() *Config {
	if cfg.full != nil {
		return cfg.full
	}
	return cfg
}

// DeferredStores names the stores a standby view left out, sorted.
func (cfg *Config) DeferredStores() []string {
	var out []string
	for _, k := range []dr.Kind{dr.Search, dr.Memcached} {
		if cfg.Full().AtFailover(k) && cfg.Passive() {
			out = append(out, string(k))
		}
	}
	sort.Strings(out)
	return out
}

func without(list []string, drop map[string]bool) []string {
	var out []string
	for _, x := range list {
		if !drop[x] {
			out = append(out, x)
		}
	}
	return out
}
