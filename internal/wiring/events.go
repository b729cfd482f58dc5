package wiring

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// AWS services calling AWS services: a workflow invoking its steps'
// functions, the bus rule or schedule starting a workflow, a bus rule or
// schedule invoking a function. No network (nothing runs in the VPC);
// IAM is the caller's role (or the function's resource policy for a bus
// rule), credentials are the ARN the caller is given, order is the caller
// waiting for its role's grants.

const (
	typeStateMachine = tokens.SFNStateMachine
	typeEventTarget  = tokens.CloudWatchEventTarget
	typeSchedule     = tokens.SchedulerSchedule
)

// orchestration adds the serverless component's service-to-service edges.
func (c *checker) orchestration(sl *config.Serverless, add func(*consumer, string, func(*consumer) aspects)) {
	names := make([]string, 0, len(sl.Workflows))
	for n := range sl.Workflows {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w := sl.Workflows[n]
		k := &consumer{label: "workflow " + n}
		if k.res = c.named(typeStateMachine, n); k.res == nil {
			k.missing = "no state machine " + n
		} else {
			k.appRole, k.appWaiter = c.role(str(c.x.In(k.res)["roleArn"])), k.res
		}
		seen := map[string]bool{}
		fns := []string{}
		for _, s := range w.Steps {
			fns = append(fns, s.Function)
		}
		if w.Compensation != nil {
			fns = append(fns, w.Compensation.Function)
		}
		for _, f := range fns {
			if !seen[f] {
				seen[f] = true
				add(k, "function "+f, func(k *consumer) aspects { return c.step(k, f) })
			}
		}
		kind, start := "trigger", typeEventTarget
		if w.Schedule != "" {
			kind, start = "schedule", typeSchedule
		}
		add(&consumer{label: kind + " of workflow " + n}, "workflow "+n, func(*consumer) aspects {
			return c.starts(start, k.res, "states:StartExecution")
		})
	}
	rules := make([]string, 0, len(sl.Rules))
	for n := range sl.Rules {
		rules = append(rules, n)
	}
	sort.Strings(rules)
	for _, n := range rules {
		for _, f := range sl.Rules[n].Targets {
			add(&consumer{label: "rule " + n}, "function "+f, func(*consumer) aspects { return c.ruleInvokes(n, f) })
		}
	}
	fns := make([]string, 0, len(sl.Functions))
	for n, f := range sl.Functions {
		if f.Schedule != "" {
			fns = append(fns, n)
		}
	}
	sort.Strings(fns)
	for _, n := range fns {
		add(&consumer{label: "schedule of function " + n}, "function "+n, func(*consumer) aspects {
			return c.starts(typeSchedule, c.named(typeLambda, config.FunctionGrantee(n)), "lambda:InvokeFunction")
		})
	}
}

// step: the state machine's definition invokes the function's ARN and its
// role may invoke it.
func (c *checker) step(k *consumer, fn string) aspects {
	a := aspects{network: NA}
	f := c.named(typeLambda, config.FunctionGrantee(fn))
	if f == nil {
		a.iam, a.credentials = "no function "+fn, "no function "+fn
		return a
	}
	arn := str(f.Out()["arn"])
	a.iam = c.allow(&a, k.appRole, k.appWaiter, arn, "lambda:InvokeFunction")
	a.credentials = "the definition does not invoke " + arn
	var def struct {
		States map[string]struct {
			Resource   string
			Parameters map[string]any
		}
	}
	_ = json.Unmarshal([]byte(str(c.x.In(k.res)["definition"])), &def)
	for _, s := range def.States {
		if s.Resource == "arn:aws:states:::lambda:invoke" && str(s.Parameters["FunctionName"]) == arn {
			a.credentials = OK
		}
	}
	return a
}

// starts: an event target (or a schedule) of type typ points at target's
// ARN with a role that may call action on it, and waits for that role's
// grants.
func (c *checker) starts(typ string, target *mockengine.Resource, action string) aspects {
	a := aspects{network: NA}
	if target == nil {
		a.iam, a.credentials = "no target", "no target"
		return a
	}
	arn := str(target.Out()["arn"])
	a.iam, a.credentials = "nothing starts "+target.Name, "no "+typ+" targets "+arn
	for _, t := range c.x.ByType(typ) {
		in := c.x.In(t)
		tgt := in
		if typ == typeSchedule {
			tgt = obj(in["target"])
		}
		if str(tgt["arn"]) != arn {
			continue
		}
		a.credentials = OK
		a.iam = c.allow(&a, c.role(str(tgt["roleArn"])), t, arn, action)
	}
	return a
}

// ruleInvokes: the rule's target is the function, and the function's
// resource policy lets events.amazonaws.com invoke it from that rule; the
// target waits for that permission.
func (c *checker) ruleInvokes(rule, fn string) aspects {
	a := aspects{network: NA, iam: "no rule " + rule, credentials: "no rule " + rule}
	r, f := c.named(tokens.CloudWatchEventRule, rule), c.named(typeLambda, config.FunctionGrantee(fn))
	if r == nil || f == nil {
		return a
	}
	arn := str(f.Out()["arn"])
	a.credentials = "no target of rule " + rule + " is " + arn
	var target *mockengine.Resource
	for _, t := range c.x.Referencing(typeEventTarget, "rule", r) {
		if str(c.x.In(t)["arn"]) == arn {
			a.credentials, target = OK, t
		}
	}
	a.iam = "no permission lets rule " + rule + " invoke " + fn
	for _, p := range c.x.ByType(tokens.LambdaPermission) {
		in := c.x.In(p)
		if c.x.Points(in["function"], f) && str(in["principal"]) == "events.amazonaws.com" &&
			str(in["action"]) == "lambda:InvokeFunction" && str(in["sourceArn"]) == str(r.Out()["arn"]) {
			a.iam = OK
			a.grants = append(a.grants, grant{policy: p, waiter: target})
		}
	}
	return a
}

// publishes adds one edge per declared publication, "bus <source>": a
// route to EventBridge, events:PutEvents on the bus allowed for the
// source and each of its detail types (the grant's events:source /
// events:detail-type conditions evaluated, policy.Index.RoleAllowsRequest),
// EVENT_BUS_NAME naming the bus.
func (c *checker) publishes(k *consumer, pubs []config.BusPublication, add func(*consumer, string, func(*consumer) aspects)) {
	for _, p := range pubs {
		add(k, "bus "+p.Source, func(k *consumer) aspects { return c.publish(k, p) })
	}
}

func (c *checker) publish(k *consumer, p config.BusPublication) aspects {
	buses := c.x.ByType(tokens.CloudWatchEventBus)
	if len(buses) == 0 {
		msg := "no event bus in the stack"
		return aspects{network: msg, iam: msg, credentials: msg}
	}
	bus := buses[0]
	a := aspects{network: c.awsRoute(k, "events"), credentials: c.envIs(k, str(bus.Out()["name"]))}
	if k.appRole == nil {
		a.iam = "the consumer has no role"
		return a
	}
	arn := str(bus.Out()["arn"])
	types := p.DetailTypes
	if len(types) == 0 {
		types = []string{"any.detail-type"} // a source-only grant allows every detail type
	}
	a.iam = OK
	for _, dt := range types {
		grants := c.x.RoleAllowsRequest(k.appRole, "events:PutEvents", arn,
			map[string]string{"events:source": p.Source, "events:detail-type": dt})
		if len(grants) == 0 {
			a.iam = fmt.Sprintf("%s is not allowed events:PutEvents on %s for source %s, detail-type %s", k.appRole.Name, arn, p.Source, dt)
			a.grants = nil
			return a
		}
		for _, g := range grants {
			a.grants = append(a.grants, grant{policy: g, waiter: k.appWaiter})
		}
	}
	return a
}
