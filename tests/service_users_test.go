package tests

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/tokens"
)

// Issue 15 item 2: with data.postgres.serviceUsers (DBay, both stacks)
// every service and its migration task read DATABASE_URL from their own
// role's secret, and the master secret is readable by the bootstrap task's
// execution role alone.
func TestEveryServiceConnectsAsItsOwnRole(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"prod", "dr"} {
		r := synthesize(t, root, stack)
		master := must(t, r, tokens.SecretsManagerSecret, "postgres-credentials").Out()["arn"].(string)
		var readers []string
		for _, p := range r.Engine.ByType(tokens.IAMRolePolicy) {
			if s, _ := p.In()["policy"].(string); strings.Contains(s, master) {
				readers = append(readers, p.Name)
			}
		}
		sort.Strings(readers)
		if len(readers) != 1 || readers[0] != "postgres-bootstrap-exec-store-credentials" {
			t.Errorf("%s: the master secret is readable by %v, want the bootstrap task alone", stack, readers)
		}
		for _, svc := range []string{"listing", "auction", "wallet", "user", "order"} {
			own := must(t, r, tokens.SecretsManagerSecret, "postgres-"+svc+"-credentials").Out()["arn"].(string)
			for _, td := range []string{svc, svc + "-migrate"} {
				if got := dbURLFrom(t, must(t, r, tokens.ECSTaskDefinition, td).In()["containerDefinitions"]); got != own+":url::" {
					t.Errorf("%s: %s reads DATABASE_URL from %s, want its own role's secret %s", stack, td, got, own)
				}
			}
		}
		boot := must(t, r, tokens.ECSTaskDefinition, "postgres-bootstrap").In()
		if got := dbURLFrom(t, boot["containerDefinitions"]); got != master+":url::" {
			t.Errorf("%s: the bootstrap reads DATABASE_URL from %s, want the master's", stack, got)
		}
		for _, e := range r.Wiring().Edges {
			if e.Dependency == "postgres" && e.Identity != strings.TrimPrefix(e.Consumer, "service ") {
				t.Errorf("%s: %s connects as %q", stack, e.Consumer, e.Identity)
			}
		}
	}
}

// dbURLFrom is the valueFrom of DATABASE_URL in a task's container definitions.
func dbURLFrom(t *testing.T, defs any) string {
	t.Helper()
	var cs []struct {
		Secrets []struct{ Name, ValueFrom string } `json:"secrets"`
	}
	if err := json.Unmarshal([]byte(defs.(string)), &cs); err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		for _, s := range c.Secrets {
			if s.Name == "DATABASE_URL" {
				return s.ValueFrom
			}
		}
	}
	return ""
}

// Dhanam: the api (and its migrations) connect as role api, and the URL
// names the schema for Prisma (data.postgres.urlSchema: Prisma sets its
// search path from the URL's schema argument, default public, where the
// role may not create tables). The master is the bootstrap's alone.
func TestDhanamConnectsAsItsOwnRoleWithPrismaSchema(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"prod", "dr"} {
		r := synthesize(t, dhanamDir, stack)
		own := must(t, r, tokens.SecretsManagerSecret, "postgres-api-credentials").Out()["arn"].(string)
		for _, td := range []string{"api", "api-migrate"} {
			if got := dbURLFrom(t, must(t, r, tokens.ECSTaskDefinition, td).In()["containerDefinitions"]); got != own+":url::" {
				t.Errorf("%s: %s reads DATABASE_URL from %s, want role api's secret", stack, td, got)
			}
		}
		v := must(t, r, tokens.SecretsManagerSecretVersion, "postgres-api-credentials").Inputs["secretString"]
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
		var sec struct{ URL, Username string }
		if err := json.Unmarshal([]byte(v.StringValue()), &sec); err != nil {
			t.Fatal(err)
		}
		if sec.Username != "api" || !strings.HasPrefix(sec.URL, "postgresql://api:") || !strings.HasSuffix(sec.URL, "?sslmode=require&schema=api") {
			t.Errorf("%s: role api's secret is %s with URL …%s, want user api and ?sslmode=require&schema=api", stack, sec.Username, sec.URL[strings.LastIndex(sec.URL, "/"):])
		}
		for _, e := range r.Wiring().Edges {
			if e.Dependency == "postgres" && e.Identity != "api" {
				t.Errorf("%s: %s connects as %q", stack, e.Consumer, e.Identity)
			}
		}
	}
}
