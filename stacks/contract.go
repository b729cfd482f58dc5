package stacks

import (
	"fmt"
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ContractOutput is the primary stack's output holding the Contract (every
// field but the secret ones), and SecretContractOutput the secret fields.
const (
	ContractOutput       = "drContract"
	SecretContractOutput = "drContractSecrets"
)

// Contract is what a primary stack hands its recovery stack: the one Go
// type both sides use. The primary fills it and calls Export; the recovery
// stack gets it back from ReadContract through a pulumi.StackReference.
// Each field's `dr` tag is its key in the drContract output; fields tagged
// `secret:"true"` travel in drContractSecrets, so only they are secret on
// the recovery side. Fields are StringOutput or StringMapOutput; a store
// the primary does not have exports "" (or an empty map).
type Contract struct {
	// Region is the primary's region; VpcCidr its VPC's CIDR.
	Region  pulumi.StringOutput `dr:"region"`
	VpcCidr pulumi.StringOutput `dr:"vpcCidr"`
	// ZoneID is the public hosted zone the failover records live in.
	ZoneID pulumi.StringOutput `dr:"zoneId"`
	// SecretArns are the primary secrets by name; SecretsReplicaKeyArns the
	// secrets key's replica by region.
	SecretArns            pulumi.StringMapOutput `dr:"secretArns"`
	SecretsReplicaKeyArns pulumi.StringMapOutput `dr:"secretsReplicaKeyArns"`
	// AppKeyArns are the multi-Region application keys (secrets.keys) by
	// name, which the recovery stack replicates into its region.
	AppKeyArns pulumi.StringMapOutput `dr:"appKeyArns"`
	// SecretKeyArns are the key encrypting each secret (a single-reader
	// secret has its own multi-Region key; its reader decrypts with the
	// key's replica in the recovery region).
	SecretKeyArns pulumi.StringMapOutput `dr:"secretKeyArns"`
	// PostgresArn and PostgresID are the primary PostgreSQL instance.
	PostgresArn pulumi.StringOutput `dr:"postgresArn"`
	PostgresID  pulumi.StringOutput `dr:"postgresId"`
	// PostgresSubnetGroup and DataKeyArn are where, and under which key, a
	// failback re-seeds the primary's PostgreSQL.
	PostgresSubnetGroup pulumi.StringOutput `dr:"postgresSubnetGroup"`
	DataKeyArn          pulumi.StringOutput `dr:"dataKeyArn"`
	// PostgresUsername, PostgresDatabase and PostgresPassword are the
	// primary's master credentials, which the cross-Region replica
	// inherits: the recovery stack's connection secret names its own
	// endpoint with them (the password travels as the Redis token does).
	PostgresUsername pulumi.StringOutput `dr:"postgresUsername"`
	PostgresDatabase pulumi.StringOutput `dr:"postgresDatabase"`
	PostgresPassword pulumi.StringOutput `dr:"postgresPassword" secret:"true"`
	// MongoGlobalClusterID is the DocumentDB global cluster; MongoClusterArn
	// the primary's member (the failback switchover target).
	MongoGlobalClusterID pulumi.StringOutput `dr:"mongoGlobalClusterId"`
	MongoClusterArn      pulumi.StringOutput `dr:"mongoClusterArn"`
	// MongoUsername and MongoPassword are the global cluster's master
	// credentials, which its secondary inherits.
	MongoUsername pulumi.StringOutput `dr:"mongoUsername"`
	MongoPassword pulumi.StringOutput `dr:"mongoPassword" secret:"true"`
	// RedisGlobalGroupID is the ElastiCache Global Datastore, RedisGroupID
	// the primary's member; RedisAuthToken the AUTH token they share.
	RedisGlobalGroupID pulumi.StringOutput `dr:"redisGlobalGroupId"`
	RedisGroupID       pulumi.StringOutput `dr:"redisGroupId"`
	RedisAuthToken     pulumi.StringOutput `dr:"redisAuthToken" secret:"true"`
	// ReplicaBuckets are the data buckets' replicas in the recovery region
	// by logical name; ReplicaBucketKeyArn the key they are encrypted with.
	ReplicaBuckets      pulumi.StringMapOutput `dr:"replicaBuckets"`
	ReplicaBucketKeyArn pulumi.StringOutput    `dr:"replicaBucketKeyArn"`
	// SiteReplicaBucket is the site bucket's replica, DistributionID the
	// distribution failing over to it.
	SiteReplicaBucket pulumi.StringOutput `dr:"siteReplicaBucket"`
	DistributionID    pulumi.StringOutput `dr:"distributionId"`
	// APIHealthCheckID measures the primary's API; APIFailoverSwitchID is
	// the operator's switch its api./ws. failover records answer to.
	APIHealthCheckID    pulumi.StringOutput `dr:"apiHealthCheckId"`
	APIFailoverSwitchID pulumi.StringOutput `dr:"apiFailoverSwitchId"`
	// ClusterName is the primary's ECS cluster (failback).
	ClusterName pulumi.StringOutput `dr:"clusterName"`
	// ImageReplicaURLs are the primary's image repositories as ECR
	// replication creates them in the recovery region, by repository name;
	// ImageReplicaKeyArn the key its creation template encrypts them with.
	ImageReplicaURLs   pulumi.StringMapOutput `dr:"imageReplicaUrls"`
	ImageReplicaKeyArn pulumi.StringOutput    `dr:"imageReplicaKeyArn"`
	// FleetRuntime is the primary fleet's runtime (ecs, eks; "" without a
	// fleet) and FleetNamespace its Kubernetes namespace on eks: how the
	// runbook fences the primary's services.
	FleetRuntime   pulumi.StringOutput `dr:"fleetRuntime"`
	FleetNamespace pulumi.StringOutput `dr:"fleetNamespace"`
	// OriginVerify is the header value the primary's distribution sends its
	// ALB origin (stacks.originVerify): the recovery ALB, reached through
	// the same origin.<domain> after a failover, requires the same value.
	// OriginHealthCheckID measures the primary's ALB, OriginFailoverSwitchID
	// is the switch its origin.<domain> record answers to.
	// Both "" unless the primary's ALB is behind its frontend with a drRegion.
	OriginVerify           pulumi.StringOutput `dr:"originVerify" secret:"true"`
	OriginHealthCheckID    pulumi.StringOutput `dr:"originHealthCheckId"`
	OriginFailoverSwitchID pulumi.StringOutput `dr:"originFailoverSwitchId"`
	// ValidationRecords maps each name whose ACM validation record the
	// primary writes to the record's fqdn: the recovery stack's
	// certificates for those names validate against it and write none
	// (stacks.certificates).
	ValidationRecords pulumi.StringMapOutput `dr:"validationRecords"`
}

var (
	stringOutputType    = reflect.TypeOf(pulumi.StringOutput{})
	stringMapOutputType = reflect.TypeOf(pulumi.StringMapOutput{})
)

// Export publishes the contract as the stack's drContract and
// drContractSecrets outputs. Unset fields export "" or {}.
func (c *Contract) Export(ctx *pulumi.Context) {
	plain, secret := pulumi.Map{}, pulumi.Map{}
	v := reflect.ValueOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		key := f.Tag.Get("dr")
		var out pulumi.Output
		switch f.Type {
		case stringOutputType:
			o := v.Field(i).Interface().(pulumi.StringOutput)
			if o == (pulumi.StringOutput{}) {
				o = pulumi.String("").ToStringOutput()
			}
			out = o
		case stringMapOutputType:
			o := v.Field(i).Interface().(pulumi.StringMapOutput)
			if o == (pulumi.StringMapOutput{}) {
				o = pulumi.StringMap{}.ToStringMapOutput()
			}
			out = o
		default:
			panic(fmt.Sprintf("stacks.Contract.%s: unsupported type %s", f.Name, f.Type))
		}
		if f.Tag.Get("secret") == "true" {
			secret[key] = pulumi.ToSecret(out).(pulumi.Output)
		} else {
			plain[key] = out
		}
	}
	ctx.Export(ContractOutput, plain)
	ctx.Export(SecretContractOutput, pulumi.ToSecret(secret))
}

// ReadContract reads the primary stack's contract through a StackReference
// named by dr.primaryStack. A field the primary does not export fails the
// run with the key and the fix (deploy the primary first).
func ReadContract(ctx *pulumi.Context, stack string) (*Contract, error) {
	ref, err := pulumi.NewStackReference(ctx, "primary", &pulumi.StackReferenceArgs{Name: pulumi.String(stack)})
	if err != nil {
		return nil, err
	}
	plain := ref.GetOutput(pulumi.String(ContractOutput))
	secret := ref.GetOutput(pulumi.String(SecretContractOutput))
	c := &Contract{}
	v := reflect.ValueOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		key := f.Tag.Get("dr")
		src := plain
		if f.Tag.Get("secret") == "true" {
			src = secret
		}
		field := func(raw any) (any, error) {
			m, ok := raw.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("stack %s exports no %s: deploy the primary stack first (pulumi up --stack %s)", stack, ContractOutput, stack)
			}
			x, ok := m[key]
			if !ok {
				return nil, fmt.Errorf("stack %s exports no %s.%s: update the primary stack first (pulumi up --stack %s)", stack, ContractOutput, key, stack)
			}
			return x, nil
		}
		switch f.Type {
		case stringOutputType:
			out := src.ApplyT(func(raw any) (string, error) {
				x, err := field(raw)
				if err != nil {
					return "", err
				}
				s, _ := x.(string)
				return s, nil
			}).(pulumi.StringOutput)
			v.Field(i).Set(reflect.ValueOf(out))
		case stringMapOutputType:
			out := src.ApplyT(func(raw any) (map[string]string, error) {
				x, err := field(raw)
				if err != nil {
					return nil, err
				}
				m := map[string]string{}
				if xm, ok := x.(map[string]any); ok {
					for k, val := range xm {
						m[k], _ = val.(string)
					}
				}
				return m, nil
			}).(pulumi.StringMapOutput)
			v.Field(i).Set(reflect.ValueOf(out))
		default:
			return nil, fmt.Errorf("stacks.Contract.%s: unsupported type %s", f.Name, f.Type)
		}
	}
	return c, nil
}

// index is one key of a StringMapOutput ("" when absent).
func index(m pulumi.StringMapOutput, key string) pulumi.StringOutput {
	return m.ApplyT(func(x map[string]string) string { return x[key] }).(pulumi.StringOutput)
}
