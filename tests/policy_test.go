package tests

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
)

// shippedStacks are every shipped stack; their waivers live in their own
// config (`<project>:policy.waivers`), each with its reason, and pending
// fixes say "pending: <owner> — <fix>".
var shippedStacks = []string{"prod", "dr", "dhanam/prod", "dhanam/dr"}

// shippedStack resolves "dhanam/prod" to examples/dhanam and prod.
func shippedStack(key string) (dir, stack string) {
	if name, ok := strings.CutPrefix(key, "dhanam/"); ok {
		return "../examples/dhanam", name
	}
	return root, key
}

// Every policy rule holds on every shipped stack, or is waived with a
// written reason that the report prints.
func TestShippedStacksPassThePolicy(t *testing.T) {
	t.Parallel()
	for _, key := range shippedStacks {
		dir, stack := shippedStack(key)
		r := synthesize(t, dir, stack)
		rep := r.EvaluatePolicy()
		if !r.Config.Protected() {
			t.Errorf("%s: a shipped stack must be protected", key)
		}
		if rep.Failed() {
			var b bytes.Buffer
			_ = rep.WriteText(&b)
			t.Errorf("%s: %d unwaived policy violations:\n%s", key, len(rep.Unwaived()), b.String())
		}
		for _, v := range rep.Violations {
			if v.Waived && len(v.Reason) < 20 {
				t.Errorf("%s: waiver of %s on %s has no real reason: %q", key, v.Rule, v.Name, v.Reason)
			}
		}
	}
}

// synth --policy appends the report and exits 3 on unwaived violations
// after printing everything; a clean stack exits 0; JSON gains a policy
// section and stays the same contract otherwise.
func TestSynthPolicyFlag(t *testing.T) {
	t.Parallel()

	// dr passes every rule; 10 findings are waived (one waiver covers the five service roles' secrets;
	// opensearch-fgac's applies once the failover builds the domain).
	for _, format := range []string{"text", "markdown"} {
		var out, errOut bytes.Buffer
		code := synth.Main([]string{"--dir", root, "--stack", "dr", "--format", format, "--policy"}, &out, &errOut)
		want := map[string]string{"text": "policy pass: 0 violations, 11 waived", "markdown": "### Policy ✅ policy pass"}[format]
		if code != 0 || !strings.Contains(out.String(), want) || !strings.Contains(out.String(), tokens.ComponentNetwork) {
			t.Errorf("dr %s: exit %d, stderr %q, output lacks %q:\n%s", format, code, errOut.String(), want, tail(out.String()))
		}
	}

	// A stack with an external secret and no waiver fails secret-rotation.
	dir := t.TempDir()
	write(t, dir, "Pulumi.yaml", "name: dbay\nruntime: go\n")
	write(t, dir, "Pulumi.mini.yaml", `config:
  aws:region: us-east-1
  dbay:role: primary
  dbay:environment: production
  dbay:domain: dbay.example.com
  dbay:tags: {owner: platform-team, cost-center: dbay-test}
  dbay:network: {cidr: 10.9.0.0/16}
  dbay:secrets:
    items:
      PARTNER_API_KEY: {source: external}
`)
	var out, errOut bytes.Buffer
	if code := synth.Main([]string{"--dir", dir, "--stack", "mini", "--policy"}, &out, &errOut); code != 3 {
		t.Errorf("violating stack: exit %d, want 3; stderr %q", code, errOut.String())
	}
	if s := out.String(); !strings.Contains(s, "TREE") || !strings.Contains(s, "[MEDIUM] secret-rotation  aws:secretsmanager/secret:Secret PARTNER_API_KEY") {
		t.Errorf("the report must be printed in full before exit 3:\n%s", tail(s))
	}
	if !strings.Contains(errOut.String(), "policy FAIL: 1 violation") {
		t.Errorf("stderr = %q", errOut.String())
	}

	out.Reset()
	errOut.Reset()
	if code := synth.Main([]string{"--dir", dir, "--stack", "mini", "--policy", "--format", "json"}, &out, &errOut); code != 3 {
		t.Errorf("json: exit %d, want 3", code)
	}
	var rep synth.JSONReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Policy == nil || rep.Policy.Passed || len(rep.Policy.Violations) != 1 || rep.Policy.Violations[0].Rule != "secret-rotation" || len(rep.Resources) == 0 {
		t.Errorf("json policy = %+v", rep.Policy)
	}

	// Without --policy the contract is unchanged: no policy section, exit 0.
	out.Reset()
	if code := synth.Main([]string{"--dir", dir, "--stack", "mini", "--format", "json"}, &out, &errOut); code != 0 {
		t.Errorf("without --policy: exit %d", code)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(out.Bytes(), &top); err != nil {
		t.Fatal(err)
	}
	if _, has := top["policy"]; has {
		t.Error("without --policy the JSON has a policy section")
	}
}

func tail(s string) string {
	if len(s) > 3000 {
		return "..." + s[len(s)-3000:]
	}
	return s
}
