package fleet

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"

	"github.com/dbay/infra/config"
)

const (
	scaleInCooldown  = 300
	scaleOutCooldown = 60
)

// newServices registers each service's task definition, runs it as an ECS
// service and scales it, and registers the migration task definitions.
func (f *Fleet) newServices(ctx *pulumi.Context) error {
	commands := pulumi.StringMap{}
	for _, n := range f.names() {
		u := f.units[n]
		td, err := f.taskDefinition(ctx, n, f.family(n), u, nil, "app", true)
		if err != nil {
			return err
		}
		svc, err := f.service(ctx, u, td)
		if err != nil {
			return err
		}
		if err := f.autoscaling(ctx, u, svc); err != nil {
			return err
		}
		if m := u.spec.Migrations; m != nil {
			mig, err := f.taskDefinition(ctx, n+"-migrate", f.family(n)+"-migrate", u, m.Command, "migrate", false)
			if err != nil {
				return err
			}
			commands[n] = f.runTaskCommand(mig, u.sg)
		}
	}
	if err := f.newBootstrap(ctx, commands); err != nil {
		return err
	}
	if err := f.newDocumentDBBootstrap(ctx, commands); err != nil {
		return err
	}
	f.MigrationCommands = commands.ToStringMapOutput()
	return nil
}

// service runs the task definition in the private subnets without a public
// IP, on the service's capacity; deployments roll with 100% healthy / 200%
// max and the circuit breaker rolls a failing one back; Service Connect
// publishes it as <name>-service:<port>. Autoscaling owns desiredCount, so
// later updates ignore it.
func (f *Fleet) service(ctx *pulumi.Context, u *unit, td *ecs.TaskDefinition) (*ecs.Service, error) {
	s := u.spec
	lo, _, desired := f.serviceCapacity(s)
	args := &ecs.ServiceArgs{
		Name:                       pulumi.String(f.family(s.Name)),
		Cluster:                    f.cluster.Arn,
		TaskDefinition:             td.Arn,
		DesiredCount:               pulumi.Int(desired),
		CapacityProviderStrategies: f.strategy(lo),
		PlatformVersion:            pulumi.String("LATEST"),
		NetworkConfiguration: &ecs.ServiceNetworkConfigurationArgs{
			Subnets:        f.args.Network.PrivateSubnetIDs,
			SecurityGroups: pulumi.StringArray{u.sg.ID()},
			AssignPublicIp: pulumi.Bool(false),
		},
		DeploymentCircuitBreaker:        &ecs.ServiceDeploymentCircuitBreakerArgs{Enable: pulumi.Bool(true), Rollback: pulumi.Bool(true)},
		DeploymentMinimumHealthyPercent: pulumi.Int(100),
		DeploymentMaximumPercent:        pulumi.Int(200),
		// A capacity strategy change only applies with a new deployment.
		ForceNewDeployment:   pulumi.Bool(true),
		EnableExecuteCommand: pulumi.Bool(f.args.Spec.ExecEnabled(s)),
		EnableEcsManagedTags: pulumi.Bool(true),
		// Cloud Map DNS for callers outside the fleet (discovery.go), next
		// to Service Connect for the services themselves.
		ServiceRegistries: &ecs.ServiceServiceRegistriesArgs{RegistryArn: u.registry},
		PropagateTags:     pulumi.String("SERVICE"),
		ServiceConnectConfiguration: &ecs.ServiceServiceConnectConfigurationArgs{
			Enabled:   pulumi.Bool(true),
			Namespace: f.namespace,
			Services: ecs.ServiceServiceConnectConfigurationServiceArray{ecs.ServiceServiceConnectConfigurationServiceArgs{
				PortName:      pulumi.String(s.Name),
				DiscoveryName: pulumi.String(s.Name),
				ClientAlias: ecs.ServiceServiceConnectConfigurationServiceClientAliasArray{ecs.ServiceServiceConnectConfigurationServiceClientAliasArgs{
					DnsName: pulumi.String(config.ServiceAlias(s.Name)), Port: pulumi.Int(s.Port),
				}},
			}},
			LogConfiguration: &ecs.ServiceServiceConnectConfigurationLogConfigurationArgs{
				LogDriver: pulumi.String("awslogs"),
				Options: pulumi.StringMap{
					"awslogs-group": u.logs.Name, "awslogs-region": pulumi.String(f.args.Region),
					"awslogs-stream-prefix": pulumi.String("service-connect"),
				},
			},
		},
	}
	deps := []pulumi.Resource{f.capacity}
	if u.rule != nil {
		args.LoadBalancers = ecs.ServiceLoadBalancerArray{ecs.ServiceLoadBalancerArgs{
			TargetGroupArn: u.target, ContainerName: pulumi.String(s.Name), ContainerPort: pulumi.Int(s.Port),
		}}
		args.HealthCheckGracePeriodSeconds = pulumi.Int(s.HealthCheck.GracePeriodSeconds)
		deps = append(deps, u.rule) // a target group must be on a listener first
	}
	// The tasks pull, log and read secrets as the execution role and run
	// as the task role: both hold every grant before the first task starts.
	return ecs.NewService(ctx, s.Name, args, pulumi.Parent(f), pulumi.DependsOn(deps), iamdoc.DependOn(u.grantees...),
		pulumi.IgnoreChanges([]string{"desiredCount"}))
}

// autoscaling keeps the service between its bounds, tracking its CPU and
// memory targets.
func (f *Fleet) autoscaling(ctx *pulumi.Context, u *unit, svc *ecs.Service) error {
	parent := pulumi.Parent(f)
	s := u.spec
	lo, hi, _ := f.serviceCapacity(s)
	f.watchService(s.Name, f.cluster.Name, svc.Name, lo)
	target, err := appautoscaling.NewTarget(ctx, s.Name, &appautoscaling.TargetArgs{
		ServiceNamespace:  pulumi.String("ecs"),
		ScalableDimension: pulumi.String("ecs:service:DesiredCount"),
		ResourceId:        pulumi.Sprintf("service/%s/%s", f.cluster.Name, svc.Name),
		MinCapacity:       pulumi.Int(lo),
		MaxCapacity:       pulumi.Int(hi),
	}, parent)
	if err != nil {
		return err
	}
	for _, m := range []struct {
		name, metric string
		value        int
	}{
		{"cpu", "ECSServiceAverageCPUUtilization", s.CPUTarget},
		{"memory", "ECSServiceAverageMemoryUtilization", s.MemoryTarget},
	} {
		if _, err := appautoscaling.NewPolicy(ctx, s.Name+"-"+m.name, &appautoscaling.PolicyArgs{
			Name:              pulumi.Sprintf("%s-%s", f.family(s.Name), m.name),
			PolicyType:        pulumi.String("TargetTrackingScaling"),
			ServiceNamespace:  target.ServiceNamespace,
			ScalableDimension: target.ScalableDimension,
			ResourceId:        target.ResourceId,
			TargetTrackingScalingPolicyConfiguration: &appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs{
				TargetValue: pulumi.Float64(float64(m.value)),
				PredefinedMetricSpecification: &appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs{
					PredefinedMetricType: pulumi.String(m.metric),
				},
				ScaleInCooldown:  pulumi.Int(scaleInCooldown),
				ScaleOutCooldown: pulumi.Int(scaleOutCooldown),
			},
		}, parent); err != nil {
			return err
		}
	}
	return nil
}

// runTaskCommand is the exact command that runs a one-off task once (a
// migration, the database bootstrap), in the private subnets with the
// given security group (a migration: its service's, so it reaches the
// same stores), on the task definition revision this deployment made.
func (f *Fleet) runTaskCommand(td *ecs.TaskDefinition, sg *ec2.SecurityGroup) pulumi.StringOutput {
	return pulumi.All(f.cluster.Name, td.Family, td.Revision, f.args.Network.PrivateSubnetIDs, sg.ID()).ApplyT(func(v []any) string {
		return fmt.Sprintf("aws ecs run-task --region %s --cluster %s --task-definition %s:%d --launch-type FARGATE "+
			"--network-configuration 'awsvpcConfiguration={subnets=[%s],securityGroups=[%s],assignPublicIp=DISABLED}'",
			f.args.Region, v[0], v[1], v[2], strings.Join(v[3].([]string), ","), v[4])
	}).(pulumi.StringOutput)
}
