package tests

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/dbay/infra/internal/cost"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
)

// costOf synthesizes a stack from dir (once per test binary: synth.Shared)
// and returns its cost report.
func costOf(t *testing.T, dir, stack string) (*synth.Result, *cost.Report) {
	t.Helper()
	st, err := synth.LoadStack(dir, stack)
	if err != nil {
		t.Fatal(err)
	}
	r, err := synth.Shared(st)
	if err != nil {
		t.Fatalf("%s/%s: %v", dir, stack, err)
	}
	rep, err := r.Cost()
	if err != nil {
		t.Fatal(err)
	}
	return r, rep
}

// Issue 17: growing one service (listing: 1 vCPU/2 GB -> 2 vCPU/4 GB at 2
// tasks) and changing one store's class (PostgreSQL db.r6g.large ->
// db.r5.large, Multi-AZ) moves the total by exactly the price differences
// × 730 hours × count, and nothing else moves.
func TestCostDeltaOfASizeChange(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"Pulumi.yaml", "Pulumi.prod.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		write(t, dir, name, string(b))
	}
	_, before := costOf(t, dir, "prod")

	b, _ := os.ReadFile(filepath.Join(dir, "Pulumi.prod.yaml"))
	for _, edit := range [][2]string{
		{"      - name: listing           # §4.1, §4.2\n        image: {repository: dbay/listing-service, tag: v1.0.0}\n        cpu: 1024\n        memory: 2048\n",
			"      - name: listing           # §4.1, §4.2\n        image: {repository: dbay/listing-service, tag: v1.0.0}\n        cpu: 2048\n        memory: 4096\n"},
		{"      serviceUsers: true\n      instanceClass: db.r6g.large\n", "      serviceUsers: true\n      instanceClass: db.r5.large\n"},
	} {
		if !bytes.Contains(b, []byte(edit[0])) {
			t.Fatalf("Pulumi.prod.yaml no longer contains %q; update the test", edit[0])
		}
		b = bytes.Replace(b, []byte(edit[0]), []byte(edit[1]), 1)
	}
	write(t, dir, "Pulumi.prod.yaml", string(b))
	_, after := costOf(t, dir, "prod")

	prices, err := cost.Prices()
	if err != nil {
		t.Fatal(err)
	}
	usd := func(key string) float64 {
		p, err := prices.Lookup("us-east-1", key)
		if err != nil {
			t.Fatal(err)
		}
		return p.USD
	}
	const hours, tasks = 730.0, 2.0
	wantService := tasks * hours * ((2-1)*usd("fargate:linux:x86_64:vcpu") + (4-2)*usd("fargate:linux:x86_64:memory"))
	wantStore := hours * (usd("rds:db.r5.large:postgres:multi-az") - usd("rds:db.r6g.large:postgres:multi-az"))

	delta := func(typ, name string) float64 {
		a, b := after.Resource(typ, name), before.Resource(typ, name)
		if a == nil || b == nil {
			t.Fatalf("%s %s not priced", typ, name)
		}
		return a.MonthlyUSD - b.MonthlyUSD
	}
	near := func(got, want float64) bool { return math.Abs(got-want) <= 0.011 }
	if got := delta(tokens.ECSService, "listing"); !near(got, wantService) {
		t.Errorf("listing delta = %.2f; want 2 tasks × 730 h × (1 vCPU × %.5f + 2 GB × %.6f) = %.2f", got, usd("fargate:linux:x86_64:vcpu"), usd("fargate:linux:x86_64:memory"), wantService)
	}
	if got := delta(tokens.RDSInstance, "postgres"); !near(got, wantStore) {
		t.Errorf("postgres delta = %.2f; want 730 h × (db.r5.large − db.r6g.large Multi-AZ) = %.2f", got, wantStore)
	}
	if got := after.MonthlyUSD - before.MonthlyUSD; !near(got, wantService+wantStore) {
		t.Errorf("total delta = %.2f; want %.2f + %.2f = %.2f", got, wantService, wantStore, wantService+wantStore)
	}
	t.Logf("listing +%.2f, postgres +%.2f: total %.2f -> %.2f", wantService, wantStore, before.MonthlyUSD, after.MonthlyUSD)
}

// Issue 17: every resource type of the four stacks is priced, free or
// explicitly not estimated — a new type cannot cost a silent zero — and
// every priced line of the four stacks has a price. The four monthly totals
// are logged (go test -v -run TestCostOfTheFourStacks ./tests).
func TestCostOfTheFourStacks(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, dir string }{{"DBay", root}, {"Dhanam", dhanamDir}} {
		prod, prep := costOf(t, c.dir, "prod")
		if prod.Partner == nil {
			t.Fatalf("%s prod ran without its dr partner", c.name)
		}
		drep, err := prod.Partner.Cost()
		if err != nil {
			t.Fatal(err)
		}
		// The recovery stack as it is synthesized on its own (with its primary as partner).
		_, dalone := costOf(t, c.dir, "dr")
		if dalone.MonthlyUSD != drep.MonthlyUSD {
			t.Errorf("%s dr: %.2f alone, %.2f as prod's partner", c.name, dalone.MonthlyUSD, drep.MonthlyUSD)
		}
		for stack, res := range map[string]*synth.Result{"prod": prod, "dr": prod.Partner} {
			for _, r := range res.Resources {
				if kind, _, _ := cost.Classify(r); kind == cost.KindUnknown {
					t.Errorf("%s %s: type %s (%s) has no cost model: price it or list it as free or not estimated", c.name, stack, r.Type, r.Name)
				}
			}
		}
		for stack, rep := range map[string]*cost.Report{"prod": prep, "dr": drep} {
			for _, g := range rep.Unpriced() {
				t.Errorf("%s %s: %s ×%d %s: %s %v", c.name, stack, g.Type, g.Count, g.Kind, g.Reason, g.Names)
			}
			if rep.MonthlyUSD <= 0 || rep.PriceSource == "" || rep.PricesAsOf == "" {
				t.Errorf("%s %s: report %+v", c.name, stack, rep)
			}
		}
		t.Logf("%s prod %s: $%.2f/month; %s dr %s: $%.2f/month (%.1f%% of prod)", c.name, prod.Config.Region, prep.MonthlyUSD,
			c.name, prod.Partner.Config.Region, drep.MonthlyUSD, 100*drep.MonthlyUSD/prep.MonthlyUSD)
	}
}
