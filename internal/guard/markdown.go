package guard

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// MaxRows bounds the markdown's step table by default so a large change
// still fits a job summary (1 MiB per step,
// https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#step-isolation-and-limits):
// a row is at most ~400 bytes (its cells are capped), and the rest is
// counted, never cut mid-row. A PR comment (65,536 characters) takes
// --max-rows 60 per stack.
const MaxRows = 200

// WriteMarkdown writes what a preview would change, for the approver of
// the gated job: the verdict, the counts by operation, and one row per
// step that changes something (operation, type, name, the inputs that
// differ, and whether the guard refuses it), at-risk steps first.
func WriteMarkdown(w io.Writer, stack string, p *Preview, findings []Finding, maxRows int) {
	risk := map[string]bool{}
	for _, f := range findings {
		risk[f.URN] = true
	}
	fmt.Fprintf(w, "### %s: what `pulumi up` will apply\n\n", stack)
	if len(findings) == 0 {
		fmt.Fprintln(w, "**Guard: pass** — nothing protected or stateful is deleted or replaced.")
	} else {
		fmt.Fprintf(w, "**Guard: REFUSED** — %d protected or stateful %s would be deleted or replaced (marked ⛔).\n", len(findings), plural(len(findings)))
	}
	ops := make([]string, 0, len(p.ChangeSummary))
	for op := range p.ChangeSummary {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	var counts []string
	for _, op := range ops {
		counts = append(counts, fmt.Sprintf("%s %d", op, p.ChangeSummary[op]))
	}
	if len(counts) > 0 {
		fmt.Fprintf(w, "\nChanges: %s.\n", strings.Join(counts, ", "))
	}
	var rows []Step
	for _, s := range p.Steps {
		if s.Op != "same" && s.Op != "read" && s.Op != "refresh" {
			rows = append(rows, s)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return risk[rows[i].URN] && !risk[rows[j].URN] })
	for _, d := range p.Diagnostics {
		if d.Severity == "error" || d.Severity == "warning" {
			fmt.Fprintf(w, "\n> **%s:** %s\n", d.Severity, cell(strings.TrimSpace(d.Message), 300))
		}
	}
	if len(rows) == 0 {
		fmt.Fprintln(w, "\nNo resource changes.")
		return
	}
	fmt.Fprintln(w, "\n| | op | type | name | changed inputs |\n|---|---|---|---|---|")
	for i, s := range rows {
		if i == maxRows {
			fmt.Fprintf(w, "\n… and %d more steps (the full list: `pulumi preview --json` in the job's artifact).\n", len(rows)-maxRows)
			break
		}
		mark := ""
		if risk[s.URN] {
			mark = "⛔"
		}
		keys := s.DiffReasons
		if len(s.ReplaceReasons) > 0 {
			keys = append(append([]string{}, s.ReplaceReasons...), "(replace)")
		}
		fmt.Fprintf(w, "| %s | %s | `%s` | %s | %s |\n", mark, s.Op, typeOf(s), cell(nameOf(s.URN), 80), cell(strings.Join(keys, ", "), 200))
	}
}

// nameOf is the name a URN ends with.
func nameOf(urn string) string {
	if i := strings.LastIndex(urn, "::"); i >= 0 {
		return urn[i+2:]
	}
	return urn
}

// cell makes s safe inside a markdown table cell: one line, no pipe, at
// most n runes.
func cell(s string, n int) string {
	s = strings.NewReplacer("\n", " ", "\r", " ", "|", "\\|").Replace(s)
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}
