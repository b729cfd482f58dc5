package config

import (
	"strings"
	"testing"
)

// cost.assumptions: each name known, each value zero or more (hoursPerMonth
// within a month), every problem at once with its key path.
func TestCostAssumptions(t *testing.T) {
	t.Parallel()
	cfg, errs := load(t, func(m map[string]string) {
		m["dbay:cost"] = `{"assumptions":{"natGbPerGateway":500,"albLcus":0}}`
	})
	if errs != nil {
		t.Fatalf("valid assumptions rejected:\n%v", errs)
	}
	if cfg.Cost.Assumptions["natGbPerGateway"] != 500 || cfg.Cost.Assumptions["albLcus"] != 0 {
		t.Fatalf("assumptions = %v", cfg.Cost.Assumptions)
	}
	_, errs = load(t, func(m map[string]string) {
		m["dbay:cost"] = `{"assumptions":{"natGb":5,"logGbPerGroup":-1,"hoursPerMonth":800},"budget":1}`
	})
	want := []string{
		"dbay:cost.assumptions.natGb: unknown assumption; use one of " + strings.Join(CostAssumptionNames, ", "),
		"dbay:cost.assumptions.logGbPerGroup: -1 is negative; use zero or more",
		"dbay:cost.assumptions.hoursPerMonth: 800 hours is not a billing month; use more than 0 and at most 744 (31 days)",
		"dbay:cost.budget: unknown key; valid keys are assumptions",
	}
	wantErrorLines(t, errs, want)
}
