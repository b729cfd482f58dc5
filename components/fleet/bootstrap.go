package fleet

import (
	"encoding/json"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/internal/policy"
)

// BootstrapImage is the PostgreSQL client the bootstrap task runs: the
// Docker official image on ECR Public, the server's major version
// (config/versions.go: PostgreSQL 16), Alpine for size.
const BootstrapImage = "public.ecr.aws/docker/library/postgres:16.9-alpine"

// bootstrapName is the bootstrap task's logical name, log stream and
// MigrationCommands key.
const bootstrapName = "postgres-bootstrap"

// newBootstrap defines the one-off task that creates the services'
// PostgreSQL roles (datalayer.PostgresBootstrap, data.postgres.serviceUsers)
// as the master user: its own execution role, the only one that reads the
// master secret (and the roles' passwords), its own security group
// reaching PostgreSQL and HTTPS through NAT (ECR Public has no VPC
// endpoint), its own log group. The command to run it is
// MigrationCommands["postgres-bootstrap"]: run it once after the first
// `pulumi up`, before the migrations, and after every password rotation.
func (f *Fleet) newBootstrap(ctx *pulumi.Context, commands pulumi.StringMap) error {
	data := f.args.Data
	if data == nil {
		return nil
	}
	b, ok := data.PostgresBootstrap()
	if !ok {
		return nil
	}
	parent := pulumi.Parent(f)
	net := f.args.Network
	sg, err := ec2.NewSecurityGroup(ctx, bootstrapName, &ec2.SecurityGroupArgs{
		VpcId:       net.VpcID,
		Description: pulumi.String("PostgreSQL bootstrap task: no ingress; PostgreSQL and HTTPS for ECR Public"),
	}, parent)
	if err != nil {
		return err
	}
	if err := f.egress(ctx, bootstrapName+"-egress-internet-443", sg, 443, "ECR Public (the postgres client image), through NAT",
		&vpc.SecurityGroupEgressRuleArgs{CidrIpv4: pulumi.String("0.0.0.0/0")}); err != nil {
		return err
	}
	if err := f.egress(ctx, bootstrapName+"-egress-endpoints", sg, 443, "VPC interface endpoints (Secrets Manager, logs, KMS)",
		&vpc.SecurityGroupEgressRuleArgs{ReferencedSecurityGroupId: net.EndpointSecurityGroupID}); err != nil {
		return err
	}
	if err := data.AllowFrom(ctx, bootstrapName, sg, datalayer.Postgres); err != nil {
		return err
	}
	logs, err := f.logGroup(ctx, bootstrapName+"-logs", bootstrapName)
	if err != nil {
		return err
	}
	role, err := iam.NewRole(ctx, bootstrapName+"-exec", &iam.RoleArgs{
		Description:      pulumi.String("PostgreSQL bootstrap task: logs and the master and role secrets"),
		AssumeRolePolicy: policy.ServiceTrust(ctx, f, "ecs-tasks.amazonaws.com", f.account),
	}, parent)
	if err != nil {
		return err
	}
	g := policy.NewGrantee(bootstrapName+"-exec", role)
	logPolicy, err := policy.Attach(ctx, f, g, "logs", iam.GetPolicyDocumentStatementArray{
		allow("WriteOwnLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, logs.Arn, pulumi.Sprintf("%s:*", logs.Arn)),
	})
	if err != nil {
		return err
	}
	creds, err := data.GrantCredentials(ctx, g, b.Credentials...)
	if err != nil {
		return err
	}
	secrets := map[string]datalayer.SecretRef{"DATABASE_URL": b.Master}
	for k, v := range b.Passwords {
		secrets[k] = v
	}
	keys := sortedKeys(secrets)
	var refs []any
	for _, k := range keys {
		refs = append(refs, secrets[k].ValueFrom())
	}
	refs = append(refs, logs.Name)
	containers := pulumi.All(refs...).ApplyT(func(v []any) (string, error) {
		c := containerDefinition{
			Name: bootstrapName, Image: BootstrapImage, Essential: true,
			Command:                []string{"sh", "-c", b.Script},
			User:                   "postgres",
			ReadonlyRootFilesystem: true,
			PortMappings:           []portMapping{}, MountPoints: []mountPoint{},
			Environment:     []keyValue{{Name: datalayer.BootstrapSQLVar, Value: b.SQL}},
			LinuxParameters: linuxParameters{InitProcessEnabled: true},
			LogConfiguration: logConfiguration{LogDriver: "awslogs", Options: map[string]string{
				"awslogs-group": v[len(keys)].(string), "awslogs-region": f.args.Region, "awslogs-stream-prefix": bootstrapName,
			}},
		}
		for i, k := range keys {
			c.Secrets = append(c.Secrets, secretValue{Name: k, ValueFrom: v[i].(string)})
		}
		out, err := json.Marshal([]containerDefinition{c})
		return string(out), err
	}).(pulumi.StringOutput)
	td, err := ecs.NewTaskDefinition(ctx, bootstrapName, &ecs.TaskDefinitionArgs{
		Family:                  pulumi.Sprintf("%s-%s", f.args.Project, bootstrapName),
		RequiresCompatibilities: pulumi.ToStringArray([]string{"FARGATE"}),
		NetworkMode:             pulumi.String("awsvpc"),
		Cpu:                     pulumi.String("256"),
		Memory:                  pulumi.String("512"),
		RuntimePlatform: &ecs.TaskDefinitionRuntimePlatformArgs{
			OperatingSystemFamily: pulumi.String("LINUX"), CpuArchitecture: pulumi.String("ARM64"),
		},
		ExecutionRoleArn:     role.Arn,
		ContainerDefinitions: containers,
		SkipDestroy:          pulumi.Bool(true),
	}, parent, pulumi.DependsOn([]pulumi.Resource{logPolicy, creds}))
	if err != nil {
		return err
	}
	commands[bootstrapName] = f.runTaskCommand(td, sg)
	return nil
}
