package fleet

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/servicediscovery"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	fargate     = "FARGATE"
	fargateSpot = "FARGATE_SPOT"
)

// newCluster creates the Cloud Map namespace Service Connect registers the
// services in, the cluster (Container Insights, ECS Exec sessions encrypted
// with the fleet key and logged to their own log group, the namespace as
// the Service Connect default) and its capacity providers.
func (f *Fleet) newCluster(ctx *pulumi.Context) error {
	parent := pulumi.Parent(f)
	ns, err := servicediscovery.NewHttpNamespace(ctx, "namespace", &servicediscovery.HttpNamespaceArgs{
		Name:        pulumi.Sprintf("%s.internal", f.args.Project),
		Description: pulumi.Sprintf("%s services (Service Connect)", f.clusterName()),
	}, parent)
	if err != nil {
		return err
	}
	execLogs, err := f.logGroup(ctx, "exec", "exec")
	if err != nil {
		return err
	}
	cluster, err := ecs.NewCluster(ctx, "cluster", &ecs.ClusterArgs{
		Name:     pulumi.String(f.clusterName()),
		Settings: ecs.ClusterSettingArray{ecs.ClusterSettingArgs{Name: pulumi.String("containerInsights"), Value: pulumi.String("enabled")}},
		Configuration: &ecs.ClusterConfigurationArgs{
			ExecuteCommandConfiguration: &ecs.ClusterConfigurationExecuteCommandConfigurationArgs{
				KmsKeyId: f.key.Arn,
				Logging:  pulumi.String("OVERRIDE"),
				LogConfiguration: &ecs.ClusterConfigurationExecuteCommandConfigurationLogConfigurationArgs{
					CloudWatchEncryptionEnabled: pulumi.Bool(true),
					CloudWatchLogGroupName:      execLogs.Name,
				},
			},
		},
		ServiceConnectDefaults: &ecs.ClusterServiceConnectDefaultsArgs{Namespace: ns.Arn},
	}, parent)
	if err != nil {
		return err
	}
	providers := []string{fargate}
	strategy := ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArray{
		ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs{CapacityProvider: pulumi.String(fargate), Weight: pulumi.Int(1)},
	}
	if spot := f.args.Spec.Spot; spot > 0 {
		providers = append(providers, fargateSpot)
		strategy = append(strategy, ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs{
			CapacityProvider: pulumi.String(fargateSpot), Weight: pulumi.Int(spot),
		})
	}
	ccp, err := ecs.NewClusterCapacityProviders(ctx, "cluster", &ecs.ClusterCapacityProvidersArgs{
		ClusterName:                       cluster.Name,
		CapacityProviders:                 pulumi.ToStringArray(providers),
		DefaultCapacityProviderStrategies: strategy,
	}, parent)
	if err != nil {
		return err
	}
	f.cluster = cluster
	f.capacity = ccp
	f.execLogs = execLogs
	f.namespace = ns.Arn
	f.ClusterName = cluster.Name
	f.ClusterArn = cluster.Arn
	return nil
}

// strategy is a service's capacity provider strategy: its minimum always
// on FARGATE, the rest split FARGATE:FARGATE_SPOT as 1:spot.
func (f *Fleet) strategy(base int) ecs.ServiceCapacityProviderStrategyArray {
	out := ecs.ServiceCapacityProviderStrategyArray{ecs.ServiceCapacityProviderStrategyArgs{
		CapacityProvider: pulumi.String(fargate), Base: pulumi.Int(base), Weight: pulumi.Int(1),
	}}
	if spot := f.args.Spec.Spot; spot > 0 {
		out = append(out, ecs.ServiceCapacityProviderStrategyArgs{
			CapacityProvider: pulumi.String(fargateSpot), Base: pulumi.Int(0), Weight: pulumi.Int(spot),
		})
	}
	return out
}
