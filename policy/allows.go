package policy

import (
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// RoleAllows returns the grants of role (its inline role policies, the
// customer-managed policies attached to it, and the role itself when one of
// its inlinePolicies does) with an Allow statement whose actions match
// action and whose resources match resource (wildcards as IAM reads them).
// Conditions are not evaluated: a grant narrowed by kms:ViaService still
// counts. Empty when nothing of the stack allows it; a Deny in the same
// documents makes it empty too. internal/wiring proves each edge with it.
func (x Index) RoleAllows(role *mockengine.Resource, action, resource string) []*mockengine.Resource {
	return x.RoleAllowsRequest(role, action, resource, nil)
}

// RoleAllowsRequest is RoleAllows for a request carrying the condition
// keys of request (e.g. events:source and events:detail-type of a
// PutEvents entry): a statement's condition on one of those keys is
// evaluated (StringEquals, StringLike and their IgnoreCase form; any other
// operator on such a key makes the statement not apply), conditions on
// other keys are not, as in RoleAllows.
func (x Index) RoleAllowsRequest(role *mockengine.Resource, action, resource string, request map[string]string) []*mockengine.Resource {
	var out []*mockengine.Resource
	denied := false
	check := func(src *mockengine.Resource, docs ...any) {
		allowed := false
		for _, d := range docs {
			doc, ok := parseDocument(d)
			if !ok {
				continue
			}
			for _, st := range doc.Statement {
				if !st.grantsAction(action) || !st.coversResource(resource) || !st.requestMatches(request) {
					continue
				}
				if st.Effect == "Deny" {
					denied = true
				}
				allowed = allowed || st.allows()
			}
		}
		if allowed {
			out = append(out, src)
		}
	}
	for _, g := range x.GrantsOf(role) {
		switch g.Type {
		case iamRolePolicy:
			check(g, x.In(g)["policy"])
		case iamRolePolicyAttach:
			for _, p := range x.Resolve(tokens.IAMPolicy, str(x.In(g)["policyArn"])) {
				check(g, x.In(p)["policy"])
			}
		}
	}
	var inline []any
	for _, p := range list(x.In(role)["inlinePolicies"]) {
		inline = append(inline, get(p, "policy"))
	}
	check(role, inline...)
	if denied {
		return nil
	}
	return out
}

// requestMatches evaluates the statement's conditions on the keys request
// carries (IAM condition keys are case-insensitive): the String operators,
// their Not, IgnoreCase and IfExists forms; any other operator on such a
// key makes the statement not apply. Conditions on other keys are taken to
// hold, as in RoleAllows.
func (s statement) requestMatches(request map[string]string) bool {
	if len(request) == 0 {
		return true
	}
	for op, body := range s.Condition {
		for k, v := range obj(body) {
			val, ok := "", false
			for rk, rv := range request {
				if strings.EqualFold(rk, k) {
					val, ok = rv, true
				}
			}
			if !ok {
				continue
			}
			base := strings.TrimSuffix(op, "IfExists")
			negated := strings.HasPrefix(base, "StringNot")
			base = strings.Replace(base, "StringNot", "String", 1)
			matched := false
			for _, pat := range strs(v) {
				switch base {
				case "StringEquals":
					matched = matched || pat == val
				case "StringEqualsIgnoreCase":
					matched = matched || strings.EqualFold(pat, val)
				case "StringLike":
					matched = matched || wildcard(pat, val)
				default:
					return false
				}
			}
			if matched == negated {
				return false
			}
		}
	}
	return true
}

// coversResource reports whether one of the statement's resource patterns
// matches arn (or it uses NotResource without matching it).
func (s statement) coversResource(arn string) bool {
	if len(s.NotResource) > 0 {
		for _, r := range s.NotResource {
			if wildcard(r, arn) {
				return false
			}
		}
		return true
	}
	for _, r := range s.Resource {
		if wildcard(r, arn) || strings.EqualFold(r, arn) {
			return true
		}
	}
	return false
}

// ResourceDocDecides evaluates a resource policy (a bucket, secret, domain
// policy) for principal (a role ARN) calling action on resource: allowed
// when an Allow statement names the principal (or anyone), denied when a
// Deny statement applies to it. Conditions on aws:PrincipalArn
// (ArnEquals/ArnLike/StringEquals and their Not forms) are evaluated; a
// statement with any other condition is taken not to apply, so an Allow
// counts only when unconditional on anything else.
func ResourceDocDecides(policy any, principal, action, resource string) (allowed, denied bool) {
	doc, ok := parseDocument(policy)
	if !ok {
		return false, false
	}
	for _, st := range doc.Statement {
		if !st.grantsAction(action) || !st.coversResource(resource) || !st.names(principal) || !st.conditionHolds(principal) {
			continue
		}
		switch st.Effect {
		case "Allow":
			allowed = true
		case "Deny":
			denied = true
		}
	}
	return allowed, denied
}

// names reports whether the statement's Principal includes principal.
func (s statement) names(principal string) bool {
	if s.principalIsAnyone() {
		return true
	}
	if p, ok := s.Principal.(map[string]any); ok {
		return contains(strs(p["AWS"]), principal)
	}
	return false
}

// conditionHolds evaluates aws:PrincipalArn conditions; any other
// condition key makes the statement not apply.
func (s statement) conditionHolds(principal string) bool {
	for op, body := range s.Condition {
		for k, v := range obj(body) {
			if !strings.EqualFold(k, "aws:PrincipalArn") {
				return false
			}
			match := false
			for _, pat := range strs(v) {
				match = match || wildcard(pat, principal)
			}
			switch op {
			case "ArnEquals", "ArnLike", "StringEquals", "StringLike":
				if !match {
					return false
				}
			case "ArnNotEquals", "ArnNotLike", "StringNotEquals", "StringNotLike":
				if match {
					return false
				}
			default:
				return false
			}
		}
	}
	return true
}
