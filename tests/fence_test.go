package tests

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dbay/infra/components/drlink"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
	"github.com/dbay/infra/stacks"
)

// After a failover the committed config (dr.fenced on the primary,
// fleet.standby active on the recovery stack) yields exactly the runtime
// state the runbook's commands set by hand — so `pulumi up --refresh`
// after the failover changes nothing:
//   - every ECS scaling target at the --min-capacity/--max-capacity the
//     writers' fence command registers (read from prod's own runbook);
//   - every function at the --reserved-concurrent-executions it puts;
//   - every schedule and bus rule of the primary's Region DISABLED (the
//     throttle stops them; config says so explicitly);
//   - the failover switch: both publishers send 1, and the PRIMARY
//     records' switches watch that alarm in the recovery Region (nothing
//     is inverted by hand, so nothing for a refresh to undo).
//
// Each state must also differ in the unfenced run (or the check is
// vacuous) and must not hide behind ignoreChanges; the one field config
// does not own, an ECS service's desiredCount (Application Auto Scaling
// owns it), is ignored explicitly.
func TestFailoverStateOwnedByConfig(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{root, dhanamDir} {
		after := synthesizeDown(t, dir, "dr")
		fenced, normal := after.Partner, synthesize(t, dir, "prod")
		region := fenced.Config.Region

		// What the runbook's fence commands set (writers.commands, in
		// prod's postgresRestoreRunbook "Stop the writers" step).
		stop := stepOf(t, normal, "postgresRestoreRunbook", stacks.StepRestoreStop)
		want := map[string]string{}
		for opt, re := range map[string]*regexp.Regexp{
			"minCapacity":                  regexp.MustCompile(`--min-capacity (\d+)`),
			"maxCapacity":                  regexp.MustCompile(`--max-capacity (\d+)`),
			"reservedConcurrentExecutions": regexp.MustCompile(`--reserved-concurrent-executions (\d+)`),
		} {
			if m := re.FindStringSubmatch(stop); m != nil {
				want[opt] = m[1]
			}
		}
		if want["minCapacity"] == "" || want["maxCapacity"] == "" {
			t.Fatalf("%s: the fence command sets no capacity: %q", dir, stop)
		}
		states := []struct {
			typ, field, want string
		}{
			{tokens.AppAutoscalingTarget, "minCapacity", want["minCapacity"]},
			{tokens.AppAutoscalingTarget, "maxCapacity", want["maxCapacity"]},
			{tokens.LambdaFunction, "reservedConcurrentExecutions", want["reservedConcurrentExecutions"]},
			{tokens.CloudWatchEventRule, "state", "DISABLED"},
			{tokens.SchedulerSchedule, "state", "DISABLED"},
		}
		for _, s := range states {
			if s.want == "" {
				continue // the stack has no such writer (Dhanam: no functions)
			}
			got, differs := 0, false
			for _, r := range fenced.Engine.ByType(s.typ) {
				if r.Region != region {
					continue // the switch publisher lives in the recovery Region
				}
				got++
				if v := scalar(r.In()[s.field]); v != s.want {
					t.Errorf("%s: fenced %s %s %s = %s, want %s (what the runbook set)", dir, s.typ, r.Name, s.field, v, s.want)
				}
				for _, ig := range r.Options.IgnoreChanges {
					if ig == s.field {
						t.Errorf("%s: %s %s ignores %s: config would not own it", dir, s.typ, r.Name, s.field)
					}
				}
				if n := normal.Engine.Get(s.typ, r.Name); n != nil && scalar(n.In()[s.field]) != s.want {
					differs = true
				}
			}
			if got > 0 && !differs {
				t.Errorf("%s: no %s.%s changes when fenced: the check proves nothing", dir, s.typ, s.field)
			}
		}
		for _, svc := range fenced.Engine.ByType(tokens.ECSService) {
			if !strings.Contains(strings.Join(svc.Options.IgnoreChanges, ","), "desiredCount") {
				t.Errorf("%s: ECS service %s does not ignore desiredCount, which its scaling target owns", dir, svc.Name)
			}
		}
		if n := len(fenced.Engine.ByType(tokens.K8sHorizontalPodAutoscaler)); n > 0 {
			t.Errorf("%s: a fenced EKS fleet keeps %d autoscalers", dir, n)
		}
		for _, d := range fenced.Engine.ByType(tokens.K8sDeployment) {
			if spec := mockengine.Obj(d.In()["spec"]); spec["replicas"] != 0.0 {
				t.Errorf("%s: fenced Deployment %s replicas %v, want 0", dir, d.Name, spec["replicas"])
			}
		}

		// The switch: both publishers say 1 after the failover, 0 before.
		alarm := must(t, fenced, tokens.CloudWatchMetricAlarm, "failover-switch")
		if alarm.Region != "us-west-2" || alarm.In()["name"] != drlink.SwitchAlarmName(fenced.Project, "prod") {
			t.Errorf("%s: switch alarm %v in %s", dir, alarm.In()["name"], alarm.Region)
		}
		for _, c := range []struct {
			r    *synth.Result
			want float64
		}{{fenced, 1}, {after, 1}, {normal, 0}, {synthesize(t, dir, "dr"), 0}} {
			if v := publisherValue(t, c.r); v != c.want {
				t.Errorf("%s %s (fenced %v, standby %s): switch publisher sends %v, want %v", dir, c.r.Stack, c.r.Config.Fenced(), c.r.Config.Fleet.Standby, v, c.want)
			}
		}
		switches := 0
		for _, hc := range fenced.Engine.ByType(tokens.Route53HealthCheck) {
			if !strings.HasSuffix(hc.Name, "-failover-switch") {
				continue
			}
			switches++
			in := hc.In()
			if in["type"] != "CLOUDWATCH_METRIC" || in["cloudwatchAlarmName"] != alarm.In()["name"] || in["cloudwatchAlarmRegion"] != "us-west-2" ||
				in["insufficientDataHealthStatus"] != "LastKnownStatus" || in["inverted"] == true {
				t.Errorf("%s: switch %s = %v, want a check on %v in us-west-2", dir, hc.Name, in, alarm.In()["name"])
			}
		}
		if switches == 0 {
			t.Errorf("%s: no failover switch", dir)
		}
	}
}

// stepOf is the command of the step titled title in a runbook output.
func stepOf(t *testing.T, r *synth.Result, output, title string) string {
	t.Helper()
	steps, _ := r.Outputs[output].([]any)
	for _, s := range steps {
		if step := s.(string); strings.Contains(step, ". "+title+"\n") {
			return step
		}
	}
	t.Fatalf("%s: %s has no step %q", r.Stack, output, title)
	return ""
}

// scalar renders a captured number or string the way a CLI option reads.
func scalar(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	}
	return ""
}

// publisherValue is what a stack's switch publisher sends (its schedule's input).
func publisherValue(t *testing.T, r *synth.Result) float64 {
	t.Helper()
	sched := must(t, r, tokens.SchedulerSchedule, "switch-publisher")
	var in struct {
		Namespace  string
		MetricData []struct {
			MetricName string
			Value      float64
		}
	}
	target := mockengine.Obj(sched.In()["target"])
	if err := json.Unmarshal([]byte(mockengine.Str(target["input"])), &in); err != nil || len(in.MetricData) != 1 ||
		in.Namespace != drlink.SwitchNamespace(r.Project) || in.MetricData[0].MetricName != drlink.SwitchMetric ||
		target["arn"] != "arn:aws:scheduler:::aws-sdk:cloudwatch:putMetricData" || sched.Region != "us-west-2" || sched.In()["state"] != "ENABLED" {
		t.Fatalf("%s: switch publisher %v in %s (%v)", r.Stack, sched.In(), sched.Region, err)
	}
	return in.MetricData[0].Value
}
