package policy

import (
	"testing"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

func init() { topicFixtureSets = append(topicFixtureSets, eventsFixtures) }

const busArn = "arn:aws:events:us-east-1:123456789012:event-bus/dbay-events"

// putOn is a role policy allowing action on the bus under condition.
func putOn(name, action string, condition map[string]any) *mockengine.Resource {
	st := map[string]any{"Effect": "Allow", "Action": action, "Resource": busArn}
	if condition != nil {
		st["Condition"] = condition
	}
	return res(tokens.IAMRolePolicy, name, map[string]any{"role": name, "policy": doc(st)})
}

func eventsFixtures() map[string]fixture {
	return map[string]fixture{
		"events-put-needs-source": {
			good: one(
				putOn("wallet-bus-put", "events:PutEvents", map[string]any{"StringEquals": map[string]any{
					"events:source": "dbay.wallet", "events:detail-type": "withdrawal.requested"}}),
				putOn("listing-bus-put", "events:PutEvents", map[string]any{"StringLike": map[string]any{"events:source": "dbay.listings*"}}),
				putOn("reader", "events:DescribeEventBus", nil),
			),
			bad: one(putOn("listing-bus-put", "events:PutEvents", nil)),
		},
	}
}

// Every way of allowing PutEvents without naming the sources is reported:
// no condition, a wildcard action, a negated or IfExists operator, a bare
// "*" pattern, a condition on the detail type only.
func TestPutEventsWithoutASourceCondition(t *testing.T) {
	t.Parallel()
	rule := []Rule{ruleByID(t, "events-put-needs-source")}
	cond := func(op string, kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return map[string]any{op: m}
	}
	tests := []struct {
		name string
		r    *mockengine.Resource
		bad  bool
	}{
		{"no condition", putOn("p", "events:PutEvents", nil), true},
		{"events:*", putOn("p", "events:*", nil), true},
		{"Put*", putOn("p", "events:Put*", cond("StringEquals", "events:detail-type", "x")), true},
		{"negated", putOn("p", "events:PutEvents", cond("StringNotEquals", "events:source", "dbay.wallet")), true},
		{"if exists", putOn("p", "events:PutEvents", cond("StringEqualsIfExists", "events:source", "dbay.wallet")), true},
		{"star pattern", putOn("p", "events:PutEvents", cond("StringLike", "events:source", "*")), true},
		{"named source", putOn("p", "events:PutEvents", cond("StringEquals", "events:source", list1("dbay.wallet"))), false},
		{"key case", putOn("p", "events:PutEvents", cond("StringEquals", "Events:Source", "dbay.wallet")), false},
		{"other action", putOn("p", "events:PutRule", nil), false},
	}
	for _, tt := range tests {
		rep := evaluate(rule, one(tt.r), nil, Options{})
		if got := len(rep.Violations) > 0; got != tt.bad {
			t.Errorf("%s: reported = %v, want %v (%v)", tt.name, got, tt.bad, rep.Violations)
		}
	}
}
