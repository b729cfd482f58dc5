// Package datalayer is the DataLayer component: every store of the stack —
// RDS PostgreSQL (+ read replicas), DocumentDB, ElastiCache Redis and
// Memcached, OpenSearch, S3 buckets, the EventBridge bus, SQS queues and the
// SES identity — encrypted with the layer's KMS key, each behind a security
// group that admits nothing until a consumer is connected with AllowFrom.
//
// Consumers never write IAM or security-group rules for a store: they call
// the owner's methods (AllowFrom, Connection, GrantCredentials, Bucket(...).
// GrantReadWrite, Bus().GrantPut, Queue(...).GrantConsume, GrantSendEmail).
//
// Args.DR adds cross-Region recovery (dr*.go): a primary replicates its
// databases and buckets to the DR region; a recovery stack's databases are
// the replicas and its buckets the replica buckets. New decides the mode
// once (mode.go); each store builder calls one function per mode.
package datalayer

import (
	"errors"
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elasticache"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/opensearch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/components/internal/netrule"
	"github.com/dbay/infra/components/internal/outputs"
	"github.com/dbay/infra/components/network"
	"github.com/dbay/infra/components/seal"
	"github.com/dbay/infra/config"
)

const typeToken = "dbay:components:DataLayer"

// Store names a kind of store; it is also how services declare what they
// use. Each kind declares its constant next to its builder and registers
// there (registry.go): Postgres, DocumentDB ("mongo"), Redis, Memcached,
// OpenSearch ("search").
type Store string

// Args configures the data layer.
type Args struct {
	// Spec is the validated `data` config section. Required.
	Spec config.Data
	// Network is where the stores live (isolated subnets). Required.
	Network *network.Network
	// Env is the stack's: Project (names things, "dbay") and Region
	// required, Partition empty: "aws"; Domain (required) is the SES
	// identity and the buckets' CORS origin; Protect marks stateful
	// resources protected (prod: true).
	config.Env
	// BackupTag, when set, tags the databases and data buckets
	// `backup: <BackupTag>`: Monitoring's AWS Backup selection picks them up.
	BackupTag string
	// Passive is a recovery stack on standby: the bus rules feeding its
	// queues are created DISABLED (the primary does the work). false: enabled.
	Passive bool
	// ReportingReplicas are the recovery stack's PostgreSQL read replicas
	// to build now (config dr.reportingReplicas, once active): replicas of
	// the promoted instance. Nil: none.
	ReportingReplicas []string
	// ZoneID is the Route53 hosted zone of Domain; when set, SES DKIM and
	// verification records are created in it. Nil: the records are outputs.
	ZoneID pulumi.StringInput
	// DR configures cross-Region recovery (dr.go). Nil: none (no DR region).
	DR *DR
	// Vault keeps the PostgreSQL and DocumentDB connection secrets
	// (credentials.go): the Secrets component's multi-Region key and
	// replica regions. Nil: the layer key, no replicas.
	Vault *Vault
	// OperatorRole is the IAM role name (security.operatorRole) that alone
	// may assume the OpenSearch administrator role. "": any principal of
	// the account whose policies allow it.
	OperatorRole string
	// PostgresConsumers are the services that get a PostgreSQL role of
	// their own with data.postgres.serviceUsers (config.PostgresConsumers;
	// users.go). Ignored without it.
	PostgresConsumers []string
	// RedisConsumers are the services and functions that get a Redis user
	// of their own with data.redis.serviceUsers (config.RedisConsumers;
	// cache_users.go). Ignored without it.
	RedisConsumers []string
	// DocumentDBConsumers are the services that get a DocumentDB user of
	// their own with data.documentdb.serviceUsers
	// (config.DocumentDBConsumers; users_docdb.go). Ignored without it.
	DocumentDBConsumers []string
}

// DataLayer is the component.
type DataLayer struct {
	pulumi.ResourceState

	// KeyArn is the CMK every store is encrypted with.
	KeyArn pulumi.StringOutput `pulumi:"keyArn"`
	// PostgresEndpoint is the writer's host:port ("" without PostgreSQL).
	PostgresEndpoint pulumi.StringOutput `pulumi:"postgresEndpoint"`
	// ReplicaEndpoints are the read replicas' host:port by purpose.
	ReplicaEndpoints pulumi.StringMapOutput `pulumi:"replicaEndpoints"`
	// Postgres are the writer's names for operators' commands (names.go).
	Postgres PostgresNames
	// RedisEndpoint is the Redis primary endpoint, host:port ("" without Redis).
	RedisEndpoint pulumi.StringOutput `pulumi:"redisEndpoint"`
	// SecurityGroupIDs are each store's security group by store name.
	SecurityGroupIDs pulumi.StringMapOutput `pulumi:"securityGroupIds"`
	// DR is what this side of a DR pair exposes (dr.go): the primary's
	// replication sources, or the recovery side's replicas and secrets,
	// registered as dr* outputs when set.
	DR DROutputs `outputs:"inline"`

	// The outputs below are registered only when the stack has the store
	// (outputs:"optional"); zero otherwise.

	// PostgresSecretArn is the PostgreSQL connection secret;
	// PostgresInstanceID the writer's identifier and PostgresParameterGroup
	// its parameter group's name.
	PostgresSecretArn      pulumi.StringOutput `pulumi:"postgresSecretArn" outputs:"optional"`
	PostgresInstanceID     pulumi.StringOutput `pulumi:"postgresInstanceId" outputs:"optional"`
	PostgresParameterGroup pulumi.StringOutput `pulumi:"postgresParameterGroup" outputs:"optional"`
	// MongoEndpoint is the DocumentDB cluster endpoint (host only),
	// MongoClusterArn its ARN, MongoSecretArn its connection secret.
	MongoEndpoint   pulumi.StringOutput `pulumi:"mongoEndpoint" outputs:"optional"`
	MongoClusterArn pulumi.StringOutput `pulumi:"mongoClusterArn" outputs:"optional"`
	MongoSecretArn  pulumi.StringOutput `pulumi:"mongoSecretArn" outputs:"optional"`
	// RedisPrimaryEndpoint is the Redis primary's host (no port) and
	// RedisReplicationGroupID its replication group.
	RedisPrimaryEndpoint    pulumi.StringOutput `pulumi:"redisPrimaryEndpoint" outputs:"optional"`
	RedisReplicationGroupID pulumi.StringOutput `pulumi:"redisReplicationGroupId" outputs:"optional"`
	// MemcachedEndpoint is the Memcached configuration endpoint, host:port.
	MemcachedEndpoint pulumi.StringOutput `pulumi:"memcachedEndpoint" outputs:"optional"`
	// SearchEndpoint is the OpenSearch domain's endpoint (host),
	// SearchDomainArn its ARN, SearchAdminRoleArn the operators' role.
	SearchEndpoint     pulumi.StringOutput `pulumi:"searchEndpoint" outputs:"optional"`
	SearchDomainArn    pulumi.StringOutput `pulumi:"searchDomainArn" outputs:"optional"`
	SearchAdminRoleArn pulumi.StringOutput `pulumi:"searchAdminRoleArn" outputs:"optional"`
	// LogBucketName is the data buckets' access-log bucket; BucketNames and
	// QueueURLs are the data buckets' names and the queues' URLs by logical
	// name.
	LogBucketName pulumi.StringOutput    `pulumi:"logBucketName" outputs:"optional"`
	BucketNames   pulumi.StringMapOutput `pulumi:"bucketNames" outputs:"optional"`
	QueueURLs     pulumi.StringMapOutput `pulumi:"queueUrls" outputs:"optional"`
	// BusName and BusArn are the EventBridge bus's.
	BusName pulumi.StringOutput `pulumi:"busName" outputs:"optional"`
	BusArn  pulumi.StringOutput `pulumi:"busArn" outputs:"optional"`
	// SESFromEmail is the configured from address, SESIdentityArn the
	// domain identity; SESDkimRecords the DKIM CNAMEs to create by hand
	// (name, type, value), set only without Args.ZoneID; SESSMTPSecretArn
	// and SESSMTPUser the SMTP credentials secret and IAM user, set only
	// with ses.smtpCredentials.
	SESFromEmail     pulumi.StringOutput         `pulumi:"sesFromEmail" outputs:"optional"`
	SESIdentityArn   pulumi.StringOutput         `pulumi:"sesIdentityArn" outputs:"optional"`
	SESDkimRecords   pulumi.StringMapArrayOutput `pulumi:"sesDkimRecords" outputs:"optional"`
	SESSMTPSecretArn pulumi.StringOutput         `pulumi:"sesSmtpSecretArn" outputs:"optional"`
	SESSMTPUser      pulumi.StringOutput         `pulumi:"sesSmtpUser" outputs:"optional"`

	args    *Args
	mode    mode // this layer's side of a DR pair (mode.go), from Args.DR
	account pulumi.StringOutput
	key     *kms.Key
	stores  map[Store]*store
	// credentials are the secrets holding each store's credentials.
	credentials map[Store]credential
	// users are the per-service PostgreSQL roles (users.go), by consumer.
	users map[string]*dbUser
	// redisUsers are the Redis users by consumer (data.redis.serviceUsers),
	// redisPasswords their generated passwords.
	redisUsers     map[string]*redisUser
	redisPasswords map[string]pulumi.StringOutput
	// mongoUsers are the per-service DocumentDB users (users_docdb.go), by consumer.
	mongoUsers       map[string]*mongoUser
	cacheSubnetGroup *elasticache.SubnetGroup
	// searchReaders are the roles granted OpenSearch access (domain policy).
	searchReaders []pulumi.StringOutput
	search        *opensearch.Domain
	// searchAdmin is the operators' role, granted like any consumer.
	searchAdmin iamdoc.Grantee
	sealed      bool
	// monitoring is the PostgreSQL enhanced-monitoring role and its policy:
	// every instance waits for it (instanceOpts).
	monitoring iamdoc.Grantee
	// messaging (messaging.go and the files it calls)
	buckets map[string]*Bucket
	bus     *Bus
	queues  map[string]*Queue
	ses     *SES
	// replicaKey encrypts the replica buckets in the DR region and
	// replicas names them by source bucket (primary side of DR, dr_buckets.go).
	replicaKey *kms.Key
	replicas   pulumi.StringMap
	// replicaLogs is the DR-region access-log bucket the replicas log to.
	replicaLogs *logBucket
	// alarms are the metrics Monitoring watches (alarms.go).
	alarms []alarm.Spec
}

// store is one network-reachable store: its security group, port and
// connection information.
type store struct {
	sg   *ec2.SecurityGroup
	port int
	conn Connection
}

// Connection is how a consumer reaches one store: the plain environment
// variables it sets (never a password) and the variables it takes from
// Secrets Manager.
type Connection struct {
	Store Store
	// Env are plain variables, e.g. ELASTICSEARCH_URL.
	Env map[string]pulumi.StringOutput
	// Secrets are variables injected from Secrets Manager, e.g.
	// DATABASE_URL from the connection secret's "url" key.
	Secrets map[string]SecretRef
}

// SecretRef points at a secret, or at one JSON key of it.
type SecretRef struct {
	ARN pulumi.StringOutput
	// Key is the JSON key inside the secret; "" for the whole value.
	Key string
}

// ValueFrom is the ECS `valueFrom` for the reference: the ARN, or
// "<arn>:<key>::" for a JSON key.
func (s SecretRef) ValueFrom() pulumi.StringOutput {
	if s.Key == "" {
		return s.ARN
	}
	return pulumi.Sprintf("%s:%s::", s.ARN, s.Key)
}

// New creates the data layer.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*DataLayer, error) {
	if args == nil || args.Network == nil || args.Project == "" || args.Region == "" || args.Domain == "" {
		return nil, errors.New("datalayer: Args.Network, Project, Region and Domain are required")
	}
	if args.Partition == "" {
		a := *args // default on a copy: the caller's Args stay as given
		a.Partition = "aws"
		args = &a
	}
	if err := args.validateDR(); err != nil {
		return nil, err
	}
	d := &DataLayer{args: args, mode: modeOf(args.DR), stores: map[Store]*store{}, credentials: map[Store]credential{}, buckets: map[string]*Bucket{}, queues: map[string]*Queue{}}
	if err := outputs.Component(ctx, typeToken, name, d, opts...); err != nil {
		return nil, err
	}
	seal.Track(ctx, fmt.Sprintf("datalayer %q", name), d)
	d.account = iamdoc.Account(ctx, d)
	// The key, every registered store kind in its order (registry.go),
	// then messaging.
	steps := []func(*pulumi.Context) error{d.newKey}
	for _, k := range storeKinds {
		steps = append(steps, func(ctx *pulumi.Context) error { return k.build(d, ctx) })
	}
	steps = append(steps, d.newMessaging)
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	d.KeyArn = d.key.Arn
	sgs := pulumi.StringMap{}
	for _, s := range d.storeNames() {
		sgs[string(s)] = d.stores[s].sg.ID().ToStringOutput()
	}
	d.SecurityGroupIDs = sgs.ToStringMapOutput()
	if !outputs.IsSet(d, "redisEndpoint") {
		d.RedisEndpoint = pulumi.String("").ToStringOutput()
	}
	if !outputs.IsSet(d, "postgresEndpoint") {
		d.PostgresEndpoint = pulumi.String("").ToStringOutput()
		d.ReplicaEndpoints = pulumi.StringMap{}.ToStringMapOutput()
	}
	d.defaultNames()
	return d, outputs.Register(ctx, d)
}

func (d *DataLayer) storeNames() []Store {
	names := make([]Store, 0, len(d.stores))
	for s := range d.stores {
		names = append(names, s)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	return names
}

// Stores lists the stores this layer created.
func (d *DataLayer) Stores() []Store { return d.storeNames() }

// Connection returns how to reach a store. Asking for a store the layer
// does not have is an error.
func (d *DataLayer) Connection(s Store) (Connection, error) {
	st, ok := d.stores[s]
	if !ok {
		return Connection{}, fmt.Errorf("datalayer: no %s store in this stack (have %v)", s, d.storeNames())
	}
	return st.conn, nil
}

// AllowFrom lets traffic from the security group sg (of consumer `name`)
// reach the given stores, each on its own port; with no stores named, every
// store of the layer. Both sides are written: the store's ingress and the
// consumer's egress, so consumers need no default allow-all egress.
func (d *DataLayer) AllowFrom(ctx *pulumi.Context, name string, sg *ec2.SecurityGroup, stores ...Store) error {
	if len(stores) == 0 {
		stores = d.storeNames()
	}
	for _, s := range stores {
		st, ok := d.stores[s]
		if !ok {
			return fmt.Errorf("datalayer: %s cannot be allowed to %s: no such store in this stack (have %v)", name, s, d.storeNames())
		}
		if err := netrule.Allow(ctx, d, fmt.Sprintf("%s-to-%s", name, s), sg, st.sg, st.port, fmt.Sprintf("%s to %s", name, s)); err != nil {
			return err
		}
	}
	return nil
}

// newMessaging creates the buckets, bus, queues and SES identity.
func (d *DataLayer) newMessaging(ctx *pulumi.Context) error {
	return d.buildMessaging(ctx)
}
