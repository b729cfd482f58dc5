package serverless

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/dbay/infra/config"
)

// definition builds a workflow of DBay's section with placeholder ARNs.
func definition(t *testing.T, spec config.Serverless, name string) Definition {
	t.Helper()
	arns, timeouts := map[string]string{}, map[string]int{}
	for fn, f := range spec.Functions {
		arns[fn] = "arn:aws:lambda:us-east-1:123456789012:function:" + fn
		timeouts[fn] = f.Timeout
	}
	d, err := BuildDefinition("aws", name, spec.Workflows[name], arns, timeouts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The withdrawal of seed §9, as built: the steps in order, the poll loop
// on six confirmations, and where each failure goes.
func TestWithdrawalDefinition(t *testing.T) {
	t.Parallel()
	d := definition(t, dbaySpec(t, nil), "withdrawal")
	var path []string
	for n := d.StartAt; n != ""; {
		st := d.States[n]
		path = append(path, n)
		switch {
		case st.Type == "Choice":
			n = st.Choices[0].Next
		case st.End:
			n = ""
		default:
			n = st.Next
		}
	}
	mustEqual(t, "happy path", path, []string{"ValidateBalance", "FraudCheck", "DebitLedger", "BuildAndSignTx", "BroadcastTx",
		"CheckConfirmationsStart", "CheckConfirmations", "CheckConfirmationsReached", "FinalizeLedger"})
	onError := map[string]string{}
	for n, st := range d.States {
		for _, c := range st.Catch {
			onError[n] = c.Next
		}
	}
	mustEqual(t, "catch targets", onError, map[string]string{
		"ValidateBalance": "Failed", "FraudCheck": "Failed", "DebitLedger": "Compensate", "BuildAndSignTx": "Compensate",
		"BroadcastTx": "NeedsReconciliation", "CheckConfirmations": "NeedsReconciliation", "FinalizeLedger": "NeedsReconciliation",
		"Compensate": "CompensationFailed",
	})
	reached := d.States["CheckConfirmationsReached"]
	if got := *reached.Choices[0].And[2].NumericGreaterThanEquals; got != 6 || reached.Choices[0].And[2].Variable != "$.poll.Payload.confirmations" {
		t.Errorf("loop ends at %d on %s, want 6 confirmations", got, reached.Choices[0].And[2].Variable)
	}
	if d.States["CheckConfirmationsWait"].Seconds != 60 || d.States["CheckConfirmationsTimedOut"].Next != "NeedsReconciliation" ||
		*reached.Choices[1].NumericGreaterThanEquals != 180 || reached.Default != "CheckConfirmationsWait" {
		t.Errorf("poll loop = %+v", reached)
	}
	task := d.States["BuildAndSignTx"]
	if task.Resource != "arn:aws:states:::lambda:invoke" || task.Parameters["FunctionName"] != "arn:aws:lambda:us-east-1:123456789012:function:build_and_sign_tx" ||
		task.Parameters["Payload.$"] != "$" || task.TimeoutSeconds != 90 || task.OutputPath != "$.Payload" {
		t.Errorf("BuildAndSignTx = %+v", task)
	}
	retry := task.Retry[0]
	if retry.IntervalSeconds != 2 || retry.MaxAttempts != 6 || retry.BackoffRate != 2 || retry.JitterStrategy != "FULL" ||
		!contains(retry.ErrorEquals, "Lambda.TooManyRequestsException") || !contains(retry.ErrorEquals, "States.Timeout") {
		t.Errorf("retry = %+v", retry)
	}
	if d.States["Failed"].ErrorPath != "$.error.Error" || d.States["Failed"].CausePath != "$.error.Cause" {
		t.Errorf("Failed does not carry the reason: %+v", d.States["Failed"])
	}
	// After the point of no return: any error retried for about an hour,
	// then NeedsReconciliation with the whole state as its cause.
	for _, n := range []string{"BroadcastTx", "CheckConfirmations", "FinalizeLedger"} {
		if r := d.States[n].Retry; len(r) != 2 || r[1].ErrorEquals[0] != "States.ALL" || r[1].MaxAttempts != 10 {
			t.Errorf("%s retries %+v, want the transient retry then States.ALL x10", n, r)
		}
	}
	if st := d.States["NeedsReconciliation"]; st.Type != "Fail" || st.Error != "NeedsReconciliation" || st.CausePath != "States.JsonToString($)" {
		t.Errorf("NeedsReconciliation = %+v", st)
	}
	if errs := append(Check(d), CheckFunds(d, withdrawalInvariant)...); len(errs) > 0 {
		t.Errorf("checks: %v", errs)
	}
}

// withdrawalInvariant is the requirement, stated independently of the
// config: the debit is compensated until the broadcast, never after.
var withdrawalInvariant = FundsSpec{From: "DebitLedger", Until: "BroadcastTx", Compensated: true}

// Every money flow meets its invariant over its whole graph, and the
// withdrawal as shipped before the point of no return existed (every
// failure from DebitLedger on refunded) fails it: a broadcast that timed
// out, a missed confirmation window or a failed FinalizeLedger credited a
// user whose coins had left.
func TestFundsInvariants(t *testing.T) {
	t.Parallel()
	spec := dbaySpec(t, nil)
	for name, want := range map[string]FundsSpec{
		"withdrawal": withdrawalInvariant,
		"deposit":    {Until: "CreditUser"},
		"order":      {Until: "LockEscrow"},
	} {
		if got := SpecOf(spec.Workflows[name]); got != want {
			t.Errorf("%s declares %+v, want %+v", name, got, want)
		}
		if errs := CheckFunds(definition(t, spec, name), want); len(errs) > 0 {
			t.Errorf("%s: %v", name, errs)
		}
	}

	old := spec.Workflows["withdrawal"]
	old.PointOfNoReturn = ""
	arns := map[string]string{}
	for fn := range spec.Functions {
		arns[fn] = "arn:aws:lambda:us-east-1:123456789012:function:" + fn
	}
	d, err := BuildDefinition("aws", "old", old, arns, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, err := range CheckFunds(d, withdrawalInvariant) {
		got = append(got, err.Error())
	}
	want := "from BroadcastTx (the point of no return) a path reaches Compensate: a refund after the funds may have left pays twice"
	if !strings.Contains(strings.Join(got, "\n"), want) {
		t.Errorf("the old withdrawal passes the invariant: %q", got)
	}
}

// The checks find what they are for: each broken definition is reported.
func TestChecksCatchBrokenDefinitions(t *testing.T) {
	t.Parallel()
	spec := dbaySpec(t, nil)
	tests := []struct {
		name   string
		mutate func(d Definition)
		want   string
	}{
		{"post-debit failure that skips the compensation", func(d Definition) {
			st := d.States["BuildAndSignTx"]
			st.Catch = []Catcher{{ErrorEquals: []string{"States.ALL"}, ResultPath: "$.error", Next: "Failed"}}
			d.States["BuildAndSignTx"] = st
		}, "BuildAndSignTx fails after DebitLedger and before BroadcastTx, and its Catch reaches Failed without Compensate"},
		{"broadcast failure that refunds", func(d Definition) {
			st := d.States["BroadcastTx"]
			st.Catch = []Catcher{{ErrorEquals: []string{"States.ALL"}, ResultPath: "$.error", Next: "Compensate"}}
			d.States["BroadcastTx"] = st
		}, "from BroadcastTx (the point of no return) a path reaches Compensate"},
		{"poll timeout that refunds", func(d Definition) {
			st := d.States["CheckConfirmationsTimedOut"]
			st.Next = "Compensate"
			d.States["CheckConfirmationsTimedOut"] = st
		}, "a refund after the funds may have left pays twice"},
		{"finalize failure that just fails", func(d Definition) {
			st := d.States["FinalizeLedger"]
			st.Catch = []Catcher{{ErrorEquals: []string{"States.ALL"}, ResultPath: "$.error", Next: "Failed"}}
			d.States["FinalizeLedger"] = st
		}, "from BroadcastTx a path ends in Failed: after the point of no return a failure must end in NeedsReconciliation"},
		{"a step that can run twice", func(d Definition) {
			st := d.States["FinalizeLedger"]
			st.End, st.Next = false, "BroadcastTx"
			d.States["FinalizeLedger"] = st
		}, "BroadcastTx can run again after it ran"},
		{"pre-debit failure that credits", func(d Definition) {
			st := d.States["FraudCheck"]
			st.Catch = []Catcher{{ErrorEquals: []string{"States.ALL"}, ResultPath: "$.error", Next: "Compensate"}}
			d.States["FraudCheck"] = st
		}, "before DebitLedger a path reaches Compensate"},
		{"task without retry", func(d Definition) {
			st := d.States["DebitLedger"]
			st.Retry = nil
			d.States["DebitLedger"] = st
		}, "DebitLedger: a Task needs a Retry"},
		{"task without catch", func(d Definition) {
			st := d.States["FinalizeLedger"]
			st.Catch = nil
			d.States["FinalizeLedger"] = st
		}, "FinalizeLedger: a Task needs a Catch"},
		{"task without timeout", func(d Definition) {
			st := d.States["ValidateBalance"]
			st.TimeoutSeconds = 0
			d.States["ValidateBalance"] = st
		}, "ValidateBalance: a Task needs TimeoutSeconds"},
		{"dangling next", func(d Definition) {
			st := d.States["BuildAndSignTx"]
			st.Next = "Broadcast"
			d.States["BuildAndSignTx"] = st
		}, `BuildAndSignTx: next state "Broadcast" does not exist`},
		{"unreachable state", func(d Definition) { d.States["Orphan"] = State{Type: "Succeed"} }, "Orphan is not reachable"},
		{"endless loop", func(d Definition) {
			st := d.States["CheckConfirmationsReached"]
			st.Choices = st.Choices[1:]
			st.Choices[0].Next = "CheckConfirmationsWait"
			d.States["CheckConfirmationsReached"] = st
		}, "FinalizeLedger is not reachable"},
		{"choice without default", func(d Definition) {
			st := d.States["CheckConfirmationsReached"]
			st.Default = ""
			d.States["CheckConfirmationsReached"] = st
		}, "a Choice needs Choices and a Default"},
	}
	for _, tt := range tests {
		d := definition(t, spec, "withdrawal")
		tt.mutate(d)
		var got []string
		for _, err := range append(Check(d), CheckFunds(d, withdrawalInvariant)...) {
			got = append(got, err.Error())
		}
		if !strings.Contains(strings.Join(got, "\n"), tt.want) {
			t.Errorf("%s: checks said %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestBuildDefinitionRefusesCollisions(t *testing.T) {
	t.Parallel()
	w := config.Workflow{Steps: []config.WorkflowStep{
		{Name: "Check", Function: "f", TimeoutSeconds: 10, Poll: &config.WorkflowPoll{Field: "n", AtLeast: 1, WaitSeconds: 5, MaxPolls: 3}},
		{Name: "CheckWait", Function: "f", TimeoutSeconds: 10},
	}}
	if _, err := BuildDefinition("aws", "", w, map[string]string{"f": "arn"}, nil); err == nil || !strings.Contains(err.Error(), "CheckWait is defined twice") {
		t.Errorf("err = %v", err)
	}
	w.Steps[1].Name = "Done"
	d, err := BuildDefinition("aws-cn", "", w, map[string]string{"f": "arn"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.States["Check"].Resource != "arn:aws-cn:states:::lambda:invoke" {
		t.Errorf("resource = %s", d.States["Check"].Resource)
	}
}

// The deployed state machines: every definition walks clean, the
// withdrawal's post-debit failures all reach the compensation, logs are
// ALL with execution data, tracing is on, and the role invokes exactly the
// workflow's functions.
func TestStateMachines(t *testing.T) {
	t.Parallel()
	r := synth(t, dbaySpec(t, nil), nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	arns := r.outs["functionArns"].(map[string]any)
	want := map[string][]string{
		"withdrawal": {"blockchain_broadcaster", "build_and_sign_tx", "check_confirmations", "credit_user", "debit_ledger", "finalize_ledger", "fraud_check", "validate_balance"},
		"deposit":    {"check_confirmations", "credit_user"},
		"order":      {"create_order", "lock_escrow", "update_order_paid"},
	}
	machines := r.children(tMachine)
	if len(machines) != len(want) {
		t.Fatalf("%d state machines, want %d", len(machines), len(want))
	}
	for _, sm := range machines {
		in := sm.In()
		var d Definition
		if err := json.Unmarshal([]byte(in["definition"].(string)), &d); err != nil {
			t.Fatalf("%s definition: %v", sm.Name, err)
		}
		if errs := Check(d); len(errs) > 0 {
			t.Errorf("%s: %v", sm.Name, errs)
		}
		var invoked []string
		for _, st := range d.States {
			if st.Type == "Task" {
				invoked = append(invoked, st.Parameters["FunctionName"].(string))
			}
		}
		var wantArns, wantResources []string
		for _, fn := range want[sm.Name] {
			wantArns = append(wantArns, arns[fn].(string))
			wantResources = append(wantResources, arns[fn].(string), arns[fn].(string)+":*")
		}
		if got := sortedCopy(invoked...); !reflect.DeepEqual(dedupe(got), sortedCopy(wantArns...)) {
			t.Errorf("%s invokes %v, want %v", sm.Name, got, wantArns)
		}
		lg := r.one(t, tLogGroup, "workflow-"+sm.Name)
		logging := in["loggingConfiguration"].(map[string]any)
		if in["type"] != "STANDARD" || logging["level"] != "ALL" || logging["includeExecutionData"] != false ||
			logging["logDestination"] != lg.Out()["arn"].(string)+":*" || in["tracingConfiguration"].(map[string]any)["enabled"] != true {
			t.Errorf("%s = %v", sm.Name, in)
		}
		role := r.one(t, tRole, "workflow-"+sm.Name)
		policy := statements(t, r.one(t, tRolePolicy, "workflow-"+sm.Name).In()["policy"])
		if in["roleArn"] != role.Out()["arn"] || !reflect.DeepEqual(list(policy[0].Resource), sortedCopy(wantResources...)) ||
			!reflect.DeepEqual(list(policy[0].Action), []string{"lambda:InvokeFunction"}) {
			t.Errorf("%s role invokes %v", sm.Name, policy[0].Resource)
		}
		if sm.Name == "withdrawal" {
			if errs := CheckFunds(d, withdrawalInvariant); len(errs) > 0 {
				t.Errorf("withdrawal: %v", errs)
			}
		} else if _, has := d.States["Compensate"]; has || d.States["NeedsReconciliation"].Type != "Fail" {
			t.Errorf("%s: failures should end in Failed or NeedsReconciliation", sm.Name)
		}
	}
}

func dedupe(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
