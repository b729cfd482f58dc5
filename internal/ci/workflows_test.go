package ci

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// root is the repository root.
const root = "../.."

// actionlint runs `go tool actionlint` (pinned in go.mod) on files from
// dir and returns its findings (stdout). It also runs shellcheck on every
// `run:` script when shellcheck is on PATH (CI's runners have it).
// stderr is not a finding: on a machine with an empty module cache the go
// command first prints "go: downloading …" there (issue 19); it is
// returned with the error when the run fails.
func actionlint(t *testing.T, dir string, files ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"tool", "actionlint", "-no-color", "-oneline"}, files...)...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("%w; stderr:\n%s", err, stderr.String())
	}
	return string(out), nil
}

func workflows(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(root, ".github", "workflows", pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	return files
}

// Every workflow passes actionlint with no finding.
func TestWorkflowsPassActionlint(t *testing.T) {
	t.Parallel()
	files := workflows(t)
	if len(files) < 2 {
		t.Fatalf("workflows = %v, want pull-request.yml and deploy.yml", files)
	}
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Log("shellcheck is not on PATH: actionlint checks the workflows without it")
	}
	rel := make([]string, len(files))
	for i, f := range files {
		rel[i], _ = filepath.Rel(root, f)
	}
	out, err := actionlint(t, root, rel...)
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}

// The check can fail: a workflow with an unknown action input and an
// undefined expression is refused.
func TestActionlintCatchesMistakes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := `name: bad
on: push
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-dept: 0
      - run: echo "${{ github.event.pull_request.nope.nope }}" ${{ vars }}
`
	if err := os.WriteFile(filepath.Join(dir, "bad.yml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(filepath.Join(dir, "bad.yml"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := actionlint(t, root, abs)
	if err == nil || !strings.Contains(out, "fetch-dept") {
		t.Errorf("actionlint accepted a broken workflow: %v\n%s", err, out)
	}
}

// What the issue asks of the pipelines, read from the files.
func TestWorkflowsDoWhatTheIssueAsks(t *testing.T) {
	t.Parallel()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(root, ".github", "workflows", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	checks := map[string][]string{
		"pull-request.yml": {
			"pull_request:", "go vet ./...", "go test ./...", "--format markdown --policy", "--format json --policy",
			"--format summary --base-dir \"$out/base\" --head-dir \"$out/head\" --max-bytes 58000",
			"marocchino/sticky-pull-request-comment@",
			"needs: checks", "if: github.event.pull_request.head.repo.full_name == github.repository",
			"id-token: write", "environment: preview", "aws-actions/configure-aws-credentials@", "role-to-assume: ${{ vars.AWS_PREVIEW_ROLE_ARN }}",
			".github/scripts/prebuilt.sh", "pulumi-version-file: .pulumi.version",
			"pulumi preview --json --stack prod --policy-pack policypack", "pulumi preview --json --stack dr --policy-pack policypack",
			"\"$RUNNER_TEMP/bin/guard\" --allow-file .github/guard-allow/prod.txt --stack prod", "header: pulumi-preview",
		},
		"deploy.yml": {
			"branches: [main]", "environment: plan", "environment: production", "environment: dr",
			"needs: plan-prod", "needs: apply-prod", "needs: plan-dr", "group: deploy\n",
			// each job also holds its stack's group, which failover.yml and failback.yml hold
			"group: deploy-prod\n", "group: deploy-dr\n", "command: up",
			"--fingerprint", "--expect", "policyPacks: policypack",
			"role-to-assume: ${{ vars.AWS_DEPLOY_ROLE_ARN }}", "role-duration-seconds: 7200",
			"\"$RUNNER_TEMP/bin/synth\" --stack dr --format json", "aws s3api head-object",
		},
		// Issue 18: every deploy job skips while a failover holds the freeze.
		"deploy.yml#freeze": {"  plan-prod:\n    # Frozen", "    if: vars.DEPLOY_FREEZE == ''\n    runs-on", "  apply-prod:\n    needs: plan-prod\n    if: vars.DEPLOY_FREEZE == ''",
			"  plan-dr:\n    needs: apply-prod\n    if: vars.DEPLOY_FREEZE == ''", "  apply-dr:\n    needs: plan-dr\n    if: vars.DEPLOY_FREEZE == ''"},
		"failover.yml": {"workflow_dispatch:", "environment: dr", "aws-region: us-west-2", "actions/cache/restore@", "group: deploy-dr"},
		"failback.yml": {"workflow_dispatch:", "environment: dr", "environment: production", "aws-region: us-east-1", "gh variable delete DEPLOY_FREEZE"},
	}
	for file, wants := range checks {
		body := read(strings.Split(file, "#")[0])
		for _, want := range wants {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q", file, want)
			}
		}
	}
	// prod is previewed (and its guard run) before dr.
	pr := read("pull-request.yml")
	if strings.Index(pr, "--stack prod --policy-pack") > strings.Index(pr, "--stack dr --policy-pack") {
		t.Error("pull-request.yml previews dr before prod")
	}
}

// Issue 19: every job that sets up Go caches modules and builds under a key
// of go.sum and the sources with restore keys, so a dependency bump
// restores the previous cache instead of building cold (setup-go's own
// cache is keyed on go.sum alone and is turned off).
func TestGoCachesRestoreAcrossDependencyBumps(t *testing.T) {
	for _, f := range workflows(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		setups := strings.Count(s, "uses: actions/setup-go@")
		if setups == 0 {
			continue
		}
		if n := strings.Count(s, "cache: false"); n != setups {
			t.Errorf("%s: %d setup-go steps, %d with cache: false", filepath.Base(f), setups, n)
		}
		if n := strings.Count(s, "restore-keys: |\n            go-${{ runner.os }}-${{ hashFiles('go.sum') }}-\n            go-${{ runner.os }}-"); n != setups {
			t.Errorf("%s: %d setup-go steps, %d Go caches with restore keys", filepath.Base(f), setups, n)
		}
	}
}
