package datalayer

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elasticache"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/tokens"
)

// Redis is the ElastiCache Redis replication group (`uses: redis`,
// REDIS_URL); Memcached the Memcached cluster (`uses: memcached`,
// MEMCACHED_URL).
const (
	Redis     Store = "redis"
	Memcached Store = "memcached"
)

func init() {
	registerStore(storeKind{store: Redis, order: 30, build: (*DataLayer).newRedis, resourceType: tokens.ElastiCacheReplicationGroup})
	registerStore(storeKind{store: Memcached, order: 40, build: (*DataLayer).newMemcached, resourceType: tokens.ElastiCacheCluster})
}

// cacheSubnets is the ElastiCache subnet group both caches share.
func (d *DataLayer) cacheSubnets(ctx *pulumi.Context) (*elasticache.SubnetGroup, error) {
	if d.cacheSubnetGroup != nil {
		return d.cacheSubnetGroup, nil
	}
	g, err := elasticache.NewSubnetGroup(ctx, "cache", &elasticache.SubnetGroupArgs{
		Description: pulumi.String("ElastiCache in the isolated subnets"),
		SubnetIds:   d.args.Network.IsolatedSubnetIDs,
	}, pulumi.Parent(d))
	d.cacheSubnetGroup = g
	return g, err
}

// newRedis creates the Redis replication group: Multi-AZ with automatic
// failover, encrypted at rest with the layer key and in transit, with a
// generated AUTH token — or, with data.redis.serviceUsers, a user group
// of one user per consumer (cache_users.go). REDIS_URL carries the token
// (or the consumer's user and password), so the whole URL is a Secrets
// Manager secret (a generated value: a Pulumi secret in state).
// With Args.DR it is a Global Datastore member (mode.go): the primary
// on the primary side (redisGlobalPrimary), the secondary — sharing the
// primary's token — on the recovery side (redisSecondary).
func (d *DataLayer) newRedis(ctx *pulumi.Context) error {
	r := d.args.Spec.Redis
	if r == nil {
		return nil
	}
	sg, err := d.newStoreSG(ctx, Redis, config.RedisPort, "Redis: 6379 from connected consumers only")
	if err != nil {
		return err
	}
	subnets, err := d.cacheSubnets(ctx)
	if err != nil {
		return err
	}
	// Automatic failover and Multi-AZ need a replica to promote: a group
	// without one (a recovery stack's Global Datastore secondary on
	// standby, config.StandbyView) runs without them until the failover's
	// scale-up adds the replica.
	failover := r.Replicas > 0
	args := &elasticache.ReplicationGroupArgs{
		Description:              pulumi.Sprintf("%s Redis: %s", d.args.Project, r.Purpose),
		NumCacheClusters:         pulumi.Int(1 + r.Replicas),
		AutomaticFailoverEnabled: pulumi.Bool(failover),
		MultiAzEnabled:           pulumi.Bool(failover),
		KmsKeyId:                 d.key.Arn,
		Port:                     pulumi.Int(config.RedisPort),
		SubnetGroupName:          subnets.Name,
		SecurityGroupIds:         pulumi.StringArray{sg.ID()},
		SnapshotRetentionLimit:   pulumi.Int(r.SnapshotRetentionDays),
		SnapshotWindow:           pulumi.String(r.SnapshotWindow),
		MaintenanceWindow:        pulumi.String(r.MaintenanceWindow),
		// Off for a Global Datastore member: AWS turns it off when the
		// group joins, and asking for true is a diff on every preview and
		// a refused update (policy rule
		// redis-global-member-no-auto-minor-upgrade); the datastore's
		// engineVersion upgrades the members instead (redisGlobalPrimary).
		AutoMinorVersionUpgrade: pulumi.Bool(d.mode == standalone),
		FinalSnapshotIdentifier: pulumi.Sprintf("%s-%s-redis-final", d.args.Project, ctx.Stack()),
	}
	var group *elasticache.ReplicationGroup
	var token pulumi.StringOutput
	switch d.mode {
	case secondary:
		group, token, err = d.redisSecondary(ctx, r, args)
	case globalPrimary:
		group, token, err = d.redisGlobalPrimary(ctx, r, args)
	default:
		group, token, err = d.redisStandalone(ctx, r, args)
	}
	if err != nil {
		return err
	}
	return d.connectRedis(ctx, r, group, token)
}

// redisGroup creates the replication group (protected, plus a mode's
// opts) and watches it.
func (d *DataLayer) redisGroup(ctx *pulumi.Context, r *config.Redis, args *elasticache.ReplicationGroupArgs, opts ...pulumi.ResourceOption) (*elasticache.ReplicationGroup, error) {
	group, err := elasticache.NewReplicationGroup(ctx, "redis", args, append(d.protect(), opts...)...)
	if err != nil {
		return nil, err
	}
	d.watchRedis(group.MemberClusters, 1+r.Replicas)
	return group, nil
}

// redisStandalone is a primary's group: its own engine, version, node
// type, parameters and encryption, and either a user group
// (data.redis.serviceUsers) or a generated AUTH token, which it returns.
// opts are the global primary's additions to the group's options.
func (d *DataLayer) redisStandalone(ctx *pulumi.Context, r *config.Redis, args *elasticache.ReplicationGroupArgs, opts ...pulumi.ResourceOption) (*elasticache.ReplicationGroup, pulumi.StringOutput, error) {
	var token pulumi.StringOutput
	args.Engine = pulumi.String("redis")
	args.EngineVersion = pulumi.String(r.EngineVersion)
	if len(r.Parameters) > 0 {
		pg, err := d.redisParameters(ctx, r)
		if err != nil {
			return nil, token, err
		}
		args.ParameterGroupName = pg.Name
	}
	args.NodeType = pulumi.String(r.NodeType)
	args.AtRestEncryptionEnabled = pulumi.Bool(true)
	args.TransitEncryptionEnabled = pulumi.Bool(true)
	if r.ServiceUsers {
		// One user per consumer in a user group, no AUTH token
		// (cache_users.go). A group switched from the token out of
		// band (docs/security.md "Trust boundaries") keeps the old token in
		// state; ignoring it spares the provider a token update
		// AWS would refuse next to a user group.
		group, err := d.newRedisUsers(ctx, r)
		if err != nil {
			return nil, token, err
		}
		args.UserGroupIds = pulumi.StringArray{group}
		opts = append([]pulumi.ResourceOption{pulumi.IgnoreChanges([]string{"authToken"})}, opts...)
	} else {
		generated, err := random.NewRandomPassword(ctx, "redis-auth-token", &random.RandomPasswordArgs{
			Length:  pulumi.Int(64),
			Special: pulumi.Bool(false), // AUTH tokens exclude / " @ and spaces
		}, pulumi.Parent(d))
		if err != nil {
			return nil, token, err
		}
		token = generated.Result
		args.AuthToken = token
	}
	group, err := d.redisGroup(ctx, r, args, opts...)
	return group, token, err
}

// redisGlobalPrimary is the standalone group made the primary of an
// ElastiCache Global Datastore. Redis holds auction state, locks and
// sessions (seed §3): it is replicated, not rebuilt as a cache.
//
// Constraints followed (ElastiCache User Guide, Global Datastore
// "Prerequisites and limitations"): Redis 5.0.6 or later on M5/R5 or newer
// node types (validateDR rejects others), VPC clusters only (the layer's
// subnet group), encryption at rest and in transit and AUTH are supported
// and are inherited by the secondary; failover across Regions is manual
// (failover-global-replication-group, in the runbook).
func (d *DataLayer) redisGlobalPrimary(ctx *pulumi.Context, r *config.Redis, args *elasticache.ReplicationGroupArgs) (*elasticache.ReplicationGroup, pulumi.StringOutput, error) {
	// Once in a global datastore, the datastore manages the
	// members' engine version: pulumi-aws GlobalReplicationGroup
	// docs, "the member replication groups must have
	// ignore_changes[engineVersion] set, or the provider will
	// always return a diff". Likewise the node type, which members
	// must share (User Guide, Global Datastore "Prerequisites and
	// limitations"): both are set on the datastore below.
	group, token, err := d.redisStandalone(ctx, r, args, pulumi.IgnoreChanges([]string{"engineVersion", "nodeType"}))
	if err != nil {
		return nil, token, err
	}
	d.DR.RedisGroupID = group.ID().ToStringOutput()
	global, err := elasticache.NewGlobalReplicationGroup(ctx, "redis-global", &elasticache.GlobalReplicationGroupArgs{
		GlobalReplicationGroupIdSuffix:    pulumi.Sprintf("%s-redis", d.args.Project),
		GlobalReplicationGroupDescription: pulumi.Sprintf("%s Redis, replicated to %s for disaster recovery", d.args.Project, d.args.DR.Region),
		PrimaryReplicationGroupId:         group.ID(),
		// The datastore owns its members' engine version and node type
		// (the primary ignores both, above): without them here, a change
		// of data.redis.engineVersion or nodeType would reach no node
		// (pulumi-aws GlobalReplicationGroup, "Managing Redis OOS/Valkey
		// Engine Versions"; ModifyGlobalReplicationGroup EngineVersion,
		// CacheNodeType; policy rule redis-global-engine-version).
		EngineVersion: pulumi.String(r.EngineVersion),
		CacheNodeType: pulumi.String(r.NodeType),
	}, d.protect()...)
	if err != nil {
		return nil, token, err
	}
	d.DR.RedisGlobalGroupID = global.GlobalReplicationGroupId
	d.DR.RedisAuthToken = pulumi.ToSecret(token).(pulumi.StringOutput)
	return group, token, nil
}

// redisSecondary is a recovery stack's group: a Global Datastore
// secondary, returning the primary's AUTH token.
//
// It takes engine, version, node type, parameter group, at-rest and
// in-transit encryption and the AUTH token from the global datastore: the
// provider rejects engine, engineVersion, nodeType, parameterGroupName,
// transitEncryptionEnabled/Mode, atRestEncryptionEnabled, snapshotArns/Name
// and numNodeGroups next to globalReplicationGroupId (terraform-provider-aws
// internal/service/elasticache/replication_group.go, ConflictsWith;
// pulumi-aws ReplicationGroupArgs.NodeType "Cannot be set if
// globalReplicationGroupId is set"). kmsKeyId is not among them: the
// secondary is encrypted with this region's layer key. Its node count may
// differ from the primary's (User Guide, "Prerequisites and limitations":
// only the number of primary nodes, node type, engine version and shards
// must match).
func (d *DataLayer) redisSecondary(ctx *pulumi.Context, r *config.Redis, args *elasticache.ReplicationGroupArgs) (*elasticache.ReplicationGroup, pulumi.StringOutput, error) {
	src := d.args.DR.Source
	args.GlobalReplicationGroupId = src.RedisGlobalGroupID
	token := pulumi.ToSecret(src.RedisAuthToken.ToStringOutput()).(pulumi.StringOutput)
	group, err := d.redisGroup(ctx, r, args)
	if err != nil {
		return nil, token, err
	}
	d.DR.RedisGroupID = group.ID().ToStringOutput()
	d.watchRedisGlobal(group.MemberClusters)
	return group, token, nil
}

// connectRedis records the group's endpoint and how consumers reach it:
// with data.redis.serviceUsers each consumer's own REDIS_URL
// (cache_users.go), otherwise one REDIS_URL secret with the AUTH token.
func (d *DataLayer) connectRedis(ctx *pulumi.Context, r *config.Redis, group *elasticache.ReplicationGroup, token pulumi.StringOutput) error {
	d.RedisEndpoint = pulumi.Sprintf("%s:%d", group.PrimaryEndpointAddress, config.RedisPort)
	d.RedisPrimaryEndpoint = group.PrimaryEndpointAddress
	d.RedisReplicationGroupID = group.ID().ToStringOutput()
	if r.ServiceUsers {
		// No shared REDIS_URL: each consumer reads its own (ConnectionAs).
		d.stores[Redis].conn = Connection{Store: Redis, Env: map[string]pulumi.StringOutput{}, Secrets: map[string]SecretRef{}}
		return d.connectRedisUsers(ctx, group.PrimaryEndpointAddress)
	}
	secret, err := secretsmanager.NewSecret(ctx, "redis-url", &secretsmanager.SecretArgs{
		Description:          pulumi.String("REDIS_URL with the AUTH token (generated by Pulumi)"),
		KmsKeyId:             d.key.Arn,
		RecoveryWindowInDays: pulumi.Int(30),
	}, d.protect()...)
	if err != nil {
		return err
	}
	if _, err := secretsmanager.NewSecretVersion(ctx, "redis-url", &secretsmanager.SecretVersionArgs{
		SecretId: secret.ID(),
		SecretString: pulumi.ToSecret(pulumi.Sprintf("rediss://:%s@%s:%d/0",
			token, group.PrimaryEndpointAddress, config.RedisPort)).(pulumi.StringOutput),
	}, pulumi.Parent(d)); err != nil {
		return err
	}
	d.stores[Redis].conn = Connection{
		Store:   Redis,
		Env:     map[string]pulumi.StringOutput{},
		Secrets: map[string]SecretRef{config.RedisURLVariable: {ARN: secret.Arn}},
	}
	d.credentials[Redis] = credential{arn: secret.Arn}
	return nil
}

// newMemcached creates the optional Memcached cluster (TLS in transit; it
// holds no data at rest).
func (d *DataLayer) newMemcached(ctx *pulumi.Context) error {
	m := d.args.Spec.Memcached
	if m == nil {
		return nil
	}
	sg, err := d.newStoreSG(ctx, Memcached, config.MemcachedPort, "Memcached: 11211 from connected consumers only")
	if err != nil {
		return err
	}
	subnets, err := d.cacheSubnets(ctx)
	if err != nil {
		return err
	}
	azMode := "single-az"
	if m.Nodes > 1 {
		azMode = "cross-az"
	}
	cluster, err := elasticache.NewCluster(ctx, "memcached", &elasticache.ClusterArgs{
		Engine:                   pulumi.String("memcached"),
		EngineVersion:            pulumi.String(config.DefaultMemcachedVersion),
		NodeType:                 pulumi.String(m.NodeType),
		NumCacheNodes:            pulumi.Int(m.Nodes),
		AzMode:                   pulumi.String(azMode),
		Port:                     pulumi.Int(config.MemcachedPort),
		SubnetGroupName:          subnets.Name,
		SecurityGroupIds:         pulumi.StringArray{sg.ID()},
		TransitEncryptionEnabled: pulumi.Bool(true),
		AutoMinorVersionUpgrade:  pulumi.String("true"),
	}, pulumi.Parent(d))
	if err != nil {
		return err
	}
	d.stores[Memcached].conn = Connection{
		Store:   Memcached,
		Env:     map[string]pulumi.StringOutput{config.MemcachedURLVariable: cluster.ConfigurationEndpoint},
		Secrets: map[string]SecretRef{},
	}
	d.MemcachedEndpoint = cluster.ConfigurationEndpoint
	return nil
}
