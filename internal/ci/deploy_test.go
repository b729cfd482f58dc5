package ci

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

// runSteps are a workflow's jobs with their steps' names and scripts.
type runSteps struct {
	Jobs map[string]struct {
		Steps []struct {
			Name string            `yaml:"name"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func readRunSteps(t *testing.T, file string) runSteps {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, ".github", "workflows", file))
	if err != nil {
		t.Fatal(err)
	}
	var w runSteps
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	return w
}

// script is the run: of the named step of a job.
func (w runSteps) script(t *testing.T, job, step string) string {
	t.Helper()
	for _, s := range w.Jobs[job].Steps {
		if s.Name == step {
			return s.Run
		}
	}
	t.Fatalf("job %s has no step %q", job, step)
	return ""
}

// guardTree is a runner's temp dir for a workflow script: bin/guard built
// from this repository, an empty stubs dir (for fake commands, first on
// PATH) and the extra dirs named.
func guardTree(t *testing.T, extra ...string) (tmp, stubs string) {
	t.Helper()
	tmp = t.TempDir()
	stubs = filepath.Join(tmp, "stubs")
	for _, d := range append([]string{"bin", "stubs"}, extra...) {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(guardBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "bin", "guard"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	return tmp, stubs
}

var (
	guardOnce sync.Once
	guardBin  string
	guardErr  error
)

// guardBinary is cmd/guard built once per test run (TestMain removes it).
func guardBinary(t *testing.T) string {
	t.Helper()
	guardOnce.Do(func() {
		tmp, err := os.MkdirTemp("", "ci-guard")
		if err != nil {
			guardErr = err
			return
		}
		guardBin = filepath.Join(tmp, "guard")
		build := exec.Command("go", "build", "-o", guardBin, "./cmd/guard")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			guardErr = fmt.Errorf("go build ./cmd/guard: %v\n%s", err, out)
		}
	})
	if guardErr != nil {
		t.Fatal(guardErr)
	}
	return guardBin
}

// stubPulumi writes a `pulumi` on PATH that prints the preview document in
// $PREVIEW for `pulumi preview --json` and records its arguments.
func stubPulumi(t *testing.T, dir string) {
	t.Helper()
	stub := "#!/bin/sh\necho \"$@\" >> \"$CALLS\"\ncat \"$PREVIEW\"\n"
	if err := os.WriteFile(filepath.Join(dir, "pulumi"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
}

// Issue 19 item 2: the deploy workflow's plan and apply steps, run for
// real with the guard built from this repository and `pulumi` stubbed
// (it prints a recorded `pulumi preview --json`): the plan step writes the
// approver's summary and the fingerprint; the apply step passes on the
// same preview and refuses (exit 3) a preview that differs, before any
// `pulumi up`.
func TestDeployAppliesOnlyTheApprovedPreview(t *testing.T) {
	w := readRunSteps(t, "deploy.yml")
	tmp, stubs := guardTree(t, "approved")
	stubPulumi(t, stubs)
	fixtures, _ := filepath.Abs(filepath.Join(root, "internal", "guard", "testdata"))
	summary := filepath.Join(tmp, "summary.md")
	calls := filepath.Join(tmp, "calls")
	run := func(script, preview string) (string, int) {
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = root
		cmd.Env = append(os.Environ(),
			"PATH="+stubs+string(os.PathListSeparator)+os.Getenv("PATH"),
			"RUNNER_TEMP="+tmp, "GITHUB_STEP_SUMMARY="+summary, "CALLS="+calls,
			"PREVIEW="+filepath.Join(fixtures, preview))
		out, err := cmd.CombinedOutput()
		code := 0
		if err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatal(err)
			}
			code = ee.ExitCode()
		}
		return string(out), code
	}
	for _, stack := range []string{"prod", "dr"} {
		plan := w.script(t, "plan-"+stack, "Preview, guard and summary")
		if out, code := run(plan, "update-in-place.json"); code != 0 {
			t.Fatalf("plan-%s: exit %d\n%s", stack, code, out)
		}
		md, _ := os.ReadFile(summary)
		if !strings.Contains(string(md), "### "+stack+": what `pulumi up` will apply") || !strings.Contains(string(md), "**Guard: pass**") {
			t.Errorf("plan-%s wrote no summary for the approver:\n%s", stack, md)
		}
		approved := filepath.Join(tmp, "approved-"+stack+".txt")
		if b, err := os.ReadFile(approved); err != nil || !strings.Contains(string(b), "update urn:pulumi:") {
			t.Fatalf("plan-%s wrote no fingerprint: %v %s", stack, err, b)
		}
		// the artifact lands in $RUNNER_TEMP/approved
		if err := os.Rename(approved, filepath.Join(tmp, "approved", "approved-"+stack+".txt")); err != nil {
			t.Fatal(err)
		}
		check := w.script(t, "apply-"+stack, "The preview is the approved one")
		if out, code := run(check, "update-in-place.json"); code != 0 || !strings.Contains(out, "this preview is the approved one") {
			t.Errorf("apply-%s refused the approved preview: exit %d\n%s", stack, code, out)
		}
		if out, code := run(check, "replace-stateless.json"); code != 3 || !strings.Contains(out, "differs from the approved one") {
			t.Errorf("apply-%s accepted a preview nobody approved: exit %d\n%s", stack, code, out)
		}
		// A guard refusal in the plan fails the job too.
		if out, code := run(plan, "replace-protected-database.json"); code == 0 {
			t.Errorf("plan-%s passed a preview replacing a protected database:\n%s", stack, out)
		}
	}
	b, _ := os.ReadFile(calls)
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if !regexp.MustCompile(`^preview --json --stack (prod|dr) --policy-pack policypack$`).MatchString(line) {
			t.Errorf("the steps ran `pulumi %s`; want only previews with the policy pack", line)
		}
	}
	// The gated jobs apply with the pack too, after the check.
	for _, job := range []string{"apply-prod", "apply-dr"} {
		steps := w.Jobs[job].Steps
		checked := false
		for _, s := range steps {
			if s.Name == "The preview is the approved one" {
				checked = true
			}
			if s.With["command"] == "up" {
				if !checked {
					t.Errorf("%s runs pulumi up before checking the preview", job)
				}
				if s.With["policyPacks"] != "policypack" {
					t.Errorf("%s runs pulumi up without the policy pack", job)
				}
			}
		}
	}
}

// The Pulumi CLI every workflow installs is .pulumi.version, the same
// version as the Pulumi SDK in go.mod (the CLI and the SDK are released
// together from pulumi/pulumi).
func TestPulumiCLIVersionIsPinned(t *testing.T) {
	v, err := os.ReadFile(filepath.Join(root, ".pulumi.version"))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github.com/pulumi/pulumi/sdk/v3 v(\S+)`).FindSubmatch(mod)
	if m == nil || strings.TrimSpace(string(v)) != string(m[1]) {
		t.Errorf(".pulumi.version is %q, the SDK in go.mod %q", strings.TrimSpace(string(v)), m)
	}
	for _, f := range workflows(t) {
		var w runSteps
		b, _ := os.ReadFile(f)
		if err := yaml.Unmarshal(b, &w); err != nil {
			t.Fatal(err)
		}
		for name, job := range w.Jobs {
			for _, s := range job.Steps {
				if strings.HasPrefix(s.Uses, "pulumi/actions@") && s.With["pulumi-version-file"] != ".pulumi.version" {
					t.Errorf("%s job %s: pulumi/actions step %q installs an unpinned CLI (want pulumi-version-file: .pulumi.version)", filepath.Base(f), name, s.Name)
				}
			}
		}
	}
}

// .github/scripts/prebuilt.sh builds once and points the checkout's
// Pulumi.yaml at the binary; run with a stub `go` in a copy of the files it
// reads.
func TestPrebuiltPointsPulumiAtTheBinary(t *testing.T) {
	script, _ := filepath.Abs(filepath.Join(root, ".github", "scripts", "prebuilt.sh"))
	yml, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	stub := filepath.Join(dir, "go-stub")
	// `go build -o <out> pkgs...`: create <out> (or <out>/<last element> per package) as an executable.
	body := "#!/bin/sh\nout=\"$3\"; shift 3\nif [ \"${out%/}\" != \"$out\" ]; then for p in \"$@\"; do f=\"$out$(basename \"$p\")\"; printf '#!/bin/sh\\n' > \"$f\"; chmod +x \"$f\"; done; else printf '#!/bin/sh\\n' > \"$out\"; chmod +x \"$out\"; fi\n"
	if err := os.WriteFile(stub, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(pulumiYaml string) (string, error) {
		work := filepath.Join(dir, "work")
		_ = os.RemoveAll(work)
		if err := os.MkdirAll(work, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, "Pulumi.yaml"), []byte(pulumiYaml), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", script, filepath.Join(dir, "bin"))
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GO="+stub)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(string(yml)); err != nil {
		t.Fatalf("prebuilt.sh: %v\n%s", err, out)
	}
	var p struct {
		Name    string
		Runtime struct {
			Name    string
			Options map[string]string
		}
		Description string
	}
	b, _ := os.ReadFile(filepath.Join(dir, "work", "Pulumi.yaml"))
	if err := yaml.Unmarshal(b, &p); err != nil {
		t.Fatalf("rewritten Pulumi.yaml: %v\n%s", err, b)
	}
	want := filepath.Join(dir, "bin", "dbay")
	if p.Name != "dbay" || p.Runtime.Name != "go" || p.Runtime.Options["binary"] != want || p.Description == "" {
		t.Errorf("rewritten Pulumi.yaml = %+v, want runtime go with binary %s and the rest kept", p, want)
	}
	if fi, err := os.Stat(want); err != nil || fi.Mode()&0o111 == 0 {
		t.Errorf("%s is not an executable: %v", want, err)
	}
	// A project file it cannot rewrite fails the job rather than building again.
	if out, err := run("name: dbay\nruntime:\n  name: go\n"); err == nil || !strings.Contains(out, "no 'runtime: go' line") {
		t.Errorf("prebuilt.sh accepted a Pulumi.yaml it cannot rewrite: %v\n%s", err, out)
	}
}

// The guard's allow files the workflows pass exist and hold only URNs of
// their stack (a typo would fail the deploy at the guard, not here).
func TestGuardAllowFiles(t *testing.T) {
	for _, stack := range []string{"prod", "dr"} {
		f := filepath.Join(root, ".github", "guard-allow", stack+".txt")
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if !strings.HasPrefix(line, "urn:pulumi:"+stack+"::dbay::") {
				t.Errorf("%s:%d: %q is not a URN of DBay's %s stack", f, i+1, line, stack)
			}
		}
	}
}

// The pull-request workflow's preview steps, run for real with `pulumi`
// stubbed: one preview per stack with the policy pack, prod first; the
// comment file gets both stacks' summaries capped at 60 rows each, the job
// summary every row; a refused replacement fails the step.
func TestPullRequestPreviewSteps(t *testing.T) {
	w := readRunSteps(t, "pull-request.yml")
	tmp, stubs := guardTree(t)
	stubPulumi(t, stubs)
	fixtures, _ := filepath.Abs(filepath.Join(root, "internal", "guard", "testdata"))
	summary, calls := filepath.Join(tmp, "summary.md"), filepath.Join(tmp, "calls")
	run := func(script, preview string) (string, int) {
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "PATH="+stubs+string(os.PathListSeparator)+os.Getenv("PATH"),
			"RUNNER_TEMP="+tmp, "GITHUB_STEP_SUMMARY="+summary, "CALLS="+calls, "PREVIEW="+filepath.Join(fixtures, preview))
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	for _, stack := range []string{"prod", "dr"} {
		if out, code := run(w.script(t, "preview", "pulumi preview, guard ("+stack+")"), "update-in-place.json"); code != 0 {
			t.Fatalf("%s: exit %d\n%s", stack, code, out)
		}
	}
	comment, _ := os.ReadFile(filepath.Join(tmp, "preview-comment.md"))
	full, _ := os.ReadFile(summary)
	for _, stack := range []string{"prod", "dr"} {
		for name, body := range map[string][]byte{"comment": comment, "job summary": full} {
			if !strings.Contains(string(body), "### "+stack+": what `pulumi up` will apply") {
				t.Errorf("the %s lacks %s's summary:\n%s", name, stack, body)
			}
		}
	}
	if b, _ := os.ReadFile(calls); string(b) != "preview --json --stack prod --policy-pack policypack\npreview --json --stack dr --policy-pack policypack\n" {
		t.Errorf("pulumi ran:\n%s", b)
	}
	if out, code := run(w.script(t, "preview", "pulumi preview, guard (prod)"), "replace-protected-database.json"); code == 0 {
		t.Errorf("a preview replacing a protected database passed:\n%s", out)
	}
}
