package datalayer

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/components/network"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

// dbayStores is DBay's store set (seed §3): one PostgreSQL shared by the
// Django services, DocumentDB, Redis, OpenSearch and the optional Memcached.
const dbayStores = `{"postgres":{},"documentdb":{},"redis":{},"memcached":{},"opensearch":{}}`

// dhanamStores is Dhanam's: db.r5.large, 100 GB, two read replicas, Redis.
const dhanamStores = `{"postgres":{"instanceClass":"db.r5.large","allocatedStorage":100,"readReplicas":["dashboards","analytics"]},"redis":{}}`

func loadSpec(t *testing.T, data string) (config.Network, config.Data) {
	t.Helper()
	cfg, err := config.Load(config.Source{Project: "dbay", Stack: "prod", Values: map[string]string{
		"aws:region": "us-east-1", "dbay:role": "primary", "dbay:environment": "production", "dbay:domain": "dbay.example.com",
		"dbay:tags": `{"owner":"o","cost-center":"c"}`, "dbay:network": `{"cidr":"10.0.0.0/16"}`, "dbay:data": data,
	}})
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Network, cfg.Data
}

type storeRun struct {
	eng   *mockengine.Engine
	conns map[Store]map[string]string // resolved Env and secret valueFrom per store
	err   error
}

// runStores builds the layer, connects a consumer "listing" to every store,
// grants it credentials and search, then seals.
func runStores(t *testing.T, data string, protect bool) storeRun {
	t.Helper()
	netSpec, dataSpec := loadSpec(t, data)
	eng := mockengine.ForTest(t, "dbay", "prod", "us-east-1")
	conns := map[Store]map[string]string{}
	err := eng.Run(func(ctx *pulumi.Context) error {
		p, net, err := testNetwork(ctx, netSpec)
		if err != nil {
			return err
		}
		d, err := New(ctx, "data", &Args{Env: config.Env{Project: "dbay", Region: "us-east-1", Partition: "aws", Domain: "dbay.example.com", Protect: protect}, Spec: dataSpec, Network: net}, pulumi.Providers(p))
		if err != nil {
			return err
		}
		sg, err := ec2.NewSecurityGroup(ctx, "listing", &ec2.SecurityGroupArgs{VpcId: net.VpcID}, pulumi.Provider(p))
		if err != nil {
			return err
		}
		role, err := iam.NewRole(ctx, "listing", &iam.RoleArgs{AssumeRolePolicy: pulumi.String("{}")}, pulumi.Provider(p))
		if err != nil {
			return err
		}
		if err := d.AllowFrom(ctx, "listing", sg); err != nil {
			return err
		}
		g := iamdoc.NewGrantee("listing", role)
		var creds []Store
		for _, s := range d.Stores() {
			conn, err := d.Connection(s)
			if err != nil {
				return err
			}
			resolved := map[string]string{}
			for k, v := range conn.Env {
				r, _ := internals.UnsafeAwaitOutput(ctx.Context(), v)
				resolved[k], _ = r.Value.(string)
			}
			for k, ref := range conn.Secrets {
				r, _ := internals.UnsafeAwaitOutput(ctx.Context(), ref.ValueFrom())
				resolved["secret:"+k], _ = r.Value.(string)
			}
			conns[s] = resolved
			if len(conn.Secrets) > 0 {
				creds = append(creds, s)
			}
		}
		if len(creds) > 0 {
			if _, err := d.GrantCredentials(ctx, g, creds...); err != nil {
				return err
			}
		}
		if d.search != nil {
			if _, err := d.GrantSearch(ctx, g); err != nil {
				return err
			}
		}
		return d.Seal(ctx)
	})
	return storeRun{eng: eng, conns: conns, err: err}
}

func (r storeRun) in(t *testing.T, typ, name string) map[string]any {
	t.Helper()
	res := r.eng.Get(typ, name)
	if res == nil {
		t.Fatalf("no %s %q", typ, name)
	}
	return res.In()
}

func TestPostgresDBayDefaults(t *testing.T) {
	t.Parallel()
	r := runStores(t, dbayStores, true)
	if r.err != nil {
		t.Fatal(r.err)
	}
	db := r.eng.Get("aws:rds/instance:Instance", "postgres")
	in := db.In()
	key := r.eng.Get("aws:kms/key:Key", "data-key").Out()["arn"]
	want := map[string]any{
		"engine": "postgres", "engineVersion": "16", "instanceClass": "db.r6g.large",
		"allocatedStorage": 100.0, "maxAllocatedStorage": 500.0, "storageType": "gp3", "multiAz": true,
		"storageEncrypted": true, "kmsKeyId": key, "deletionProtection": true, "skipFinalSnapshot": false,
		"finalSnapshotIdentifier": "dbay-prod-postgres-final", "backupRetentionPeriod": 30.0,
		"backupWindow": "03:00-04:00", "maintenanceWindow": "sun:05:00-sun:06:00", "copyTagsToSnapshot": true,
		"performanceInsightsEnabled": true, "performanceInsightsKmsKeyId": key, "performanceInsightsRetentionPeriod": 7.0,
		"monitoringInterval": 60.0, "enabledCloudwatchLogsExports": []any{"postgresql", "upgrade"},
		"iamDatabaseAuthenticationEnabled": true, "password": mockengine.Redacted,
		"publiclyAccessible": false, "dbName": "dbay", "username": "dbay_admin", "deleteAutomatedBackups": false,
	}
	for k, v := range want {
		if !reflect.DeepEqual(in[k], v) {
			t.Errorf("postgres %s = %v, want %v", k, in[k], v)
		}
	}
	// The generated master password (a Pulumi secret), not an RDS-managed
	// one: AWS refuses read replicas of a managed-password source.
	for _, k := range []string{"manageMasterUserPassword", "masterUserSecretKmsKeyId"} {
		if v, has := in[k]; has {
			t.Errorf("postgres sets %s = %v", k, v)
		}
	}
	if got, want := db.Inputs["password"], r.eng.Get("random:index/randomPassword:RandomPassword", "postgres-master-password").Outputs["result"]; !got.IsSecret() || !got.DeepEquals(want) {
		t.Errorf("postgres password = %v, want the generated master password %v", got, want)
	}
	if !db.Options.Protect {
		t.Error("postgres is not protected")
	}
	if in["monitoringRoleArn"] != r.eng.Get("aws:iam/role:Role", "postgres-monitoring").Out()["arn"] {
		t.Errorf("monitoring role = %v", in["monitoringRoleArn"])
	}
	subnets := r.in(t, "aws:rds/subnetGroup:SubnetGroup", "postgres")
	iso := r.eng.Get("awsx:ec2:Vpc", "vpc").Out()["isolatedSubnetIds"]
	if !reflect.DeepEqual(subnets["subnetIds"], iso) || in["dbSubnetGroupName"] != r.eng.Get("aws:rds/subnetGroup:SubnetGroup", "postgres").Out()["name"] {
		t.Errorf("postgres is not in the isolated subnets: %v vs %v", subnets["subnetIds"], iso)
	}
}

// Dhanam "Database Optimization": the parameter values in RDS units, and
// two read replicas for dashboards and analytics.
func TestPostgresDhanamParametersAndReplicas(t *testing.T) {
	t.Parallel()
	r := runStores(t, dhanamStores, true)
	if r.err != nil {
		t.Fatal(r.err)
	}
	pg := r.in(t, "aws:rds/parameterGroup:ParameterGroup", "postgres")
	if pg["family"] != "postgres16" {
		t.Errorf("family = %v", pg["family"])
	}
	got := map[string][2]string{}
	for _, p := range pg["parameters"].([]any) {
		m := p.(map[string]any)
		got[m["name"].(string)] = [2]string{m["value"].(string), m["applyMethod"].(string)}
	}
	want := map[string][2]string{
		"max_connections": {"100", "pending-reboot"}, "shared_buffers": {"32768", "pending-reboot"},
		"effective_cache_size": {"131072", "immediate"}, "work_mem": {"4096", "immediate"}, "rds.force_ssl": {"1", "immediate"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parameters\n got %v\nwant %v", got, want)
	}
	primary := r.eng.Get("aws:rds/instance:Instance", "postgres")
	if primary.In()["instanceClass"] != "db.r5.large" || primary.In()["allocatedStorage"] != 100.0 {
		t.Errorf("dhanam primary = %v", primary.In())
	}
	for _, name := range []string{"dashboards", "analytics"} {
		rep := r.eng.Get("aws:rds/instance:Instance", "postgres-"+name)
		if rep == nil {
			t.Fatalf("no %s replica", name)
		}
		in := rep.In()
		if in["replicateSourceDb"] != primary.Out()["identifier"] || in["storageEncrypted"] != true || in["instanceClass"] != "db.r5.large" ||
			in["parameterGroupName"] != primary.In()["parameterGroupName"] || in["performanceInsightsEnabled"] != true || !rep.Options.Protect {
			t.Errorf("replica %s = %v", name, in)
		}
	}
	if r.eng.Get("aws:docdb/cluster:Cluster", "mongo") != nil || r.eng.Get("aws:opensearch/domain:Domain", "search") != nil {
		t.Error("the Dhanam shape must not create DocumentDB or OpenSearch")
	}
}

func TestDocumentDB(t *testing.T) {
	t.Parallel()
	r := runStores(t, dbayStores, true)
	if r.err != nil {
		t.Fatal(r.err)
	}
	params := r.in(t, "aws:docdb/clusterParameterGroup:ClusterParameterGroup", "mongo")
	var names []string
	for _, p := range params["parameters"].([]any) {
		m := p.(map[string]any)
		names = append(names, m["name"].(string)+"="+m["value"].(string))
	}
	if !reflect.DeepEqual(names, []string{"audit_logs=enabled", "tls=enabled"}) {
		t.Errorf("docdb parameters = %v", names)
	}
	cluster := r.eng.Get("aws:docdb/cluster:Cluster", "mongo")
	in := cluster.In()
	for k, v := range map[string]any{
		"storageEncrypted": true, "masterPassword": mockengine.Redacted, "applyImmediately": true, "backupRetentionPeriod": 30.0,
		"preferredBackupWindow": "03:00-04:00", "deletionProtection": true, "skipFinalSnapshot": false,
		"enabledCloudwatchLogsExports": []any{"audit", "profiler"}, "masterUsername": "dbay_admin",
	} {
		if !reflect.DeepEqual(in[k], v) {
			t.Errorf("docdb %s = %v, want %v", k, in[k], v)
		}
	}
	if !cluster.Options.Protect {
		t.Error("docdb cluster is not protected")
	}
	if v, has := in["manageMasterUserPassword"]; has {
		t.Errorf("docdb sets manageMasterUserPassword = %v: not supported in a global cluster", v)
	}
	if n := len(r.eng.ByType("aws:docdb/clusterInstance:ClusterInstance")); n != 3 {
		t.Errorf("docdb instances = %d, want 3", n)
	}
}

func TestRedisAndMemcached(t *testing.T) {
	t.Parallel()
	r := runStores(t, dbayStores, true)
	if r.err != nil {
		t.Fatal(r.err)
	}
	redis := r.eng.Get("aws:elasticache/replicationGroup:ReplicationGroup", "redis")
	in := redis.In()
	for k, v := range map[string]any{
		"numCacheClusters": 2.0, "automaticFailoverEnabled": true, "multiAzEnabled": true, "atRestEncryptionEnabled": true,
		"transitEncryptionEnabled": true, "authToken": mockengine.Redacted, "port": 6379.0, "snapshotRetentionLimit": 7.0,
		"kmsKeyId": r.eng.Get("aws:kms/key:Key", "data-key").Out()["arn"],
	} {
		if !reflect.DeepEqual(in[k], v) {
			t.Errorf("redis %s = %v, want %v", k, in[k], v)
		}
	}
	if !redis.Options.Protect {
		t.Error("redis is not protected")
	}
	if v := r.in(t, "aws:secretsmanager/secretVersion:SecretVersion", "redis-url")["secretString"]; v != mockengine.Redacted {
		t.Errorf("REDIS_URL secret value rendered as %v", v)
	}
	mc := r.in(t, "aws:elasticache/cluster:Cluster", "memcached")
	if mc["engine"] != "memcached" || mc["numCacheNodes"] != 2.0 || mc["azMode"] != "cross-az" || mc["transitEncryptionEnabled"] != true {
		t.Errorf("memcached = %v", mc)
	}
}

// Each store has its own security group that admits nothing but what
// AllowFrom opened, on the store's own port, with the matching egress.
func TestSecurityGroupsAndAllowFrom(t *testing.T) {
	t.Parallel()
	r := runStores(t, dbayStores, true)
	if r.err != nil {
		t.Fatal(r.err)
	}
	listing := r.eng.Get("aws:ec2/securityGroup:SecurityGroup", "listing").ID
	ports := map[string]float64{"postgres": 5432, "mongo": 27017, "redis": 6379, "memcached": 11211, "search": 443}
	for store, port := range ports {
		sg := r.eng.Get("aws:ec2/securityGroup:SecurityGroup", store)
		if sg == nil {
			t.Fatalf("no security group for %s", store)
		}
		if _, has := sg.In()["ingress"]; has {
			t.Errorf("%s SG has inline ingress", store)
		}
		in := r.in(t, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "listing-to-"+store+"-in")
		if in["securityGroupId"] != sg.ID || in["referencedSecurityGroupId"] != listing || in["fromPort"] != port || in["toPort"] != port || in["ipProtocol"] != "tcp" {
			t.Errorf("%s ingress = %v", store, in)
		}
		out := r.in(t, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "listing-to-"+store+"-out")
		if out["securityGroupId"] != listing || out["referencedSecurityGroupId"] != sg.ID || out["fromPort"] != port {
			t.Errorf("%s egress = %v", store, out)
		}
	}
	if n := len(r.eng.ByType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")); n != len(ports) {
		t.Errorf("%d ingress rules, want one per store", n)
	}
}

// The connection values turn into the seed's variables without a password
// in plain env; credentials come from Secrets Manager.
func TestConnections(t *testing.T) {
	t.Parallel()
	r := runStores(t, dbayStores, true)
	if r.err != nil {
		t.Fatal(r.err)
	}
	// DATABASE_URL and MONGO_URI: the url key of the program's connection
	// secrets, the only variable each store sets.
	for s, want := range map[Store]map[string]string{
		Postgres:   {"secret:DATABASE_URL": r.eng.Get("aws:secretsmanager/secret:Secret", "postgres-credentials").Out()["arn"].(string) + ":url::"},
		DocumentDB: {"secret:MONGO_URI": r.eng.Get("aws:secretsmanager/secret:Secret", "mongo-credentials").Out()["arn"].(string) + ":url::"},
	} {
		if !reflect.DeepEqual(r.conns[s], want) {
			t.Errorf("%s connection = %v, want %v", s, r.conns[s], want)
		}
	}
	if !strings.HasPrefix(r.conns[Redis]["secret:REDIS_URL"], "arn:aws:secretsmanager:us-east-1:123456789012:secret:redis-url") {
		t.Errorf("REDIS_URL = %v", r.conns[Redis])
	}
	if u := r.conns[OpenSearch]["ELASTICSEARCH_URL"]; !strings.HasPrefix(u, "https://vpc-") || !strings.HasSuffix(u, ".us-east-1.es.amazonaws.com") {
		t.Errorf("ELASTICSEARCH_URL = %s", u)
	}
	if u := r.conns[Memcached]["MEMCACHED_URL"]; !strings.HasSuffix(u, ".cache.amazonaws.com:11211") {
		t.Errorf("MEMCACHED_URL = %s", u)
	}
	for s, env := range r.conns {
		for k, v := range env {
			if !strings.HasPrefix(k, "secret:") && (strings.Contains(v, "mock-") || strings.Contains(v, "[secret]")) {
				t.Errorf("%s plain %s carries a secret: %s", s, k, v)
			}
		}
	}
	rp := r.in(t, "aws:iam/rolePolicy:RolePolicy", "listing-store-credentials")
	var pol struct{ Statement []struct{ Resource any } }
	_ = json.Unmarshal([]byte(rp["policy"].(string)), &pol)
	if n := len(pol.Statement[0].Resource.([]any)); n != 3 {
		t.Errorf("credential grant covers %d secrets, want postgres, mongo and redis", n)
	}
}

func TestProtectSwitchAndErrors(t *testing.T) {
	t.Parallel()
	r := runStores(t, dbayStores, false)
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, res := range r.eng.Resources() {
		if res.Options.Protect {
			t.Errorf("%s %s is protected with protect off", res.Type, res.Name)
		}
	}
	if in := r.in(t, "aws:rds/instance:Instance", "postgres"); in["deletionProtection"] != false {
		t.Errorf("deletion protection with protect off = %v", in["deletionProtection"])
	}
	none := runStores(t, `{"redis":{}}`, true)
	if none.err != nil {
		t.Fatal(none.err)
	}
	d := &DataLayer{stores: map[Store]*store{Redis: {}}, credentials: map[Store]credential{}}
	if _, err := d.Connection(Postgres); err == nil || !strings.Contains(err.Error(), "no postgres store in this stack (have [redis])") {
		t.Errorf("Connection(postgres) err = %v", err)
	}
}

// testNetwork is the set-up the package's store tests share: a us-east-1
// provider and a Network built from spec under it.
func testNetwork(ctx *pulumi.Context, spec config.Network) (*aws.Provider, *network.Network, error) {
	p, err := mockengine.Provider(ctx, "regional", "us-east-1")
	if err != nil {
		return nil, nil, err
	}
	net, err := network.New(ctx, "network", &network.Args{Env: config.Env{Region: "us-east-1"}, Spec: spec}, pulumi.Providers(p))
	return p, net, err
}
