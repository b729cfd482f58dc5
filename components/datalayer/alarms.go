package datalayer

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/config"
)

// backupTags tags a resource for the stack's AWS Backup selection.
func (d *DataLayer) backupTags() pulumi.StringMap {
	if d.args.BackupTag == "" {
		return nil
	}
	return pulumi.StringMap{BackupTagKey: pulumi.String(d.args.BackupTag)}
}

// BackupTagKey is the tag AWS Backup selects resources by.
const BackupTagKey = "backup"

// Alarms are the metrics of every store this layer created: Monitoring
// turns them into alarms and dashboard widgets.
func (d *DataLayer) Alarms() []alarm.Spec {
	out := append([]alarm.Spec(nil), d.alarms...)
	for _, name := range sortedQueueNames(d.queues) {
		q := d.queues[name]
		out = append(out,
			alarm.Spec{Kind: config.AlarmSQSAge, Name: name + "-oldest-message",
				Description: fmt.Sprintf("Messages wait too long in %s: is its consumer running and keeping up?", name),
				Namespace:   "AWS/SQS", Metric: "ApproximateAgeOfOldestMessage", Dimensions: pulumi.StringMap{"QueueName": q.Name},
				Statistic: "Maximum", Period: 300, Comparison: "GreaterThanThreshold"},
			alarm.Spec{Kind: config.AlarmSQSDLQ, Name: name + "-dlq-messages",
				Description: fmt.Sprintf("Messages reached %s-dlq: they failed every retry. Read them, fix the cause, then redrive.", name),
				Namespace:   "AWS/SQS", Metric: "ApproximateNumberOfMessagesVisible", Dimensions: pulumi.StringMap{"QueueName": q.DLQName},
				Statistic: "Maximum", Period: 300, Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
		)
	}
	return out
}

func sortedQueueNames(m map[string]*Queue) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// watchPostgres describes a PostgreSQL instance's metrics; replicas also
// watch their lag against the RPO.
func (d *DataLayer) watchPostgres(name string, id pulumi.StringOutput, replica bool) {
	dims := pulumi.StringMap{"DBInstanceIdentifier": id}
	add := func(kind alarm.Kind, what, metric, stat, cmp, desc string, scale float64) {
		d.alarms = append(d.alarms, alarm.Spec{Kind: kind, Name: name + "-" + what, Description: desc,
			Namespace: "AWS/RDS", Metric: metric, Dimensions: dims, Statistic: stat, Period: 300, Comparison: cmp, Scale: scale})
	}
	add(config.AlarmRDSCPU, "cpu", "CPUUtilization", "Average", "GreaterThanThreshold",
		name+" CPU is high: check Performance Insights for the top SQL, then scale the instance class.", 0)
	add(config.AlarmRDSStorage, "free-storage", "FreeStorageSpace", "Minimum", "LessThanThreshold",
		name+" is running out of storage (threshold in GiB): autoscaling may be at maxAllocatedStorage.", 1<<30)
	// The threshold is a percentage of the instance's max_connections
	// (config.AlarmKinds: 80 %), so it follows the parameter group.
	maxConn := d.args.Spec.Postgres.PostgresMaxConnections()
	add(config.AlarmRDSConnections, "connections", "DatabaseConnections", "Maximum", "GreaterThanThreshold",
		fmt.Sprintf("%s is near max_connections (%d): look for connection leaks, or revisit the connection budget (docs/configuration.md \"Connection budget\").", name, maxConn),
		float64(maxConn)/100)
	add(config.AlarmRDSMemory, "freeable-memory", "FreeableMemory", "Minimum", "LessThanThreshold",
		name+" is short of memory (threshold in MiB): check work_mem and the instance class.", 1<<20)
	if replica {
		add(config.AlarmRDSReplicaLag, "replica-lag", "ReplicaLag", "Maximum", "GreaterThanThreshold",
			name+" lags its primary (seconds); past the RPO its reads are stale and failover would lose data.", 0)
	}
}

// watchDocumentDB describes the cluster's metrics.
func (d *DataLayer) watchDocumentDB(id pulumi.StringOutput) {
	dims := pulumi.StringMap{"DBClusterIdentifier": id}
	d.alarms = append(d.alarms,
		alarm.Spec{Kind: config.AlarmDocDBCPU, Name: "mongo-cpu", Description: "DocumentDB CPU is high: check the profiler log group for slow operations.",
			Namespace: "AWS/DocDB", Metric: "CPUUtilization", Dimensions: dims, Statistic: "Average", Period: 300, Comparison: "GreaterThanThreshold"},
		alarm.Spec{Kind: config.AlarmDocDBMemory, Name: "mongo-freeable-memory", Description: "DocumentDB is short of memory (MiB): check the working set against the instance class.",
			Namespace: "AWS/DocDB", Metric: "FreeableMemory", Dimensions: dims, Statistic: "Minimum", Period: 300, Comparison: "LessThanThreshold", Scale: 1 << 20},
		alarm.Spec{Kind: config.AlarmDocDBReplicaLag, Name: "mongo-replica-lag", Description: "DocumentDB replicas lag the primary (ms): reads from secondaries are stale.",
			Namespace: "AWS/DocDB", Metric: "DBClusterReplicaLagMaximum", Dimensions: dims, Statistic: "Maximum", Period: 300, Comparison: "GreaterThanThreshold"},
	)
}

// watchRedis describes each node's metrics (ElastiCache reports per node).
func (d *DataLayer) watchRedis(members pulumi.StringArrayOutput, nodes int) {
	for i := 0; i < nodes; i++ {
		dims := pulumi.StringMap{"CacheClusterId": members.Index(pulumi.Int(i))}
		node := fmt.Sprintf("redis-%d", i+1)
		d.alarms = append(d.alarms,
			alarm.Spec{Kind: config.AlarmRedisCPU, Name: node + "-engine-cpu", Description: node + " engine CPU is high: look for slow commands (SLOWLOG) and hot keys.",
				Namespace: "AWS/ElastiCache", Metric: "EngineCPUUtilization", Dimensions: dims, Statistic: "Average", Period: 300, Comparison: "GreaterThanThreshold"},
			alarm.Spec{Kind: config.AlarmRedisMemory, Name: node + "-memory", Description: node + " memory is nearly full: evictions of auction state and locks follow.",
				Namespace: "AWS/ElastiCache", Metric: "DatabaseMemoryUsagePercentage", Dimensions: dims, Statistic: "Maximum", Period: 300, Comparison: "GreaterThanThreshold"},
			alarm.Spec{Kind: config.AlarmRedisEvictions, Name: node + "-evictions", Description: node + " is evicting keys: locks and sessions may vanish; scale the node type.",
				Namespace: "AWS/ElastiCache", Metric: "Evictions", Dimensions: dims, Statistic: "Sum", Period: 300, Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
		)
		if i > 0 {
			d.alarms = append(d.alarms, alarm.Spec{Kind: config.AlarmRedisReplication, Name: node + "-replication-lag",
				Description: node + " lags the primary (seconds): a failover now would lose recent writes.",
				Namespace:   "AWS/ElastiCache", Metric: "ReplicationLag", Dimensions: dims, Statistic: "Maximum", Period: 300, Comparison: "GreaterThanThreshold"})
		}
	}
}

// watchOpenSearch describes the domain's health metrics.
func (d *DataLayer) watchOpenSearch(domain pulumi.StringOutput) {
	dims := pulumi.StringMap{"DomainName": domain, "ClientId": d.account}
	add := func(kind alarm.Kind, name, metric, stat, cmp, desc string, scale float64) {
		d.alarms = append(d.alarms, alarm.Spec{Kind: kind, Name: name, Description: desc, Namespace: "AWS/ES",
			Metric: metric, Dimensions: dims, Statistic: stat, Period: 60, Comparison: cmp, Scale: scale})
	}
	add(config.AlarmSearchRed, "search-cluster-red", "ClusterStatus.red", "Maximum", "GreaterThanThreshold",
		"OpenSearch is red: a primary shard is unassigned; searches fail. Check _cluster/allocation/explain.", 0)
	add(config.AlarmSearchYellow, "search-cluster-yellow", "ClusterStatus.yellow", "Maximum", "GreaterThanThreshold",
		"OpenSearch is yellow: replica shards are unassigned; one more node loss loses data.", 0)
	add(config.AlarmSearchStorage, "search-free-storage", "FreeStorageSpace", "Minimum", "LessThanThreshold",
		"OpenSearch data nodes are low on disk (MiB): writes stop at the flood-stage watermark.", 0)
	add(config.AlarmSearchJVM, "search-jvm-pressure", "JVMMemoryPressure", "Maximum", "GreaterThanThreshold",
		"OpenSearch JVM memory pressure is high: expect GC pauses and circuit breakers; check heavy queries.", 0)
}

// watchGlobalLag describes the cross-Region lag of a recovery stack's
// global secondary (DocumentDB or Redis) or of a bucket's replication:
// the alarm pages before the lag reaches the mechanism's RPO (dr.Catalog).
func (d *DataLayer) watchGlobalLag(spec alarm.Spec) {
	d.alarms = append(d.alarms, spec)
}

// watchDocumentDBGlobal: GlobalClusterReplicationLag (ms) of the secondary.
func (d *DataLayer) watchDocumentDBGlobal(id pulumi.StringOutput) {
	d.watchGlobalLag(alarm.Spec{Kind: config.AlarmDocDBGlobalLag, Name: "mongo-global-lag",
		Description: "The DocumentDB secondary lags the global cluster's primary (ms): a failover now would lose more than the RPO allows.",
		Namespace:   "AWS/DocDB", Metric: "GlobalClusterReplicationLag", Dimensions: pulumi.StringMap{"DBClusterIdentifier": id},
		Statistic: "Maximum", Period: 60, Comparison: "GreaterThanThreshold", TreatMissingData: "breaching"})
}

// watchRedisGlobal: GlobalDatastoreReplicationLag (s), reported by the
// secondary group's primary node.
func (d *DataLayer) watchRedisGlobal(members pulumi.StringArrayOutput) {
	d.watchGlobalLag(alarm.Spec{Kind: config.AlarmRedisGlobalLag, Name: "redis-global-lag",
		Description: "The Redis secondary lags the Global Datastore's primary (seconds): a failover now would lose recent auction state.",
		Namespace:   "AWS/ElastiCache", Metric: "GlobalDatastoreReplicationLag", Dimensions: pulumi.StringMap{"CacheClusterId": members.Index(pulumi.Int(0))},
		Statistic: "Maximum", Period: 60, Comparison: "GreaterThanThreshold", TreatMissingData: "breaching"})
}
