package synth

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/wiring"
)

// A broken edge is listed on stderr (what makes synth --policy exit 3),
// marked in the markdown table and reported in the JSON contract.
func TestWiringReport(t *testing.T) {
	broken := wiring.Edge{Consumer: "service listing", Dependency: "postgres", Network: "no ingress on sg of postgres from sg listing on 5432",
		IAM: wiring.OK, Credentials: wiring.OK, Order: wiring.OK}
	ok := wiring.Edge{Consumer: "service auction", Dependency: "service wallet", Network: wiring.OK, IAM: wiring.NA, Credentials: wiring.OK, Order: wiring.NA}
	r := &Result{Project: "dbay", Stack: "prod", Config: &config.Config{}, wiring: &wiring.Report{Edges: []wiring.Edge{ok, broken}}}

	var stderr bytes.Buffer
	if r.wiringPassed(&stderr) {
		t.Fatal("a broken edge passed")
	}
	if !strings.Contains(stderr.String(), "service listing -> postgres: network no ingress") || !strings.Contains(stderr.String(), "1 of 2 edges broken") {
		t.Errorf("stderr = %q", stderr.String())
	}
	var md bytes.Buffer
	r.writeWiringMarkdown(&md)
	if !strings.Contains(md.String(), "| service listing | `postgres` | ❌ no ingress") || !strings.Contains(md.String(), "| service auction | `service wallet` | ok | n/a | ok | n/a |") {
		t.Errorf("markdown = %s", md.String())
	}
	var txt bytes.Buffer
	if err := r.writeWiringText(&txt); err != nil || !strings.Contains(txt.String(), "WIRING: 1 of 2 edges broken") {
		t.Errorf("text = %s (%v)", txt.String(), err)
	}
	b, _ := json.Marshal(r.jsonWiring())
	if !strings.Contains(string(b), `"passed":false`) || !strings.Contains(string(b), `"network":"no ingress`) {
		t.Errorf("json = %s", b)
	}

	r.wiring = &wiring.Report{Edges: []wiring.Edge{ok}}
	stderr.Reset()
	if !r.wiringPassed(&stderr) || stderr.Len() != 0 {
		t.Errorf("an ok table failed: %q", stderr.String())
	}
}
