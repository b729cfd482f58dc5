package config

import (
	"fmt"
	"regexp"
	"strings"
)

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
			c.notSupported("data.postgres.engineVersion", p.EngineVersion, problem, "use 16 (AWS creates its current minor; auto minor upgrades keep it current)")
		}
		checkRange(c, "data.postgres.allocatedStorage", p.AllocatedStorage, 20, 65536, "GiB")
		if p.MaxAllocatedStorage <= p.AllocatedStorage || p.MaxAllocatedStorage > 65536 {
			c.invalidf("data.postgres.maxAllocatedStorage", p.MaxAllocatedStorage, fmt.Sprintf("use %d..65536", p.AllocatedStorage+1), "%d GiB does not leave room for storage autoscaling above %d GiB", p.MaxAllocatedStorage, p.AllocatedStorage)
		}
		if p.Identifier != "" && !rdsInstanceRe.MatchString(p.Identifier) {
			c.invalidf("data.postgres.identifier", p.Identifier, "use 1..63 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, such as dhanam-production",
				"%q is not a DB instance identifier", p.Identifier)
		}
		checkIdentifier(c, "data.postgres.databaseName", p.DatabaseName)
		checkIdentifier(c, "data.postgres.username", p.Username)
		checkRange(c, "data.postgres.backupRetentionDays", p.BackupRetentionDays, 1, 35, "days")
		checkWindows(c, "data.postgres", p.BackupWindow, p.MaintenanceWindow)
		checkReplicaNames(c, "data.postgres.readReplicas", p.ReadReplicas)
		pi := p.PerformanceInsightsRetentionDays
		if pi != 7 && (pi%31 != 0 || pi < 31 || pi > 731) {
			c.invalidf("data.postgres.performanceInsightsRetentionDays", pi, "use 7, or a multiple of 31 up to 731", "%d days is not a Performance Insights retention", pi)
		}
		switch p.MonitoringInterval {
		case 1, 5, 10, 15, 30, 60:
		default:
			c.invalidf("data.postgres.monitoringInterval", p.MonitoringInterval, "use 1, 5, 10, 15, 30 or 60", "%d seconds is not an enhanced monitoring interval", p.MonitoringInterval)
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
			c.invalidf("data.opensearch.instanceCount", o.InstanceCount, fmt.Sprintf("use a multiple of %d, so every AZ holds a copy", min(azCount, 3)), "%d data nodes cannot spread evenly over the zones", o.InstanceCount)
		}
		checkRange(c, "data.opensearch.volumeSize", o.VolumeSize, 10, 16384, "GiB")
		if !strings.HasPrefix(o.EngineVersion, "OpenSearch_2.") {
			c.notSupportedf("data.opensearch.engineVersion", o.EngineVersion, "use OpenSearch_2.x, e.g. OpenSearch_2.19", "%q is not an OpenSearch 2 version", o.EngineVersion)
		}
	}
	d.validateMessaging(c)
	d.validateStores(c, azCount)
}

func checkClass(c *collector, path, v string, re *regexp.Regexp, valid string) {
	if !re.MatchString(v) {
		c.invalidf(path, v, "use "+valid, "%q is not a valid instance class", v)
	}
}

func checkRange(c *collector, path string, v, lo, hi int, unit string) {
	if v < lo || v > hi {
		c.invalidf(path, v, fmt.Sprintf("use %d..%d", lo, hi), "%d %s is outside %d..%d", v, unit, lo, hi)
	}
}

func checkIdentifier(c *collector, path, v string) {
	if !dbIdentifierRe.MatchString(v) || v == "admin" || v == "postgres" || v == "rdsadmin" {
		c.invalidf(path, v, "use lowercase letters, digits and underscores, starting with a letter, not a reserved name", "%q is not a valid database identifier", v)
	}
}

// checkWindows validates a daily backup window and a weekly maintenance
// window, and that maintenance never runs during the backup.
func checkWindows(c *collector, path, backup, maintenance string) {
	b := windowRe.FindStringSubmatch(backup)
	if b == nil {
		c.invalidf(path+".backupWindow", backup, "use hh:mm-hh:mm in UTC, e.g. 03:00-04:00", "%q is not a daily window", backup)
	}
	m := weekWindowRe.FindStringSubmatch(maintenance)
	if m == nil {
		c.invalidf(path+".maintenanceWindow", maintenance, "use ddd:hh:mm-ddd:hh:mm in UTC, e.g. sun:05:00-sun:06:00", "%q is not a weekly window", maintenance)
	}
	if b == nil || m == nil {
		return
	}
	bs, be := minutes(b[1], b[2]), minutes(b[3], b[4])
	if be <= bs {
		be += 24 * 60
	}
	if be-bs < 30 {
		c.invalidf(path+".backupWindow", backup, "make it at least 30 minutes long", "%s is shorter than the 30 minutes AWS requires", backup)
	}
	ms, me := minutes(m[2], m[3]), minutes(m[5], m[6])
	if me <= ms {
		me += 24 * 60
	}
	if ms < be && bs < me {
		c.invalidf(path+".maintenanceWindow", maintenance, "move it outside the backup window", "%s overlaps the backup window %s", maintenance, backup)
	}
}

func minutes(h, m string) int {
	var hh, mm int
	fmt.Sscanf(h, "%d", &hh)
	fmt.Sscanf(m, "%d", &mm)
	return hh*60 + mm
}

// checkReplicaNames checks a list of read replica names by purpose: at
// most 5 (RDS's limit per source), each a short lowercase name, no repeats.
func checkReplicaNames(c *collector, path string, names []string) {
	if n := len(names); n > 5 {
		c.invalidf(path, n, "use at most 5", "%d read replicas is more than RDS allows", n)
	}
	seen := map[string]bool{}
	for i, r := range names {
		at := Path(path).Index(i).String()
		switch {
		case !replicaNameRe.MatchString(r):
			c.invalidf(at, r, "use a short lowercase purpose such as dashboards", "%q is not a valid replica name", r)
		case seen[r]:
			c.invalidf(at, r, "give each replica its own name", "%q is listed twice", r)
		}
		seen[r] = true
	}
}
