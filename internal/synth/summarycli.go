package synth

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/dbay/infra/config"
)

// summaryArgs are the flags of `synth --format summary`, in one of two modes:
//
//	synth --stack prod [--dir D] --format summary --base base/prod.json
//	    synthesizes the stack (policy included, as --policy does) and
//	    compares it with the base branch's document;
//	synth --format summary --base-dir base --head-dir head
//	    compares documents already written (synth --format json --policy),
//	    every <name>.json of either directory, one section per stack,
//	    prod stacks first: what the pull-request workflow runs for its
//	    four stacks.
type summaryArgs struct {
	stack, dir, base, baseDir, headDir string
	maxBytes                           int
}

// validate returns every usage problem at once.
func (a summaryArgs) validate() []string {
	var errs []string
	switch {
	case a.baseDir != "" || a.headDir != "":
		if a.baseDir == "" || a.headDir == "" {
			errs = append(errs, "synth: --base-dir and --head-dir go together (the base branch's and the change's synth documents)")
		}
		if a.stack != "" || a.base != "" {
			errs = append(errs, "synth: --base-dir/--head-dir compare documents already written: drop --stack and --base")
		}
	case a.base == "":
		errs = append(errs, "synth: --format summary needs --base <base.json> (with --stack) or --base-dir and --head-dir")
	case a.stack == "":
		errs = append(errs, "synth: --format summary --base needs --stack: the stack to synthesize and compare")
	}
	if a.maxBytes < 0 || (a.maxBytes > 0 && a.maxBytes < 2000) {
		errs = append(errs, fmt.Sprintf("synth: --max-bytes %d: use 0 (no limit) or at least 2000", a.maxBytes))
	}
	return errs
}

// summaryMain runs `synth --format summary`: 0 when the summary was
// written (whatever its verdicts say: the checks job fails on them
// separately), 2 on a usage or configuration error, 1 when a document
// cannot be read or the stack does not synthesize.
func summaryMain(a summaryArgs, stdout, stderr io.Writer) int {
	if errs := a.validate(); len(errs) > 0 {
		fmt.Fprintln(stderr, strings.Join(errs, "\n"))
		return 2
	}
	var diffs []StackDiff
	if a.baseDir != "" {
		var err error
		if diffs, err = LoadPairs(a.baseDir, a.headDir); err != nil {
			fmt.Fprintf(stderr, "synth: summary: %v\n", err)
			return 1
		}
	} else {
		if err := checkStack(a.dir, a.stack); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		base, err := ReadDocument(a.base)
		if err != nil {
			fmt.Fprintf(stderr, "synth: summary: --base %v\n", err)
			return 1
		}
		head, status := synthDocument(a.dir, a.stack, stderr)
		if head == nil {
			return status
		}
		diffs = []StackDiff{Compare(head, base)}
	}
	if _, err := io.WriteString(stdout, RenderSummary(diffs, a.maxBytes)); err != nil {
		return 1
	}
	return 0
}

// synthDocument synthesizes the stack and returns its document with the
// policy section, as `synth --format json --policy` writes it; nil and
// the exit status on failure.
func synthDocument(dir, stack string, stderr io.Writer) (*JSONReport, int) {
	st, err := LoadStack(dir, stack)
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return nil, 1
	}
	res, err := Run(st)
	if es, ok := config.AsErrors(err); ok {
		for _, e := range es {
			fmt.Fprintln(stderr, e.Error())
		}
		return nil, 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return nil, 1
	}
	p := res.EvaluatePolicy()
	var buf bytes.Buffer
	if err := res.writeJSON(&buf, &p); err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return nil, 1
	}
	doc, err := parseDocument(dir+"/Pulumi."+stack+".yaml", buf.Bytes())
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return nil, 1
	}
	return doc, 0
}
