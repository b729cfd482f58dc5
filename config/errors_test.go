package config

import (
	"fmt"
	"strings"
	"testing"
)

// at is a wanted configuration error: its key path, with the namespace as
// it prints ("dbay:network.azCount", "aws:region"), and its kind.
type at struct {
	path string
	kind Kind
}

// wantFieldError fails unless err holds a FieldError at path (with or
// without its namespace) of the given kind.
func wantFieldError(t *testing.T, err error, path string, kind Kind) {
	t.Helper()
	es, _ := AsErrors(err)
	if len(es) == 0 {
		t.Errorf("want an error of kind %s at %s, got %v", kind, path, err)
		return
	}
	for _, e := range es {
		if (e.Path == path || e.Namespace+":"+e.Path == path) && e.Kind == kind {
			return
		}
	}
	t.Errorf("want an error of kind %s at %s, got:\n\t%s", kind, path, describeErrors(es))
}

// wantFieldErrors fails unless errs holds each wanted error; want nil:
// errs must be empty.
func wantFieldErrors(t *testing.T, errs Errors, want []at) {
	t.Helper()
	if want == nil {
		if len(errs) > 0 {
			t.Errorf("want no error, got:\n\t%s", describeErrors(errs))
		}
		return
	}
	for _, w := range want {
		wantFieldError(t, errs, w.path, w.kind)
	}
}

// describeErrors lists errors with their kinds, one a line.
func describeErrors(es Errors) string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = fmt.Sprintf("%s [%s]", e.Error(), e.Kind)
	}
	return strings.Join(lines, "\n\t")
}

func TestPathPrintsAsErrorsDo(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		got  Path
		want string
	}{
		{NewPath("network", "azCount"), "network.azCount"},
		{NewPath("fleet").Child("services").Index(2).Child("cpu"), "fleet.services[2].cpu"},
		{NewPath("secrets").Child("items", "DJANGO_SECRET_KEY", "readers").Index(0), "secrets.items.DJANGO_SECRET_KEY.readers[0]"},
		{NewPath("role"), "role"},
	} {
		if tt.got.String() != tt.want {
			t.Errorf("path %q, want %q", tt.got, tt.want)
		}
	}
}

// The kind is not printed: a FieldError prints as before.
func TestKindIsNotPrinted(t *testing.T) {
	t.Parallel()
	e := &FieldError{Namespace: "dbay", Path: "network.azCount", Kind: KindInvalid, Problem: "7 is outside 2..6", Valid: "use 2, 3, 4, 5 or 6"}
	if got, want := e.Error(), "dbay:network.azCount: 7 is outside 2..6; use 2, 3, 4, 5 or 6"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// hasFieldError reports whether es holds the wanted error.
func hasFieldError(es Errors, w at) bool {
	for _, e := range es {
		if (e.Path == w.path || e.Namespace+":"+e.Path == w.path) && e.Kind == w.kind {
			return true
		}
	}
	return false
}
