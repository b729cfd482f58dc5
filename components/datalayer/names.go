package datalayer

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// PostgresNames are the names operators' commands use for the PostgreSQL
// writer (stacks' runbooks: point-in-time restore, DatabaseConnections):
// its DB instance identifier, DB subnet group, parameter group and
// security group. Each is "" without PostgreSQL.
type PostgresNames struct {
	Identifier      pulumi.StringOutput
	SubnetGroup     pulumi.StringOutput
	ParameterGroup  pulumi.StringOutput
	SecurityGroupID pulumi.StringOutput
}

// identifier is the configured DB instance identifier, or nil for a name
// Pulumi generates.
func identifier(name string) pulumi.StringPtrInput {
	if name == "" {
		return nil
	}
	return pulumi.String(name)
}

// defaultNames gives every name output a value ("") when its store is absent.
func (d *DataLayer) defaultNames() {
	empty := pulumi.String("").ToStringOutput()
	for _, o := range []*pulumi.StringOutput{&d.Postgres.Identifier, &d.Postgres.SubnetGroup,
		&d.Postgres.ParameterGroup, &d.Postgres.SecurityGroupID} {
		if *o == (pulumi.StringOutput{}) {
			*o = empty
		}
	}
}
