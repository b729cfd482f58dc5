package datalayer

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A user's password is derived from the master's under its own label:
// not the PostgreSQL role's for the same name.
func TestDocumentDBUserPassword(t *testing.T) {
	t.Parallel()
	a := DocumentDBUserPassword("master-one", "messaging")
	if a != DocumentDBUserPassword("master-one", "messaging") || a == DocumentDBUserPassword("master-two", "messaging") ||
		a == RolePassword("master-one", "messaging") || len(a) != 64 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("password %q", a)
	}
}

// The user's URL names its database and authenticates against admin
// (where DocumentDB keeps every user), with the master's TLS options.
func TestMongoUserSecret(t *testing.T) {
	t.Parallel()
	s := MongoUserSecret("h.docdb.amazonaws.com", 27017, "messaging", "pw", "messaging")
	want := "mongodb://messaging:pw@h.docdb.amazonaws.com:27017/messaging?authSource=admin&" + mongoOptions
	if s.URL != want || s.DBName != "messaging" || s.Username != "messaging" {
		t.Errorf("secret %+v, want URL %s", s, want)
	}
}

// The bootstrap script: CA bundle first, then per user usersInfo and
// createUser-or-updateUser with readWrite on its own database only, the
// password from the environment (never in the script), and valid
// JavaScript (node --check, the top-level awaits inside an async
// function as mongosh runs them).
func TestDocumentDBBootstrapScript(t *testing.T) {
	t.Parallel()
	js := DocumentDBBootstrapScript([]string{"messaging", "audit-log"})
	for _, want := range []string{
		`https.get("https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"`,
		`fs.writeFileSync("global-bundle.pem", pem);`,
		`connect(process.env.MONGO_URI).getSiblingDB('admin')`,
		`setReadPref('primary')`,
		`{"user":"messaging","db":"messaging","pwdVar":"MESSAGING_PASSWORD"}`,
		`{"user":"audit-log","db":"audit-log","pwdVar":"AUDIT_LOG_PASSWORD"}`,
		`const pwd = process.env[u.pwdVar];`,
		`if (admin.getUser(u.user) === null) {`,
		`admin.createUser({ user: u.user, pwd: pwd, roles: roles });`,
		`admin.updateUser(u.user, { pwd: pwd, roles: roles });`,
		`const roles = [{ role: 'readWrite', db: u.db }];`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("script lacks %q:\n%s", want, js)
		}
	}
	// Idempotent: the CA download precedes the connection, and the
	// update branch sets exactly the role the create branch grants.
	if strings.Index(js, "writeFileSync") > strings.Index(js, "connect(") {
		t.Error("the script connects before writing the CA bundle its URL names")
	}
	for _, bad := range []string{"AnyDatabase", "clusterAdmin", "root", "dbAdmin", "userAdmin", "grantRolesToUser"} {
		if strings.Contains(js, bad) {
			t.Errorf("the script grants %s:\n%s", bad, js)
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	f := filepath.Join(t.TempDir(), "bootstrap.js")
	if err := os.WriteFile(f, []byte("(async () => {\n"+js+"\n})();\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(node, "--check", f).CombinedOutput(); err != nil {
		t.Errorf("node --check: %v\n%s", err, out)
	}
}
