// Package policy is the program's own policy pack: Go rules evaluated over
// the resources a stack registers, as the mock engine captured them (Pulumi
// has no Go policy SDK). The rules come from checkov, AWS Security Hub's
// Foundational Security Best Practices (FSBP) and awsguard, narrowed to what
// this program deploys, and read rendered inputs exactly as pulumi-aws v6
// names them.
//
// A rule returns one message per problem. Each message names the resource
// (type and logical name) and the fix. A violation can be waived per
// resource in the stack's config (`<project>:policy.waivers`) with a written
// reason, which the report prints; a waiver that matches nothing is itself a
// violation (rule policy-unused-waiver), so waivers cannot outlive the
// problem they excused.
package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
)

// Severity ranks a rule: high is a breach or data-loss risk, medium a missing
// control AWS recommends for production, low hygiene.
type Severity string

const (
	High   Severity = "high"
	Medium Severity = "medium"
	Low    Severity = "low"
)

func (s Severity) rank() int {
	switch s {
	case High:
		return 0
	case Medium:
		return 1
	}
	return 2
}

// Category groups rules in the report. CategoryAWSConstraint rules encode
// what AWS itself refuses or breaks at run time (a version it no longer
// creates, a pattern its API rejects, a feature combination it does not
// support): the mock engine accepts all of these, AWS does not. Every such
// rule cites its source.
type Category string

const (
	// CategoryBestPractice: checkov, Security Hub FSBP and awsguard controls.
	CategoryBestPractice Category = "best-practice"
	// CategoryAWSConstraint: AWS would refuse the resource, or it cannot work.
	CategoryAWSConstraint Category = "aws-constraint"
)

// Rule is one check over resources of the types it names.
type Rule struct {
	ID       string
	Title    string
	Severity Severity
	// Category is the rule's group; empty means CategoryBestPractice.
	Category Category
	// Source is the document the rule encodes (a URL); required for
	// CategoryAWSConstraint rules and printed with their violations.
	Source string
	// Types are the resource type tokens the rule checks; Check is called
	// once for every resource of one of these types.
	Types []string
	// Check returns one message per problem of r (none: r passes). all
	// gives lookups across the whole stack.
	Check func(r *mockengine.Resource, all Index) []string
}

// Violation is one problem one rule found on one resource.
type Violation struct {
	Rule      string   `json:"rule"`
	Severity  Severity `json:"severity"`
	URN       string   `json:"urn"`
	Type      string   `json:"type"`
	Name      string   `json:"name"`
	Component string   `json:"component,omitempty"` // the top-level component that created it
	Message   string   `json:"message"`
	Category  Category `json:"category"`
	Source    string   `json:"source,omitempty"` // the rule's source, for aws-constraint rules
	Waived    bool     `json:"waived"`
	Reason    string   `json:"reason,omitempty"` // the waiver's reason, when waived
}

// Waiver excuses the violations of one rule on one resource. Resource is a
// logical name, a URN, or a pattern over logical names (`*` matches any
// run of characters: `PLAID_*`).
type Waiver struct {
	Rule     string `json:"rule"`
	Resource string `json:"resource"`
	Reason   string `json:"reason"`
}

// UnusedWaiverRule is the id of the violation reported for a waiver that
// matches no violation (or names no known rule).
const UnusedWaiverRule = "policy-unused-waiver"

// Options are what the rules need to know about the stack beyond its
// resources. The zero value is a production stack.
type Options struct {
	// Unprotected is true for a stack whose config sets protect: false (a
	// throwaway stack): the rules that require `protect` and deletion
	// protection are skipped. Every shipped stack is protected.
	Unprotected bool
	// Partner are the resources of the other stack of a DR pair (the
	// primary of a recovery stack, the recovery stack of a primary), for
	// the rules whose resource points across the pair (a cross-Region
	// replica's source, a global cluster's secondary: Index.Resolve finds
	// them there) or that judge what the two stacks do together (a
	// repository one stack creates where the other's registry replication
	// creates it: Index.PairByType). Violations are only ever reported on
	// the evaluated stack's own resources. Nil outside a pair.
	Partner []*mockengine.Resource
}

// Report is the outcome of evaluating every rule on a stack.
type Report struct {
	Rules      int         `json:"rules"` // how many rules ran
	Violations []Violation `json:"violations"`
}

// Failed reports whether any violation is not waived.
func (r Report) Failed() bool { return len(r.Unwaived()) > 0 }

// Unwaived are the violations no waiver excuses.
func (r Report) Unwaived() []Violation {
	var out []Violation
	for _, v := range r.Violations {
		if !v.Waived {
			out = append(out, v)
		}
	}
	return out
}

// Evaluate runs every rule of Rules() on a production stack's resources and
// applies the waivers.
func Evaluate(resources []*mockengine.Resource, waivers []Waiver) Report {
	return EvaluateWith(resources, waivers, Options{})
}

// EvaluateWith is Evaluate for a stack described by opts.
func EvaluateWith(resources []*mockengine.Resource, waivers []Waiver, opts Options) Report {
	return evaluate(Rules(), resources, waivers, opts)
}

func evaluate(rules []Rule, resources []*mockengine.Resource, waivers []Waiver, opts Options) Report {
	idx := NewIndex(resources, opts)
	rep := Report{Rules: len(rules), Violations: []Violation{}}
	known := map[string]bool{}
	for _, rule := range rules {
		known[rule.ID] = true
		for _, typ := range rule.Types {
			for _, r := range idx.ByType(typ) {
				for _, m := range rule.Check(r, idx) {
					if p := projectOf(r.URN); p != "" {
						m = strings.ReplaceAll(m, "<project>", p)
					}
					rep.Violations = append(rep.Violations, Violation{
						Rule: rule.ID, Severity: rule.Severity, URN: r.URN, Type: r.Type, Name: r.Name,
						Component: idx.Component(r), Message: m,
						Category: rule.category(), Source: rule.Source,
					})
				}
			}
		}
	}
	used := make([]bool, len(waivers))
	for i := range rep.Violations {
		v := &rep.Violations[i]
		for j, w := range waivers {
			if w.Rule == v.Rule && w.matches(v) {
				used[j] = true
				if !v.Waived {
					v.Waived, v.Reason = true, w.Reason
				}
			}
		}
	}
	for j, w := range waivers {
		if used[j] {
			continue
		}
		why := "matches no violation"
		if !known[w.Rule] {
			why = fmt.Sprintf("names no rule (%q is not a rule id)", w.Rule)
		}
		rep.Violations = append(rep.Violations, Violation{
			Rule: UnusedWaiverRule, Severity: Medium, Name: w.Resource, Category: CategoryBestPractice,
			Message: fmt.Sprintf("waiver {rule: %s, resource: %s} %s; remove it from <project>:policy.waivers (a waiver must excuse a current violation)", w.Rule, w.Resource, why),
		})
	}
	sort.SliceStable(rep.Violations, func(i, j int) bool {
		a, b := rep.Violations[i], rep.Violations[j]
		if a.Waived != b.Waived {
			return !a.Waived
		}
		if a.Severity.rank() != b.Severity.rank() {
			return a.Severity.rank() < b.Severity.rank()
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.URN != b.URN {
			return a.URN < b.URN
		}
		return a.Message < b.Message
	})
	return rep
}

// category is the rule's category, CategoryBestPractice when unset.
func (r Rule) category() Category {
	if r.Category == "" {
		return CategoryBestPractice
	}
	return r.Category
}

func (w Waiver) matches(v *Violation) bool {
	switch {
	case w.Resource == v.URN || w.Resource == v.Name:
		return true
	case strings.Contains(w.Resource, "*"):
		return wildcard(w.Resource, v.Name)
	}
	return false
}

// wildcard matches s against a pattern where `*` is any run of characters
// and `?` any one character (IAM's ARN matching, also used for waivers).
func wildcard(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if wildcard(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && wildcard(pattern[1:], s[1:])
	}
	return s != "" && s[0] == pattern[0] && wildcard(pattern[1:], s[1:])
}

// projectOf reads the project from a URN (urn:pulumi:<stack>::<project>::...),
// so messages name the real config key ("dbay:protect").
func projectOf(urn string) string {
	parts := strings.SplitN(urn, "::", 3)
	if len(parts) < 3 {
		return ""
	}
	return parts[1]
}

// subject names a resource in messages: "<type> <logical name>".
func subject(r *mockengine.Resource) string { return r.Type + " " + r.Name }

// problem formats a rule message: what is wrong with which resource, and the fix.
func problem(r *mockengine.Resource, what, fix string) string {
	return fmt.Sprintf("%s: %s; %s", subject(r), what, fix)
}
