package policy

import (
	"sort"
	"strings"
	"testing"
)

// redis-rbac-per-consumer flags each way a group with Redis users in the
// stack can still be opened by one credential: an AUTH token next to the
// user group, no user group, an enabled default user, two users of one
// name; and only those.
func TestRedisRBACPerConsumerCases(t *testing.T) {
	t.Parallel()
	f := fixtures()["redis-rbac-per-consumer"]
	rep := evaluate([]Rule{ruleByID(t, "redis-rbac-per-consumer")}, f.bad, nil, Options{})
	var got []string
	for _, v := range rep.Violations {
		what := v.Message[strings.Index(v.Message, ": ")+2:]
		got = append(got, v.Name+" "+strings.SplitN(what, " ", 4)[0]+" "+strings.SplitN(what, " ", 4)[1])
	}
	sort.Strings(got)
	want := []string{
		"redis has an", "redis-default-on user group", "redis-no-group has an", "redis-no-group has no", "redis-twice user group",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("violations on %q, want %q", got, want)
	}
	for _, v := range rep.Violations {
		switch v.Name {
		case "redis-default-on":
			if !strings.Contains(v.Message, "no disabled default user") {
				t.Errorf("%s: %s", v.Name, v.Message)
			}
		case "redis-twice":
			if !strings.Contains(v.Message, "two users named auction") {
				t.Errorf("%s: %s", v.Name, v.Message)
			}
		}
	}
}
