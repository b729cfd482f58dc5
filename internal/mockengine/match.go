package mockengine

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Partial-match assertions on captured resources, in the manner of AWS
// CDK's Template.hasResourceProperties: a test names the few inputs it
// cares about and ignores the rest.
//
//	mockengine.HasResource(t, r.Resources, tokens.RDSInstance, mockengine.Props{
//		"storageEncrypted":   true,
//		"publiclyAccessible": mockengine.Absent,
//		"tags":               mockengine.Props{"Environment": "prod"},
//	})
//
// The rules, applied to rendered inputs (Resource.In):
//   - a Props (or map[string]any) matches an object holding at least those
//     keys, each matching; other keys are ignored, at every depth;
//   - a []any matches a list of the same length, element by element, with
//     the same rules (ArrayWith matches a list containing the elements);
//   - Absent matches a key that is missing or null, Present any other;
//   - numbers match by value (3 matches 3.0), anything else by equality;
//   - a Matcher (ArrayWith, JSON, Exact, Present, Absent) decides for itself.

// TB is the part of testing.TB the assertions use.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Props is a partial description of an object: every key given must
// match, keys not given are ignored.
type Props map[string]any

// Matcher decides whether a rendered value matches. present is false when
// the key is missing (got is then nil). It returns the mismatches found
// under path, none when it matches.
type Matcher interface {
	Match(path string, got any, present bool) []Mismatch
	String() string
}

// Mismatch is one key path where a candidate differs from what was asked.
type Mismatch struct {
	Path string // "tags.Environment", "ingress[0].fromPort"; "" for the top
	Want string
	Got  string
}

func (m Mismatch) String() string {
	p := m.Path
	if p == "" {
		p = "(top)"
	}
	return fmt.Sprintf("%s: want %s, got %s", p, m.Want, m.Got)
}

type absent struct{}

func (absent) String() string { return "absent" }

func (a absent) Match(path string, got any, present bool) []Mismatch {
	if !present || got == nil {
		return nil
	}
	return []Mismatch{{Path: path, Want: "absent", Got: show(got)}}
}

// Absent matches a key that is missing or null.
var Absent Matcher = absent{}

type presentM struct{}

func (presentM) String() string { return "present" }

func (presentM) Match(path string, got any, present bool) []Mismatch {
	if present && got != nil {
		return nil
	}
	return []Mismatch{{Path: path, Want: "present", Got: "absent"}}
}

// Present matches a key holding any non-null value.
var Present Matcher = presentM{}

type arrayWith []any

func (a arrayWith) String() string { return "list containing " + show([]any(a)) }

// Match finds each wanted element in order (not necessarily adjacent).
func (a arrayWith) Match(path string, got any, present bool) []Mismatch {
	l, ok := got.([]any)
	if !present || !ok {
		return []Mismatch{{Path: path, Want: a.String(), Got: showPresent(got, present)}}
	}
	i := 0
	for n, w := range a {
		for i < len(l) && len(match(path, w, l[i], true)) > 0 {
			i++
		}
		if i == len(l) {
			return []Mismatch{{Path: fmt.Sprintf("%s[*]", path), Want: fmt.Sprintf("element %d %s (in order)", n, describe(w)), Got: show(got)}}
		}
		i++
	}
	return nil
}

// ArrayWith matches a list that contains the elements, in this order,
// perhaps with others between them (CDK's Match.arrayWith). Each element
// matches by the usual rules, so a Props element matches partially.
func ArrayWith(elems ...any) Matcher { return arrayWith(elems) }

type exact struct{ v any }

func (e exact) String() string { return "exactly " + show(e.v) }

func (e exact) Match(path string, got any, present bool) []Mismatch {
	if present && reflect.DeepEqual(normalize(e.v), normalize(got)) {
		return nil
	}
	return []Mismatch{{Path: path, Want: e.String(), Got: showPresent(got, present)}}
}

// Exact matches a value equal to v in full: an object with no other keys
// (CDK's Match.exact).
func Exact(v any) Matcher { return exact{v} }

type jsonM struct{ want any }

func (j jsonM) String() string { return "JSON " + show(j.want) }

func (j jsonM) Match(path string, got any, present bool) []Mismatch {
	s, ok := got.(string)
	var v any
	if !present || !ok || json.Unmarshal([]byte(s), &v) != nil {
		return []Mismatch{{Path: path, Want: j.String(), Got: showPresent(got, present)}}
	}
	return match(path+"(json)", j.want, v, true)
}

// JSON matches a string holding a JSON document that matches want by the
// usual rules: a policy document, a container definition (CDK's
// Match.serializedJson).
func JSON(want any) Matcher { return jsonM{want} }

// Match returns where got differs from want, none when it matches.
func Match(want, got any) []Mismatch { return match("", want, got, true) }

func match(path string, want, got any, present bool) []Mismatch {
	if m, ok := want.(Matcher); ok {
		return m.Match(path, got, present)
	}
	if !present {
		return []Mismatch{{Path: path, Want: describe(want), Got: "absent"}}
	}
	switch w := want.(type) {
	case Props:
		return matchObject(path, w, got)
	case map[string]any:
		return matchObject(path, w, got)
	case []any:
		l, ok := got.([]any)
		if !ok || len(l) != len(w) {
			return []Mismatch{{Path: path, Want: fmt.Sprintf("list of %d %s", len(w), show(w)), Got: show(got)}}
		}
		var out []Mismatch
		for i := range w {
			out = append(out, match(fmt.Sprintf("%s[%d]", path, i), w[i], l[i], true)...)
		}
		return out
	case []string:
		l := make([]any, len(w))
		for i, s := range w {
			l[i] = s
		}
		return match(path, l, got, present)
	}
	if reflect.DeepEqual(normalize(want), normalize(got)) {
		return nil
	}
	return []Mismatch{{Path: path, Want: show(want), Got: show(got)}}
}

func matchObject(path string, want map[string]any, got any) []Mismatch {
	m, ok := got.(map[string]any)
	if !ok {
		return []Mismatch{{Path: path, Want: "object " + show(want), Got: show(got)}}
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Mismatch
	for _, k := range keys {
		p := k
		if path != "" {
			p = path + "." + k
		}
		v, present := m[k]
		out = append(out, match(p, want[k], v, present)...)
	}
	return out
}

// normalize makes Go numbers float64, as rendered inputs hold them, and
// Props plain maps, so equal values compare equal.
func normalize(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case float32:
		return float64(x)
	case Props:
		return normalize(map[string]any(x))
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	}
	return v
}

func describe(v any) string {
	if m, ok := v.(Matcher); ok {
		return m.String()
	}
	return show(v)
}

func show(v any) string {
	if m, ok := v.(Matcher); ok {
		return m.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

func showPresent(v any, present bool) string {
	if !present {
		return "absent"
	}
	return show(v)
}

// Matching returns the resources of type typ whose inputs match props,
// sorted by URN.
func Matching(rs []*Resource, typ string, props Props) []*Resource {
	var out []*Resource
	for _, r := range rs {
		if r.Type == typ && len(match("", props, r.In(), true)) == 0 {
			out = append(out, r)
		}
	}
	return out
}

// HasResource fails the test unless some resource of type typ among rs
// has inputs matching props, and returns the first that does (nil after
// failing). The failure names the closest candidate, the one with the
// fewest mismatches, and each key path where it differs.
func HasResource(t TB, rs []*Resource, typ string, props Props) *Resource {
	t.Helper()
	if m := Matching(rs, typ, props); len(m) > 0 {
		return m[0]
	}
	t.Fatalf("%s", explain(rs, typ, props))
	return nil
}

// HasResource is HasResource over every resource this engine recorded.
func (e *Engine) HasResource(t TB, typ string, props Props) *Resource {
	t.Helper()
	return HasResource(t, e.Resources(), typ, props)
}

// explain says why no resource of typ matches props.
func explain(rs []*Resource, typ string, props Props) string {
	var best *Resource
	var bestMiss []Mismatch
	n := 0
	for _, r := range rs {
		if r.Type != typ {
			continue
		}
		n++
		miss := match("", props, r.In(), true)
		if best == nil || len(miss) < len(bestMiss) {
			best, bestMiss = r, miss
		}
	}
	if best == nil {
		return fmt.Sprintf("no %s among %d captured resources", typ, len(rs))
	}
	lines := make([]string, len(bestMiss))
	for i, m := range bestMiss {
		lines[i] = "\t" + m.String()
	}
	return fmt.Sprintf("none of %d %s matches; closest is %q (%s):\n%s",
		n, typ, best.Name, best.URN, strings.Join(lines, "\n"))
}
