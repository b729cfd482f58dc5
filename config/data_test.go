package config

import (
	"strings"
	"testing"
)

// dbayStores is the store part of DBay's Pulumi.prod.yaml `dbay:data`.
const dbayStores = `{"postgres":{"instanceClass":"db.r6g.large","allocatedStorage":100},"documentdb":{},"redis":{},"memcached":{},"opensearch":{}}`

func TestStoreDefaults(t *testing.T) {
	t.Parallel()
	cfg, errs := load(t, func(m map[string]string) { m["dbay:data"] = dbayStores })
	if errs != nil {
		t.Fatal(errs)
	}
	p := cfg.Data.Postgres
	if p.EngineVersion != "16" || p.MaxAllocatedStorage != 500 || !*p.MultiAZ || p.BackupRetentionDays != 30 ||
		p.BackupWindow != "03:00-04:00" || p.DatabaseName != "dbay" || p.Username != "dbay_admin" || p.MonitoringInterval != 60 {
		t.Errorf("postgres defaults = %+v", p)
	}
	want := map[string]string{"max_connections": "100", "shared_buffers": "32768", "effective_cache_size": "131072", "work_mem": "4096", "rds.force_ssl": "1"}
	for k, v := range want {
		if p.Parameters[k] != v {
			t.Errorf("parameter %s = %q, want %q", k, p.Parameters[k], v)
		}
	}
	if d := cfg.Data.DocumentDB; d.Instances != 3 || d.BackupRetentionDays != 30 {
		t.Errorf("documentdb defaults = %+v", d)
	}
	if r := cfg.Data.Redis; r.Replicas != 1 || r.NodeType != "cache.r6g.large" {
		t.Errorf("redis defaults = %+v", r)
	}
	if o := cfg.Data.OpenSearch; o.InstanceCount != 3 || !*o.DedicatedMasters {
		t.Errorf("opensearch defaults = %+v", o)
	}
	// A parameter override replaces only its own value.
	cfg, errs = load(t, func(m map[string]string) { m["dbay:data"] = `{"postgres":{"parameters":{"work_mem":"8192"}}}` })
	if errs != nil {
		t.Fatal(errs)
	}
	if cfg.Data.Postgres.Parameters["work_mem"] != "8192" || cfg.Data.Postgres.Parameters["max_connections"] != "100" {
		t.Errorf("override = %v", cfg.Data.Postgres.Parameters)
	}
}

func TestStoreAndSecretRules(t *testing.T) {
	t.Parallel()
	data := func(s string) func(m map[string]string) { return func(m map[string]string) { m["dbay:data"] = s } }
	sec := func(s string) func(m map[string]string) { return func(m map[string]string) { m["dbay:secrets"] = s } }
	tests := []struct {
		name string
		edit func(m map[string]string)
		want at // the error wanted (path and kind); at{}: the config is valid
	}{
		{"dhanam shape is valid", data(`{"postgres":{"instanceClass":"db.r5.large","allocatedStorage":100,"readReplicas":["dashboards","analytics"]},"redis":{}}`), at{}},
		{"guide's identifier", data(`{"postgres":{"identifier":"dhanam-production"}}`), at{}},
		{"identifier ending in a hyphen", data(`{"postgres":{"identifier":"dhanam-"}}`),
			at{"dbay:data.postgres.identifier", KindInvalid}},
		{"identifier with two hyphens", data(`{"postgres":{"identifier":"dhanam--production"}}`),
			at{"dbay:data.postgres.identifier", KindInvalid}},
		{"identifier of 64 characters", data(`{"postgres":{"identifier":"a` + strings.Repeat("b", 63) + `"}}`),
			at{"dbay:data.postgres.identifier", KindInvalid}},
		{"queue redis", data(`{"redis":{"parameters":{"maxmemory-policy":"noeviction","timeout":"300"}}}`), at{}},
		{"unknown redis eviction policy", data(`{"redis":{"parameters":{"maxmemory-policy":"noevict"}}}`),
			at{"dbay:data.redis.parameters.maxmemory-policy", KindInvalid}},
		{"redis parameter the program does not set", data(`{"redis":{"parameters":{"maxclients":"100"}}}`),
			at{"dbay:data.redis.parameters.maxclients", KindNotSupported}},
		{"redis integer out of range", data(`{"redis":{"parameters":{"reserved-memory-percent":"150"}}}`),
			at{"dbay:data.redis.parameters.reserved-memory-percent", KindInvalid}},
		{"invalid instance class", data(`{"postgres":{"instanceClass":"r6g.large"}}`),
			at{"dbay:data.postgres.instanceClass", KindInvalid}},
		{"unknown family", data(`{"documentdb":{"instanceClass":"db.z9.large"}}`),
			at{"dbay:data.documentdb.instanceClass", KindInvalid}},
		{"not postgres 16", data(`{"postgres":{"engineVersion":"15.5"}}`),
			at{"dbay:data.postgres.engineVersion", KindNotSupported}},
		{"retired postgres minor (the old default)", data(`{"postgres":{"engineVersion":"16.4"}}`),
			at{"dbay:data.postgres.engineVersion", KindNotSupported}},
		{"retention 0 is the default, 36 is out", data(`{"postgres":{"backupRetentionDays":36}}`),
			at{"dbay:data.postgres.backupRetentionDays", KindInvalid}},
		{"documentdb retention", data(`{"documentdb":{"backupRetentionDays":40}}`),
			at{"dbay:data.documentdb.backupRetentionDays", KindInvalid}},
		{"six replicas", data(`{"postgres":{"readReplicas":["a","b","c","d","e","f"]}}`),
			at{"dbay:data.postgres.readReplicas", KindInvalid}},
		{"duplicate replica", data(`{"postgres":{"readReplicas":["a","a"]}}`),
			at{"dbay:data.postgres.readReplicas[1]", KindInvalid}},
		{"bad replica name", data(`{"postgres":{"readReplicas":["Dash Boards"]}}`),
			at{"dbay:data.postgres.readReplicas[0]", KindInvalid}},
		{"no room to autoscale storage", data(`{"postgres":{"allocatedStorage":100,"maxAllocatedStorage":100}}`),
			at{"dbay:data.postgres.maxAllocatedStorage", KindInvalid}},
		{"malformed backup window", data(`{"postgres":{"backupWindow":"3am"}}`),
			at{"dbay:data.postgres.backupWindow", KindInvalid}},
		{"maintenance during backup", data(`{"postgres":{"maintenanceWindow":"sun:03:30-sun:04:30"}}`),
			at{"dbay:data.postgres.maintenanceWindow", KindInvalid}},
		{"reserved username", data(`{"postgres":{"username":"admin"}}`),
			at{"dbay:data.postgres.username", KindInvalid}},
		{"redis without a replica", data(`{"redis":{"replicas":0}}`), at{}}, // 0 means the default: 1
		{"redis node type", data(`{"redis":{"nodeType":"r6g.large"}}`),
			at{"dbay:data.redis.nodeType", KindInvalid}},
		{"too many redis replicas", data(`{"redis":{"replicas":6}}`),
			at{"dbay:data.redis.replicas", KindInvalid}},
		{"opensearch nodes not spread", data(`{"opensearch":{"instanceCount":4}}`),
			at{"dbay:data.opensearch.instanceCount", KindInvalid}},
		{"opensearch version", data(`{"opensearch":{"engineVersion":"Elasticsearch_7.10"}}`),
			at{"dbay:data.opensearch.engineVersion", KindNotSupported}},
		{"performance insights retention", data(`{"postgres":{"performanceInsightsRetentionDays":30}}`),
			at{"dbay:data.postgres.performanceInsightsRetentionDays", KindInvalid}},

		{"dbay secrets are valid", sec(`{"replicaRegions":["us-west-2"],"items":{"DJANGO_SECRET_KEY":{"source":"generated"},"WALLET_MASTER_XPRIV":{"source":"external"}}}`), at{}},
		{"recovery window", sec(`{"recoveryWindowDays":5}`),
			at{"dbay:secrets.recoveryWindowDays", KindInvalid}},
		{"replica in the stack's own region", sec(`{"replicaRegions":["us-east-1"]}`),
			at{"dbay:secrets.replicaRegions[0]", KindInvalid}},
		{"replica region not a region", sec(`{"replicaRegions":["west"]}`),
			at{"dbay:secrets.replicaRegions[0]", KindInvalid}},
		{"missing source", sec(`{"items":{"X_KEY":{}}}`),
			at{"dbay:secrets.items.X_KEY.source", KindRequired}},
		{"unknown source", sec(`{"items":{"X_KEY":{"source":"vault"}}}`),
			at{"dbay:secrets.items.X_KEY.source", KindNotSupported}},
		{"bad secret name", sec(`{"items":{"jwt-secret":{"source":"generated"}}}`),
			at{"dbay:secrets.items.jwt-secret", KindInvalid}},
		{"short generated secret", sec(`{"items":{"JWT_SECRET":{"source":"generated","length":16}}}`),
			at{"dbay:secrets.items.JWT_SECRET.length", KindInvalid}},
		{"length on an external secret", sec(`{"items":{"PLAID_SECRET":{"source":"external","length":64}}}`),
			at{"dbay:secrets.items.PLAID_SECRET.length", KindForbidden}},
		{"a reader naming no known role", sec(`{"items":{"WALLET_MASTER_XPRIV":{"source":"external","readers":["build-and-sign-tx"]}}}`),
			at{"dbay:secrets.items.WALLET_MASTER_XPRIV.readers[0]", KindInvalid}},
		{"config secret without a value", sec(`{"items":{"SENTRY_DSN":{"source":"config"}}}`),
			at{"dbay:secrets.items.SENTRY_DSN", KindRequired}},
		{"custom auth domain without a frontend", func(m map[string]string) { m["dbay:auth"] = `{"customDomain":true}` },
			at{"dbay:auth.customDomain", KindRequired}},
		{"dr region is the stack's region", func(m map[string]string) { m["dbay:drRegion"] = "us-east-1" },
			at{"dbay:drRegion", KindInvalid}},
		{"dr region not a region", func(m map[string]string) { m["dbay:drRegion"] = "mars" },
			at{"dbay:drRegion", KindInvalid}},
		{"a value nobody declared", func(m map[string]string) { m["dbay:secretValues"] = `{"STRAY":"x"}` },
			at{"dbay:secretValues.STRAY", KindRequired}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errs := load(t, tt.edit)
			if tt.want == (at{}) {
				wantFieldErrors(t, errs, nil)
				return
			}
			wantFieldError(t, errs, tt.want.path, tt.want.kind)
		})
	}
}

// The parameter group family follows the engine version (ElastiCache
// families redis7, redis6.x, redis5.0).
func TestRedisFamily(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]string{"7.1": "redis7", "7": "redis7", "6.2": "redis6.x", "5.0.6": "redis5.0"} {
		if got := RedisFamily(v); got != want {
			t.Errorf("RedisFamily(%s) = %s, want %s", v, got, want)
		}
	}
}
