package tests

import (
	"fmt"
	"os"
	"testing"

	"github.com/dbay/infra/internal/synth"
)

// TestMain fails the binary when a test changed a stack run it shares
// with the others (synthesize, costOf, synthesizeDown: synth.Shared).
func TestMain(m *testing.M) {
	code := m.Run()
	if err := synth.CheckShared(); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		code = 1
	}
	os.Exit(code)
}
