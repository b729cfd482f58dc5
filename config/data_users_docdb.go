package config

import (
	"fmt"
	"regexp"
)

// documentDBUserRe is a service name the DocumentDB bootstrap uses as a
// user name and a database name: lowercase letters, digits and hyphens,
// a letter first, at most 63 characters — inside MongoDB's database-name
// rules (no /\. "$*<>:|? and fewer than 64 bytes,
// https://www.mongodb.com/docs/manual/reference/limits/#naming-restrictions).
var documentDBUserRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

// reservedDocumentDBNames are names a service user (and its database)
// may not take: DocumentDB's own user (serviceadmin, which no one may log
// in as or change,
// https://docs.aws.amazon.com/documentdb/latest/developerguide/security.managing-users.html)
// and MongoDB's system databases.
var reservedDocumentDBNames = map[string]bool{"serviceadmin": true, "admin": true, "local": true, "config": true}

// validateDocumentDBUsers: with data.documentdb.serviceUsers every
// consumer of mongo gets a user and a database of its name, so each name
// must be valid and not the master's or a reserved one, the bootstrap is
// an ECS task, and no function may use mongo (it would need the master).
func (cfg *Config) validateDocumentDBUsers(c *collector) {
	m := cfg.Data.DocumentDB
	if m == nil || !m.ServiceUsers {
		return
	}
	if cfg.Fleet == nil || cfg.Fleet.Runtime != RuntimeECS {
		c.required("data.documentdb.serviceUsers", "needs fleet.runtime ecs: the users are created by an ECS bootstrap task", "set it false on EKS")
	}
	for _, svc := range cfg.DocumentDBConsumers() {
		path := fmt.Sprintf("fleet.services[%d].name", cfg.fleetIndex(svc))
		switch {
		case !documentDBUserRe.MatchString(svc):
			c.invalidf(path, svc, "use at most 63 lowercase letters, digits and hyphens, starting with a letter", "%q does not make a DocumentDB user and database name", svc)
		case reservedDocumentDBNames[svc] || svc == m.Username:
			c.forbiddenf(path, "rename the service, or set data.documentdb.serviceUsers: false", "its DocumentDB user %q is reserved or the master user's", svc)
		}
	}
	if cfg.Serverless != nil {
		for _, name := range sortedMapKeys(cfg.Serverless.Functions) {
			for i, u := range cfg.Serverless.Functions[name].Uses {
				if u == "mongo" {
					c.forbiddenf(fmt.Sprintf("serverless.functions.%s.uses[%d]", name, i), "call a service that owns the data instead",
						"with data.documentdb.serviceUsers a function has no DocumentDB user of its own and would need the master user")
				}
			}
		}
	}
}
