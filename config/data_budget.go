package config

import (
	"fmt"
	"strconv"
	"strings"
)

// The PostgreSQL connection budget (issue 16 item 3). Every task of a
// service that uses PostgreSQL opens up to its pool size; during an ECS
// deployment a service runs up to twice its tasks (deployment maximum
// percent 200, components/fleet/service.go), and its migration task opens a
// pool of its own. The writer accepts max_connections minus the slots
// PostgreSQL keeps for superusers (superuser_reserved_connections, default
// 3: https://www.postgresql.org/docs/16/runtime-config-connection.html)
// and those RDS keeps for rds_superuser (rds.rds_superuser_reserved_connections,
// default 2: "remaining connection slots are reserved for … rds_superuser
// connections"). A budget that does not fit fails at the worst time: a
// deployment at full scale.
const (
	// PoolSizeVar is the variable a service sets its per-task connection
	// pool with (Dhanam's guide: DATABASE_POOL_SIZE).
	PoolSizeVar = "DATABASE_POOL_SIZE"
	// DeploymentFactor is how many times its maximum task count a service
	// can run during a deployment (maximum percent 200).
	DeploymentFactor = 2
	// defaultSuperuserReserved and defaultRDSSuperuserReserved are the
	// reserved slots when the parameter group does not set them.
	defaultSuperuserReserved    = 3
	defaultRDSSuperuserReserved = 2
)

// PostgresMaxConnections is the writer's max_connections from
// data.postgres.parameters (defaults included), 0 when not a number.
func (p *Postgres) PostgresMaxConnections() int {
	n, _ := strconv.Atoi(p.Parameters["max_connections"])
	return n
}

// ConnectionCapacity is what the applications may open: max_connections
// less the superuser and rds_superuser reserved slots.
func (p *Postgres) ConnectionCapacity() int {
	reserved := func(name string, def int) int {
		if v, err := strconv.Atoi(p.Parameters[name]); err == nil {
			return v
		}
		return def
	}
	return p.PostgresMaxConnections() - reserved("superuser_reserved_connections", defaultSuperuserReserved) -
		reserved("rds.rds_superuser_reserved_connections", defaultRDSSuperuserReserved)
}

// validateConnectionBudget checks that the services that use PostgreSQL
// and declare their pool (env DATABASE_POOL_SIZE) fit in the writer's
// capacity at their maximum task count during a deployment, migration
// tasks included. A service without a declared pool is not counted: the
// program cannot know its pool.
func (cfg *Config) validateConnectionBudget(c *collector) {
	p := cfg.Data.Postgres
	if p == nil || cfg.Fleet == nil || p.PostgresMaxConnections() <= 0 {
		return
	}
	capacity := p.ConnectionCapacity()
	type use struct {
		path             string
		pool, max, slots int
		migrations       bool
	}
	var uses []use
	demand, slots := 0, 0
	for i, s := range cfg.Fleet.Services {
		v, ok := s.Env[PoolSizeVar]
		if !ok || !containsStr(s.Uses, "postgres") {
			continue
		}
		path := fmt.Sprintf("fleet.services[%d].env.%s", i, PoolSizeVar)
		pool, err := strconv.Atoi(v)
		if err != nil || pool < 1 {
			c.invalidf(path, v, "use a positive integer", "%q is not a connection pool size", v)
			continue
		}
		u := use{path: path, pool: pool, max: s.Max, slots: s.Max * DeploymentFactor, migrations: s.Migrations != nil}
		if u.migrations {
			u.slots++
		}
		uses = append(uses, u)
		demand += pool * u.slots
		slots += u.slots
	}
	if demand <= capacity || len(uses) == 0 {
		return
	}
	var terms []string
	for _, u := range uses {
		t := fmt.Sprintf("%s %d × (%d tasks × %d during a deployment", u.path, u.pool, u.max, DeploymentFactor)
		if u.migrations {
			t += " + 1 migration task"
		}
		terms = append(terms, t+")")
	}
	fit := capacity / slots
	c.invalidf(uses[0].path, nil, fmt.Sprintf("use %s ≤ %d, fewer tasks (max), or a larger data.postgres.parameters.max_connections (docs/configuration.md \"Connection budget\")", PoolSizeVar, fit),
		"%s = %d connections exceed the %d the writer accepts (data.postgres.parameters.max_connections %d less %d reserved for superusers)",
		strings.Join(terms, " + "), demand, capacity, p.PostgresMaxConnections(), p.PostgresMaxConnections()-capacity)
}
