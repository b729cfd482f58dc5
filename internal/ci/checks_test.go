package ci

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// This file runs pull-request.yml's `checks` steps that turn the four
// shipped stacks into the PR comment — "Synth and policy report of every
// shipped stack", "Synth of the base branch", "Build the PR comment",
// "Fail on policy violations" — their `run:` scripts read from the workflow
// file, with bash, in a sandbox (newSandbox: a clone of an origin holding
// the stack configs). Nothing is stubbed but `go` (it hands out the synth
// built once per test run, synthBinary). deploy.yml's "Function packages
// are in this Region's code bucket" is run in deploy_packages_test.go. The
// cfn-lint step is not run: four cfn-lint runs take 45 s or more each on a
// shared 2-core machine, and go test already runs cfn-lint on every stack
// (internal/cfnschema, tests/).

// The checks steps this file runs, in the job's order.
const (
	stepSynth   = "Synth and policy report of every shipped stack"
	stepBase    = "Synth of the base branch"
	stepComment = "Build the PR comment"
	stepFail    = "Fail on policy violations"
)

// prSandbox is a sandbox whose work tree is the PR's head, with a stub
// `go` on PATH that copies the prebuilt synth for `go build -o X
// ./cmd/synth` (logging the directory it ran in) and fails on anything
// else; edit changes the work tree's files and is committed as the PR's
// commit (nil: the head is the base). It returns the head commit.
func prSandbox(t *testing.T, edit func(work string)) (*sandbox, string) {
	t.Helper()
	s := newSandbox(t, ".", nil)
	mustWrite(t, filepath.Join(s.bin, "go"), `#!/bin/sh
if [ "$#" -eq 4 ] && [ "$1" = build ] && [ "$2" = -o ] && [ "$4" = ./cmd/synth ]; then
  echo "go build $(pwd)" >> '`+s.log+`'
  exec cp '`+synthBinary(t)+`' "$3"
fi
echo "go stub: unexpected go $*" >&2
exit 97
`, 0o755)
	if edit != nil {
		edit(s.work)
		git(t, s.work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "the PR")
	}
	return s, git(t, s.work, "rev-parse", "HEAD")
}

// prExprs are the expressions the checks steps read, for a PR into main.
func prExprs(head string) map[string]string {
	return map[string]string{
		"github.base_ref":                    "main",
		"github.event.pull_request.head.sha": head,
		"github.server_url":                  "https://github.com",
		"github.repository":                  "dbay/infra",
		"github.run_id":                      "42",
	}
}

// checksStep returns the checks job's step of this name.
func checksStep(t *testing.T, name string) (*ghStep, int) {
	t.Helper()
	j := loadWorkflow(t, "pull-request.yml").Jobs["checks"]
	for i, st := range j.Steps {
		if st.Name == name {
			return st, i
		}
	}
	t.Fatalf("pull-request.yml checks has no step %q", name)
	return nil, 0
}

// runChecksStep runs the named checks step in temp (RUNNER_TEMP).
func runChecksStep(t *testing.T, s *sandbox, name, temp string, exprs map[string]string) (string, map[string]string, error) {
	t.Helper()
	st, i := checksStep(t, name)
	return s.runStep(st, i, nil, exprs, temp)
}

var ifStatusRe = regexp.MustCompile(`^steps\.(\w+)\.outputs\.(\w+) != '([^']*)'$`)

// stepRuns evaluates a step's `if:` of the form steps.<id>.outputs.<name>
// != '<v>' against the step outputs; any other condition fails the test, so
// a workflow change is looked at here.
func stepRuns(t *testing.T, st *ghStep, outputs map[string]map[string]string) bool {
	t.Helper()
	m := ifStatusRe.FindStringSubmatch(st.If)
	if m == nil {
		t.Fatalf("step %q: if: %q is not steps.<id>.outputs.<name> != '<value>'", st.Name, st.If)
	}
	return outputs[m[1]][m[2]] != m[3]
}

// balancedMarkup reports an unclosed <details> or code fence, or an odd
// number of backticks (an open inline code span).
func balancedMarkup(md string) error {
	var errs []error
	if o, c := strings.Count(md, "<details"), strings.Count(md, "</details>"); o != c {
		errs = append(errs, fmt.Errorf("%d <details> opened, %d closed", o, c))
	}
	if n := strings.Count(md, "```"); n%2 != 0 {
		errs = append(errs, fmt.Errorf("%d code fences: one is left open", n))
	}
	if n := strings.Count(md, "`"); n%2 != 0 {
		errs = append(errs, fmt.Errorf("%d backticks: an inline code span is left open", n))
	}
	return errors.Join(errs...)
}

// exitCode is the exit status inside a runStep error (0: nil).
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if err == nil {
		return 0
	}
	if !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return ee.ExitCode()
}

// stackFiles are the names the synth step gives each stack's documents.
var stackFiles = []string{"prod", "dr", "examples-dhanam-prod", "examples-dhanam-dr"}

// A PR resizing one service: the checks job synthesizes the four stacks
// at the head and at the base branch (a git worktree of origin/main) and
// comments the resource-level summary — verdicts first, a section per
// stack with prod first, the resized task definition with its old and new
// memory, within the comment budget and with balanced markup — and its
// "Fail on policy violations" step does not run.
func TestPullRequestChecksComment(t *testing.T) {
	t.Parallel()
	// listing: 1 vCPU with 2 GB → 3 GB, a Fargate size AWS accepts (1024 CPU
	// units take 2048–8192 MiB in 1024 steps:
	// https://docs.aws.amazon.com/AmazonECS/latest/userguide/task-cpu-memory-error.html).
	s, head := prSandbox(t, func(work string) {
		f := filepath.Join(work, "Pulumi.prod.yaml")
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		listing := regexp.MustCompile(`(- name: listing\b[^\n]*\n(?:[^\n]*\n){0,3}?\s+memory: )2048\n`)
		if !listing.Match(b) {
			t.Fatal("Pulumi.prod.yaml: no `memory: 2048` in the listing service to resize")
		}
		mustWrite(t, f, string(listing.ReplaceAll(b, []byte("${1}3072\n"))), 0o644)
	})
	temp := filepath.Join(s.dir, "runner-temp")
	exprs := prExprs(head)
	outputs := map[string]map[string]string{}
	for _, name := range []string{stepSynth, stepBase, stepComment} {
		st, _ := checksStep(t, name)
		out, o, err := runChecksStep(t, s, name, temp, exprs)
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		if st.ID != "" {
			outputs[st.ID] = o
		}
	}
	if got := outputs["synth"]["status"]; got != "0" {
		t.Errorf("synth step: status=%q, want 0", got)
	}
	if fail, _ := checksStep(t, stepFail); stepRuns(t, fail, outputs) {
		t.Errorf("%q runs on a clean PR", stepFail)
	}
	out := filepath.Join(temp, "synth")
	for _, name := range stackFiles {
		for _, f := range []string{"head/" + name + ".md", "head/" + name + ".json", "base/" + name + ".json"} {
			if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
				t.Errorf("%s: missing or empty (%v)", f, err)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(out, "base", "none")); err == nil {
		t.Error("the base step found no buildable cmd/synth")
	}
	// One build for the head (the checkout), one in the base worktree.
	var builds []string
	for _, c := range s.calls(t) {
		if strings.HasPrefix(c, "go build ") {
			builds = append(builds, strings.TrimPrefix(c, "go build "))
		}
	}
	if len(builds) != 2 || builds[0] != s.work || builds[1] != filepath.Join(out, "base-tree") {
		t.Errorf("go builds ran in %q, want the checkout then the base worktree", builds)
	}

	b, err := os.ReadFile(filepath.Join(out, "comment.md"))
	if err != nil {
		t.Fatal(err)
	}
	comment := string(b)
	t.Logf("comment: %d bytes", len(comment))
	if len(comment) > 58000 {
		t.Errorf("the comment is %d bytes, over its 58000-byte budget", len(comment))
	}
	if err := balancedMarkup(comment); err != nil {
		t.Errorf("comment markup: %v", err)
	}
	if want := "# Offline synth of `" + head[:7] + "` against `main`\n"; !strings.HasPrefix(comment, want) {
		t.Errorf("the comment starts %.120q, want %q", comment, want)
	}
	if !strings.Contains(comment, "[job summary](https://github.com/dbay/infra/actions/runs/42)") {
		t.Error("the comment does not link the run's job summary")
	}
	// Verdicts first: the table's rows, in the sections' order, before any section.
	titles := []string{"dbay/prod", "dhanam/prod", "dbay/dr", "dhanam/dr"}
	table := strings.Index(comment, "| Stack | Policy | DR |")
	last := table
	for _, title := range titles {
		row := strings.Index(comment, "| `"+title+"` | ✅ ")
		if row < 0 {
			t.Errorf("no passing verdict row for %s:\n%s", title, comment)
			continue
		}
		if row < last {
			t.Errorf("%s's verdict row is out of order", title)
		}
		last = row
	}
	if first := strings.Index(comment, "\n### "); table < 0 || first < table {
		t.Errorf("a stack section comes before the verdicts (table at %d, first section at %d)", table, first)
	}
	sections := map[string]string{}
	for i, title := range titles {
		start := strings.Index(comment, "\n### `"+title+"`\n")
		if start < 0 {
			t.Fatalf("no section for %s:\n%s", title, comment)
		}
		end := len(comment)
		if i+1 < len(titles) {
			end = strings.Index(comment, "\n### `"+titles[i+1]+"`\n")
		}
		if end < start {
			t.Fatalf("%s's section is not before %s's", title, titles[i+1])
		}
		sections[title] = comment[start:end]
	}
	if !regexp.MustCompile("\\| `dbay/prod` \\| ✅ [^\n]*\\| \\+0 −0 ~[1-9]").MatchString(comment) {
		t.Errorf("dbay/prod's verdict row shows no changed resource:\n%s", comment)
	}
	prod := sections["dbay/prod"]
	if !regexp.MustCompile("(?m)^- `listing[^`]*` `aws:ecs/taskDefinition:TaskDefinition`\n(  - [^\n]*\n)*  - `memory`: `\"2048\"` → `\"3072\"`").MatchString(prod) {
		t.Errorf("dbay/prod's section does not show listing's task definition memory 2048 → 3072:\n%s", prod)
	}
	if !strings.Contains(prod, "- **Cost:** ") {
		t.Errorf("dbay/prod's section has no cost line:\n%s", prod)
	}
	for _, title := range titles[1:] {
		if !strings.Contains(sections[title], "No resource changes.") {
			t.Errorf("%s changed, though the PR touches only Pulumi.prod.yaml:\n%s", title, sections[title])
		}
	}
	// The job summary has the same summary, with no comment budget.
	summary, _ := os.ReadFile(filepath.Join(temp, "summary.md"))
	if !strings.Contains(string(summary), "## Synth summary") || !strings.Contains(string(summary), "`memory`: `\"2048\"` → `\"3072\"`") {
		t.Errorf("the job summary lacks the synth summary:\n%.2000s", summary)
	}
	if err := balancedMarkup(string(summary)); err != nil {
		t.Errorf("job summary markup: %v", err)
	}
}

// A PR breaking a policy rule (prod's PostgreSQL backups kept one day):
// the synth step still writes every document and outputs status=3, the
// comment's verdict names the failing rule, and "Fail on policy
// violations" runs and fails the job.
func TestPullRequestChecksFailOnPolicyViolations(t *testing.T) {
	t.Parallel()
	s, head := prSandbox(t, func(work string) {
		f := filepath.Join(work, "Pulumi.prod.yaml")
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		broken := strings.Replace(string(b), "backupRetentionDays: 30", "backupRetentionDays: 1", 1)
		if broken == string(b) {
			t.Fatal("Pulumi.prod.yaml: no backupRetentionDays: 30 to break")
		}
		mustWrite(t, f, broken, 0o644)
	})
	temp := filepath.Join(s.dir, "runner-temp")
	exprs := prExprs(head)
	out, o, err := runChecksStep(t, s, stepSynth, temp, exprs)
	if err != nil {
		t.Fatalf("the synth step failed itself (its status output fails the job later): %v\n%s", err, out)
	}
	if o["status"] != "3" {
		t.Errorf("synth step: status=%q, want 3", o["status"])
	}
	if !strings.Contains(out, "::error::policy violations in . prod") || strings.Contains(out, "::error::policy violations in . dr") {
		t.Errorf("synth step annotations:\n%s", out)
	}
	for _, name := range stackFiles {
		if fi, err := os.Stat(filepath.Join(temp, "synth", "head", name+".json")); err != nil || fi.Size() == 0 {
			t.Errorf("head/%s.json: missing or empty (%v)", name, err)
		}
	}
	// The comment (no base documents: every stack is new) shows the verdict.
	if out, _, err := runChecksStep(t, s, stepComment, temp, exprs); err != nil {
		t.Fatalf("%s: %v\n%s", stepComment, err, out)
	}
	comment, _ := os.ReadFile(filepath.Join(temp, "synth", "comment.md"))
	if !regexp.MustCompile("\\| `dbay/prod` \\| ❌ [^\n]*1 failing").Match(comment) || !strings.Contains(string(comment), "`rds-backups`") {
		t.Errorf("the comment's prod verdict does not show the failing rule:\n%.3000s", comment)
	}
	fail, _ := checksStep(t, stepFail)
	if !stepRuns(t, fail, map[string]map[string]string{"synth": o}) {
		t.Fatalf("%q does not run on status=%s", stepFail, o["status"])
	}
	exprs["steps.synth.outputs.status"] = o["status"]
	out, _, err = runChecksStep(t, s, stepFail, temp, exprs)
	if code := exitCode(t, err); code != 1 || !strings.Contains(out, "(status 3)") {
		t.Errorf("%q: exit %d, want 1 naming status 3\n%s", stepFail, code, out)
	}
}
