package synth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
)

// `synth --format summary` compares the synth document of a change (the
// head) with the base branch's, resource by resource, and renders it as a
// pull-request comment (summarymd.go). This file reads the documents and
// computes the comparison.

// StackDiff is the comparison of one stack's head and base documents.
type StackDiff struct {
	Title      string // "dbay/prod"
	Stack      string
	Head, Base *JSONReport // Base nil: the stack is new; Head nil: it was removed
	Added      []JSONResource
	Removed    []JSONResource
	Changed    []ResourceChange
}

// ResourceChange is a resource present in both documents whose inputs or
// protect option differ.
type ResourceChange struct {
	Res  JSONResource // the head's
	Keys []KeyChange  // sorted by key
}

// KeyChange is one changed input (or "(protect)") with its old and new
// value; a missing side is nil.
type KeyChange struct {
	Key      string
	Old, New any
	// Missing is "old" or "new" when the key is absent on that side.
	Missing string
}

// ChangedKeys are the keys of the change, in order.
func (c ResourceChange) ChangedKeys() []string {
	ks := make([]string, len(c.Keys))
	for i, k := range c.Keys {
		ks[i] = k.Key
	}
	return ks
}

// ReadDocument reads a synth document (`synth --format json`) from path.
// Errors name the path.
func ReadDocument(path string) (*JSONReport, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading synth document: %w", err)
	}
	return parseDocument(path, b)
}

func parseDocument(path string, b []byte) (*JSONReport, error) {
	var doc JSONReport
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: not a synth document (the output of synth --format json): %v", path, err)
	}
	if doc.Stack == "" || doc.Resources == nil {
		return nil, fmt.Errorf("%s: not a synth document (the output of synth --format json): no stack or resources", path)
	}
	return &doc, nil
}

// Compare computes the resource-level comparison of head against base.
// Either may be nil (a stack added or removed by the change).
func Compare(head, base *JSONReport) StackDiff {
	d := StackDiff{Head: head, Base: base}
	ref := head
	if ref == nil {
		ref = base
	}
	d.Stack = ref.Stack
	d.Title = ref.Project + "/" + ref.Stack
	old := map[string]JSONResource{}
	if base != nil {
		for _, r := range base.Resources {
			old[r.URN] = r
		}
	}
	seen := map[string]bool{}
	if head != nil {
		for _, r := range head.Resources {
			seen[r.URN] = true
			o, ok := old[r.URN]
			if !ok {
				d.Added = append(d.Added, r)
				continue
			}
			if keys := diffInputs(o, r); len(keys) > 0 {
				d.Changed = append(d.Changed, ResourceChange{Res: r, Keys: keys})
			}
		}
	}
	if base != nil {
		for _, r := range base.Resources {
			if !seen[r.URN] {
				d.Removed = append(d.Removed, r)
			}
		}
	}
	for _, l := range [][]JSONResource{d.Added, d.Removed} {
		sort.Slice(l, func(i, j int) bool { return l[i].URN < l[j].URN })
	}
	sort.Slice(d.Changed, func(i, j int) bool { return d.Changed[i].Res.URN < d.Changed[j].Res.URN })
	return d
}

// diffInputs lists the inputs that differ between o and n, and the
// protect option when it changed.
func diffInputs(o, n JSONResource) []KeyChange {
	keys := map[string]bool{}
	for k := range o.Inputs {
		keys[k] = true
	}
	for k := range n.Inputs {
		keys[k] = true
	}
	var out []KeyChange
	for k := range keys {
		ov, okO := o.Inputs[k]
		nv, okN := n.Inputs[k]
		if okO && okN && equalJSON(ov, nv) {
			continue
		}
		c := KeyChange{Key: k, Old: ov, New: nv}
		if !okO {
			c.Missing = "old"
		} else if !okN {
			c.Missing = "new"
		}
		out = append(out, c)
	}
	if o.Options.Protect != n.Options.Protect {
		out = append(out, KeyChange{Key: "(protect)", Old: o.Options.Protect, New: n.Options.Protect})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// equalJSON compares two decoded JSON values by their encoding, so a
// json.Number and a float64 of the same value are equal.
func equalJSON(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	ab, err1 := json.Marshal(a)
	bb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ab, bb)
}

// PolicyCounts are the policy verdict's numbers: rules evaluated, rules
// with an unwaived violation, unwaived and waived violations.
type PolicyCounts struct {
	Evaluated             bool
	Rules, FailingRules   int
	Unwaived, Waived      int
	FailingRuleNames      []string
	UnwaivedViolationMsgs []string
}

// policyCounts reads the head's policy section (nil: not evaluated).
func policyCounts(p *JSONPolicy) PolicyCounts {
	if p == nil {
		return PolicyCounts{}
	}
	c := PolicyCounts{Evaluated: true, Rules: p.Rules}
	failing := map[string]bool{}
	for _, v := range p.Violations {
		if v.Waived {
			c.Waived++
			continue
		}
		c.Unwaived++
		c.UnwaivedViolationMsgs = append(c.UnwaivedViolationMsgs, v.Message)
		if !failing[v.Rule] {
			failing[v.Rule] = true
			c.FailingRuleNames = append(c.FailingRuleNames, v.Rule)
		}
	}
	c.FailingRules = len(failing)
	sort.Strings(c.FailingRuleNames)
	return c
}

// CostDelta is the change of the monthly estimate and the resources
// driving it, largest absolute change first.
type CostDelta struct {
	Known      bool // both documents have a cost section
	Missing    string
	Head, Base float64
	Drivers    []CostDriver
}

// CostDriver is one resource's change of monthly cost.
type CostDriver struct {
	URN, Type, Name string
	Old, New        float64
}

func costDelta(head, base *JSONReport) CostDelta {
	var d CostDelta
	switch {
	case head == nil || head.Cost == nil || head.Cost.Report == nil:
		d.Missing = "the change's document has no cost section"
		return d
	case base == nil || base.Cost == nil || base.Cost.Report == nil:
		d.Missing = "the base document has no cost section (the base branch predates the cost estimate)"
		d.Head = head.Cost.MonthlyUSD
		return d
	}
	d.Known, d.Head, d.Base = true, head.Cost.MonthlyUSD, base.Cost.MonthlyUSD
	by := map[string]*CostDriver{}
	for _, r := range base.Cost.Resources {
		by[r.URN] = &CostDriver{URN: r.URN, Type: r.Type, Name: r.Name, Old: r.MonthlyUSD}
	}
	for _, r := range head.Cost.Resources {
		c := by[r.URN]
		if c == nil {
			c = &CostDriver{URN: r.URN, Type: r.Type, Name: r.Name}
			by[r.URN] = c
		}
		c.New = r.MonthlyUSD
	}
	for _, c := range by {
		if math.Abs(c.New-c.Old) >= 0.005 {
			d.Drivers = append(d.Drivers, *c)
		}
	}
	sort.Slice(d.Drivers, func(i, j int) bool {
		a, b := math.Abs(d.Drivers[i].New-d.Drivers[i].Old), math.Abs(d.Drivers[j].New-d.Drivers[j].Old)
		if a != b {
			return a > b
		}
		return d.Drivers[i].URN < d.Drivers[j].URN
	})
	return d
}

// Delta is head − base.
func (d CostDelta) Delta() float64 { return d.Head - d.Base }

// LoadPairs reads the documents of --base-dir and --head-dir: every
// <name>.json in either directory, paired by file name. A file only in
// the head is a new stack, one only in the base a removed stack. The
// pairs come back with prod stacks first, then by file name.
func LoadPairs(baseDir, headDir string) ([]StackDiff, error) {
	names := map[string]bool{}
	for _, dir := range []string{baseDir, headDir} {
		matches, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("synth documents directory: %w", err)
		}
		for _, m := range matches {
			names[filepath.Base(m)] = true
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no <stack>.json synth documents in %s or %s", baseDir, headDir)
	}
	read := func(dir, name string) (*JSONReport, error) {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); os.IsNotExist(err) {
			return nil, nil
		}
		return ReadDocument(p)
	}
	var out []StackDiff
	var errs []string
	for name := range names {
		head, err := read(headDir, name)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		base, err := read(baseDir, name)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		out = append(out, Compare(head, base))
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	SortStacks(out)
	return out, nil
}

// SortStacks orders the comparisons prod first, then by title.
func SortStacks(ds []StackDiff) {
	sort.SliceStable(ds, func(i, j int) bool {
		pi, pj := ds[i].Stack == "prod", ds[j].Stack == "prod"
		if pi != pj {
			return pi
		}
		return ds[i].Title < ds[j].Title
	})
}
