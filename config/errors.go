package config

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// FieldError is one problem with one configuration key. It prints as
//
//	<namespace>:<path>: <problem>; <valid>
//
// e.g. "dbay:network.azCount: 7 is outside 2..6; use 2, 3, 4, 5 or 6".
//
// Kind says what sort of problem it is, and BadValue the value received,
// for tests and tools to assert on instead of the sentence; neither is
// printed.
type FieldError struct {
	Namespace string // "dbay", "dhanam" or "aws"
	Path      string // "network.azCount", "fleet.services[2].cpu"
	Kind      Kind   // Required, Invalid, NotSupported, Forbidden or Unknown
	// BadValue is the value received at Path, as Kubernetes'
	// field.Error.BadValue: as decoded (an int, a float64, a bool, a plain
	// string even where the field has a named string type); for a decoding
	// error, what the stack file held; for a map entry whose key is wrong,
	// the key; for a list over its limit, the list's length (as
	// field.TooMany). It is set for Invalid and NotSupported errors about
	// one value. It is nil for the other kinds, and for an Invalid or
	// NotSupported error about several keys together (a connection budget,
	// a subnet layout, an event pattern's length) or about a key's presence
	// rather than its value (expose paths on a service that is not public).
	BadValue any
	Problem  string // what is wrong, naming the value received
	Valid    string // what would be valid; empty when the problem says it all
}

// Kind is what sort of problem a FieldError reports, as Kubernetes'
// field.ErrorType.
type Kind string

const (
	// KindRequired: a required key is absent, or a key needs another key
	// (or section) that is absent.
	KindRequired Kind = "Required"
	// KindInvalid: the value is malformed, out of range, repeated or
	// inconsistent with another key.
	KindInvalid Kind = "Invalid"
	// KindNotSupported: the value is well formed but not one the service,
	// the engine, the Region or the program supports (a runtime AWS
	// deprecated, RBAC on a global datastore, a bucket in another Region).
	KindNotSupported Kind = "NotSupported"
	// KindForbidden: the key or value is refused here: a reserved or
	// program-owned name, a key set together with one it excludes, a key
	// for the other role, a value that would weaken a guarantee.
	KindForbidden Kind = "Forbidden"
	// KindUnknown: the key is not one the program reads.
	KindUnknown Kind = "Unknown"
)

func (e *FieldError) Error() string {
	s := e.Namespace + ":" + e.Path + ": " + e.Problem
	if e.Valid != "" {
		s += "; " + e.Valid
	}
	return s
}

// Errors is every problem found in a stack's configuration. It is returned
// whole, so a user fixes all of them in one round.
type Errors []*FieldError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes each FieldError to errors.Is/As, as errors.Join would.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// AsErrors finds configuration errors inside err (which may be wrapped by the
// Pulumi run loop). ok is false when err carries none.
func AsErrors(err error) (Errors, bool) {
	var es Errors
	if errors.As(err, &es) {
		return es, true
	}
	return nil, false
}

// collector gathers FieldErrors under one namespace.
type collector struct {
	ns   string
	errs Errors
}

func (c *collector) put(kind Kind, path string, bad any, problem, valid string) {
	c.errs = append(c.errs, &FieldError{Namespace: c.ns, Path: path, Kind: kind, BadValue: bad, Problem: problem, Valid: valid})
}

// One method per kind, each with an f form whose problem is a format:
// required(path, problem, valid), requiredf(path, valid, format, args...).
// Invalid and NotSupported errors also take the bad value after the path
// (nil when the error is not about one value):
// invalid(path, bad, problem, valid), invalidf(path, bad, valid, format, args...).

func (c *collector) required(path, problem, valid string) {
	c.put(KindRequired, path, nil, problem, valid)
}
func (c *collector) invalid(path string, bad any, problem, valid string) {
	c.put(KindInvalid, path, bad, problem, valid)
}
func (c *collector) notSupported(path string, bad any, problem, valid string) {
	c.put(KindNotSupported, path, bad, problem, valid)
}
func (c *collector) forbidden(path, problem, valid string) {
	c.put(KindForbidden, path, nil, problem, valid)
}
func (c *collector) unknown(path, problem, valid string) {
	c.put(KindUnknown, path, nil, problem, valid)
}

func (c *collector) requiredf(path, valid, format string, args ...any) {
	c.put(KindRequired, path, nil, fmt.Sprintf(format, args...), valid)
}
func (c *collector) invalidf(path string, bad any, valid, format string, args ...any) {
	c.put(KindInvalid, path, bad, fmt.Sprintf(format, args...), valid)
}
func (c *collector) notSupportedf(path string, bad any, valid, format string, args ...any) {
	c.put(KindNotSupported, path, bad, fmt.Sprintf(format, args...), valid)
}
func (c *collector) forbiddenf(path, valid, format string, args ...any) {
	c.put(KindForbidden, path, nil, fmt.Sprintf(format, args...), valid)
}

// merge adds the validation problems in v, except those about a path that
// already failed to decode (or lies above or below one): validation would
// only repeat what decoding said, about a value that was never read.
func (c *collector) merge(v *collector) {
	decoded := append(Errors(nil), c.errs...)
	for _, e := range v.errs {
		skip := false
		for _, d := range decoded {
			skip = skip || (d.Namespace == e.Namespace && (related(d.Path, e.Path) || related(e.Path, d.Path)))
		}
		if !skip {
			c.errs = append(c.errs, e)
		}
	}
}

// related reports whether path is base or lies beneath it.
func related(base, path string) bool {
	return path == base || strings.HasPrefix(path, base+".") || strings.HasPrefix(path, base+"[")
}

// sorted returns the errors ordered by namespace and path, so output is stable.
func (c *collector) sorted() Errors {
	out := append(Errors(nil), c.errs...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Path < out[j].Path
	})
	return out
}

// Path is a key path as a FieldError prints it:
// NewPath("fleet").Child("services").Index(2).Child("cpu") is
// fleet.services[2].cpu; a map entry is a Child (secrets.items.NAME).
type Path string

// NewPath is the path of a top-level key and the keys below it.
func NewPath(root string, children ...string) Path { return Path(root).Child(children...) }

// Child is the path of keys below p, in order.
func (p Path) Child(names ...string) Path {
	for _, n := range names {
		if p == "" {
			p = Path(n)
		} else {
			p += Path("." + n)
		}
	}
	return p
}

// Index is the path of the i-th entry of the list at p.
func (p Path) Index(i int) Path { return Path(fmt.Sprintf("%s[%d]", p, i)) }

func (p Path) String() string { return string(p) }
