package serverless

import (
	"fmt"
	"sort"

	"github.com/dbay/infra/config"
)

// Definition is an Amazon States Language document, built from Go values
// and marshalled, never edited as text.
type Definition struct {
	Comment string           `json:"Comment,omitempty"`
	StartAt string           `json:"StartAt"`
	States  map[string]State `json:"States"`
}

// State is one ASL state; only the fields its Type uses are set.
type State struct {
	Type           string         `json:"Type"`
	Comment        string         `json:"Comment,omitempty"`
	Resource       string         `json:"Resource,omitempty"`
	Parameters     map[string]any `json:"Parameters,omitempty"`
	ResultSelector map[string]any `json:"ResultSelector,omitempty"`
	Result         any            `json:"Result,omitempty"`
	ResultPath     string         `json:"ResultPath,omitempty"`
	OutputPath     string         `json:"OutputPath,omitempty"`
	TimeoutSeconds int            `json:"TimeoutSeconds,omitempty"`
	Retry          []Retrier      `json:"Retry,omitempty"`
	Catch          []Catcher      `json:"Catch,omitempty"`
	Choices        []ChoiceRule   `json:"Choices,omitempty"`
	Default        string         `json:"Default,omitempty"`
	Seconds        int            `json:"Seconds,omitempty"`
	Error          string         `json:"Error,omitempty"`
	Cause          string         `json:"Cause,omitempty"`
	ErrorPath      string         `json:"ErrorPath,omitempty"`
	CausePath      string         `json:"CausePath,omitempty"`
	Next           string         `json:"Next,omitempty"`
	End            bool           `json:"End,omitempty"`
}

// Retrier retries a state on the listed errors with exponential backoff.
type Retrier struct {
	ErrorEquals     []string `json:"ErrorEquals"`
	IntervalSeconds int      `json:"IntervalSeconds"`
	MaxAttempts     int      `json:"MaxAttempts"`
	BackoffRate     float64  `json:"BackoffRate"`
	JitterStrategy  string   `json:"JitterStrategy,omitempty"`
}

// Catcher moves a failed state to Next, with the error at ResultPath.
type Catcher struct {
	ErrorEquals []string `json:"ErrorEquals"`
	ResultPath  string   `json:"ResultPath"`
	Next        string   `json:"Next"`
}

// ChoiceRule is a Choice branch (Next set) or a condition inside And.
type ChoiceRule struct {
	And                      []ChoiceRule `json:"And,omitempty"`
	Variable                 string       `json:"Variable,omitempty"`
	IsPresent                *bool        `json:"IsPresent,omitempty"`
	IsNumeric                *bool        `json:"IsNumeric,omitempty"`
	NumericGreaterThanEquals *int         `json:"NumericGreaterThanEquals,omitempty"`
	Next                     string       `json:"Next,omitempty"`
}

// State names the program adds to a workflow (config.ReservedWorkflowStates).
const (
	stateFailed             = "Failed"
	stateCompensate         = "Compensate"
	stateCompensated        = "Compensated"
	stateCompensationFailed = "CompensationFailed"
	stateSucceeded          = "Succeeded"
	// stateReconcile ends a failure after the point of no return: the
	// effect may have happened (coins sent), so nothing is undone
	// automatically; the execution fails with this error, which alarms.
	stateReconcile = "NeedsReconciliation"
)

// transientLambdaErrors are retried on every task: Lambda's own service
// and throttling errors and the task timeout. The functions must be
// idempotent on the workflow's input (e.g. the withdrawal id).
var transientLambdaErrors = []string{
	"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
	"Lambda.TooManyRequestsException", "States.Timeout",
}

func transientRetry() Retrier {
	return Retrier{ErrorEquals: transientLambdaErrors, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: "FULL"}
}

// persistentRetry retries any error with backoff for about an hour (30 s
// doubling, 10 attempts, capped by Step Functions' retry limits): for the
// compensation and for the steps after the point of no return, which are
// idempotent (the same signed transaction, the same withdrawal id) and
// whose giving up needs a person.
func persistentRetry() Retrier {
	return Retrier{ErrorEquals: []string{"States.ALL"}, IntervalSeconds: 30, MaxAttempts: 10, BackoffRate: 2, JitterStrategy: "FULL"}
}

// BuildDefinition turns a workflow into ASL. arns are the functions' ARNs
// by config name, timeouts their configured timeouts (seconds).
//
// Each step is a Task invoking its function with the state as payload; the
// function's result is the next step's input. A failure (after the
// transient retries) is caught with the error at $.error and goes to the
// Failed state (ErrorPath/CausePath: the reason); from the compensation
// step on, to Compensate, which invokes the compensation function (retried
// harder, since funds depend on it) and ends in Compensated, or in
// CompensationFailed if even that fails; from the point of no return on,
// never to Compensate: the step retries any error for about an hour and
// then ends in NeedsReconciliation, whose cause is the whole state (the
// withdrawal id, the txid) for the person the alarm pages. A polling step runs in a loop:
// <Step>Start sets $.pollCount, the task's result goes to $.poll,
// <Step>Reached ends the loop when $.poll.Payload.<field> ≥ atLeast, or
// gives up after maxPolls (<Step>TimedOut sets $.error = PollTimeout),
// else <Step>Wait and <Step>Count poll again.
func BuildDefinition(partition, comment string, w config.Workflow, arns map[string]string, timeouts map[string]int) (Definition, error) {
	d := Definition{Comment: comment, States: map[string]State{}}
	put := func(name string, st State) error {
		if _, dup := d.States[name]; dup {
			return fmt.Errorf("state %s is defined twice (a step name collides with a state the program adds)", name)
		}
		d.States[name] = st
		return nil
	}
	arnOf := func(fn string) (string, error) {
		arn, ok := arns[fn]
		if !ok {
			return "", fmt.Errorf("no function %s", fn)
		}
		return arn, nil
	}
	invoke := fmt.Sprintf("arn:%s:states:::lambda:invoke", partition)
	from := len(w.Steps)
	if w.Compensation != nil {
		from = -1
		for i, st := range w.Steps {
			if st.Name == w.Compensation.From {
				from = i
			}
		}
		if from < 0 {
			return Definition{}, fmt.Errorf("compensation starts at %s, which is not a step", w.Compensation.From)
		}
	}
	entry := func(i int) string {
		if i == len(w.Steps) {
			return ""
		}
		if w.Steps[i].Poll != nil {
			return w.Steps[i].Name + "Start"
		}
		return w.Steps[i].Name
	}
	if len(w.Steps) == 0 {
		return Definition{}, fmt.Errorf("the workflow has no steps")
	}
	noReturn := len(w.Steps)
	if w.PointOfNoReturn != "" {
		noReturn = -1
		for i, st := range w.Steps {
			if st.Name == w.PointOfNoReturn {
				noReturn = i
			}
		}
		if noReturn < 0 || noReturn <= from && w.Compensation != nil {
			return Definition{}, fmt.Errorf("point of no return %q is not a step after the compensation's start", w.PointOfNoReturn)
		}
	}
	d.StartAt = entry(0)
	usesFailed := false
	for i, step := range w.Steps {
		arn, err := arnOf(step.Function)
		if err != nil {
			return Definition{}, err
		}
		onError, retry := stateFailed, []Retrier{transientRetry()}
		switch {
		case i >= noReturn:
			onError, retry = stateReconcile, append(retry, persistentRetry())
		case i >= from:
			onError = stateCompensate
		default:
			usesFailed = true
		}
		task := State{
			Type:           "Task",
			Resource:       invoke,
			Parameters:     map[string]any{"FunctionName": arn, "Payload.$": "$"},
			TimeoutSeconds: step.TimeoutSeconds,
			Retry:          retry,
			Catch:          []Catcher{{ErrorEquals: []string{"States.ALL"}, ResultPath: "$.error", Next: onError}},
		}
		next := entry(i + 1)
		if step.Poll == nil {
			task.OutputPath = "$.Payload"
			if next == "" {
				task.End = true
			} else {
				task.Next = next
			}
			if err := put(step.Name, task); err != nil {
				return Definition{}, err
			}
			continue
		}
		p := step.Poll
		if next == "" {
			next = stateSucceeded
			if err := put(stateSucceeded, State{Type: "Succeed"}); err != nil {
				return Definition{}, err
			}
		}
		start, reached, wait, count, timedOut := step.Name+"Start", step.Name+"Reached", step.Name+"Wait", step.Name+"Count", step.Name+"TimedOut"
		task.ResultSelector = map[string]any{"Payload.$": "$.Payload"}
		task.ResultPath = "$.poll"
		task.Next = reached
		field := "$.poll.Payload." + p.Field
		yes := true
		states := map[string]State{
			start: {Type: "Pass", Comment: "first of at most " + fmt.Sprint(p.MaxPolls) + " polls",
				Result: map[string]any{"count": 1}, ResultPath: "$.pollCount", Next: step.Name},
			step.Name: task,
			reached: {Type: "Choice", Choices: []ChoiceRule{
				{And: []ChoiceRule{
					{Variable: field, IsPresent: &yes},
					{Variable: field, IsNumeric: &yes},
					{Variable: field, NumericGreaterThanEquals: intPtr(p.AtLeast)},
				}, Next: next},
				{Variable: "$.pollCount.count", NumericGreaterThanEquals: intPtr(p.MaxPolls), Next: timedOut},
			}, Default: wait},
			wait: {Type: "Wait", Seconds: p.WaitSeconds, Next: count},
			count: {Type: "Pass", Parameters: map[string]any{"count.$": "States.MathAdd($.pollCount.count, 1)"},
				ResultPath: "$.pollCount", Next: step.Name},
			timedOut: {Type: "Pass", ResultPath: "$.error", Next: onError, Result: map[string]any{
				"Error": "PollTimeout",
				"Cause": fmt.Sprintf("%s did not reach %s >= %d in %d polls", step.Name, p.Field, p.AtLeast, p.MaxPolls),
			}},
		}
		for _, n := range sortedKeys(states) {
			if err := put(n, states[n]); err != nil {
				return Definition{}, err
			}
		}
	}
	if usesFailed {
		if err := put(stateFailed, State{Type: "Fail", Comment: "a step failed before anything needed undoing",
			ErrorPath: "$.error.Error", CausePath: "$.error.Cause"}); err != nil {
			return Definition{}, err
		}
	}
	if c := w.Compensation; c != nil {
		arn, err := arnOf(c.Function)
		if err != nil {
			return Definition{}, err
		}
		compensation := map[string]State{
			stateCompensate: {
				Type: "Task", Comment: "undo: the state holds the failure at $.error", Resource: invoke,
				Parameters:     map[string]any{"FunctionName": arn, "Payload.$": "$"},
				ResultSelector: map[string]any{"Payload.$": "$.Payload"}, ResultPath: "$.compensation",
				TimeoutSeconds: timeouts[c.Function] + config.StepTimeoutMarginSeconds,
				Retry:          []Retrier{transientRetry(), persistentRetry()},
				Catch:          []Catcher{{ErrorEquals: []string{"States.ALL"}, ResultPath: "$.compensationError", Next: stateCompensationFailed}},
				Next:           stateCompensated,
			},
			stateCompensated: {Type: "Fail", Comment: "the failure was undone", ErrorPath: "$.error.Error", CausePath: "$.error.Cause"},
			stateCompensationFailed: {Type: "Fail", Error: "CompensationFailed",
				Cause: "the compensation failed after its retries: reconcile by hand (the execution's input and $.error say what)"},
		}
		for _, n := range sortedKeys(compensation) {
			if err := put(n, compensation[n]); err != nil {
				return Definition{}, err
			}
		}
	}
	if noReturn < len(w.Steps) {
		// Fail state fields: https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
		// (CausePath takes a path or an intrinsic function such as States.JsonToString).
		if err := put(stateReconcile, State{Type: "Fail", Error: stateReconcile,
			Comment:   "the effect may have happened (the transaction may be on the network): never undone automatically; a person reconciles",
			CausePath: "States.JsonToString($)"}); err != nil {
			return Definition{}, err
		}
	}
	if errs := Check(d); len(errs) > 0 {
		return Definition{}, fmt.Errorf("invalid definition: %v", errs)
	}
	if errs := CheckFunds(d, SpecOf(w)); len(errs) > 0 {
		return Definition{}, fmt.Errorf("the workflow breaks its funds invariant: %v", errs)
	}
	return d, nil
}

func intPtr(i int) *int { return &i }

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
