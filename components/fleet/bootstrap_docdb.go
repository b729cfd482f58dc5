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

// DocumentDBBootstrapImage is the mongosh the DocumentDB bootstrap runs:
// the Docker official mongo image on ECR Public, pinned (8.0.16, built
// for arm64v8 on Ubuntu noble, docker-library/mongo versions.json). Every
// official mongo image since 5.0 ships mongosh, and 6.0 dropped the
// legacy mongo shell (docker-library/mongo#497, #558).
const DocumentDBBootstrapImage = "public.ecr.aws/docker/library/mongo:8.0.16"

// documentDBBootstrapName is the DocumentDB bootstrap task's logical name,
// log stream and MigrationCommands key.
const documentDBBootstrapName = "documentdb-bootstrap"

// mongoHome is the mongo image's HOME and a VOLUME its Dockerfile owns by
// user mongodb: a task bind mount at that path gets the image's content
// and ownership (ECS copies a VOLUME directive's path into a bind mount
// whose containerPath matches it,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html),
// so the non-root user can write the CA bundle and mongosh its logs there
// while the root filesystem stays read-only. An empty bind mount elsewhere
// would be root's alone (aws/containers-roadmap#938).
const mongoHome = "/data/db"

// mongoHomeVolume is the task volume mounted at mongoHome.
const mongoHomeVolume = "home"

// newDocumentDBBootstrap defines the one-off task that creates the
// services' DocumentDB users (datalayer.DocumentDBBootstrap,
// data.documentdb.serviceUsers) as the master user, shaped as the
// PostgreSQL bootstrap (bootstrap.go): its own execution role, the only
// one that reads the DocumentDB master secret (and the users'
// passwords), its own security group reaching DocumentDB and HTTPS
// through NAT (ECR Public and the RDS CA bundle), its own log group. The
// command is MigrationCommands["documentdb-bootstrap"]: run it once after
// the first `pulumi up`, before the services' first deployment, after
// adding a service that uses mongo, and after every master password
// rotation.
func (f *Fleet) newDocumentDBBootstrap(ctx *pulumi.Context, commands pulumi.StringMap) error {
	data := f.args.Data
	if data == nil {
		return nil
	}
	b, ok := data.DocumentDBBootstrap()
	if !ok {
		return nil
	}
	name := documentDBBootstrapName
	parent := pulumi.Parent(f)
	net := f.args.Network
	sg, err := ec2.NewSecurityGroup(ctx, name, &ec2.SecurityGroupArgs{
		VpcId:       net.VpcID,
		Description: pulumi.String("DocumentDB bootstrap task: no ingress; DocumentDB and HTTPS for ECR Public and the RDS CA bundle"),
	}, parent)
	if err != nil {
		return err
	}
	if err := f.egress(ctx, name+"-egress-internet-443", sg, 443, "ECR Public (the mongo image) and the RDS CA bundle, through NAT",
		&vpc.SecurityGroupEgressRuleArgs{CidrIpv4: pulumi.String("0.0.0.0/0")}); err != nil {
		return err
	}
	if err := f.egress(ctx, name+"-egress-endpoints", sg, 443, "VPC interface endpoints (Secrets Manager, logs, KMS)",
		&vpc.SecurityGroupEgressRuleArgs{ReferencedSecurityGroupId: net.EndpointSecurityGroupID}); err != nil {
		return err
	}
	if err := data.AllowFrom(ctx, name, sg, datalayer.DocumentDB); err != nil {
		return err
	}
	logs, err := f.logGroup(ctx, name+"-logs", name)
	if err != nil {
		return err
	}
	role, err := iam.NewRole(ctx, name+"-exec", &iam.RoleArgs{
		Description:      pulumi.String("DocumentDB bootstrap task: logs and the master and user secrets"),
		AssumeRolePolicy: policy.ServiceTrust(ctx, f, "ecs-tasks.amazonaws.com", f.account),
	}, parent)
	if err != nil {
		return err
	}
	g := policy.NewGrantee(name+"-exec", role)
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
	secrets := map[string]datalayer.SecretRef{"MONGO_URI": b.Master}
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
			Name: name, Image: DocumentDBBootstrapImage, Essential: true,
			// The image's entrypoint runs any mongo* command as given.
			Command:                []string{"mongosh", "--nodb", "--quiet", "--eval", b.Script},
			User:                   "mongodb",
			WorkingDirectory:       mongoHome, // where the script writes the CA bundle the URL's tlsCAFile names
			ReadonlyRootFilesystem: true,
			PortMappings:           []portMapping{},
			MountPoints:            []mountPoint{{SourceVolume: mongoHomeVolume, ContainerPath: mongoHome}},
			Environment:            []keyValue{},
			LinuxParameters:        linuxParameters{InitProcessEnabled: true},
			LogConfiguration: logConfiguration{LogDriver: "awslogs", Options: map[string]string{
				"awslogs-group": v[len(keys)].(string), "awslogs-region": f.args.Region, "awslogs-stream-prefix": name,
			}},
		}
		for i, k := range keys {
			c.Secrets = append(c.Secrets, secretValue{Name: k, ValueFrom: v[i].(string)})
		}
		out, err := json.Marshal([]containerDefinition{c})
		return string(out), err
	}).(pulumi.StringOutput)
	td, err := ecs.NewTaskDefinition(ctx, name, &ecs.TaskDefinitionArgs{
		Family:                  pulumi.Sprintf("%s-%s", f.args.Project, name),
		RequiresCompatibilities: pulumi.ToStringArray([]string{"FARGATE"}),
		NetworkMode:             pulumi.String("awsvpc"),
		Cpu:                     pulumi.String("256"),
		Memory:                  pulumi.String("512"),
		RuntimePlatform: &ecs.TaskDefinitionRuntimePlatformArgs{
			OperatingSystemFamily: pulumi.String("LINUX"), CpuArchitecture: pulumi.String("ARM64"),
		},
		ExecutionRoleArn:     role.Arn,
		ContainerDefinitions: containers,
		Volumes:              ecs.TaskDefinitionVolumeArray{ecs.TaskDefinitionVolumeArgs{Name: pulumi.String(mongoHomeVolume)}},
		SkipDestroy:          pulumi.Bool(true),
	}, parent, pulumi.DependsOn([]pulumi.Resource{logPolicy, creds}))
	if err != nil {
		return err
	}
	commands[name] = f.runTaskCommand(td, sg)
	return nil
}
