package tests

import (
	"path/filepath"
	"testing"

	"github.com/dbay/infra/internal/synth"
)

// Issue 14: every declared edge of the four shipped stacks and of DBay
// prod on EKS is proved from the captured resources (internal/wiring):
// network, IAM, credentials and order all ok.
func TestWiringEveryEdgeOK(t *testing.T) {
	t.Parallel()
	stacks := []struct {
		dir, stack string
		min        int // edges the stack declares at least
	}{
		{root, "prod", 80}, {root, "dr", 80},
		// Dhanam: api uses postgres, redis, bucket:assets, key:app and
		// ses:smtp and receives 7 secrets; the 5 optional ones are no edge
		// until provided.
		{filepath.Join(root, "examples", "dhanam"), "prod", 12}, {filepath.Join(root, "examples", "dhanam"), "dr", 12},
	}
	for _, s := range stacks {
		r := synthesize(t, s.dir, s.stack)
		checkWiring(t, r, s.min)
	}
	r, err := synth.SharedStack(eksVariant(t), "prod")
	if err != nil {
		t.Fatal(err)
	}
	checkWiring(t, r, 80)
}

func checkWiring(t *testing.T, r *synth.Result, min int) {
	t.Helper()
	w := r.Wiring()
	runtime := "no fleet"
	if r.Config.Fleet != nil {
		runtime = r.Config.Fleet.Runtime
	}
	t.Logf("%s/%s (%s): %d edges", r.Project, r.Stack, runtime, len(w.Edges))
	if len(w.Edges) < min {
		t.Errorf("%s/%s: %d edges, want at least %d", r.Project, r.Stack, len(w.Edges), min)
	}
	for _, e := range w.Broken() {
		t.Errorf("%s/%s: %s -> %s: network %s; iam %s; credentials %s; order %s", r.Project, r.Stack,
			e.Consumer, e.Dependency, e.Network, e.IAM, e.Credentials, e.Order)
	}
}
