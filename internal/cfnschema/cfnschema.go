// Package cfnschema translates the resources a synth run captured into
// CloudFormation templates, so that cfn-lint can validate them against
// AWS's published resource schemas (allowed values per Region, patterns,
// ranges, lengths, IAM action names, Step Functions definitions).
//
// Every captured resource ends up in exactly one state (Item.Status):
// checked (its own CloudFormation resource), merged (properties of another
// resource: bucket versioning on the AWS::S3::Bucket), unchecked (an AWS
// resource CloudFormation has no equivalent for, listed with the reason) or
// not-aws (components, providers, random values). A type the mapping does
// not know, or an input a mapping neither translates nor skips with a
// reason, is a Problem: a new resource type cannot be silently unchecked.
//
// Values that refer to another resource of the same template become a Ref
// or Fn::GetAtt to it when the dependency is recorded (so cfn-lint checks
// the relationship); anything else keeps the value the mock engine
// answered, which has the shape AWS gives it (sg-…, arn:aws:…).
// Resources are split into one template per Region (a us-east-1 provider's
// CloudFront certificate is linted for us-east-1).
package cfnschema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
)

// Status is what the translation did with one captured resource.
type Status string

const (
	// Checked: the resource is its own CloudFormation resource.
	Checked Status = "checked"
	// Merged: the resource's settings are properties of another resource
	// (a pulumi-aws split resource such as aws:s3/bucketVersioningV2).
	Merged Status = "merged"
	// Unchecked: an AWS resource with no CloudFormation equivalent; Reason says why.
	Unchecked Status = "unchecked"
	// NotAWS: nothing AWS validates (components, providers, random values).
	NotAWS Status = "not-aws"
)

// Item is one captured resource and what became of it.
type Item struct {
	URN, Type, Name, Region string
	Status                  Status
	// CFNType and LogicalID name the template resource (checked, merged).
	CFNType, LogicalID string
	// Reason says why a resource is unchecked or not an AWS resource.
	Reason string
}

// Template is the CloudFormation template of one Region.
type Template struct {
	Region    string
	Resources map[string]*Resource // by logical id
}

// Resource is one template resource.
type Resource struct {
	Type       string
	Properties map[string]any
	URN        string
	// origin names the captured resource a top-level property (or
	// "Property/index" list element) came from when it was merged in.
	origin map[string]string
}

// Translation is the translation of one stack run.
type Translation struct {
	Project, Stack string
	Templates      []*Template // sorted by Region
	Items          []Item      // one per captured resource, in URN order
	// Skipped are the inputs each type leaves out of its template, with
	// the reason (type -> input -> reason).
	Skipped map[string]map[string]string
	// Problems are gaps in the mapping: a type with neither a translation
	// nor a reason, an input neither translated nor skipped.
	Problems []string
}

// Translate turns the resources of one stack run into templates.
func Translate(project, stack string, resources []*mockengine.Resource) *Translation {
	t := &translator{
		out:    &Translation{Project: project, Stack: stack, Skipped: map[string]map[string]string{}},
		byURN:  map[string]*mockengine.Resource{},
		placed: map[string]placed{},
		tmpls:  map[string]*Template{},
		ids:    map[string]map[string]bool{},
	}
	sorted := append([]*mockengine.Resource(nil), resources...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].URN < sorted[j].URN })
	for _, r := range sorted {
		t.byURN[r.URN] = r
	}
	items := make([]Item, len(sorted))
	var merges []int
	for i, r := range sorted {
		items[i] = Item{URN: r.URN, Type: r.Type, Name: r.Name, Region: r.Region}
		if reason, ok := notAWSReason(r); ok {
			items[i].Status, items[i].Reason = NotAWS, reason
			continue
		}
		if reason, ok := unchecked[r.Type]; ok {
			items[i].Status, items[i].Reason = Unchecked, reason
			continue
		}
		sp, ok := specs[r.Type]
		if !ok {
			t.problem("%s %q: no CloudFormation mapping and no reason to leave it unchecked; add one to internal/cfnschema", r.Type, r.Name)
			items[i].Status, items[i].Reason = Unchecked, "not in the mapping"
			continue
		}
		if sp.into != "" {
			merges = append(merges, i)
			continue
		}
		t.place(&items[i], r, sp)
	}
	for _, p := range t.placedList() {
		t.resolveRefs(p)
	}
	for _, i := range merges {
		t.merge(&items[i], sorted[i], specs[sorted[i].Type])
	}
	t.out.Items = items
	regions := make([]string, 0, len(t.tmpls))
	for r := range t.tmpls {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	for _, r := range regions {
		t.out.Templates = append(t.out.Templates, t.tmpls[r])
	}
	sort.Strings(t.out.Problems)
	return t.out
}

// placed is a resource that has its own template entry.
type placed struct {
	r     *mockengine.Resource
	sp    spec
	tmpl  *Template
	id    string
	entry *Resource
}

type translator struct {
	out    *Translation
	byURN  map[string]*mockengine.Resource
	placed map[string]placed // by URN
	tmpls  map[string]*Template
	ids    map[string]map[string]bool // region -> logical ids in use
}

func (t *translator) problem(format string, args ...any) {
	t.out.Problems = append(t.out.Problems, fmt.Sprintf(format, args...))
}

func (t *translator) template(region string) *Template {
	tm, ok := t.tmpls[region]
	if !ok {
		tm = &Template{Region: region, Resources: map[string]*Resource{}}
		t.tmpls[region] = tm
		t.ids[region] = map[string]bool{}
	}
	return tm
}

// place builds a resource's own template entry.
func (t *translator) place(it *Item, r *mockengine.Resource, sp spec) {
	b := newBuilder(t, r)
	sp.build(b)
	b.finish(sp)
	tm := t.template(r.Region)
	id := t.logicalID(r, sp.cfn)
	e := &Resource{Type: sp.cfn, Properties: b.props, URN: r.URN, origin: map[string]string{}}
	tm.Resources[id] = e
	it.Status, it.CFNType, it.LogicalID = Checked, sp.cfn, id
	t.placed[r.URN] = placed{r: r, sp: sp, tmpl: tm, id: id, entry: e}
}

func (t *translator) placedList() []placed {
	urns := make([]string, 0, len(t.placed))
	for u := range t.placed {
		urns = append(urns, u)
	}
	sort.Strings(urns)
	out := make([]placed, len(urns))
	for i, u := range urns {
		out[i] = t.placed[u]
	}
	return out
}

// merge adds a split resource's properties to the entry of the resource
// it configures (found by the value of its key input).
func (t *translator) merge(it *Item, r *mockengine.Resource, sp spec) {
	key, _ := r.In()[sp.key].(string)
	var target *placed
	for _, p := range t.placedList() {
		if p.r.Type == sp.into && p.r.Region == r.Region && outputMatches(p.r, sp.keyOutput, key) {
			p := p
			target = &p
			break
		}
	}
	if target == nil {
		it.Status = Unchecked
		it.Reason = fmt.Sprintf("it configures %s %q, which this stack does not create in %s", sp.into, key, r.Region)
		return
	}
	b := newBuilder(t, r)
	b.used[sp.key] = true
	b.target = target.entry
	sp.build(b)
	b.finish(sp)
	it.Status, it.CFNType, it.LogicalID = Merged, target.entry.Type, target.id
}

// outputMatches reports whether r's output out ("id" for the id) is v.
func outputMatches(r *mockengine.Resource, out, v string) bool {
	if v == "" {
		return false
	}
	if out == "" || out == "id" {
		return r.ID == v
	}
	s, _ := r.Out()[out].(string)
	return s == v
}

// logicalID is an alphanumeric id unique in the resource's template:
// the logical name in PascalCase and the CloudFormation type's last part.
func (t *translator) logicalID(r *mockengine.Resource, cfn string) string {
	base := pascalWords(r.Name) + cfn[strings.LastIndex(cfn, ":")+1:]
	if len(base) > 200 {
		base = base[:200]
	}
	used := t.ids[r.Region]
	id := base
	for n := 2; used[id]; n++ {
		id = fmt.Sprintf("%s%d", base, n)
	}
	used[id] = true
	return id
}

// pascalWords turns "auction-to-postgres_in" into "AuctionToPostgresIn".
func pascalWords(s string) string {
	var b strings.Builder
	up := true
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z':
			if up {
				c -= 'a' - 'A'
			}
			b.WriteRune(c)
			up = false
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteRune(c)
			up = false
		default:
			up = true
		}
	}
	if b.Len() == 0 || (b.String()[0] >= '0' && b.String()[0] <= '9') {
		return "R" + b.String()
	}
	return b.String()
}

// resolveRefs replaces, in p's properties, every string equal to an output
// of a resource p depends on (in the same template) with a Ref or GetAtt.
func (t *translator) resolveRefs(p placed) {
	subst := map[string]any{}
	ambiguous := map[string]bool{}
	for _, dep := range p.r.Dependencies {
		d, ok := t.placed[dep]
		if !ok || d.tmpl != p.tmpl || dep == p.r.URN {
			continue
		}
		for out, attr := range d.sp.attrs {
			v := d.r.ID
			if out != "id" {
				v, _ = d.r.Out()[out].(string)
			}
			if v == "" {
				continue
			}
			var expr any = map[string]any{"Ref": d.id}
			if attr != "Ref" {
				expr = map[string]any{"Fn::GetAtt": []any{d.id, attr}}
			}
			if prev, dup := subst[v]; dup && fmt.Sprint(prev) != fmt.Sprint(expr) {
				ambiguous[v] = true
			}
			subst[v] = expr
		}
	}
	for v := range ambiguous {
		delete(subst, v)
	}
	if len(subst) == 0 {
		return
	}
	for k, v := range p.entry.Properties {
		if !freeText(k) {
			p.entry.Properties[k] = substitute(v, subst)
		}
	}
}

// freeText reports whether a property holds text that only happens to
// equal another resource's name (tags, descriptions): never a reference.
func freeText(key string) bool {
	return strings.HasSuffix(key, "Tags") || key == "Description" || key == "Comment" || key == "AlarmDescription"
}

func substitute(v any, subst map[string]any) any {
	switch x := v.(type) {
	case string:
		if e, ok := subst[x]; ok {
			return e
		}
	case []any:
		for i := range x {
			x[i] = substitute(x[i], subst)
		}
	case map[string]any:
		if isIntrinsic(x) {
			return x
		}
		for k := range x {
			if !freeText(k) {
				x[k] = substitute(x[k], subst)
			}
		}
	}
	return v
}

// isIntrinsic reports whether m is a Ref or an Fn:: call.
func isIntrinsic(m map[string]any) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || strings.HasPrefix(k, "Fn::")
	}
	return false
}
