package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Redis RBAC (data.redis.serviceUsers, issue 15 item 2): one ElastiCache
// user per consumer instead of one AUTH token for all
// (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html).

// RedisCommands are the commands every consumer's user may run: all but
// Redis's @dangerous category (FLUSHALL, FLUSHDB, KEYS, CONFIG, DEBUG,
// CLIENT, MONITOR, SORT, RESTORE, MIGRATE, … — "everything but the most
// dangerous operations that may affect the server stability",
// https://redis.io/commands/acl-cat/), with INFO added back: it is
// read-only and clients send it on connecting (ioredis' ready check, on by
// default, https://github.com/redis/ioredis/wiki/Disable-ready-check).
const RedisCommands = "+@all -@dangerous +info"

// redisKeyPatternRe is a key pattern data.redis.keyPatterns accepts: a
// Redis glob (* ? [ ] and a backslash escape) over printable ASCII without
// spaces or quotes, which would end or break the access string
// (ElastiCache access strings are space-separated rules; Clusters.RBAC
// "Specifying Permissions Using an Access String").
var redisKeyPatternRe = regexp.MustCompile(`^[!#-&(-~]{1,256}$`)

// RedisAccessString is the ElastiCache access string of a consumer's
// user: on, its key patterns (`~*` without any), every pub/sub channel
// (`&*`: Redis 7 gives a new user none, acl-pubsub-default resetchannels;
// ElastiCache supports `&*` from Redis OSS 6.2, Clusters.RBAC) and
// RedisCommands.
func RedisAccessString(patterns []string) string {
	keys := "~*"
	if len(patterns) > 0 {
		keys = "~" + strings.Join(patterns, " ~")
	}
	return "on " + keys + " &* " + RedisCommands
}

// validateRedisUsers: keyPatterns only with serviceUsers, only for
// consumers of redis, each a pattern the access string can carry; the
// engine new enough for RBAC and `&*`; and not on a Global Datastore.
func (cfg *Config) validateRedisUsers(c *collector) {
	r := cfg.Data.Redis
	if r == nil {
		return
	}
	if len(r.KeyPatterns) > 0 && !r.ServiceUsers {
		c.required("data.redis.keyPatterns", "needs data.redis.serviceUsers: true (the patterns are the users' access strings)", "set serviceUsers: true, or remove keyPatterns")
	}
	consumers := map[string]bool{}
	for _, n := range cfg.RedisConsumers() {
		consumers[n] = true
	}
	for _, name := range sortedMapKeys(r.KeyPatterns) {
		path := "data.redis.keyPatterns." + name
		if !consumers[name] {
			c.invalidf(path, name, "name a fleet service or function whose uses lists redis ("+strings.Join(cfg.RedisConsumers(), ", ")+")",
				"%q does not use redis", name)
			continue
		}
		if len(r.KeyPatterns[name]) == 0 {
			c.required(path, "is empty", "list at least one pattern such as \"auction:*\", or remove the entry (every key)")
		}
		for i, p := range r.KeyPatterns[name] {
			if !redisKeyPatternRe.MatchString(p) {
				c.invalidf(fmt.Sprintf("%s[%d]", path, i), p, "use 1..256 printable characters without spaces or quotes, such as \"auction:*\"",
					"%q is not a Redis key pattern", p)
			}
		}
	}
	if !r.ServiceUsers {
		return
	}
	if !redisVersionAtLeast(r.EngineVersion, 6, 2) {
		c.notSupportedf("data.redis.engineVersion", r.EngineVersion, "use 6.2 or later (7.1 by default)",
			"%q: RBAC needs Redis OSS 6.0 and the users' `&*` channel rule 6.2 (Clusters.RBAC)", r.EngineVersion)
	}
	for _, n := range cfg.RedisConsumers() {
		if n == "default" {
			c.forbidden(cfg.consumerPath(n), "its Redis user would be named default, the user every user group holds disabled",
				"rename it, or set data.redis.serviceUsers: false")
		}
	}
	if cfg.RecoveryPolicyApplies() {
		// A DR pair's Redis is a Global Datastore member. AWS lists the
		// security features global datastores support as "encryption at
		// rest, encryption in transit, and AUTH"
		// (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastores-Getting-Started.html)
		// — not RBAC — and user groups are per Region; and pulumi-aws v6
		// (terraform-provider-aws 5.x) cannot switch a deployed group from
		// AUTH to a user group in place: it omits AuthTokenUpdateStrategy
		// DELETE, which ModifyReplicationGroup requires
		// (hashicorp/terraform-provider-aws#39546, fixed in 6.31.0 by #45518).
		c.notSupported("data.redis.serviceUsers", nil, "is not supported on a Global Datastore (a DR pair's Redis): AWS documents AUTH, not RBAC, for global datastores",
			"keep serviceUsers off in a stack with drRegion or dr.primaryStack (docs/security.md \"Trust boundaries\")")
	}
}

// redisVersionAtLeast reports whether an engine version "7.1", "6.2",
// "6.x" is at least major.minor ("6.x" counts as 6.0).
func redisVersionAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(v, ".", 3)
	ma, err := strconv.Atoi(parts[0])
	if err != nil {
		return false
	}
	mi := 0
	if len(parts) > 1 {
		mi, _ = strconv.Atoi(parts[1])
	}
	return ma > major || ma == major && mi >= minor
}

// consumerPath is the config path naming a fleet service or function.
func (cfg *Config) consumerPath(name string) string {
	if cfg.Fleet != nil {
		if i := cfg.fleetIndex(name); i >= 0 {
			return fmt.Sprintf("fleet.services[%d].name", i)
		}
	}
	return "serverless.functions." + name
}
