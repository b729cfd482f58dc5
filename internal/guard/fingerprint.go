package guard

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Fingerprint is what an approver approved: one line per step that
// changes something (operation, URN, the inputs that differ, the reasons
// for a replacement), sorted. Two previews of the same commit against the
// same state give the same fingerprint; anything the approver did not see
// (another resource, another input, a replacement) changes it.
//
// The deploy workflow approves a preview's fingerprint and the gated job
// re-previews and refuses to run `pulumi up` unless the fingerprints are
// equal (docs/pipelines.md "Pipelines"). Pulumi's update plans (`preview --save-plan`,
// `up --plan`) would constrain the update itself, but a saved plan fails
// to decrypt secret values on apply in open reports
// (https://github.com/pulumi/pulumi/issues/16412,
// https://github.com/pulumi/actions/issues/1016) and cannot record
// resources created inside an apply whose input is unknown at preview
// (https://www.pulumi.com/docs/iac/operations/stack-management/update-plans/#limitations).
func Fingerprint(p *Preview) []string {
	var out []string
	for _, s := range p.Steps {
		if s.Op == "same" || s.Op == "read" || s.Op == "refresh" {
			continue
		}
		diff := append([]string{}, s.DiffReasons...)
		sort.Strings(diff)
		repl := append([]string{}, s.ReplaceReasons...)
		sort.Strings(repl)
		out = append(out, fmt.Sprintf("%s %s diff=[%s] replace=[%s]", s.Op, s.URN, strings.Join(diff, ","), strings.Join(repl, ",")))
	}
	sort.Strings(out)
	return out
}

// writeFingerprint writes the fingerprint, one line each.
func writeFingerprint(path string, fp []string) error {
	body := strings.Join(fp, "\n")
	if body != "" {
		body += "\n"
	}
	return os.WriteFile(path, []byte(body), 0o644)
}

// compareFingerprint reports the lines only one side has: "-" approved but
// no longer planned, "+" planned but never approved. Empty: identical.
func compareFingerprint(path string, fp []string, w io.Writer) (bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	approved := map[string]bool{}
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if l != "" {
			approved[l] = true
		}
	}
	now := map[string]bool{}
	for _, l := range fp {
		now[l] = true
	}
	same := true
	for _, l := range fp {
		if !approved[l] {
			fmt.Fprintln(w, "  + "+l)
			same = false
		}
	}
	for l := range approved {
		if !now[l] {
			fmt.Fprintln(w, "  - "+l)
			same = false
		}
	}
	return same, nil
}
