package config

import (
	"fmt"
	"regexp"
)

// postgresRoleRe is a role name the bootstrap writes unquoted: a lowercase
// PostgreSQL identifier of at most 63 bytes (NAMEDATALEN - 1,
// https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS).
var postgresRoleRe = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// reservedPostgresRoles are names a service role may not take: PostgreSQL's
// and RDS's own roles and schemas.
var reservedPostgresRoles = map[string]bool{
	"postgres": true, "public": true, "rdsadmin": true, "rds_superuser": true, "rds_replication": true,
	"rds_password": true, "rdsrepladmin": true, "rds_iam": true, "pg_catalog": true, "information_schema": true,
}

// validateServiceUsers: with data.postgres.serviceUsers every consumer of
// postgres gets a role, so each service's name must make a valid role that
// is not the master's or a reserved one, and no function may use postgres
// (a function would need the master).
func (cfg *Config) validateServiceUsers(c *collector) {
	p := cfg.Data.Postgres
	if p != nil && p.URLSchema && !p.ServiceUsers {
		c.required("data.postgres.urlSchema", "needs data.postgres.serviceUsers: true (the schema named is the service role's)", "set serviceUsers: true, or remove urlSchema")
	}
	if p == nil || !p.ServiceUsers {
		return
	}
	if cfg.Fleet == nil || cfg.Fleet.Runtime != RuntimeECS {
		c.required("data.postgres.serviceUsers", "needs fleet.runtime ecs: the roles are created by an ECS bootstrap task", "set it false on EKS")
	}
	for _, svc := range cfg.PostgresConsumers() {
		role := PostgresRole(svc)
		path := fmt.Sprintf("fleet.services[%d].name", cfg.fleetIndex(svc))
		switch {
		case !postgresRoleRe.MatchString(role):
			c.invalidf(path, svc, "use at most 63 lowercase letters, digits and hyphens, starting with a letter", "%q does not make a PostgreSQL role name (%q)", svc, role)
		case reservedPostgresRoles[role] || role == p.Username:
			c.forbiddenf(path, "rename the service, or set data.postgres.serviceUsers: false", "its role %q is reserved or the master user's", role)
		}
	}
	if cfg.Serverless != nil {
		for _, name := range sortedMapKeys(cfg.Serverless.Functions) {
			for i, u := range cfg.Serverless.Functions[name].Uses {
				if u == "postgres" {
					c.forbiddenf(fmt.Sprintf("serverless.functions.%s.uses[%d]", name, i), "call a service that owns the data instead",
						"with data.postgres.serviceUsers a function has no database role of its own and would need the master user")
				}
			}
		}
	}
}

// fleetIndex is a fleet service's index in fleet.services.
func (cfg *Config) fleetIndex(name string) int {
	for i, s := range cfg.Fleet.Services {
		if s.Name == name {
			return i
		}
	}
	return -1
}
