package ci

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, bin := range []string{synthBin, guardBin} {
		if bin != "" {
			os.RemoveAll(filepath.Dir(bin))
		}
	}
	os.Exit(code)
}

// system is one project the failover workflows serve.
type system struct {
	name, dir, project string
}

var systems = []system{
	{name: "dbay", dir: ".", project: "dbay"},
	{name: "dhanam", dir: "examples/dhanam", project: "dhanam"},
}

// exprs are the values of the expressions the workflows use, for one
// GitHub environment (each has its own backend variable).
func exprs(sys system, environment string) map[string]string {
	backend := map[string]string{"dr": "s3://dbay-pulumi-state-123456789012-us-west-2/dr?region=us-west-2", "production": "s3://dbay-pulumi-state-123456789012-us-east-1/prod?region=us-east-1"}[environment]
	return map[string]string{
		"inputs.system": sys.name,
		"inputs.system == 'dhanam' && 'examples/dhanam' || '.'": sys.dir,
		"vars.PULUMI_BACKEND_URL":                               backend,
		"secrets.DEPLOY_FREEZE_TOKEN":                           "fake-token",
		"github.repository":                                     "dbay/infra",
		"github.server_url":                                     "https://github.com",
		"github.run_id":                                         "42",
	}
}

// drill runs failover.yml's failover job, then failback.yml's recovery and
// primary jobs, in one sandbox, and returns what each property check found
// wrong (empty: the workflows do what issue 18 asks). mutate edits the
// parsed workflows first (the checks' own tests break them on purpose).
func drill(t *testing.T, sys system, mutate func(failover, failback *ghWorkflow)) []string {
	t.Helper()
	doc := synthDoc(t, sys.dir, "dr")
	sb := newSandbox(t, sys.dir, map[string][]byte{"dr": doc})
	fo, fb := loadWorkflow(t, "failover.yml"), loadWorkflow(t, "failback.yml")
	if mutate != nil {
		mutate(fo, fb)
	}
	var problems []string
	seed := git(t, sb.origin, "rev-parse", "main")

	// Failover.
	foRun, err := sb.runJob("failover", fo.Jobs["failover"], exprs(sys, fo.Jobs["failover"].Environment))
	if err != nil {
		return append(problems, "failover: "+err.Error())
	}
	foCalls := sb.calls(t)
	afterFailover := git(t, sb.origin, "rev-parse", "main")
	problems = append(problems, checkCommits(t, sb, sys, seed, afterFailover, []configChange{
		{"Pulumi.dr.yaml", sys.project + ":fleet", "standby", "active"},
		{"Pulumi.prod.yaml", sys.project + ":dr", "fenced", true},
	})...)
	problems = append(problems, checkOrder("failover", foCalls, afterFailover, []deploy{{"dr", "s3://dbay-pulumi-state-123456789012-us-west-2/dr?region=us-west-2", "us-west-2"}}, false)...)
	problems = append(problems, checkRunbook("failover", foRun.stdout["Remaining manual steps"], doc, "failoverRunbook")...)

	// Failback: recovery (dr), then primary (prod).
	rec, err := sb.runJob("recovery", fb.Jobs["recovery"], exprs(sys, fb.Jobs["recovery"].Environment))
	if err != nil {
		return append(problems, "failback recovery: "+err.Error())
	}
	afterRecovery := git(t, sb.origin, "rev-parse", "main")
	problems = append(problems, checkCommits(t, sb, sys, afterFailover, afterRecovery, []configChange{
		{"Pulumi.dr.yaml", sys.project + ":fleet", "standby", "pilot"},
	})...)
	e := exprs(sys, fb.Jobs["primary"].Environment)
	e["needs.recovery.outputs.runbook"] = rec.outputs["runbook"]
	prim, err := sb.runJob("primary", fb.Jobs["primary"], e)
	if err != nil {
		return append(problems, "failback primary: "+err.Error())
	}
	afterPrimary := git(t, sb.origin, "rev-parse", "main")
	problems = append(problems, checkCommits(t, sb, sys, afterRecovery, afterPrimary, []configChange{
		{"Pulumi.prod.yaml", sys.project + ":dr", "fenced", false},
	})...)
	all := sb.calls(t)
	problems = append(problems, checkOrder("failback", all[len(foCalls):], afterPrimary, []deploy{
		{"dr", "s3://dbay-pulumi-state-123456789012-us-west-2/dr?region=us-west-2", "us-west-2"},
		{"prod", "s3://dbay-pulumi-state-123456789012-us-east-1/prod?region=us-east-1", "us-east-1"},
	}, true)...)
	problems = append(problems, checkRunbook("failback recovery", rec.stdout["Failback steps"], doc, "failbackRunbook")...)
	problems = append(problems, checkRunbook("failback primary", prim.stdout["Remaining manual steps"], doc, "failbackRunbook")...)
	return problems
}

// configChange is one key the commit sets in <dir>/<file>.
type configChange struct {
	file, section, field string
	value                any
}

// checkCommits: main moved from old to new by one commit whose diff is
// exactly the changes (the files parse to the old config plus them, and
// each changed key is at most one removed and one added line).
func checkCommits(t *testing.T, sb *sandbox, sys system, old, new string, changes []configChange) []string {
	var problems []string
	if n := git(t, sb.origin, "rev-list", "--count", old+".."+new); n != "1" {
		return []string{fmt.Sprintf("%s commits reached main, want 1 holding %v", n, changes)}
	}
	var want []string
	for _, c := range changes {
		want = append(want, filepath.Join(sys.dir, c.file))
	}
	got := strings.Fields(git(t, sb.origin, "diff", "--name-only", old, new))
	if strings.Join(got, " ") != strings.Join(want, " ") {
		problems = append(problems, fmt.Sprintf("the commit changes %v, want exactly %v", got, want))
	}
	for _, c := range changes {
		path := filepath.Join(sys.dir, c.file)
		before, after := stackConfig(t, sb, old, path), stackConfig(t, sb, new, path)
		section, _ := before[c.section].(map[string]any)
		if section == nil {
			section = map[string]any{}
			before[c.section] = section
		}
		section[c.field] = c.value
		if !reflect.DeepEqual(before, after) {
			b, _ := json.Marshal(after[c.section])
			problems = append(problems, fmt.Sprintf("%s after the commit is not the config before it plus %s.%s=%v (%s: %s)", path, c.section, c.field, c.value, c.section, b))
		}
		numstat := strings.Fields(git(t, sb.origin, "diff", "--numstat", old, new, "--", path))
		// one line replaced, or added (two when the section is new)
		if len(numstat) < 2 || !(numstat[0] == "1" && numstat[1] == "1" || numstat[1] == "0" && (numstat[0] == "1" || numstat[0] == "2")) {
			problems = append(problems, fmt.Sprintf("%s: %v lines added/removed, want the one key's line(s): the rest of the file must stay byte for byte", path, numstat))
		}
	}
	return problems
}

func stackConfig(t *testing.T, sb *sandbox, rev, path string) map[string]any {
	t.Helper()
	var doc struct{ Config map[string]any }
	if err := yaml.Unmarshal([]byte(git(t, sb.origin, "show", rev+":"+path)), &doc); err != nil {
		t.Fatalf("%s at %s: %v", path, rev, err)
	}
	return doc.Config
}

// deploy is one expected `pulumi up`: stack, backend and Region.
type deploy struct{ stack, backend, region string }

// checkOrder reads the call log: the freeze is set before anything is
// pushed or deployed; the only state-changing pulumi commands are the
// expected ups, in order, each with its stack's backend and Region and
// on the config main holds (head); lifted says whether the freeze must be
// lifted after the last of them (failback) or stay (failover).
func checkOrder(what string, calls []string, head string, want []deploy, lifted bool) []string {
	var problems []string
	freeze, unfreeze, firstPush, lastPush, lastUp := -1, -1, -1, -1, -1
	var ups []string
	for i, c := range calls {
		switch {
		case strings.HasPrefix(c, "gh variable set DEPLOY_FREEZE") && freeze < 0:
			freeze = i
		case strings.HasPrefix(c, "gh variable delete DEPLOY_FREEZE"):
			unfreeze = i
		case strings.HasPrefix(c, "push refs/heads/main"):
			if firstPush < 0 {
				firstPush = i
			}
			lastPush = i
		case strings.HasPrefix(c, "pulumi "):
			args := strings.Fields(strings.SplitN(c, " | ", 2)[0])
			if len(args) > 1 && (args[1] == "up" || args[1] == "destroy" || args[1] == "refresh" || args[1] == "import" || args[1] == "cancel" || args[1] == "state") {
				ups = append(ups, c)
				lastUp = i
			}
		}
	}
	if freeze < 0 || (firstPush >= 0 && freeze > firstPush) || (lastUp >= 0 && freeze > lastUp) {
		problems = append(problems, fmt.Sprintf("%s: the deploy freeze is not set before the first push and deploy (freeze at %d, push at %d, up at %d)", what, freeze, firstPush, lastUp))
	}
	switch {
	case lifted && (unfreeze < 0 || unfreeze < lastUp || unfreeze < lastPush):
		problems = append(problems, fmt.Sprintf("%s: the deploy freeze is not lifted after the last push and deploy (lifted at %d, push at %d, up at %d)", what, unfreeze, lastPush, lastUp))
	case !lifted && unfreeze >= 0:
		problems = append(problems, what+": the deploy freeze is lifted: it must hold until the failback")
	}
	if len(ups) != len(want) {
		return append(problems, fmt.Sprintf("%s: state-changing pulumi commands %q, want an up of %v only", what, ups, want))
	}
	for i, w := range want {
		c := ups[i]
		if !strings.HasPrefix(c, "pulumi up --stack "+w.stack+" ") {
			problems = append(problems, fmt.Sprintf("%s: deploy %d is %q, want pulumi up --stack %s", what, i+1, c, w.stack))
		}
		if !strings.Contains(c, " backend="+w.backend+" ") || !strings.Contains(c, " region="+w.region+" ") {
			problems = append(problems, fmt.Sprintf("%s: %s deployed with %q, want backend %s in %s", what, w.stack, c, w.backend, w.region))
		}
		if i == len(want)-1 && !strings.HasSuffix(c, " head="+head) {
			problems = append(problems, fmt.Sprintf("%s: %q did not run on the commit main holds (%s)", what, c, head))
		}
	}
	return problems
}

// checkRunbook: the printed steps are the recovery stack's runbook output,
// every line of it, with its real identifiers.
func checkRunbook(what, printed string, doc []byte, output string) []string {
	var synth struct {
		Outputs map[string]any `json:"outputs"`
	}
	if err := json.Unmarshal(doc, &synth); err != nil {
		return []string{err.Error()}
	}
	steps, _ := synth.Outputs[output].([]any)
	id, _ := synth.Outputs["postgresIdentifier"].(string)
	if len(steps) == 0 || id == "" {
		return []string{fmt.Sprintf("%s: the synth has no %s or postgresIdentifier", what, output)}
	}
	if !strings.Contains(printed, id) {
		return []string{fmt.Sprintf("%s: the printed steps do not name the PostgreSQL instance %s:\n%s", what, id, printed)}
	}
	for _, s := range steps {
		for _, line := range strings.Split(s.(string), "\n")[1:] { // the commands, with the ids
			if !strings.Contains(printed, line) {
				return []string{fmt.Sprintf("%s: the printed steps lack %q", what, line)}
			}
		}
	}
	return nil
}

// Issue 18: the failover and failback workflows' steps, run for real
// against each system's recovery-stack synth (AWS, GitHub and Pulumi
// faked): each commit is exactly its config change, only the expected
// stacks are deployed with their own Region's backend, the freeze is set
// first and lifted last, and the printed steps carry the synth's real ids.
func TestFailoverAndFailbackDrill(t *testing.T) {
	t.Parallel()
	for _, sys := range systems {
		t.Run(sys.name, func(t *testing.T) {
			t.Parallel()
			for _, p := range drill(t, sys, nil) {
				t.Error(p)
			}
		})
	}
}

// Each property the drill asserts, broken on purpose in the workflows:
// the drill must report it.
func TestDrillCatchesBrokenWorkflows(t *testing.T) {
	t.Parallel()
	edit := func(j *ghJob, step, old, new string) {
		s := j.step(step)
		if s == nil || !strings.Contains(s.Run, old) {
			panic(fmt.Sprintf("step %q has no %q", step, old))
		}
		s.Run = strings.Replace(s.Run, old, new, 1)
	}
	move := func(j *ghJob, step, before string) { // step moves to just before `before`
		var moved *ghStep
		var rest []*ghStep
		for _, s := range j.Steps {
			if s.Name == step {
				moved = s
			} else {
				rest = append(rest, s)
			}
		}
		j.Steps = nil
		for _, s := range rest {
			if s.Name == before {
				j.Steps = append(j.Steps, moved)
			}
			j.Steps = append(j.Steps, s)
		}
	}
	for _, tc := range []struct {
		name, want string
		mutate     func(fo, fb *ghWorkflow)
	}{
		{"freeze after the commit", "the deploy freeze is not set before the first push", func(fo, _ *ghWorkflow) {
			move(fo.Jobs["failover"], "Freeze deploys", "pulumi up (dr)")
		}},
		{"no freeze", "the deploy freeze is not set", func(fo, _ *ghWorkflow) {
			edit(fo.Jobs["failover"], "Freeze deploys", "gh variable set DEPLOY_FREEZE", "echo gh variable set DEPLOY_FREEZE")
		}},
		{"freeze lifted before prod's up", "the deploy freeze is not lifted after the last push and deploy", func(_, fb *ghWorkflow) {
			move(fb.Jobs["primary"], "Lift the deploy freeze", "Commit the primary unfenced")
		}},
		{"freeze lifted by the failover", "the deploy freeze is lifted: it must hold", func(fo, _ *ghWorkflow) {
			fo.Jobs["failover"].Steps = append(fo.Jobs["failover"].Steps, loadWorkflow(t, "failback.yml").Jobs["primary"].step("Lift the deploy freeze"))
		}},
		{"commit with another change", "the rest of the file must stay byte for byte", func(fo, _ *ghWorkflow) {
			edit(fo.Jobs["failover"], "Commit the failover config", "git add", "sed -i 's/  # /  #  /' \"$STACK_DIR/Pulumi.dr.yaml\"\n          git add")
		}},
		{"prod not fenced", "the commit changes", func(fo, _ *ghWorkflow) {
			edit(fo.Jobs["failover"], "Commit the failover config", `.github/scripts/dr-config.sh "$STACK_DIR/Pulumi.prod.yaml" "$project:dr" fenced true`, "")
		}},
		{"failover deploys prod", "want pulumi up --stack dr", func(fo, _ *ghWorkflow) {
			edit(fo.Jobs["failover"], "pulumi up (dr)", "--stack dr", "--stack prod")
		}},
		{"failover also deploys prod", "want an up of", func(fo, _ *ghWorkflow) {
			edit(fo.Jobs["failover"], "pulumi up (dr)", "set -euo pipefail", "set -euo pipefail\npulumi up --stack prod --yes")
		}},
		{"failover in us-east-1", "want backend s3://dbay-pulumi-state-123456789012-us-west-2/dr?region=us-west-2 in us-west-2", func(fo, _ *ghWorkflow) {
			for _, s := range fo.Jobs["failover"].Steps {
				if s.With["aws-region"] != "" {
					s.With["aws-region"] = "us-east-1"
				}
			}
		}},
		{"steps without the stack's ids", "the printed steps do not name", func(fo, _ *ghWorkflow) {
			edit(fo.Jobs["failover"], "Remaining manual steps", `pulumi stack output failoverRunbook --stack dr --cwd "$STACK_DIR" --json`, `echo '["see the runbook"]'`)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			problems := drill(t, systems[0], tc.mutate)
			if !strings.Contains(strings.Join(problems, "\n"), tc.want) {
				t.Errorf("broken on purpose (%s), the drill reported %q, want %q", tc.name, problems, tc.want)
			} else {
				t.Logf("broken on purpose (%s): %s", tc.name, strings.Join(problems, "; "))
			}
		})
	}
}
