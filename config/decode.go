package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// decodeValue decodes a JSON-shaped value (as produced by encoding/json with
// UseNumber) into out, strictly: unknown object keys and wrong types are
// errors naming their path. Decoding goes on after an error so that every
// problem is reported at once.
func decodeValue(c *collector, path string, in any, out reflect.Value) {
	if in == nil {
		return // null: leave the zero value, defaults apply
	}
	switch out.Kind() {
	case reflect.Pointer:
		v := reflect.New(out.Type().Elem())
		before := len(c.errs)
		decodeValue(c, path, in, v.Elem())
		if len(c.errs) == before {
			out.Set(v)
		}
	case reflect.Struct:
		obj, ok := in.(map[string]any)
		if !ok {
			c.invalidf(path, in, "expected an object with keys "+strings.Join(structKeys(out.Type()), ", "), "expected an object, got %s", describe(in))
			return
		}
		fields := structFields(out.Type())
		for _, key := range sortedKeys(obj) {
			idx, known := fields[key]
			if !known {
				c.unknown(join(path, key), "unknown key", suggest(key, structKeys(out.Type())))
				continue
			}
			decodeValue(c, join(path, key), obj[key], out.Field(idx))
		}
	case reflect.Map:
		obj, ok := in.(map[string]any)
		if !ok {
			c.invalidf(path, in, "expected an object of key: value pairs", "expected an object, got %s", describe(in))
			return
		}
		m := reflect.MakeMapWithSize(out.Type(), len(obj))
		for _, key := range sortedKeys(obj) {
			v := reflect.New(out.Type().Elem()).Elem()
			decodeValue(c, join(path, key), obj[key], v)
			m.SetMapIndex(reflect.ValueOf(key).Convert(out.Type().Key()), v)
		}
		out.Set(m)
	case reflect.Slice:
		arr, ok := in.([]any)
		if !ok {
			c.invalidf(path, in, "expected a list", "expected a list, got %s", describe(in))
			return
		}
		s := reflect.MakeSlice(out.Type(), len(arr), len(arr))
		for i, item := range arr {
			decodeValue(c, fmt.Sprintf("%s[%d]", path, i), item, s.Index(i))
		}
		out.Set(s)
	case reflect.String:
		s, ok := in.(string)
		if !ok {
			c.invalidf(path, in, "expected a string", "expected a string, got %s", describe(in))
			return
		}
		out.SetString(s)
	case reflect.Bool:
		b, ok := in.(bool)
		if !ok {
			c.invalidf(path, in, "use true or false", "expected a boolean, got %s", describe(in))
			return
		}
		out.SetBool(b)
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, ok := in.(json.Number)
		if !ok {
			c.invalidf(path, in, "expected a whole number", "expected an integer, got %s", describe(in))
			return
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			c.invalidf(path, n, "expected a whole number", "expected an integer, got %s", n)
			return
		}
		out.SetInt(i)
	case reflect.Float64:
		n, ok := in.(json.Number)
		if !ok {
			c.invalidf(path, in, "expected a number", "expected a number, got %s", describe(in))
			return
		}
		f, err := n.Float64()
		if err != nil {
			c.invalidf(path, n, "expected a number", "expected a number, got %s", n)
			return
		}
		out.SetFloat(f)
	default:
		panic(fmt.Sprintf("config: unsupported field kind %s at %s", out.Kind(), path))
	}
}

// decodeTopLevel decodes one project-namespace config value. Pulumi hands
// every value over as a string: plain values as themselves, structured
// values (objects and lists) as JSON text.
func decodeTopLevel(c *collector, key, raw string, out reflect.Value) {
	switch out.Kind() {
	case reflect.String:
		out.SetString(raw)
		return
	case reflect.Pointer:
		if out.Type().Elem().Kind() == reflect.String {
			s := raw
			out.Set(reflect.ValueOf(&s).Convert(out.Type()))
			return
		}
	}
	var in any
	switch out.Kind() {
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			c.invalidf(key, raw, "use true or false", "expected a boolean, got %q", raw)
			return
		}
		in = b
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float64:
		in = json.Number(strings.TrimSpace(raw))
	default:
		dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
		dec.UseNumber()
		if !json.Valid([]byte(raw)) || dec.Decode(&in) != nil {
			article, want := "an", "object"
			if out.Kind() == reflect.Slice {
				article, want = "a", "list"
			}
			c.invalidf(key, raw, "set it as a YAML "+want+" in the stack file", "expected %s %s, got %q", article, want, raw)
			return
		}
	}
	decodeValue(c, key, in, out)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// structFields maps each field's config key (its json tag) to its index.
func structFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		if name := keyOf(t.Field(i)); name != "" {
			out[name] = i
		}
	}
	return out
}

func structKeys(t reflect.Type) []string {
	var keys []string
	for k := range structFields(t) {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func keyOf(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" || name == "" {
		return ""
	}
	return name
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// describe names a decoded JSON value for an error message.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("string %q", x)
	case json.Number:
		return "number " + string(x)
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%v", x)
	}
}

// suggest proposes the closest valid key, or lists them all.
func suggest(got string, valid []string) string {
	best, bestDist := "", 1<<30
	for _, v := range valid {
		if d := levenshtein(strings.ToLower(got), strings.ToLower(v)); d < bestDist {
			best, bestDist = v, d
		}
	}
	if best != "" && bestDist <= max(2, len(best)/3) {
		return "did you mean " + best + "?"
	}
	return "valid keys are " + strings.Join(valid, ", ")
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
