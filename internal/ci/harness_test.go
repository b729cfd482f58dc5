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

// This file runs a workflow job's `run:` steps for real in a sandbox: a
// clone of a local "origin" holding the stack configs and
// .github/scripts, with `gh` and `pulumi` replaced by fakes on PATH that
// log every call (and answer `pulumi stack output` from a synth document),
// and a push hook that logs what reaches main. `uses:` steps are not run;
// configure-aws-credentials is modelled by the AWS_REGION it exports.

// primaryDownFlag is the synth flag that runs the recovery stack as after a
// failover with the primary's state unreadable (issue 18). Empty until
// `--primary-down` lands in cmd/synth: set it here, in one place.
const primaryDownFlag = "--primary-down"

type ghWorkflow struct {
	Jobs map[string]*ghJob `yaml:"jobs"`
}

type ghJob struct {
	Environment string            `yaml:"environment"`
	Env         map[string]string `yaml:"env"`
	Outputs     map[string]string `yaml:"outputs"`
	Steps       []*ghStep         `yaml:"steps"`
}

type ghStep struct {
	ID    string            `yaml:"id"`
	Name  string            `yaml:"name"`
	Uses  string            `yaml:"uses"`
	With  map[string]string `yaml:"with"`
	Env   map[string]string `yaml:"env"`
	Run   string            `yaml:"run"`
	Shell string            `yaml:"shell"`
	If    string            `yaml:"if"`
}

func loadWorkflow(t *testing.T, name string) *ghWorkflow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, ".github", "workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var w ghWorkflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &w
}

// step returns the job's step with this name (nil if none).
func (j *ghJob) step(name string) *ghStep {
	for _, s := range j.Steps {
		if s.Name == name {
			return s
		}
	}
	return nil
}

var exprRe = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// resolve replaces each ${{ expr }} by its value in exprs; an expression
// the test does not know is an error, so a workflow change cannot slip by.
func resolve(s string, exprs map[string]string) (string, error) {
	var missing []string
	out := exprRe.ReplaceAllStringFunc(s, func(m string) string {
		e := exprRe.FindStringSubmatch(m)[1]
		v, ok := exprs[e]
		if !ok {
			missing = append(missing, e)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("unknown expressions %q", missing)
	}
	return out, nil
}

// sandbox is one run's world: origin (bare), the work tree, fakes, logs.
type sandbox struct {
	dir, origin, work, bin, log, synthDir string
}

// newSandbox seeds origin's main with the repository's stack configs and
// scripts, clones it, and writes the fakes. synth maps a stack name to
// its synth document (pulumi stack output answers from its "outputs").
func newSandbox(t *testing.T, stackDir string, synth map[string][]byte) *sandbox {
	t.Helper()
	dir := t.TempDir()
	s := &sandbox{dir: dir, origin: filepath.Join(dir, "origin.git"), work: filepath.Join(dir, "work"),
		bin: filepath.Join(dir, "bin"), log: filepath.Join(dir, "calls.log"), synthDir: filepath.Join(dir, "synth")}
	seed := filepath.Join(dir, "seed")
	for _, f := range []string{
		"Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dr.yaml", ".github/scripts/dr-config.sh",
		"examples/dhanam/Pulumi.yaml", "examples/dhanam/Pulumi.prod.yaml", "examples/dhanam/Pulumi.dr.yaml",
	} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		mustWrite(t, filepath.Join(seed, f), string(b), 0o755)
	}
	for stack, doc := range synth {
		mustWrite(t, filepath.Join(s.synthDir, stack+".json"), string(doc), 0o644)
	}
	git(t, seed, "init", "-q", "-b", "main")
	git(t, seed, "add", "-A")
	git(t, seed, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "seed")
	git(t, dir, "clone", "-q", "--bare", seed, s.origin)
	mustWrite(t, filepath.Join(s.origin, "hooks", "post-receive"),
		"#!/bin/sh\nwhile read old new ref; do echo \"push $ref $new\" >> '"+s.log+"'; done\n", 0o755)
	git(t, dir, "clone", "-q", s.origin, s.work)

	mustWrite(t, filepath.Join(s.bin, "gh"), `#!/bin/sh
[ -n "$GH_TOKEN" ] && [ -n "$GH_REPO" ] || { echo "gh: no GH_TOKEN/GH_REPO" >&2; exit 4; }
echo "gh $*" >> '`+s.log+`'
`, 0o755)
	mustWrite(t, filepath.Join(s.bin, "pulumi"), `#!/bin/bash
set -euo pipefail
echo "pulumi $* | backend=${PULUMI_BACKEND_URL:-} region=${AWS_REGION:-} head=$(git rev-parse HEAD)" >> '`+s.log+`'
stack=""; output=""; args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --stack) stack=${args[$((i+1))]} ;;
    output) output=${args[$((i+1))]} ;;
  esac
done
if [ "${1:-}" = stack ] && [ "${2:-}" = output ]; then
  jq -e --arg n "$output" '.outputs[$n]' '`+s.synthDir+`'/"$stack".json
fi
`, 0o755)
	mustWrite(t, s.log, "", 0o644)
	return s
}

func mustWrite(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// jobRun is what running one job produced.
type jobRun struct {
	stdout  map[string]string // step name -> stdout
	outputs map[string]string // the job's outputs
}

// runJob runs job's steps in the sandbox's work tree, as the runner would
// (runStep), logging "step <job>/<name>" before each. It stops at the
// first failing step and returns its error.
func (s *sandbox) runJob(job string, j *ghJob, exprs map[string]string) (*jobRun, error) {
	run := &jobRun{stdout: map[string]string{}, outputs: map[string]string{}}
	env := map[string]string{}
	for k, v := range j.Env {
		r, err := resolve(v, exprs)
		if err != nil {
			return run, fmt.Errorf("job %s env %s: %w", job, k, err)
		}
		env[k] = r
	}
	stepOutputs := map[string]string{}
	temp := filepath.Join(s.dir, "runner-temp-"+job)
	for i, st := range j.Steps {
		if strings.HasPrefix(st.Uses, "aws-actions/configure-aws-credentials@") {
			env["AWS_REGION"] = st.With["aws-region"]
			continue
		}
		if st.Run == "" {
			continue
		}
		appendLog(s.log, "step "+job+"/"+st.Name)
		out, outputs, err := s.runStep(st, i, env, exprs, temp)
		run.stdout[st.Name] = out
		if err != nil {
			return run, err
		}
		for k, v := range outputs {
			stepOutputs["steps."+st.ID+".outputs."+k] = v
		}
	}
	for k, v := range j.Outputs {
		r, err := resolve(v, stepOutputs)
		if err != nil {
			return run, fmt.Errorf("job %s output %s: %w", job, k, err)
		}
		run.outputs[k] = r
	}
	return run, nil
}

// shellFlags are the runner's bash options for a step's `shell:`: bash -e
// when it names none, --noprofile --norc -eo pipefail for `shell: bash`
// (https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idstepsshell,
// "Command run internally"; github/docs issue 23853).
func shellFlags(shell string) ([]string, error) {
	switch shell {
	case "":
		return []string{"-e"}, nil
	case "bash":
		return []string{"--noprofile", "--norc", "-eo", "pipefail"}, nil
	}
	return nil, fmt.Errorf("shell %q: the harness runs bash only", shell)
}

// runStep runs step i's run: script in the sandbox's work tree as the
// runner would (bash with the step's shell flags; GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY (temp/summary.md), RUNNER_TEMP (temp)), with env
// and the step's own env: resolved from exprs. It returns the step's
// stdout and, for a step with an id, what it wrote to GITHUB_OUTPUT; a
// failing step's error wraps its *exec.ExitError.
func (s *sandbox) runStep(st *ghStep, i int, env, exprs map[string]string, temp string) (string, map[string]string, error) {
	if err := os.MkdirAll(temp, 0o755); err != nil {
		return "", nil, err
	}
	vars := map[string]string{}
	for k, v := range env {
		vars[k] = v
	}
	for k, v := range st.Env {
		r, err := resolve(v, exprs)
		if err != nil {
			return "", nil, fmt.Errorf("step %q env %s: %w", st.Name, k, err)
		}
		vars[k] = r
	}
	if _, err := resolve(st.Run, exprs); err != nil || exprRe.MatchString(st.Run) {
		return "", nil, fmt.Errorf("step %q: expressions inside run: (use env:) %v", st.Name, err)
	}
	flags, err := shellFlags(st.Shell)
	if err != nil {
		return "", nil, fmt.Errorf("step %q: %w", st.Name, err)
	}
	outFile := filepath.Join(temp, fmt.Sprintf("output-%d", i))
	script := filepath.Join(temp, fmt.Sprintf("step-%d.sh", i))
	if err := os.WriteFile(script, []byte(st.Run), 0o644); err != nil {
		return "", nil, err
	}
	cmd := exec.Command("bash", append(flags, script)...)
	cmd.Dir = s.work
	cmd.Env = []string{"PATH=" + s.bin + ":" + os.Getenv("PATH"), "HOME=" + s.dir,
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GITHUB_OUTPUT=" + outFile, "GITHUB_STEP_SUMMARY=" + filepath.Join(temp, "summary.md"), "RUNNER_TEMP=" + temp}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), nil, fmt.Errorf("step %q: %w\n%s%s", st.Name, err, out, stderr.String())
	}
	outputs := map[string]string{}
	if st.ID != "" {
		b, _ := os.ReadFile(outFile)
		outputs = parseGitHubOutput(string(b))
	}
	return string(out), outputs, nil
}

var logMu sync.Mutex

func appendLog(path, line string) {
	logMu.Lock()
	defer logMu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	fmt.Fprintln(f, line)
}

// parseGitHubOutput reads name=value and name<<DELIM … DELIM lines.
func parseGitHubOutput(s string) map[string]string {
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok {
			var body []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				body = append(body, lines[i])
			}
			out[name] = strings.Join(body, "\n")
		} else if name, v, ok := strings.Cut(lines[i], "="); ok {
			out[name] = v
		}
	}
	return out
}

// calls returns the sandbox's log lines.
func (s *sandbox) calls(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(s.log)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

var (
	synthOnce sync.Once
	synthBin  string
	synthErr  error
)

var (
	docsMu sync.Mutex
	docs   = map[string][]byte{}
)

// synthBinary is cmd/synth built once per test run (TestMain removes it).
func synthBinary(t *testing.T) string {
	t.Helper()
	synthOnce.Do(func() {
		tmp, err := os.MkdirTemp("", "ci-synth")
		if err != nil {
			synthErr = err
			return
		}
		synthBin = filepath.Join(tmp, "synth")
		// -s -w: no symbol table or DWARF, which halves the link of a binary
		// holding the AWS provider SDK; nothing debugs this copy.
		cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", synthBin, "./cmd/synth")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			synthErr = fmt.Errorf("go build ./cmd/synth: %v\n%s", err, out)
		}
	})
	if synthErr != nil {
		t.Fatal(synthErr)
	}
	return synthBin
}

// synthDoc is `synth --dir dir --stack stack --format json` (plus
// primaryDownFlag), from synthBinary; each document is synthesized once.
func synthDoc(t *testing.T, dir, stack string) []byte {
	t.Helper()
	bin := synthBinary(t)
	docsMu.Lock()
	defer docsMu.Unlock()
	if doc, ok := docs[dir+":"+stack]; ok {
		return doc
	}
	args := []string{"--dir", dir, "--stack", stack, "--format", "json"}
	if primaryDownFlag != "" {
		args = append(args, primaryDownFlag)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("synth %v: %v", args, err)
	}
	docs[dir+":"+stack] = out
	return out
}
