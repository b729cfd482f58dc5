package datalayer

import (
	"strings"
	"testing"
)

// A role's password is derived from the master's: fixed for a master and
// a role, different per role and per master, 64 hex characters (inside
// PostgreSQL's and a URL's alphabets).
func TestRolePassword(t *testing.T) {
	a, b := RolePassword("master-one", "wallet"), RolePassword("master-one", "listing")
	if a == b || a != RolePassword("master-one", "wallet") || a == RolePassword("master-two", "wallet") || len(a) != 64 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("passwords %q %q", a, b)
	}
	// HMAC-SHA256("master-one", "postgres-role:wallet"), by openssl:
	// printf 'postgres-role:wallet' | openssl dgst -sha256 -hmac master-one
	if want := "b6678285004c8bfc70e9960533a51759894da1460c9843b5ed7c89838c8e9a13"; a != want {
		t.Errorf("RolePassword = %s, want %s", a, want)
	}
}

// The bootstrap creates each role with nothing but its schema, reads the
// passwords from psql variables (never in the script or SQL), and stops
// at the first error.
func TestBootstrapScript(t *testing.T) {
	script, sql := BootstrapScript("dbay", []string{"listing", "wallet"})
	for _, want := range []string{`-v ON_ERROR_STOP=1`, `-v listing_pw="$LISTING_PASSWORD"`, `-v wallet_pw="$WALLET_PASSWORD"`, `"$BOOTSTRAP_SQL" | psql "$DATABASE_URL"`, "set -eu"} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
	}
	for _, want := range []string{
		`REVOKE ALL ON DATABASE "dbay" FROM PUBLIC;`,
		`SELECT 'CREATE ROLE wallet LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'wallet')\gexec`,
		`ALTER ROLE wallet WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD :'wallet_pw';`,
		`GRANT CONNECT, TEMPORARY ON DATABASE "dbay" TO wallet;`,
		`CREATE SCHEMA IF NOT EXISTS wallet AUTHORIZATION wallet;`,
		`ALTER ROLE wallet SET search_path = wallet;`,
	} {
		if !strings.Contains(sql, want) {
			t.Errorf("SQL lacks %q:\n%s", want, sql)
		}
	}
	if strings.Contains(sql, "rds_superuser") || strings.Contains(sql, "GRANT ALL") {
		t.Errorf("SQL grants more than a schema:\n%s", sql)
	}
	// The RDS master is not a true superuser: PostgreSQL refuses an ALTER
	// ROLE that names SUPERUSER or REPLICATION from it, even to deny them
	// (https://www.postgresql.org/docs/16/sql-alterrole.html).
	for _, attr := range []string{"SUPERUSER", "REPLICATION", "BYPASSRLS"} {
		if strings.Contains(sql, attr) {
			t.Errorf("the SQL names %s, which only a superuser may:\n%s", attr, sql)
		}
	}
}
