package fleet

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/config"
)

// Alarms are the fleet's metrics for the Monitoring component: the ALB's
// target 5xx and response time (the Dhanam guide's alarms), each public
// service's unhealthy targets, and each service's CPU, memory and running
// task count against its minimum.
func (f *Fleet) Alarms() []alarm.Spec { return append([]alarm.Spec(nil), f.alarms...) }

// ErrorLogs are the services' application log groups.
func (f *Fleet) ErrorLogs() []alarm.LogGroup {
	out := make([]alarm.LogGroup, 0, len(f.units))
	for _, n := range f.names() {
		out = append(out, alarm.LogGroup{Name: n, LogGroupName: f.units[n].logs.Name})
	}
	return out
}

// watchALB describes the load balancer's metrics.
func (f *Fleet) watchALB(lbSuffix pulumi.StringOutput) {
	dims := pulumi.StringMap{"LoadBalancer": lbSuffix}
	f.alarms = append(f.alarms,
		alarm.Spec{Kind: config.AlarmALB5xx, Name: "alb-5xx", Description: "Services answer the ALB with 5xx: check the failing service's logs and its last deployment.",
			Namespace: "AWS/ApplicationELB", Metric: "HTTPCode_Target_5XX_Count", Dimensions: dims,
			Statistic: "Sum", Period: 300, Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
		alarm.Spec{Kind: config.AlarmALBLatency, Name: "alb-latency", Description: "Targets answer slowly: check service CPU, the database and scaling limits.",
			Namespace: "AWS/ApplicationELB", Metric: "TargetResponseTime", Dimensions: dims,
			Statistic: "Average", Period: 300, Comparison: "GreaterThanThreshold", TreatMissingData: "notBreaching"},
	)
}

// watchTargets describes a public service's target health.
func (f *Fleet) watchTargets(service string, lbSuffix, tgSuffix pulumi.StringOutput) {
	f.alarms = append(f.alarms, alarm.Spec{Kind: config.AlarmALBUnhealthy, Name: service + "-unhealthy-targets",
		Description: fmt.Sprintf("%s tasks fail the ALB health check: check the service's events and logs.", service),
		Namespace:   "AWS/ApplicationELB", Metric: "UnHealthyHostCount",
		Dimensions: pulumi.StringMap{"LoadBalancer": lbSuffix, "TargetGroup": tgSuffix},
		Statistic:  "Maximum", Period: 300, Comparison: "GreaterThanThreshold"})
}

// watchService describes a service's utilisation and running tasks.
func (f *Fleet) watchService(service string, cluster, name pulumi.StringOutput, minimum int) {
	dims := pulumi.StringMap{"ClusterName": cluster, "ServiceName": name}
	f.alarms = append(f.alarms,
		alarm.Spec{Kind: config.AlarmECSCPU, Name: service + "-cpu", Description: fmt.Sprintf("%s runs hot although it autoscales: is it at its maximum?", service),
			Namespace: "AWS/ECS", Metric: "CPUUtilization", Dimensions: dims, Statistic: "Average", Period: 300, Comparison: "GreaterThanThreshold"},
		alarm.Spec{Kind: config.AlarmECSMemory, Name: service + "-memory", Description: fmt.Sprintf("%s uses most of its memory: a leak, or a size too small.", service),
			Namespace: "AWS/ECS", Metric: "MemoryUtilization", Dimensions: dims, Statistic: "Average", Period: 300, Comparison: "GreaterThanThreshold"},
	)
	if minimum > 0 { // a pilot-light standby runs nothing on purpose
		f.alarms = append(f.alarms, alarm.Spec{Kind: config.AlarmECSRunning, Name: service + "-running",
			Description: fmt.Sprintf("%s runs fewer tasks than its minimum %d: check stopped tasks and the deployment circuit breaker.", service, minimum),
			Namespace:   "ECS/ContainerInsights", Metric: "RunningTaskCount", Dimensions: dims,
			Statistic: "Minimum", Period: 300, Comparison: "LessThanThreshold", Threshold: alarm.Float(float64(minimum))})
	}
}
