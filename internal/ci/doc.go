// Package ci holds the checks on the repository's CI configuration
// (.github/workflows): its test runs actionlint, a Go tool dependency
// (`go tool actionlint`), on every workflow.
package ci
