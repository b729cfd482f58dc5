package datalayer

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elasticache"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
)

// redisParameters is the custom parameter group of data.redis.parameters,
// in the engine version's family (config.RedisFamily). A stack whose Redis
// holds job queues sets maxmemory-policy noeviction: with ElastiCache's
// default volatile-lru, Redis evicts keys that carry a TTL under memory
// pressure, and a queue library's keys (BullMQ's job locks and delayed
// jobs) then vanish (https://docs.bullmq.io/guide/going-to-production).
//
// Only the primary side sets it: a Global Datastore secondary takes its
// parameter group from the global datastore (pulumi-aws
// ReplicationGroupArgs.ParameterGroupName "Cannot be set if
// globalReplicationGroupId is set"). parameterGroupName is updated in
// place on a replication group (ModifyReplicationGroup
// CacheParameterGroupName; terraform-provider-aws replication_group.go
// does not mark it ForceNew), so adding parameters to a deployed stack
// does not replace its Redis.
func (d *DataLayer) redisParameters(ctx *pulumi.Context, r *config.Redis) (*elasticache.ParameterGroup, error) {
	var params elasticache.ParameterGroupParameterArray
	for _, k := range sortedKeys(r.Parameters) {
		params = append(params, elasticache.ParameterGroupParameterArgs{Name: pulumi.String(k), Value: pulumi.String(r.Parameters[k])})
	}
	return elasticache.NewParameterGroup(ctx, "redis", &elasticache.ParameterGroupArgs{
		Family:      pulumi.String(config.RedisFamily(r.EngineVersion)),
		Description: pulumi.Sprintf("%s Redis %s: %s", d.args.Project, config.RedisFamily(r.EngineVersion), r.Purpose),
		Parameters:  params,
	}, pulumi.Parent(d))
}
