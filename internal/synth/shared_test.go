package synth

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/dbay/infra/internal/mockengine"
)

const miniStack = `config:
  aws:region: us-east-1
  dbay:role: primary
  dbay:environment: production
  dbay:domain: dbay.example.com
  dbay:tags: {owner: platform-team, cost-center: dbay-test}
  dbay:network: {cidr: 10.9.0.0/16}
`

func miniDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"Pulumi.yaml": "name: dbay\nruntime: go\n", "Pulumi.mini.yaml": miniStack} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Shared runs a stack once per process, keyed on what the run reads (not
// the directory's path); a config edited after LoadStack or a changed
// stack file is another run; a caller that changes a shared result is
// reported by CheckShared. Not parallel: it checks the process-wide memo.
func TestSharedRunsEachStackOnce(t *testing.T) {
	a, b := miniDir(t), miniDir(t)
	first, err := SharedStack(a, "mini")
	if err != nil {
		t.Fatal(err)
	}
	if again, err := SharedStack(b, "mini"); err != nil || again != first {
		t.Errorf("the same stack files in another directory ran again (err %v)", err)
	}
	if len(first.Resources) == 0 || first.Outputs["vpcId"] == nil {
		t.Fatalf("mini: %d resources, outputs %v", len(first.Resources), first.Outputs)
	}

	st, err := LoadStack(a, "mini")
	if err != nil {
		t.Fatal(err)
	}
	st.Values["dbay:network"] = `{"cidr":"10.8.0.0/16"}`
	edited, err := Shared(st)
	if err != nil || edited == first {
		t.Fatalf("an edited config shared the shipped run (err %v)", err)
	}
	if err := os.WriteFile(filepath.Join(a, "Pulumi.other.yaml"), []byte("config: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if other, err := SharedStack(a, "mini"); err != nil || other == first {
		t.Errorf("a new stack file beside the stack (a possible DR partner) shared the old run (err %v)", err)
	}
	if _, err := SharedStack(b, "nosuch"); err == nil {
		t.Error("a missing stack: no error")
	}

	if err := CheckShared(); err != nil {
		t.Fatalf("nothing changed yet: %v", err)
	}
	for name, mutate := range map[string]func(){
		"resource order": func() {
			sort.Slice(first.Resources, func(i, j int) bool { return first.Resources[i].URN > first.Resources[j].URN })
		},
		"an input":   func() { first.Resources[0].Inputs["mutated"] = resource.NewStringProperty("x") },
		"an output":  func() { first.Outputs["vpcId"] = "vpc-changed" },
		"the config": func() { first.Config.Region = "moon-1" },
	} {
		saved := snapshot(first)
		mutate()
		if err := CheckShared(); err == nil || !strings.Contains(err.Error(), filepath.Join(a, "mini")) && !strings.Contains(err.Error(), filepath.Join(b, "mini")) {
			t.Errorf("%s changed: CheckShared = %v", name, err)
		}
		saved.restore(first)
		if err := CheckShared(); err != nil {
			t.Fatalf("%s restored: %v", name, err)
		}
	}
}

// savedResult is what TestSharedRunsEachStackOnce changes, to put it back.
type savedResult struct {
	resources []*mockengine.Resource
	first     *mockengine.Resource
	inputs    resource.PropertyMap
	vpcID     any
	region    string
}

func snapshot(r *Result) *savedResult {
	return &savedResult{resources: append(r.Resources[:0:0], r.Resources...), first: r.Resources[0],
		inputs: r.Resources[0].Inputs.Copy(), vpcID: r.Outputs["vpcId"], region: r.Config.Region}
}

func (s *savedResult) restore(r *Result) {
	copy(r.Resources, s.resources)
	s.first.Inputs = s.inputs
	r.Outputs["vpcId"] = s.vpcID
	r.Config.Region = s.region
}
