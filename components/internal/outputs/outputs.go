// Package outputs registers a component's outputs from its struct: every
// exported Output field tagged `pulumi:"name"` is registered under name, so
// the struct is the one list of what a component exports (as pulumi-eks'
// registerOutputs and stacks.Contract's `dr` tags).
//
// A constructor calls Component instead of ctx.RegisterComponentResource
// and Register instead of ctx.RegisterResourceOutputs. The Pulumi SDK fills
// every tagged field with a placeholder at registration (it would resolve
// to the zero value); Component remembers those placeholders, and Register
// fails, naming the field, when one was never replaced: a tagged output
// the constructor forgot to set is an error in every test that builds the
// component, not a silent "".
//
// A field tagged `outputs:"optional"` is registered only when set.
package outputs

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

var outputType = reflect.TypeOf((*pulumi.Output)(nil)).Elem()

// placeholders are the SDK's placeholder outputs of each registered
// component, by field index, until Register.
var (
	mu           sync.Mutex
	placeholders = map[pulumi.ComponentResource]map[int]pulumi.Output{}
)

// Component registers c (ctx.RegisterComponentResource) and remembers the
// placeholders the SDK put in its tagged fields.
func Component(ctx *pulumi.Context, typ, name string, c pulumi.ComponentResource, opts ...pulumi.ResourceOption) error {
	if err := ctx.RegisterComponentResource(typ, name, c, opts...); err != nil {
		return err
	}
	v := reflect.ValueOf(c).Elem()
	held := map[int]pulumi.Output{}
	for i, f := range tagged(v.Type()) {
		if f.index >= 0 {
			if o, ok := v.Field(f.index).Interface().(pulumi.Output); ok && o != nil {
				held[i] = o
			}
		}
	}
	mu.Lock()
	placeholders[c] = held
	mu.Unlock()
	return nil
}

// Option changes what Register registers.
type Option func(*registration)

type registration struct {
	skip  map[string]bool
	extra pulumi.Map
}

// Skip leaves the named outputs out (an output registered only in some
// configurations, whose field consumers still read).
func Skip(names ...string) Option {
	return func(r *registration) {
		for _, n := range names {
			r.skip[n] = true
		}
	}
}

// Extra registers m's entries too: a set of outputs whose names depend on
// the configuration (one per store the DataLayer has). A name also a
// field's is an error.
func Extra(m pulumi.Map) Option {
	return func(r *registration) {
		for k, v := range m {
			r.extra[k] = v
		}
	}
}

// Map is what Register registers: every tagged field of c by its name
// (optional ones only when set), then the Extra entries. A required field
// never set, or a name twice, is an error naming it.
func Map(c pulumi.ComponentResource, opts ...Option) (pulumi.Map, error) {
	r := &registration{skip: map[string]bool{}, extra: pulumi.Map{}}
	for _, o := range opts {
		o(r)
	}
	v := reflect.ValueOf(c).Elem()
	mu.Lock()
	held := placeholders[c]
	mu.Unlock()
	out := pulumi.Map{}
	var missing []string
	for i, f := range tagged(v.Type()) {
		if r.skip[f.name] {
			continue
		}
		o, _ := v.Field(f.index).Interface().(pulumi.Output)
		unset := o == nil || reflect.ValueOf(o).IsZero() || (held != nil && held[i] == o)
		if unset {
			if !f.optional {
				missing = append(missing, fmt.Sprintf("%s (%s)", v.Type().Field(f.index).Name, f.name))
			}
			continue
		}
		out[f.name] = o
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: output never set: %s", v.Type().Name(), strings.Join(missing, ", "))
	}
	keys := make([]string, 0, len(r.extra))
	for k := range r.extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("%s: output %q is both a field and an extra output", v.Type().Name(), k)
		}
		out[k] = r.extra[k]
	}
	return out, nil
}

// Register registers c's outputs (Map) with ctx.RegisterResourceOutputs.
func Register(ctx *pulumi.Context, c pulumi.ComponentResource, opts ...Option) error {
	m, err := Map(c, opts...)
	mu.Lock()
	delete(placeholders, c)
	mu.Unlock()
	if err != nil {
		return err
	}
	return ctx.RegisterResourceOutputs(c, m)
}

// Field is one tagged output field of a component type.
type Field struct {
	// Name is the output's name (the `pulumi` tag), GoName the field's.
	Name, GoName string
	// Optional: tagged `outputs:"optional"`, registered only when set.
	Optional bool
}

// Fields are the tagged output fields of a component type (a struct or a
// pointer to one), in declaration order: what tests check.
func Fields(c any) []Field {
	t := reflect.TypeOf(c)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []Field
	for _, f := range tagged(t) {
		out = append(out, Field{Name: f.name, GoName: t.Field(f.index).Name, Optional: f.optional})
	}
	return out
}

type field struct {
	index    int
	name     string
	optional bool
}

// tagged are t's exported Output fields with a non-empty `pulumi` tag.
func tagged(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := f.Tag.Get("pulumi")
		if !f.IsExported() || f.Anonymous || name == "" || !f.Type.Implements(outputType) {
			continue
		}
		out = append(out, field{index: i, name: name, optional: f.Tag.Get("outputs") == "optional"})
	}
	return out
}

// IsSet reports whether c's output name (a `pulumi` tag) was set since
// Component: false while it holds the SDK's placeholder (or is zero).
func IsSet(c pulumi.ComponentResource, name string) bool {
	v := reflect.ValueOf(c).Elem()
	mu.Lock()
	held := placeholders[c]
	mu.Unlock()
	for i, f := range tagged(v.Type()) {
		if f.name != name {
			continue
		}
		o, _ := v.Field(f.index).Interface().(pulumi.Output)
		return o != nil && !reflect.ValueOf(o).IsZero() && (held == nil || held[i] != o)
	}
	panic(fmt.Sprintf("outputs.IsSet: %s has no output %q", v.Type().Name(), name))
}
