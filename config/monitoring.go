package config

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// backupCronRe is an AWS cron expression: six fields inside cron(...).
var backupCronRe = regexp.MustCompile(`^cron\((\S+ ){5}\S+\)$`)

// Monitoring configures the Monitoring component: the alert topic and its
// subscribers, alarm thresholds, the dashboard and AWS Backup.
type Monitoring struct {
	// Emails subscribed to the alert topic (they confirm by mail). Absent: none.
	Emails []string `json:"emails"`
	// PagerURLs are HTTPS endpoints (a pager's integration URL) subscribed
	// to the alert topic. Absent: none.
	PagerURLs []string `json:"pagerUrls"`
	// Alarms overrides an alarm kind's threshold or turns it off, by kind
	// (see AlarmKinds, e.g. "rds.cpu": {threshold: 75}). Absent: the defaults.
	Alarms map[string]AlarmOverride `json:"alarms"`
	// Backup configures AWS Backup. Absent: on, with the defaults below.
	Backup Backup `json:"backup"`
}

// AlarmOverride changes one alarm kind for the whole stack.
type AlarmOverride struct {
	// Threshold replaces the kind's default. Absent: the default.
	Threshold *float64 `json:"threshold"`
	// Disabled drops the kind's alarms. Absent: false.
	Disabled bool `json:"disabled"`
	// Periods is how many evaluation periods must breach: 1..100. Absent: the default.
	Periods int `json:"periods"`
}

// Backup configures the AWS Backup vault and plan.
type Backup struct {
	// Enabled creates the vault, plan and selection. Absent: true.
	Enabled *bool `json:"enabled"`
	// RetentionDays of the daily recovery points: 1..35 with continuous
	// backup. Absent: 30 (Dhanam "Backup and Recovery").
	RetentionDays int `json:"retentionDays"`
	// Schedule of the daily rule (cron, UTC). Absent: cron(0 3 * * ? *), the
	// seed's 03:00 backup window.
	Schedule string `json:"schedule"`
	// CopyToRegion receives a copy of every recovery point. Absent: none;
	// the primary stack sets the DR region.
	CopyToRegion string `json:"copyToRegion"`
	// VaultLock puts the vault in compliance mode (recovery points cannot be
	// deleted before their retention ends, not even by root). Absent: false.
	VaultLock bool `json:"vaultLock"`
}

// AlarmKind is one kind of alarm the program raises, with its defaults.
type AlarmKind struct {
	Threshold float64
	Periods   int
}

// AlarmKinds are every alarm kind with its default threshold and periods.
// The ALB numbers are the Dhanam guide's two `put-metric-alarm` commands.
var AlarmKinds = map[string]AlarmKind{
	"alb.5xx":               {5, 2},     // HTTPCode_Target_5XX_Count Sum/300 s > 5 for 2 periods (seed)
	"alb.latency":           {2, 3},     // TargetResponseTime Average/300 s > 2 s for 3 periods (seed)
	"alb.unhealthy":         {0, 2},     // UnHealthyHostCount > 0
	"service.errorRate":     {5, 2},     // a monitored service's target 5xx as % of its RequestCount per 300 s (seed "API error rate above 5%")
	"service.responseTime":  {2, 3},     // its TargetResponseTime Average/300 s > 2 s (seed)
	"service.health":        {1, 3},     // its Route53 health check's HealthCheckStatus Minimum < 1 for 3 minutes
	"ecs.cpu":               {85, 3},    // CPUUtilization %
	"ecs.memory":            {85, 3},    // MemoryUtilization %
	"ecs.running":           {0, 2},     // RunningTaskCount below the service minimum (threshold: min - this)
	"rds.cpu":               {80, 3},    // CPUUtilization %
	"rds.storage":           {10, 1},    // FreeStorageSpace below 10 GiB
	"rds.connections":       {80, 2},    // DatabaseConnections, % of the instance's max_connections (data.postgres.parameters)
	"rds.replicaLag":        {900, 2},   // ReplicaLag seconds: a quarter of the 1 h RPO, dr.Catalog's 15 min
	"rds.memory":            {256, 3},   // FreeableMemory below 256 MiB
	"docdb.cpu":             {80, 3},    // CPUUtilization %
	"docdb.memory":          {256, 3},   // FreeableMemory below 256 MiB
	"docdb.replicaLag":      {60000, 2}, // DBClusterReplicaLagMaximum ms
	"redis.cpu":             {80, 3},    // EngineCPUUtilization %
	"redis.memory":          {80, 3},    // DatabaseMemoryUsagePercentage %
	"redis.evictions":       {0, 2},     // Evictions > 0
	"redis.replication":     {30, 2},    // ReplicationLag seconds
	"redis.globalLag":       {60, 3},    // GlobalDatastoreReplicationLag seconds (dr secondary): dr.Catalog's 1 min RPO
	"docdb.globalLag":       {60000, 3}, // GlobalClusterReplicationLag ms (dr secondary): dr.Catalog's 1 min RPO
	"s3.replicationLatency": {900, 1},   // ReplicationLatency seconds: RTC's 15 min, dr.Catalog's RPO
	"search.red":            {0, 1},     // ClusterStatus.red > 0
	"search.yellow":         {0, 5},     // ClusterStatus.yellow > 0
	"search.storage":        {20480, 1}, // FreeStorageSpace MiB below 20 GiB
	"search.jvm":            {85, 3},    // JVMMemoryPressure %
	"lambda.errors":         {0, 1},     // Errors > 0 per 5 minutes
	"lambda.throttles":      {0, 1},     // Throttles > 0
	"sfn.failed":            {0, 1},     // ExecutionsFailed > 0: any failed withdrawal pages someone
	"sfn.timedOut":          {0, 1},     // ExecutionsTimedOut > 0
	"sqs.dlq":               {0, 1},     // ApproximateNumberOfMessagesVisible > 0 on a DLQ
	"sqs.age":               {900, 2},   // ApproximateAgeOfOldestMessage seconds
	"apigw.5xx":             {5, 2},     // 5xx Sum/300 s
	"apigw.latency":         {2000, 3},  // Latency Average ms
	"cloudfront.5xx":        {5, 2},     // 5xxErrorRate % Average
	"waf.blocked":           {1000, 1},  // BlockedRequests Sum/300 s: an attack or a bad rule
	"app.errors":            {10, 1},    // ERROR log lines per 5 minutes, per service
	"backup.jobsFailed":     {0, 1},     // NumberOfBackupJobsFailed > 0
	"backup.copiesFailed":   {0, 1},     // NumberOfCopyJobsFailed > 0
	"security.secretRead":   {0, 1},     // a single-reader secret read by anyone but its readers (CloudTrail metric filter)
	"security.secretChange": {0, 1},     // its policy, value, rotation or key changed (CloudTrail metric filter)
}

// Threshold is the effective threshold and periods of an alarm kind, and
// whether it is on.
func (m Monitoring) Threshold(kind string) (threshold float64, periods int, on bool) {
	def, ok := AlarmKinds[kind]
	if !ok {
		panic("config: unknown alarm kind " + kind)
	}
	threshold, periods = def.Threshold, def.Periods
	if o, ok := m.Alarms[kind]; ok {
		if o.Disabled {
			return 0, 0, false
		}
		if o.Threshold != nil {
			threshold = *o.Threshold
		}
		if o.Periods != 0 {
			periods = o.Periods
		}
	}
	return threshold, periods, true
}

// BackupEnabled reports whether AWS Backup is on.
func (b Backup) BackupEnabled() bool { return b.Enabled == nil || *b.Enabled }

func (m *Monitoring) applyDefaults() {
	defInt(&m.Backup.RetentionDays, DefaultBackupRetentionDays)
	def(&m.Backup.Schedule, "cron(0 3 * * ? *)")
}

func (m Monitoring) validate(c *collector, region string) {
	for i, e := range m.Emails {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			c.addf(fmt.Sprintf("monitoring.emails[%d]", i), "use a bare address such as oncall@example.com", "%q is not an email address", e)
		}
	}
	for i, u := range m.PagerURLs {
		if p, err := url.Parse(u); err != nil || p.Scheme != "https" || p.Host == "" {
			c.addf(fmt.Sprintf("monitoring.pagerUrls[%d]", i), "use an https:// URL", "%q is not an HTTPS endpoint", u)
		}
	}
	kinds := make([]string, 0, len(m.Alarms))
	for k := range m.Alarms {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		path := "monitoring.alarms." + k
		if _, ok := AlarmKinds[k]; !ok {
			known := make([]string, 0, len(AlarmKinds))
			for kk := range AlarmKinds {
				known = append(known, kk)
			}
			sort.Strings(known)
			c.add(path, "is not an alarm kind", suggest(k, known))
			continue
		}
		o := m.Alarms[k]
		if strings.HasPrefix(k, "security.") && (o.Disabled || o.Threshold != nil || o.Periods > 1) {
			c.add(path, "is a security alarm: every event pages", "remove the override (a single-reader secret's reads and changes are always alarmed, at once)")
			continue
		}
		if o.Threshold != nil && *o.Threshold < 0 {
			c.addf(path+".threshold", "use 0 or more", "%v is negative", *o.Threshold)
		}
		if o.Periods < 0 || o.Periods > 100 {
			c.addf(path+".periods", "use 1..100", "%d periods is outside 1..100", o.Periods)
		}
	}
	b := m.Backup
	if b.RetentionDays < 1 || b.RetentionDays > 35 {
		c.addf("monitoring.backup.retentionDays", "use 1..35 (continuous backup keeps at most 35 days)", "%d days is outside 1..35", b.RetentionDays)
	}
	if b.CopyToRegion != "" {
		switch {
		case !IsAWSRegion(b.CopyToRegion):
			c.addf("monitoring.backup.copyToRegion", "use an AWS region such as us-west-2", "%q is not an AWS region", b.CopyToRegion)
		case b.CopyToRegion == region:
			c.add("monitoring.backup.copyToRegion", "is the stack's own region", "copy to the DR region")
		}
	}
	if !backupCronRe.MatchString(b.Schedule) {
		c.addf("monitoring.backup.schedule", "use a cron expression such as cron(0 3 * * ? *)", "%q is not a valid backup schedule", b.Schedule)
	}
}
