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

// A DR pair is synthesized together: a recovery stack reads the contract
// its primary's run replicated into the recovery Region, and the DR
// assessment needs both runs.
// Run does it for every stack loaded from a directory (Stack.Dir).

// runDR runs the stack and its DR partner from the same directory and
// assesses the pair. cfg is the stack's loaded configuration.
func runDR(st *Stack, cfg *config.Config) (*Result, error) {
	if st.PrimaryDown {
		down, err := afterFailover(st, cfg)
		if err != nil {
			return nil, err
		}
		st = down
	}
	if cfg.Role == config.RoleRecovery {
		ps, err := primaryOf(st, cfg)
		if err != nil {
			return nil, err
		}
		if st.PrimaryDown {
			if ps, err = afterFailover(ps, nil); err != nil {
				return nil, err
			}
		}
		prim, err := runOne(ps, runEnv{})
		if err != nil {
			return nil, fmt.Errorf("primary stack %s: %w", ps.Name, err)
		}
		rec, err := runOne(st, recoveryEnv(st, cfg, prim))
		if err != nil {
			return nil, err
		}
		rec.Partner = prim
		assessPair(prim, rec)
		return rec, nil
	}
	prim, err := runOne(st, runEnv{})
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
		if st.PrimaryDown {
			if rs, err = afterFailover(rs, nil); err != nil {
				return nil, err
			}
		}
		rcfg, err := load(rs)
		if err != nil {
			return nil, fmt.Errorf("recovery stack %s: %w", rs.Name, err)
		}
		rec, err := runOne(rs, recoveryEnv(rs, rcfg, prim))
		if err != nil {
			return nil, fmt.Errorf("recovery stack %s: %w", rs.Name, err)
		}
		prim.Partner = rec
		rec.primary = prim
	}
	assessPair(prim, prim.Partner)
	return prim, nil
}

// recoveryEnv is what a recovery stack's run finds: the resources its
// primary's run created (the replicated contract in the recovery Region,
// read by data sources) and, unless the primary is down, the primary's
// outputs for any StackReference. With the primary down, a StackReference
// read of its state fails.
func recoveryEnv(st *Stack, cfg *config.Config, prim *Result) runEnv {
	env := runEnv{world: prim.Resources}
	if st.PrimaryDown {
		env.unreadable = map[string]string{cfg.DR.PrimaryStack: "its Region is down (synth --primary-down): the recovery stack may read only what the primary replicated into " + cfg.Region}
		return env
	}
	env.refs = map[string]map[string]any{cfg.DR.PrimaryStack: prim.raw}
	return env
}

// afterFailover is the stack's configuration as the failover workflow
// commits it: a recovery stack's fleet.standby active, a primary's
// dr.fenced true. cfg is the stack's loaded configuration (nil: load it).
func afterFailover(st *Stack, cfg *config.Config) (*Stack, error) {
	if cfg == nil {
		var err error
		if cfg, err = load(st); err != nil {
			return nil, err
		}
	}
	out := *st
	out.PrimaryDown = true
	out.Values = make(map[string]string, len(st.Values))
	for k, v := range st.Values {
		out.Values[k] = v
	}
	set := func(section, key string, value any) error {
		full := st.Project + ":" + section
		m := map[string]any{}
		if raw, ok := out.Values[full]; ok {
			if err := json.Unmarshal([]byte(raw), &m); err != nil {
				return fmt.Errorf("%s: %w", full, err)
			}
		}
		m[key] = value
		b, err := json.Marshal(m)
		out.Values[full] = string(b)
		return err
	}
	switch cfg.Role {
	case config.RoleRecovery:
		if cfg.Fleet != nil {
			if err := set("fleet", "standby", config.StandbyActive); err != nil {
				return nil, err
			}
		}
	case config.RolePrimary:
		if cfg.DRRegion != "" {
			if err := set("dr", "fenced", true); err != nil {
				return nil, err
			}
		}
	}
	return &out, nil
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

// RunIn synthesizes one stack against what other runs left in the account
// (world: a primary's resources, which data sources read) and nothing
// else: no StackReference is answered. Tests use it to take the primary's
// replicated contract away.
func RunIn(st *Stack, world []*mockengine.Resource) (*Result, error) {
	return runOne(st, runEnv{world: world})
}
