package fleet

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/config"
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
	return f.newBootstrapTask(ctx, bootstrapTask{
		name: documentDBBootstrapName, store: datalayer.DocumentDB,
		sgDescription:   "DocumentDB bootstrap task: no ingress; DocumentDB and HTTPS for ECR Public and the RDS CA bundle",
		internetWhy:     "ECR Public (the mongo image) and the RDS CA bundle, through NAT",
		roleDescription: "DocumentDB bootstrap task: logs and the master and user secrets",
		secrets:         withPasswords(map[string]datalayer.SecretRef{config.MongoURIVariable: b.Master}, b.Passwords),
		credentials:     b.Credentials,
		container: func(c *containerDefinition) {
			c.Image, c.User = DocumentDBBootstrapImage, "mongodb"
			// The image's entrypoint runs any mongo* command as given.
			c.Command = []string{"mongosh", "--nodb", "--quiet", "--eval", b.Script}
			c.WorkingDirectory = mongoHome // where the script writes the CA bundle the URL's tlsCAFile names
			c.MountPoints = []mountPoint{{SourceVolume: mongoHomeVolume, ContainerPath: mongoHome}}
		},
		volumes: ecs.TaskDefinitionVolumeArray{ecs.TaskDefinitionVolumeArgs{Name: pulumi.String(mongoHomeVolume)}},
	}, commands)
}
