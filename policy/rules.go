package policy

import "fmt"

// Rules returns every rule of the pack, in report order.
func Rules() []Rule {
	var out []Rule
	for _, group := range [][]Rule{dataRules(), s3Rules(), edgeRules(), computeRules(), iamRules(), networkRules(), opsRules()} {
		out = append(out, group...)
	}
	seen := map[string]bool{}
	for _, r := range out {
		if seen[r.ID] || r.ID == UnusedWaiverRule || r.Check == nil || len(r.Types) == 0 {
			panic(fmt.Sprintf("policy: rule %q is duplicated, reserved or incomplete", r.ID))
		}
		seen[r.ID] = true
	}
	return out
}
