package config

import (
	"testing"
)

// data.redis.serviceUsers and keyPatterns: patterns only with the option,
// only for consumers of redis, each one the access string can carry; an
// engine older than 6.2, a consumer named default and a Global Datastore
// (a DR pair) are refused, each with its key path.
func TestRedisUsersRules(t *testing.T) {
	t.Parallel()
	cfg := func(users bool, patterns map[string][]string, mod func(*Config)) *Config {
		c := &Config{
			Role:  RolePrimary,
			Fleet: &Fleet{Services: []FleetService{{Name: "auction", Uses: []string{"postgres", "redis"}}, {Name: "search-gateway", Uses: []string{"search"}}}},
			Serverless: &Serverless{Functions: map[string]LambdaFunction{
				"auction_closer": {Uses: []string{"redis"}}, "authorizer": {},
			}},
			Data: Data{Redis: &Redis{EngineVersion: "7.1", ServiceUsers: users, KeyPatterns: patterns}},
		}
		if mod != nil {
			mod(c)
		}
		return c
	}
	tests := []struct {
		name string
		cfg  *Config
		want []string
	}{
		{"off", cfg(false, nil, nil), nil},
		{"on", cfg(true, map[string][]string{"auction": {"auction:*", "lock:auction:*"}, "auction_closer": {"auction:*"}}, nil), nil},
		{"patterns without the option", cfg(false, map[string][]string{"auction": {"auction:*"}}, nil), []string{
			"data.redis.keyPatterns: needs data.redis.serviceUsers: true",
		}},
		{"not a consumer", cfg(true, map[string][]string{"search-gateway": {"x:*"}, "authorizer": {"y:*"}}, nil), []string{
			`data.redis.keyPatterns.authorizer: "authorizer" does not use redis`,
			`data.redis.keyPatterns.search-gateway: "search-gateway" does not use redis`,
		}},
		{"bad patterns", cfg(true, map[string][]string{"auction": {"auction:*", "two words", `"q"`}, "auction_closer": {}}, nil), []string{
			`data.redis.keyPatterns.auction[1]: "two words" is not a Redis key pattern`,
			`data.redis.keyPatterns.auction[2]: "\"q\"" is not a Redis key pattern`,
			"data.redis.keyPatterns.auction_closer: is empty",
		}},
		{"old engine", cfg(true, nil, func(c *Config) { c.Data.Redis.EngineVersion = "6.0" }), []string{
			`data.redis.engineVersion: "6.0": RBAC needs Redis OSS 6.0 and the users' ` + "`&*`" + ` channel rule 6.2`,
		}},
		{"consumer named default", cfg(true, nil, func(c *Config) {
			c.Fleet.Services = append(c.Fleet.Services, FleetService{Name: "default", Uses: []string{"redis"}})
		}), []string{"fleet.services[2].name: its Redis user would be named default"}},
		{"global datastore (primary with drRegion)", cfg(true, nil, func(c *Config) { c.DRRegion = "us-west-2" }), []string{
			"data.redis.serviceUsers: is not supported on a Global Datastore",
		}},
		{"global datastore (recovery)", cfg(true, nil, func(c *Config) { c.Role = RoleRecovery }), []string{
			"data.redis.serviceUsers: is not supported on a Global Datastore",
		}},
	}
	for _, tt := range tests {
		c := &collector{}
		tt.cfg.validateRedisUsers(c)
		var got []string
		for _, e := range c.errs {
			got = append(got, e.Error())
		}
		matchErrors(t, tt.name, got, tt.want)
	}
}

// The access string: on, the patterns (every key without any), every
// channel, all commands but @dangerous with INFO.
func TestRedisAccessString(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		patterns []string
		want     string
	}{
		{nil, "on ~* &* +@all -@dangerous +info"},
		{[]string{"auction:*", "lock:*"}, "on ~auction:* ~lock:* &* +@all -@dangerous +info"},
	} {
		if got := RedisAccessString(tt.patterns); got != tt.want {
			t.Errorf("RedisAccessString(%v) = %q, want %q", tt.patterns, got, tt.want)
		}
	}
	cfg := &Config{
		Fleet:      &Fleet{Services: []FleetService{{Name: "a", Uses: []string{"redis"}}, {Name: "b", Uses: []string{"postgres"}}}},
		Serverless: &Serverless{Functions: map[string]LambdaFunction{"z_fn": {Uses: []string{"redis"}}, "m_fn": {Uses: []string{"redis"}}}},
	}
	if got := cfg.RedisConsumers(); len(got) != 3 || got[0] != "a" || got[1] != "m_fn" || got[2] != "z_fn" {
		t.Errorf("RedisConsumers = %v, want [a m_fn z_fn]", got)
	}
}
