package datalayer

// mode is the layer's side of a DR pair, decided once in New from Args.DR
// (modeOf). Each store builder (postgres.go, documentdb.go, cache.go,
// opensearch.go) builds what every mode shares, then hands the rest to one
// function per mode with a single switch on d.mode:
//
//	store       standalone           globalPrimary              secondary
//	PostgreSQL  postgresStandalone   postgresGlobalPrimary      postgresSecondary (dr_recovery.go)
//	DocumentDB  mongoStandalone      mongoGlobalPrimary         mongoSecondary
//	Redis       redisStandalone      redisGlobalPrimary         redisSecondary
//	OpenSearch  (protected)          (protected)                searchSecondary
//
// A global primary is a standalone store plus what makes it the source of
// the recovery Region's copy, so its function calls the standalone one.
type mode int

const (
	// standalone: no DR region (Args.DR nil).
	standalone mode = iota
	// globalPrimary: a primary stack with a DR region (Args.DR set, Source
	// nil): PostgreSQL exports its ARN and credentials, DocumentDB and
	// Redis become the primaries of a global cluster and a Global
	// Datastore, the buckets replicate (dr_buckets.go).
	globalPrimary
	// secondary: a recovery stack (Args.DR.Source set): PostgreSQL is the
	// primary's cross-Region read replica, DocumentDB and Redis are global
	// secondaries, OpenSearch holds derived data, the buckets are the
	// primary's replicas.
	secondary
)

// modeOf is the mode Args.DR asks for.
func modeOf(r *DR) mode {
	switch {
	case r == nil:
		return standalone
	case r.Source == nil:
		return globalPrimary
	default:
		return secondary
	}
}

func (m mode) String() string {
	switch m {
	case standalone:
		return "standalone"
	case globalPrimary:
		return "global primary"
	case secondary:
		return "secondary"
	}
	return "unknown"
}
