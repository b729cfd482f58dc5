package cost

import (
	"slices"
	"strings"
	"testing"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// Every line carries a source and a confirmed/unconfirmed mark; a line
// without one is rejected.
func TestPriceLinesNeedSourceAndMark(t *testing.T) {
	t.Parallel()
	tab, err := Prices()
	if err != nil {
		t.Fatal(err)
	}
	for region, lines := range tab.Regions {
		for key, p := range lines {
			if p.Confirmed == nil || !strings.HasPrefix(p.Source, "https://") {
				t.Errorf("%s/%s: source %q, confirmed %v", region, key, p.Source, p.Confirmed)
			}
		}
	}
	for name, line := range map[string]string{
		"no mark":              `{"usd":1,"unit":"hour","source":"https://aws.amazon.com/x/"}`,
		"no source":            `{"usd":1,"unit":"hour","source":"","confirmed":false,"note":"n"}`,
		"confirmed, no page":   `{"usd":1,"unit":"hour","source":"https://aws.amazon.com/x/","confirmed":true}`,
		"unconfirmed, no note": `{"usd":1,"unit":"hour","source":"https://aws.amazon.com/x/","confirmed":false}`,
	} {
		_, err := ParseTable([]byte(`{"source":"compiled","asOf":"2026-12-06","offerFileVersions":{},"regions":{"us-east-1":{"k":` + line + `}}}`))
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The report lists the unconfirmed lines it used, and their monthly sum.
func TestReportListsUnconfirmedLines(t *testing.T) {
	t.Parallel()
	rs := []*mockengine.Resource{
		res(tokens.DocDBClusterInstance, "doc", map[string]any{"instanceClass": "db.r6g.large"}, nil),
		res(tokens.EC2NatGateway, "nat", map[string]any{}, nil),
	}
	rep, err := Estimate(rs, Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Unconfirmed) != 1 || rep.Unconfirmed[0].Key != "docdb:db.r6g.large" || rep.Unconfirmed[0].Note == "" {
		t.Fatalf("unconfirmed = %+v; want docdb:db.r6g.large alone (NAT lines are confirmed)", rep.Unconfirmed)
	}
	if want := round2(730 * 0.263); rep.UnconfirmedUSD != want || rep.Unconfirmed[0].MonthlyUSD != want {
		t.Errorf("unconfirmed USD = %v / %v; want %v", rep.UnconfirmedUSD, rep.Unconfirmed[0].MonthlyUSD, want)
	}
}

// The names a stack may configure are exactly the model's assumptions.
func TestAssumptionNamesMatchConfig(t *testing.T) {
	t.Parallel()
	var names []string
	a := DefaultAssumptions()
	for _, u := range a.Uses() {
		if u.Unit != "" {
			names = append(names, u.Name)
			if a.field(u.Name) == nil {
				t.Errorf("%s has no field", u.Name)
			}
		}
	}
	slices.Sort(names)
	want := slices.Sorted(slices.Values(config.CostAssumptionNames))
	if !slices.Equal(names, want) {
		t.Errorf("model assumptions %v; config accepts %v", names, want)
	}
}

// A configured assumption changes the estimate by quantity × unit price,
// and the report says it is configured.
func TestConfiguredAssumptionChangesEstimate(t *testing.T) {
	t.Parallel()
	rs := []*mockengine.Resource{res(tokens.EC2NatGateway, "nat", map[string]any{}, nil)}
	def, err := Estimate(rs, Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	conf, err := Estimate(rs, Options{Region: "us-east-1", Configured: map[string]float64{"natGbPerGateway": 1000}})
	if err != nil {
		t.Fatal(err)
	}
	if d, want := round2(conf.MonthlyUSD-def.MonthlyUSD), round2(900*0.045); d != want {
		t.Errorf("delta = %v; want (1000-100) GB × $0.045 = %v", d, want)
	}
	for _, u := range conf.Assumptions {
		if u.Name == "natGbPerGateway" && (u.Origin != OriginConfigured || u.Value != 1000) {
			t.Errorf("natGbPerGateway reported %+v", u)
		}
		if u.Name == "albLcus" && u.Origin != OriginDefault {
			t.Errorf("albLcus reported %+v", u)
		}
	}
	if _, err := Estimate(rs, Options{Configured: map[string]float64{"nope": 1}}); err == nil {
		t.Error("unknown assumption accepted")
	}
}
