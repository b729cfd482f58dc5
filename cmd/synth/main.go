// Command synth runs a stack of the program offline, under Pulumi's mock
// engine, and prints what it would create:
//
//	go run ./cmd/synth --stack prod                   # summary and resource tree
//	go run ./cmd/synth --stack dr --format json       # the JSON contract
//	go run ./cmd/synth --stack prod --format markdown # a pull-request comment
//	go run ./cmd/synth --dir examples/dhanam --stack prod
//	go run ./cmd/synth --stack prod --format summary --base base.json  # PR summary against the base branch
//	go run ./cmd/synth --format summary --base-dir base --head-dir head
//	go run ./cmd/synth --help                         # more examples, every flag
//
// Exit status: 0 on success, 2 on a configuration error (one problem per
// line on stderr, nothing on stdout), 1 on any other failure.
package main

import (
	"os"

	"github.com/dbay/infra/internal/synth"
)

func main() {
	os.Exit(synth.Main(os.Args[1:], os.Stdout, os.Stderr))
}
