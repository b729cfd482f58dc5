package fleet

import (
	"encoding/json"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/internal/iamdoc"
)

// bootstrapTask is what differs between the one-off tasks that create the
// services' database users as the master (PostgreSQL: bootstrap.go;
// DocumentDB: bootstrap_docdb.go).
type bootstrapTask struct {
	// name is the logical name, log stream and MigrationCommands key.
	name string
	// store is the database the task reaches (its AllowFrom).
	store datalayer.Store
	// sgDescription, internetWhy and roleDescription describe the
	// security group, its HTTPS egress through NAT and the execution role.
	sgDescription, internetWhy, roleDescription string
	// secrets are the task's variables read from Secrets Manager (the
	// master connection and every user's password); credentials the stores
	// whose secrets the execution role reads.
	secrets     map[string]datalayer.SecretRef
	credentials []datalayer.Store
	// container sets the image, command, user and mounts of the container
	// newBootstrapTask has filled with the rest.
	container func(c *containerDefinition)
	volumes   ecs.TaskDefinitionVolumeArray
}

// newBootstrapTask defines a bootstrap task: its own security group (no
// ingress; the database and HTTPS through NAT — ECR Public has no VPC
// endpoint — and the interface endpoints), its own log group, its own
// execution role, the only one that reads the master secret, and a
// Fargate ARM64 task definition kept on replacement; the command to run it
// goes to commands[t.name].
func (f *Fleet) newBootstrapTask(ctx *pulumi.Context, t bootstrapTask, commands pulumi.StringMap) error {
	data := f.args.Data
	parent := pulumi.Parent(f)
	net := f.args.Network
	sg, err := ec2.NewSecurityGroup(ctx, t.name, &ec2.SecurityGroupArgs{
		VpcId:       net.VpcID,
		Description: pulumi.String(t.sgDescription),
	}, parent)
	if err != nil {
		return err
	}
	if err := f.egress(ctx, t.name+"-egress-internet-443", sg, 443, t.internetWhy,
		&vpc.SecurityGroupEgressRuleArgs{CidrIpv4: pulumi.String("0.0.0.0/0")}); err != nil {
		return err
	}
	if err := f.egress(ctx, t.name+"-egress-endpoints", sg, 443, "VPC interface endpoints (Secrets Manager, logs, KMS)",
		&vpc.SecurityGroupEgressRuleArgs{ReferencedSecurityGroupId: net.EndpointSecurityGroupID}); err != nil {
		return err
	}
	if err := data.AllowFrom(ctx, t.name, sg, t.store); err != nil {
		return err
	}
	logs, err := f.logGroup(ctx, t.name+"-logs", t.name)
	if err != nil {
		return err
	}
	role, err := iam.NewRole(ctx, t.name+"-exec", &iam.RoleArgs{
		Description:      pulumi.String(t.roleDescription),
		AssumeRolePolicy: iamdoc.ServiceTrust(ctx, f, "ecs-tasks.amazonaws.com", f.account),
	}, parent)
	if err != nil {
		return err
	}
	g := iamdoc.NewGrantee(t.name+"-exec", role)
	logPolicy, err := iamdoc.Attach(ctx, f, g, "logs", iam.GetPolicyDocumentStatementArray{
		allow("WriteOwnLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, logs.Arn, pulumi.Sprintf("%s:*", logs.Arn)),
	})
	if err != nil {
		return err
	}
	creds, err := data.GrantCredentials(ctx, g, t.credentials...)
	if err != nil {
		return err
	}
	keys := sortedKeys(t.secrets)
	var refs []any
	for _, k := range keys {
		refs = append(refs, t.secrets[k].ValueFrom())
	}
	refs = append(refs, logs.Name)
	containers := pulumi.All(refs...).ApplyT(func(v []any) (string, error) {
		c := containerDefinition{
			Name: t.name, Essential: true,
			ReadonlyRootFilesystem: true,
			PortMappings:           []portMapping{}, MountPoints: []mountPoint{}, Environment: []keyValue{},
			LinuxParameters: linuxParameters{InitProcessEnabled: true},
			LogConfiguration: logConfiguration{LogDriver: "awslogs", Options: map[string]string{
				"awslogs-group": v[len(keys)].(string), "awslogs-region": f.args.Region, "awslogs-stream-prefix": t.name,
			}},
		}
		t.container(&c)
		for i, k := range keys {
			c.Secrets = append(c.Secrets, secretValue{Name: k, ValueFrom: v[i].(string)})
		}
		out, err := json.Marshal([]containerDefinition{c})
		return string(out), err
	}).(pulumi.StringOutput)
	td, err := ecs.NewTaskDefinition(ctx, t.name, &ecs.TaskDefinitionArgs{
		Family:                  pulumi.Sprintf("%s-%s", f.args.Project, t.name),
		RequiresCompatibilities: pulumi.ToStringArray([]string{"FARGATE"}),
		NetworkMode:             pulumi.String("awsvpc"),
		Cpu:                     pulumi.String("256"),
		Memory:                  pulumi.String("512"),
		RuntimePlatform: &ecs.TaskDefinitionRuntimePlatformArgs{
			OperatingSystemFamily: pulumi.String("LINUX"), CpuArchitecture: pulumi.String("ARM64"),
		},
		ExecutionRoleArn:     role.Arn,
		ContainerDefinitions: containers,
		Volumes:              t.volumes,
		SkipDestroy:          pulumi.Bool(true),
	}, parent, pulumi.DependsOn([]pulumi.Resource{logPolicy}), creds.ApplyBefore())
	if err != nil {
		return err
	}
	commands[t.name] = f.runTaskCommand(td, sg)
	return nil
}

// withPasswords is secrets plus the users' passwords.
func withPasswords(secrets, passwords map[string]datalayer.SecretRef) map[string]datalayer.SecretRef {
	for k, v := range passwords {
		secrets[k] = v
	}
	return secrets
}
