package dr

// Plain-value helpers over captured resource inputs and outputs.

func tags(r Resource) map[string]string {
	out := map[string]string{}
	for k, v := range asMap(r.Inputs["tags"]) {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func list(m map[string]any, key string) []any {
	l, _ := m[key].([]any)
	return l
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
