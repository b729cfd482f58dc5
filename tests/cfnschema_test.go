package tests

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/cfnschema"
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
	findings, unused, err := cfnschema.Lint(context.Background(), t.TempDir(), trs, cfnschema.Waivers)
	if err != nil {
		t.Fatal(err)
	}
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
