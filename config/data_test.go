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
		want string // a whole error line; "" means the config is valid
	}{
		{"dhanam shape is valid", data(`{"postgres":{"instanceClass":"db.r5.large","allocatedStorage":100,"readReplicas":["dashboards","analytics"]},"redis":{}}`), ""},
		{"guide's identifier", data(`{"postgres":{"identifier":"dhanam-production"}}`), ""},
		{"identifier ending in a hyphen", data(`{"postgres":{"identifier":"dhanam-"}}`),
			`dbay:data.postgres.identifier: "dhanam-" is not a DB instance identifier; use 1..63 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, such as dhanam-production`},
		{"identifier with two hyphens", data(`{"postgres":{"identifier":"dhanam--production"}}`),
			`dbay:data.postgres.identifier: "dhanam--production" is not a DB instance identifier; use 1..63 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, such as dhanam-production`},
		{"identifier of 64 characters", data(`{"postgres":{"identifier":"a` + strings.Repeat("b", 63) + `"}}`),
			`dbay:data.postgres.identifier: "a` + strings.Repeat("b", 63) + `" is not a DB instance identifier; use 1..63 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, such as dhanam-production`},
		{"queue redis", data(`{"redis":{"parameters":{"maxmemory-policy":"noeviction","timeout":"300"}}}`), ""},
		{"unknown redis eviction policy", data(`{"redis":{"parameters":{"maxmemory-policy":"noevict"}}}`),
			`dbay:data.redis.parameters.maxmemory-policy: "noevict" is not a valid maxmemory-policy; use one of volatile-lru, allkeys-lru, volatile-lfu, allkeys-lfu, volatile-random, allkeys-random, volatile-ttl, noeviction`},
		{"redis parameter the program does not set", data(`{"redis":{"parameters":{"maxclients":"100"}}}`),
			"dbay:data.redis.parameters.maxclients: maxclients is not a Redis parameter this program sets; use one of activedefrag, hash-max-listpack-entries, lazyfree-lazy-eviction, lazyfree-lazy-expire, lazyfree-lazy-server-del, lazyfree-lazy-user-del, list-max-listpack-size, maxmemory-policy, maxmemory-samples, notify-keyspace-events, reserved-memory-percent, slowlog-log-slower-than, slowlog-max-len, tcp-keepalive, timeout"},
		{"redis integer out of range", data(`{"redis":{"parameters":{"reserved-memory-percent":"150"}}}`),
			`dbay:data.redis.parameters.reserved-memory-percent: "150" is not a valid reserved-memory-percent; use an integer in 0..100`},
		{"invalid instance class", data(`{"postgres":{"instanceClass":"r6g.large"}}`),
			`dbay:data.postgres.instanceClass: "r6g.large" is not a valid instance class; use an RDS class such as db.r6g.large or db.r5.large`},
		{"unknown family", data(`{"documentdb":{"instanceClass":"db.z9.large"}}`),
			`dbay:data.documentdb.instanceClass: "db.z9.large" is not a valid instance class; use a DocumentDB class such as db.r6g.large`},
		{"not postgres 16", data(`{"postgres":{"engineVersion":"15.5"}}`),
			`dbay:data.postgres.engineVersion: "15.5" is not a PostgreSQL 16 version; use 16 (AWS creates its current minor; auto minor upgrades keep it current)`},
		{"retired postgres minor (the old default)", data(`{"postgres":{"engineVersion":"16.4"}}`),
			`dbay:data.postgres.engineVersion: RDS no longer creates PostgreSQL 16.4 (16.1-16.8 are retired); use 16 (AWS creates its current minor; auto minor upgrades keep it current)`},
		{"retention 0 is the default, 36 is out", data(`{"postgres":{"backupRetentionDays":36}}`),
			"dbay:data.postgres.backupRetentionDays: 36 days is outside 1..35; use 1..35"},
		{"documentdb retention", data(`{"documentdb":{"backupRetentionDays":40}}`),
			"dbay:data.documentdb.backupRetentionDays: 40 days is outside 1..35; use 1..35"},
		{"six replicas", data(`{"postgres":{"readReplicas":["a","b","c","d","e","f"]}}`),
			"dbay:data.postgres.readReplicas: 6 read replicas is more than RDS allows; use at most 5"},
		{"duplicate replica", data(`{"postgres":{"readReplicas":["a","a"]}}`),
			`dbay:data.postgres.readReplicas[1]: "a" is listed twice; give each replica its own name`},
		{"bad replica name", data(`{"postgres":{"readReplicas":["Dash Boards"]}}`),
			`dbay:data.postgres.readReplicas[0]: "Dash Boards" is not a valid replica name; use a short lowercase purpose such as dashboards`},
		{"no room to autoscale storage", data(`{"postgres":{"allocatedStorage":100,"maxAllocatedStorage":100}}`),
			"dbay:data.postgres.maxAllocatedStorage: 100 GiB does not leave room for storage autoscaling above 100 GiB; use 101..65536"},
		{"malformed backup window", data(`{"postgres":{"backupWindow":"3am"}}`),
			`dbay:data.postgres.backupWindow: "3am" is not a daily window; use hh:mm-hh:mm in UTC, e.g. 03:00-04:00`},
		{"maintenance during backup", data(`{"postgres":{"maintenanceWindow":"sun:03:30-sun:04:30"}}`),
			"dbay:data.postgres.maintenanceWindow: sun:03:30-sun:04:30 overlaps the backup window 03:00-04:00; move it outside the backup window"},
		{"reserved username", data(`{"postgres":{"username":"admin"}}`),
			`dbay:data.postgres.username: "admin" is not a valid database identifier; use lowercase letters, digits and underscores, starting with a letter, not a reserved name`},
		{"redis without a replica", data(`{"redis":{"replicas":0}}`), ""}, // 0 means the default: 1
		{"redis node type", data(`{"redis":{"nodeType":"r6g.large"}}`),
			`dbay:data.redis.nodeType: "r6g.large" is not a valid instance class; use an ElastiCache node type such as cache.r6g.large`},
		{"too many redis replicas", data(`{"redis":{"replicas":6}}`),
			"dbay:data.redis.replicas: 6 replicas (Multi-AZ failover needs at least one) is outside 1..5; use 1..5"},
		{"opensearch nodes not spread", data(`{"opensearch":{"instanceCount":4}}`),
			"dbay:data.opensearch.instanceCount: 4 data nodes cannot spread evenly over the zones; use a multiple of 3, so every AZ holds a copy"},
		{"opensearch version", data(`{"opensearch":{"engineVersion":"Elasticsearch_7.10"}}`),
			`dbay:data.opensearch.engineVersion: "Elasticsearch_7.10" is not an OpenSearch 2 version; use OpenSearch_2.x, e.g. OpenSearch_2.19`},
		{"performance insights retention", data(`{"postgres":{"performanceInsightsRetentionDays":30}}`),
			"dbay:data.postgres.performanceInsightsRetentionDays: 30 days is not a Performance Insights retention; use 7, or a multiple of 31 up to 731"},

		{"dbay secrets are valid", sec(`{"replicaRegions":["us-west-2"],"items":{"DJANGO_SECRET_KEY":{"source":"generated"},"WALLET_MASTER_XPRIV":{"source":"external"}}}`), ""},
		{"recovery window", sec(`{"recoveryWindowDays":5}`),
			"dbay:secrets.recoveryWindowDays: 5 days is outside what Secrets Manager accepts; use 7..30"},
		{"replica in the stack's own region", sec(`{"replicaRegions":["us-east-1"]}`),
			"dbay:secrets.replicaRegions[0]: us-east-1 is the stack's own region; replicate to another region"},
		{"replica region not a region", sec(`{"replicaRegions":["west"]}`),
			`dbay:secrets.replicaRegions[0]: "west" is not an AWS region; use an AWS region name such as us-west-2`},
		{"missing source", sec(`{"items":{"X_KEY":{}}}`),
			"dbay:secrets.items.X_KEY.source: is required; use generated, external or config"},
		{"unknown source", sec(`{"items":{"X_KEY":{"source":"vault"}}}`),
			`dbay:secrets.items.X_KEY.source: unknown source "vault"; use generated, external or config`},
		{"bad secret name", sec(`{"items":{"jwt-secret":{"source":"generated"}}}`),
			`dbay:secrets.items.jwt-secret: "jwt-secret" is not a valid secret name; use the environment variable name: uppercase letters, digits and underscores`},
		{"short generated secret", sec(`{"items":{"JWT_SECRET":{"source":"generated","length":16}}}`),
			"dbay:secrets.items.JWT_SECRET.length: 16 characters is outside 32..1024; use 32..1024"},
		{"length on an external secret", sec(`{"items":{"PLAID_SECRET":{"source":"external","length":64}}}`),
			"dbay:secrets.items.PLAID_SECRET.length: only a generated secret has a length; remove it"},
		{"a reader naming no known role", sec(`{"items":{"WALLET_MASTER_XPRIV":{"source":"external","readers":["build-and-sign-tx"]}}}`),
			`dbay:secrets.items.WALLET_MASTER_XPRIV.readers[0]: no role named "build-and-sign-tx"; name a service or function this stack declares (none is declared yet)`},
		{"config secret without a value", sec(`{"items":{"SENTRY_DSN":{"source":"config"}}}`),
			"dbay:secrets.items.SENTRY_DSN: has source config but no value; set it with `pulumi config set --secret --path 'secretValues.SENTRY_DSN' <value>`"},
		{"custom auth domain without a frontend", func(m map[string]string) { m["dbay:auth"] = `{"customDomain":true}` },
			"dbay:auth.customDomain: needs a frontend section: the hosted zone and the apex record come from it; add frontend or set customDomain false"},
		{"dr region is the stack's region", func(m map[string]string) { m["dbay:drRegion"] = "us-east-1" },
			"dbay:drRegion: is the stack's own region; recover into another region"},
		{"dr region not a region", func(m map[string]string) { m["dbay:drRegion"] = "mars" },
			`dbay:drRegion: "mars" is not an AWS region; use an AWS region such as us-west-2`},
		{"a value nobody declared", func(m map[string]string) { m["dbay:secretValues"] = `{"STRAY":"x"}` },
			"dbay:secretValues.STRAY: has no secrets.items entry with source config; declare it or remove the value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errs := load(t, tt.edit)
			if tt.want == "" {
				if errs != nil {
					t.Fatalf("want valid, got:\n%v", errs)
				}
				return
			}
			if errs == nil {
				t.Fatalf("accepted; want %s", tt.want)
			}
			for _, l := range strings.Split(errs.Error(), "\n") {
				if l == tt.want {
					return
				}
			}
			t.Errorf("missing error line\n  want: %s\n  got:  %s", tt.want, strings.ReplaceAll(errs.Error(), "\n", "\n        "))
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
