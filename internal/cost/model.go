package cost

import (
	"fmt"
	"sort"

	"github.com/dbay/infra/internal/mockengine"
)

// Line is one priced quantity of a resource: quantity × unit price a month.
type Line struct {
	Key         string  `json:"key"` // the price table key
	Description string  `json:"description"`
	Quantity    float64 `json:"quantity"` // units a month
	Unit        string  `json:"unit"`
	UnitUSD     float64 `json:"unitUsd"`
	MonthlyUSD  float64 `json:"monthlyUsd"`
	Region      string  `json:"region"`
	Source      string  `json:"source"`
	// Assumption names the usage assumption the quantity comes from ("" when
	// the quantity is read from the resource's inputs).
	Assumption string `json:"assumption,omitempty"`
	// Confirmed is the price line's mark (prices.json): false when no
	// published page was found quoting the unit price.
	Confirmed bool `json:"confirmed"`
}

// ResourceCost is one priced resource.
type ResourceCost struct {
	URN        string  `json:"urn"`
	Type       string  `json:"type"`
	Name       string  `json:"name"`
	Component  string  `json:"component"`
	MonthlyUSD float64 `json:"monthlyUsd"`
	Lines      []Line  `json:"lines"`
}

// ComponentCost is the monthly cost of everything beneath a top-level component.
type ComponentCost struct {
	Name       string  `json:"name"`
	Type       string  `json:"type"`
	MonthlyUSD float64 `json:"monthlyUsd"`
	Resources  int     `json:"resources"` // priced resources with a non-zero cost
}

// Kinds of resources that carry no price line.
const (
	KindFree         = "free"          // AWS charges nothing for the resource itself
	KindNotEstimated = "not-estimated" // usage-driven: no usage assumption is made
	KindUnpriced     = "unpriced"      // priced type, but a line could not be priced (named)
	KindUnknown      = "unknown"       // a type the model does not know: add it
)

// NotPriced is a group of resources of one type that carry no (or not every) price line.
type NotPriced struct {
	Type   string   `json:"type"`
	Kind   string   `json:"kind"`
	Count  int      `json:"count"`
	Reason string   `json:"reason"`
	Names  []string `json:"names,omitempty"` // for unpriced and unknown resources
}

// Report is a stack's monthly cost estimate.
type Report struct {
	MonthlyUSD  float64         `json:"monthlyUsd"`
	Components  []ComponentCost `json:"components"`
	Resources   []ResourceCost  `json:"resources"` // priced resources, costliest first
	PricesAsOf  string          `json:"pricesAsOf"`
	PriceSource string          `json:"priceSource"`
	Assumptions []AssumptionUse `json:"assumptions"`
	NotPriced   []NotPriced     `json:"notPriced"`
	// Unconfirmed are the price lines this estimate used whose unit price
	// no published page was found quoting, with what they add a month.
	Unconfirmed []UnconfirmedPrice `json:"unconfirmed"`
	// UnconfirmedUSD is the part of MonthlyUSD priced by unconfirmed lines.
	UnconfirmedUSD float64 `json:"unconfirmedUsd"`
}

// UnconfirmedPrice is one unconfirmed price line as a report lists it.
type UnconfirmedPrice struct {
	Region     string  `json:"region"`
	Key        string  `json:"key"`
	UnitUSD    float64 `json:"unitUsd"`
	Unit       string  `json:"unit"`
	Note       string  `json:"note"`
	Lines      int     `json:"lines"`      // resource lines priced by it
	MonthlyUSD float64 `json:"monthlyUsd"` // what those lines add a month
}

// Options tune an estimate. The zero value uses the embedded prices and DefaultAssumptions.
type Options struct {
	Prices      *Table       // nil: the embedded prices.json
	Assumptions *Assumptions // nil: DefaultAssumptions()
	// Configured are the stack's assumption overrides by name
	// (`<project>:cost.assumptions.<name>`), applied over Assumptions and
	// reported as configured.
	Configured map[string]float64
	// Partner are the resources of the other stack of a DR pair: a recovery
	// stack's Global Datastore secondary and cross-Region read replica take
	// their node type and storage from the primary's.
	Partner []*mockengine.Resource
	// Region is the stack's default region, for resources without one.
	Region string
}

// estimator is one estimate in progress.
type estimator struct {
	prices *Table
	as     Assumptions
	region string
	all    []*mockengine.Resource // the stack's resources, then the partner's
}

// Estimate prices the resources of a synthesized stack.
func Estimate(resources []*mockengine.Resource, opts Options) (*Report, error) {
	e, err := newEstimator(resources, opts)
	if err != nil {
		return nil, err
	}
	rep := &Report{PricesAsOf: e.prices.AsOf, PriceSource: e.prices.Source, Assumptions: e.as.usesWithOrigin(opts.Configured),
		Resources: []ResourceCost{}, Components: []ComponentCost{}, NotPriced: []NotPriced{}}
	groups := notPricedGroups{}
	byComp := e.priceAll(rep, resources, groups)
	rep.MonthlyUSD = round2(rep.MonthlyUSD)
	rep.Unconfirmed, rep.UnconfirmedUSD = e.unconfirmed(rep.Resources)
	rep.sortResources()
	rep.addComponents(byComp)
	rep.addNotPriced(groups)
	return rep, nil
}

// newEstimator takes the price table (the embedded one by default) and the
// assumptions (the defaults, with the stack's configured overrides),
// validated.
func newEstimator(resources []*mockengine.Resource, opts Options) (*estimator, error) {
	e := &estimator{prices: opts.Prices, region: opts.Region}
	if e.prices == nil {
		t, err := Prices()
		if err != nil {
			return nil, err
		}
		e.prices = t
	}
	e.as = DefaultAssumptions()
	if opts.Assumptions != nil {
		e.as = *opts.Assumptions
	}
	as, err := e.as.WithOverrides(opts.Configured)
	if err != nil {
		return nil, err
	}
	e.as = as
	if err := e.as.Validate(); err != nil {
		return nil, err
	}
	e.all = append(append([]*mockengine.Resource{}, resources...), opts.Partner...)
	return e, nil
}

// notPricedGroups are the resources not priced, grouped by type, kind
// and reason.
type notPricedGroups map[string]*NotPriced

// note counts a resource not priced in its group (naming it when a reader
// must act on it).
func (groups notPricedGroups) note(typ, kind, reason, name string) {
	k := typ + "\x00" + kind + "\x00" + reason
	g := groups[k]
	if g == nil {
		g = &NotPriced{Type: typ, Kind: kind, Reason: reason}
		groups[k] = g
	}
	g.Count++
	if kind == KindUnpriced || kind == KindUnknown {
		g.Names = append(g.Names, name)
	}
}

// priceAll prices every resource into rep.Resources and rep.MonthlyUSD,
// notes the ones not priced in groups, and returns the totals by
// top-level component.
func (e *estimator) priceAll(rep *Report, resources []*mockengine.Resource, groups notPricedGroups) map[string]*ComponentCost {
	comps := componentsOf(resources)
	byComp := map[string]*ComponentCost{}
	for _, r := range resources {
		kind, reason, price := Classify(r)
		switch kind {
		case "component":
			continue
		case KindFree, KindNotEstimated, KindUnknown:
			groups.note(r.Type, kind, reason, r.Name)
			continue
		}
		lines, errs := price(e, r)
		for _, err := range errs {
			groups.note(r.Type, KindUnpriced, err.Error(), r.Name)
		}
		rc := ResourceCost{URN: r.URN, Type: r.Type, Name: r.Name, Component: comps[r.URN].label(), Lines: lines}
		if rc.Lines == nil {
			rc.Lines = []Line{}
		}
		for _, l := range lines {
			rc.MonthlyUSD += l.MonthlyUSD
		}
		rc.MonthlyUSD = round2(rc.MonthlyUSD)
		rep.Resources = append(rep.Resources, rc)
		rep.MonthlyUSD += rc.MonthlyUSD
		c := byComp[rc.Component]
		if c == nil {
			c = &ComponentCost{Name: comps[r.URN].name, Type: comps[r.URN].typ}
			byComp[rc.Component] = c
		}
		c.MonthlyUSD += rc.MonthlyUSD
		if rc.MonthlyUSD > 0 {
			c.Resources++
		}
	}
	return byComp
}

// sortResources puts the costliest resources first.
func (rep *Report) sortResources() {
	sort.SliceStable(rep.Resources, func(i, j int) bool {
		if rep.Resources[i].MonthlyUSD != rep.Resources[j].MonthlyUSD {
			return rep.Resources[i].MonthlyUSD > rep.Resources[j].MonthlyUSD
		}
		return rep.Resources[i].URN < rep.Resources[j].URN
	})
}

// addComponents adds the components' totals, the costliest first.
func (rep *Report) addComponents(byComp map[string]*ComponentCost) {
	for _, c := range byComp {
		c.MonthlyUSD = round2(c.MonthlyUSD)
		rep.Components = append(rep.Components, *c)
	}
	sort.Slice(rep.Components, func(i, j int) bool {
		if rep.Components[i].MonthlyUSD != rep.Components[j].MonthlyUSD {
			return rep.Components[i].MonthlyUSD > rep.Components[j].MonthlyUSD
		}
		return rep.Components[i].Name < rep.Components[j].Name
	})
}

// addNotPriced adds the groups not priced: unknown types first, then
// unpriced lines, then what is not estimated, then what is free.
func (rep *Report) addNotPriced(groups notPricedGroups) {
	for _, g := range groups {
		rep.NotPriced = append(rep.NotPriced, *g)
	}
	kindOrder := map[string]int{KindUnknown: 0, KindUnpriced: 1, KindNotEstimated: 2, KindFree: 3}
	sort.Slice(rep.NotPriced, func(i, j int) bool {
		a, b := rep.NotPriced[i], rep.NotPriced[j]
		if a.Kind != b.Kind {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Reason < b.Reason
	})
}

// unconfirmed lists the unconfirmed price lines the resources used, the
// costliest first, and their monthly sum.
func (e *estimator) unconfirmed(rs []ResourceCost) ([]UnconfirmedPrice, float64) {
	by := map[string]*UnconfirmedPrice{}
	total := 0.0
	for _, rc := range rs {
		for _, l := range rc.Lines {
			if l.Confirmed {
				continue
			}
			k := l.Region + "\x00" + l.Key
			u := by[k]
			if u == nil {
				p, _ := e.prices.Lookup(l.Region, l.Key)
				u = &UnconfirmedPrice{Region: l.Region, Key: l.Key, UnitUSD: l.UnitUSD, Unit: l.Unit, Note: p.Note}
				by[k] = u
			}
			u.Lines++
			u.MonthlyUSD += l.MonthlyUSD
			total += l.MonthlyUSD
		}
	}
	out := []UnconfirmedPrice{}
	for _, u := range by {
		u.MonthlyUSD = round2(u.MonthlyUSD)
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].MonthlyUSD != out[j].MonthlyUSD {
			return out[i].MonthlyUSD > out[j].MonthlyUSD
		}
		return out[i].Region+out[i].Key < out[j].Region+out[j].Key
	})
	return out, round2(total)
}

// Unpriced are the groups a reader must act on: unknown types and lines
// that could not be priced.
func (r *Report) Unpriced() []NotPriced {
	var out []NotPriced
	for _, g := range r.NotPriced {
		if g.Kind == KindUnknown || g.Kind == KindUnpriced {
			out = append(out, g)
		}
	}
	return out
}

// Resource returns the priced resource of that type and name (nil when absent).
func (r *Report) Resource(typ, name string) *ResourceCost {
	for i := range r.Resources {
		if r.Resources[i].Type == typ && r.Resources[i].Name == name {
			return &r.Resources[i]
		}
	}
	return nil
}

// line prices qty units of key in the resource's region.
func (e *estimator) line(r *mockengine.Resource, key string, qty float64, desc string) (Line, error) {
	region := r.Region
	if region == "" {
		region = e.region
	}
	p, err := e.prices.Lookup(region, key)
	if err != nil {
		return Line{}, err
	}
	return Line{Key: key, Description: desc, Quantity: round4(qty), Unit: p.Unit, UnitUSD: p.USD,
		MonthlyUSD: round2(qty * p.USD), Region: region, Source: p.Source, Confirmed: p.IsConfirmed()}, nil
}

// hourly prices count units running every hour of the month.
func (e *estimator) hourly(r *mockengine.Resource, key string, count float64, what string) (Line, error) {
	desc := fmt.Sprintf("%s: %g × %g h", what, count, e.as.HoursPerMonth)
	return e.line(r, key, count*e.as.HoursPerMonth, desc)
}

// assumed prices a usage assumption.
func (e *estimator) assumed(r *mockengine.Resource, key string, qty float64, assumption, desc string) (Line, error) {
	l, err := e.line(r, key, qty, desc)
	l.Assumption = assumption
	return l, err
}

// lines collects priced lines and the errors of the ones that could not be.
type lines struct {
	out  []Line
	errs []error
}

func (ls *lines) add(l Line, err error) {
	if err != nil {
		ls.errs = append(ls.errs, err)
		return
	}
	ls.out = append(ls.out, l)
}

func (ls *lines) fail(format string, args ...any) {
	ls.errs = append(ls.errs, fmt.Errorf(format, args...))
}

func (ls *lines) done() ([]Line, []error) { return ls.out, ls.errs }

// component is a resource's top-level component.
type component struct{ name, typ string }

func (c component) label() string {
	if c.name == "" {
		return "(stack)"
	}
	return c.name
}

// componentsOf maps every resource to its top-level component: the
// outermost component ancestor ("(stack)" for custom resources at the root).
func componentsOf(rs []*mockengine.Resource) map[string]component {
	byURN := make(map[string]*mockengine.Resource, len(rs))
	for _, r := range rs {
		byURN[r.URN] = r
	}
	out := make(map[string]component, len(rs))
	for _, r := range rs {
		top := r
		for p := byURN[top.Parent]; p != nil; p = byURN[top.Parent] {
			top = p
		}
		if top.Custom {
			out[r.URN] = component{}
		} else {
			out[r.URN] = component{name: top.Name, typ: top.Type}
		}
	}
	return out
}
