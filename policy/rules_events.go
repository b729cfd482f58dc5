package policy

import (
	"fmt"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
)

// eventsRules: who may put which events on an EventBridge bus.
func eventsRules() []Rule {
	return []Rule{{
		ID: "events-put-needs-source", Severity: High, Types: documentTypes(identityDoc),
		// EventBridge does not authenticate an event's source: a principal
		// allowed events:PutEvents may put any source and detail type, and
		// the program's workflows start on dbay.wallet / dbay.auctions
		// events (a forged withdrawal.requested starts a withdrawal). The
		// events:source and events:detail-type condition keys limit what a
		// principal may put
		// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html;
		// awslabs/serverless-rules#14 proposes the same check).
		Title: "No identity policy allows events:PutEvents without an events:source condition (EventBridge does not authenticate the source)",
		Check: func(r *mockengine.Resource, x Index) []string {
			var out []string
			for _, d := range documents(x.In(r), r.Type) {
				if d.kind != identityDoc {
					continue
				}
				for _, s := range d.doc.Statement {
					if s.allows() && s.grantsAction("events:PutEvents") && !limitsEventSource(s) {
						out = append(out, problem(r, fmt.Sprintf("%s of %s allows events:PutEvents with any source", sid(s), d.where),
							"grant the bus through Bus().GrantPut with the publisher's publishes (events:source, events:detail-type)"))
					}
				}
			}
			return out
		},
	}}
}

// limitsEventSource reports whether the statement's condition restricts
// events:source to named values: StringEquals (or ...IgnoreCase) or a
// StringLike without a bare "*". Negated operators, ...IfExists (true when
// the key is absent) and ForAllValues (true on an empty set) do not.
func limitsEventSource(s statement) bool {
	for op, body := range s.Condition {
		switch op {
		case "StringEquals", "StringEqualsIgnoreCase", "StringLike":
		default:
			continue
		}
		for k, v := range obj(body) {
			if !strings.EqualFold(k, "events:source") {
				continue
			}
			vals := strs(v)
			if len(vals) == 0 {
				continue
			}
			named := true
			for _, x := range vals {
				if x == "" || (op == "StringLike" && strings.Trim(x, "*?") == "") {
					named = false
				}
			}
			if named {
				return true
			}
		}
	}
	return false
}
