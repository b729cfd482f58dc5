package tests

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbay/infra/internal/cfnschema"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
)

// Every resource of every shipped stack that has a CloudFormation
// equivalent passes cfn-lint (AWS's published resource schemas: values,
// patterns, ranges, Region availability), or its finding is waived in
// internal/cfnschema/waivers.go with the reason AWS accepts it. The
// mapping covers every type the stacks create: a type with no translation
// and no listed reason fails here.
//
// cfn-lint is required on CI (CI=true): without it this test fails there,
// and skips with a message elsewhere.
func TestShippedStacksPassCloudFormationSchemas(t *testing.T) {
	t.Parallel()
	if _, err := cfnschema.Command(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cfn-lint is required on CI: %v", err)
		}
		t.Skipf("cfn-lint is not installed (pip install cfn-lint), the schema check does not run: %v", err)
	}
	var trs []*cfnschema.Translation
	for _, key := range shippedStacks {
		dir, stack := shippedStack(key)
		tr := synthesize(t, dir, stack).CFN()
		for _, p := range tr.Problems {
			t.Errorf("%s: %s", key, p)
		}
		var cov strings.Builder
		_ = tr.WriteCoverage(&cov)
		t.Log(strings.SplitN(cov.String(), "\n", 2)[0])
		if c := tr.Counts(); c[cfnschema.Checked] == 0 {
			t.Errorf("%s: nothing checked", key)
		}
		trs = append(trs, tr)
	}
	start := time.Now()
	findings, unused, err := cfnschema.Lint(context.Background(), t.TempDir(), trs, cfnschema.Waivers)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cfn-lint of %d stacks: %s", len(trs), time.Since(start).Round(time.Second))
	if bad := cfnschema.Unwaived(findings); len(bad) > 0 {
		var b strings.Builder
		_ = cfnschema.WriteFindings(&b, findings)
		t.Errorf("%d cfn-lint findings no waiver covers: fix the program where AWS would refuse it, "+
			"or waive it in internal/cfnschema/waivers.go with why AWS accepts it:\n%s", len(bad), b.String())
	}
	for _, w := range unused {
		t.Errorf("waiver %s %s %s %q matches no finding: remove it", w.Rule, w.Stack, w.Type, w.Message)
	}
}

// A resource type the mapping does not know, added to a shipped stack, is
// a problem the check above reports: a new type cannot go unchecked.
func TestANewResourceTypeFailsTheSchemaCheck(t *testing.T) {
	t.Parallel()
	r := synthesize(t, "../examples/dhanam", "dr")
	fake := &mockengine.Resource{URN: "urn:pulumi:dr::dhanam::aws:newservice/thing:Thing::thing", Type: "aws:newservice/thing:Thing",
		Name: "thing", Custom: true, Region: "us-west-2"}
	tr := cfnschema.Translate(r.Project, r.Stack, append(append([]*mockengine.Resource(nil), r.Resources...), fake))
	if len(tr.Problems) != 1 || !strings.Contains(tr.Problems[0], "aws:newservice/thing:Thing") {
		t.Errorf("problems = %q, want the unmapped type", tr.Problems)
	}
	if len(r.CFN().Problems) != 0 {
		t.Errorf("the shipped stack itself has problems: %q", r.CFN().Problems)
	}
}

// synth --cfn DIR writes one template per Region and the coverage;
// --cfn-lint appends a text report, so it refuses --format json.
func TestSynthCFNFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out, errOut strings.Builder
	if code := synth.Main([]string{"--dir", "../examples/dhanam", "--stack", "dr", "--cfn", dir}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, f := range []string{"dhanam-dr-us-west-2.json", "dhanam-dr-coverage.txt"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "dhanam-dr-us-west-2.json" && !strings.Contains(string(b), `"AWS::RDS::DBInstance"`) {
			t.Errorf("%s has no DB instance", f)
		}
		if f == "dhanam-dr-coverage.txt" && !strings.Contains(string(b), "unchecked    1  awsx:ec2:Vpc") {
			t.Errorf("%s does not list the unchecked VPC:\n%s", f, b)
		}
	}
	errOut.Reset()
	if code := synth.Main([]string{"--dir", "../examples/dhanam", "--stack", "dr", "--format", "json", "--cfn-lint"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "--cfn-lint") {
		t.Errorf("--format json --cfn-lint: exit %d, %q; want 2 with the reason", code, errOut.String())
	}
}
