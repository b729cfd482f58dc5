package config

import (
	"fmt"
	"strings"
)

func (s Serverless) validateWorkflow(c *collector, name string, w Workflow, scope ServerlessScope) {
	path := "serverless.workflows." + name
	if !logicalNameRe.MatchString(name) {
		c.invalidf(path, name, "use 1-40 lowercase letters, digits and dashes, starting with a letter, e.g. withdrawal", "%q is not a valid workflow name", name)
	}
	if len(w.Steps) == 0 {
		c.required(path+".steps", "is empty", "list the steps in order, each with a name and a function")
	}
	steps, polls := map[string]bool{}, 0
	for i, st := range w.Steps {
		p := fmt.Sprintf("%s.steps[%d]", path, i)
		switch {
		case !stepNameRe.MatchString(st.Name):
			c.invalidf(p+".name", st.Name, "use a letter then letters and digits, e.g. DebitLedger", "%q is not a state name", st.Name)
		case contains(ReservedWorkflowStates, st.Name):
			c.forbiddenf(p+".name", "choose another name", "%q is a state the program adds", st.Name)
		case steps[st.Name]:
			c.invalidf(p+".name", st.Name, "give each step its own name", "%q is listed twice", st.Name)
		}
		steps[st.Name] = true
		if _, ok := s.Functions[st.Function]; !ok {
			c.invalidf(p+".function", st.Function, "name a function of serverless.functions"+knownKeys(s.Functions), "no function named %q", st.Function)
		}
		checkRange(c, p+".timeoutSeconds", st.TimeoutSeconds, 1, 86400, "seconds")
		if pl := st.Poll; pl != nil {
			if polls++; polls > 1 {
				c.invalid(p+".poll", nil, "a workflow has at most one polling step", "poll in one step")
			}
			if !payloadFieldRe.MatchString(pl.Field) {
				c.invalidf(p+".poll.field", pl.Field, "use the result's field name, e.g. confirmations", "%q is not a field name", pl.Field)
			}
			if pl.AtLeast < 1 {
				c.invalidf(p+".poll.atLeast", pl.AtLeast, "use 1 or more, e.g. 6 confirmations", "%d never ends the loop meaningfully", pl.AtLeast)
			}
			checkRange(c, p+".poll.waitSeconds", pl.WaitSeconds, 1, 86400, "seconds")
			checkRange(c, p+".poll.maxPolls", pl.MaxPolls, 1, 10000, "polls")
		}
	}
	if w.PointOfNoReturn != "" && !steps[w.PointOfNoReturn] {
		c.invalidf(path+".pointOfNoReturn", w.PointOfNoReturn, "name the first step whose effect cannot be undone, e.g. BroadcastTx", "%q is not a step of this workflow", w.PointOfNoReturn)
	}
	if cp := w.Compensation; cp != nil && w.PointOfNoReturn != "" && steps[cp.From] && steps[w.PointOfNoReturn] &&
		stepIndex(w, cp.From) >= stepIndex(w, w.PointOfNoReturn) {
		c.invalidf(path+".compensation.from", cp.From, "compensate only failures before pointOfNoReturn ("+w.PointOfNoReturn+")",
			"%q is not before the point of no return: nothing could be compensated", cp.From)
	}
	if cp := w.Compensation; cp != nil {
		if _, ok := s.Functions[cp.Function]; !ok {
			c.invalidf(path+".compensation.function", cp.Function, "name a function of serverless.functions"+knownKeys(s.Functions), "no function named %q", cp.Function)
		}
		if !steps[cp.From] {
			c.invalidf(path+".compensation.from", cp.From, "name the step after which failures are compensated, e.g. DebitLedger", "%q is not a step of this workflow", cp.From)
		}
	}
	switch {
	case w.Trigger != nil && w.Schedule != "":
		c.forbidden(path+".schedule", "is set together with trigger", "start the workflow from an event or a schedule, not both")
	case w.Trigger != nil:
		if !eventSourceRe.MatchString(w.Trigger.Source) || strings.HasPrefix(w.Trigger.Source, "aws.") {
			c.invalidf(path+".trigger.source", w.Trigger.Source, "use the source the service puts the event with, e.g. dbay.wallet", "%q is not an event source", w.Trigger.Source)
		}
		if w.Trigger.DetailType == "" || len(w.Trigger.DetailType) > 128 {
			c.invalidf(path+".trigger.detailType", w.Trigger.DetailType, "use the event's detail type, e.g. withdrawal.requested", "%q is not a detail type", w.Trigger.DetailType)
		}
		if scope.Stores["bus"] == nil {
			c.required(path+".trigger", "needs the event bus", "configure data.bus")
		}
	case w.Schedule != "":
		if err := ParseSchedule(w.Schedule); err != nil {
			c.invalidf(path+".schedule", w.Schedule, "use rate(…) or cron(…)", "%v", err)
		}
	default:
		c.required(path, "has no trigger and no schedule", "set trigger {source, detailType} or schedule")
	}
}

func (s Serverless) validateRule(c *collector, name string, r EventRule, scope ServerlessScope) {
	path := "serverless.rules." + name
	checkLogicalName(c, path, name, "")
	checkTextLength(c, path+".description", r.Description, 512, "EventBridge PutRule: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html")
	if len(r.Sources) == 0 {
		c.required(path+".sources", "is empty", "list the event sources, e.g. dbay.listings")
	}
	checkEventValues(c, path+".sources", r.Sources, func(v string) bool {
		return eventSourceRe.MatchString(v) && !strings.HasPrefix(v, "aws.")
	}, "use the source your services put events with, e.g. dbay.listings")
	checkEventValues(c, path+".detailTypes", r.DetailTypes, func(v string) bool {
		return len(v) <= 128 && strings.TrimSpace(v) == v
	}, "use a detail type of at most 128 characters")
	if scope.Stores["bus"] == nil {
		c.required(path, "needs the event bus", "configure data.bus")
	}
	if len(r.Targets) == 0 {
		c.required(path+".targets", "is empty", "list the functions the events go to")
	}
	checkList(c, path+".targets", r.Targets, func(p, fn string) {
		f, ok := s.Functions[fn]
		switch {
		case !ok:
			c.invalidf(p, fn, "name a function of serverless.functions"+knownKeys(s.Functions), "no function named %q", fn)
		case !f.Async:
			c.invalidf(p, fn, fmt.Sprintf("set serverless.functions.%s.async: true", fn), "%s is invoked asynchronously by the rule, so its failures need the DLQ", fn)
		}
	})
}

// stepIndex is the position of the named step in w, or -1.
func stepIndex(w Workflow, name string) int {
	for i, st := range w.Steps {
		if st.Name == name {
			return i
		}
	}
	return -1
}
