package fleet

import (
	"reflect"
	"strings"
	"testing"

	"github.com/dbay/infra/config"
)

func TestServicesDeploySafely(t *testing.T) {
	t.Parallel()
	r := synth(t, dbay(t), nil).must(t)
	private := r.one(t, "awsx:ec2:Vpc", "vpc").Out()["privateSubnetIds"]
	cluster := r.one(t, "aws:ecs/cluster:Cluster", "cluster").Out()["arn"]
	for _, s := range r.fx.fleet.Services {
		svc := r.one(t, tService, s.Name)
		in := svc.In()
		if in["name"] != "dbay-"+s.Name || in["cluster"] != cluster || in["taskDefinition"] != r.one(t, tTaskDef, s.Name).Out()["arn"] {
			t.Errorf("%s: name %v cluster %v task definition %v", s.Name, in["name"], in["cluster"], in["taskDefinition"])
		}
		if !reflect.DeepEqual(in["deploymentCircuitBreaker"], map[string]any{"enable": true, "rollback": true}) ||
			in["deploymentMinimumHealthyPercent"] != 100.0 || in["deploymentMaximumPercent"] != 200.0 {
			t.Errorf("%s: deployment %v %v %v", s.Name, in["deploymentCircuitBreaker"], in["deploymentMinimumHealthyPercent"], in["deploymentMaximumPercent"])
		}
		nc := in["networkConfiguration"].(map[string]any)
		if nc["assignPublicIp"] != false || !reflect.DeepEqual(nc["subnets"], private) ||
			!reflect.DeepEqual(nc["securityGroups"], []any{r.one(t, tSG, s.Name).ID}) {
			t.Errorf("%s: network %v", s.Name, nc)
		}
		if !reflect.DeepEqual(svc.Options.IgnoreChanges, []string{"desiredCount"}) || in["desiredCount"] != float64(s.Min) {
			t.Errorf("%s: ignoreChanges %v desiredCount %v", s.Name, svc.Options.IgnoreChanges, in["desiredCount"])
		}
		if in["launchType"] != nil || !reflect.DeepEqual(in["capacityProviderStrategies"], []any{map[string]any{"base": float64(s.Min), "capacityProvider": "FARGATE", "weight": 1.0}}) {
			t.Errorf("%s: capacity %v / launch type %v", s.Name, in["capacityProviderStrategies"], in["launchType"])
		}
		sc := in["serviceConnectConfiguration"].(map[string]any)
		published := sc["services"].([]any)[0].(map[string]any)
		alias := published["clientAlias"].([]any)[0].(map[string]any)
		if sc["enabled"] != true || sc["namespace"] != r.one(t, "aws:servicediscovery/httpNamespace:HttpNamespace", "namespace").Out()["arn"] ||
			published["portName"] != s.Name || alias["dnsName"] != s.Name+"-service" || alias["port"] != 8000.0 {
			t.Errorf("%s: service connect %v", s.Name, sc)
		}
		lbs, _ := in["loadBalancers"].([]any)
		if s.Expose.Public {
			lb := lbs[0].(map[string]any)
			if len(lbs) != 1 || lb["targetGroupArn"] != r.one(t, "aws:lb/targetGroup:TargetGroup", s.Name).Out()["arn"] ||
				lb["containerName"] != s.Name || lb["containerPort"] != 8000.0 || in["healthCheckGracePeriodSeconds"] != 60.0 {
				t.Errorf("%s: load balancer %v grace %v", s.Name, lbs, in["healthCheckGracePeriodSeconds"])
			}
			rule := r.one(t, "aws:lb/listenerRule:ListenerRule", s.Name).URN
			if !contains(svc.Dependencies, rule) {
				t.Errorf("%s does not wait for its listener rule", s.Name)
			}
		} else if len(lbs) != 0 || in["healthCheckGracePeriodSeconds"] != nil {
			t.Errorf("internal %s: load balancers %v grace %v", s.Name, lbs, in["healthCheckGracePeriodSeconds"])
		}
		if in["enableExecuteCommand"] != false || in["propagateTags"] != "SERVICE" {
			t.Errorf("%s: exec %v (read-only root filesystem) tags %v", s.Name, in["enableExecuteCommand"], in["propagateTags"])
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestAutoscalingBounds(t *testing.T) {
	t.Parallel()
	r := synth(t, dhanam(t), nil).must(t)
	tests := []struct {
		name                  string
		lo, hi                float64
		cpu, memory           float64
		cpuUnits, memoryUnits string
	}{
		{"api", 2, 10, 70, 80, "1024", "2048"}, // Dhanam "Application Optimization"
		{"web", 2, 5, 70, 80, "512", "1024"},
	}
	for _, tt := range tests {
		target := r.one(t, tTarget, tt.name).In()
		if target["minCapacity"] != tt.lo || target["maxCapacity"] != tt.hi || target["resourceId"] != "service/dhanam-production/dhanam-"+tt.name ||
			target["scalableDimension"] != "ecs:service:DesiredCount" || target["serviceNamespace"] != "ecs" {
			t.Errorf("%s target = %v", tt.name, target)
		}
		for metric, want := range map[string]float64{"cpu": tt.cpu, "memory": tt.memory} {
			p := r.one(t, tPolicy, tt.name+"-"+metric).In()
			c := p["targetTrackingScalingPolicyConfiguration"].(map[string]any)
			kind := map[string]string{"cpu": "ECSServiceAverageCPUUtilization", "memory": "ECSServiceAverageMemoryUtilization"}[metric]
			if p["policyType"] != "TargetTrackingScaling" || c["targetValue"] != want ||
				c["predefinedMetricSpecification"].(map[string]any)["predefinedMetricType"] != kind || p["resourceId"] != target["resourceId"] {
				t.Errorf("%s %s policy = %v", tt.name, metric, p)
			}
		}
		td := r.one(t, tTaskDef, tt.name).In()
		if td["cpu"] != tt.cpuUnits || td["memory"] != tt.memoryUnits {
			t.Errorf("%s size %v/%v", tt.name, td["cpu"], td["memory"])
		}
	}
}

func TestRecoveryRunsTheStandby(t *testing.T) {
	t.Parallel()
	tests := []struct {
		standby       string
		lo, desired   float64
		wantSpotFloor float64
	}{
		{config.StandbyPilot, 0, 0, 0},
		{config.StandbyWarm, 1, 1, 1},
	}
	for _, tt := range tests {
		fx := dhanam(t)
		fx.role, fx.fleet.Standby, fx.region, fx.replica = config.RoleRecovery, tt.standby, "us-west-2", ""
		r := synth(t, fx, nil).must(t)
		for _, n := range []string{"api", "web"} {
			svc, target := r.one(t, tService, n).In(), r.one(t, tTarget, n).In()
			if svc["desiredCount"] != tt.desired || target["minCapacity"] != tt.lo {
				t.Errorf("%s %s: desired %v min %v, want %v and %v", tt.standby, n, svc["desiredCount"], target["minCapacity"], tt.desired, tt.lo)
			}
			if target["maxCapacity"] == 0.0 {
				t.Errorf("%s %s: max 0 leaves nothing to fail over to", tt.standby, n)
			}
		}
		if r.eng.Get("aws:ecr/replicationConfiguration:ReplicationConfiguration", "registry-replication") != nil {
			t.Errorf("%s: the recovery stack replicates images", tt.standby)
		}
		if c := r.container(t, "api"); c.env()["AWS_REGION"] != "us-west-2" || c.LogConfiguration.Options["awslogs-region"] != "us-west-2" {
			t.Errorf("%s: api region %v / logs %v", tt.standby, c.env()["AWS_REGION"], c.LogConfiguration.Options)
		}
	}
}

func TestMigrationTasks(t *testing.T) {
	t.Parallel()
	r := synth(t, dbay(t), nil).must(t)
	cmds := r.outs["migrationCommands"].(map[string]any)
	if got := keys(cmds); !equal(got, []string{"auction", "documentdb-bootstrap", "listing", "order", "postgres-bootstrap", "user", "wallet"}) {
		t.Errorf("migration commands for %v, want the five Django services and the roles' bootstrap", got)
	}
	boot := "aws ecs run-task --region us-east-1 --cluster dbay-production --task-definition dbay-postgres-bootstrap:1 --launch-type FARGATE " +
		"--network-configuration 'awsvpcConfiguration={subnets=[" + strings.Join(toStrings(r.one(t, "awsx:ec2:Vpc", "vpc").Out()["privateSubnetIds"]), ",") +
		"],securityGroups=[" + r.one(t, tSG, "postgres-bootstrap").ID + "],assignPublicIp=DISABLED}'"
	if cmds["postgres-bootstrap"] != boot {
		t.Errorf("bootstrap command\n got %v\nwant %s", cmds["postgres-bootstrap"], boot)
	}
	subnets := strings.Join(toStrings(r.one(t, "awsx:ec2:Vpc", "vpc").Out()["privateSubnetIds"]), ",")
	want := "aws ecs run-task --region us-east-1 --cluster dbay-production --task-definition dbay-listing-migrate:1 --launch-type FARGATE " +
		"--network-configuration 'awsvpcConfiguration={subnets=[" + subnets + "],securityGroups=[" + r.one(t, tSG, "listing").ID + "],assignPublicIp=DISABLED}'"
	if cmds["listing"] != want {
		t.Errorf("listing migration command\n got %v\nwant %s", cmds["listing"], want)
	}
	mig, app := r.container(t, "listing-migrate"), r.container(t, "listing")
	if !reflect.DeepEqual(mig.Command, []string{"python", "manage.py", "migrate", "--noinput"}) || mig.Image != app.Image ||
		!reflect.DeepEqual(mig.env(), app.env()) || !reflect.DeepEqual(mig.secrets(), app.secrets()) || len(mig.PortMappings) != 0 ||
		mig.LogConfiguration.Options["awslogs-stream-prefix"] != "migrate" {
		t.Errorf("migration container = %+v", mig)
	}
	td := r.one(t, tTaskDef, "listing-migrate").In()
	if td["family"] != "dbay-listing-migrate" || td["taskRoleArn"] != r.one(t, tTaskDef, "listing").In()["taskRoleArn"] {
		t.Errorf("migration task definition = %v", td)
	}
	if r.eng.Get(tTaskDef, "notification-migrate") != nil {
		t.Error("a service without migrations got a migration task")
	}
	if hosts := r.eng.ByType("aws:ec2/instance:Instance"); len(hosts) != 0 {
		t.Errorf("%d EC2 instances exist: migrations need no bastion host", len(hosts))
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestTaskDefinitions(t *testing.T) {
	t.Parallel()
	r := synth(t, dhanam(t), nil).must(t)
	repo := r.one(t, tRepo, "api").Out()["repositoryUrl"].(string)
	for _, tt := range []struct {
		name, family, arch string
		readOnly           bool
		port               float64
	}{
		{"api", "dhanam-api", "X86_64", true, 8000},
		{"web", "dhanam-web", "X86_64", false, 3000},
	} {
		td := r.one(t, tTaskDef, tt.name)
		in := td.In()
		if in["family"] != tt.family || in["networkMode"] != "awsvpc" || !reflect.DeepEqual(in["requiresCompatibilities"], []any{"FARGATE"}) ||
			in["skipDestroy"] != true || in["runtimePlatform"].(map[string]any)["cpuArchitecture"] != tt.arch {
			t.Errorf("%s task definition = %v", tt.name, in)
		}
		if in["taskRoleArn"] != r.one(t, tRole, tt.name+"-task").Out()["arn"] || in["executionRoleArn"] != r.one(t, tRole, tt.name+"-exec").Out()["arn"] ||
			in["taskRoleArn"] == in["executionRoleArn"] {
			t.Errorf("%s roles: task %v execution %v", tt.name, in["taskRoleArn"], in["executionRoleArn"])
		}
		c := r.container(t, tt.name)
		if c.ReadonlyRootFilesystem != tt.readOnly || c.User != "1000:1000" {
			t.Errorf("%s: read-only %v user %q", tt.name, c.ReadonlyRootFilesystem, c.User)
		}
		if tt.readOnly != (len(c.MountPoints) == 1 && c.MountPoints[0].ContainerPath == "/tmp") {
			t.Errorf("%s: mounts %v (a read-only root gets a writable /tmp only)", tt.name, c.MountPoints)
		}
		if len(c.PortMappings) != 1 || c.PortMappings[0].Name != tt.name || float64(c.PortMappings[0].ContainerPort) != tt.port || c.PortMappings[0].AppProtocol != "http" {
			t.Errorf("%s: ports %+v", tt.name, c.PortMappings)
		}
		lg := r.one(t, "aws:cloudwatch/logGroup:LogGroup", tt.name+"-logs").Out()["name"]
		if c.LogConfiguration.LogDriver != "awslogs" || c.LogConfiguration.Options["awslogs-group"] != lg || c.LogConfiguration.Options["mode"] != "non-blocking" {
			t.Errorf("%s: logs %+v", tt.name, c.LogConfiguration)
		}
		if r.one(t, tService, tt.name).In()["enableExecuteCommand"] != !tt.readOnly {
			t.Errorf("%s: ECS Exec must be on exactly when the root filesystem is writable", tt.name)
		}
	}
	if c := r.container(t, "api"); c.Image != repo+":v1.0.0" {
		t.Errorf("api image %s, want %s:v1.0.0", c.Image, repo)
	}
}

func TestSpotAboveTheMinimum(t *testing.T) {
	t.Parallel()
	fx := dhanam(t)
	fx.fleet.Spot = 3
	r := synth(t, fx, nil).must(t)
	want := []any{
		map[string]any{"base": 2.0, "capacityProvider": "FARGATE", "weight": 1.0},
		map[string]any{"base": 0.0, "capacityProvider": "FARGATE_SPOT", "weight": 3.0},
	}
	if got := r.one(t, tService, "api").In()["capacityProviderStrategies"]; !reflect.DeepEqual(got, want) {
		t.Errorf("api strategy = %v", got)
	}
	ccp := r.one(t, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "cluster").In()
	if !reflect.DeepEqual(ccp["capacityProviders"], []any{"FARGATE", "FARGATE_SPOT"}) {
		t.Errorf("cluster providers = %v", ccp["capacityProviders"])
	}
	plain := synth(t, dhanam(t), nil).must(t)
	if got := plain.one(t, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "cluster").In()["capacityProviders"]; !reflect.DeepEqual(got, []any{"FARGATE"}) {
		t.Errorf("without spot: providers %v", got)
	}
}
