package tests

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Issue 17, "Done when": the hand-written table of DBay prod's ten largest
// price lines (docs/cost.md, the README's Cost section until issue 20)
// names the same ten lines the program computes, and the program's sum of
// them is within ±25 % of the table's hand total.
func TestCostTopTenMatchesREADME(t *testing.T) {
	t.Parallel()
	_, rep := costOf(t, root, "prod")
	type item struct {
		urn, name, key string
		usd            float64
	}
	var all []item
	for _, rc := range rep.Resources {
		for _, l := range rc.Lines {
			all = append(all, item{rc.URN, rc.Name, l.Key, l.MonthlyUSD})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.usd != b.usd {
			return a.usd > b.usd
		}
		if a.urn != b.urn {
			return a.urn < b.urn
		}
		return a.key < b.key
	})
	if len(all) < 10 {
		t.Fatalf("only %d price lines", len(all))
	}
	top := all[:10]

	b, err := os.ReadFile(filepath.Join(root, "docs", "cost.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i := strings.Index(readme, "**Hand check, DBay prod's ten largest line items**")
	if i < 0 {
		t.Fatal("docs/cost.md has no hand-check table")
	}
	row := regexp.MustCompile("(?m)^\\| (\\d+) \\| `([^`]+)` \\| `([^`]+)`[^|]*\\| ([^|]*×[^|]*) \\| ([0-9.,]+) \\|$")
	total := regexp.MustCompile(`(?m)^\| \| \| \| the ten, by hand \| ([0-9.,]+) \|$`)
	section := readme[i:]
	if j := strings.Index(section, "\n## "); j >= 0 {
		section = section[:j]
	}
	rows := row.FindAllStringSubmatch(section, -1)
	if len(rows) != 10 {
		t.Fatalf("docs/cost.md hand-check table has %d rows of the form | n | `resource` | `price line` | count × hours × price | USD |; want 10", len(rows))
	}
	handSum := 0.0
	for n, r := range rows {
		usd, _ := strconv.ParseFloat(strings.ReplaceAll(r[5], ",", ""), 64)
		handSum += usd
		p := top[n]
		if r[1] != strconv.Itoa(n+1) || r[2] != p.name || r[3] != p.key {
			t.Errorf("docs/cost.md row %s: `%s` `%s`; the program's #%d is `%s` `%s` ($%.2f)", r[1], r[2], r[3], n+1, p.name, p.key, p.usd)
		}
		if math.Abs(usd-p.usd) > 0.25*p.usd {
			t.Errorf("docs/cost.md row %s: $%.2f by hand; the program says $%.2f (more than ±25 %% apart)", r[1], usd, p.usd)
		}
	}
	m := total.FindStringSubmatch(section)
	if m == nil {
		t.Fatal("docs/cost.md hand-check table has no 'the ten, by hand' total row")
	}
	hand, _ := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64)
	if math.Abs(hand-handSum) > 0.011 {
		t.Errorf("docs/cost.md total %.2f is not the sum of its rows %.2f", hand, handSum)
	}
	prog := 0.0
	for _, p := range top {
		prog += p.usd
	}
	if math.Abs(prog-hand) > 0.25*hand {
		t.Errorf("program's ten largest lines sum to $%.2f; docs/cost.md's hand total $%.2f: more than ±25 %% apart", prog, hand)
	}
	t.Logf("ten largest lines: program $%.2f, docs/cost.md by hand $%.2f", prog, hand)
}

// A stack's `cost.assumptions.<name>` reaches the estimate: DBay prod with
// natGbPerGateway 1000 (default 100) costs 3 NAT gateways × 900 GB × the
// NAT per-GB price more, and the report marks the figure configured.
func TestConfiguredAssumptionInStackConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"Pulumi.yaml", "Pulumi.prod.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if name == "Pulumi.prod.yaml" {
			s = strings.Replace(s, "config:\n", "config:\n  dbay:cost:\n    assumptions:\n      natGbPerGateway: 1000\n", 1)
		}
		write(t, dir, name, s)
	}
	_, before := costOf(t, root, "prod")
	_, after := costOf(t, dir, "prod")
	if d, want := math.Round((after.MonthlyUSD-before.MonthlyUSD)*100)/100, 3*900*0.045; math.Abs(d-want) > 0.011 {
		t.Errorf("configured natGbPerGateway moved the total by %.2f; want 3 × 900 GB × $0.045 = %.2f", d, want)
	}
	found := false
	for _, a := range after.Assumptions {
		if a.Name == "natGbPerGateway" {
			found = a.Value == 1000 && a.Origin == "configured"
		}
	}
	if !found {
		t.Errorf("report does not show natGbPerGateway = 1000 (configured): %+v", after.Assumptions)
	}
}
