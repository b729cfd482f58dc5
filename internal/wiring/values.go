package wiring

import "github.com/dbay/infra/internal/mockengine"

// Helpers over rendered inputs (mockengine.Render): maps, []any, strings,
// float64 numbers and bools.

// get walks a dotted path of object keys ("accessLogs.enabled").
func get(v any, path string) any { return mockengine.Get(v, path) }

func str(v any) string { return mockengine.Str(v) }

func num(v any) int {
	switch t := v.(type) {
	case float64:
		return int(t)
	case int:
		return t
	}
	return 0
}

func obj(v any) map[string]any { return mockengine.Obj(v) }

// list reads a list, or a single object as a list of one.
func list(v any) []any { return mockengine.List(v) }

// strs reads a list of strings, or one string as a list of one.
func strs(v any) []string { return mockengine.Strs(v) }

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s && s != "" {
			return true
		}
	}
	return false
}

// first returns the first non-OK verdict, or OK.
func first(verdicts ...string) string {
	for _, v := range verdicts {
		if v != OK {
			return v
		}
	}
	return OK
}
