package config

import (
	"strings"
	"testing"
)

// data.documentdb.serviceUsers: a user (and database) per service that
// uses mongo; a reserved or master name, a function using mongo, and an
// EKS fleet are refused with the key path.
func TestDocumentDBUsersRules(t *testing.T) {
	t.Parallel()
	cfg := func(names []string, runtime string, fnUsesMongo bool) *Config {
		c := &Config{Fleet: &Fleet{Runtime: runtime}, Data: Data{DocumentDB: &DocumentDB{ServiceUsers: true, Username: "dbay_admin"}}}
		for _, n := range names {
			c.Fleet.Services = append(c.Fleet.Services, FleetService{Name: n, Uses: []string{"mongo", "redis"}})
		}
		c.Fleet.Services = append(c.Fleet.Services, FleetService{Name: "search-gateway", Uses: []string{"search"}})
		if fnUsesMongo {
			c.Serverless = &Serverless{Functions: map[string]LambdaFunction{"audit": {Uses: []string{"redis", "mongo"}}}}
		}
		return c
	}
	tests := []struct {
		name string
		cfg  *Config
		want []string
	}{
		{"DBay", cfg([]string{"messaging", "audit-log"}, RuntimeECS, false), nil},
		{"reserved", cfg([]string{"serviceadmin", "admin", "dbay_admin"}, RuntimeECS, false), []string{
			`fleet.services[0].name: its DocumentDB user "serviceadmin" is reserved or the master user's`,
			`fleet.services[1].name: its DocumentDB user "admin" is reserved or the master user's`,
			`fleet.services[2].name: "dbay_admin" does not make a DocumentDB user and database name`,
		}},
		{"function", cfg([]string{"messaging"}, RuntimeECS, true), []string{
			"serverless.functions.audit.uses[1]: with data.documentdb.serviceUsers a function has no DocumentDB user of its own",
		}},
		{"eks", cfg([]string{"messaging"}, RuntimeEKS, false), []string{"data.documentdb.serviceUsers: needs fleet.runtime ecs"}},
		{"off", &Config{Data: Data{DocumentDB: &DocumentDB{}}}, nil},
	}
	for _, tt := range tests {
		c := &collector{}
		tt.cfg.validateDocumentDBUsers(c)
		var got []string
		for _, e := range c.errs {
			got = append(got, e.Error())
		}
		matchErrors(t, tt.name, got, tt.want)
	}
	if got := cfg([]string{"messaging", "audit-log"}, RuntimeECS, false).DocumentDBConsumers(); strings.Join(got, ",") != "messaging,audit-log" {
		t.Errorf("consumers = %v", got)
	}
}
