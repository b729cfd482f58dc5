package ci

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Issue 19 item 4: the drift step, run for real with `pulumi` and `gh`
// stubbed. No drift: nothing is filed. Drift: an issue "Drift: <stack>"
// is opened with the guard's summary and the job fails; drift again while
// that issue is open: a comment on it, not a second issue.
func TestDriftOpensOrUpdatesOneIssue(t *testing.T) {
	w := readRunSteps(t, "drift.yml")
	script := w.script(t, "drift", "Preview with refresh, expecting no changes")
	var matrix struct {
		Jobs map[string]struct {
			Strategy struct {
				Matrix struct {
					Include []map[string]string `yaml:"include"`
				} `yaml:"matrix"`
			} `yaml:"strategy"`
		} `yaml:"jobs"`
	}
	b, _ := os.ReadFile(filepath.Join(root, ".github", "workflows", "drift.yml"))
	if err := yaml.Unmarshal(b, &matrix); err != nil {
		t.Fatal(err)
	}
	var stacks []string
	for _, m := range matrix.Jobs["drift"].Strategy.Matrix.Include {
		stacks = append(stacks, m["stack"]+"@"+m["region"])
	}
	// Not the deploy workflow's group: GitHub keeps one pending run per
	// group, so a queued drift run would cancel a pending deployment.
	if !strings.Contains(string(b), "  group: drift\n") {
		t.Error("drift.yml does not run in its own concurrency group")
	}
	if strings.Join(stacks, ",") != "prod@us-east-1,dr@us-west-2" {
		t.Errorf("drift runs %v, want prod@us-east-1 and dr@us-west-2", stacks)
	}

	tmp, stubs := guardTree(t)
	calls := filepath.Join(tmp, "calls")
	// pulumi: prints $PREVIEW, exits $PULUMI_STATUS. gh: `issue list` prints
	// $OPEN (the open issue's number, or nothing); everything is recorded.
	stub := map[string]string{
		"pulumi": "#!/bin/sh\necho \"pulumi $*\" >> \"$CALLS\"\ncat \"$PREVIEW\"\nexit \"$PULUMI_STATUS\"\n",
		"gh":     "#!/bin/sh\necho \"gh $*\" >> \"$CALLS\"\nif [ \"$1 $2\" = \"issue list\" ]; then [ -n \"$OPEN\" ] && echo \"$OPEN\"; fi\nexit 0\n",
	}
	for name, body := range stub {
		if err := os.WriteFile(filepath.Join(stubs, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	fixtures, _ := filepath.Abs(filepath.Join(root, "internal", "guard", "testdata"))
	run := func(preview, status, open string) (string, int, string) {
		_ = os.Remove(calls)
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "PATH="+stubs+string(os.PathListSeparator)+os.Getenv("PATH"),
			"RUNNER_TEMP="+tmp, "GITHUB_STEP_SUMMARY="+filepath.Join(tmp, "summary.md"), "CALLS="+calls,
			"PREVIEW="+filepath.Join(fixtures, preview), "PULUMI_STATUS="+status, "OPEN="+open,
			"STACK=prod", "RUN_URL=https://example.invalid/run/1")
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		c, _ := os.ReadFile(calls)
		return string(out), code, string(c)
	}
	out, code, c := run("no-changes.json", "0", "")
	if code != 0 || strings.Contains(c, "gh ") || !strings.Contains(c, "pulumi preview --refresh --expect-no-changes --json --stack prod") {
		t.Errorf("no drift: exit %d, calls:\n%s\n%s", code, c, out)
	}
	out, code, c = run("update-in-place.json", "255", "")
	if code != 255 || !strings.Contains(c, "gh issue create --title Drift: prod --body-file") || strings.Contains(c, "gh issue comment") {
		t.Errorf("drift, no open issue: exit %d, calls:\n%s\n%s", code, c, out)
	}
	if body, _ := os.ReadFile(filepath.Join(tmp, "drift.md")); !strings.Contains(string(body), "| update |") {
		t.Errorf("the issue's body does not list what drifted:\n%s", body)
	}
	_, code, c = run("update-in-place.json", "255", "42")
	if code != 255 || !strings.Contains(c, "gh issue comment 42 --body-file") || strings.Contains(c, "gh issue create") {
		t.Errorf("drift, issue 42 open: exit %d, calls:\n%s", code, c)
	}
}

// Issue 19 item 5: Dependabot watches the Go modules and the actions, and
// CODEOWNERS names owners for the stack configs, the pipelines and the
// components.
func TestDependenciesAndOwners(t *testing.T) {
	var dep struct {
		Updates []struct {
			Ecosystem string `yaml:"package-ecosystem"`
		} `yaml:"updates"`
	}
	b, err := os.ReadFile(filepath.Join(root, ".github", "dependabot.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &dep); err != nil {
		t.Fatal(err)
	}
	var eco []string
	for _, u := range dep.Updates {
		eco = append(eco, u.Ecosystem)
	}
	if strings.Join(eco, ",") != "gomod,github-actions" {
		t.Errorf("dependabot updates %v, want gomod and github-actions", eco)
	}
	owners, err := os.ReadFile(filepath.Join(root, ".github", "CODEOWNERS"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/Pulumi.*.yaml", "/examples/dhanam/Pulumi.*.yaml", "/.github/", "/components/", "/policy/", "/dr/"} {
		found := false
		for _, line := range strings.Split(string(owners), "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && f[0] == path && strings.HasPrefix(f[1], "@") {
				found = true
			}
		}
		if !found {
			t.Errorf("CODEOWNERS names no owner for %s", path)
		}
	}
}
