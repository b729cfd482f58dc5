package cfnschema

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
)

// spec is the translation of one pulumi-aws type.
type spec struct {
	// cfn is the CloudFormation type (of the target, for a merge).
	cfn string
	// attrs say how other resources refer to this one: a pulumi output
	// ("id" for the resource id) -> "Ref", or the Fn::GetAtt attribute
	// that returns the same value.
	attrs map[string]string
	// build reads inputs with b.take/b.copy and sets properties.
	build func(b *builder)
	// skip are inputs deliberately left out, with the reason.
	skip map[string]string
	// into is set for a split resource whose settings are properties of
	// another one: into is that resource's pulumi type, key the input that
	// names it, keyOutput the target's output it equals ("" = its id).
	into, key, keyOutput string
}

// builder reads one resource's rendered inputs and writes properties.
type builder struct {
	t      *translator
	r      *mockengine.Resource
	in     map[string]any
	used   map[string]bool
	props  map[string]any
	target *Resource // merges: the entry being added to
}

func newBuilder(t *translator, r *mockengine.Resource) *builder {
	return &builder{t: t, r: r, in: r.In(), used: map[string]bool{}, props: map[string]any{}}
}

// take returns an input and marks it translated; nil when absent, a
// secret (whose value the synth output does not hold) or unknown.
func (b *builder) take(key string) any {
	b.used[key] = true
	v, ok := b.in[key]
	if !ok || v == nil {
		return nil
	}
	switch v {
	case mockengine.Redacted:
		b.skipped(key, "a secret: its value is not in the synth output")
		return nil
	case mockengine.Unknown:
		b.skipped(key, "unknown until deployment under the mock engine")
		return nil
	}
	return v
}

// str is take for a string input ("" when absent).
func (b *builder) str(key string) string {
	s, _ := b.take(key).(string)
	return s
}

// set sets a property (on the merge target, recording where it came from).
// A nil value sets nothing.
func (b *builder) set(prop string, v any) {
	if v == nil {
		return
	}
	if b.target != nil {
		b.target.Properties[prop] = v
		b.target.origin[prop] = b.r.URN
		return
	}
	b.props[prop] = v
}

// appendTo appends v to a list property of the merge target.
func (b *builder) appendTo(prop string, v any) {
	if v == nil {
		return
	}
	props := b.props
	if b.target != nil {
		props = b.target.Properties
	}
	list, _ := props[prop].([]any)
	if b.target != nil {
		b.target.origin[fmt.Sprintf("%s/%d", prop, len(list))] = b.r.URN
	}
	props[prop] = append(list, v)
}

// copy translates inputs to properties in pairs (input, property), the
// value's nested keys turned into PascalCase.
func (b *builder) copy(pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		b.set(pairs[i+1], pascal(b.take(pairs[i]), nil))
	}
}

// raw is copy without touching nested keys (maps of user data).
func (b *builder) raw(pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		b.set(pairs[i+1], b.take(pairs[i]))
	}
}

func (b *builder) skipped(key, reason string) {
	m := b.t.out.Skipped[b.r.Type]
	if m == nil {
		m = map[string]string{}
		b.t.out.Skipped[b.r.Type] = m
	}
	m[key] = reason
}

// finish records the skipped inputs and reports any input neither
// translated nor skipped.
func (b *builder) finish(sp spec) {
	keys := make([]string, 0, len(b.in))
	for k := range b.in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if b.used[k] {
			continue
		}
		if reason, ok := sp.skip[k]; ok {
			b.skipped(k, reason)
			continue
		}
		b.t.problem("%s %q: input %q is neither translated nor skipped with a reason (internal/cfnschema)", b.r.Type, b.r.Name, k)
	}
}

// pascal turns the keys of nested objects from pulumi's camelCase into
// CloudFormation's PascalCase; renames give the exceptions by camelCase
// key (at any depth): "" drops the key, a leading "=" keeps the value
// as it is (user data such as log driver options: {"options": "=Options"}).
func pascal(v any, renames map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if e == nil {
				continue
			}
			nk, ok := renames[k]
			if !ok {
				nk = upperFirst(k)
			}
			if nk == "" { // renamed away: not a CloudFormation property
				continue
			}
			if rawKey, ok := strings.CutPrefix(nk, "="); ok {
				out[rawKey] = e
				continue
			}
			out[nk] = pascal(e, renames)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = pascal(e, renames)
		}
		return out
	}
	return v
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// tagMap is the resource's tags as the provider sends them: the
// provider's defaultTags overridden by the resource's own tags input.
func (b *builder) tagMap() any {
	m := map[string]any{}
	if p := b.t.byURN[b.r.Provider]; p != nil {
		for k, v := range obj(obj(p.In()["defaultTags"])["tags"]) {
			m[k] = v
		}
	}
	for k, v := range obj(b.take("tags")) {
		m[k] = v
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// tags is tagMap as CloudFormation's [{Key, Value}] list.
func (b *builder) tags() any { return tags(b.tagMap()) }

// tags turns a pulumi tags map into CloudFormation's [{Key, Value}] list.
func tags(v any) any { return pairs(v, "Key", "Value") }

// pairs turns a map into CloudFormation's list of {<key>: k, <value>: v}
// objects, sorted by key; nil for an empty or absent map.
func pairs(v any, key, value string) any {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, 0, len(keys))
	for _, k := range keys {
		out = append(out, map[string]any{key: k, value: m[k]})
	}
	return out
}

// doc parses a JSON document input (a policy, a definition) into the
// object CloudFormation takes; a value that is not JSON stays as it is.
func doc(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	var out any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return v
	}
	return out
}

// obj reads a nested object of a rendered value (nil when absent).
func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// list reads a list of a rendered value (nil when absent).
func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// nonEmpty is v, or nil for an empty list or object (CloudFormation
// schemas often require at least one element where pulumi sends none).
func nonEmpty(v any) any {
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			return nil
		}
	case map[string]any:
		if len(x) == 0 {
			return nil
		}
	}
	return v
}

// physical is the resource's physical name as the provider answered it
// (the output out, or the id). A "name" the mock engine does not answer
// is the name input, or the name Pulumi's auto-naming gives: the logical
// name, "-" and 7 random hex digits (here: derived from the URN, so the
// templates are stable).
func (b *builder) physical(out string) any {
	if out == "" || out == "id" {
		if b.r.ID == "" {
			return nil
		}
		return b.r.ID
	}
	if s, ok := b.r.Out()[out].(string); ok && s != "" {
		return s
	}
	if out == "name" {
		if s, ok := b.in["name"].(string); ok && s != "" {
			return s
		}
		h := sha256.Sum256([]byte(b.r.URN))
		return b.r.Name + "-" + hex.EncodeToString(h[:])[:7]
	}
	return nil
}
