package synth

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dbay/infra/internal/cfnschema"
)

// CFN is the stack translated into CloudFormation templates (one per
// Region) for cfn-lint; see internal/cfnschema.
func (r *Result) CFN() *cfnschema.Translation {
	return cfnschema.Translate(r.Project, r.Stack, r.Resources)
}

// cfnCheck is the outcome of synth --cfn / --cfn-lint.
type cfnCheck struct {
	tr       *cfnschema.Translation
	findings []cfnschema.Finding
	linted   bool
}

// failed: a gap in the mapping, or a cfn-lint finding no waiver covers.
func (c *cfnCheck) failed() bool {
	return len(c.tr.Problems) > 0 || (c.linted && len(cfnschema.Unwaived(c.findings)) > 0)
}

// runCFN translates the stack, writes the templates and their coverage to
// dir ("" with lint: a temporary directory) and, with lint, runs cfn-lint.
func (r *Result) runCFN(dir string, lint bool) (*cfnCheck, error) {
	c := &cfnCheck{tr: r.CFN()}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "synth-cfn-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if _, err := c.tr.Write(dir); err != nil {
		return nil, err
	}
	var cov bytes.Buffer
	if err := c.tr.WriteCoverage(&cov); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%s-coverage.txt", r.Project, r.Stack)), cov.Bytes(), 0o644); err != nil {
		return nil, err
	}
	if !lint {
		return c, nil
	}
	fs, _, err := cfnschema.Lint(context.Background(), dir, []*cfnschema.Translation{c.tr}, cfnschema.Waivers)
	if err != nil {
		return nil, err
	}
	c.findings, c.linted = fs, true
	return c, nil
}

// write prints the coverage and, when linted, the findings.
func (c *cfnCheck) write(w io.Writer, markdown bool) error {
	var b bytes.Buffer
	if err := c.tr.WriteCoverage(&b); err != nil {
		return err
	}
	if c.linted {
		if err := cfnschema.WriteFindings(&b, c.findings); err != nil {
			return err
		}
	}
	if markdown {
		status := "✅"
		if c.failed() {
			status = "❌"
		}
		_, err := fmt.Fprintf(w, "\n### CloudFormation schemas (cfn-lint) %s\n\n```\n%s```\n", status, b.String())
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s", b.String())
	return err
}
