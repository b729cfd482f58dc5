package synth

import (
	"fmt"
	"math"
	"strings"
)

// MaxCommentBytes is the summary's default budget: a GitHub comment holds
// 65,536 characters; 60,000 bytes leaves room for the workflow's header.
const MaxCommentBytes = 60000

// trailerReserve is kept free for the closing "left out" line.
const trailerReserve = 200

// mdWriter writes markdown within a byte budget. Everything is written in
// whole pieces — a block's opening, its rows, its closing — so the output
// never ends inside a <details> or a table: a row that does not fit is
// counted and replaced by one "N more" line, a block whose opening and
// closing do not fit is left out whole and counted in the trailer.
type mdWriter struct {
	b       strings.Builder
	limit   int // 0: no limit
	cap     int // a section's share (0: none)
	dropped []string
}

func (w *mdWriter) room() int {
	if w.limit <= 0 {
		return math.MaxInt
	}
	r := w.limit - trailerReserve - w.b.Len()
	if w.cap > 0 && w.cap-w.b.Len() < r {
		r = w.cap - w.b.Len()
	}
	return r
}

// line writes s (a complete piece of markup) if it fits.
func (w *mdWriter) line(s, what string) bool {
	if len(s) > w.room() {
		w.dropped = append(w.dropped, what)
		return false
	}
	w.b.WriteString(s)
	return true
}

// block writes head, as many rows as fit, a "N more" line for the rest,
// then foot; or nothing (counted) when head and foot do not fit.
func (w *mdWriter) block(head string, rows []string, foot, what string) {
	if len(rows) == 0 {
		return
	}
	more := func(n int) string { return fmt.Sprintf("\n_…and %d more %s, see the job summary._\n", n, what) }
	if len(head)+len(foot)+len(more(len(rows))) > w.room() {
		w.dropped = append(w.dropped, what)
		return
	}
	w.b.WriteString(head)
	i := 0
	for ; i < len(rows); i++ {
		if len(rows[i])+len(foot)+len(more(len(rows)-i)) > w.room() {
			break
		}
		w.b.WriteString(rows[i])
	}
	if i < len(rows) {
		w.b.WriteString(more(len(rows) - i))
	}
	w.b.WriteString(foot)
}

func (w *mdWriter) finish() string {
	if len(w.dropped) > 0 {
		w.cap = 0
		w.limit = 0
		s := fmt.Sprintf("\n_Left out to fit a comment: %d sections (%s), see the job summary._\n",
			len(w.dropped), shorten(strings.Join(w.dropped, ", "), 100))
		w.b.WriteString(s)
	}
	return w.b.String()
}

// RenderSummary renders the comparisons as markdown within limit bytes
// (0: no limit — the job summary's full version). Verdicts come first:
// one table row per stack; then a section per stack in the given order.
func RenderSummary(diffs []StackDiff, limit int) string {
	w := &mdWriter{limit: limit}
	w.line("## Synth summary\n\n", "title")
	rows := make([]string, len(diffs))
	for i, d := range diffs {
		rows[i] = verdictRow(d)
	}
	w.block("| Stack | Policy | DR | Wiring | Cost / month | Resources | Stateful |\n|---|---|---|---|---|---|---|\n",
		rows, "\n_Resources: +added −removed ~changed against the base branch. Stateful: the resources holding data that the change deletes or replaces._\n",
		"stacks")
	for i, d := range diffs {
		if limit > 0 { // share what is left among the stacks still to write
			w.cap = 0
			w.cap = w.b.Len() + w.room()/(len(diffs)-i)
		}
		writeStack(w, d)
	}
	w.cap = 0
	return w.finish()
}

func verdictRow(d StackDiff) string {
	if d.Head == nil {
		return fmt.Sprintf("| %s | — | — | — | — | 🚨 stack removed: −%d | %s |\n", cell(d.Title), len(d.Removed), statefulCount(d))
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s | +%d −%d ~%d | %s |\n", cell(d.Title), policyCell(d.Head),
		drCell(d.Head), wiringCell(d.Head), costCell(costDelta(d.Head, d.Base)),
		len(d.Added), len(d.Removed), len(d.Changed), statefulCount(d))
}

func policyCell(h *JSONReport) string {
	c := policyCounts(h.Policy)
	if !c.Evaluated {
		return "not evaluated (no policy section)"
	}
	mark := "✅"
	if c.Unwaived > 0 {
		mark = "❌"
	}
	return fmt.Sprintf("%s %d/%d rules pass, %d failing (%d waived)", mark, c.Rules-c.FailingRules, c.Rules, c.FailingRules, c.Waived)
}

func drCell(h *JSONReport) string {
	if h.DR == nil {
		return "n/a (not a DR pair)"
	}
	if h.DR.Passed {
		return fmt.Sprintf("✅ meets %s", h.DR.Policy)
	}
	return fmt.Sprintf("❌ %d below %s", len(h.DR.Violations), h.DR.Policy)
}

func wiringCell(h *JSONReport) string {
	if h.Wiring == nil {
		return "n/a"
	}
	broken := 0
	for _, e := range h.Wiring.Edges {
		if !e.OK() {
			broken++
		}
	}
	if broken == 0 {
		return fmt.Sprintf("✅ %d edges ok", len(h.Wiring.Edges))
	}
	return fmt.Sprintf("❌ %d of %d edges broken", broken, len(h.Wiring.Edges))
}

func costCell(c CostDelta) string {
	if !c.Known {
		if c.Head > 0 {
			return fmt.Sprintf("%s (base: no estimate)", usd(c.Head))
		}
		return "no estimate"
	}
	return fmt.Sprintf("%s (%s)", usd(c.Head), signedUSD(c.Delta()))
}

// statefulCount is the verdict's stateful cell: removed and replaced.
func statefulCount(d StackDiff) string {
	removed, replaced, maybe := 0, 0, 0
	for _, r := range d.Removed {
		if isStateful(r.Type) {
			removed++
		}
	}
	for _, c := range d.Changed {
		switch v, _ := replaceVerdict(c.Res.Type, c.ChangedKeys()); v {
		case "replaces":
			replaced++
		case "may replace":
			maybe++
		}
	}
	var parts []string
	if removed > 0 {
		parts = append(parts, fmt.Sprintf("🚨 %d deleted", removed))
	}
	if replaced > 0 {
		parts = append(parts, fmt.Sprintf("🚨 %d replaced", replaced))
	}
	if maybe > 0 {
		parts = append(parts, fmt.Sprintf("⚠️ %d may be replaced", maybe))
	}
	if len(parts) == 0 {
		return "✅ none deleted or replaced"
	}
	return strings.Join(parts, ", ")
}

func writeStack(w *mdWriter, d StackDiff) {
	w.line(fmt.Sprintf("\n### %s\n\n", cell(d.Title)), d.Title)
	if d.Head == nil {
		w.line(fmt.Sprintf("🚨 **The change removes this stack's document: all %d resources would be deleted.**\n", len(d.Removed)), d.Title)
	} else if d.Base == nil {
		w.line("New stack: no document on the base branch, every resource is added.\n", d.Title)
	}
	if d.Head != nil {
		writeVerdicts(w, d)
	}
	writeStateful(w, d)
	if len(d.Added)+len(d.Removed)+len(d.Changed) == 0 {
		w.line("\nNo resource changes.\n", d.Title+" changes")
		return
	}
	open := ""
	if len(d.Added)+len(d.Removed)+len(d.Changed) <= 40 {
		open = " open"
	}
	var rows []string
	for _, r := range d.Removed {
		rows = append(rows, fmt.Sprintf("- %s %s%s\n", code(r.Name, 80), code(r.Type, 90), protectNote(r)))
	}
	w.block(fmt.Sprintf("\n<details%s><summary>Removed: %d</summary>\n\n", open, len(d.Removed)), rows, "\n</details>\n", d.Title+" removed")
	rows = rows[:0]
	for _, r := range d.Added {
		rows = append(rows, fmt.Sprintf("- %s %s\n", code(r.Name, 80), code(r.Type, 90)))
	}
	w.block(fmt.Sprintf("\n<details%s><summary>Added: %d</summary>\n\n", open, len(d.Added)), rows, "\n</details>\n", d.Title+" added")
	rows = rows[:0]
	for _, c := range d.Changed {
		rows = append(rows, changedRow(c))
	}
	w.block(fmt.Sprintf("\n<details%s><summary>Changed: %d</summary>\n\n", open, len(d.Changed)), rows, "\n</details>\n", d.Title+" changed")
}

func protectNote(r JSONResource) string {
	if r.Options.Protect {
		return " — protected: `pulumi up` fails until it is unprotected"
	}
	return ""
}

func writeVerdicts(w *mdWriter, d StackDiff) {
	c := policyCounts(d.Head.Policy)
	lines := []string{"- **Policy:** " + policyCell(d.Head) + "\n"}
	for i, r := range c.FailingRuleNames {
		if i == 10 {
			lines = append(lines, fmt.Sprintf("  - …and %d more failing rules\n", len(c.FailingRuleNames)-10))
			break
		}
		lines = append(lines, "  - "+code(r, 80)+"\n")
	}
	lines = append(lines, "- **DR:** "+drCell(d.Head)+"\n", "- **Wiring:** "+wiringCell(d.Head)+"\n")
	cd := costDelta(d.Head, d.Base)
	if cd.Known {
		lines = append(lines, fmt.Sprintf("- **Cost:** %s → %s a month (**%s**)\n", usd(cd.Base), usd(cd.Head), signedUSD(cd.Delta())))
		for i, dr := range cd.Drivers {
			if i == 5 {
				lines = append(lines, fmt.Sprintf("  - …and %d more resources with a changed cost\n", len(cd.Drivers)-5))
				break
			}
			lines = append(lines, fmt.Sprintf("  - %s %s: %s → %s (%s)\n", code(dr.Name, 60), code(dr.Type, 80), usd(dr.Old), usd(dr.New), signedUSD(dr.New-dr.Old)))
		}
	} else {
		lines = append(lines, "- **Cost:** "+costCell(cd)+": "+cd.Missing+"\n")
	}
	w.block("", lines, "", d.Title+" verdicts")
}

// writeStateful writes the table of stateful resources the change touches.
func writeStateful(w *mdWriter, d StackDiff) {
	var rows []string
	for _, r := range d.Removed {
		if st, ok := replaceOnChange[r.Type]; ok {
			rows = append(rows, fmt.Sprintf("| 🚨 %s | %s | **deleted** | loses %s%s |\n", cell(r.Name), cell(r.Type), st.Holds, protectNote(r)))
		}
	}
	for _, c := range d.Changed {
		v, keys := replaceVerdict(c.Res.Type, c.ChangedKeys())
		if v == "" {
			continue
		}
		mark, why := "✅", "changed: "+keyList(c.ChangedKeys(), 8)
		switch v {
		case "replaces":
			mark, v, why = "🚨", "**replaces**", "ForceNew: "+keyList(keys, 8)+"; loses "+replaceOnChange[c.Res.Type].Holds
		case "may replace":
			mark, v, why = "⚠️", "**may replace**", "replaces in some cases: "+keyList(keys, 8)
		}
		rows = append(rows, fmt.Sprintf("| %s %s | %s | %s | %s |\n", mark, cell(c.Res.Name), cell(c.Res.Type), v, why))
	}
	for _, r := range d.Added {
		if isStateful(r.Type) {
			rows = append(rows, fmt.Sprintf("| %s | %s | created | |\n", cell(r.Name), cell(r.Type)))
		}
	}
	if len(rows) == 0 {
		return
	}
	w.block("\n**Stateful resources** (replace-on-change inputs: terraform-provider-aws `ForceNew`, table in `internal/synth/replace.go`)\n\n| Resource | Type | Effect | Why |\n|---|---|---|---|\n",
		rows, "", d.Title+" stateful resources")
}

func keyList(keys []string, max int) string {
	var parts []string
	for i, k := range keys {
		if i == max {
			parts = append(parts, fmt.Sprintf("+%d more", len(keys)-max))
			break
		}
		parts = append(parts, cell(k))
	}
	return strings.Join(parts, ", ")
}

// changedRow is one changed resource: its name and type, then each
// changed key (at most 10) with its old and new value, shortened.
func changedRow(c ResourceChange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "- %s %s\n", code(c.Res.Name, 80), code(c.Res.Type, 90))
	for i, k := range c.Keys {
		if i == 10 {
			fmt.Fprintf(&b, "  - …and %d more keys\n", len(c.Keys)-10)
			break
		}
		fmt.Fprintf(&b, "  - %s: %s\n", code(k.Key, 60), describeChange(k))
	}
	return b.String()
}

func usd(v float64) string {
	s := fmt.Sprintf("%.2f", math.Abs(v))
	intPart, frac := s[:len(s)-3], s[len(s)-3:]
	for i := len(intPart) - 3; i > 0; i -= 3 {
		intPart = intPart[:i] + "," + intPart[i:]
	}
	if v < 0 {
		return "-$" + intPart + frac
	}
	return "$" + intPart + frac
}

func signedUSD(v float64) string {
	if math.Abs(v) < 0.005 {
		return "±$0.00"
	}
	if v > 0 {
		return "+" + usd(v)
	}
	return usd(v)
}
