package synth

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/cost"
)

// Cost is the stack's monthly cost estimate (internal/cost) with the
// embedded prices and default assumptions, computed once. A recovery
// stack's secondaries take their sizes from its partner.
func (r *Result) Cost() (*cost.Report, error) {
	r.lazy.Lock()
	defer r.lazy.Unlock()
	if r.cost == nil && r.costErr == nil {
		partner := r.Partner
		if partner == nil {
			partner = r.primary
		}
		r.cost, r.costErr = r.estimate(partner)
	}
	return r.cost, r.costErr
}

// estimate prices the stack with partner's resources to resolve what a
// DR secondary takes from its primary.
func (r *Result) estimate(partner *Result) (*cost.Report, error) {
	opts := cost.Options{Region: r.Config.Region, Configured: r.Config.Cost.Assumptions}
	if partner != nil {
		opts.Partner = partner.Resources
	}
	return cost.Estimate(r.Resources, opts)
}

// JSONCost is the cost section of the JSON contract.
type JSONCost struct {
	*cost.Report
	// Partner is the DR partner's monthly total and this stack's share of
	// the primary's (recovery / primary), present in a DR pair.
	Partner *JSONCostPartner `json:"partner,omitempty"`
}

// JSONCostPartner compares the two stacks of a DR pair.
type JSONCostPartner struct {
	Stack      string  `json:"stack"`
	MonthlyUSD float64 `json:"monthlyUsd"`
	// RecoveryShare is the recovery stack's monthly cost as a fraction of the primary's.
	RecoveryShare float64 `json:"recoveryShare"`
}

func (r *Result) jsonCost() (*JSONCost, error) {
	rep, err := r.Cost()
	if err != nil {
		return nil, err
	}
	out := &JSONCost{Report: rep}
	if p, ok := r.pairCost(); ok {
		out.Partner = &p
	}
	return out, nil
}

// pairCost is the partner's total and the recovery share, when both are known.
func (r *Result) pairCost() (JSONCostPartner, bool) {
	if r.Partner == nil {
		return JSONCostPartner{}, false
	}
	mine, err1 := r.Cost()
	theirs, err2 := r.Partner.Cost()
	if err1 != nil || err2 != nil {
		return JSONCostPartner{}, false
	}
	prim, rec := mine.MonthlyUSD, theirs.MonthlyUSD
	if r.Config.Role == config.RoleRecovery {
		prim, rec = rec, prim
	}
	p := JSONCostPartner{Stack: r.Partner.Stack, MonthlyUSD: theirs.MonthlyUSD}
	if prim > 0 {
		p.RecoveryShare = float64(int(rec/prim*1000+0.5)) / 1000
	}
	return p, true
}

func (r *Result) costHeadline(rep *cost.Report) string {
	s := fmt.Sprintf("$%.2f a month (prices %s, %s, as of %s)", rep.MonthlyUSD, rep.PriceSource, "on-demand", rep.PricesAsOf)
	if p, ok := r.pairCost(); ok {
		s += fmt.Sprintf("; DR pair: %s $%.2f, recovery = %.1f%% of primary", p.Stack, p.MonthlyUSD, p.RecoveryShare*100)
	}
	return s
}

// writeCostText is the monthly total and the per-component table for a terminal.
func (r *Result) writeCostText(w io.Writer) error {
	rep, err := r.Cost()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nCOST  %s\n", r.costHeadline(rep))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMPONENT\tMONTHLY USD\tPRICED RESOURCES")
	for _, c := range rep.Components {
		fmt.Fprintf(tw, "%s\t%.2f\t%d\n", c.Name, c.MonthlyUSD, c.Resources)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, g := range rep.Unpriced() {
		fmt.Fprintf(w, "  NOT PRICED %s ×%d (%s): %s\n", g.Type, g.Count, g.Kind, g.Reason)
	}
	fmt.Fprintf(w, "  %d types free or not estimated (usage): see --format json cost.notPriced\n", len(rep.NotPriced)-len(rep.Unpriced()))
	if len(rep.Unconfirmed) > 0 {
		fmt.Fprintf(w, "  UNCONFIRMED prices: %d lines, $%.2f of the month: see --format json cost.unconfirmed\n", len(rep.Unconfirmed), rep.UnconfirmedUSD)
	}
	return nil
}

// writeCostMarkdown is the cost section of a pull-request comment.
func (r *Result) writeCostMarkdown(w io.Writer) error {
	rep, err := r.Cost()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n### Cost: %s\n\n", r.costHeadline(rep))
	fmt.Fprintln(w, "| component | monthly USD | priced resources |\n|---|---:|---:|")
	for _, c := range rep.Components {
		fmt.Fprintf(w, "| `%s` | %.2f | %d |\n", c.Name, c.MonthlyUSD, c.Resources)
	}
	for _, g := range rep.Unpriced() {
		fmt.Fprintf(w, "\n- ⚠️ not priced: `%s` ×%d (%s): %s", g.Type, g.Count, g.Kind, g.Reason)
	}
	fmt.Fprintln(w, "\n\n<details><summary>Largest line items and assumptions</summary>\n\n| resource | type | monthly USD |\n|---|---|---:|")
	for i, res := range rep.Resources {
		if i == 10 {
			break
		}
		fmt.Fprintf(w, "| `%s` | `%s` | %.2f |\n", res.Name, res.Type, res.MonthlyUSD)
	}
	fmt.Fprintln(w)
	for _, a := range rep.Assumptions {
		if a.Unit == "" {
			fmt.Fprintf(w, "- %s\n", a.Note)
		} else {
			fmt.Fprintf(w, "- `%s` = %g %s (%s): %s\n", a.Name, a.Value, a.Unit, a.Origin, a.Note)
		}
	}
	fmt.Fprintln(w, "\n</details>")
	if len(rep.Unconfirmed) > 0 {
		fmt.Fprintf(w, "\n<details><summary>⚠️ %d unconfirmed prices ($%.2f of the month)</summary>\n\n| region | price line | unit USD | monthly USD | why unconfirmed |\n|---|---|---:|---:|---|\n", len(rep.Unconfirmed), rep.UnconfirmedUSD)
		for _, u := range rep.Unconfirmed {
			fmt.Fprintf(w, "| %s | `%s` | %g / %s | %.2f | %s |\n", u.Region, u.Key, u.UnitUSD, u.Unit, u.MonthlyUSD, u.Note)
		}
		fmt.Fprintln(w, "\n</details>")
	}
	return nil
}
