package config

import (
	"strings"
	"testing"
)

// data.postgres.serviceUsers: a role per service that uses postgres; a
// service whose role would be reserved or the master's, a function using
// postgres, and an EKS fleet are refused with the key path.
func TestServiceUsersRules(t *testing.T) {
	t.Parallel()
	cfg := func(names []string, runtime string, fnUsesPostgres bool) *Config {
		c := &Config{Fleet: &Fleet{Runtime: runtime}, Data: Data{Postgres: &Postgres{ServiceUsers: true, Username: "dbay_admin"}}}
		for _, n := range names {
			c.Fleet.Services = append(c.Fleet.Services, FleetService{Name: n, Uses: []string{"postgres", "redis"}})
		}
		c.Fleet.Services = append(c.Fleet.Services, FleetService{Name: "search-gateway", Uses: []string{"search"}})
		if fnUsesPostgres {
			c.Serverless = &Serverless{Functions: map[string]LambdaFunction{"credit_user": {Uses: []string{"redis", "postgres"}}}}
		}
		return c
	}
	tests := []struct {
		name string
		cfg  *Config
		want []string
	}{
		{"DBay", cfg([]string{"listing", "wallet", "search-gw"}, RuntimeECS, false), nil},
		{"reserved", cfg([]string{"postgres", "dbay-admin"}, RuntimeECS, false), []string{
			`fleet.services[0].name: its role "postgres" is reserved or the master user's`,
			`fleet.services[1].name: its role "dbay_admin" is reserved or the master user's`,
		}},
		{"function", cfg([]string{"wallet"}, RuntimeECS, true), []string{
			"serverless.functions.credit_user.uses[1]: with data.postgres.serviceUsers a function has no database role of its own",
		}},
		{"eks", cfg([]string{"wallet"}, RuntimeEKS, false), []string{"data.postgres.serviceUsers: needs fleet.runtime ecs"}},
		{"urlSchema without serviceUsers", &Config{Data: Data{Postgres: &Postgres{URLSchema: true}}}, []string{
			"data.postgres.urlSchema: needs data.postgres.serviceUsers: true",
		}},
	}
	for _, tt := range tests {
		c := &collector{}
		tt.cfg.validateServiceUsers(c)
		var got []string
		for _, e := range c.errs {
			got = append(got, e.Error())
		}
		matchErrors(t, tt.name, got, tt.want)
	}
	if got := cfg([]string{"listing", "search-gw"}, RuntimeECS, false).PostgresConsumers(); strings.Join(got, ",") != "listing,search-gw" {
		t.Errorf("consumers = %v", got)
	}
	if PostgresRole("search-gw") != "search_gw" {
		t.Error("role names turn - into _")
	}
}

// matchErrors checks errors against wanted fragments, in order: as many,
// each containing its fragment. It reports whether they matched.
func matchErrors(t *testing.T, name string, got, want []string) bool {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: errors\n%s\nwant %d", name, strings.Join(got, "\n"), len(want))
		return false
	}
	ok := true
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("%s: error %d = %q, want it to contain %q", name, i, got[i], w)
			ok = false
		}
	}
	return ok
}
