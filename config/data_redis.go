package config

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// RedisParameter is a Redis parameter the program lets a stack set, with
// what ElastiCache accepts for it (ElastiCache User Guide, "Redis OSS 7
// parameters" and the parameters carried over from earlier versions:
// https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html).
type RedisParameter struct {
	// Values lists the accepted values; empty when Pattern or Range says.
	Values []string
	// Pattern the value must match, when not an enumeration or a range.
	Pattern *regexp.Regexp
	// Min and Max bound an integer value (Max 0: no upper bound).
	Min, Max int64
	// Integer says the value is an integer in Min..Max.
	Integer bool
}

// RedisParameters are the parameters data.redis.parameters may set.
var RedisParameters = map[string]RedisParameter{
	// Queue libraries (BullMQ: "maxmemory-policy noeviction", https://docs.bullmq.io/guide/going-to-production#max-memory-policy)
	// must not lose keys under memory pressure.
	"maxmemory-policy":          {Values: []string{"volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-random", "allkeys-random", "volatile-ttl", "noeviction"}},
	"maxmemory-samples":         {Integer: true, Min: 1, Max: 64},
	"timeout":                   {Integer: true, Min: 0},
	"tcp-keepalive":             {Integer: true, Min: 0},
	"notify-keyspace-events":    {Pattern: regexp.MustCompile(`^[KEg$lshzxeAtmdn]*$`)},
	"slowlog-log-slower-than":   {Integer: true, Min: 0},
	"slowlog-max-len":           {Integer: true, Min: 0},
	"lazyfree-lazy-eviction":    {Values: []string{"yes", "no"}},
	"lazyfree-lazy-expire":      {Values: []string{"yes", "no"}},
	"lazyfree-lazy-server-del":  {Values: []string{"yes", "no"}},
	"lazyfree-lazy-user-del":    {Values: []string{"yes", "no"}},
	"activedefrag":              {Values: []string{"yes", "no"}},
	"reserved-memory-percent":   {Integer: true, Min: 0, Max: 100},
	"list-max-listpack-size":    {Integer: true, Min: -5, Max: 65535},
	"hash-max-listpack-entries": {Integer: true, Min: 0},
}

// RedisFamily is the ElastiCache parameter group family of a Redis engine
// version: redis7 for 7.x, redis6.x for 6.x, redis5.0 for 5.0.x.
func RedisFamily(version string) string {
	major := strings.SplitN(version, ".", 2)[0]
	switch major {
	case "7":
		return "redis7"
	case "6":
		return "redis6.x"
	}
	return "redis" + strings.Join(strings.SplitN(version, ".", 3)[:2], ".")
}

// validateParameters checks data.redis.parameters names and values.
func (r *Redis) validateParameters(c *collector) {
	names := make([]string, 0, len(r.Parameters))
	for k := range r.Parameters {
		names = append(names, k)
	}
	sort.Strings(names)
	known := make([]string, 0, len(RedisParameters))
	for k := range RedisParameters {
		known = append(known, k)
	}
	sort.Strings(known)
	for _, k := range names {
		v, path := r.Parameters[k], "data.redis.parameters."+k
		p, ok := RedisParameters[k]
		if !ok {
			c.notSupportedf(path, k, "use one of "+strings.Join(known, ", "), "%s is not a Redis parameter this program sets", k)
			continue
		}
		switch {
		case len(p.Values) > 0:
			if !containsStr(p.Values, v) {
				c.invalidf(path, v, "use one of "+strings.Join(p.Values, ", "), "%q is not a valid %s", v, k)
			}
		case p.Integer:
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < p.Min || (p.Max != 0 && n > p.Max) {
				want := fmt.Sprintf("an integer ≥ %d", p.Min)
				if p.Max != 0 {
					want = fmt.Sprintf("an integer in %d..%d", p.Min, p.Max)
				}
				c.invalidf(path, v, "use "+want, "%q is not a valid %s", v, k)
			}
		case p.Pattern != nil && !p.Pattern.MatchString(v):
			c.invalidf(path, v, "use characters matching "+p.Pattern.String(), "%q is not a valid %s", v, k)
		}
	}
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
