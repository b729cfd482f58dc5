package config

import (
	"fmt"
	"reflect"
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

// atValue is a wanted configuration error with the value it reports: at
// and FieldError.BadValue (nil: the error carries no value).
type atValue struct {
	path string
	kind Kind
	bad  any
}

// wantBadValue fails unless err holds a FieldError at path (with or without
// its namespace) of the given kind whose BadValue is bad (reflect.DeepEqual,
// so 36 and "36" differ; nil wants no value).
func wantBadValue(t *testing.T, err error, path string, kind Kind, bad any) {
	t.Helper()
	es, _ := AsErrors(err)
	for _, e := range es {
		if (e.Path == path || e.Namespace+":"+e.Path == path) && e.Kind == kind && reflect.DeepEqual(e.BadValue, bad) {
			return
		}
	}
	t.Errorf("want an error of kind %s at %s with value %#v, got:\n\t%s", kind, path, bad, describeErrors(es))
}

// wantBadValues fails unless errs holds each wanted error with its value;
// want nil: errs must be empty.
func wantBadValues(t *testing.T, errs Errors, want []atValue) {
	t.Helper()
	if want == nil {
		wantFieldErrors(t, errs, nil)
		return
	}
	for _, w := range want {
		wantBadValue(t, errs, w.path, w.kind, w.bad)
	}
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

// describeErrors lists errors with their kinds and values, one a line.
func describeErrors(es Errors) string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = fmt.Sprintf("%s [%s %#v]", e.Error(), e.Kind, e.BadValue)
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

// BadValue is the value the stack file held: as decoded when it is well
// formed, as written when it is not; nil when the error is about several
// keys together (here a subnet layout that does not fit).
func TestBadValueIsTheValueReceived(t *testing.T) {
	t.Parallel()
	network := func(s string) func(m map[string]string) { return func(m map[string]string) { m["dbay:network"] = s } }
	for _, tt := range []struct {
		name string
		edit func(m map[string]string)
		want atValue
	}{
		{"a word for a number (decoding)", network(`{"cidr":"10.0.0.0/16","azCount":"seven"}`),
			atValue{"dbay:network.azCount", KindInvalid, "seven"}},
		{"a number out of range", network(`{"cidr":"10.0.0.0/16","azCount":7}`),
			atValue{"dbay:network.azCount", KindInvalid, 7}},
		{"a CIDR that is not private", network(`{"cidr":"8.8.0.0/16"}`),
			atValue{"dbay:network.cidr", KindInvalid, "8.8.0.0/16"}},
		{"an unknown NAT strategy", network(`{"cidr":"10.0.0.0/16","natGateways":"none"}`),
			atValue{"dbay:network.natGateways", KindNotSupported, "none"}},
		{"an unknown role", func(m map[string]string) { m["dbay:role"] = "standby" },
			atValue{"dbay:role", KindNotSupported, "standby"}},
		{"a subnet layout that does not fit (several keys)", network(`{"cidr":"10.0.0.0/24","subnets":{"public":24,"private":24,"isolated":24}}`),
			atValue{"dbay:network.subnets", KindInvalid, nil}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errs := load(t, tt.edit)
			wantBadValue(t, errs, tt.want.path, tt.want.kind, tt.want.bad)
		})
	}
}
