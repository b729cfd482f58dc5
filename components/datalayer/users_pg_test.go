package datalayer

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The bootstrap SQL, run by psql against a real PostgreSQL server as a
// master like RDS's (CREATEROLE, owner of the database, not a superuser):
// it succeeds twice (idempotent), and then each role works in its own
// schema and cannot touch another's. Skipped where no PostgreSQL server
// binaries are installed (this image has PostgreSQL 15's).
func TestBootstrapScriptOnPostgreSQL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL server")
	}
	pg := startPostgres(t)
	pg.psql(t, "postgres", "postgres", "CREATE ROLE dbay_admin LOGIN CREATEROLE CREATEDB")
	pg.psql(t, "postgres", "postgres", "CREATE DATABASE dbay OWNER dbay_admin")
	script, sql := BootstrapScript("dbay", []string{"listing", "wallet"})
	for run := 1; run <= 2; run++ {
		cmd := pg.command(t, "sh", "-c", script)
		cmd.Env = append(os.Environ(), "DATABASE_URL="+pg.url("dbay_admin", "dbay"), BootstrapSQLVar+"="+sql,
			"LISTING_PASSWORD=listing-pw", "WALLET_PASSWORD=wallet-pw")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("bootstrap run %d: %v\n%s", run, err, out)
		}
	}
	pg.psql(t, "wallet", "dbay", "CREATE TABLE balances (id int); INSERT INTO balances VALUES (1);")
	if got := strings.TrimSpace(pg.psql(t, "wallet", "dbay", "SELECT schemaname FROM pg_tables WHERE tablename = 'balances'")); got != "wallet" {
		t.Errorf("wallet's table is in schema %q, want wallet", got)
	}
	pg.psql(t, "listing", "dbay", "CREATE TABLE items (id int);")
	for _, stmt := range []string{"SELECT * FROM wallet.balances", "CREATE TABLE wallet.forged (id int)", "CREATE TABLE public.shared (id int)", "CREATE ROLE intruder"} {
		if out, err := pg.try("listing", "dbay", stmt); err == nil {
			t.Errorf("listing may %q:\n%s", stmt, out)
		}
	}
	if got := strings.TrimSpace(pg.psql(t, "postgres", "dbay", "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication FROM pg_roles WHERE rolname = 'wallet'")); got != "f" {
		t.Errorf("wallet holds a privileged attribute: %s", got)
	}
}

// pgServer is a throwaway PostgreSQL server on a Unix socket.
type pgServer struct {
	dir  string
	port int
	as   *user.User // the OS user the server runs as (not root)
}

func startPostgres(t *testing.T) *pgServer {
	t.Helper()
	for _, bin := range []string{"initdb", "postgres", "psql"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("no %s on PATH", bin)
		}
	}
	// Not t.TempDir(): its parent is private to the test's user, and the
	// server may run as another (postgres, when the test runs as root).
	dir, err := os.MkdirTemp("", "pgbootstrap")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	pg := &pgServer{dir: dir, port: 55000 + os.Getpid()%5000}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root and no postgres user to run the server as")
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			t.Skip("running as root and no runuser")
		}
		pg.as = u
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chmod(pg.dir, 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(pg.dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(pg.dir, "data")
	if out, err := pg.command(t, "initdb", "-D", data, "-U", "postgres", "--auth=trust").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	srv := pg.command(t, "postgres", "-D", data, "-k", pg.dir, "-p", strconv.Itoa(pg.port), "-c", "listen_addresses=")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Process.Kill(); _, _ = srv.Process.Wait() })
	for i := 0; i < 100; i++ {
		if _, err := pg.try("postgres", "postgres", "SELECT 1"); err == nil {
			return pg
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("PostgreSQL did not start")
	return nil
}

// command runs a program as the server's OS user.
func (pg *pgServer) command(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	if pg.as != nil {
		return exec.Command("runuser", append([]string{"-u", pg.as.Username, "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

func (pg *pgServer) url(role, db string) string {
	return fmt.Sprintf("postgresql://%s@/%s?host=%s&port=%d", role, db, pg.dir, pg.port)
}

// try runs one statement as role, returning psql's output and error.
func (pg *pgServer) try(role, db, sql string) (string, error) {
	cmd := exec.Command("psql", pg.url(role, db), "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (pg *pgServer) psql(t *testing.T, role, db, sql string) string {
	t.Helper()
	out, err := pg.try(role, db, sql)
	if err != nil {
		t.Fatalf("as %s: %s: %v\n%s", role, sql, err, out)
	}
	return out
}
