package synth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/policy"
)

// JSONResource is one resource in the JSON contract.
type JSONResource struct {
	URN          string             `json:"urn"`
	Type         string             `json:"type"`
	Name         string             `json:"name"`
	Custom       bool               `json:"custom"`
	Parent       string             `json:"parent"`
	Provider     string             `json:"provider"`
	Providers    map[string]string  `json:"providers,omitempty"` // package -> provider URN handed to a component
	Dependencies []string           `json:"dependencies"`
	Inputs       map[string]any     `json:"inputs"`
	Options      mockengine.Options `json:"options"`
}

// JSONReport is the JSON contract of `synth --format json`. Extend it, don't break it.
type JSONReport struct {
	Project   string         `json:"project"`
	Stack     string         `json:"stack"`
	Config    map[string]any `json:"config"`
	Resources []JSONResource `json:"resources"`
	Outputs   map[string]any `json:"outputs"`
	// Policy is present only when the policy was evaluated (synth --policy).
	Policy *JSONPolicy `json:"policy,omitempty"`
	// DR is the DR pair's assessment (a primary with a drRegion, or a
	// recovery stack): every stateful resource and its mechanism.
	DR *JSONDR `json:"dr,omitempty"`
	// Wiring is the edge table: every declared edge (uses, calls,
	// secrets, AWS APIs) and its network, IAM, credentials and order.
	Wiring *JSONWiring `json:"wiring"`
	// Cost is the monthly estimate: total, per component, per resource
	// with its price lines, the price table's date and source, the usage
	// assumptions, and every type not priced with the reason.
	Cost *JSONCost `json:"cost,omitempty"`
}

// JSONPolicy is the policy section of the JSON contract.
type JSONPolicy struct {
	Passed     bool               `json:"passed"` // no unwaived violation
	Rules      int                `json:"rules"`
	Violations []policy.Violation `json:"violations"` // unwaived first, then waived (with their reason)
}

// JSON builds the contract value.
func (r *Result) JSON() JSONReport { return r.jsonReport(nil) }

// jsonReport builds the contract value, with the policy section when p is not nil.
func (r *Result) jsonReport(p *policy.Report) JSONReport {
	rep := JSONReport{Project: r.Project, Stack: r.Stack, Config: r.Config.Redacted(), Outputs: r.Outputs,
		Resources: make([]JSONResource, 0, len(r.Resources))}
	for _, res := range r.Resources {
		deps := res.Dependencies
		if deps == nil {
			deps = []string{}
		}
		opts := res.Options
		if opts.IgnoreChanges == nil {
			opts.IgnoreChanges = []string{}
		}
		rep.Resources = append(rep.Resources, JSONResource{
			URN: res.URN, Type: res.Type, Name: res.Name, Custom: res.Custom, Parent: res.Parent,
			Provider: res.Provider, Providers: res.Providers, Dependencies: deps, Inputs: res.In(), Options: opts,
		})
	}
	if p != nil {
		rep.Policy = &JSONPolicy{Passed: !p.Failed(), Rules: p.Rules, Violations: p.Violations}
	}
	rep.DR = r.jsonDR()
	rep.Wiring = r.jsonWiring()
	rep.Cost, _ = r.jsonCost() // writeJSON reports the error
	return rep
}

// WriteJSON writes the JSON contract, indented, resources sorted by URN.
func (r *Result) WriteJSON(w io.Writer) error { return r.writeJSON(w, nil) }

func (r *Result) writeJSON(w io.Writer, p *policy.Report) error {
	if _, err := r.Cost(); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r.jsonReport(p))
}

// Summary counts resources by top-level component and by type.
type Summary struct {
	Total, Custom, Components int
	ByComponent               []Count // top-level components and what is beneath them
	ByType                    []Count
}

// Count is one row of a summary.
type Count struct {
	Name  string
	Type  string
	Count int
}

// Summarize computes the summary.
func (r *Result) Summarize() Summary {
	s := Summary{Total: len(r.Resources)}
	byType := map[string]int{}
	for _, res := range r.Resources {
		if res.Custom {
			s.Custom++
		} else {
			s.Components++
		}
		byType[res.Type]++
	}
	for _, top := range r.roots() {
		if top.Custom {
			continue
		}
		s.ByComponent = append(s.ByComponent, Count{Name: top.Name, Type: top.Type, Count: len(r.descendants(top.URN))})
	}
	for t, n := range byType {
		s.ByType = append(s.ByType, Count{Type: t, Count: n})
	}
	sort.Slice(s.ByType, func(i, j int) bool {
		if s.ByType[i].Count != s.ByType[j].Count {
			return s.ByType[i].Count > s.ByType[j].Count
		}
		return s.ByType[i].Type < s.ByType[j].Type
	})
	return s
}

// roots are the resources parented to the stack (or to nothing).
func (r *Result) roots() []*mockengine.Resource {
	urns := map[string]bool{}
	for _, res := range r.Resources {
		urns[res.URN] = true
	}
	var out []*mockengine.Resource
	for _, res := range r.Resources {
		if !urns[res.Parent] {
			out = append(out, res)
		}
	}
	return out
}

func (r *Result) children(urn string) []*mockengine.Resource {
	var out []*mockengine.Resource
	for _, res := range r.Resources {
		if res.Parent == urn {
			out = append(out, res)
		}
	}
	return out
}

func (r *Result) descendants(urn string) []*mockengine.Resource {
	var out []*mockengine.Resource
	for _, c := range r.children(urn) {
		out = append(out, c)
		out = append(out, r.descendants(c.URN)...)
	}
	return out
}

// tree writes the component -> children tree, two spaces per level.
func (r *Result) tree(w io.Writer) {
	var walk func(res *mockengine.Resource, depth int)
	walk = func(res *mockengine.Resource, depth int) {
		fmt.Fprintf(w, "%s%s  %s\n", strings.Repeat("  ", depth), res.Name, res.Type)
		for _, c := range r.children(res.URN) {
			walk(c, depth+1)
		}
	}
	for _, root := range r.roots() {
		walk(root, 0)
	}
}

// WriteText writes the summary and the tree for a terminal.
func (r *Result) WriteText(w io.Writer) error { return r.writeText(w, nil) }

// writeText is WriteText followed by the policy report when p is not nil.
func (r *Result) writeText(w io.Writer, p *policy.Report) error {
	var b bytes.Buffer
	s := r.Summarize()
	fmt.Fprintf(&b, "%s/%s  role=%s region=%s\n", r.Project, r.Stack, r.Config.Role, r.Config.Region)
	fmt.Fprintf(&b, "resources: %d (%d custom, %d components)\n\n", s.Total, s.Custom, s.Components)
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMPONENT\tTYPE\tRESOURCES")
	for _, c := range s.ByComponent {
		fmt.Fprintf(tw, "%s\t%s\t%d\n", c.Name, c.Type, c.Count)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "TYPE\tCOUNT")
	for _, c := range s.ByType {
		fmt.Fprintf(tw, "%s\t%d\n", c.Type, c.Count)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(&b, "\nTREE")
	r.tree(&b)
	fmt.Fprintln(&b, "\nOUTPUTS")
	for _, k := range sortedKeys(r.Outputs) {
		v, _ := json.Marshal(r.Outputs[k])
		fmt.Fprintf(&b, "%s = %s\n", k, v)
	}
	if err := r.writeCostText(&b); err != nil {
		return err
	}
	r.writeDRText(&b)
	if err := r.writeWiringText(&b); err != nil {
		return err
	}
	if p != nil {
		fmt.Fprintln(&b)
		if err := p.WriteText(&b); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WriteMarkdown writes the summary and tree as a pull-request comment.
func (r *Result) WriteMarkdown(w io.Writer) error { return r.writeMarkdown(w, nil) }

// writeMarkdown is WriteMarkdown followed by the policy section when p is not nil.
func (r *Result) writeMarkdown(w io.Writer, p *policy.Report) error {
	var b bytes.Buffer
	s := r.Summarize()
	fmt.Fprintf(&b, "## `%s/%s` synth (role `%s`, region `%s`)\n\n", r.Project, r.Stack, r.Config.Role, r.Config.Region)
	fmt.Fprintf(&b, "**%d resources** (%d custom, %d components)\n\n", s.Total, s.Custom, s.Components)
	fmt.Fprintln(&b, "| component | type | resources |\n|---|---|---:|")
	for _, c := range s.ByComponent {
		fmt.Fprintf(&b, "| `%s` | `%s` | %d |\n", c.Name, c.Type, c.Count)
	}
	fmt.Fprintln(&b, "\n| type | count |\n|---|---:|")
	for _, c := range s.ByType {
		fmt.Fprintf(&b, "| `%s` | %d |\n", c.Type, c.Count)
	}
	fmt.Fprintln(&b, "\n<details><summary>Resource tree</summary>\n\n```")
	r.tree(&b)
	fmt.Fprintln(&b, "```\n\n</details>")
	if err := r.writeCostMarkdown(&b); err != nil {
		return err
	}
	r.writeDRMarkdown(&b)
	r.writeWiringMarkdown(&b)
	if p != nil {
		fmt.Fprintln(&b)
		if err := p.WriteMarkdown(&b); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
