package config

import (
	"fmt"
	"sort"
	"strings"
)

// AlarmKind names one kind of alarm the program raises ("rds.cpu"): it picks
// the default threshold and periods (AlarmKinds) and the stack's override
// (monitoring.alarms.<kind>). Use the constants below; an alarm.Spec with a
// kind that is not one of them fails the Monitoring component before it
// registers anything (CheckAlarmKind).
type AlarmKind string

// The alarm kinds, each with an entry in AlarmKinds.
const (
	AlarmALB5xx               AlarmKind = "alb.5xx"               // HTTPCode_Target_5XX_Count Sum/300 s > 5 for 2 periods (seed)
	AlarmALBLatency           AlarmKind = "alb.latency"           // TargetResponseTime Average/300 s > 2 s for 3 periods (seed)
	AlarmALBUnhealthy         AlarmKind = "alb.unhealthy"         // UnHealthyHostCount > 0
	AlarmServiceErrorRate     AlarmKind = "service.errorRate"     // a monitored service's target 5xx as % of its RequestCount per 300 s (seed "API error rate above 5%")
	AlarmServiceResponseTime  AlarmKind = "service.responseTime"  // its TargetResponseTime Average/300 s > 2 s (seed)
	AlarmServiceHealth        AlarmKind = "service.health"        // its Route53 health check's HealthCheckStatus Minimum < 1 for 3 minutes
	AlarmECSCPU               AlarmKind = "ecs.cpu"               // CPUUtilization %
	AlarmECSMemory            AlarmKind = "ecs.memory"            // MemoryUtilization %
	AlarmECSRunning           AlarmKind = "ecs.running"           // RunningTaskCount below the service minimum (threshold: min - this)
	AlarmRDSCPU               AlarmKind = "rds.cpu"               // CPUUtilization %
	AlarmRDSStorage           AlarmKind = "rds.storage"           // FreeStorageSpace below 10 GiB
	AlarmRDSConnections       AlarmKind = "rds.connections"       // DatabaseConnections, % of the instance's max_connections (data.postgres.parameters)
	AlarmRDSReplicaLag        AlarmKind = "rds.replicaLag"        // ReplicaLag seconds: a quarter of the 1 h RPO, dr.Catalog's 15 min
	AlarmRDSMemory            AlarmKind = "rds.memory"            // FreeableMemory below 256 MiB
	AlarmDocDBCPU             AlarmKind = "docdb.cpu"             // CPUUtilization %
	AlarmDocDBMemory          AlarmKind = "docdb.memory"          // FreeableMemory below 256 MiB
	AlarmDocDBReplicaLag      AlarmKind = "docdb.replicaLag"      // DBClusterReplicaLagMaximum ms
	AlarmRedisCPU             AlarmKind = "redis.cpu"             // EngineCPUUtilization %
	AlarmRedisMemory          AlarmKind = "redis.memory"          // DatabaseMemoryUsagePercentage %
	AlarmRedisEvictions       AlarmKind = "redis.evictions"       // Evictions > 0
	AlarmRedisReplication     AlarmKind = "redis.replication"     // ReplicationLag seconds
	AlarmRedisGlobalLag       AlarmKind = "redis.globalLag"       // GlobalDatastoreReplicationLag seconds (dr secondary): dr.Catalog's 1 min RPO
	AlarmDocDBGlobalLag       AlarmKind = "docdb.globalLag"       // GlobalClusterReplicationLag ms (dr secondary): dr.Catalog's 1 min RPO
	AlarmS3ReplicationLatency AlarmKind = "s3.replicationLatency" // ReplicationLatency seconds: RTC's 15 min, dr.Catalog's RPO
	AlarmSearchRed            AlarmKind = "search.red"            // ClusterStatus.red > 0
	AlarmSearchYellow         AlarmKind = "search.yellow"         // ClusterStatus.yellow > 0
	AlarmSearchStorage        AlarmKind = "search.storage"        // FreeStorageSpace MiB below 20 GiB
	AlarmSearchJVM            AlarmKind = "search.jvm"            // JVMMemoryPressure %
	AlarmLambdaErrors         AlarmKind = "lambda.errors"         // Errors > 0 per 5 minutes
	AlarmLambdaThrottles      AlarmKind = "lambda.throttles"      // Throttles > 0
	AlarmSFNFailed            AlarmKind = "sfn.failed"            // ExecutionsFailed > 0: any failed withdrawal pages someone
	AlarmSFNTimedOut          AlarmKind = "sfn.timedOut"          // ExecutionsTimedOut > 0
	AlarmSQSDLQ               AlarmKind = "sqs.dlq"               // ApproximateNumberOfMessagesVisible > 0 on a DLQ
	AlarmSQSAge               AlarmKind = "sqs.age"               // ApproximateAgeOfOldestMessage seconds
	AlarmAPIGW5xx             AlarmKind = "apigw.5xx"             // 5xx Sum/300 s
	AlarmAPIGWLatency         AlarmKind = "apigw.latency"         // Latency Average ms
	AlarmCloudFront5xx        AlarmKind = "cloudfront.5xx"        // 5xxErrorRate % Average
	AlarmWAFBlocked           AlarmKind = "waf.blocked"           // BlockedRequests Sum/300 s: an attack or a bad rule
	AlarmAppErrors            AlarmKind = "app.errors"            // ERROR log lines per 5 minutes, per service
	AlarmBackupJobsFailed     AlarmKind = "backup.jobsFailed"     // NumberOfBackupJobsFailed > 0
	AlarmBackupCopiesFailed   AlarmKind = "backup.copiesFailed"   // NumberOfCopyJobsFailed > 0
	AlarmSecuritySecretRead   AlarmKind = "security.secretRead"   // a single-reader secret read by anyone but its readers (CloudTrail metric filter)
	AlarmSecuritySecretChange AlarmKind = "security.secretChange" // its policy, value, rotation or key changed (CloudTrail metric filter)
)

// The dashboard-only kinds: they name a dashboard widget (request counts)
// and raise no alarm, so they have no entry in AlarmKinds.
const (
	DashboardServiceRequests AlarmKind = "service.requests" // a service's RequestCount per minute
	DashboardALBRequests     AlarmKind = "alb.requests"     // the ALB's RequestCount per second
)

// AlarmDefault is an alarm kind's default threshold and evaluation periods.
type AlarmDefault struct {
	Threshold float64
	Periods   int
}

// AlarmKinds are every alarm kind with its default threshold and periods.
// The ALB numbers are the Dhanam guide's two `put-metric-alarm` commands.
var AlarmKinds = map[AlarmKind]AlarmDefault{
	AlarmALB5xx:               {5, 2},
	AlarmALBLatency:           {2, 3},
	AlarmALBUnhealthy:         {0, 2},
	AlarmServiceErrorRate:     {5, 2},
	AlarmServiceResponseTime:  {2, 3},
	AlarmServiceHealth:        {1, 3},
	AlarmECSCPU:               {85, 3},
	AlarmECSMemory:            {85, 3},
	AlarmECSRunning:           {0, 2},
	AlarmRDSCPU:               {80, 3},
	AlarmRDSStorage:           {10, 1},
	AlarmRDSConnections:       {80, 2},
	AlarmRDSReplicaLag:        {900, 2},
	AlarmRDSMemory:            {256, 3},
	AlarmDocDBCPU:             {80, 3},
	AlarmDocDBMemory:          {256, 3},
	AlarmDocDBReplicaLag:      {60000, 2},
	AlarmRedisCPU:             {80, 3},
	AlarmRedisMemory:          {80, 3},
	AlarmRedisEvictions:       {0, 2},
	AlarmRedisReplication:     {30, 2},
	AlarmRedisGlobalLag:       {60, 3},
	AlarmDocDBGlobalLag:       {60000, 3},
	AlarmS3ReplicationLatency: {900, 1},
	AlarmSearchRed:            {0, 1},
	AlarmSearchYellow:         {0, 5},
	AlarmSearchStorage:        {20480, 1},
	AlarmSearchJVM:            {85, 3},
	AlarmLambdaErrors:         {0, 1},
	AlarmLambdaThrottles:      {0, 1},
	AlarmSFNFailed:            {0, 1},
	AlarmSFNTimedOut:          {0, 1},
	AlarmSQSDLQ:               {0, 1},
	AlarmSQSAge:               {900, 2},
	AlarmAPIGW5xx:             {5, 2},
	AlarmAPIGWLatency:         {2000, 3},
	AlarmCloudFront5xx:        {5, 2},
	AlarmWAFBlocked:           {1000, 1},
	AlarmAppErrors:            {10, 1},
	AlarmBackupJobsFailed:     {0, 1},
	AlarmBackupCopiesFailed:   {0, 1},
	AlarmSecuritySecretRead:   {0, 1},
	AlarmSecuritySecretChange: {0, 1},
}

// DashboardKinds are the kinds that only name a dashboard widget.
var DashboardKinds = map[AlarmKind]bool{
	DashboardServiceRequests: true,
	DashboardALBRequests:     true,
}

// AlarmKindNames are the alarm kinds (AlarmKinds' keys), sorted.
func AlarmKindNames() []string {
	out := make([]string, 0, len(AlarmKinds))
	for k := range AlarmKinds {
		out = append(out, string(k))
	}
	sort.Strings(out)
	return out
}

// CheckAlarmKind returns an error naming kind and the valid kinds when kind
// is not an alarm kind (or, with dashboardOnly, not a dashboard-only kind
// either).
func CheckAlarmKind(kind AlarmKind, dashboardOnly bool) error {
	if _, ok := AlarmKinds[kind]; ok {
		return nil
	}
	if dashboardOnly && DashboardKinds[kind] {
		return nil
	}
	valid := AlarmKindNames()
	if dashboardOnly {
		for k := range DashboardKinds {
			valid = append(valid, string(k))
		}
		sort.Strings(valid)
	}
	return fmt.Errorf("unknown alarm kind %q: use one of %s", kind, strings.Join(valid, ", "))
}
