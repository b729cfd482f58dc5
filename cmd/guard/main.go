// Command guard reads `pulumi preview --json` (stdin, or the file named by
// its argument) and fails when the preview would delete or replace a
// protected resource or one that holds data:
//
//	pulumi preview --json --stack prod | go run ./cmd/guard
//
// Exit status: 0 nothing at risk, 1 at least one resource at risk (each
// listed with its URN and operations), 2 unreadable input. An intended
// replacement is allowed with --allow <URN>. See internal/guard.
package main

import (
	"os"

	"github.com/dbay/infra/internal/guard"
)

func main() {
	os.Exit(guard.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
