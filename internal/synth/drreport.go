package synth

import (
	"fmt"
	"io"
	"strings"

	"github.com/dbay/infra/dr"
)

// writeDRMarkdown writes the pair's DR table: every stateful resource of
// the primary, the mechanisms found for it, the RPO/RTO they give and
// whether that meets the policy; then the failover runbook when this is
// the recovery stack.
func (r *Result) writeDRMarkdown(w io.Writer) {
	rep := r.DR
	if rep == nil {
		return
	}
	fmt.Fprintf(w, "\n### Disaster recovery: %s, recovery region `%s`\n\n", rep.Policy, rep.Region)
	if rep.OK() {
		fmt.Fprintf(w, "Every stateful resource of the primary has a mechanism meeting the policy (%d resources).\n\n", len(rep.Rows))
	} else {
		fmt.Fprintf(w, "**%d resources lack a mechanism meeting the policy.**\n\n", len(rep.Violations))
	}
	fmt.Fprintln(w, "| kind | class | resource | mechanisms | RPO | RTO | standby USD/month | status | how |\n|---|---|---|---|---|---|---:|---|---|")
	for _, row := range rep.Rows {
		fmt.Fprintf(w, "| %s | %s | `%s` | %s | %s | %s | %.2f | %s | %s |\n", row.Kind, row.Class, row.Resource, mechanismList(row.Mechanisms),
			row.RPO, row.RTO, row.MonthlyUSD, row.Status, strings.ReplaceAll(row.Note, "|", "\\|"))
	}
	if c := rep.Cost; c != nil {
		fmt.Fprintf(w, "\nRecovery stack $%.2f a month = %.1f %% of the primary's $%.2f (budget dr.costBudget %g %%: %s).\n",
			c.RecoveryUSD, c.Share*100, c.PrimaryUSD, c.BudgetPercent, map[bool]string{true: "within", false: "**over**"}[c.Within])
	}
	for _, v := range rep.Violations {
		fmt.Fprintf(w, "\n- ❌ %s", v)
	}
	if len(rep.Violations) > 0 {
		fmt.Fprintln(w)
	}
	for _, k := range []string{"failoverRunbook", "failbackRunbook"} {
		steps, ok := r.Outputs[k].([]any)
		if !ok {
			continue
		}
		fmt.Fprintf(w, "\n<details><summary>%s (%d steps)</summary>\n\n```\n", k, len(steps))
		for _, s := range steps {
			fmt.Fprintln(w, s)
		}
		fmt.Fprintln(w, "```\n\n</details>")
	}
}

// writeDRText is the plain-text DR table.
func (r *Result) writeDRText(w io.Writer) {
	rep := r.DR
	if rep == nil {
		return
	}
	fmt.Fprintf(w, "\nDisaster recovery (%s, recovery region %s):\n", rep.Policy, rep.Region)
	for _, row := range rep.Rows {
		fmt.Fprintf(w, "  %-10s %-15s %-28s %-34s RPO %-9s RTO %-6s $%8.2f  %s\n", row.Kind, row.Class, row.Resource, mechanismList(row.Mechanisms), row.RPO, row.RTO, row.MonthlyUSD, row.Status)
	}
	if c := rep.Cost; c != nil {
		fmt.Fprintf(w, "  COST recovery $%.2f / primary $%.2f = %.1f %% (dr.costBudget %g %%)\n", c.RecoveryUSD, c.PrimaryUSD, c.Share*100, c.BudgetPercent)
	}
	for _, v := range rep.Violations {
		fmt.Fprintf(w, "  VIOLATION %s\n", v)
	}
}

func mechanismList(ids []string) string {
	if len(ids) == 0 {
		return "—"
	}
	return strings.Join(ids, ", ")
}

// JSONDR is the DR section of the JSON contract.
type JSONDR struct {
	Policy     string   `json:"policy"`
	Region     string   `json:"region"`
	Passed     bool     `json:"passed"`
	Rows       []dr.Row `json:"rows"`
	Violations []string `json:"violations"`
	// Cost is the recovery stack's monthly cost against the primary's and dr.costBudget.
	Cost *dr.PairCost `json:"cost,omitempty"`
}

func (r *Result) jsonDR() *JSONDR {
	if r.DR == nil {
		return nil
	}
	v := r.DR.Violations
	if v == nil {
		v = []string{}
	}
	return &JSONDR{Policy: r.DR.Policy.String(), Region: r.DR.Region, Passed: r.DR.OK(), Rows: r.DR.Rows, Violations: v, Cost: r.DR.Cost}
}
