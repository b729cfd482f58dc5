// Package tests runs every shipped stack configuration of the program under
// the mock engine and checks what the whole stack would create.
package tests

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
	"github.com/dbay/infra/stacks"
)

// root is the repository root, where Pulumi.yaml lives.
const root = ".."

// synthesize runs a stack once per test binary (synth.SharedStack): the
// result is shared, read-only (TestMain checks nothing changed it).
func synthesize(t *testing.T, dir, stack string) *synth.Result {
	t.Helper()
	r, err := synth.SharedStack(dir, stack)
	if err != nil {
		t.Fatalf("%s/%s: %v", dir, stack, err)
	}
	return r
}

func countTypes(r *synth.Result) map[string]int {
	out := map[string]int{}
	for _, res := range r.Resources {
		out[res.Type]++
	}
	return out
}

// The golden list of resource types per stack (golden_test.go). A change
// there is a change in what `pulumi up` creates: update it on purpose, in
// the same commit.
func TestGoldenResourceTypes(t *testing.T) {
	t.Parallel()
	for key, want := range goldenTypes {
		dir, stack := root, key
		if name, ok := strings.CutPrefix(key, "dhanam/"); ok {
			dir, stack = "../examples/dhanam", name
		}
		r := synthesize(t, dir, stack)
		got := countTypes(r)
		if !reflect.DeepEqual(got, want) {
			for typ := range merge(got, want) {
				if got[typ] != want[typ] {
					t.Errorf("%s: %s: %d, golden %d", key, typ, got[typ], want[typ])
				}
			}
		}
	}
}

func merge(a, b map[string]int) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func TestStackRolesRegionsAndNetworks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		stack, role, region, cidr, nat string
	}{
		{"prod", "primary", "us-east-1", "10.0.0.0/16", "OnePerAz"},
		{"dr", "recovery", "us-west-2", "10.1.0.0/16", "Single"},
	}
	for _, tt := range tests {
		r := synthesize(t, root, tt.stack)
		if r.Outputs["role"] != tt.role || r.Outputs["region"] != tt.region || r.Outputs["vpcCidr"] != tt.cidr {
			t.Errorf("%s outputs = %v", tt.stack, r.Outputs)
		}
		vpc := r.Engine.Get(tokens.AWSXVpc, "vpc")
		if vpc.In()["natGateways"].(map[string]any)["strategy"] != tt.nat {
			t.Errorf("%s NAT = %v, want %s", tt.stack, vpc.In()["natGateways"], tt.nat)
		}
		for _, ep := range r.Engine.ByType(tokens.EC2VpcEndpoint) {
			if !strings.HasPrefix(ep.In()["serviceName"].(string), "com.amazonaws."+tt.region+".") {
				t.Errorf("%s endpoint %s serves %v", tt.stack, ep.Name, ep.In()["serviceName"])
			}
		}
		if r.Outputs["vpcId"] != vpc.Out()["vpcId"] {
			t.Errorf("%s vpcId export %v is not the VPC's %v", tt.stack, r.Outputs["vpcId"], vpc.Out()["vpcId"])
		}
	}
}

// Tags reach every taggable resource through the providers' defaultTags,
// and no resource is left to a default (untagged) provider.
func TestProvidersTagEverything(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"prod", "dr"} {
		r := synthesize(t, root, stack)
		regional := r.Engine.Get(tokens.AWSProvider, "regional")
		global := r.Engine.Get(tokens.AWSProvider, "us-east-1")
		if regional == nil || regional.In()["region"] != r.Config.Region {
			t.Fatalf("%s: regional provider %+v", stack, regional)
		}
		providers := []*mockengine.Resource{regional}
		switch {
		case stack == "dr" && global != nil:
			// dr creates nothing in us-east-1: no provider there, so a
			// us-east-1 outage cannot stand in the way of pulumi up --stack dr.
			t.Errorf("dr registers a us-east-1 provider")
		case stack == "prod" && (global == nil || global.In()["region"] != "us-east-1"):
			t.Fatalf("prod: us-east-1 provider %+v", global)
		case global != nil:
			providers = append(providers, global)
		}
		want := map[string]any{
			"project": "dbay", "stack": stack, "role": string(r.Config.Role), "environment": "production",
			"owner": "platform-team", "cost-center": "dbay-" + stack,
		}
		if stack == "prod" {
			want["cost-center"] = "dbay-production"
		}
		for _, p := range providers {
			got := p.In()["defaultTags"].(map[string]any)["tags"]
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s provider %s defaultTags = %v, want %v", stack, p.Name, got, want)
			}
		}
		for _, res := range r.Resources {
			switch {
			case res.Custom && strings.HasPrefix(res.Type, "aws:") && res.Provider == "":
				t.Errorf("%s: %s %s uses the default provider", stack, res.Type, res.Name)
			case !res.Custom && res.Providers["aws"] == "" && res.Type != tokens.StackReference:
				t.Errorf("%s: component %s %s was handed no aws provider", stack, res.Type, res.Name)
			}
		}
	}
}

// A bad config registers nothing: the program returns every problem before
// the first resource.
func TestBadConfigRegistersNothing(t *testing.T) {
	t.Parallel()
	st, err := synth.LoadStack(root, "prod")
	if err != nil {
		t.Fatal(err)
	}
	st.Values["dbay:netwrok"] = `{}`
	st.Values["dbay:network"] = `{"cidr":"10.0.0.0/33","azCount":9}`
	st.Values["aws:region"] = "moon-1"
	keys := make([]string, 0, len(st.Values))
	for k := range st.Values {
		keys = append(keys, k)
	}
	eng := mockengine.New("dbay", "prod", "us-east-1")
	err = eng.Run(func(ctx *pulumi.Context) error { return stacks.RunWithKeys(ctx, keys) },
		synth.WithConfig(st.Values, st.SecretKeys))
	es, ok := config.AsErrors(err)
	if !ok {
		t.Fatalf("err = %v, want config errors", err)
	}
	if len(es) != 4 {
		t.Errorf("want 4 problems, got %d:\n%v", len(es), es)
	}
	if n := len(eng.Resources()); n != 0 {
		t.Errorf("a bad config registered %d resources", n)
	}
}

// The synth command: exit 0 with the JSON contract; exit 2 with one
// problem per line on stderr and nothing on stdout; exit 1 otherwise.
func TestSynthCommand(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if code := synth.Main([]string{"--dir", root, "--stack", "prod", "--format", "json"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var rep synth.JSONReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Project != "dbay" || rep.Stack != "prod" || rep.Config["role"] != "primary" || rep.Outputs["vpcId"] == nil {
		t.Errorf("report header = %s/%s config %v outputs %v", rep.Project, rep.Stack, rep.Config, rep.Outputs)
	}
	if !sort.SliceIsSorted(rep.Resources, func(i, j int) bool { return rep.Resources[i].URN < rep.Resources[j].URN }) {
		t.Error("resources are not sorted by URN")
	}
	var sawNetwork bool
	for _, r := range rep.Resources {
		sawNetwork = sawNetwork || r.Type == tokens.ComponentNetwork
		if r.Options.IgnoreChanges == nil || r.Dependencies == nil || r.Inputs == nil {
			t.Errorf("%s: lists must be present, even empty: %+v", r.URN, r)
		}
	}
	if !sawNetwork {
		t.Error("no Network component in the report")
	}

	// Two runs produce byte-identical output, so reports diff cleanly.
	var again bytes.Buffer
	synth.Main([]string{"--dir", root, "--stack", "prod", "--format", "json"}, &again, &errOut)
	if !bytes.Equal(out.Bytes(), again.Bytes()) {
		t.Error("two synth runs differ")
	}

	for format, want := range map[string]string{"text": tokens.ComponentNetwork, "markdown": tokens.ComponentNetwork, "dot": "digraph \"dbay/dr\""} {
		var o, e bytes.Buffer
		if code := synth.Main([]string{"--dir", root, "--stack", "dr", "--format", format}, &o, &e); code != 0 || !strings.Contains(o.String(), want) {
			t.Errorf("%s: exit %d, output %q, stderr %q", format, code, o.String(), e.String())
		}
	}

	dir := t.TempDir()
	write(t, dir, "Pulumi.yaml", "name: dbay\nruntime: go\n")
	write(t, dir, "Pulumi.bad.yaml", `config:
  aws:region: us-east-1
  dbay:role: primary
  dbay:environment: production
  dbay:domain: ""
  dbay:tags: {owner: a, cost-center: b}
  dbay:netwrok: {cidr: 10.0.0.0/16}
  dbay:network: {cidr: 10.0.0.0/16, azCount: 7}
`)
	var o, e bytes.Buffer
	if code := synth.Main([]string{"--dir", dir, "--stack", "bad"}, &o, &e); code != 2 {
		t.Errorf("bad config: exit %d, want 2", code)
	}
	if o.Len() != 0 {
		t.Errorf("bad config printed to stdout: %q", o.String())
	}
	wantErr := "dbay:domain: is required; set the apex DNS name the stack serves, e.g. dbay.example.com\n" +
		"dbay:network.azCount: 7 is outside 2..6; use 2, 3, 4, 5 or 6\n" +
		"dbay:netwrok: unknown key; did you mean network?\n"
	if e.String() != wantErr {
		t.Errorf("stderr\n got %q\nwant %q", e.String(), wantErr)
	}

	o.Reset()
	e.Reset()
	if code := synth.Main([]string{"--dir", dir, "--stack", "missing"}, &o, &e); code != 1 || o.Len() != 0 {
		t.Errorf("missing stack: exit %d, stdout %q", code, o.String())
	}
	if code := synth.Main([]string{"--dir", dir}, &o, &e); code != 2 {
		t.Errorf("no --stack: exit %d, want 2", code)
	}
}

// A value set with `pulumi config set --secret` never appears in a report:
// not in the config section, not in any resource input, not in outputs.
func TestSecretConfigIsRedactedInReports(t *testing.T) {
	t.Parallel()
	st, err := synth.LoadStack(root, "prod")
	if err != nil {
		t.Fatal(err)
	}
	const value = "https://0123456789abcdef@o1.ingest.sentry.example/42"
	var secrets map[string]any
	if err := json.Unmarshal([]byte(st.Values["dbay:secrets"]), &secrets); err != nil {
		t.Fatal(err)
	}
	secrets["items"].(map[string]any)["SENTRY_DSN"] = map[string]any{"source": "config"}
	b, _ := json.Marshal(secrets)
	st.Values["dbay:secrets"] = string(b)
	st.Values["dbay:secretValues"] = `{"SENTRY_DSN":"` + value + `"}`
	st.SecretKeys = append(st.SecretKeys, "dbay:secretValues")
	r, err := synth.Run(st)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "sentry.example") {
		t.Error("a secret config value appears in the synth report")
	}
	if r.JSON().Config["secretValues"] != "[secret]" {
		t.Errorf("secretValues = %v", r.JSON().Config["secretValues"])
	}
	if v := r.Engine.Get(tokens.SecretsManagerSecretVersion, "SENTRY_DSN"); v == nil || v.In()["secretString"] != "[secret]" {
		t.Errorf("SENTRY_DSN version = %+v", v)
	}

	// Set in plain text, the same value is refused before anything runs.
	st.SecretKeys = nil
	if _, err := synth.Run(st); err == nil || !strings.Contains(err.Error(), "dbay:secretValues: is stored in plain text") {
		t.Errorf("plain secretValues: err = %v", err)
	}
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
