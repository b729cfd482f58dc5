package serverless

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sfn"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
)

// logDeliveryActions are what Step Functions needs to deliver execution
// logs to CloudWatch Logs. AWS defines no resource-level permissions for
// them, so they are granted on "*" (AWS's documented policy for logging
// state machines).
var logDeliveryActions = []string{
	"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
	"logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
}

// tracingActions send X-Ray segments; X-Ray has no resource-level permissions.
var tracingActions = []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"}

// newWorkflows creates each workflow's Standard state machine: the ASL
// built from config (BuildDefinition, checked by Check), logging ALL with
// execution data to its own log group, X-Ray tracing, and a role that may
// invoke exactly its steps' functions; then its trigger rule or schedule.
func (s *Serverless) newWorkflows(ctx *pulumi.Context) error {
	a := s.args
	for _, name := range sortedKeys(a.Spec.Workflows) {
		w := a.Spec.Workflows[name]
		fns := workflowFunctions(w)
		timeouts := map[string]int{}
		placeholders := map[string]string{}
		var arns []any
		var invokable pulumi.StringArray
		for _, fn := range fns {
			f, ok := s.functions[fn]
			if !ok {
				return fmt.Errorf("serverless: workflow %s: no function %s", name, fn)
			}
			timeouts[fn] = f.spec.Timeout
			placeholders[fn] = "arn:" + fn
			arns = append(arns, f.fn.Arn)
			invokable = append(invokable, f.fn.Arn, pulumi.Sprintf("%s:*", f.fn.Arn))
		}
		comment := fmt.Sprintf("%s %s workflow", a.Project, name)
		if w.Description != "" {
			comment = w.Description
		}
		// Build once now, so a definition that cannot be built fails
		// before anything is deployed, not inside an apply.
		if _, err := BuildDefinition(a.Partition, comment, w, placeholders, timeouts); err != nil {
			return fmt.Errorf("serverless: workflow %s: %w", name, err)
		}
		definition := pulumi.All(arns...).ApplyT(func(vals []any) (string, error) {
			resolved := map[string]string{}
			for i, fn := range fns {
				resolved[fn] = vals[i].(string)
			}
			d, err := BuildDefinition(a.Partition, comment, w, resolved, timeouts)
			if err != nil {
				return "", err
			}
			return marshal(d), nil
		}).(pulumi.StringOutput)

		lg, err := s.logGroup(ctx, "workflow-"+name, fmt.Sprintf("/aws/vendedlogs/states/%s-%s-%s", a.Project, a.Stack, name))
		if err != nil {
			return err
		}
		role, rp, err := s.role(ctx, "workflow-"+name, "states.amazonaws.com", fmt.Sprintf("Runs the %s state machine", name),
			allow("InvokeSteps", []string{"lambda:InvokeFunction"}, invokable...),
			allow("DeliverLogs", logDeliveryActions, pulumi.String("*")),
			allow("Tracing", tracingActions, pulumi.String("*")),
		)
		if err != nil {
			return err
		}
		sm, err := sfn.NewStateMachine(ctx, name, &sfn.StateMachineArgs{
			Type:       pulumi.String("STANDARD"),
			RoleArn:    role.Arn,
			Definition: definition,
			LoggingConfiguration: &sfn.StateMachineLoggingConfigurationArgs{
				Level: pulumi.String("ALL"),
				// Amounts, addresses and signed transactions stay in the
				// execution history, not in the log group (issue 15).
				IncludeExecutionData: pulumi.Bool(false),
				LogDestination:       pulumi.Sprintf("%s:*", lg.Arn),
			},
			TracingConfiguration: &sfn.StateMachineTracingConfigurationArgs{Enabled: pulumi.Bool(true)},
		}, pulumi.Parent(s), pulumi.DependsOn([]pulumi.Resource{rp}))
		if err != nil {
			return err
		}
		s.machines[name] = sm.Arn
		start := allow("StartExecution", []string{"states:StartExecution"}, sm.Arn)
		switch {
		case w.Trigger != nil:
			pattern := map[string][]string{"source": {w.Trigger.Source}, "detail-type": {w.Trigger.DetailType}}
			err = s.ruleToWorkflow(ctx, name, pattern, sm.Arn, start)
		case w.Schedule != "":
			err = s.schedule(ctx, "workflow-"+name, w.Schedule, fmt.Sprintf("starts the %s workflow", name), sm.Arn, pulumi.String("{}"), start)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// workflowFunctions are the functions a workflow invokes, each once.
func workflowFunctions(w config.Workflow) []string {
	set := map[string]bool{}
	for _, st := range w.Steps {
		set[st.Function] = true
	}
	if w.Compensation != nil {
		set[w.Compensation.Function] = true
	}
	return sortedKeys(set)
}
