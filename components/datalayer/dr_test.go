package datalayer_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/network"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/dr"
	"github.com/dbay/infra/internal/mockengine"
)

// drData is DBay's stores and buckets: one named bucket (its replica is
// named after it) and one auto-named.
const drData = `{"postgres":{},"documentdb":{},"redis":{},"memcached":{},"opensearch":{},
	"buckets":{"listing-images":{"name":"dbay-listing-images-prod"},"uploads":{}},
	"bus":{"name":"dbay-events"},"queues":{"notifications":{"sources":["dbay.orders"]}}}`

const (
	primaryRegion = "us-east-1"
	drRegion      = "us-west-2"
	drProviderURN = "urn:pulumi:prod::dbay::pulumi:providers:aws::dr"
)

// drRun is one run of the layer: the engine, the DR outputs resolved by
// field name, and what `use` recorded.
type drRun struct {
	eng   *mockengine.Engine
	out   map[string]any
	conns map[datalayer.Store]map[string]string
	err   error // what New or use returned
}

// runLayer builds the layer alone in region (stack "prod" or "dr"); mkDR
// gives Args.DR (nil: none), use runs after New; tweaks edit the validated
// data spec.
func runLayer(t *testing.T, stack, region, data string,
	mkDR func(ctx *pulumi.Context) (*datalayer.DR, error), use func(ctx *pulumi.Context, d *datalayer.DataLayer, r *drRun) error,
	tweaks ...func(*config.Data),
) drRun {
	t.Helper()
	cfg := messagingSpec(t, "dbay", "dbay.example.com", data)
	for _, tw := range tweaks { // what validation would refuse, as config.StandbyView sets it
		tw(&cfg.Data)
	}
	eng := mockengine.ForTest(t, "dbay", stack, region)
	r := drRun{eng: eng, out: map[string]any{}, conns: map[datalayer.Store]map[string]string{}}
	eng.MustRun(func(ctx *pulumi.Context) error {
		p, err := mockengine.Provider(ctx, "regional", region)
		if err != nil {
			return err
		}
		n, err := network.New(ctx, "network", &network.Args{Env: config.Env{Region: region, Partition: "aws"}, Spec: cfg.Network}, pulumi.Providers(p))
		if err != nil {
			return err
		}
		args := &datalayer.Args{Env: config.Env{Project: "dbay", Region: region, Partition: "aws", Domain: "dbay.example.com", Protect: true}, Spec: cfg.Data, Network: n}
		if mkDR != nil {
			if args.DR, err = mkDR(ctx); err != nil {
				return err
			}
		}
		d, err := datalayer.New(ctx, "data", args, pulumi.Providers(p))
		if err != nil {
			r.err = err
			return nil
		}
		outs := reflect.ValueOf(d.DR)
		for i := 0; i < outs.NumField(); i++ {
			if f := outs.Field(i); !f.IsZero() {
				v, err := await(ctx, f.Interface().(pulumi.Output))
				if err != nil {
					return err
				}
				r.out[outs.Type().Field(i).Name] = v
			}
		}
		if use != nil {
			r.err = use(ctx, d, &r)
		}
		return nil
	})
	return r
}

// withDR is the primary side: recovery region us-west-2 through its own provider.
func withDR(ctx *pulumi.Context) (*datalayer.DR, error) {
	p, err := mockengine.Provider(ctx, "dr", drRegion)
	return &datalayer.DR{Region: drRegion, Provider: p}, err
}

func runPrimary(t *testing.T, dr bool) drRun {
	t.Helper()
	if !dr {
		return runLayer(t, "prod", primaryRegion, drData, nil, nil)
	}
	r := runLayer(t, "prod", primaryRegion, drData, withDR, nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r
}

func (r drRun) one(t *testing.T, typ, name string) *mockengine.Resource {
	t.Helper()
	res := r.eng.Get(typ, name)
	if res == nil {
		t.Fatalf("no %s %q was created", typ, name)
	}
	return res
}

// The primary joins DocumentDB and Redis to global replication, sourced
// from the cluster's ARN and the group's id, and says so to the recovery
// stack through its DR outputs.
func TestDRPrimaryGlobalDatabases(t *testing.T) {
	t.Parallel()
	r := runPrimary(t, true)
	mongo := r.one(t, "aws:docdb/cluster:Cluster", "mongo")
	global := r.one(t, "aws:docdb/globalCluster:GlobalCluster", "mongo-global")
	redis := r.one(t, "aws:elasticache/replicationGroup:ReplicationGroup", "redis")
	rg := r.one(t, "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup", "redis-global")
	pg := r.one(t, "aws:rds/instance:Instance", "postgres")
	tests := []struct {
		what      string
		got, want any
	}{
		{"global cluster source", global.In()["sourceDbClusterIdentifier"], mongo.Out()["arn"]},
		{"global cluster id", global.In()["globalClusterIdentifier"], "dbay-prod-mongo"},
		{"global cluster deletion protection", global.In()["deletionProtection"], true},
		{"global cluster protected", global.Options.Protect, true},
		{"cluster ignores its global id", mongo.Options.IgnoreChanges, []string{"globalClusterIdentifier"}},
		{"cluster has the generated master password", []any{mongo.In()["masterPassword"], mongo.In()["manageMasterUserPassword"]}, []any{mockengine.Redacted, nil}},
		{"postgres has the generated master password", []any{pg.In()["password"], pg.In()["manageMasterUserPassword"]}, []any{mockengine.Redacted, nil}},
		{"global datastore primary", rg.In()["primaryReplicationGroupId"], redis.ID},
		{"global datastore suffix", rg.In()["globalReplicationGroupIdSuffix"], "dbay-redis"},
		{"global datastore protected", rg.Options.Protect, true},
		{"redis ignores the engine version and node type the datastore manages", redis.Options.IgnoreChanges, []string{"engineVersion", "nodeType"}},
		{"redis keeps AUTH and TLS", []any{redis.In()["authToken"], redis.In()["transitEncryptionEnabled"]}, []any{mockengine.Redacted, true}},
		{"out PostgresArn", r.out["PostgresArn"], pg.Out()["arn"]},
		{"out PostgresSubnetGroup", r.out["PostgresSubnetGroup"], r.one(t, "aws:rds/subnetGroup:SubnetGroup", "postgres").Out()["name"]},
		{"out MongoClusterArn", r.out["MongoClusterArn"], mongo.Out()["arn"]},
		{"out RedisGroupID", r.out["RedisGroupID"], redis.ID},
		{"out MongoGlobalClusterID", r.out["MongoGlobalClusterID"], "dbay-prod-mongo"},
		{"out RedisGlobalGroupID", r.out["RedisGlobalGroupID"], rg.Out()["globalReplicationGroupId"]},
		{"out RedisAuthToken", r.out["RedisAuthToken"], r.one(t, "random:index/randomPassword:RandomPassword", "redis-auth-token").Outputs["result"].SecretValue().Element.StringValue()},
		// The master credentials the replicas inherit, for the recovery
		// stack's own connection secrets.
		{"out PostgresUsername", r.out["PostgresUsername"], "dbay_admin"},
		{"out PostgresDatabase", r.out["PostgresDatabase"], "dbay"},
		{"out PostgresPassword", r.out["PostgresPassword"], r.one(t, "random:index/randomPassword:RandomPassword", "postgres-master-password").Outputs["result"].SecretValue().Element.StringValue()},
		{"out MongoUsername", r.out["MongoUsername"], "dbay_admin"},
		{"out MongoPassword", r.out["MongoPassword"], r.one(t, "random:index/randomPassword:RandomPassword", "mongo-master-password").Outputs["result"].SecretValue().Element.StringValue()},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.what, tt.got, tt.want)
		}
	}
	if id, _ := r.out["RedisGlobalGroupID"].(string); id == "dbay-redis" || !strings.HasSuffix(id, "-dbay-redis") {
		t.Errorf("RedisGlobalGroupID = %q: want the AWS-prefixed id, not the suffix", id)
	}
	for _, f := range []string{"PostgresIdentifier", "MongoClusterID"} {
		if v, set := r.out[f]; set {
			t.Errorf("the primary set the recovery-side output %s = %v", f, v)
		}
	}
}

// Each configured bucket has a replica in the DR region, created with the
// DR provider and as safe as its source, and a replication rule with RTC;
// the access-log bucket is marked as logs.
func TestDRPrimaryBucketReplication(t *testing.T) {
	t.Parallel()
	r := runPrimary(t, true)
	key := r.one(t, "aws:kms/key:Key", "replica-bucket-key")
	keyArn := key.Out()["arn"].(string)
	if key.Region != drRegion || key.In()["enableKeyRotation"] != true || !key.Options.Protect {
		t.Errorf("replica key: region %s rotation %v protect %v", key.Region, key.In()["enableKeyRotation"], key.Options.Protect)
	}
	layerKey := r.one(t, "aws:kms/key:Key", "data-key").Out()["arn"].(string)
	if tags := r.one(t, tBucket, "access-logs").In()["tags"]; !reflect.DeepEqual(tags, map[string]any{"data-class": "logs"}) {
		t.Errorf("access-log bucket tags = %v", tags)
	}
	replicas := map[string]string{}
	tests := []struct {
		bucket      string
		replicaName func(string) bool
	}{
		{"listing-images", func(n string) bool { return n == "dbay-listing-images-prod-us-west-2" }},
		{"uploads", func(n string) bool { return strings.HasPrefix(n, "uploads-replica-") }}, // auto-named like its source
	}
	for _, tt := range tests {
		src := r.one(t, tBucket, tt.bucket)
		rep := r.one(t, tBucket, tt.bucket+"-replica")
		repName, repArn := rep.Out()["bucket"].(string), rep.Out()["arn"].(string)
		replicas[tt.bucket] = repName
		if !tt.replicaName(repName) || len(repName) > 63 {
			t.Errorf("%s replica is named %q", tt.bucket, repName)
		}
		if rep.Region != drRegion || rep.Provider != drProviderURN || !rep.Options.Protect ||
			!reflect.DeepEqual(rep.In()["tags"], map[string]any{"replica-of": tt.bucket}) {
			t.Errorf("%s replica: region %s provider %s protect %v tags %v", tt.bucket, rep.Region, rep.Provider, rep.Options.Protect, rep.In()["tags"])
		}
		// Every child of the replica is in the DR region too.
		for _, typ := range []string{"bucketVersioningV2:BucketVersioningV2", "bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
			"bucketPublicAccessBlock:BucketPublicAccessBlock", "bucketOwnershipControls:BucketOwnershipControls", "bucketPolicy:BucketPolicy",
			"bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "bucketCorsConfigurationV2:BucketCorsConfigurationV2"} {
			child := r.one(t, "aws:s3/"+typ, tt.bucket+"-replica")
			if child.Region != drRegion || child.In()["bucket"] != repName {
				t.Errorf("%s replica %s: region %s bucket %v", tt.bucket, typ, child.Region, child.In()["bucket"])
			}
		}
		if v := r.one(t, "aws:s3/bucketVersioningV2:BucketVersioningV2", tt.bucket+"-replica").In()["versioningConfiguration"]; !reflect.DeepEqual(v, map[string]any{"status": "Enabled"}) {
			t.Errorf("%s replica versioning = %v", tt.bucket, v)
		}
		sse := r.one(t, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", tt.bucket+"-replica").In()
		if rule := sse["rules"].([]any)[0].(map[string]any); !reflect.DeepEqual(rule["applyServerSideEncryptionByDefault"], map[string]any{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": keyArn}) {
			t.Errorf("%s replica encryption = %v", tt.bucket, rule)
		}
		pab := r.one(t, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", tt.bucket+"-replica").In()
		for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
			if pab[k] != true {
				t.Errorf("%s replica %s = %v", tt.bucket, k, pab[k])
			}
		}
		if deny := statements(t, r.one(t, "aws:s3/bucketPolicy:BucketPolicy", tt.bucket+"-replica").In()["policy"])[0]; deny.Effect != "Deny" ||
			!reflect.DeepEqual(list(deny.Resource), []string{repArn, repArn + "/*"}) {
			t.Errorf("%s replica is not TLS-only: %+v", tt.bucket, deny)
		}

		cfg := r.one(t, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", tt.bucket)
		role := r.one(t, "aws:iam/role:Role", tt.bucket+"-replication")
		wantRule := map[string]any{
			"id": "dr", "status": "Enabled", "filter": map[string]any{},
			"deleteMarkerReplication": map[string]any{"status": "Enabled"},
			"sourceSelectionCriteria": map[string]any{"sseKmsEncryptedObjects": map[string]any{"status": "Enabled"}},
			"destination": map[string]any{
				"bucket": repArn, "storageClass": "STANDARD",
				"encryptionConfiguration": map[string]any{"replicaKmsKeyId": keyArn},
				"replicationTime":         map[string]any{"status": "Enabled", "time": map[string]any{"minutes": 15.0}},
				"metrics":                 map[string]any{"status": "Enabled", "eventThreshold": map[string]any{"minutes": 15.0}},
			},
		}
		if in := cfg.In(); in["bucket"] != src.Out()["bucket"] || in["role"] != role.Out()["arn"] || len(in["rules"].([]any)) != 1 ||
			!reflect.DeepEqual(in["rules"].([]any)[0], wantRule) || cfg.Region != primaryRegion {
			t.Errorf("%s replication config (%s) = %v\nwant rule %v", tt.bucket, cfg.Region, in, wantRule)
		}
		for _, v := range []string{"aws:s3/bucketVersioningV2:BucketVersioningV2"} {
			for _, dep := range []string{r.one(t, v, tt.bucket).URN, r.one(t, v, tt.bucket+"-replica").URN} {
				if !contains(cfg.Dependencies, dep) {
					t.Errorf("%s replication config does not wait for %s", tt.bucket, dep)
				}
			}
		}
		trust := statements(t, role.In()["assumeRolePolicy"])[0]
		if !reflect.DeepEqual(trust.Principal, map[string]any{"Service": "s3.amazonaws.com"}) {
			t.Errorf("%s replication role trusts %v", tt.bucket, trust.Principal)
		}
		srcArn := src.Out()["arn"].(string)
		type want struct {
			actions, resources []string
			via                string
		}
		wants := []want{
			{[]string{"s3:GetReplicationConfiguration", "s3:ListBucket"}, []string{srcArn}, ""},
			{[]string{"s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"}, []string{srcArn + "/*"}, ""},
			{[]string{"s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"}, []string{repArn + "/*"}, ""},
			{[]string{"kms:Decrypt"}, []string{layerKey}, "s3.us-east-1.amazonaws.com"},
			{[]string{"kms:Encrypt", "kms:GenerateDataKey"}, []string{keyArn}, "s3.us-west-2.amazonaws.com"},
		}
		pol := r.one(t, tPolicy, tt.bucket+"-replication")
		if pol.In()["role"] != role.Out()["name"] {
			t.Errorf("%s replication policy is on %v", tt.bucket, pol.In()["role"])
		}
		got := statements(t, pol.In()["policy"])
		if len(got) != len(wants) {
			t.Fatalf("%s replication policy has %d statements: %+v", tt.bucket, len(got), got)
		}
		for i, w := range wants {
			var cond map[string]map[string]any
			if w.via != "" {
				cond = map[string]map[string]any{"StringEquals": {"kms:ViaService": w.via}}
			}
			if st := got[i]; st.Effect != "Allow" || !reflect.DeepEqual(list(st.Action), w.actions) ||
				!reflect.DeepEqual(list(st.Resource), w.resources) || !reflect.DeepEqual(st.Condition, cond) {
				t.Errorf("%s replication statement %d = %+v\nwant %+v", tt.bucket, i, st, w)
			}
		}
	}
	if !reflect.DeepEqual(r.out["ReplicaBuckets"], replicas) || r.out["ReplicaBucketKeyArn"] != keyArn {
		t.Errorf("DR outputs: replicas %v key %v, want %v %s", r.out["ReplicaBuckets"], r.out["ReplicaBucketKeyArn"], replicas, keyArn)
	}
	if n := len(r.eng.ByType("aws:s3/bucketReplicationConfig:BucketReplicationConfig")); n != 2 {
		t.Errorf("%d replication configs, want one per data bucket (none for access-logs)", n)
	}
}

// Each replica logs server access to an access-log bucket in the DR region
// (S3 delivers within a region only): one for all replicas, SSE-S3 (log
// delivery cannot use SSE-KMS), tagged data-class logs, protected, private
// and TLS-only, expiring each replica's logs as its source's, and admitting
// S3's log delivery for the replicas only; the primary's log bucket admits
// the primary's buckets only.
func TestDRReplicasLogInTheirRegion(t *testing.T) {
	t.Parallel()
	r := runPrimary(t, true)
	const tLogging = "aws:s3/bucketLoggingV2:BucketLoggingV2"
	logs := r.one(t, tBucket, "replica-access-logs")
	logsName, logsArn := logs.Out()["bucket"].(string), logs.Out()["arn"].(string)
	if logs.Region != drRegion || logs.Provider != drProviderURN || !logs.Options.Protect ||
		!reflect.DeepEqual(logs.In()["tags"], map[string]any{dr.TagDataClass: dr.DataClassLog}) {
		t.Errorf("replica log bucket: region %s provider %s protect %v tags %v", logs.Region, logs.Provider, logs.Options.Protect, logs.In()["tags"])
	}
	for _, typ := range []string{"bucketVersioningV2:BucketVersioningV2", "bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
		"bucketPublicAccessBlock:BucketPublicAccessBlock", "bucketOwnershipControls:BucketOwnershipControls", "bucketPolicy:BucketPolicy",
		"bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"} {
		child := r.one(t, "aws:s3/"+typ, "replica-access-logs")
		if child.Region != drRegion || child.In()["bucket"] != logsName {
			t.Errorf("replica log bucket %s: region %s bucket %v", typ, child.Region, child.In()["bucket"])
		}
	}
	sse := r.one(t, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "replica-access-logs").In()
	if rules := sse["rules"].([]any); len(rules) != 1 ||
		!reflect.DeepEqual(rules[0].(map[string]any)["applyServerSideEncryptionByDefault"], map[string]any{"sseAlgorithm": "AES256"}) {
		t.Errorf("replica log bucket encryption = %v, want SSE-S3 only", rules)
	}
	if own := r.one(t, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "replica-access-logs").In()["rule"]; !reflect.DeepEqual(own, map[string]any{"objectOwnership": "BucketOwnerEnforced"}) {
		t.Errorf("replica log bucket ownership = %v", own)
	}
	if lg := r.eng.Get(tLogging, "replica-access-logs"); lg != nil {
		t.Errorf("the replica log bucket logs to %v", lg.In()["targetBucket"])
	}

	lifecycle := r.one(t, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "replica-access-logs").In()["rules"]
	var replicaArns, prefixes []string
	for _, tt := range []struct {
		bucket  string
		logDays float64
	}{{"listing-images", 365}, {"uploads", 365}} { // drData keeps the default
		name := tt.bucket + "-replica"
		rep := r.one(t, tBucket, name)
		lg := r.one(t, tLogging, name)
		if in := lg.In(); in["bucket"] != rep.Out()["bucket"] || in["targetBucket"] != logsName || in["targetPrefix"] != name+"/" ||
			lg.Region != drRegion || lg.Region != rep.Region || lg.Provider != drProviderURN {
			t.Errorf("%s logging (%s, %s) = %v, want to %s under %s/", name, lg.Region, lg.Provider, in, logsName, name)
		}
		expire := map[string]any{"id": "expire-" + name, "status": "Enabled", "filter": map[string]any{"prefix": name + "/"},
			"expiration": map[string]any{"days": tt.logDays}}
		if !containsValue(lifecycle, expire) {
			t.Errorf("replica log bucket has no rule %v: %v", expire, lifecycle)
		}
		replicaArns = append(replicaArns, rep.Out()["arn"].(string))
		prefixes = append(prefixes, logsArn+"/"+name+"/*")
	}
	for _, id := range []string{"abort-incomplete-uploads", "expire-noncurrent-versions"} {
		found := false
		for _, rule := range lifecycle.([]any) {
			found = found || rule.(map[string]any)["id"] == id
		}
		if !found {
			t.Errorf("replica log bucket lifecycle has no %s rule: %v", id, lifecycle)
		}
	}

	// delivery returns the log-delivery statement of a log bucket's policy
	// after checking that the first denies non-TLS requests.
	delivery := func(bucket string, arn string) statement {
		t.Helper()
		st := statements(t, r.one(t, "aws:s3/bucketPolicy:BucketPolicy", bucket).In()["policy"])
		if len(st) != 2 || st[0].Effect != "Deny" || !reflect.DeepEqual(list(st[0].Resource), []string{arn, arn + "/*"}) {
			t.Fatalf("%s policy = %+v, want TLS-only and log delivery", bucket, st)
		}
		return st[1]
	}
	d := delivery("replica-access-logs", logsArn)
	wantCond := map[string]map[string]any{
		"StringEquals": {"aws:SourceAccount": mockengine.Account},
		"ArnLike":      {"aws:SourceArn": toAny(sorted(replicaArns...))},
	}
	if arns := d.Condition["ArnLike"]; arns != nil {
		arns["aws:SourceArn"] = toAny(list(arns["aws:SourceArn"]))
	}
	if d.Effect != "Allow" || !reflect.DeepEqual(d.Principal, map[string]any{"Service": "logging.s3.amazonaws.com"}) ||
		!reflect.DeepEqual(list(d.Action), []string{"s3:PutObject"}) ||
		!reflect.DeepEqual(list(d.Resource), sorted(prefixes...)) || !reflect.DeepEqual(d.Condition, wantCond) {
		t.Errorf("replica log delivery = %+v\nwant resources %v, conditions %v", d, prefixes, wantCond)
	}
	primaryLogs := r.one(t, tBucket, "access-logs").Out()["arn"].(string)
	for _, src := range list(delivery("access-logs", primaryLogs).Condition["ArnLike"]["aws:SourceArn"]) {
		if contains(replicaArns, src) {
			t.Errorf("the primary's log bucket (us-east-1) admits replica %s", src)
		}
	}
}
