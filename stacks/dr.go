package stacks

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/cert"
	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/fleet"
	"github.com/dbay/infra/components/frontend"
	"github.com/dbay/infra/components/network"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/components/serverless"
	"github.com/dbay/infra/config"
)

// primaryContract fills the contract from what a primary stack built.
func primaryContract(cfg *config.Config, net *network.Network, sec *secrets.Secrets, data *datalayer.DataLayer,
	fe *frontend.Frontend, fl *fleet.Fleet, sl *serverless.Serverless, zone pulumi.StringInput, ov *fleet.OriginVerify, certs *cert.Book,
) *Contract {
	d := data.DR
	c := &Contract{
		Region:                pulumi.String(cfg.Region).ToStringOutput(),
		VpcCidr:               net.CidrBlock,
		SecretArns:            sec.ARNs,
		SecretsReplicaKeyArns: sec.ReplicaKeyArns,
		AppKeyArns:            sec.AppKeyArns,
		SecretKeyArns:         sec.KeyArns,
		PostgresArn:           d.PostgresArn,
		PostgresSubnetGroup:   d.PostgresSubnetGroup,
		PostgresUsername:      d.PostgresUsername,
		PostgresDatabase:      d.PostgresDatabase,
		PostgresPassword:      d.PostgresPassword,
		DataKeyArn:            data.KeyArn,
		MongoGlobalClusterID:  d.MongoGlobalClusterID,
		MongoClusterArn:       d.MongoClusterArn,
		MongoUsername:         d.MongoUsername,
		MongoPassword:         d.MongoPassword,
		RedisGlobalGroupID:    d.RedisGlobalGroupID,
		RedisGroupID:          d.RedisGroupID,
		RedisAuthToken:        d.RedisAuthToken,
		ReplicaBuckets:        d.ReplicaBuckets,
		ReplicaBucketKeyArn:   d.ReplicaBucketKeyArn,
		ValidationRecords:     certs.Written(),
	}
	if d.PostgresArn != (pulumi.StringOutput{}) {
		// arn:aws:rds:<region>:<account>:db:<identifier>
		c.PostgresID = d.PostgresArn.ApplyT(func(arn string) string { return arn[strings.LastIndex(arn, ":")+1:] }).(pulumi.StringOutput)
	}
	if zone != nil {
		c.ZoneID = zone.ToStringOutput()
	}
	if fe != nil {
		c.ZoneID = fe.ZoneID
		c.SiteReplicaBucket = fe.ReplicaBucketName
		c.DistributionID = fe.DistributionID
	}
	if fl != nil {
		c.ClusterName = fl.ClusterName
		c.ImageReplicaURLs, c.ImageReplicaKeyArn = fl.ReplicaRepositoryURLs, fl.ReplicaImageKeyArn
		c.FleetRuntime = pulumi.String(cfg.Fleet.Runtime).ToStringOutput()
		if cfg.Fleet.Runtime == config.RuntimeEKS {
			c.FleetNamespace = pulumi.String(cfg.Fleet.EKS.Namespace).ToStringOutput()
		}
		c.OriginHealthCheckID = fl.OriginHealthCheckID
		c.OriginFailoverSwitchID = fl.OriginFailoverSwitchID
	}
	if ov != nil {
		c.OriginVerify = ov.Value.ToStringOutput()
	}
	if sl != nil {
		c.APIHealthCheckID = sl.APIHealthCheckID
		c.APIFailoverSwitchID = sl.APIFailoverSwitchID
	}
	return c
}

// storeArgs are the Secrets and DataLayer arguments and the hosted zone of
// a stack. A primary with a drRegion gets its stores' DR halves (global
// cluster, Global Datastore, replica buckets); a recovery stack consumes
// the primary's secrets replicas, joins its global stores and adopts its
// replica buckets, all from the contract, and uses the primary's zone.
func storeArgs(ctx *pulumi.Context, cfg *config.Config, providers *Providers, net *network.Network, contract *Contract,
) (*secrets.Args, *datalayer.Args, pulumi.StringInput) {
	sec := &secrets.Args{
		Env: cfg.Env(), Spec: cfg.Secrets, Values: cfg.SecretValues,
		DeployRole: cfg.Security.DeployRole, BreakGlassRole: cfg.Security.BreakGlassRole,
		ReplicaProviders: providers.ByRegion,
	}
	data := &datalayer.Args{
		Env: cfg.Env(), Spec: cfg.Data, Network: net,
		BackupTag: backupTag(cfg), Passive: cfg.Quiet(), ReportingReplicas: reportingReplicas(cfg),
		PostgresConsumers: cfg.PostgresConsumers(), RedisConsumers: cfg.RedisConsumers(), DocumentDBConsumers: cfg.DocumentDBConsumers(), OperatorRole: cfg.Security.OperatorRole,
	}
	var zone pulumi.StringInput
	switch {
	case contract != nil:
		sec.Replica = &secrets.Replica{PrimaryARNs: contract.SecretArns, KeyArn: index(contract.SecretsReplicaKeyArns, cfg.Region),
			AppKeyArns: contract.AppKeyArns, KeyArns: contract.SecretKeyArns}
		zone = contract.ZoneID
		data.DR = &datalayer.DR{Source: &datalayer.Source{
			PostgresArn: contract.PostgresArn, PostgresUsername: contract.PostgresUsername,
			PostgresPassword: contract.PostgresPassword, PostgresDatabase: contract.PostgresDatabase,
			MongoGlobalClusterID: contract.MongoGlobalClusterID,
			MongoUsername:        contract.MongoUsername, MongoPassword: contract.MongoPassword,
			RedisGlobalGroupID: contract.RedisGlobalGroupID, RedisAuthToken: contract.RedisAuthToken,
			ReplicaBuckets: contract.ReplicaBuckets, ReplicaBucketKeyArn: contract.ReplicaBucketKeyArn,
		}}
	case hasDR(cfg):
		zone = zoneID(ctx, cfg, providers)
		data.DR = &datalayer.DR{Region: cfg.DRRegion, Provider: providers.ByRegion[cfg.DRRegion]}
	default:
		zone = zoneID(ctx, cfg, providers)
	}
	data.ZoneID = zone
	return sec, data, zone
}

// reportingReplicas are the recovery stack's reporting replicas to build:
// dr.reportingReplicas once the stack is active (the failover's scale-up
// step runs after the promotion), none on standby or in a primary.
func reportingReplicas(cfg *config.Config) []string {
	if cfg.Role != config.RoleRecovery || cfg.Passive() {
		return nil
	}
	return cfg.DR.ReportingReplicas
}
