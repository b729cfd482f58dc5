package config

import (
	"strings"
	"testing"
	"time"
)

// warning is how long before a pinned default's end of support CI fails.
const warning = 90 * 24 * time.Hour

// Every pinned version default is in the catalog, equals the value the
// defaults apply, and is at least 90 days from its end of support.
func TestPinnedVersionsAreNotExpiring(t *testing.T) {
	t.Parallel()
	d := Data{Postgres: &Postgres{}, DocumentDB: &DocumentDB{}, Redis: &Redis{}, Memcached: &Memcached{}, OpenSearch: &OpenSearch{}}
	d.applyDefaults("dbay")
	applied := map[string]string{
		"data.postgres.engineVersion":     d.Postgres.EngineVersion,
		"data.documentdb.engineVersion":   d.DocumentDB.EngineVersion,
		"data.redis.engineVersion":        d.Redis.EngineVersion,
		"data.memcached (engine version)": DefaultMemcachedVersion,
		"data.opensearch.engineVersion":   d.OpenSearch.EngineVersion,
		"serverless.runtime":              DefaultLambdaRuntime,
	}
	var eks FleetEKS
	eks.applyDefaults("dbay", nil)
	applied["fleet.eks.version"] = eks.Version
	applied["fleet.eks.externalSecretsVersion"] = eks.ExternalSecretsVersion
	applied["fleet.eks.loadBalancerControllerVersion"] = eks.LoadBalancerControllerVersion
	seen := map[string]bool{}
	for _, v := range PinnedVersions {
		seen[v.Setting] = true
		if got, ok := applied[v.Setting]; !ok || got != v.Version {
			t.Errorf("%s: catalog says %q, the default is %q", v.Setting, v.Version, got)
		}
		if !strings.HasPrefix(v.Source, "https://") {
			t.Errorf("%s: source %q", v.Setting, v.Source)
		}
		if v.Ends == "" {
			continue
		}
		end, err := time.Parse(time.DateOnly, v.Ends)
		if err != nil {
			t.Errorf("%s: end %q: %v", v.Setting, v.Ends, err)
			continue
		}
		if left := time.Until(end); left < warning {
			t.Errorf("%s %s: AWS ends it on %s (%d days): move the default to a supported version (%s)",
				v.Setting, v.Version, v.Ends, int(left.Hours()/24), v.Source)
		}
	}
	for k := range applied {
		if !seen[k] {
			t.Errorf("%s has a pinned default but no catalog entry", k)
		}
	}
}

func TestLambdaRuntimesExpireOnTheirDate(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time { tm, _ := time.Parse(time.DateOnly, s); return tm }
	has := func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	if got := lambdaRuntimesAt(day("2028-10-30")); !has(got, "python3.12") {
		t.Errorf("python3.12 refused before its deprecation: %v", got)
	}
	if got := lambdaRuntimesAt(day("2028-10-31")); has(got, "python3.12") {
		t.Errorf("python3.12 accepted on its deprecation day: %v", got)
	}
	for _, gone := range []string{"python3.11", "nodejs20.x", "provided.al2", "ruby3.3"} {
		if has(LambdaRuntimes(), gone) {
			t.Errorf("%s is deprecated but accepted", gone)
		}
	}
}

func TestPostgresVersionProblem(t *testing.T) {
	t.Parallel()
	for v, ok := range map[string]bool{"16": true, "16.9": true, "16.11": true, "16.4": false, "16.8": false, "15": false, "16.x": false, "16.11.1": false, "": false} {
		if got := PostgresVersionProblem(v) == ""; got != ok {
			t.Errorf("%q: creatable %v, want %v (%s)", v, got, ok, PostgresVersionProblem(v))
		}
	}
}
