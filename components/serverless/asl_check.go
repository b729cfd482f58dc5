package serverless

import (
	"fmt"
	"sort"
)

// successors are the states a state can move to (Next, Choice branches,
// Default, Catch).
func successors(st State) []string {
	var out []string
	for _, n := range []string{st.Next, st.Default} {
		if n != "" {
			out = append(out, n)
		}
	}
	for _, c := range st.Choices {
		out = append(out, c.Next)
	}
	for _, c := range st.Catch {
		out = append(out, c.Next)
	}
	return out
}

// Check walks a definition: StartAt and every Next, Default, Choice and
// Catch target exist; every state is reachable and can reach an end; each
// state has the fields its type needs; every Task has a Retry, a Catch and
// a TimeoutSeconds; every Choice has a Default (no States.NoChoiceMatched).
func Check(d Definition) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if _, ok := d.States[d.StartAt]; !ok {
		bad("StartAt %q is not a state", d.StartAt)
	}
	names := make([]string, 0, len(d.States))
	for n := range d.States {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		st := d.States[n]
		for _, next := range successors(st) {
			if _, ok := d.States[next]; !ok {
				bad("%s: next state %q does not exist", n, next)
			}
		}
		terminal := st.Type == "Fail" || st.Type == "Succeed"
		switch st.Type {
		case "Task":
			if st.Resource == "" {
				bad("%s: a Task needs a Resource", n)
			}
			if len(st.Retry) == 0 {
				bad("%s: a Task needs a Retry", n)
			}
			if len(st.Catch) == 0 {
				bad("%s: a Task needs a Catch", n)
			}
			if st.TimeoutSeconds <= 0 {
				bad("%s: a Task needs TimeoutSeconds", n)
			}
		case "Choice":
			if len(st.Choices) == 0 || st.Default == "" {
				bad("%s: a Choice needs Choices and a Default", n)
			}
			for i, c := range st.Choices {
				if c.Next == "" {
					bad("%s: choice %d has no Next", n, i)
				}
			}
		case "Wait":
			if st.Seconds <= 0 {
				bad("%s: a Wait needs Seconds", n)
			}
		case "Pass", "Fail", "Succeed":
		default:
			bad("%s: unknown state type %q", n, st.Type)
		}
		switch {
		case terminal && (st.Next != "" || st.End):
			bad("%s: a %s state ends the execution; it has no Next or End", n, st.Type)
		case st.Type == "Choice" && (st.Next != "" || st.End):
			bad("%s: a Choice moves through its Choices, not Next or End", n)
		case !terminal && st.Type != "Choice" && (st.Next == "") == !st.End:
			bad("%s: needs exactly one of Next and End", n)
		}
	}
	reach := reachable(d, d.StartAt, "")
	for _, n := range names {
		if !reach[n] {
			bad("%s is not reachable from %s", n, d.StartAt)
		}
		if !canEnd(d, n) {
			bad("%s cannot reach the end of the execution", n)
		}
	}
	return errs
}

// reachable are the states reachable from start, not passing through avoid.
func reachable(d Definition, start, avoid string) map[string]bool {
	seen := map[string]bool{}
	queue := []string{start}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if seen[n] || n == avoid {
			continue
		}
		if _, ok := d.States[n]; !ok {
			continue
		}
		seen[n] = true
		queue = append(queue, successors(d.States[n])...)
	}
	return seen
}

func canEnd(d Definition, from string) bool {
	for n := range reachable(d, from, "") {
		st := d.States[n]
		if st.End || st.Type == "Fail" || st.Type == "Succeed" {
			return true
		}
	}
	return false
}
