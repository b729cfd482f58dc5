package config

import (
	"fmt"
	"regexp"
	"strings"
)

// Data configures the DataLayer component. Each store is optional: a nil
// section (absent key) means the stack has no such store.
type Data struct {
	Postgres   *Postgres   `json:"postgres"`
	DocumentDB *DocumentDB `json:"documentdb"`
	Redis      *Redis      `json:"redis"`
	Memcached  *Memcached  `json:"memcached"`
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
	// work_mem 4 MB, rds.force_ssl 1), in the units RDS expects.
	Parameters map[string]string `json:"parameters"`
	// PerformanceInsightsRetentionDays: 7, or a multiple of 31 up to 731. Absent: 7.
	PerformanceInsightsRetentionDays int `json:"performanceInsightsRetentionDays"`
	// MonitoringInterval of enhanced monitoring, seconds: 1, 5, 10, 15, 30 or 60. Absent: 60.
	MonitoringInterval int `json:"monitoringInterval"`
	// ServiceUsers gives every fleet service that uses postgres a database
	// role of its own (its name, - as _), owning a schema of that name
	// and nothing else, with a password derived from the master's; the
	// service and its migrations connect as that role, and only the
	// bootstrap task reads the master secret (README "Trust boundaries").
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
	// bootstrap task reads the master secret (README "Bootstrap the
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
	// its own user (README "Trust boundaries"). Not with a Global Datastore
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

func (d *Data) applyDefaults(project string) {
	if p := d.Postgres; p != nil {
		def(&p.InstanceClass, "db.r6g.large")
		def(&p.EngineVersion, DefaultPostgresVersion)
		defInt(&p.AllocatedStorage, 100)
		defInt(&p.MaxAllocatedStorage, 5*p.AllocatedStorage)
		defBool(&p.MultiAZ, true)
		def(&p.DatabaseName, strings.ReplaceAll(project, "-", "_"))
		def(&p.Username, strings.ReplaceAll(project, "-", "_")+"_admin")
		defInt(&p.BackupRetentionDays, DefaultBackupRetentionDays)
		def(&p.BackupWindow, DefaultBackupWindow)
		def(&p.MaintenanceWindow, DefaultMaintenanceWindow)
		defInt(&p.PerformanceInsightsRetentionDays, 7)
		defInt(&p.MonitoringInterval, 60)
		params := map[string]string{
			"max_connections":      "100",    // Dhanam "Database Optimization"
			"shared_buffers":       "32768",  // 256 MB in 8 kB pages
			"effective_cache_size": "131072", // 1 GB in 8 kB pages
			"work_mem":             "4096",   // 4 MB in kB
			"rds.force_ssl":        "1",
		}
		for k, v := range p.Parameters {
			params[k] = v
		}
		p.Parameters = params
	}
	if d := d.DocumentDB; d != nil {
		def(&d.InstanceClass, "db.r6g.large")
		defInt(&d.Instances, 3)
		def(&d.EngineVersion, DefaultDocumentDBVersion)
		def(&d.Username, strings.ReplaceAll(project, "-", "_")+"_admin")
		defInt(&d.BackupRetentionDays, DefaultBackupRetentionDays)
		def(&d.BackupWindow, DefaultBackupWindow)
		def(&d.MaintenanceWindow, DefaultMaintenanceWindow)
	}
	if r := d.Redis; r != nil {
		def(&r.NodeType, "cache.r6g.large")
		defInt(&r.Replicas, 1)
		def(&r.EngineVersion, DefaultRedisVersion)
		defInt(&r.SnapshotRetentionDays, 7)
		def(&r.SnapshotWindow, "04:00-05:00")
		def(&r.MaintenanceWindow, "sun:06:00-sun:07:00")
		def(&r.Purpose, "cache")
	}
	if m := d.Memcached; m != nil {
		def(&m.NodeType, "cache.t4g.medium")
		defInt(&m.Nodes, 2)
	}
	if o := d.OpenSearch; o != nil {
		def(&o.EngineVersion, DefaultOpenSearchVersion)
		def(&o.InstanceType, "r6g.large.search")
		defInt(&o.InstanceCount, 3)
		defBool(&o.DedicatedMasters, true)
		def(&o.MasterType, "m6g.large.search")
		defInt(&o.VolumeSize, 100)
	}
	d.applyMessagingDefaults(project)
}

var (
	dbClassRe      = regexp.MustCompile(`^db\.(t3|t4g|m5|m6g|m6i|m7g|r5|r6g|r6i|r7g|x2g)\.(micro|small|medium|large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge)$`)
	cacheNodeRe    = regexp.MustCompile(`^cache\.(t3|t4g|m5|m6g|m7g|r5|r6g|r7g)\.(micro|small|medium|large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge)$`)
	searchTypeRe   = regexp.MustCompile(`^(t3|m5|m6g|m7g|r5|r6g|r7g|c6g|or1)\.(small|medium|large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge)\.search$`)
	windowRe       = regexp.MustCompile(`^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$`)
	weekWindowRe   = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$`)
	dbIdentifierRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	replicaNameRe  = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
	rdsInstanceRe  = regexp.MustCompile(`^[a-z](?:[a-z0-9]|-[a-z0-9]){0,62}$`)
)

func (d Data) validate(c *collector, azCount int) {
	if p := d.Postgres; p != nil {
		checkClass(c, "data.postgres.instanceClass", p.InstanceClass, dbClassRe, "an RDS class such as db.r6g.large or db.r5.large")
		if problem := PostgresVersionProblem(p.EngineVersion); problem != "" {
			c.add("data.postgres.engineVersion", problem, "use 16 (AWS creates its current minor; auto minor upgrades keep it current)")
		}
		checkRange(c, "data.postgres.allocatedStorage", p.AllocatedStorage, 20, 65536, "GiB")
		if p.MaxAllocatedStorage <= p.AllocatedStorage || p.MaxAllocatedStorage > 65536 {
			c.addf("data.postgres.maxAllocatedStorage", fmt.Sprintf("use %d..65536", p.AllocatedStorage+1), "%d GiB does not leave room for storage autoscaling above %d GiB", p.MaxAllocatedStorage, p.AllocatedStorage)
		}
		if p.Identifier != "" && !rdsInstanceRe.MatchString(p.Identifier) {
			c.addf("data.postgres.identifier", "use 1..63 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, such as dhanam-production",
				"%q is not a DB instance identifier", p.Identifier)
		}
		checkIdentifier(c, "data.postgres.databaseName", p.DatabaseName)
		checkIdentifier(c, "data.postgres.username", p.Username)
		checkRange(c, "data.postgres.backupRetentionDays", p.BackupRetentionDays, 1, 35, "days")
		checkWindows(c, "data.postgres", p.BackupWindow, p.MaintenanceWindow)
		checkReplicaNames(c, "data.postgres.readReplicas", p.ReadReplicas)
		pi := p.PerformanceInsightsRetentionDays
		if pi != 7 && (pi%31 != 0 || pi < 31 || pi > 731) {
			c.addf("data.postgres.performanceInsightsRetentionDays", "use 7, or a multiple of 31 up to 731", "%d days is not a Performance Insights retention", pi)
		}
		switch p.MonitoringInterval {
		case 1, 5, 10, 15, 30, 60:
		default:
			c.addf("data.postgres.monitoringInterval", "use 1, 5, 10, 15, 30 or 60", "%d seconds is not an enhanced monitoring interval", p.MonitoringInterval)
		}
	}
	if dd := d.DocumentDB; dd != nil {
		checkClass(c, "data.documentdb.instanceClass", dd.InstanceClass, dbClassRe, "a DocumentDB class such as db.r6g.large")
		checkRange(c, "data.documentdb.instances", dd.Instances, 1, 16, "instances")
		checkIdentifier(c, "data.documentdb.username", dd.Username)
		checkRange(c, "data.documentdb.backupRetentionDays", dd.BackupRetentionDays, 1, 35, "days")
		checkWindows(c, "data.documentdb", dd.BackupWindow, dd.MaintenanceWindow)
	}
	if r := d.Redis; r != nil {
		checkClass(c, "data.redis.nodeType", r.NodeType, cacheNodeRe, "an ElastiCache node type such as cache.r6g.large")
		checkRange(c, "data.redis.replicas", r.Replicas, 1, 5, "replicas (Multi-AZ failover needs at least one)")
		checkRange(c, "data.redis.snapshotRetentionDays", r.SnapshotRetentionDays, 1, 35, "days")
		checkWindows(c, "data.redis", r.SnapshotWindow, r.MaintenanceWindow)
		r.validateParameters(c)
	}
	if m := d.Memcached; m != nil {
		checkClass(c, "data.memcached.nodeType", m.NodeType, cacheNodeRe, "an ElastiCache node type such as cache.t4g.medium")
		checkRange(c, "data.memcached.nodes", m.Nodes, 1, 40, "nodes")
	}
	if o := d.OpenSearch; o != nil {
		checkClass(c, "data.opensearch.instanceType", o.InstanceType, searchTypeRe, "an OpenSearch type such as r6g.large.search")
		checkClass(c, "data.opensearch.masterType", o.MasterType, searchTypeRe, "an OpenSearch type such as m6g.large.search")
		if o.InstanceCount < 1 || o.InstanceCount%min(azCount, 3) != 0 {
			c.addf("data.opensearch.instanceCount", fmt.Sprintf("use a multiple of %d, so every AZ holds a copy", min(azCount, 3)), "%d data nodes cannot spread evenly over the zones", o.InstanceCount)
		}
		checkRange(c, "data.opensearch.volumeSize", o.VolumeSize, 10, 16384, "GiB")
		if !strings.HasPrefix(o.EngineVersion, "OpenSearch_2.") {
			c.addf("data.opensearch.engineVersion", "use OpenSearch_2.x, e.g. OpenSearch_2.19", "%q is not an OpenSearch 2 version", o.EngineVersion)
		}
	}
	d.validateMessaging(c)
}

func checkClass(c *collector, path, v string, re *regexp.Regexp, valid string) {
	if !re.MatchString(v) {
		c.addf(path, "use "+valid, "%q is not a valid instance class", v)
	}
}

func checkRange(c *collector, path string, v, lo, hi int, unit string) {
	if v < lo || v > hi {
		c.addf(path, fmt.Sprintf("use %d..%d", lo, hi), "%d %s is outside %d..%d", v, unit, lo, hi)
	}
}

func checkIdentifier(c *collector, path, v string) {
	if !dbIdentifierRe.MatchString(v) || v == "admin" || v == "postgres" || v == "rdsadmin" {
		c.addf(path, "use lowercase letters, digits and underscores, starting with a letter, not a reserved name", "%q is not a valid database identifier", v)
	}
}

// checkWindows validates a daily backup window and a weekly maintenance
// window, and that maintenance never runs during the backup.
func checkWindows(c *collector, path, backup, maintenance string) {
	b := windowRe.FindStringSubmatch(backup)
	if b == nil {
		c.addf(path+".backupWindow", "use hh:mm-hh:mm in UTC, e.g. 03:00-04:00", "%q is not a daily window", backup)
	}
	m := weekWindowRe.FindStringSubmatch(maintenance)
	if m == nil {
		c.addf(path+".maintenanceWindow", "use ddd:hh:mm-ddd:hh:mm in UTC, e.g. sun:05:00-sun:06:00", "%q is not a weekly window", maintenance)
	}
	if b == nil || m == nil {
		return
	}
	bs, be := minutes(b[1], b[2]), minutes(b[3], b[4])
	if be <= bs {
		be += 24 * 60
	}
	if be-bs < 30 {
		c.addf(path+".backupWindow", "make it at least 30 minutes long", "%s is shorter than the 30 minutes AWS requires", backup)
	}
	ms, me := minutes(m[2], m[3]), minutes(m[5], m[6])
	if me <= ms {
		me += 24 * 60
	}
	if ms < be && bs < me {
		c.addf(path+".maintenanceWindow", "move it outside the backup window", "%s overlaps the backup window %s", maintenance, backup)
	}
}

func minutes(h, m string) int {
	var hh, mm int
	fmt.Sscanf(h, "%d", &hh)
	fmt.Sscanf(m, "%d", &mm)
	return hh*60 + mm
}

func def(s *string, v string) {
	if *s == "" {
		*s = v
	}
}

func defInt(i *int, v int) {
	if *i == 0 {
		*i = v
	}
}

func defBool(b **bool, v bool) {
	if *b == nil {
		*b = &v
	}
}

// checkReplicaNames checks a list of read replica names by purpose: at
// most 5 (RDS's limit per source), each a short lowercase name, no repeats.
func checkReplicaNames(c *collector, path string, names []string) {
	if n := len(names); n > 5 {
		c.addf(path, "use at most 5", "%d read replicas is more than RDS allows", n)
	}
	seen := map[string]bool{}
	for i, r := range names {
		at := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case !replicaNameRe.MatchString(r):
			c.addf(at, "use a short lowercase purpose such as dashboards", "%q is not a valid replica name", r)
		case seen[r]:
			c.addf(at, "give each replica its own name", "%q is listed twice", r)
		}
		seen[r] = true
	}
}
