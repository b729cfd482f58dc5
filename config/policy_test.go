package config

import (
	"strings"
	"testing"
)

func TestPolicyWaiversValidate(t *testing.T) {
	t.Parallel()
	good := Waiver{Rule: "secret-rotation", Resource: "PLAID_*", Reason: "third-party key: rotated by an operator (runbook)"}
	tests := []struct {
		name    string
		waivers []Waiver
		want    []string // expected error lines, in order
	}{
		{"none", nil, nil},
		{"good", []Waiver{good, {Rule: "sg-open-egress", Resource: "api-egress-internet-587", Reason: "SMTP submission to the mail provider on 587"}}, nil},
		{"missing fields", []Waiver{{}}, []string{
			"dbay:policy.waivers[0].reason: a reason of 0 characters is not a reason; write at least 20 characters",
			"dbay:policy.waivers[0].resource: is required",
			"dbay:policy.waivers[0].rule: is required",
		}},
		{"bad rule and short reason", []Waiver{{Rule: "Secret_Rotation", Resource: "X", Reason: "because"}}, []string{
			"dbay:policy.waivers[0].reason: a reason of 7 characters is not a reason",
			`dbay:policy.waivers[0].rule: "Secret_Rotation" is not a rule id`,
		}},
		{"duplicate", []Waiver{good, good}, []string{"dbay:policy.waivers[1]: waives secret-rotation on PLAID_* again (see policy.waivers[0])"}},
	}
	for _, tt := range tests {
		c := &collector{ns: "dbay"}
		Policy{Waivers: tt.waivers}.validate(c)
		got := c.sorted()
		if len(got) != len(tt.want) {
			t.Errorf("%s: got %d errors, want %d:\n%v", tt.name, len(got), len(tt.want), got)
			continue
		}
		for i, e := range got {
			if !strings.HasPrefix(e.Error(), tt.want[i]) {
				t.Errorf("%s: error %d = %q, want prefix %q", tt.name, i, e.Error(), tt.want[i])
			}
		}
	}
	if w := (Policy{Waivers: []Waiver{good}}).PolicyWaivers(); len(w) != 1 || w[0] != good {
		t.Errorf("PolicyWaivers = %v", w)
	}
}
