package cfnschema

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// TypeCoverage is what the translation did with the resources of one type.
type TypeCoverage struct {
	Type    string
	CFNType string // checked/merged: the CloudFormation type
	Status  Status
	Count   int
	Reason  string // unchecked, not-aws
}

// Counts are the number of captured resources per status.
func (tr *Translation) Counts() map[Status]int {
	out := map[Status]int{}
	for _, it := range tr.Items {
		out[it.Status]++
	}
	return out
}

// Coverage groups the items by type and status.
func (tr *Translation) Coverage() []TypeCoverage {
	idx := map[string]*TypeCoverage{}
	var keys []string
	for _, it := range tr.Items {
		k := string(it.Status) + "\x00" + it.Type
		c, ok := idx[k]
		if !ok {
			c = &TypeCoverage{Type: it.Type, CFNType: it.CFNType, Status: it.Status, Reason: it.Reason}
			if it.Status == NotAWS {
				c.Reason = ""
			}
			idx[k] = c
			keys = append(keys, k)
		}
		c.Count++
	}
	order := map[Status]int{Checked: 0, Merged: 1, Unchecked: 2, NotAWS: 3}
	sort.Slice(keys, func(i, j int) bool {
		a, b := idx[keys[i]], idx[keys[j]]
		if order[a.Status] != order[b.Status] {
			return order[a.Status] < order[b.Status]
		}
		return a.Type < b.Type
	})
	out := make([]TypeCoverage, len(keys))
	for i, k := range keys {
		out[i] = *idx[k]
	}
	return out
}

// WriteCoverage prints the coverage: counts, then every type with what
// became of it, unchecked ones with their reason.
func (tr *Translation) WriteCoverage(w io.Writer) error {
	c := tr.Counts()
	var b strings.Builder
	fmt.Fprintf(&b, "CFN SCHEMA COVERAGE %s/%s: %d checked, %d merged into another resource, %d unchecked, %d not AWS resources; templates:",
		tr.Project, tr.Stack, c[Checked], c[Merged], c[Unchecked], c[NotAWS])
	for _, tm := range tr.Templates {
		fmt.Fprintf(&b, " %s (%d resources)", tr.FileName(tm), len(tm.Resources))
	}
	b.WriteString("\n")
	for _, tc := range tr.Coverage() {
		switch tc.Status {
		case Checked, Merged:
			fmt.Fprintf(&b, "  %-9s %4d  %s -> %s\n", tc.Status, tc.Count, tc.Type, tc.CFNType)
		case Unchecked:
			fmt.Fprintf(&b, "  %-9s %4d  %s: %s\n", tc.Status, tc.Count, tc.Type, tc.Reason)
		case NotAWS:
			fmt.Fprintf(&b, "  %-9s %4d  %s\n", tc.Status, tc.Count, tc.Type)
		}
	}
	for _, p := range tr.Problems {
		fmt.Fprintf(&b, "  PROBLEM   %s\n", p)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteFindings prints findings grouped by rule, unwaived first.
func WriteFindings(w io.Writer, fs []Finding) error {
	var b strings.Builder
	pending := 0
	for _, f := range fs {
		if f.Pending != "" {
			pending++
		}
	}
	fmt.Fprintf(&b, "CFN-LINT %d findings, %d unwaived, %d pending a fix in another change\n", len(fs), len(Unwaived(fs)), pending)
	for _, waived := range []bool{false, true} {
		for _, f := range fs {
			if f.Waived != waived {
				continue
			}
			switch {
			case waived && f.Pending != "":
				fmt.Fprintf(&b, "  pending %s\n          fixed by: %s; %s\n", f, f.Pending, f.Reason)
			case waived:
				fmt.Fprintf(&b, "  waived  %s\n          reason: %s\n", f, f.Reason)
			default:
				fmt.Fprintf(&b, "  %-7s %s\n", strings.ToLower(f.Level), f)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
