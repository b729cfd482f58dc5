package stacks

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

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
	fe *frontend.Frontend, fl *fleet.Fleet, sl *serverless.Serverless, zone pulumi.StringInput, ov *fleet.OriginVerify,
) *Contract {
	d := data.DR
	c := &Contract{
		Region:                pulumi.String(cfg.Region).ToStringOutput(),
		VpcCidr:               net.CidrBlock,
		SecretArns:            sec.ARNs,
		SecretsReplicaKeyArns: sec.ReplicaKeyArns,
		PostgresArn:           d.PostgresArn,
		PostgresSubnetGroup:   d.PostgresSubnetGroup,
		DataKeyArn:            data.KeyArn,
		MongoGlobalClusterID:  d.MongoGlobalClusterID,
		MongoClusterArn:       d.MongoClusterArn,
		RedisGlobalGroupID:    d.RedisGlobalGroupID,
		RedisGroupID:          d.RedisGroupID,
		RedisAuthToken:        d.RedisAuthToken,
		ReplicaBuckets:        d.ReplicaBuckets,
		ReplicaBucketKeyArn:   d.ReplicaBucketKeyArn,
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
