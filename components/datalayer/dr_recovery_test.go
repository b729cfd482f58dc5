package datalayer_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/dr"
	"github.com/dbay/infra/internal/mockengine"
)

// sourceOf is what a recovery stack reads from the primary's DR outputs.
func sourceOf(t *testing.T, primary drRun) *datalayer.Source {
	t.Helper()
	str := func(k string) pulumi.StringInput {
		s, ok := primary.out[k].(string)
		if !ok || s == "" {
			t.Fatalf("the primary exported no %s (%v)", k, primary.out)
		}
		return pulumi.String(s)
	}
	buckets, ok := primary.out["ReplicaBuckets"].(map[string]string)
	if !ok {
		t.Fatalf("ReplicaBuckets = %#v", primary.out["ReplicaBuckets"])
	}
	return &datalayer.Source{
		PostgresArn: str("PostgresArn"), MongoGlobalClusterID: str("MongoGlobalClusterID"),
		PostgresUsername: str("PostgresUsername"), PostgresDatabase: str("PostgresDatabase"),
		PostgresPassword: pulumi.ToSecret(str("PostgresPassword")).(pulumi.StringOutput),
		MongoUsername:    str("MongoUsername"), MongoPassword: pulumi.ToSecret(str("MongoPassword")).(pulumi.StringOutput),
		RedisGlobalGroupID: str("RedisGlobalGroupID"), RedisAuthToken: pulumi.ToSecret(str("RedisAuthToken")).(pulumi.StringOutput),
		ReplicaBuckets: pulumi.ToStringMap(buckets), ReplicaBucketKeyArn: str("ReplicaBucketKeyArn"),
	}
}

// runRecovery builds the recovery stack's layer in us-west-2 from src and
// connects a consumer "listing": every connection resolved, credentials
// and both buckets granted.
func runRecovery(t *testing.T, data string, src *datalayer.Source) drRun {
	t.Helper()
	return runLayer(t, "dr", drRegion, data, func(*pulumi.Context) (*datalayer.DR, error) {
		return &datalayer.DR{Source: src}, nil
	}, func(ctx *pulumi.Context, d *datalayer.DataLayer, r *drRun) error {
		g, err := newRole(ctx, "listing")
		if err != nil {
			return err
		}
		for _, s := range []datalayer.Store{datalayer.Postgres, datalayer.DocumentDB, datalayer.Redis} {
			conn, err := d.Connection(s)
			if err != nil {
				return err
			}
			resolved := map[string]string{}
			if err := resolveEnv(ctx, resolved, conn.Env); err != nil {
				return err
			}
			for k, ref := range conn.Secrets {
				v, err := await(ctx, ref.ValueFrom())
				if err != nil {
					return err
				}
				resolved["secret:"+k], _ = v.(string)
			}
			r.conns[s] = resolved
		}
		if _, err := d.GrantCredentials(ctx, g, datalayer.Postgres, datalayer.DocumentDB, datalayer.Redis); err != nil {
			return err
		}
		for _, name := range []string{"listing-images", "uploads"} {
			b, err := d.Bucket(name)
			if err != nil {
				return err
			}
			if _, err := b.GrantReadWrite(ctx, g); err != nil {
				return err
			}
			v, err := await(ctx, b.Env()["AWS_S3_BUCKET_NAME"])
			if err != nil {
				return err
			}
			r.conns[datalayer.Store("bucket:"+name)] = map[string]string{"AWS_S3_BUCKET_NAME": v.(string)}
		}
		return nil
	})
}

// The recovery stack replicates each database from what the primary
// exported, with its own key and its own credentials, and adopts the
// replica buckets instead of creating buckets.
func TestDRRecovery(t *testing.T) {
	t.Parallel()
	primary := runPrimary(t, true)
	src := sourceOf(t, primary)
	r := runRecovery(t, drData, src)
	if r.err != nil {
		t.Fatal(r.err)
	}
	key := r.one(t, "aws:kms/key:Key", "data-key")
	keyArn := key.Out()["arn"].(string)
	if key.Region != drRegion {
		t.Fatalf("DR layer key in %s", key.Region)
	}
	pgArn := primary.out["PostgresArn"].(string)
	pg := r.one(t, "aws:rds/instance:Instance", "postgres")
	backups := r.one(t, "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "postgres-backups")
	mongo := r.one(t, "aws:docdb/cluster:Cluster", "mongo")
	redis := r.one(t, "aws:elasticache/replicationGroup:ReplicationGroup", "redis")
	pgSecret := r.one(t, "aws:secretsmanager/secret:Secret", "postgres-credentials")
	mongoSecret := r.one(t, "aws:secretsmanager/secret:Secret", "mongo-credentials")
	tests := []struct {
		what      string
		res       *mockengine.Resource
		want      map[string]any
		forbidden []string
	}{
		{"postgres replica", pg, map[string]any{
			"replicateSourceDb": pgArn, "kmsKeyId": keyArn, "storageEncrypted": true, "multiAz": true,
			"backupRetentionPeriod": 30.0, "deletionProtection": true, "skipFinalSnapshot": false,
			"finalSnapshotIdentifier": "dbay-dr-postgres-final", "performanceInsightsEnabled": true, "performanceInsightsKmsKeyId": keyArn,
			"iamDatabaseAuthenticationEnabled": true, "enabledCloudwatchLogsExports": []any{"postgresql", "upgrade"},
			"dbSubnetGroupName":  r.one(t, "aws:rds/subnetGroup:SubnetGroup", "postgres").Out()["name"],
			"parameterGroupName": r.one(t, "aws:rds/parameterGroup:ParameterGroup", "postgres").Out()["name"],
		}, []string{"username", "password", "dbName", "manageMasterUserPassword", "engine"}},
		{"automated backups replication", backups, map[string]any{
			"sourceDbInstanceArn": pgArn, "retentionPeriod": 30.0, "kmsKeyId": keyArn,
		}, nil},
		{"documentdb secondary", mongo, map[string]any{
			"globalClusterIdentifier": "dbay-prod-mongo", "storageEncrypted": true, "kmsKeyId": keyArn, "deletionProtection": true,
			"skipFinalSnapshot": false, "engine": "docdb", "enabledCloudwatchLogsExports": []any{"audit", "profiler"},
		}, []string{"masterUsername", "masterPassword", "manageMasterUserPassword"}},
		{"redis secondary", redis, map[string]any{
			"globalReplicationGroupId": primary.out["RedisGlobalGroupID"], "kmsKeyId": keyArn, "numCacheClusters": 2.0,
			"automaticFailoverEnabled": true, "multiAzEnabled": true,
		}, []string{"nodeType", "engine", "engineVersion", "parameterGroupName", "authToken", "transitEncryptionEnabled", "atRestEncryptionEnabled", "numNodeGroups"}},
		{"postgres credentials", pgSecret, map[string]any{"kmsKeyId": keyArn, "recoveryWindowInDays": 30.0}, nil},
		{"postgres credentials value", r.one(t, "aws:secretsmanager/secretVersion:SecretVersion", "postgres-credentials"),
			map[string]any{"secretId": pgSecret.ID, "secretString": mockengine.Redacted}, nil},
		{"redis url", r.one(t, "aws:secretsmanager/secretVersion:SecretVersion", "redis-url"), map[string]any{"secretString": mockengine.Redacted}, nil},
	}
	for _, tt := range tests {
		in := tt.res.In()
		for k, v := range tt.want {
			if !reflect.DeepEqual(in[k], v) {
				t.Errorf("%s %s = %v, want %v", tt.what, k, in[k], v)
			}
		}
		for _, k := range tt.forbidden {
			if v, has := in[k]; has {
				t.Errorf("%s sets %s = %v: the primary's value is inherited", tt.what, k, v)
			}
		}
		if tt.res.Region != drRegion || (tt.res.Type != "aws:secretsmanager/secretVersion:SecretVersion" && !tt.res.Options.Protect) {
			t.Errorf("%s: region %s protect %v", tt.what, tt.res.Region, tt.res.Options.Protect)
		}
	}
	// The connection secrets name this region's endpoints with the
	// primary's credentials, which the replica and the secondary inherit:
	// nothing to set on promotion.
	for _, c := range []struct {
		store string
		want  datalayer.ConnectionSecret
	}{
		{"postgres", datalayer.PostgresSecret(pg.Out()["address"].(string), 5432, "dbay_admin", primary.out["PostgresPassword"].(string), "dbay")},
		{"mongo", datalayer.MongoSecret(mongo.Out()["endpoint"].(string), 27017, "dbay_admin", primary.out["MongoPassword"].(string))},
	} {
		v := r.one(t, "aws:secretsmanager/secretVersion:SecretVersion", c.store+"-credentials").Inputs["secretString"]
		want, _ := c.want.JSON()
		if !v.IsSecret() || v.SecretValue().Element.StringValue() != want || !strings.Contains(want, "."+drRegion+".") {
			t.Errorf("%s connection secret = %v, want %s", c.store, v, want)
		}
	}
	if n := len(r.eng.ByType("aws:docdb/clusterInstance:ClusterInstance")); n != 3 {
		t.Errorf("docdb secondary has %d instances, want 3", n)
	}
	for _, typ := range []string{"aws:docdb/globalCluster:GlobalCluster", "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup",
		"aws:s3/bucketReplicationConfig:BucketReplicationConfig", "random:index/randomPassword:RandomPassword"} {
		for _, res := range r.eng.ByType(typ) {
			t.Errorf("the recovery stack created %s %s: its credentials are the primary's", typ, res.Name)
		}
	}

	// Connections: the same variables as on the primary, from the DR secrets.
	if want := pgSecret.Out()["arn"].(string) + ":url::"; !reflect.DeepEqual(r.conns[datalayer.Postgres], map[string]string{"secret:DATABASE_URL": want}) {
		t.Errorf("postgres connection = %v, want DATABASE_URL from %s", r.conns[datalayer.Postgres], want)
	}
	if want := mongoSecret.Out()["arn"].(string) + ":url::"; !reflect.DeepEqual(r.conns[datalayer.DocumentDB], map[string]string{"secret:MONGO_URI": want}) {
		t.Errorf("mongo connection = %v, want MONGO_URI from %s", r.conns[datalayer.DocumentDB], want)
	}
	redisURL := r.one(t, "aws:secretsmanager/secret:Secret", "redis-url").Out()["arn"].(string)
	if r.conns[datalayer.Redis]["secret:REDIS_URL"] != redisURL {
		t.Errorf("REDIS_URL = %v", r.conns[datalayer.Redis])
	}
	creds := statements(t, r.one(t, tPolicy, "listing-store-credentials").In()["policy"])[0]
	if want := sorted(pgSecret.Out()["arn"].(string), mongoSecret.Out()["arn"].(string), redisURL); !reflect.DeepEqual(list(creds.Resource), want) {
		t.Errorf("credential grant = %v, want %v", list(creds.Resource), want)
	}

	// Buckets: adopted, not created; grants name the replicas and their key.
	if bs := r.eng.ByType(tBucket); len(bs) != 0 {
		t.Errorf("the recovery stack created %d buckets (%s...)", len(bs), bs[0].Name)
	}
	replicaKey := primary.out["ReplicaBucketKeyArn"].(string)
	for name, replica := range primary.out["ReplicaBuckets"].(map[string]string) {
		if got := r.conns[datalayer.Store("bucket:"+name)]["AWS_S3_BUCKET_NAME"]; got != replica {
			t.Errorf("%s env = %s, want the replica %s", name, got, replica)
		}
		arn := "arn:aws:s3:::" + replica
		st := granted(t, messagingRun{eng: r.eng}, "listing-"+name+"-readwrite", r.one(t, "aws:iam/role:Role", "listing"))
		if len(st) != 3 || !reflect.DeepEqual(list(st[0].Resource), []string{arn + "/*"}) || !reflect.DeepEqual(list(st[1].Resource), []string{arn}) ||
			!reflect.DeepEqual(list(st[2].Resource), []string{replicaKey}) ||
			!reflect.DeepEqual(st[2].Condition, map[string]map[string]any{"StringEquals": {"kms:ViaService": "s3.us-west-2.amazonaws.com"}}) {
			t.Errorf("%s grant = %+v", name, st)
		}
	}

	wantOut := map[string]any{
		"PostgresIdentifier": pg.Out()["identifier"],
		"MongoClusterID":     mongo.Out()["clusterIdentifier"], "RedisGroupID": redis.ID,
		// Both sides: this side's own members (the runbook's failover and failback targets).
		"PostgresArn": pg.Out()["arn"], "PostgresSubnetGroup": r.one(t, "aws:rds/subnetGroup:SubnetGroup", "postgres").Out()["name"],
		"MongoClusterArn": mongo.Out()["arn"],
	}
	if !reflect.DeepEqual(r.out, wantOut) {
		t.Errorf("recovery DR outputs = %v\nwant %v", r.out, wantOut)
	}
}

// drResources adapts a run's records to what dr.Assess reads.
func drResources(eng *mockengine.Engine) []dr.Resource {
	var out []dr.Resource
	for _, r := range eng.Resources() {
		if !r.Custom || strings.HasPrefix(r.Type, "pulumi:providers:") {
			continue
		}
		out = append(out, dr.Resource{Type: r.Type, Name: r.Name, Region: r.Region, Inputs: r.Inputs.Mappable(), Outputs: r.Outputs.Mappable()})
	}
	return out
}

// The DR assessment, over a primary and a recovery run, finds a mechanism
// meeting the policy for every database and data bucket; without the
// primary's DR side the buckets and global databases are missing.
func TestDRAssessment(t *testing.T) {
	t.Parallel()
	primary := runPrimary(t, true)
	recovery := runRecovery(t, drData, sourceOf(t, primary))
	if recovery.err != nil {
		t.Fatal(recovery.err)
	}
	plain := runPrimary(t, false)
	if plain.err != nil {
		t.Fatal(plain.err)
	}
	type row struct{ status, mechanisms string }
	rows := func(p drRun) map[string]row {
		rep := dr.Assess(dr.Default, drRegion, drResources(p.eng), drResources(recovery.eng), nil)
		out := map[string]row{}
		for _, r := range rep.Rows {
			switch r.Kind {
			case dr.Postgres, dr.DocumentDB, dr.Redis, dr.Bucket:
				out[string(r.Kind)+" "+r.Resource] = row{r.Status, strings.Join(r.Mechanisms, ",")}
			}
		}
		return out
	}
	tests := []struct {
		name string
		run  drRun
		want map[string]row
	}{
		{"primary with DR", primary, map[string]row{
			"postgres postgres":     {dr.StatusMeets, "rds-cross-region-replica,rds-backup-replication"},
			"documentdb mongo":      {dr.StatusMeets, "docdb-global-secondary"},
			"redis redis":           {dr.StatusMeets, "redis-global-datastore"},
			"bucket listing-images": {dr.StatusMeets, "s3-crr-rtc"},
			"bucket uploads":        {dr.StatusMeets, "s3-crr-rtc"},
			"bucket access-logs":    {dr.StatusExempt, ""},
			// The replicas' access-log bucket is logs too.
			"bucket replica-access-logs": {dr.StatusExempt, ""},
		}},
		{"primary without DR", plain, map[string]row{
			"postgres postgres":     {dr.StatusMeets, "rds-cross-region-replica,rds-backup-replication"}, // same instance ARN
			"documentdb mongo":      {dr.StatusMissing, ""},
			"redis redis":           {dr.StatusMissing, ""},
			"bucket listing-images": {dr.StatusMissing, ""},
			"bucket uploads":        {dr.StatusMissing, ""},
			"bucket access-logs":    {dr.StatusExempt, ""},
		}},
	}
	for _, tt := range tests {
		if got := rows(tt.run); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: rows\n got %v\nwant %v", tt.name, got, tt.want)
		}
	}
}

// Args.DR is checked before anything is registered; each error names what
// to change.
func TestDRArgsErrors(t *testing.T) {
	t.Parallel()
	recovery := func(*pulumi.Context) (*datalayer.DR, error) {
		return &datalayer.DR{Source: &datalayer.Source{
			PostgresArn: pulumi.String("arn:aws:rds:us-east-1:123456789012:db:postgres-1"), RedisGlobalGroupID: pulumi.String("ldgnf-dbay-redis"),
			RedisAuthToken: pulumi.String("t"), MongoGlobalClusterID: pulumi.String("dbay-prod-mongo"),
		}}, nil
	}
	tests := []struct {
		name, region, data string
		mkDR               func(*pulumi.Context) (*datalayer.DR, error)
		want               string
	}{
		{"read replicas in recovery", drRegion, `{"postgres":{"readReplicas":["dashboards"]}}`, recovery,
			"datalayer: data.postgres.readReplicas: [dashboards] not supported in a recovery stack"},
		{"burstable redis", primaryRegion, `{"redis":{"nodeType":"cache.t4g.medium"}}`, withDR,
			`data.redis.nodeType: "cache.t4g.medium" cannot join an ElastiCache Global Datastore`},
		{"burstable redis in recovery", drRegion, `{"redis":{"nodeType":"cache.t3.small"}}`, recovery, `data.redis.nodeType: "cache.t3.small"`},
		{"burstable documentdb", primaryRegion, `{"documentdb":{"instanceClass":"db.t4g.medium"}}`, withDR,
			`data.documentdb.instanceClass: "db.t4g.medium" cannot be in a DocumentDB global cluster`},
		{"primary without provider", primaryRegion, `{}`, func(*pulumi.Context) (*datalayer.DR, error) { return &datalayer.DR{Region: drRegion}, nil },
			"Args.DR.Region and Args.DR.Provider are required"},
		{"DR region is the stack's", primaryRegion, `{}`, func(ctx *pulumi.Context) (*datalayer.DR, error) {
			d, err := withDR(ctx)
			d.Region = primaryRegion
			return d, err
		}, `Args.DR.Region "us-east-1" must differ`},
		{"replica name too long", primaryRegion, `{"buckets":{"b":{"name":"` + strings.Repeat("a", 55) + `"}}}`, withDR,
			"data.buckets.b.name: the replica"},
		{"recovery without its sources", drRegion, `{"buckets":{"b":{}}}`, recovery, "Args.DR.Source.ReplicaBuckets and ReplicaBucketKeyArn are required"},
	}
	for _, tt := range tests {
		stack := map[string]string{primaryRegion: "prod", drRegion: "dr"}[tt.region]
		r := runLayer(t, stack, tt.region, tt.data, tt.mkDR, nil)
		if r.err == nil || !strings.Contains(r.err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, r.err, tt.want)
		}
		if n := len(r.eng.ByType(component)); n != 0 {
			t.Errorf("%s: the layer was registered before the error", tt.name)
		}
	}
}
