package synth

import (
	"crypto/sha256"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/dbay/infra/internal/mockengine"
)

// Whole-stack tests read the same few stacks dozens of times per test
// binary. Shared runs each distinct stack once per process and hands every
// caller the same read-only *Result; CheckShared, called after the tests
// (TestMain), fails the binary if any caller changed one.

// sharedRun is one memoized Run: done once, by the first caller.
type sharedRun struct {
	once  sync.Once
	name  string // dir/stack, for CheckShared's message
	res   *Result
	err   error
	print [sha256.Size]byte // fingerprint of res when it was stored
}

var shared struct {
	mu   sync.Mutex
	runs map[[sha256.Size]byte]*sharedRun
}

// Shared is Run, memoized per process on everything a run reads: the
// stack's project, name, config values and secret keys, PrimaryDown, and
// the content (not the path) of the Pulumi.*.yaml files in Dir its DR
// partner is loaded from. A test that edits a stack's config after
// LoadStack therefore gets its own run, and two directories with the same
// files share one. The Result is shared: treat it as read-only (its lazy
// reports, Cost and Wiring, are safe to call concurrently). A failed run
// is not shared.
func Shared(st *Stack) (*Result, error) {
	key, err := runKey(st)
	if err != nil {
		return nil, err
	}
	shared.mu.Lock()
	if shared.runs == nil {
		shared.runs = map[[sha256.Size]byte]*sharedRun{}
	}
	e := shared.runs[key]
	if e == nil {
		e = &sharedRun{name: filepath.Join(st.Dir, st.Name)}
		shared.runs[key] = e
	}
	shared.mu.Unlock()
	ran := false
	e.once.Do(func() {
		ran = true
		e.res, e.err = Run(st)
		if e.err == nil {
			e.print = fingerprint(e.res, true)
			return
		}
		shared.mu.Lock()
		delete(shared.runs, key)
		shared.mu.Unlock()
	})
	if e.err != nil && !ran {
		// Another caller's run failed (its error may name its directory):
		// run this one on its own.
		return Run(st)
	}
	return e.res, e.err
}

// SharedStack is LoadStack then Shared.
func SharedStack(dir, stack string) (*Result, error) {
	st, err := LoadStack(dir, stack)
	if err != nil {
		return nil, err
	}
	return Shared(st)
}

// CheckShared reports every shared Result whose resources, outputs,
// config, DR assessment or partner changed since Shared returned it: a
// test that mutates a shared run would leak into every other test.
func CheckShared() error {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	var changed []string
	for _, e := range shared.runs {
		if e.res != nil && fingerprint(e.res, false) != e.print {
			changed = append(changed, e.name)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	sort.Strings(changed)
	return fmt.Errorf("synth.Shared: a caller changed the shared result of %s (copy what you edit, or use synth.Run)", strings.Join(changed, ", "))
}

// runKey hashes everything Run reads for st.
func runKey(st *Stack) ([sha256.Size]byte, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%q %q %v\n", st.Project, st.Name, st.PrimaryDown)
	writeSortedMap(h, st.Values)
	fmt.Fprintf(h, "secrets %q\n", st.SecretKeys)
	if st.Dir != "" {
		files, err := filepath.Glob(filepath.Join(st.Dir, "Pulumi.*"))
		if err != nil {
			return [sha256.Size]byte{}, err
		}
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return [sha256.Size]byte{}, err
			}
			fmt.Fprintf(h, "file %q %d\n", filepath.Base(f), len(b))
			h.Write(b)
		}
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key, nil
}

func writeSortedMap(h hash.Hash, m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%q=%q\n", k, m[k])
	}
}

// fingerprint hashes what a caller of Shared can reach and change: the
// resources (order, fields, inputs and outputs), the outputs, the config,
// the DR assessment, the cost and wiring reports, and the partner and
// primary runs. With compute, it first computes the lazy reports, so that
// they are covered too.
func fingerprint(r *Result, compute bool) [sha256.Size]byte {
	h := sha256.New()
	seen := map[*Result]bool{}
	var walk func(r *Result)
	walk = func(r *Result) {
		if r == nil || seen[r] {
			return
		}
		seen[r] = true
		if compute {
			_, _ = r.Cost()
			r.Wiring()
		}
		r.lazy.Lock()
		reports := []any{r.cost, fmt.Sprint(r.costErr), r.wiring}
		r.lazy.Unlock()
		fmt.Fprintf(h, "result %q %q\n", r.Project, r.Stack)
		for _, res := range r.Resources {
			hashResource(h, res)
		}
		for _, v := range append([]any{r.Outputs, r.raw, r.Config, r.DR}, reports...) {
			hashDeep(h, reflect.ValueOf(v), map[uintptr]bool{})
		}
		fmt.Fprintf(h, "partner\n")
		walk(r.Partner)
		fmt.Fprintf(h, "primary\n")
		walk(r.primary)
	}
	walk(r)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

func hashResource(h hash.Hash, r *mockengine.Resource) {
	fmt.Fprintf(h, "%q %q %q %q %v %v %v %q %q %q %q %+v %q\n", r.URN, r.Type, r.Name, r.ID, r.Custom, r.Remote, r.Read,
		r.Parent, r.Provider, r.Providers, r.Dependencies, r.Options, r.Region)
	hashProps(h, r.Inputs)
	hashProps(h, r.Outputs)
}

func hashProps(h hash.Hash, m resource.PropertyMap) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	fmt.Fprintf(h, "{%d", len(m))
	for _, k := range keys {
		fmt.Fprintf(h, " %q:", k)
		hashValue(h, m[resource.PropertyKey(k)])
	}
	fmt.Fprint(h, "}")
}

func hashValue(h hash.Hash, v resource.PropertyValue) {
	switch {
	case v.IsArray():
		fmt.Fprintf(h, "[%d", len(v.ArrayValue()))
		for _, x := range v.ArrayValue() {
			h.Write([]byte{' '})
			hashValue(h, x)
		}
		fmt.Fprint(h, "]")
	case v.IsObject():
		hashProps(h, v.ObjectValue())
	case v.IsSecret():
		fmt.Fprint(h, "secret(")
		hashValue(h, v.SecretValue().Element)
		fmt.Fprint(h, ")")
	case v.IsOutput():
		o := v.OutputValue()
		fmt.Fprintf(h, "output(%v %v %q ", o.Known, o.Secret, o.Dependencies)
		hashValue(h, o.Element)
		fmt.Fprint(h, ")")
	case v.IsComputed():
		fmt.Fprint(h, "computed(")
		hashValue(h, v.Input().Element)
		fmt.Fprint(h, ")")
	default:
		fmt.Fprintf(h, "%#v", v.V)
	}
}

// hashDeep hashes a Go value by what it holds (every field, exported or
// not; what pointers point to; maps in key order), not by its addresses.
func hashDeep(h hash.Hash, v reflect.Value, seen map[uintptr]bool) {
	switch v.Kind() {
	case reflect.Invalid:
		fmt.Fprint(h, "nil;")
	case reflect.Pointer:
		if v.IsNil() {
			fmt.Fprint(h, "nil;")
			return
		}
		if seen[v.Pointer()] {
			fmt.Fprint(h, "cycle;")
			return
		}
		seen[v.Pointer()] = true
		hashDeep(h, v.Elem(), seen)
		delete(seen, v.Pointer())
	case reflect.Interface:
		if v.IsNil() {
			fmt.Fprint(h, "nil;")
			return
		}
		fmt.Fprintf(h, "%s:", v.Elem().Type())
		hashDeep(h, v.Elem(), seen)
	case reflect.Struct:
		fmt.Fprint(h, "{")
		for i := 0; i < v.NumField(); i++ {
			hashDeep(h, v.Field(i), seen)
		}
		fmt.Fprint(h, "}")
	case reflect.Slice, reflect.Array:
		fmt.Fprintf(h, "[%d:", v.Len())
		for i := 0; i < v.Len(); i++ {
			hashDeep(h, v.Index(i), seen)
		}
		fmt.Fprint(h, "]")
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		fmt.Fprintf(h, "map%d{", len(keys))
		for _, k := range keys {
			fmt.Fprintf(h, "%v=", k)
			hashDeep(h, v.MapIndex(k), seen)
		}
		fmt.Fprint(h, "}")
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		fmt.Fprintf(h, "%s;", v.Kind())
	default: // bool, numbers, strings
		fmt.Fprintf(h, "%v;", v)
	}
}
