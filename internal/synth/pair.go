package synth

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/dr"
	"github.com/dbay/infra/internal/mockengine"
)

// A DR pair is synthesized together: a recovery stack needs its primary's
// outputs for the StackReference, and the DR assessment needs both runs.
// Run does it for every stack loaded from a directory (Stack.Dir).

// runDR runs the stack and its DR partner from the same directory and
// assesses the pair. cfg is the stack's loaded configuration.
func runDR(st *Stack, cfg *config.Config) (*Result, error) {
	if cfg.Role == config.RoleRecovery {
		ps, err := primaryOf(st, cfg)
		if err != nil {
			return nil, err
		}
		prim, err := runOne(ps, nil)
		if err != nil {
			return nil, fmt.Errorf("primary stack %s: %w", ps.Name, err)
		}
		rec, err := runOne(st, map[string]map[string]any{cfg.DR.PrimaryStack: prim.raw})
		if err != nil {
			return nil, err
		}
		rec.Partner = prim
		assessPair(prim, rec)
		return rec, nil
	}
	prim, err := runOne(st, nil)
	if err != nil {
		return nil, err
	}
	if !prim.Config.RecoveryPolicyApplies() {
		return prim, nil
	}
	rs, err := recoveryOf(st)
	if err != nil {
		return nil, err
	}
	if rs != nil {
		rcfg, err := load(rs)
		if err != nil {
			return nil, fmt.Errorf("recovery stack %s: %w", rs.Name, err)
		}
		rec, err := runOne(rs, map[string]map[string]any{rcfg.DR.PrimaryStack: prim.raw})
		if err != nil {
			return nil, fmt.Errorf("recovery stack %s: %w", rs.Name, err)
		}
		prim.Partner = rec
		rec.primary = prim
	}
	assessPair(prim, prim.Partner)
	return prim, nil
}

// assessPair writes the DR assessment of the pair on both results.
func assessPair(prim, rec *Result) {
	var recRes []dr.Resource
	if rec != nil {
		recRes = DRResources(rec.Resources)
	}
	accepted := prim.Config.DR.Accept
	var plan dr.Plan
	var classes map[dr.Kind]dr.DataClass
	if rec != nil {
		plan, classes = rec.Config.DRPlan(), rec.Config.DRClasses()
	}
	rep := dr.AssessWith(prim.Config.DR.Policy(), prim.Config.DRRegion, DRResources(prim.Resources), recRes, accepted, plan, classes)
	if rec != nil {
		priceRows(&rep, prim, rec)
	}
	prim.DR = &rep
	if rec != nil {
		rec.DR = &rep
	}
}

// DRResources adapts captured resources to the assessment's view.
func DRResources(rs []*mockengine.Resource) []dr.Resource {
	out := make([]dr.Resource, 0, len(rs))
	for _, r := range rs {
		if !r.Custom {
			continue
		}
		out = append(out, dr.Resource{Type: r.Type, Name: r.Name, Region: r.Region, Inputs: r.In(), Outputs: r.Out()})
	}
	return out
}

// primaryOf loads the primary stack a recovery stack names (dr.primaryStack
// is org/project/stack: the stack file is Pulumi.<stack>.yaml beside it).
func primaryOf(st *Stack, cfg *config.Config) (*Stack, error) {
	ref := cfg.DR.PrimaryStack
	name := ref[strings.LastIndex(ref, "/")+1:]
	file := filepath.Join(st.Dir, "Pulumi."+name+".yaml")
	if _, err := os.Stat(file); err != nil {
		return nil, config.Errors{{Namespace: st.Project, Path: "dr.primaryStack",
			Problem: fmt.Sprintf("%s names stack %s, but there is no %s to synthesize it from", ref, name, file),
			Valid:   "name a stack of this project whose Pulumi.<stack>.yaml is in the same directory"}}
	}
	ps, err := LoadStack(st.Dir, name)
	if err != nil {
		return nil, err
	}
	if ps.Project != st.Project {
		return nil, config.Errors{{Namespace: st.Project, Path: "dr.primaryStack",
			Problem: fmt.Sprintf("%s is in project %s, not %s", ref, ps.Project, st.Project), Valid: "name a stack of this project"}}
	}
	return ps, nil
}

// recoveryOf finds the recovery stack whose dr.primaryStack names st (nil
// when there is none).
func recoveryOf(st *Stack) (*Stack, error) {
	files, err := filepath.Glob(filepath.Join(st.Dir, "Pulumi.*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml")
		if name == st.Name {
			continue
		}
		cand, err := loadQuiet(st.Dir, name)
		if err != nil || cand.Project != st.Project || cand.Values[st.Project+":role"] != string(config.RoleRecovery) {
			continue
		}
		var d struct {
			PrimaryStack string `json:"primaryStack"`
		}
		_ = json.Unmarshal([]byte(cand.Values[st.Project+":dr"]), &d)
		if d.PrimaryStack == st.Name || strings.HasSuffix(d.PrimaryStack, "/"+st.Name) {
			return cand, nil
		}
	}
	return nil, nil
}

// loadQuiet is LoadStack without warnings on stderr.
func loadQuiet(dir, name string) (*Stack, error) {
	return loadStack(dir, name, io.Discard)
}

// priceRows prices each row's recovery resources (the mechanisms' standby
// cost) and checks a standby recovery stack's total against dr.costBudget. A
// pair whose cost cannot be estimated keeps its rows unpriced.
func priceRows(rep *dr.Report, prim, rec *Result) {
	pc, err1 := prim.Cost()
	rc, err2 := rec.Cost()
	if err1 != nil || err2 != nil {
		return
	}
	byRes := map[string]float64{}
	for _, r := range rc.Resources {
		byRes[r.Type+" "+r.Name] += r.MonthlyUSD
	}
	for i, row := range rep.Rows {
		sum := 0.0
		for _, e := range row.Evidence {
			sum += byRes[e]
		}
		rep.Rows[i].MonthlyUSD = float64(int(sum*100+0.5)) / 100
	}
	// The budget is the standing cost of the standby: an active recovery
	// stack (after a failover) runs at the primary's size by design.
	if rec.Config.Passive() {
		rep.CheckBudget(rc.MonthlyUSD, pc.MonthlyUSD, *rec.Config.DR.CostBudget)
	}
}
