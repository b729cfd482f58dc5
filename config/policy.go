package config

import (
	"fmt"
	"strings"
)

// Policy is the `policy` section: waivers of the policy rules (package
// policy) for this stack. Absent: no waivers; every violation fails
// `synth --policy` and the tests.
type Policy struct {
	// Waivers excuse one rule on one resource each, with a reason the
	// policy report prints. A waiver that matches no violation is itself
	// reported (policy-unused-waiver), so a fixed problem's waiver must go.
	// Absent: none; every violation fails `synth --policy`.
	Waivers []Waiver `json:"waivers"`
}

// Waiver excuses the violations of one policy rule on one resource.
type Waiver struct {
	// Rule is the rule id, e.g. secret-rotation. Required.
	Rule string `json:"rule"`
	// Resource is the resource's logical name (WALLET_MASTER_XPRIV), its
	// URN, or a pattern over logical names where `*` matches any run of
	// characters (PLAID_*). Required.
	Resource string `json:"resource"`
	// Reason says why the violation is acceptable, or who fixes it by
	// when ("pending: <owner> — <fix>"). Required, at least
	// MinWaiverReason characters.
	Reason string `json:"reason"`
}

// MinWaiverReason is the shortest reason a waiver may give.
const MinWaiverReason = 20

// validRuleID reports whether id has the shape of a rule id: lowercase
// letters, digits and inner dashes.
func validRuleID(id string) bool {
	if id == "" || id[0] == '-' || id[len(id)-1] == '-' {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// validate records every problem of the waivers. Rule ids are checked for
// shape only: config cannot import the policy package (it imports the mock
// engine, which imports config), so a waiver naming an unknown rule is
// reported by the policy evaluation as policy-unused-waiver.
func (p Policy) validate(c *collector) {
	seen := map[string]int{}
	for i, w := range p.Waivers {
		path := fmt.Sprintf("policy.waivers[%d]", i)
		switch {
		case w.Rule == "":
			c.required(path+".rule", "is required", "name the rule id the report prints, e.g. secret-rotation")
		case !validRuleID(w.Rule):
			c.invalidf(path+".rule", w.Rule, "use the rule id the report prints, e.g. secret-rotation", "%q is not a rule id", w.Rule)
		}
		if strings.TrimSpace(w.Resource) == "" {
			c.required(path+".resource", "is required", "name the resource's logical name, its URN, or a pattern such as PLAID_*")
		}
		if n := len(strings.TrimSpace(w.Reason)); n < MinWaiverReason {
			c.invalidf(path+".reason", w.Reason, fmt.Sprintf("write at least %d characters: why it is acceptable, or \"pending: <owner> — <fix>\"", MinWaiverReason),
				"a reason of %d characters is not a reason", n)
		}
		key := w.Rule + "\x00" + w.Resource
		if j, dup := seen[key]; dup && w.Rule != "" {
			c.invalidf(path, w, "remove one of them", "waives %s on %s again (see policy.waivers[%d])", w.Rule, w.Resource, j)
		}
		seen[key] = i
	}
}

// PolicyWaivers are the stack's waivers as plain values (synth hands them
// to policy.Evaluate, whose Waiver has the same fields).
func (p Policy) PolicyWaivers() []Waiver {
	return append([]Waiver(nil), p.Waivers...)
}
