package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbay/infra/dr"
	"github.com/dbay/infra/internal/synth"
)

// Issue 18 part 2: the recovery stack's monthly cost, by the program's own
// cost model, is within dr.costBudget of the primary's, and the DR table
// prices each mechanism on standby.
func TestRecoveryCostWithinBudget(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		dir    string
		budget float64
		// rows: the standby cost of a row's mechanisms, USD/month.
		rows map[string]float64
		rto  map[string]string
	}{
		// DBay: OpenSearch and Memcached are built at failover (0 on
		// standby), the DocumentDB secondary is headless (its cluster's
		// storage line only), the Redis secondary one cache.r6g.large.
		{root, 25, map[string]float64{"search": 0, "memcached": 0, "mongo": 10, "redis": 150.38, "postgres": 175.75},
			map[string]string{"search": "1h54m", "mongo": "30m"}},
		// Dhanam keeps its Redis Global Datastore (queued jobs): 28 %.
		{"../examples/dhanam", 28, map[string]float64{"redis": 150.38, "postgres": 175.75}, map[string]string{"postgres": "1h"}},
	} {
		rec := synthesize(t, tt.dir, "dr")
		c := rec.DR.Cost
		if c == nil {
			t.Fatalf("%s: the DR report has no cost", tt.dir)
		}
		mine, _ := rec.Cost()
		theirs, _ := rec.Partner.Cost()
		if c.RecoveryUSD != mine.MonthlyUSD || c.PrimaryUSD != theirs.MonthlyUSD || c.BudgetPercent != tt.budget || !c.Within ||
			c.RecoveryUSD > c.PrimaryUSD*tt.budget/100 {
			t.Errorf("%s: cost %+v (recovery %.2f, primary %.2f), want within %g %%", tt.dir, *c, mine.MonthlyUSD, theirs.MonthlyUSD, tt.budget)
		}
		rows := map[string]dr.Row{}
		for _, r := range rec.DR.Rows {
			rows[r.Resource] = r
		}
		for name, usd := range tt.rows {
			if got := rows[name].MonthlyUSD; got != usd {
				t.Errorf("%s: %s costs %.2f on standby (evidence %v), want %.2f", tt.dir, name, got, rows[name].Evidence, usd)
			}
		}
		for name, rto := range tt.rto {
			if got := rows[name].RTO; got != rto {
				t.Errorf("%s: %s RTO %s, want %s", tt.dir, name, got, rto)
			}
		}
	}
	// DBay's issue target: at most a quarter of prod.
	if c := synthesize(t, root, "dr").DR.Cost; c.Share > 0.25 {
		t.Errorf("DBay's recovery stack is %.1f %% of prod, want ≤ 25 %%", c.Share*100)
	}
}

// A recovery stack over its budget fails synth --policy with the DR exit
// status (3) and says why; the same stack within it passes.
func TestCostBudgetFailsThePolicy(t *testing.T) {
	t.Parallel()
	prod, err := os.ReadFile(filepath.Join(root, "Pulumi.prod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	drFile, err := os.ReadFile(filepath.Join(root, "Pulumi.dr.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		budget string
		code   int
	}{{"costBudget: 25", 0}, {"costBudget: 20", 3}} {
		dir := t.TempDir()
		write(t, dir, "Pulumi.yaml", "name: dbay\nruntime: go\n")
		write(t, dir, "Pulumi.prod.yaml", string(prod))
		changed := strings.Replace(string(drFile), "costBudget: 25", tt.budget, 1)
		if !strings.Contains(string(drFile), "costBudget: 25") {
			t.Fatal("Pulumi.dr.yaml sets no costBudget: 25")
		}
		write(t, dir, "Pulumi.dr.yaml", changed)
		var out, errOut bytes.Buffer
		code := synth.Main([]string{"--dir", dir, "--stack", "dr", "--policy"}, &out, &errOut)
		if code != tt.code || (code != 0) != strings.Contains(errOut.String(), "dr.costBudget is 20 %") {
			t.Errorf("%s: exit %d, stderr:\n%s", tt.budget, code, errOut.String())
		}
	}
}

// Dhanam's runbook scales the promoted replica from its standby class to
// prod's, and its scale-up names the interface endpoints it creates.
func TestDhanamStandbyRunbook(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, "../examples/dhanam", "dr")
	steps, _ := rec.Outputs["failoverRunbook"].([]any)
	var all []string
	for _, s := range steps {
		all = append(all, s.(string))
	}
	text := strings.Join(all, "\n")
	if pg := rec.Engine.Get("aws:rds/instance:Instance", "postgres").In(); pg["instanceClass"] != "db.r6g.large" ||
		!strings.Contains(text, "--multi-az --db-instance-class db.r5.large --apply-immediately") ||
		!strings.Contains(text, "1 Redis replica(s), the interface endpoints") {
		t.Errorf("replica class %v; runbook:\n%s", pg["instanceClass"], text)
	}
}
