package synth

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/cfnschema"
	"github.com/dbay/infra/policy"
)

// usage is the head of `synth --help`; the flags follow it.
const usage = `synth runs a stack of the program offline, under Pulumi's mock engine, and
prints what it would create: resources, outputs, cost, DR and wiring, and with
--policy the policy report. No AWS account or Pulumi backend is needed.

Usage: synth --stack NAME [--dir DIR] [flags]

Examples:
  synth --stack prod --policy                     # DBay prod, policy included (exit 3 on violations)
  synth --stack dr                                # DBay's recovery stack (runs prod as its partner)
  synth --dir examples/dhanam --stack prod        # Dhanam Ledger (also --stack dr)
  synth --stack prod --format json --policy       # the JSON document the pull-request jobs compare
  synth --format summary --base-dir base --head-dir head
                                                  # pull-request summary of documents already written
  synth --stack dr --primary-down                 # the DR pair after a failover, primary Region down
  synth --stack prod --cfn-lint --cfn out/        # CloudFormation translation + cfn-lint (exit 4 on findings)

Stacks are the Pulumi.<stack>.yaml files of --dir.
Exit status: 0 ok, 1 failure, 2 usage or configuration error, 3 policy/DR/wiring
violation (with --policy), 4 cfn-lint finding (with --cfn-lint).

Flags:
`

// Main is the synth command: it parses args, runs the stack and writes the
// report to stdout. It returns the process exit status: 0 on success (and
// for --help, which prints the usage with examples), 2 on a usage or
// configuration error (one problem per line on stderr, nothing on stdout),
// 1 on any other failure (an unknown --stack lists the stacks of --dir),
// and — with --policy — 3 when a policy rule has an unwaived violation, a
// stateful resource of a DR pair lacks a recovery mechanism meeting the DR
// policy, or an edge of the wiring table is broken (after the whole report
// is printed), and — with --cfn-lint — 4 when cfn-lint has an unwaived finding
// on the stack's CloudFormation translation or a resource type has no
// mapping (3 wins when the policy fails too).
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	stack := fs.String("stack", "", "stack name: reads Pulumi.<stack>.yaml (required)")
	dir := fs.String("dir", ".", "directory holding Pulumi.yaml and the stack files")
	format := fs.String("format", "text", "output format: text, json, markdown, dot or summary (with --base or --base-dir)")
	base := fs.String("base", "", "summary: the base branch's synth document of this stack (synth --format json --policy)")
	baseDir := fs.String("base-dir", "", "summary: a directory of base synth documents, <name>.json each (with --head-dir; no --stack)")
	headDir := fs.String("head-dir", "", "summary: the change's synth documents, paired with --base-dir's by file name")
	maxBytes := fs.Int("max-bytes", MaxCommentBytes, "summary: byte budget of the markdown (0: no limit, for the job summary)")
	withPolicy := fs.Bool("policy", false, "evaluate the policy rules and append the report; exit 3 on unwaived violations")
	cfnDir := fs.String("cfn", "", "write the stack's CloudFormation translation (one template per Region) and its coverage to this directory")
	primaryDown := fs.Bool("primary-down", false, "run the DR pair as after a failover with the primary's Region down: the recovery stack with fleet.standby active, the primary with dr.fenced, and no read of the primary's state")
	cfnLint := fs.Bool("cfn-lint", false, "run cfn-lint on the CloudFormation translation and append the coverage and findings; exit 4 on unwaived findings")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0 // --help: the usage is what was asked for
		}
		return 2
	}

	if *format == "summary" {
		return summaryMain(summaryArgs{stack: *stack, dir: *dir, base: *base, baseDir: *baseDir, headDir: *headDir, maxBytes: *maxBytes}, stdout, stderr)
	}
	if *base != "" || *baseDir != "" || *headDir != "" {
		fmt.Fprintln(stderr, "synth: --base, --base-dir and --head-dir go with --format summary")
		return 2
	}
	if *stack == "" {
		fmt.Fprintln(stderr, "synth: --stack is required (e.g. --stack prod)")
		return 2
	}
	write := map[string]func(*Result, io.Writer, *policy.Report) error{
		"text":     (*Result).writeText,
		"json":     (*Result).writeJSON,
		"markdown": (*Result).writeMarkdown,
		"dot":      (*Result).writeDot,
	}[*format]
	if write == nil {
		fmt.Fprintf(stderr, "synth: --format %q is not one of text, json, markdown, dot, summary\n", *format)
		return 2
	}

	if *cfnLint && *format != "text" && *format != "markdown" {
		fmt.Fprintf(stderr, "synth: --cfn-lint appends a text report: use --format text or markdown (and --cfn DIR for the templates)\n")
		return 2
	}

	if err := checkStack(*dir, *stack); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	st, err := LoadStack(*dir, *stack)
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	st.PrimaryDown = *primaryDown
	res, err := Run(st)
	if es, ok := config.AsErrors(err); ok {
		for _, e := range es {
			fmt.Fprintln(stderr, e.Error())
		}
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	var rep *policy.Report
	if *withPolicy {
		p := res.EvaluatePolicy()
		rep = &p
	}
	var cfn *cfnCheck
	if *cfnDir != "" || *cfnLint {
		if cfn, err = res.runCFN(*cfnDir, *cfnLint); err != nil {
			fmt.Fprintf(stderr, "synth: cfn: %v\n", err)
			return 1
		}
	}
	var out bytes.Buffer // no partial output: write only once everything succeeded
	if err := write(res, &out, rep); err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	if cfn != nil && *cfnLint {
		if err := cfn.write(&out, *format == "markdown"); err != nil {
			fmt.Fprintf(stderr, "synth: %v\n", err)
			return 1
		}
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return 1
	}
	status := 0
	if rep != nil && rep.Failed() {
		fmt.Fprintln(stderr, "synth: "+rep.Summary())
		status = 3
	}
	if rep != nil && res.DR != nil && !res.DR.OK() {
		for _, v := range res.DR.Violations {
			fmt.Fprintln(stderr, "synth: dr: "+v)
		}
		fmt.Fprintf(stderr, "synth: %d DR violations (a stateful resource without a mechanism meeting %s, or the recovery stack over dr.costBudget)\n", len(res.DR.Violations), res.DR.Policy)
		status = 3
	}
	if rep != nil && !res.wiringPassed(stderr) {
		status = 3
	}
	if cfn != nil {
		for _, p := range cfn.tr.Problems {
			fmt.Fprintln(stderr, "synth: cfn: "+p)
		}
		if cfn.failed() {
			fmt.Fprintf(stderr, "synth: cfn: %d unwaived cfn-lint findings, %d mapping problems\n", len(cfnschema.Unwaived(cfn.findings)), len(cfn.tr.Problems))
			if status == 0 {
				status = 4
			}
		}
	}
	return status
}

// EvaluatePolicy runs every policy rule on the synthesized stack with the
// stack's waivers and, in a DR pair, its partner's resources (cross-stack
// references: policy.Options.Partner).
func (r *Result) EvaluatePolicy() policy.Report {
	opts := policy.Options{Unprotected: !r.Config.Protected()}
	if r.Partner != nil {
		opts.Partner = r.Partner.Resources
	}
	return policy.EvaluateWith(r.Resources, Waivers(r.Config.StandbyView()), opts)
}

// Waivers are the policy waivers of a stack's config (<project>:policy.waivers).
func Waivers(cfg *config.Config) []policy.Waiver {
	w := cfg.Policy.PolicyWaivers()
	out := make([]policy.Waiver, len(w))
	for i, x := range w {
		out[i] = policy.Waiver(x)
	}
	return out
}
