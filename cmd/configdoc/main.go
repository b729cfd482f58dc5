// Command configdoc writes docs/config.md, the reference of every key a
// stack file can set, from the config package: the keys and types by
// reflection over config.Config and its json tags, the descriptions,
// defaults ("Absent: …") and requirements from the Go doc comments on the
// fields, and the valid values from the typed constants of a field's type
// and the ranges its comment states.
//
//	go run ./cmd/configdoc > docs/config.md
//
// A test (configdoc_test.go) fails when docs/config.md is stale or when a
// key has no doc comment.
package main

import (
	"fmt"
	"os"
)

func main() {
	root, err := moduleRoot()
	if err == nil {
		var out []byte
		if out, err = Generate(root); err == nil {
			_, err = os.Stdout.Write(out)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(1)
	}
}
