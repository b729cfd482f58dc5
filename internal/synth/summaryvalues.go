package synth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// How the summary shows a changed input's old and new value: short
// scalars in full; long or structured values (an IAM policy, container
// definitions — JSON documents carried as strings included) as their
// sizes and the first few leaf paths that differ. Every value is put in
// an inline code span with backticks and line breaks replaced, so no
// value can open or close markup.

const (
	scalarMax = 60 // runes of a scalar shown in full
	leafMax   = 40 // runes of a leaf value in a path-level diff
	pathsMax  = 3  // changed paths shown per key
)

func describeChange(k KeyChange) string {
	switch k.Missing {
	case "old":
		return "added: " + valueSummary(k.New)
	case "new":
		return "removed (was " + valueSummary(k.Old) + ")"
	}
	fo, fn := flatten(k.Old), flatten(k.New)
	so, sn := encode(k.Old), encode(k.New)
	if isLeaf(fo) && isLeaf(fn) && utf8.RuneCountInString(so) <= scalarMax && utf8.RuneCountInString(sn) <= scalarMax {
		return code(so, scalarMax) + " → " + code(sn, scalarMax)
	}
	sizes := fmt.Sprintf("changed (%d bytes → %d bytes)", len(so), len(sn))
	if isLeaf(fo) && isLeaf(fn) {
		return sizes
	}
	var paths []string
	for _, p := range sortedPaths(union(fo, fn)) {
		o, okO := fo[p]
		n, okN := fn[p]
		if okO && okN && o == n {
			continue
		}
		paths = append(paths, p)
	}
	var parts []string
	for i, p := range paths {
		if i == pathsMax {
			parts = append(parts, fmt.Sprintf("+%d more paths", len(paths)-pathsMax))
			break
		}
		o, okO := fo[p]
		n, okN := fn[p]
		switch {
		case !okO:
			parts = append(parts, code(p, leafMax)+" added "+code(n, leafMax))
		case !okN:
			parts = append(parts, code(p, leafMax)+" removed")
		default:
			parts = append(parts, code(p, leafMax)+" "+code(o, leafMax)+" → "+code(n, leafMax))
		}
	}
	return sizes + ": " + strings.Join(parts, "; ")
}

func valueSummary(v any) string {
	s := encode(v)
	if utf8.RuneCountInString(s) <= scalarMax {
		return code(s, scalarMax)
	}
	return fmt.Sprintf("%d bytes", len(s))
}

func isLeaf(f map[string]string) bool {
	_, ok := f[""]
	return ok && len(f) == 1
}

func union(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// flatten maps each leaf path of v ("[0].cpu", "Statement[1].Action") to
// its JSON encoding; a scalar is the single path "". A string holding a
// JSON object or array is expanded like the value it encodes.
func flatten(v any) map[string]string {
	out := map[string]string{}
	var walk func(p string, v any)
	walk = func(p string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 0 {
				out[p] = "{}"
			}
			for k, e := range x {
				walk(join(p, k), e)
			}
		case []any:
			if len(x) == 0 {
				out[p] = "[]"
			}
			for i, e := range x {
				walk(p+"["+strconv.Itoa(i)+"]", e)
			}
		case string:
			if t := strings.TrimSpace(x); len(t) > 1 && (t[0] == '{' || t[0] == '[') {
				var inner any
				dec := json.NewDecoder(strings.NewReader(t))
				dec.UseNumber()
				if dec.Decode(&inner) == nil {
					walk(p, inner)
					return
				}
			}
			out[p] = encode(x)
		default:
			out[p] = encode(x)
		}
	}
	walk("", v)
	return out
}

func join(p, k string) string {
	if p == "" {
		return k
	}
	return p + "." + k
}

// encode is v's compact JSON encoding.
func encode(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// shorten cuts s to max runes, marking the cut with "…".
func shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// code puts s (shortened) in an inline code span that cannot break the
// markup around it: backticks and line breaks are replaced.
func code(s string, max int) string {
	s = strings.NewReplacer("`", "'", "\r", " ", "\n", " ").Replace(shorten(s, max))
	return "`" + s + "`"
}

// cell is code for a table cell: a pipe would end the cell.
func cell(s string) string {
	return strings.ReplaceAll(code(s, 90), "|", `\|`)
}

func sortedPaths(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
