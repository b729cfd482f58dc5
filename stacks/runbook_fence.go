package stacks

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/drlink"
	"github.com/dbay/infra/config"
)

// The runbooks' fencing commands: what stops a stack's writers (services
// and functions) and what starts them again, and the failover switch.

// fenced reports whether the primary has writers to fence: services or
// functions (the recovery stack mirrors them).
func (in runbookInputs) fenced() bool { return in.fleet != nil || in.sl != nil }

// fenceWhat says what dr.fenced stops in the primary's region, with its
// identifiers: the cluster's services and the stack's functions.
func (in runbookInputs) fenceWhat() pulumi.StringOutput {
	c := in.contract
	fns := ""
	if in.sl != nil {
		fns = fmt.Sprintf(", every %s-%s-* function at reserved concurrency 0", in.cfg.Project, in.primaryStack())
	}
	if in.fleet == nil {
		return pulumi.Sprintf("dr.fenced sets%s, schedules and bus rules DISABLED", strings.TrimPrefix(fns, ","))
	}
	return pulumi.All(c.ClusterName, c.FleetRuntime).ApplyT(func(v []any) string {
		how := "its ECS scaling targets at min = max = 0"
		if v[1].(string) == config.RuntimeEKS {
			how = "its Deployments at 0 replicas, no autoscaler"
		}
		return fmt.Sprintf("dr.fenced pins cluster %s to 0 (%s)%s, schedules and bus rules DISABLED, and the primary's switch publisher sends 1", v[0], how, fns)
	}).(pulumi.StringOutput)
}

// configCommit is the commit the failover and failback workflows make: the
// config change in Pulumi.<stack>.yaml, committed and pushed, so the next
// `pulumi up` of that stack (a merge to main included) keeps it.
func configCommit(stack, path, value, message string) string {
	return fmt.Sprintf("pulumi config set --stack %s --path %s %s && git commit -m '%s' Pulumi.%s.yaml && git push", stack, path, value, message, stack)
}

// switchAlarm is the pair's failover switch alarm (drlink), in this region.
func (in runbookInputs) switchAlarm() string {
	return drlink.SwitchAlarmName(in.cfg.Project, in.primaryStack())
}

// switchState reads the switch alarm's state in this region: CloudWatch
// there, no Route 53 API call.
func (in runbookInputs) switchState() string {
	return fmt.Sprintf("aws cloudwatch describe-alarms --region %s --alarm-names %s --query 'MetricAlarms[0].StateValue' --output text",
		in.cfg.Region, in.switchAlarm())
}

// eksUnfence gives each of the primary's EKS Deployments one pod after the
// unfence (an autoscaler ignores a Deployment at 0, and the config only
// stops pinning replicas): "" for an ECS primary, whose scaling targets
// return by configuration. The primary's runtime is the contract's.
func (in runbookInputs) eksUnfence() pulumi.StringOutput {
	c := in.contract
	if in.fleet == nil {
		return pulumi.String("").ToStringOutput()
	}
	return pulumi.All(c.FleetRuntime, c.ClusterName, c.FleetNamespace).ApplyT(func(v []any) string {
		if v[0].(string) != config.RuntimeEKS {
			return ""
		}
		return fmt.Sprintf(" && aws eks update-kubeconfig --region %s --name %s && kubectl --namespace %s scale deployment --all --replicas=1",
			in.cfg.DR.PrimaryRegion, v[1], v[2])
	}).(pulumi.StringOutput)
}

// writers are a stack's services and functions, which a runbook stops
// before a database changes under them: the primary's during a failover,
// a stack's own during a point-in-time restore.
type writers struct {
	project, region, stack string
	// fleet and functions say whether the stack has services and functions.
	fleet, functions bool
	// runtime (ecs, eks), cluster and namespace (eks) of the fleet.
	runtime, cluster, namespace pulumi.StringOutput
}

// commands is the shell that stops the writers in their region — every
// ECS service's scaling target pinned to 0 (autoscaling would undo a
// plain desired-count change), or on EKS every autoscaler of the
// namespace deleted and every Deployment scaled to 0, and every function
// of the stack throttled to 0 concurrency, which stops its schedules,
// rules and workflows too — or, with undo, lifts the throttle, gives each
// EKS Deployment one pod (an autoscaler ignores a Deployment at 0) and
// hands the stack back to Pulumi, which recreates the autoscalers.
func (w writers) commands(undo bool) pulumi.StringOutput {
	region, stack := w.region, w.stack
	var parts []pulumi.StringInput
	if w.fleet {
		parts = append(parts, pulumi.All(w.runtime, w.cluster, w.namespace).ApplyT(func(v []any) string {
			runtime, cluster, ns := v[0].(string), v[1].(string), v[2].(string)
			kubectl := fmt.Sprintf("aws eks update-kubeconfig --region %s --name %s && kubectl --namespace %s", region, cluster, ns)
			switch {
			case runtime == config.RuntimeEKS && undo:
				return kubectl + " scale deployment --all --replicas=1"
			case runtime == config.RuntimeEKS:
				return fmt.Sprintf("%s delete hpa --all && kubectl --namespace %s scale deployment --all --replicas=0", kubectl, ns)
			case undo:
				return ""
			}
			return fmt.Sprintf(`for id in $(aws application-autoscaling describe-scalable-targets --region %s --service-namespace ecs --query "ScalableTargets[?starts_with(ResourceId, 'service/%s/')].ResourceId" --output text); do aws application-autoscaling register-scalable-target --region %s --service-namespace ecs --scalable-dimension ecs:service:DesiredCount --resource-id "$id" --min-capacity 0 --max-capacity 0; done`,
				region, cluster, region)
		}).(pulumi.StringOutput))
	}
	if w.functions {
		action := "put-function-concurrency --reserved-concurrent-executions 0"
		if undo {
			action = "delete-function-concurrency"
		}
		parts = append(parts, pulumi.Sprintf(
			`for f in $(aws lambda list-functions --region %s --query "Functions[?starts_with(FunctionName, '%s-%s-')].FunctionName" --output text); do aws lambda %s --region %s --function-name "$f"; done`,
			region, w.project, stack, action, region))
	}
	if undo && (w.fleet || w.functions) {
		parts = append(parts, pulumi.Sprintf("pulumi up --stack %s --refresh --yes", stack))
	}
	all := make([]any, len(parts))
	for i, p := range parts {
		all[i] = p
	}
	return pulumi.All(all...).ApplyT(func(xs []any) string {
		var out []string
		for _, x := range xs {
			if x.(string) != "" {
				out = append(out, x.(string))
			}
		}
		return strings.Join(out, " && ")
	}).(pulumi.StringOutput)
}
