package tests

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"github.com/dbay/infra/internal/synth"
)

// Every Pulumi*.yaml in the repository loads with Pulumi's own loaders, and
// every stack file synthesizes: a malformed file fails the build, not a
// deploy at 3 a.m.
func TestEveryPulumiFileLoads(t *testing.T) {
	t.Parallel()
	var projects []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.Name() == "Pulumi.yaml" {
			projects = append(projects, filepath.Dir(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(projects) == 0 {
		t.Fatal("no Pulumi.yaml found")
	}
	stacksSeen := 0
	for _, dir := range projects {
		proj, err := workspace.LoadProject(filepath.Join(dir, "Pulumi.yaml"))
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		if proj.Runtime.Name() != "go" {
			t.Errorf("%s: runtime %q, want go", dir, proj.Runtime.Name())
		}
		files, _ := filepath.Glob(filepath.Join(dir, "Pulumi.*.yaml"))
		for _, f := range files {
			stack := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml")
			sink := diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: colors.Never})
			if _, err := workspace.LoadProjectStack(sink, proj, f); err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			stacksSeen++
			if dir == root {
				synthesize(t, dir, stack) // shipped stacks must synthesize
				continue
			}
			st, err := synth.LoadStack(dir, stack)
			if err == nil {
				_, err = synth.Run(st)
			}
			if err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
	if stacksSeen < 2 {
		t.Errorf("found %d stack files, want at least prod and dr", stacksSeen)
	}
}
