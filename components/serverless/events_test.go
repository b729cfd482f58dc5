package serverless

import (
	"reflect"
	"testing"

	"github.com/dbay/infra/internal/mockengine"
)

// Every asynchronous path ends in a dead-letter queue: async functions'
// failed invocations, every bus target, every schedule.
func TestEveryAsyncPathHasADLQ(t *testing.T) {
	t.Parallel()
	r := synth(t, dbaySpec(t, nil), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	fnDLQ, eventsDLQ := r.one(t, tQueue, "functions-dlq"), r.one(t, tQueue, "events-dlq")
	key := r.one(t, "aws:kms/key:Key", "serverless-key").Out()["arn"]
	for _, q := range []*mockengine.Resource{fnDLQ, eventsDLQ} {
		if q.In()["kmsMasterKeyId"] != key || q.In()["messageRetentionSeconds"] != 1209600.0 || !q.Options.Protect {
			t.Errorf("%s = %v", q.Name, q.In())
		}
	}
	mustEqual(t, "outputs", []any{r.outs["functionsDlqArn"], r.outs["eventsDlqArn"]}, []any{fnDLQ.Out()["arn"], eventsDLQ.Out()["arn"]})

	async := map[string]bool{}
	for _, c := range r.eng.ByType("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig") {
		in := c.In()
		async[c.Name] = true
		if obj(obj(in["destinationConfig"])["onFailure"])["destination"] != fnDLQ.Out()["arn"] ||
			in["maximumRetryAttempts"] != 2.0 || in["maximumEventAgeInSeconds"] != 3600.0 || in["functionName"] != "dbay-prod-"+c.Name {
			t.Errorf("%s invoke config = %v", c.Name, in)
		}
		send := statements(t, r.one(t, tRolePolicy, c.Name+"-runtime").In()["policy"])[4]
		if list(send.Resource)[0] != fnDLQ.Out()["arn"] {
			t.Errorf("%s cannot send to its DLQ: %+v", c.Name, send)
		}
	}
	mustEqual(t, "async functions", async, map[string]bool{"deposit-watcher": true, "auction-closer": true, "search-indexer": true})

	targets := r.eng.ByType(tTarget)
	var ruleArns []string
	for _, tg := range targets {
		if tg.Parent != r.one(t, typeToken, "serverless").URN {
			continue // the data layer's own queue target
		}
		in := tg.In()
		retry := obj(in["retryPolicy"])
		if obj(in["deadLetterConfig"])["arn"] != eventsDLQ.Out()["arn"] || retry["maximumRetryAttempts"] != 185.0 || retry["maximumEventAgeInSeconds"] != 86400.0 {
			t.Errorf("target %s = %v", tg.Name, in)
		}
		if !contains(tg.Dependencies, r.one(t, "aws:sqs/queuePolicy:QueuePolicy", "events-dlq").URN) {
			t.Errorf("target %s does not wait for the DLQ policy", tg.Name)
		}
		for _, rule := range r.children("aws:cloudwatch/eventRule:EventRule") {
			if rule.Out()["name"] == in["rule"] {
				ruleArns = append(ruleArns, rule.Out()["arn"].(string))
			}
		}
	}
	if len(ruleArns) != 4 { // withdrawal, deposit, order, listing-events
		t.Errorf("%d targets, want 4", len(ruleArns))
	}
	admits := statements(t, r.one(t, "aws:sqs/queuePolicy:QueuePolicy", "events-dlq").In()["policy"])[1]
	if !reflect.DeepEqual(list(admits.Condition["ArnEquals"]["aws:SourceArn"]), sortedCopy(ruleArns...)) ||
		!reflect.DeepEqual(admits.Principal, map[string]any{"Service": "events.amazonaws.com"}) {
		t.Errorf("events DLQ admits %+v, want the component's rules %v", admits, ruleArns)
	}

	schedules := r.eng.ByType(tSchedule)
	if len(schedules) != 2 {
		t.Errorf("%d schedules, want deposit_watcher's and auction_closer's", len(schedules))
	}
	for _, s := range schedules {
		in := s.In()
		target := obj(in["target"])
		fn := r.one(t, tFunction, s.Name)
		if in["scheduleExpression"] != "rate(1 minute)" || obj(in["flexibleTimeWindow"])["mode"] != "OFF" ||
			target["arn"] != fn.Out()["arn"] || obj(target["deadLetterConfig"])["arn"] != eventsDLQ.Out()["arn"] ||
			obj(target["retryPolicy"])["maximumRetryAttempts"] != 185.0 {
			t.Errorf("schedule %s = %v", s.Name, in)
		}
		role := r.one(t, tRole, "schedule-"+s.Name)
		trust := statements(t, role.In()["assumeRolePolicy"])[0]
		policy := statements(t, r.one(t, tRolePolicy, "schedule-"+s.Name).In()["policy"])
		arn := fn.Out()["arn"].(string)
		if target["roleArn"] != role.Out()["arn"] || !reflect.DeepEqual(trust.Principal, map[string]any{"Service": "scheduler.amazonaws.com"}) ||
			trust.Condition["StringEquals"]["aws:SourceAccount"] != mockengine.Account ||
			!reflect.DeepEqual(list(policy[0].Resource), sortedCopy(arn, arn+":*")) || list(policy[1].Resource)[0] != eventsDLQ.Out()["arn"] {
			t.Errorf("schedule %s role = %+v", s.Name, policy)
		}
	}
}

// withdrawal.requested starts the withdrawal with the event's detail,
// through a role that may start that machine only; listing events reach
// the search indexer.
func TestRules(t *testing.T) {
	t.Parallel()
	r := synth(t, dbaySpec(t, nil), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	sm := r.one(t, tMachine, "withdrawal").Out()["arn"]
	rule := r.one(t, "aws:cloudwatch/eventRule:EventRule", "workflow-withdrawal").In()
	if rule["eventBusName"] != "dbay-events" || rule["eventPattern"] != `{"detail-type":["withdrawal.requested"],"source":["dbay.wallet"]}` {
		t.Errorf("withdrawal rule = %v", rule)
	}
	target := r.one(t, tTarget, "workflow-withdrawal").In()
	role := r.one(t, tRole, "workflow-withdrawal-events")
	start := statements(t, r.one(t, tRolePolicy, "workflow-withdrawal-events").In()["policy"])
	if target["arn"] != sm || target["roleArn"] != role.Out()["arn"] || target["inputPath"] != "$.detail" || len(start) != 1 ||
		!reflect.DeepEqual(list(start[0].Action), []string{"states:StartExecution"}) || list(start[0].Resource)[0] != sm {
		t.Errorf("withdrawal target = %v, role policy = %+v", target, start)
	}
	if trust := statements(t, role.In()["assumeRolePolicy"])[0]; !reflect.DeepEqual(trust.Principal, map[string]any{"Service": "events.amazonaws.com"}) {
		t.Errorf("trust = %+v", trust)
	}
	listing := r.one(t, "aws:cloudwatch/eventRule:EventRule", "listing-events").In()
	if listing["eventPattern"] != `{"source":["dbay.listings"]}` {
		t.Errorf("listing rule = %v", listing)
	}
	if tg := r.one(t, tTarget, "listing-events-search-indexer").In(); tg["arn"] != r.one(t, tFunction, "search-indexer").Out()["arn"] || tg["roleArn"] != nil {
		t.Errorf("listing target = %v", tg)
	}
}

// obj reads a rendered object, empty when absent (so a missing block fails
// the comparison instead of panicking).
func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
