package tests

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/tokens"
)

// Issue 15 item 2, DocumentDB: with data.documentdb.serviceUsers (DBay,
// both stacks) the messaging service reads MONGO_URI from its own user's
// secret (user messaging, database messaging, authSource=admin), and the
// DocumentDB master secret is readable by the DocumentDB bootstrap task's
// execution role alone; the wiring proof shows the edge's identity.
func TestEveryDocumentDBConsumerConnectsAsItsOwnUser(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"prod", "dr"} {
		r := synthesize(t, root, stack)
		master := must(t, r, tokens.SecretsManagerSecret, "mongo-credentials").Out()["arn"].(string)
		var readers []string
		for _, p := range r.Engine.ByType(tokens.IAMRolePolicy) {
			if s, _ := p.In()["policy"].(string); strings.Contains(s, master) {
				readers = append(readers, p.Name)
			}
		}
		sort.Strings(readers)
		if len(readers) != 1 || readers[0] != "documentdb-bootstrap-exec-store-credentials" {
			t.Errorf("%s: the DocumentDB master secret is readable by %v, want the bootstrap task alone", stack, readers)
		}
		own := must(t, r, tokens.SecretsManagerSecret, "mongo-messaging-credentials").Out()["arn"].(string)
		if got := secretFrom(t, must(t, r, tokens.ECSTaskDefinition, "messaging").In()["containerDefinitions"], "MONGO_URI"); got != own+":url::" {
			t.Errorf("%s: messaging reads MONGO_URI from %s, want its own user's secret %s", stack, got, own)
		}
		boot := must(t, r, tokens.ECSTaskDefinition, "documentdb-bootstrap").In()
		if got := secretFrom(t, boot["containerDefinitions"], "MONGO_URI"); got != master+":url::" {
			t.Errorf("%s: the bootstrap reads MONGO_URI from %s, want the master's", stack, got)
		}
		if got := secretFrom(t, boot["containerDefinitions"], "MESSAGING_PASSWORD"); got != own+":password::" {
			t.Errorf("%s: the bootstrap reads MESSAGING_PASSWORD from %s, want the user's secret", stack, got)
		}
		v := must(t, r, tokens.SecretsManagerSecretVersion, "mongo-messaging-credentials").Inputs["secretString"]
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
		var sec struct{ URL, Username string }
		if err := json.Unmarshal([]byte(v.StringValue()), &sec); err != nil {
			t.Fatal(err)
		}
		if sec.Username != "messaging" || !strings.HasPrefix(sec.URL, "mongodb://messaging:") || !strings.Contains(sec.URL, ":27017/messaging?authSource=admin&tls=true&tlsCAFile=global-bundle.pem") {
			t.Errorf("%s: messaging's secret is user %s, want messaging with its database and authSource=admin", stack, sec.Username)
		}
		seen := false
		for _, e := range r.Wiring().Edges {
			if e.Dependency == "mongo" {
				seen = true
				if want := strings.TrimPrefix(e.Consumer, "service "); e.Identity != want {
					t.Errorf("%s: %s connects to mongo as %q, want %q", stack, e.Consumer, e.Identity, want)
				}
			}
		}
		if !seen {
			t.Errorf("%s: no mongo edge in the wiring proof", stack)
		}
	}
}

// secretFrom is the valueFrom of a variable in a task's container definitions.
func secretFrom(t *testing.T, defs any, name string) string {
	t.Helper()
	var cs []struct {
		Secrets []struct{ Name, ValueFrom string } `json:"secrets"`
	}
	if err := json.Unmarshal([]byte(defs.(string)), &cs); err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		for _, s := range c.Secrets {
			if s.Name == name {
				return s.ValueFrom
			}
		}
	}
	return ""
}
