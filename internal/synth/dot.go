package synth

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/dbay/infra/policy"
)

// WriteDot writes the stack as a Graphviz graph: one node per top-level
// component (its type token, resource count and largest resource types)
// and an edge A -> B when a resource of A depends on one of B. It is the
// architecture diagram of the README:
//
//	go run ./cmd/synth --stack prod --format dot | dot -Tsvg -o docs/architecture.svg
func (r *Result) WriteDot(w io.Writer) error { return r.writeDot(w, nil) }

func (r *Result) writeDot(w io.Writer, _ *policy.Report) error {
	byURN := map[string]string{} // resource URN -> top-level component name
	var tops []string
	for _, root := range r.roots() {
		if root.Custom {
			continue
		}
		tops = append(tops, root.Name)
		byURN[root.URN] = root.Name
		for _, d := range r.descendants(root.URN) {
			byURN[d.URN] = root.Name
		}
	}
	sort.Strings(tops)
	edges := map[[2]string]int{}
	types := map[string]map[string]int{}
	for _, res := range r.Resources {
		from, ok := byURN[res.URN]
		if !ok {
			continue
		}
		if types[from] == nil {
			types[from] = map[string]int{}
		}
		if res.Custom {
			types[from][res.Type]++
		}
		for _, dep := range res.Dependencies {
			if to, ok := byURN[dep]; ok && to != from {
				edges[[2]string{from, to}]++
			}
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "digraph %q {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f5f7fa\", fontname=\"Helvetica\", fontsize=10];\n  edge [color=\"#7a869a\"];\n", r.Project+"/"+r.Stack)
	fmt.Fprintf(&b, "  label=%q; labelloc=t; fontname=\"Helvetica\";\n", fmt.Sprintf("%s/%s (%s, %s): %d resources", r.Project, r.Stack, r.Config.Role, r.Config.Region, len(r.Resources)))
	for _, top := range tops {
		total := 0
		var rows []string
		for t, n := range types[top] {
			total += n
			rows = append(rows, fmt.Sprintf("%3d %s", n, shortType(t)))
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i] > rows[j] })
		if len(rows) > 6 {
			rows = append(rows[:6], "…")
		}
		label := fmt.Sprintf("%s\\n%d resources\\l%s\\l", top, total, strings.Join(rows, "\\l"))
		fmt.Fprintf(&b, "  %q [label=\"%s\"];\n", top, label)
	}
	keys := make([][2]string, 0, len(edges))
	for k := range edges {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(&b, "  %q -> %q [label=\"%d\", fontsize=8];\n", k[0], k[1], edges[k])
	}
	b.WriteString("}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// shortType is a type token without its package: "rds/instance:Instance" -> "rds Instance".
func shortType(t string) string {
	parts := strings.Split(t, ":")
	if len(parts) != 3 {
		return t
	}
	mod, _, _ := strings.Cut(parts[1], "/")
	return mod + " " + parts[2]
}
