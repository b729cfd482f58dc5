package synth

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/wiring"
)

// Wiring is the stack's edge table (internal/wiring): every declared edge
// proved from the captured resources, computed once.
func (r *Result) Wiring() wiring.Report {
	r.lazy.Lock()
	defer r.lazy.Unlock()
	if r.wiring == nil {
		var partner []*mockengine.Resource
		if r.Partner != nil {
			partner = r.Partner.Resources
		}
		rep := wiring.Check(r.Resources, partner, r.Config.StandbyView()) // what the stack built: a standby recovery stack leaves its derived stores out
		r.wiring = &rep
	}
	return *r.wiring
}

// JSONWiring is the wiring section of the JSON contract.
type JSONWiring struct {
	Passed bool          `json:"passed"`
	Edges  []wiring.Edge `json:"edges"`
}

func (r *Result) jsonWiring() *JSONWiring {
	w := r.Wiring()
	edges := w.Edges
	if edges == nil {
		edges = []wiring.Edge{}
	}
	return &JSONWiring{Passed: w.Passed(), Edges: edges}
}

func wiringSummary(w wiring.Report) string {
	if w.Passed() {
		return fmt.Sprintf("every edge ok (%d edges)", len(w.Edges))
	}
	return fmt.Sprintf("%d of %d edges broken", len(w.Broken()), len(w.Edges))
}

// writeWiringText is the edge table for a terminal.
func (r *Result) writeWiringText(w io.Writer) error {
	rep := r.Wiring()
	fmt.Fprintf(w, "\nWIRING: %s\n", wiringSummary(rep))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONSUMER\tDEPENDENCY\tNETWORK\tIAM\tCREDENTIALS\tORDER")
	for _, e := range rep.Edges {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Consumer, e.Dependency, e.Network, e.IAM, e.Credentials, e.Order)
	}
	return tw.Flush()
}

// writeWiringMarkdown is the edge table for a pull-request comment.
func (r *Result) writeWiringMarkdown(w io.Writer) {
	rep := r.Wiring()
	fmt.Fprintf(w, "\n### Wiring: %s\n\n", wiringSummary(rep))
	fmt.Fprintln(w, "| consumer | dependency | network | IAM | credentials | order |\n|---|---|---|---|---|---|")
	cell := func(s string) string {
		if s == wiring.OK || s == wiring.NA {
			return s
		}
		return "❌ " + strings.ReplaceAll(s, "|", "\\|")
	}
	for _, e := range rep.Edges {
		fmt.Fprintf(w, "| %s | `%s` | %s | %s | %s | %s |\n", e.Consumer, e.Dependency, cell(e.Network), cell(e.IAM), cell(e.Credentials), cell(e.Order))
	}
}

// wiringPassed reports whether every edge is ok, listing each broken one
// on stderr (synth --policy exits 3 when not).
func (r *Result) wiringPassed(stderr io.Writer) bool {
	w := r.Wiring()
	for _, e := range w.Broken() {
		fmt.Fprintf(stderr, "synth: wiring: %s -> %s: network %s; iam %s; credentials %s; order %s\n",
			e.Consumer, e.Dependency, e.Network, e.IAM, e.Credentials, e.Order)
	}
	if !w.Passed() {
		fmt.Fprintln(stderr, "synth: wiring: "+wiringSummary(w))
	}
	return w.Passed()
}
