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
type FieldError struct {
	Namespace string // "dbay", "dhanam" or "aws"
	Path      string // "network.azCount", "fleet.services[2].cpu"
	Problem   string // what is wrong, naming the value received
	Valid     string // what would be valid; empty when the problem says it all
}

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

func (c *collector) add(path, problem, valid string) {
	c.errs = append(c.errs, &FieldError{Namespace: c.ns, Path: path, Problem: problem, Valid: valid})
}

func (c *collector) addf(path, valid, format string, args ...any) {
	c.add(path, fmt.Sprintf(format, args...), valid)
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
