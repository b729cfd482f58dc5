package serverless

import (
	"fmt"

	"github.com/dbay/infra/config"
)

// FundsSpec is what a workflow that moves funds promises. Steps are named
// as in the config; the states are those BuildDefinition makes.
//
//   - Before From, nothing has moved: a failure ends in Failed and never
//     runs the compensation.
//   - From From up to (not including) Until, the funds were taken (the
//     debit may have committed even if its call failed) and have not left:
//     every failure runs the compensation (Compensate), on every path.
//   - From Until on, the funds may have left (a broadcast that timed out
//     may still be mined; a missed confirmation window may still confirm;
//     a failed FinalizeLedger comes after the coins left): no path reaches
//     the compensation; a failure ends in NeedsReconciliation.
//   - Every step runs at most once per execution (retries of the same
//     call aside): no state graph cycle goes back to a step's Task, except
//     a polling step's own Wait loop.
//   - Every path ends in success, Compensated/CompensationFailed,
//     NeedsReconciliation, or Failed before From.
type FundsSpec struct {
	From, Until string // step names; empty: none
	Compensated bool   // the workflow has a compensation
}

// SpecOf is the funds spec a workflow's config declares.
func SpecOf(w config.Workflow) FundsSpec {
	s := FundsSpec{Until: w.PointOfNoReturn}
	if w.Compensation != nil {
		s.From, s.Compensated = w.Compensation.From, true
	}
	return s
}

// entryOf is the state a step starts at (a polling step starts at <Step>Start).
func entryOf(d Definition, step string) string {
	if _, ok := d.States[step+"Start"]; ok {
		return step + "Start"
	}
	return step
}

// CheckFunds walks every edge of d (Next, Default, Choices, Catch) and
// returns each way d breaks spec.
func CheckFunds(d Definition, spec FundsSpec) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, s := range []string{spec.From, spec.Until} {
		if _, ok := d.States[s]; s != "" && !ok {
			return []error{fmt.Errorf("%q is not a state of the definition", s)}
		}
	}
	if spec.Compensated {
		if st, ok := d.States[stateCompensate]; !ok || st.Type != "Task" {
			bad("the workflow compensates but has no %s Task", stateCompensate)
		}
	}
	// Which phase each state belongs to: states reachable from a phase's
	// entry without entering the next phase.
	before := map[string]bool{}
	if spec.From != "" {
		before = reachable(d, d.StartAt, entryOf(d, spec.From))
	} else if spec.Until != "" {
		before = reachable(d, d.StartAt, entryOf(d, spec.Until))
	} else {
		before = reachable(d, d.StartAt, "")
	}
	var afterUntil map[string]bool
	if spec.Until != "" {
		afterUntil = reachable(d, entryOf(d, spec.Until), "")
		if afterUntil[stateCompensate] {
			bad("from %s (the point of no return) a path reaches %s: a refund after the funds may have left pays twice", spec.Until, stateCompensate)
		}
		for _, n := range sortedKeys(afterUntil) {
			if st := d.States[n]; st.Type == "Fail" && n != stateReconcile {
				bad("from %s a path ends in %s: after the point of no return a failure must end in %s", spec.Until, n, stateReconcile)
			}
		}
	}
	for _, n := range sortedKeys(before) {
		if n == stateCompensate {
			bad("before %s a path reaches %s: nothing was taken yet", firstNonEmpty(spec.From, spec.Until), stateCompensate)
		}
	}
	// Between From and Until every failure is compensated on every path.
	if spec.From != "" {
		middle := reachable(d, entryOf(d, spec.From), entryOf(d, spec.Until))
		for _, n := range sortedKeys(middle) {
			if n == stateCompensate || n == stateCompensated || n == stateCompensationFailed {
				continue
			}
			for _, c := range d.States[n].Catch {
				for _, m := range sortedKeys(reachable(d, c.Next, stateCompensate)) {
					if d.States[m].Type == "Fail" {
						bad("%s fails after %s and before %s, and its Catch reaches %s without %s", n, spec.From, firstNonEmpty(spec.Until, "the end"), m, stateCompensate)
					}
				}
			}
			if st := d.States[n]; st.Type == "Fail" {
				bad("between %s and %s the failure state %s is reachable without %s", spec.From, firstNonEmpty(spec.Until, "the end"), n, stateCompensate)
			}
		}
	}
	// Every Task runs at most once: the only cycle back to a Task is its
	// own poll loop (through <Step>Wait).
	for _, n := range sortedKeys(d.States) {
		st := d.States[n]
		if st.Type != "Task" {
			continue
		}
		for _, next := range successors(st) {
			if reachable(d, next, n+"Wait")[n] {
				bad("%s can run again after it ran (a cycle through %s): a funds step runs at most once", n, next)
			}
		}
	}
	// Every end is one the spec allows.
	allowed := map[string]bool{stateSucceeded: true, stateCompensated: true, stateCompensationFailed: true, stateReconcile: true, stateFailed: true}
	for _, n := range sortedKeys(reachable(d, d.StartAt, "")) {
		st := d.States[n]
		if (st.Type == "Fail" || st.Type == "Succeed") && !allowed[n] {
			bad("%s is an end the funds invariant does not know", n)
		}
		if n == stateFailed && !before[n] {
			bad("%s is reachable after %s: a failure there must be compensated or reconciled", n, firstNonEmpty(spec.From, spec.Until, "the start"))
		}
	}
	return errs
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
