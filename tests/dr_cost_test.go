package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dbay/infra/dr"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
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
		// storage line only), the Redis secondary two cache.r6g.large (it
		// inherits the primary's automatic failover: AWS refuses one node).
		{root, 28, map[string]float64{"search": 0, "memcached": 0, "mongo": 10, "redis": 300.76, "postgres": 175.75},
			map[string]string{"search": "1h54m", "mongo": "30m"}},
		// Dhanam keeps its Redis Global Datastore (queued jobs); its replica
		// runs db.m6g.large on standby (0.159 × 730 h + 100 GB gp3): 33.6 %
		// with the Redis secondary's two nodes.
		{"../examples/dhanam", 34, map[string]float64{"redis": 300.76, "postgres": 127.57}, map[string]string{"postgres": "1h"}},
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
	// Issue 18's target was a quarter of prod; the Redis secondary's
	// second node (AWS refuses a one-node secondary of a primary with
	// automatic failover) costs what separates DBay from it, and nothing
	// else may: docs/dr.md "Cost of the recovery stacks".
	if c := synthesize(t, root, "dr").DR.Cost; c.RecoveryUSD-150.38 > c.PrimaryUSD*0.25 {
		t.Errorf("DBay's recovery stack is %.1f %% of prod; without the Redis secondary's replica it would be over 25 %%", c.Share*100)
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
	}{{"costBudget: 28", 0}, {"costBudget: 20", 3}} {
		dir := t.TempDir()
		write(t, dir, "Pulumi.yaml", "name: dbay\nruntime: go\n")
		write(t, dir, "Pulumi.prod.yaml", string(prod))
		changed := strings.Replace(string(drFile), "costBudget: 28", tt.budget, 1)
		if !strings.Contains(string(drFile), "costBudget: 28") {
			t.Fatal("Pulumi.dr.yaml sets no costBudget: 28")
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
	if pg := rec.Engine.Get(tokens.RDSInstance, "postgres").In(); pg["instanceClass"] != "db.m6g.large" ||
		!strings.Contains(text, "--multi-az --db-instance-class db.r5.large --apply-immediately") ||
		!strings.Contains(text, "builds what standby leaves out: the interface endpoints") || strings.Contains(text, "Redis replica(s)") {
		t.Errorf("replica class %v; runbook:\n%s", pg["instanceClass"], text)
	}
}

var (
	activeMu    sync.Mutex
	activeCache = map[string]*synth.Result{}
)

// activeDR synthesizes dir's recovery stack as the failover's scale-up
// leaves it (fleet.standby active), with its primary, once per directory.
func activeDR(t *testing.T, dir, project string) *synth.Result {
	t.Helper()
	activeMu.Lock()
	defer activeMu.Unlock()
	if r, ok := activeCache[dir]; ok {
		return r
	}
	drFile, err := os.ReadFile(filepath.Join(dir, "Pulumi.dr.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	prod, err := os.ReadFile(filepath.Join(dir, "Pulumi.prod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	active := strings.Replace(string(drFile), "    standby: pilot ", "    standby: active ", 1)
	if active == string(drFile) {
		t.Fatalf("no fleet.standby pilot in %s/Pulumi.dr.yaml", dir)
	}
	tmp := t.TempDir()
	write(t, tmp, "Pulumi.yaml", "name: "+project+"\nruntime: go\n")
	write(t, tmp, "Pulumi.prod.yaml", string(prod))
	write(t, tmp, "Pulumi.dr.yaml", active)
	st, err := synth.LoadStack(tmp, "dr")
	if err != nil {
		t.Fatal(err)
	}
	r, err := synth.Run(st)
	if err != nil {
		t.Fatal(err)
	}
	activeCache[dir] = r
	return r
}

// The failover's scale-up builds what standby left out, at the sizes as
// written, and the active stack passes the policy pack (the derived
// stores' waivers apply again) and the DR assessment.
func TestActiveRecoveryBuildsTheStandbyGaps(t *testing.T) {
	t.Parallel()
	r := activeDR(t, root, "dbay")
	e := r.Engine
	for typ, n := range map[string]int{tokens.OpenSearchDomain: 1, tokens.ElastiCacheCluster: 1,
		tokens.DocDBClusterInstance: 1, tokens.EC2VpcEndpoint: 7} {
		if got := len(e.ByType(typ)); got != n {
			t.Errorf("active dbay dr has %d %s, want %d", got, typ, n)
		}
	}
	if in := e.Get(tokens.ElastiCacheReplicationGroup, "redis").In(); in["numCacheClusters"] != 2.0 || in["automaticFailoverEnabled"] != true {
		t.Errorf("active redis = %v", in)
	}
	if rep := r.EvaluatePolicy(); rep.Failed() || r.DR == nil || !r.DR.OK() {
		t.Errorf("active dbay dr: policy %s; DR %v", rep.Summary(), r.DR.Violations)
		for _, v := range rep.Violations {
			if !v.Waived {
				t.Log(v.Rule, v.Name, v.Message)
			}
		}
	}
	dh := activeDR(t, "../examples/dhanam", "dhanam")
	if got := len(dh.Engine.ByType(tokens.EC2VpcEndpoint)); got != 7 {
		t.Errorf("active dhanam dr has %d endpoints, want 7", got)
	}
	if c := dh.Engine.Get(tokens.RDSInstance, "postgres").In()["instanceClass"]; c != "db.r5.large" {
		t.Errorf("active dhanam postgres class %v, want prod's db.r5.large", c)
	}
	if rep := dh.EvaluatePolicy(); rep.Failed() {
		t.Errorf("active dhanam dr: policy %s", rep.Summary())
		for _, v := range rep.Violations {
			if !v.Waived {
				t.Log(v.Rule, v.Name, v.Message)
			}
		}
	}
}
