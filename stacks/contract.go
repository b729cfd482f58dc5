package stacks

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/drlink"
)

// ContractOutput is the primary stack's output holding the Contract (every
// field but the secret ones), and SecretContractOutput the secret fields.
const (
	ContractOutput       = "drContract"
	SecretContractOutput = "drContractSecrets"
)

// Contract is what a primary stack hands its recovery stack: the one Go
// type both sides use. The primary fills it, exports it and replicates it
// into the recovery Region (documents, drlink.Publish); the recovery stack
// gets it back from ReadContract, in its own Region, without reading the
// primary's state.
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

// contractField is one field of the contract: its key (the `dr` tag),
// whether it is secret, and its value ("" or {} when unset).
type contractField struct {
	key    string
	secret bool
	out    pulumi.Output
}

// fields are the contract's fields in declaration order.
func (c *Contract) fields() []contractField {
	var out []contractField
	v := reflect.ValueOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		var o pulumi.Output
		switch f.Type {
		case stringOutputType:
			s := v.Field(i).Interface().(pulumi.StringOutput)
			if s == (pulumi.StringOutput{}) {
				s = pulumi.String("").ToStringOutput()
			}
			o = s
		case stringMapOutputType:
			m := v.Field(i).Interface().(pulumi.StringMapOutput)
			if m == (pulumi.StringMapOutput{}) {
				m = pulumi.StringMap{}.ToStringMapOutput()
			}
			o = m
		default:
			panic(fmt.Sprintf("stacks.Contract.%s: unsupported type %s", f.Name, f.Type))
		}
		out = append(out, contractField{key: f.Tag.Get("dr"), secret: f.Tag.Get("secret") == "true", out: o})
	}
	return out
}

// Export publishes the contract as the stack's drContract and
// drContractSecrets outputs. Unset fields export "" or {}.
func (c *Contract) Export(ctx *pulumi.Context) {
	plain, secret := pulumi.Map{}, pulumi.Map{}
	for _, f := range c.fields() {
		if f.secret {
			secret[f.key] = pulumi.ToSecret(f.out).(pulumi.Output)
		} else {
			plain[f.key] = f.out
		}
	}
	ctx.Export(ContractOutput, plain)
	ctx.Export(SecretContractOutput, pulumi.ToSecret(secret))
}

// documents are the contract's plain and secret halves as JSON objects
// (the drContract and drContractSecrets shapes), which the primary
// replicates into the recovery Region (drlink.Publish).
func (c *Contract) documents() (plain, secret pulumi.StringOutput) {
	var plainKeys, secretKeys []string
	var plainOut, secretOut []any
	for _, f := range c.fields() {
		if f.secret {
			secretKeys, secretOut = append(secretKeys, f.key), append(secretOut, f.out)
		} else {
			plainKeys, plainOut = append(plainKeys, f.key), append(plainOut, f.out)
		}
	}
	render := func(keys []string, outs []any) pulumi.StringOutput {
		return pulumi.All(outs...).ApplyT(func(vals []any) (string, error) {
			m := make(map[string]any, len(keys))
			for i, k := range keys {
				m[k] = vals[i]
			}
			b, err := json.Marshal(m) // keys sorted: the same contract renders the same bytes
			return string(b), err
		}).(pulumi.StringOutput)
	}
	return render(plainKeys, plainOut), render(secretKeys, secretOut)
}

// ReadContract reads the primary's last contract where the primary
// replicated it, in the recovery stack's own Region (provider): the plain
// fields from the SSM parameter, the secret ones from the Secrets Manager
// secret (drlink.ParameterName, drlink.SecretName). It is two data-source
// reads in this Region — no StackReference, nothing in the primary's
// Region or state — so `pulumi up` on the recovery stack runs while the
// primary's Region is down. A missing document or field fails the run
// with its name and the fix (deploy the primary first).
func ReadContract(ctx *pulumi.Context, project, primaryStack, region string, provider pulumi.ProviderResource) (*Contract, error) {
	stack := primaryStack[strings.LastIndex(primaryStack, "/")+1:]
	param, secretName := drlink.ParameterName(project, stack), drlink.SecretName(project, stack)
	fix := fmt.Sprintf("deploy the primary stack first (pulumi up --stack %s): it writes its DR contract into %s", stack, region)
	p, err := ssm.LookupParameter(ctx, &ssm.LookupParameterArgs{Name: param}, pulumi.Provider(provider))
	if err != nil {
		return nil, fmt.Errorf("the DR contract of stack %s (SSM parameter %s in %s) cannot be read: %s: %w", primaryStack, param, region, fix, err)
	}
	sv, err := secretsmanager.LookupSecretVersion(ctx, &secretsmanager.LookupSecretVersionArgs{SecretId: secretName}, pulumi.Provider(provider))
	if err != nil {
		return nil, fmt.Errorf("the DR contract of stack %s (secret %s in %s) cannot be read: %s: %w", primaryStack, secretName, region, fix, err)
	}
	var plain, secret map[string]any
	if err := json.Unmarshal([]byte(p.Value), &plain); err != nil {
		return nil, fmt.Errorf("the DR contract of stack %s (SSM parameter %s in %s) is not a JSON object: %s: %w", primaryStack, param, region, fix, err)
	}
	if err := json.Unmarshal([]byte(sv.SecretString), &secret); err != nil {
		return nil, fmt.Errorf("the DR contract of stack %s (secret %s in %s) is not a JSON object: %s: %w", primaryStack, secretName, region, fix, err)
	}
	c := &Contract{}
	v := reflect.ValueOf(c).Elem()
	var missing []string
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		key, src, isSecret := f.Tag.Get("dr"), plain, f.Tag.Get("secret") == "true"
		if isSecret {
			src = secret
		}
		x, ok := src[key]
		if !ok {
			missing = append(missing, ContractOutput+"."+key)
			continue
		}
		switch f.Type {
		case stringOutputType:
			s, _ := x.(string)
			out := pulumi.String(s).ToStringOutput()
			if isSecret {
				out = pulumi.ToSecret(out).(pulumi.StringOutput)
			}
			v.Field(i).Set(reflect.ValueOf(out))
		case stringMapOutputType:
			m := map[string]string{}
			if xm, ok := x.(map[string]any); ok {
				for k, val := range xm {
					m[k], _ = val.(string)
				}
			}
			out := pulumi.ToStringMap(m).ToStringMapOutput()
			if isSecret {
				out = pulumi.ToSecret(out).(pulumi.StringMapOutput)
			}
			v.Field(i).Set(reflect.ValueOf(out))
		default:
			return nil, fmt.Errorf("stacks.Contract.%s: unsupported type %s", f.Name, f.Type)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the DR contract of stack %s in %s has no %s: %s", primaryStack, region, strings.Join(missing, ", "), fix)
	}
	return c, nil
}

// index is one key of a StringMapOutput ("" when absent).
func index(m pulumi.StringMapOutput, key string) pulumi.StringOutput {
	return m.ApplyT(func(x map[string]string) string { return x[key] }).(pulumi.StringOutput)
}
