// Command synth runs a stack of the program offline, under Pulumi's mock
// engine, and prints what it would create:
//
//	go run ./cmd/synth --stack prod                   # summary and resource tree
//	go run ./cmd/synth --stack dr --format json       # the JSON contract
//	go run ./cmd/synth --stack prod --format markdown # a pull-request comment
//	go run ./cmd/synth --dir examples/dhanam --stack prod
//
// Exit status: 0 on success, 2 on a configuration error (one problem per
// line on stderr, nothing on stdout), 1 on any other failure.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/synth"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
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
	write := map[string]func(*synth.Result, io.Writer) error{
		"text":     (*synth.Result).WriteText,
		"json":     (*synth.Result).WriteJSON,
		"markdown": (*synth.Result).WriteMarkdown,
	}[*format]
	if write == nil {
		fmt.Fprintf(stderr, "synth: --format %q is not one of text, json, markdown\n", *format)
		return 2
	}

	st, err := synth.LoadStack(*dir, *stack)
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	res, err := synth.Run(st)
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
