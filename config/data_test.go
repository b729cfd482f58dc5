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
		want atValue // the error wanted (path, kind and value); atValue{}: the config is valid
	}{
		{"dhanam shape is valid", data(`{"postgres":{"instanceClass":"db.r5.large","allocatedStorage":100,"readReplicas":["dashboards","analytics"]},"redis":{}}`), atValue{}},
		{"guide's identifier", data(`{"postgres":{"identifier":"dhanam-production"}}`), atValue{}},
		{"identifier ending in a hyphen", data(`{"postgres":{"identifier":"dhanam-"}}`),
			atValue{"dbay:data.postgres.identifier", KindInvalid, "dhanam-"}},
		{"identifier with two hyphens", data(`{"postgres":{"identifier":"dhanam--production"}}`),
			atValue{"dbay:data.postgres.identifier", KindInvalid, "dhanam--production"}},
		{"identifier of 64 characters", data(`{"postgres":{"identifier":"a` + strings.Repeat("b", 63) + `"}}`),
			atValue{"dbay:data.postgres.identifier", KindInvalid, "a" + strings.Repeat("b", 63)}},
		{"queue redis", data(`{"redis":{"parameters":{"maxmemory-policy":"noeviction","timeout":"300"}}}`), atValue{}},
		{"unknown redis eviction policy", data(`{"redis":{"parameters":{"maxmemory-policy":"noevict"}}}`),
			atValue{"dbay:data.redis.parameters.maxmemory-policy", KindInvalid, "noevict"}},
		{"redis parameter the program does not set", data(`{"redis":{"parameters":{"maxclients":"100"}}}`),
			atValue{"dbay:data.redis.parameters.maxclients", KindNotSupported, "maxclients"}},
		{"redis integer out of range", data(`{"redis":{"parameters":{"reserved-memory-percent":"150"}}}`),
			atValue{"dbay:data.redis.parameters.reserved-memory-percent", KindInvalid, "150"}},
		{"invalid instance class", data(`{"postgres":{"instanceClass":"r6g.large"}}`),
			atValue{"dbay:data.postgres.instanceClass", KindInvalid, "r6g.large"}},
		{"unknown family", data(`{"documentdb":{"instanceClass":"db.z9.large"}}`),
			atValue{"dbay:data.documentdb.instanceClass", KindInvalid, "db.z9.large"}},
		{"not postgres 16", data(`{"postgres":{"engineVersion":"15.5"}}`),
			atValue{"dbay:data.postgres.engineVersion", KindNotSupported, "15.5"}},
		{"retired postgres minor (the old default)", data(`{"postgres":{"engineVersion":"16.4"}}`),
			atValue{"dbay:data.postgres.engineVersion", KindNotSupported, "16.4"}},
		{"retention 0 is the default, 36 is out", data(`{"postgres":{"backupRetentionDays":36}}`),
			atValue{"dbay:data.postgres.backupRetentionDays", KindInvalid, 36}},
		{"documentdb retention", data(`{"documentdb":{"backupRetentionDays":40}}`),
			atValue{"dbay:data.documentdb.backupRetentionDays", KindInvalid, 40}},
		{"six replicas", data(`{"postgres":{"readReplicas":["a","b","c","d","e","f"]}}`),
			atValue{"dbay:data.postgres.readReplicas", KindInvalid, 6}},
		{"duplicate replica", data(`{"postgres":{"readReplicas":["a","a"]}}`),
			atValue{"dbay:data.postgres.readReplicas[1]", KindInvalid, "a"}},
		{"bad replica name", data(`{"postgres":{"readReplicas":["Dash Boards"]}}`),
			atValue{"dbay:data.postgres.readReplicas[0]", KindInvalid, "Dash Boards"}},
		{"no room to autoscale storage", data(`{"postgres":{"allocatedStorage":100,"maxAllocatedStorage":100}}`),
			atValue{"dbay:data.postgres.maxAllocatedStorage", KindInvalid, 100}},
		{"malformed backup window", data(`{"postgres":{"backupWindow":"3am"}}`),
			atValue{"dbay:data.postgres.backupWindow", KindInvalid, "3am"}},
		{"maintenance during backup", data(`{"postgres":{"maintenanceWindow":"sun:03:30-sun:04:30"}}`),
			atValue{"dbay:data.postgres.maintenanceWindow", KindInvalid, "sun:03:30-sun:04:30"}},
		{"reserved username", data(`{"postgres":{"username":"admin"}}`),
			atValue{"dbay:data.postgres.username", KindInvalid, "admin"}},
		{"redis without a replica", data(`{"redis":{"replicas":0}}`), atValue{}}, // 0 means the default: 1
		{"redis node type", data(`{"redis":{"nodeType":"r6g.large"}}`),
			atValue{"dbay:data.redis.nodeType", KindInvalid, "r6g.large"}},
		{"too many redis replicas", data(`{"redis":{"replicas":6}}`),
			atValue{"dbay:data.redis.replicas", KindInvalid, 6}},
		{"opensearch nodes not spread", data(`{"opensearch":{"instanceCount":4}}`),
			atValue{"dbay:data.opensearch.instanceCount", KindInvalid, 4}},
		{"opensearch version", data(`{"opensearch":{"engineVersion":"Elasticsearch_7.10"}}`),
			atValue{"dbay:data.opensearch.engineVersion", KindNotSupported, "Elasticsearch_7.10"}},
		{"opensearch instance type", data(`{"opensearch":{"instanceType":"r6g.large"}}`),
			atValue{"dbay:data.opensearch.instanceType", KindInvalid, "r6g.large"}},
		{"opensearch master type", data(`{"opensearch":{"masterType":"m6g.large"}}`),
			atValue{"dbay:data.opensearch.masterType", KindInvalid, "m6g.large"}},
		{"memcached node type", data(`{"memcached":{"nodeType":"t4g.medium"}}`),
			atValue{"dbay:data.memcached.nodeType", KindInvalid, "t4g.medium"}},
		{"redis engine too old for service users", data(`{"redis":{"engineVersion":"6.0","serviceUsers":true}}`),
			atValue{"dbay:data.redis.engineVersion", KindNotSupported, "6.0"}},
		{"performance insights retention", data(`{"postgres":{"performanceInsightsRetentionDays":30}}`),
			atValue{"dbay:data.postgres.performanceInsightsRetentionDays", KindInvalid, 30}},

		{"dbay secrets are valid", sec(`{"replicaRegions":["us-west-2"],"items":{"DJANGO_SECRET_KEY":{"source":"generated"},"WALLET_MASTER_XPRIV":{"source":"external"}}}`), atValue{}},
		{"recovery window", sec(`{"recoveryWindowDays":5}`),
			atValue{"dbay:secrets.recoveryWindowDays", KindInvalid, 5}},
		{"replica in the stack's own region", sec(`{"replicaRegions":["us-east-1"]}`),
			atValue{"dbay:secrets.replicaRegions[0]", KindInvalid, "us-east-1"}},
		{"replica region not a region", sec(`{"replicaRegions":["west"]}`),
			atValue{"dbay:secrets.replicaRegions[0]", KindInvalid, "west"}},
		{"missing source", sec(`{"items":{"X_KEY":{}}}`),
			atValue{"dbay:secrets.items.X_KEY.source", KindRequired, nil}},
		{"unknown source", sec(`{"items":{"X_KEY":{"source":"vault"}}}`),
			atValue{"dbay:secrets.items.X_KEY.source", KindNotSupported, "vault"}},
		{"bad secret name", sec(`{"items":{"jwt-secret":{"source":"generated"}}}`),
			atValue{"dbay:secrets.items.jwt-secret", KindInvalid, "jwt-secret"}},
		{"short generated secret", sec(`{"items":{"JWT_SECRET":{"source":"generated","length":16}}}`),
			atValue{"dbay:secrets.items.JWT_SECRET.length", KindInvalid, 16}},
		{"length on an external secret", sec(`{"items":{"PLAID_SECRET":{"source":"external","length":64}}}`),
			atValue{"dbay:secrets.items.PLAID_SECRET.length", KindForbidden, nil}},
		{"a reader naming no known role", sec(`{"items":{"WALLET_MASTER_XPRIV":{"source":"external","readers":["build-and-sign-tx"]}}}`),
			atValue{"dbay:secrets.items.WALLET_MASTER_XPRIV.readers[0]", KindInvalid, "build-and-sign-tx"}},
		{"config secret without a value", sec(`{"items":{"SENTRY_DSN":{"source":"config"}}}`),
			atValue{"dbay:secrets.items.SENTRY_DSN", KindRequired, nil}},
		{"custom auth domain without a frontend", func(m map[string]string) { m["dbay:auth"] = `{"customDomain":true}` },
			atValue{"dbay:auth.customDomain", KindRequired, nil}},
		{"dr region is the stack's region", func(m map[string]string) { m["dbay:drRegion"] = "us-east-1" },
			atValue{"dbay:drRegion", KindInvalid, "us-east-1"}},
		{"dr region not a region", func(m map[string]string) { m["dbay:drRegion"] = "mars" },
			atValue{"dbay:drRegion", KindInvalid, "mars"}},
		{"a value nobody declared", func(m map[string]string) { m["dbay:secretValues"] = `{"STRAY":"x"}` },
			atValue{"dbay:secretValues.STRAY", KindRequired, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errs := load(t, tt.edit)
			if tt.want == (atValue{}) {
				wantFieldErrors(t, errs, nil)
				return
			}
			wantBadValue(t, errs, tt.want.path, tt.want.kind, tt.want.bad)
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
