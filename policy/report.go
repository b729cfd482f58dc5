package policy

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// counts returns the number of unwaived and waived violations.
func (r Report) counts() (open, waived int) {
	for _, v := range r.Violations {
		if v.Waived {
			waived++
		} else {
			open++
		}
	}
	return open, waived
}

// Summary is the one-line verdict: "policy: 2 violations, 3 waived (62 rules)".
func (r Report) Summary() string {
	open, waived := r.counts()
	verdict := "pass"
	if open > 0 {
		verdict = "FAIL"
	}
	return fmt.Sprintf("policy %s: %d %s, %d waived (%d rules)", verdict, open, plural(open, "violation"), waived, r.Rules)
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

// WriteText writes the report for a terminal: the verdict, then each
// violation (unwaived first, by severity) with its message and, when
// waived, the waiver's reason.
func (r Report) WriteText(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintln(&b, "POLICY")
	fmt.Fprintln(&b, r.Summary())
	for _, v := range r.Violations {
		status := strings.ToUpper(string(v.Severity))
		if v.Waived {
			status = "waived"
		}
		fmt.Fprintf(&b, "\n[%s] %s  %s\n  %s\n", status, v.Rule, strings.TrimSpace(v.Type+" "+v.Name), v.Message)
		if v.Source != "" {
			fmt.Fprintf(&b, "  source: %s\n", v.Source)
		}
		if v.Waived {
			fmt.Fprintf(&b, "  waiver: %s\n", v.Reason)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WriteMarkdown writes the report as a pull-request comment section.
func (r Report) WriteMarkdown(w io.Writer) error {
	var b bytes.Buffer
	open, waived := r.counts()
	icon := "✅"
	if open > 0 {
		icon = "❌"
	}
	fmt.Fprintf(&b, "### Policy %s %s\n\n", icon, r.Summary())
	if open > 0 {
		fmt.Fprintln(&b, "| severity | rule | resource | problem and fix |\n|---|---|---|---|")
		for _, v := range r.Violations {
			if !v.Waived {
				msg := cell(v.Message)
				if v.Source != "" {
					msg += " ([source](" + v.Source + "))"
				}
				fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s |\n", v.Severity, v.Rule, strings.TrimSpace(v.Type+" "+v.Name), msg)
			}
		}
		fmt.Fprintln(&b)
	}
	if waived > 0 {
		fmt.Fprintf(&b, "<details><summary>%d waived</summary>\n\n| rule | resource | reason |\n|---|---|---|\n", waived)
		for _, v := range r.Violations {
			if v.Waived {
				fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", v.Rule, strings.TrimSpace(v.Type+" "+v.Name), cell(v.Reason))
			}
		}
		fmt.Fprintln(&b, "\n</details>")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// cell makes text safe inside a markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
