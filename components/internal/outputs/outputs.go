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
// A field tagged `outputs:"optional"` is registered only when set. A
// struct field tagged `outputs:"inline"` (the DataLayer's DR outputs)
// contributes its own tagged fields as if they were the component's; the
// SDK puts no placeholder in them, so they are unset until assigned.
package outputs

import (
	"fmt"
	"reflect"
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
		if o, ok := v.FieldByIndex(f.index).Interface().(pulumi.Output); ok && o != nil && !reflect.ValueOf(o).IsZero() {
			held[i] = o
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
	skip map[string]bool
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

// Map is what Register registers: every tagged field of c by its name
// (optional ones only when set). A required field never set, or a name
// twice, is an error naming it.
func Map(c pulumi.ComponentResource, opts ...Option) (pulumi.Map, error) {
	r := &registration{skip: map[string]bool{}}
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
		o, _ := v.FieldByIndex(f.index).Interface().(pulumi.Output)
		unset := o == nil || reflect.ValueOf(o).IsZero() || (held != nil && held[i] == o)
		if unset {
			if !f.optional {
				missing = append(missing, fmt.Sprintf("%s (%s)", f.goName, f.name))
			}
			continue
		}
		if _, dup := out[f.name]; dup {
			return nil, fmt.Errorf("%s: output %q is registered by two fields", v.Type().Name(), f.name)
		}
		out[f.name] = o
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: output never set: %s", v.Type().Name(), strings.Join(missing, ", "))
	}
	return out, nil
}

// Register registers c's outputs (Map) with ctx.RegisterResourceOutputs.
// An optional field left unset becomes its zero value (never the SDK's
// placeholder), so that afterwards Map(c) is what was registered and a
// consumer can compare the field with the zero output.
func Register(ctx *pulumi.Context, c pulumi.ComponentResource, opts ...Option) error {
	m, err := Map(c, opts...)
	mu.Lock()
	held := placeholders[c]
	delete(placeholders, c)
	mu.Unlock()
	if err != nil {
		return err
	}
	v := reflect.ValueOf(c).Elem()
	for i, f := range tagged(v.Type()) {
		if fv := v.FieldByIndex(f.index); f.optional && held[i] != nil && fv.Interface() == held[i] {
			fv.Set(reflect.Zero(fv.Type()))
		}
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
		out = append(out, Field{Name: f.name, GoName: f.goName, Optional: f.optional})
	}
	return out
}

type field struct {
	index    []int  // reflect.Value.FieldByIndex
	goName   string // "RedisEndpoint", "DR.PostgresArn" (inline)
	name     string
	optional bool
}

// tagged are t's exported Output fields with a non-empty `pulumi` tag,
// and those of its exported struct fields tagged `outputs:"inline"`.
func tagged(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Anonymous {
			continue
		}
		if f.Tag.Get("outputs") == "inline" && f.Type.Kind() == reflect.Struct {
			for _, in := range tagged(f.Type) {
				in.index = append([]int{i}, in.index...)
				in.goName = f.Name + "." + in.goName
				out = append(out, in)
			}
			continue
		}
		name := f.Tag.Get("pulumi")
		if name == "" || !f.Type.Implements(outputType) {
			continue
		}
		out = append(out, field{index: []int{i}, goName: f.Name, name: name, optional: f.Tag.Get("outputs") == "optional"})
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
		o, _ := v.FieldByIndex(f.index).Interface().(pulumi.Output)
		return o != nil && !reflect.ValueOf(o).IsZero() && (held == nil || held[i] != o)
	}
	panic(fmt.Sprintf("outputs.IsSet: %s has no output %q", v.Type().Name(), name))
}
