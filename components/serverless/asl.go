package serverless

import (
	"fmt"

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
	b := &aslBuilder{
		d:      Definition{Comment: comment, States: map[string]State{}},
		w:      w,
		arns:   arns,
		invoke: fmt.Sprintf("arn:%s:states:::lambda:invoke", partition),
	}
	var err error
	if b.from, err = compensationStart(w); err != nil {
		return Definition{}, err
	}
	if len(w.Steps) == 0 {
		return Definition{}, fmt.Errorf("the workflow has no steps")
	}
	if b.noReturn, err = pointOfNoReturn(w, b.from); err != nil {
		return Definition{}, err
	}
	b.d.StartAt = b.entry(0)
	usesFailed := false
	for i, step := range w.Steps {
		failed, err := b.addStep(i, step)
		if err != nil {
			return Definition{}, err
		}
		usesFailed = usesFailed || failed
	}
	if err := b.addEnds(usesFailed, timeouts); err != nil {
		return Definition{}, err
	}
	d := b.d
	if errs := Check(d); len(errs) > 0 {
		return Definition{}, fmt.Errorf("invalid definition: %v", errs)
	}
	if errs := CheckFunds(d, SpecOf(w)); len(errs) > 0 {
		return Definition{}, fmt.Errorf("the workflow breaks its funds invariant: %v", errs)
	}
	return d, nil
}

// aslBuilder holds a definition while BuildDefinition adds its states.
type aslBuilder struct {
	d      Definition
	w      config.Workflow
	arns   map[string]string // the functions' ARNs by config name
	invoke string            // the lambda:invoke integration's ARN
	// from is the index of the step the compensation covers from
	// (len(w.Steps): no compensation); noReturn the point of no return's
	// (len(w.Steps): none).
	from, noReturn int
}

// compensationStart is the index of the step the compensation starts at,
// len(w.Steps) without a compensation.
func compensationStart(w config.Workflow) (int, error) {
	from := len(w.Steps)
	if w.Compensation != nil {
		from = -1
		for i, st := range w.Steps {
			if st.Name == w.Compensation.From {
				from = i
			}
		}
		if from < 0 {
			return 0, fmt.Errorf("compensation starts at %s, which is not a step", w.Compensation.From)
		}
	}
	return from, nil
}

// pointOfNoReturn is the index of the point of no return's step,
// len(w.Steps) without one; it must come after the compensation's start.
func pointOfNoReturn(w config.Workflow, from int) (int, error) {
	noReturn := len(w.Steps)
	if w.PointOfNoReturn != "" {
		noReturn = -1
		for i, st := range w.Steps {
			if st.Name == w.PointOfNoReturn {
				noReturn = i
			}
		}
		if noReturn < 0 || noReturn <= from && w.Compensation != nil {
			return 0, fmt.Errorf("point of no return %q is not a step after the compensation's start", w.PointOfNoReturn)
		}
	}
	return noReturn, nil
}

// put adds a state, refusing a name already taken.
func (b *aslBuilder) put(name string, st State) error {
	if _, dup := b.d.States[name]; dup {
		return fmt.Errorf("state %s is defined twice (a step name collides with a state the program adds)", name)
	}
	b.d.States[name] = st
	return nil
}

// putSorted adds states in the order of their names.
func (b *aslBuilder) putSorted(states map[string]State) error {
	for _, n := range sortedKeys(states) {
		if err := b.put(n, states[n]); err != nil {
			return err
		}
	}
	return nil
}

func (b *aslBuilder) arnOf(fn string) (string, error) {
	arn, ok := b.arns[fn]
	if !ok {
		return "", fmt.Errorf("no function %s", fn)
	}
	return arn, nil
}

// entry is the first state of step i ("" past the last step).
func (b *aslBuilder) entry(i int) string {
	if i == len(b.w.Steps) {
		return ""
	}
	if b.w.Steps[i].Poll != nil {
		return b.w.Steps[i].Name + "Start"
	}
	return b.w.Steps[i].Name
}

// addStep adds step i's Task (and its polling loop), and reports whether a
// failure of it goes to the Failed state.
func (b *aslBuilder) addStep(i int, step config.WorkflowStep) (usesFailed bool, err error) {
	arn, err := b.arnOf(step.Function)
	if err != nil {
		return false, err
	}
	onError, retry := stateFailed, []Retrier{transientRetry()}
	switch {
	case i >= b.noReturn:
		onError, retry = stateReconcile, append(retry, persistentRetry())
	case i >= b.from:
		onError = stateCompensate
	default:
		usesFailed = true
	}
	task := State{
		Type:           "Task",
		Resource:       b.invoke,
		Parameters:     map[string]any{"FunctionName": arn, "Payload.$": "$"},
		TimeoutSeconds: step.TimeoutSeconds,
		Retry:          retry,
		Catch:          []Catcher{{ErrorEquals: []string{"States.ALL"}, ResultPath: "$.error", Next: onError}},
	}
	next := b.entry(i + 1)
	if step.Poll == nil {
		task.OutputPath = "$.Payload"
		if next == "" {
			task.End = true
		} else {
			task.Next = next
		}
		return usesFailed, b.put(step.Name, task)
	}
	return usesFailed, b.addPollLoop(step, task, next, onError)
}

// addPollLoop adds a polling step's Task and the states of its loop:
// <Step>Start, <Step>Reached, <Step>Wait, <Step>Count and <Step>TimedOut.
func (b *aslBuilder) addPollLoop(step config.WorkflowStep, task State, next, onError string) error {
	p := step.Poll
	if next == "" {
		next = stateSucceeded
		if err := b.put(stateSucceeded, State{Type: "Succeed"}); err != nil {
			return err
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
	return b.putSorted(states)
}

// addEnds adds the states a workflow ends in: Failed (if a step before the
// compensation can fail), the compensation's, and NeedsReconciliation (with
// a point of no return).
func (b *aslBuilder) addEnds(usesFailed bool, timeouts map[string]int) error {
	if usesFailed {
		if err := b.put(stateFailed, State{Type: "Fail", Comment: "a step failed before anything needed undoing",
			ErrorPath: "$.error.Error", CausePath: "$.error.Cause"}); err != nil {
			return err
		}
	}
	if c := b.w.Compensation; c != nil {
		arn, err := b.arnOf(c.Function)
		if err != nil {
			return err
		}
		compensation := map[string]State{
			stateCompensate: {
				Type: "Task", Comment: "undo: the state holds the failure at $.error", Resource: b.invoke,
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
		if err := b.putSorted(compensation); err != nil {
			return err
		}
	}
	if b.noReturn < len(b.w.Steps) {
		// Fail state fields: https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
		// (CausePath takes a path or an intrinsic function such as States.JsonToString).
		if err := b.put(stateReconcile, State{Type: "Fail", Error: stateReconcile,
			Comment:   "the effect may have happened (the transaction may be on the network): never undone automatically; a person reconciles",
			CausePath: "States.JsonToString($)"}); err != nil {
			return err
		}
	}
	return nil
}

func intPtr(i int) *int { return &i }
