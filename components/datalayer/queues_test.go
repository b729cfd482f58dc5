package datalayer_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/internal/mockengine"
)

// The notifications queue (§3, §4.7) is encrypted with the layer key, has a
// 14-day DLQ it redrives to after maxReceiveCount receives, and is fed by a
// rule on the bus whose pattern is the configured sources and detail types;
// its policy admits that rule and nothing else.
func TestNotificationQueueIsFedByItsRuleOnly(t *testing.T) {
	t.Parallel()
	env := map[string]string{}
	r := synthMessaging(t, messagingStack{data: dbayMessaging, use: func(ctx *pulumi.Context, d *datalayer.DataLayer) error {
		q, err := d.Queue("notifications")
		if err != nil {
			return err
		}
		return resolveEnv(ctx, env, q.Env())
	}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	q, dlq := r.one(t, tQueue, "notifications"), r.one(t, tQueue, "notifications-dlq")
	qa, da := q.Out()["arn"].(string), dlq.Out()["arn"].(string)
	in := q.In()
	if in["kmsMasterKeyId"] != r.key || in["kmsDataKeyReusePeriodSeconds"] != 300.0 || in["visibilityTimeoutSeconds"] != 60.0 ||
		in["messageRetentionSeconds"] != 345600.0 || in["receiveWaitTimeSeconds"] != 20.0 || !q.Options.Protect {
		t.Errorf("queue = %v (protect %v)", in, q.Options.Protect)
	}
	if got := decode(t, in["redrivePolicy"]); !reflect.DeepEqual(got, map[string]any{"deadLetterTargetArn": da, "maxReceiveCount": 4.0}) {
		t.Errorf("redrive policy = %v", got)
	}
	if in := dlq.In(); in["kmsMasterKeyId"] != r.key || in["messageRetentionSeconds"] != 1209600.0 || !dlq.Options.Protect {
		t.Errorf("dlq = %v (protect %v)", in, dlq.Options.Protect)
	}
	allow := r.one(t, "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "notifications-dlq").In()
	if allow["queueUrl"] != dlq.Out()["url"] ||
		!reflect.DeepEqual(decode(t, allow["redriveAllowPolicy"]), map[string]any{"redrivePermission": "byQueue", "sourceQueueArns": []any{qa}}) {
		t.Errorf("redrive allow policy = %v", allow)
	}
	if want := map[string]string{"SQS_QUEUE_URL": q.Out()["url"].(string)}; !reflect.DeepEqual(env, want) {
		t.Errorf("Env() = %v, want %v", env, want)
	}

	rule := r.one(t, tRule, "notifications")
	wantPattern := map[string]any{
		"source":      []any{"dbay.orders", "dbay.auctions", "dbay.wallet", "dbay.messaging"},
		"detail-type": []any{"order.created", "order.paid", "auction.won", "auction.outbid", "withdrawal.completed", "deposit.credited", "message.received"},
	}
	if rule.In()["eventBusName"] != "dbay-events" || !reflect.DeepEqual(decode(t, rule.In()["eventPattern"]), wantPattern) || rule.In()["state"] != "ENABLED" {
		t.Errorf("rule = %v", rule.In())
	}
	target := r.one(t, "aws:cloudwatch/eventTarget:EventTarget", "notifications")
	wantTarget := map[string]any{
		"rule": rule.Out()["name"], "eventBusName": "dbay-events", "arn": qa,
		"retryPolicy":      map[string]any{"maximumEventAgeInSeconds": 86400.0, "maximumRetryAttempts": 185.0},
		"deadLetterConfig": map[string]any{"arn": da},
	}
	if !reflect.DeepEqual(target.In(), wantTarget) {
		t.Errorf("target\n got %v\nwant %v", target.In(), wantTarget)
	}
	for name, arn := range map[string]string{"notifications": qa, "notifications-dlq": da} {
		p := r.one(t, "aws:sqs/queuePolicy:QueuePolicy", name)
		if !contains(target.Dependencies, p.URN) {
			t.Errorf("the target does not wait for the %s policy", name)
		}
		url := r.one(t, tQueue, name).Out()["url"]
		st := statements(t, p.In()["policy"])
		wantAllow := statement{Sid: "BusRuleDelivers", Effect: "Allow", Principal: map[string]any{"Service": "events.amazonaws.com"},
			Action: "sqs:SendMessage", Resource: arn,
			Condition: map[string]map[string]any{"ArnEquals": {"aws:SourceArn": rule.Out()["arn"]}}}
		if p.In()["queueUrl"] != url || len(st) != 2 || st[0].Effect != "Deny" || st[0].Principal != "*" ||
			st[0].Condition["Bool"]["aws:SecureTransport"] != "false" || !reflect.DeepEqual(st[1], wantAllow) {
			t.Errorf("%s policy = %+v\nwant TLS-only deny and %+v", name, st, wantAllow)
		}
	}
	if arn := rule.Out()["arn"]; arn != "arn:aws:events:us-east-1:"+mockengine.Account+":rule/dbay-events/"+rule.Out()["name"].(string) {
		t.Errorf("rule arn %v is not on the bus", arn)
	}
}

// A queue without sources is not subscribed: no rule, and its policy admits nobody.
func TestQueueWithoutSourcesHasNoRule(t *testing.T) {
	t.Parallel()
	r := synthMessaging(t, messagingStack{data: dbayMessaging})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got := r.eng.Get(tRule, "outbox"); got != nil {
		t.Errorf("outbox has a rule: %v", got.In())
	}
	q := r.one(t, tQueue, "outbox").In()
	if q["visibilityTimeoutSeconds"] != 120.0 || q["messageRetentionSeconds"] != 86400.0 ||
		decode(t, q["redrivePolicy"])["maxReceiveCount"] != 5.0 {
		t.Errorf("outbox = %v", q)
	}
	for _, name := range []string{"outbox", "outbox-dlq"} {
		st := statements(t, r.one(t, "aws:sqs/queuePolicy:QueuePolicy", name).In()["policy"])
		if len(st) != 1 || st[0].Effect != "Deny" {
			t.Errorf("%s policy = %+v, want only the TLS-only deny", name, st)
		}
	}
}

// decode parses a JSON document held in a string input.
func decode(t *testing.T, v any) map[string]any {
	t.Helper()
	var out map[string]any
	s, _ := v.(string)
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("not JSON: %v (%v)", v, err)
	}
	return out
}
