package config

import (
	"strings"
)

// Data configures the DataLayer component. Each store is optional: a nil
// section (absent key) means the stack has no such store.
type Data struct {
	// Postgres is the RDS PostgreSQL instance shared by the services. Absent: none.
	Postgres *Postgres `json:"postgres"`
	// DocumentDB is the MongoDB-compatible cluster (DBay's MONGO_URI). Absent: none.
	DocumentDB *DocumentDB `json:"documentdb"`
	// Redis is the ElastiCache Redis replication group (REDIS_URL). Absent: none.
	Redis *Redis `json:"redis"`
	// Memcached is the optional warm cache (MEMCACHED_URL). Absent: none.
	Memcached *Memcached `json:"memcached"`
	// OpenSearch is the search domain (ELASTICSEARCH_URL). Absent: none.
	OpenSearch *OpenSearch `json:"opensearch"`
	// Buckets by logical name ("listing-images"). Absent: none.
	Buckets map[string]Bucket `json:"buckets"`
	// Bus is the EventBridge bus. Absent: none.
	Bus *Bus `json:"bus"`
	// Queues by logical name ("notifications"). Absent: none.
	Queues map[string]Queue `json:"queues"`
	// SES is the sending identity. Absent: none.
	SES *SES `json:"ses"`
}

// storeUses are the network stores of Data, one row per section: the
// `uses` entry it enables, the connection variable that entry sets, and
// whether the section is set; a section may keep its defaults and
// validation in its row too (storeUse, uses.go). A new store kind's
// config is its field in Data, its section type and its row, here; the
// DataLayer registers the same entry (docs/extending.md "A new store
// kind"). Validation follows from the row: Data.UsableStores offers the
// entry when the section is set, and a consumer's `env` may not set the
// variable (derivedEnv).
var storeUses = []storeUse{
	{entry: "postgres", variable: DatabaseURLVariable, enabled: func(d Data) bool { return d.Postgres != nil }},
	{entry: "redis", variable: RedisURLVariable, enabled: func(d Data) bool { return d.Redis != nil }},
	{entry: "mongo", variable: MongoURIVariable, enabled: func(d Data) bool { return d.DocumentDB != nil }},
	{entry: "search", variable: SearchURLVariable, enabled: func(d Data) bool { return d.OpenSearch != nil }},
	{entry: "memcached", variable: MemcachedURLVariable, enabled: func(d Data) bool { return d.Memcached != nil }},
}

// The network stores' connection variables (storeUses).
const (
	DatabaseURLVariable  = "DATABASE_URL"      // uses postgres (a secret: the connection secret's url)
	MongoURIVariable     = "MONGO_URI"         // uses mongo (a secret)
	RedisURLVariable     = "REDIS_URL"         // uses redis (a secret: the AUTH token or the consumer's user)
	SearchURLVariable    = "ELASTICSEARCH_URL" // uses search
	MemcachedURLVariable = "MEMCACHED_URL"     // uses memcached
)

// Postgres is the RDS PostgreSQL instance shared by the services.
type Postgres struct {
	// InstanceClass, e.g. db.r6g.large. Absent: db.r6g.large.
	InstanceClass string `json:"instanceClass"`
	// Identifier is the writer's DB instance identifier, the name the
	// operators' commands use (Dhanam's guide: dhanam-production). RDS
	// rules: 1..63 lowercase letters, digits and hyphens, a letter first,
	// no trailing hyphen and no two consecutive hyphens
	// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints).
	// Absent: a name Pulumi generates ("postgres-<suffix>"). pulumi-aws v6
	// renames in place (terraform-provider-aws v5 made identifier
	// updatable, hashicorp/terraform-provider-aws#32687): the instance
	// reboots and its endpoint changes; the connection secret follows.
	Identifier string `json:"identifier"`
	// EngineVersion is PostgreSQL 16: the major "16" (AWS creates its
	// current minor) or a minor AWS still creates (16.9 or later). Absent: 16.
	EngineVersion string `json:"engineVersion"`
	// AllocatedStorage in GiB (gp3): 20..65536. Absent: 100.
	AllocatedStorage int `json:"allocatedStorage"`
	// MaxAllocatedStorage is the storage autoscaling ceiling in GiB, above
	// AllocatedStorage. Absent: 5 × AllocatedStorage.
	MaxAllocatedStorage int `json:"maxAllocatedStorage"`
	// MultiAZ keeps a synchronous standby in another AZ. Absent: true.
	MultiAZ *bool `json:"multiAz"`
	// DatabaseName is the initial database. Absent: the project name.
	DatabaseName string `json:"databaseName"`
	// Username is the master user. Absent: <project>_admin.
	Username string `json:"username"`
	// BackupRetentionDays: 1..35. Absent: 30.
	BackupRetentionDays int `json:"backupRetentionDays"`
	// BackupWindow (UTC, hh:mm-hh:mm). Absent: 03:00-04:00.
	BackupWindow string `json:"backupWindow"`
	// MaintenanceWindow (ddd:hh:mm-ddd:hh:mm), outside the backup window. Absent: sun:05:00-sun:06:00.
	MaintenanceWindow string `json:"maintenanceWindow"`
	// ReadReplicas names each read replica by purpose ("dashboards"): 0..5. Absent: none.
	ReadReplicas []string `json:"readReplicas"`
	// Parameters are set in the parameter group over the defaults
	// (max_connections 100, shared_buffers 256 MB, effective_cache_size 1 GB,
	// work_mem 4 MB, rds.force_ssl 1), in the units RDS expects. Absent:
	// the program's defaults, as listed.
	Parameters map[string]string `json:"parameters"`
	// PerformanceInsightsRetentionDays: 7, or a multiple of 31 up to 731. Absent: 7.
	PerformanceInsightsRetentionDays int `json:"performanceInsightsRetentionDays"`
	// MonitoringInterval of enhanced monitoring, seconds: 1, 5, 10, 15, 30 or 60. Absent: 60.
	MonitoringInterval int `json:"monitoringInterval"`
	// ServiceUsers gives every fleet service that uses postgres a database
	// role of its own (its name, - as _), owning a schema of that name
	// and nothing else, with a password derived from the master's; the
	// service and its migrations connect as that role, and only the
	// bootstrap task reads the master secret (docs/security.md "Trust boundaries").
	// Absent: false (every consumer connects as the master user).
	ServiceUsers bool `json:"serviceUsers"`
	// URLSchema adds the role's schema to each role's DATABASE_URL as
	// `schema=<role>`, for clients that set the search path themselves
	// from the URL (Prisma: "schema" argument of the PostgreSQL connection
	// URL, default public, where a service role may not create tables;
	// https://www.prisma.io/docs/orm/overview/databases/postgresql#arguments).
	// Needs serviceUsers. Absent: false (the role's search_path, set by the
	// bootstrap, applies: Django, psql).
	URLSchema bool `json:"urlSchema"`
}

// PostgresRole is the database role (and schema) of a consumer of
// PostgreSQL with data.postgres.serviceUsers: its name with - as _.
func PostgresRole(consumer string) string { return strings.ReplaceAll(consumer, "-", "_") }

// PostgresConsumers are the fleet services that use postgres, in config
// order: the roles data.postgres.serviceUsers creates.
func (cfg *Config) PostgresConsumers() []string {
	var out []string
	if cfg.Fleet == nil {
		return nil
	}
	for _, s := range cfg.Fleet.Services {
		for _, u := range s.Uses {
			if u == "postgres" {
				out = append(out, s.Name)
			}
		}
	}
	return out
}

// RedisConsumers are the fleet services and functions that use redis, in
// config order (services first, then functions by name): the users
// data.redis.serviceUsers creates.
func (cfg *Config) RedisConsumers() []string {
	var out []string
	if cfg.Fleet != nil {
		for _, s := range cfg.Fleet.Services {
			if containsStr(s.Uses, "redis") {
				out = append(out, s.Name)
			}
		}
	}
	if cfg.Serverless != nil {
		for _, name := range sortedMapKeys(cfg.Serverless.Functions) {
			if containsStr(cfg.Serverless.Functions[name].Uses, "redis") {
				out = append(out, name)
			}
		}
	}
	return out
}

// DocumentDB is the MongoDB-compatible cluster (DBay's MONGO_URI).
type DocumentDB struct {
	// InstanceClass. Absent: db.r6g.large.
	InstanceClass string `json:"instanceClass"`
	// Instances across the AZs: 1..16. Absent: 3.
	Instances int `json:"instances"`
	// EngineVersion. Absent: 5.0.0.
	EngineVersion string `json:"engineVersion"`
	// Username is the master user. Absent: <project>_admin.
	Username string `json:"username"`
	// BackupRetentionDays: 1..35. Absent: 30.
	BackupRetentionDays int `json:"backupRetentionDays"`
	// BackupWindow. Absent: 03:00-04:00.
	BackupWindow string `json:"backupWindow"`
	// MaintenanceWindow. Absent: sun:05:00-sun:06:00.
	MaintenanceWindow string `json:"maintenanceWindow"`
	// ServiceUsers gives every fleet service that uses mongo a DocumentDB
	// user of its own (its name), with readWrite on one database of that
	// name and nothing else, and a password derived from the master's; the
	// service's MONGO_URI names that user and database, and only the
	// bootstrap task reads the master secret (docs/runbooks.md "Bootstrap the
	// database roles"). Absent: false (every consumer connects as the
	// master user).
	ServiceUsers bool `json:"serviceUsers"`
}

// DocumentDBConsumers are the fleet services that use mongo, in config
// order: the users data.documentdb.serviceUsers creates (each named as
// its service, with a database of that name).
func (cfg *Config) DocumentDBConsumers() []string {
	var out []string
	if cfg.Fleet == nil {
		return nil
	}
	for _, s := range cfg.Fleet.Services {
		for _, u := range s.Uses {
			if u == "mongo" {
				out = append(out, s.Name)
			}
		}
	}
	return out
}

// Redis is the ElastiCache Redis replication group (REDIS_URL).
type Redis struct {
	// NodeType. Absent: cache.r6g.large.
	NodeType string `json:"nodeType"`
	// Replicas per primary: 1..5 (so ≥ 2 nodes, Multi-AZ with failover). Absent: 1.
	Replicas int `json:"replicas"`
	// EngineVersion. Absent: 7.1.
	EngineVersion string `json:"engineVersion"`
	// SnapshotRetentionDays: 1..35. Absent: 7.
	SnapshotRetentionDays int `json:"snapshotRetentionDays"`
	// SnapshotWindow. Absent: 04:00-05:00.
	SnapshotWindow string `json:"snapshotWindow"`
	// MaintenanceWindow. Absent: sun:06:00-sun:07:00.
	MaintenanceWindow string `json:"maintenanceWindow"`
	// Purpose says what the stack keeps in Redis; it is the replication
	// group's description. Absent: "cache".
	Purpose string `json:"purpose"`
	// Parameters are set in a custom parameter group of the engine's
	// family (redis7 for 7.x) over ElastiCache's defaults; only the names
	// in RedisParameters, with their valid values. Absent: the default
	// parameter group (maxmemory-policy volatile-lru). A store that holds
	// job queues sets maxmemory-policy noeviction (cache_redis.go).
	Parameters map[string]string `json:"parameters"`
	// ServiceUsers gives every consumer of redis (each fleet service and
	// function whose uses lists redis) an ElastiCache RBAC user of its own
	// (user name: the consumer's name; a generated password; the access
	// string of RedisAccessString), puts them in one user group with a
	// disabled `default` user, and attaches that group to the replication
	// group in place of the AUTH token; each consumer's REDIS_URL carries
	// its own user (docs/security.md "Trust boundaries"). Not with a Global Datastore
	// (a DR pair): config refuses it there (data_redis_users.go). Absent:
	// false (one AUTH token for every consumer).
	ServiceUsers bool `json:"serviceUsers"`
	// KeyPatterns are, by consumer name, the Redis key patterns its user
	// may read and write (ACL `~<pattern>`, glob-style). Needs
	// serviceUsers. Absent for a consumer: `~*`, every key (the seeds give
	// no key prefixes).
	KeyPatterns map[string][]string `json:"keyPatterns"`
}

// Memcached is the optional warm cache (MEMCACHED_URL).
type Memcached struct {
	// NodeType. Absent: cache.t4g.medium.
	NodeType string `json:"nodeType"`
	// Nodes: 1..40. Absent: 2.
	Nodes int `json:"nodes"`
}

// OpenSearch is the search domain (ELASTICSEARCH_URL).
type OpenSearch struct {
	// EngineVersion, OpenSearch_2.x. Absent: OpenSearch_2.19.
	EngineVersion string `json:"engineVersion"`
	// InstanceType of data nodes. Absent: r6g.large.search.
	InstanceType string `json:"instanceType"`
	// InstanceCount of data nodes, a multiple of the AZ count (3). Absent: 3.
	InstanceCount int `json:"instanceCount"`
	// DedicatedMasters: three dedicated master nodes. Absent: true.
	DedicatedMasters *bool `json:"dedicatedMasters"`
	// MasterType. Absent: m6g.large.search.
	MasterType string `json:"masterType"`
	// VolumeSize per data node, GiB (gp3): 10..16384. Absent: 100.
	VolumeSize int `json:"volumeSize"`
}

// EnginePort is each store's port: what AllowFrom opens.
const (
	PostgresPort   = 5432
	DocumentDBPort = 27017
	RedisPort      = 6379
	MemcachedPort  = 11211
	OpenSearchPort = 443
)
