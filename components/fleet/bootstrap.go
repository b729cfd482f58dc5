package fleet

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/config"
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
	return f.newBootstrapTask(ctx, bootstrapTask{
		name: bootstrapName, store: datalayer.Postgres,
		sgDescription:   "PostgreSQL bootstrap task: no ingress; PostgreSQL and HTTPS for ECR Public",
		internetWhy:     "ECR Public (the postgres client image), through NAT",
		roleDescription: "PostgreSQL bootstrap task: logs and the master and role secrets",
		secrets:         withPasswords(map[string]datalayer.SecretRef{config.DatabaseURLVariable: b.Master}, b.Passwords),
		credentials:     b.Credentials,
		container: func(c *containerDefinition) {
			c.Image, c.User = BootstrapImage, "postgres"
			c.Command = []string{"sh", "-c", b.Script}
			c.Environment = []keyValue{{Name: datalayer.BootstrapSQLVar, Value: b.SQL}}
		},
	}, commands)
}
