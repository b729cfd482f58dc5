package mockengine

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Redacted is how a secret value appears in rendered output.
const Redacted = "[secret]"

// Unknown is how a value not known until deployment appears.
const Unknown = "[unknown]"

// Render turns a property map into plain Go values for reports and
// assertions: secrets become "[secret]", unknowns "[unknown]", resource
// references their URN.
func Render(m resource.PropertyMap) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if v.IsNull() {
			continue
		}
		out[string(k)] = renderValue(v)
	}
	return out
}

func renderValue(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return Redacted
	case v.IsComputed():
		return Unknown
	case v.IsOutput():
		o := v.OutputValue()
		switch {
		case o.Secret:
			return Redacted
		case !o.Known:
			return Unknown
		default:
			return renderValue(o.Element)
		}
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsAsset():
		a := v.AssetValue()
		return map[string]any{"asset": firstNonEmpty(a.Path, a.URI, a.Hash)}
	case v.IsArchive():
		a := v.ArchiveValue()
		return map[string]any{"archive": firstNonEmpty(a.Path, a.URI, a.Hash)}
	case v.IsArray():
		out := make([]any, 0, len(v.ArrayValue()))
		for _, x := range v.ArrayValue() {
			out = append(out, renderValue(x))
		}
		return out
	case v.IsObject():
		return Render(v.ObjectValue())
	case v.IsNull():
		return nil
	default:
		return v.V
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// In is the resource's inputs rendered as plain values.
func (r *Resource) In() map[string]any { return Render(r.Inputs) }

// Out is the resource's outputs rendered as plain values.
func (r *Resource) Out() map[string]any { return Render(r.Outputs) }

// Strings reads a list of strings from a rendered value (nil when absent).
func Strings(v any) []string {
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// Statement is one statement of a rendered policy document, as tests read
// it: single values stay strings, lists are []any (see OneOrMany).
type Statement struct {
	Sid       string
	Effect    string
	Principal any
	Action    any
	Resource  any
	Condition map[string]map[string]any
}

// Doc is a rendered policy document.
type Doc struct {
	Statement []Statement
}

// ParsePolicy parses a policy document from a rendered input (a JSON
// string), failing when it is not one or has no statement.
func ParsePolicy(v any) (Doc, error) {
	var d Doc
	s, ok := v.(string)
	if !ok {
		return d, fmt.Errorf("not a policy document: %v", v)
	}
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return d, fmt.Errorf("not a policy document: %v (%w)", v, err)
	}
	if len(d.Statement) == 0 {
		return d, fmt.Errorf("a policy document without statements: %s", s)
	}
	return d, nil
}

// OneOrMany reads a one-or-many policy field (Action, Resource, a condition
// value) as a sorted list.
func OneOrMany(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	return Strings(v)
}

// At walks a rendered value (In, Out) along a path of map keys (strings)
// and list indexes (ints); nil when a step is missing.
func At(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k < 0 || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// Readers of rendered values shared by the policy pack and the wiring
// proof (one copy: both read the same shapes).

// Get walks a dotted path of object keys ("accessLogs.enabled").
func Get(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// Str is v as a string, "" when it is not one.
func Str(v any) string {
	s, _ := v.(string)
	return s
}

// Obj is v as an object, nil when it is not one.
func Obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// List reads a list; a single object (pulumi-aws sometimes takes either)
// reads as a list of one.
func List(v any) []any {
	switch t := v.(type) {
	case []any:
		return t
	case map[string]any:
		return []any{t}
	}
	return nil
}

// Strs reads a list of strings in its order, or one string as a list of
// one (Strings sorts and takes lists only).
func Strs(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	var out []string
	for _, x := range List(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
