package config

import "testing"

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
	want := []at{
		{"dbay:cost.assumptions.natGb", KindUnknown},
		{"dbay:cost.assumptions.logGbPerGroup", KindInvalid},
		{"dbay:cost.assumptions.hoursPerMonth", KindInvalid},
		{"dbay:cost.budget", KindUnknown},
	}
	wantFieldErrors(t, errs, want)
}
