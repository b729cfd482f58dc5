package synth

import (
	"bytes"
	"flag"
	"fmt"
	"io"

	"github.com/dbay/infra/config"
)

// Main is the synth command: it parses args, runs the stack and writes the
// report to stdout. It returns the process exit status: 0 on success, 2 on
// a usage or configuration error (one problem per line on stderr, nothing
// on stdout), 1 on any other failure.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "", "stack name: reads Pulumi.<stack>.yaml (required)")
	dir := fs.String("dir", ".", "directory holding Pulumi.yaml and the stack files")
	format := fs.String("format", "text", "output format: text, json or markdown")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *stack == "" {
		fmt.Fprintln(stderr, "synth: --stack is required (e.g. --stack prod)")
		return 2
	}
	write := map[string]func(*Result, io.Writer) error{
		"text":     (*Result).WriteText,
		"json":     (*Result).WriteJSON,
		"markdown": (*Result).WriteMarkdown,
	}[*format]
	if write == nil {
		fmt.Fprintf(stderr, "synth: --format %q is not one of text, json, markdown\n", *format)
		return 2
	}

	st, err := LoadStack(*dir, *stack)
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
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
	var out bytes.Buffer // no partial output: write only once everything succeeded
	if err := write(res, &out); err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return 1
	}
	return 0
}
