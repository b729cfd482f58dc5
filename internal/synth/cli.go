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
	f, status, ok := parseFlags(args, stderr)
	if !ok {
		return status
	}
	if f.format == "summary" {
		return summaryMain(summaryArgs{stack: f.stack, dir: f.dir, base: f.base, baseDir: f.baseDir, headDir: f.headDir, maxBytes: f.maxBytes}, stdout, stderr)
	}
	write, ok := f.writer(stderr)
	if !ok {
		return 2
	}
	res, status, ok := f.run(stderr)
	if !ok {
		return status
	}
	var rep *policy.Report
	if f.withPolicy {
		p := res.EvaluatePolicy()
		rep = &p
	}
	var cfn *cfnCheck
	var err error
	if f.cfnDir != "" || f.cfnLint {
		if cfn, err = res.runCFN(f.cfnDir, f.cfnLint); err != nil {
			fmt.Fprintf(stderr, "synth: cfn: %v\n", err)
			return 1
		}
	}
	var out bytes.Buffer // no partial output: write only once everything succeeded
	if err := write(res, &out, rep); err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	if cfn != nil && f.cfnLint {
		if err := cfn.write(&out, f.format == "markdown"); err != nil {
			fmt.Fprintf(stderr, "synth: %v\n", err)
			return 1
		}
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return 1
	}
	return res.exitStatus(rep, cfn, stderr)
}

// cliFlags are synth's parsed flags.
type cliFlags struct {
	stack, dir, format, base, baseDir, headDir, cfnDir string
	maxBytes                                           int
	withPolicy, primaryDown, cfnLint                   bool
}

// parseFlags parses synth's flags; when it returns !ok, Main returns status
// (0 for --help, 2 for a usage error, already reported on stderr).
func parseFlags(args []string, stderr io.Writer) (f cliFlags, status int, ok bool) {
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.stack, "stack", "", "stack name: reads Pulumi.<stack>.yaml (required)")
	fs.StringVar(&f.dir, "dir", ".", "directory holding Pulumi.yaml and the stack files")
	fs.StringVar(&f.format, "format", "text", "output format: text, json, markdown, dot or summary (with --base or --base-dir)")
	fs.StringVar(&f.base, "base", "", "summary: the base branch's synth document of this stack (synth --format json --policy)")
	fs.StringVar(&f.baseDir, "base-dir", "", "summary: a directory of base synth documents, <name>.json each (with --head-dir; no --stack)")
	fs.StringVar(&f.headDir, "head-dir", "", "summary: the change's synth documents, paired with --base-dir's by file name")
	fs.IntVar(&f.maxBytes, "max-bytes", MaxCommentBytes, "summary: byte budget of the markdown (0: no limit, for the job summary)")
	fs.BoolVar(&f.withPolicy, "policy", false, "evaluate the policy rules and append the report; exit 3 on unwaived violations")
	fs.StringVar(&f.cfnDir, "cfn", "", "write the stack's CloudFormation translation (one template per Region) and its coverage to this directory")
	fs.BoolVar(&f.primaryDown, "primary-down", false, "run the DR pair as after a failover with the primary's Region down: the recovery stack with fleet.standby active, the primary with dr.fenced, and no read of the primary's state")
	fs.BoolVar(&f.cfnLint, "cfn-lint", false, "run cfn-lint on the CloudFormation translation and append the coverage and findings; exit 4 on unwaived findings")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, 0, false // --help: the usage is what was asked for
		}
		return f, 2, false
	}
	return f, 0, true
}

// writer checks the flags of a stack run (not a summary) and returns the
// writer of the chosen format; !ok: a usage error, reported on stderr.
func (f cliFlags) writer(stderr io.Writer) (write func(*Result, io.Writer, *policy.Report) error, ok bool) {
	if f.base != "" || f.baseDir != "" || f.headDir != "" {
		fmt.Fprintln(stderr, "synth: --base, --base-dir and --head-dir go with --format summary")
		return nil, false
	}
	if f.stack == "" {
		fmt.Fprintln(stderr, "synth: --stack is required (e.g. --stack prod)")
		return nil, false
	}
	write = map[string]func(*Result, io.Writer, *policy.Report) error{
		"text":     (*Result).writeText,
		"json":     (*Result).writeJSON,
		"markdown": (*Result).writeMarkdown,
		"dot":      (*Result).writeDot,
	}[f.format]
	if write == nil {
		fmt.Fprintf(stderr, "synth: --format %q is not one of text, json, markdown, dot, summary\n", f.format)
		return nil, false
	}

	if f.cfnLint && f.format != "text" && f.format != "markdown" {
		fmt.Fprintf(stderr, "synth: --cfn-lint appends a text report: use --format text or markdown (and --cfn DIR for the templates)\n")
		return nil, false
	}
	return write, true
}

// run loads and runs the stack; when it returns !ok, Main returns status
// (2 for configuration errors, one per line, 1 for any other failure).
func (f cliFlags) run(stderr io.Writer) (res *Result, status int, ok bool) {
	if err := checkStack(f.dir, f.stack); err != nil {
		fmt.Fprintln(stderr, err)
		return nil, 1, false
	}
	st, err := LoadStack(f.dir, f.stack)
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return nil, 1, false
	}
	st.PrimaryDown = f.primaryDown
	res, err = Run(st)
	if es, ok := config.AsErrors(err); ok {
		for _, e := range es {
			fmt.Fprintln(stderr, e.Error())
		}
		return nil, 2, false
	}
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return nil, 1, false
	}
	return res, 0, true
}

// exitStatus reports on stderr what fails the run, once the report is
// written, and returns Main's status: 3 for a policy, DR or wiring failure
// (with --policy), else 4 for a cfn-lint finding or mapping problem, else 0.
func (r *Result) exitStatus(rep *policy.Report, cfn *cfnCheck, stderr io.Writer) int {
	status := 0
	if rep != nil && rep.Failed() {
		fmt.Fprintln(stderr, "synth: "+rep.Summary())
		status = 3
	}
	if rep != nil && r.DR != nil && !r.DR.OK() {
		for _, v := range r.DR.Violations {
			fmt.Fprintln(stderr, "synth: dr: "+v)
		}
		fmt.Fprintf(stderr, "synth: %d DR violations (a stateful resource without a mechanism meeting %s, or the recovery stack over dr.costBudget)\n", len(r.DR.Violations), r.DR.Policy)
		status = 3
	}
	if rep != nil && !r.wiringPassed(stderr) {
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
