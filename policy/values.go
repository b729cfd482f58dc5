package policy

import (
	"sort"
	"strconv"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
)

// Helpers over rendered inputs (mockengine.Render): maps, []any, strings,
// float64 numbers and bools; secrets are "[secret]", unknowns "[unknown]".

// get walks a dotted path of object keys ("accessLogs.enabled").
func get(v any, path string) any { return mockengine.Get(v, path) }

func str(v any) string { return mockengine.Str(v) }

func obj(v any) map[string]any { return mockengine.Obj(v) }

// list reads a list, or a single object as a list of one.
func list(v any) []any { return mockengine.List(v) }

// strs reads a list of strings, or one string as a list of one.
func strs(v any) []string { return mockengine.Strs(v) }

// truthy is a bool input set to true (some inputs are strings: "true").
func truthy(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return strings.EqualFold(t, "true")
	}
	return false
}

// falsy is a bool input explicitly set to false.
func falsy(v any) bool {
	switch t := v.(type) {
	case bool:
		return !t
	case string:
		return strings.EqualFold(t, "false")
	}
	return false
}

// num reads a number input (float64 or a numeric string); ok is false when
// absent or not a number.
func num(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case int:
		return float64(t), true
	case string:
		f, err := strconv.ParseFloat(t, 64)
		return f, err == nil
	}
	return 0, false
}

// set reports whether a string input has a usable value (a secret or an
// unknown counts: it will have one).
func isSet(v any) bool {
	switch t := v.(type) {
	case string:
		return t != ""
	case nil:
		return false
	}
	return true
}

// known reports whether a string is a value synth can inspect.
func known(s string) bool { return s != mockengine.Unknown && s != mockengine.Redacted }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func itoa(i int) string { return strconv.Itoa(i) }

func sortStrings(s []string) { sort.Strings(s) }

// isCMK reports whether a KMS key reference names a customer managed key:
// set, and not an AWS managed key's alias (alias/aws/...).
func isCMK(v any) bool {
	s := str(v)
	return s != "" && !strings.Contains(s, "alias/aws/")
}

// derivedData reports whether a resource is tagged data-class: derived (dr
// package: dr.Derived): a recovery stack's store rebuilt from a source of
// truth at failover and deleted when the stack returns to standby (the
// search domain, the reporting replicas). Protecting it would make the
// return to standby fail; losing it loses nothing.
func derivedData(in map[string]any) bool {
	tags, _ := in["tags"].(map[string]any)
	return tags["data-class"] == "derived"
}
