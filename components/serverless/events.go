package serverless

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/scheduler"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	// A bus target is retried for a day (EventBridge's maxima, made
	// explicit), then the event goes to the events DLQ.
	targetMaxEventAgeSeconds = 24 * 3600
	targetMaxRetryAttempts   = 185
	// A scheduled invocation is retried for an hour: by then the next
	// run has superseded it.
	scheduleMaxEventAgeSeconds = 3600
	scheduleMaxRetryAttempts   = 185
)

// enabled is the State of a rule or schedule: ENABLED or DISABLED (the
// values both EventBridge and Scheduler take).
func enabled(on bool) string {
	if on {
		return "ENABLED"
	}
	return "DISABLED"
}

// newRule creates a rule on the bus and records it for the events DLQ policy.
func (s *Serverless) newRule(ctx *pulumi.Context, name, desc string, pattern map[string][]string) (*cloudwatch.EventRule, pulumi.StringOutput, error) {
	bus, err := s.args.Data.Bus()
	if err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	rule, err := cloudwatch.NewEventRule(ctx, name, &cloudwatch.EventRuleArgs{
		Description:  pulumi.String(desc),
		EventBusName: bus.Name,
		EventPattern: pulumi.String(marshal(pattern)),
		State:        pulumi.String(enabled(!s.args.Passive)),
	}, pulumi.Parent(s))
	if err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	s.ruleArns = append(s.ruleArns, rule.Arn)
	return rule, bus.Name, nil
}

// target is an EventBridge target of a rule, retried and dead-lettered;
// created once the events DLQ admits the rule.
func (s *Serverless) target(ctx *pulumi.Context, name string, rule *cloudwatch.EventRule, bus pulumi.StringOutput, args *cloudwatch.EventTargetArgs, dependsOn ...pulumi.Resource) {
	args.Rule = rule.Name
	args.EventBusName = bus
	args.RetryPolicy = &cloudwatch.EventTargetRetryPolicyArgs{
		MaximumEventAgeInSeconds: pulumi.Int(targetMaxEventAgeSeconds),
		MaximumRetryAttempts:     pulumi.Int(targetMaxRetryAttempts),
	}
	args.DeadLetterConfig = &cloudwatch.EventTargetDeadLetterConfigArgs{Arn: s.eventsDLQ.Arn}
	s.deliveries = append(s.deliveries, func(queuePolicy pulumi.Resource) error {
		_, err := cloudwatch.NewEventTarget(ctx, name, args, pulumi.Parent(s), pulumi.DependsOn(append(dependsOn, queuePolicy)))
		return err
	})
}

// ruleToWorkflow starts a state machine for each matching event, with the
// event's detail as input, through a role that may start that machine only.
func (s *Serverless) ruleToWorkflow(ctx *pulumi.Context, name string, pattern map[string][]string, machine pulumi.StringOutput, start iam.GetPolicyDocumentStatementArgs) error {
	logical := "workflow-" + name
	rule, bus, err := s.newRule(ctx, logical, fmt.Sprintf("starts the %s workflow", name), pattern)
	if err != nil {
		return err
	}
	role, rp, err := s.role(ctx, logical+"-events", "events.amazonaws.com", fmt.Sprintf("Lets the bus start the %s workflow", name), start)
	if err != nil {
		return err
	}
	s.target(ctx, logical, rule, bus, &cloudwatch.EventTargetArgs{
		Arn:       machine,
		RoleArn:   role.Arn,
		InputPath: pulumi.String("$.detail"),
	}, rp)
	return nil
}

// newRules creates the configured rules, each invoking its (async)
// functions, each function admitting exactly that rule.
func (s *Serverless) newRules(ctx *pulumi.Context) error {
	for _, name := range sortedKeys(s.args.Spec.Rules) {
		r := s.args.Spec.Rules[name]
		pattern := map[string][]string{"source": r.Sources}
		if len(r.DetailTypes) > 0 {
			pattern["detail-type"] = r.DetailTypes
		}
		desc := r.Description
		if desc == "" {
			desc = fmt.Sprintf("%s events to %v", name, r.Targets)
		}
		rule, bus, err := s.newRule(ctx, name, desc, pattern)
		if err != nil {
			return err
		}
		for _, fn := range r.Targets {
			f, ok := s.functions[fn]
			if !ok {
				return fmt.Errorf("serverless: rule %s: no function %s", name, fn)
			}
			logical := name + "-" + f.grantee.Name
			perm, err := lambda.NewPermission(ctx, logical, &lambda.PermissionArgs{
				Action:    pulumi.String("lambda:InvokeFunction"),
				Function:  f.fn.Name,
				Principal: pulumi.String("events.amazonaws.com"),
				SourceArn: rule.Arn,
			}, pulumi.Parent(s))
			if err != nil {
				return err
			}
			s.target(ctx, logical, rule, bus, &cloudwatch.EventTargetArgs{Arn: f.fn.Arn}, perm)
		}
	}
	return nil
}

// newSchedules creates an EventBridge Scheduler schedule for each
// function with a schedule.
func (s *Serverless) newSchedules(ctx *pulumi.Context) error {
	for _, name := range sortedKeys(s.functions) {
		f := s.functions[name]
		if f.spec.Schedule == "" {
			continue
		}
		invoke := allow("InvokeFunction", []string{"lambda:InvokeFunction"}, f.fn.Arn, pulumi.Sprintf("%s:*", f.fn.Arn))
		if err := s.schedule(ctx, f.grantee.Name, f.spec.Schedule, "invokes "+name, f.fn.Arn, nil, invoke); err != nil {
			return err
		}
	}
	return nil
}

// schedule invokes target on expr at the exact time (no flexible window),
// retried and dead-lettered, through a role that may invoke that target
// only and send to the events DLQ.
func (s *Serverless) schedule(ctx *pulumi.Context, name, expr, desc string, target pulumi.StringOutput, input pulumi.StringPtrInput, invoke iam.GetPolicyDocumentStatementArgs) error {
	role, rp, err := s.role(ctx, "schedule-"+name, "scheduler.amazonaws.com", "Lets the scheduler: "+desc,
		invoke, allow("SendDeadLetters", []string{"sqs:SendMessage"}, s.eventsDLQ.Arn), s.keyViaSQS())
	if err != nil {
		return err
	}
	_, err = scheduler.NewSchedule(ctx, name, &scheduler.ScheduleArgs{
		Description:        pulumi.String(desc),
		ScheduleExpression: pulumi.String(expr),
		FlexibleTimeWindow: &scheduler.ScheduleFlexibleTimeWindowArgs{Mode: pulumi.String("OFF")},
		State:              pulumi.String(enabled(!s.args.Passive)),
		Target: &scheduler.ScheduleTargetArgs{
			Arn:     target,
			RoleArn: role.Arn,
			Input:   input,
			RetryPolicy: &scheduler.ScheduleTargetRetryPolicyArgs{
				MaximumEventAgeInSeconds: pulumi.Int(scheduleMaxEventAgeSeconds),
				MaximumRetryAttempts:     pulumi.Int(scheduleMaxRetryAttempts),
			},
			DeadLetterConfig: &scheduler.ScheduleTargetDeadLetterConfigArgs{Arn: s.eventsDLQ.Arn},
		},
	}, pulumi.Parent(s), pulumi.DependsOn([]pulumi.Resource{rp}))
	return err
}
