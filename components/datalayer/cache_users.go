package datalayer

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elasticache"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
)

// Redis RBAC users (data.redis.serviceUsers, issue 15 item 2): every
// consumer of Redis connects as an ElastiCache user of its own, whose
// access string (config.RedisAccessString) holds its key patterns and no
// @dangerous command, instead of sharing one AUTH token that opens every
// key and command to all of them
// (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html).
//
// AWS facts followed (same page): RBAC needs Redis OSS 6.0+ and in-transit
// encryption on the replication group (config checks the version; the
// group always has TLS); every user group must hold a user named
// `default` (CloudFormation AWS::ElastiCache::UserGroup UserIds: "A user
// named default must be included",
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticache-usergroup.html),
// so the group holds one that is `off` (AWS: "replace this default user
// with a new one that isn't enabled"); passwords are 16–128 printable
// characters without , " / @ (letters and digits here); user and group
// ids match [a-zA-Z][a-zA-Z0-9-]* (group ids lowercase, CloudFormation
// UserGroupId pattern [a-z][a-z0-9\-]*). A user group and an AUTH token
// exclude each other (terraform-provider-aws replication_group.go:
// user_group_ids ConflictsWith auth_token); neither is ForceNew, so
// switching a deployed group does not replace it — but see docs/security.md
// "Trust boundaries" for the one-off migration command the provider
// cannot send.

// redisUserPasswordLength is the generated users' password length (16–128).
const redisUserPasswordLength = 64

// redisUser is one consumer's Redis user and connection.
type redisUser struct {
	name string
	conn Connection
}

// redisIDPrefix is the prefix of this stack's user and group ids:
// users and groups are regional and account-wide, so two stacks of a
// project in one Region need distinct ids.
func (d *DataLayer) redisIDPrefix(ctx *pulumi.Context) string {
	return strings.ToLower(strings.ReplaceAll(fmt.Sprintf("%s-%s", d.args.Project, ctx.Stack()), "_", "-"))
}

// RedisUserID is the ElastiCache user id of a consumer (its name, _ as -).
func RedisUserID(prefix, consumer string) string {
	return prefix + "-" + strings.ToLower(strings.ReplaceAll(consumer, "_", "-"))
}

// newRedisUsers creates the disabled default user, one user per consumer
// and the user group holding them, and returns the group's id for the
// replication group.
func (d *DataLayer) newRedisUsers(ctx *pulumi.Context, r *config.Redis) (pulumi.StringOutput, error) {
	parent := pulumi.Parent(d)
	prefix := d.redisIDPrefix(ctx)
	password := func(name string) (pulumi.StringOutput, error) {
		pw, err := random.NewRandomPassword(ctx, name+"-password", &random.RandomPasswordArgs{
			Length:  pulumi.Int(redisUserPasswordLength),
			Special: pulumi.Bool(false),
		}, parent)
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		return pw.Result, nil
	}
	defPW, err := password("redis-user-default")
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	def, err := elasticache.NewUser(ctx, "redis-user-default", &elasticache.UserArgs{
		UserId:       pulumi.String(prefix + "-default"),
		UserName:     pulumi.String("default"),
		Engine:       pulumi.String("redis"),
		AccessString: pulumi.String("off -@all"),
		Passwords:    pulumi.StringArray{defPW},
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	ids := pulumi.StringArray{def.UserId}
	d.redisUsers = map[string]*redisUser{}
	d.redisPasswords = map[string]pulumi.StringOutput{}
	for _, consumer := range d.args.RedisConsumers {
		name := "redis-user-" + consumer
		pw, err := password(name)
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		u, err := elasticache.NewUser(ctx, name, &elasticache.UserArgs{
			UserId:       pulumi.String(RedisUserID(prefix, consumer)),
			UserName:     pulumi.String(consumer),
			Engine:       pulumi.String("redis"),
			AccessString: pulumi.String(config.RedisAccessString(r.KeyPatterns[consumer])),
			Passwords:    pulumi.StringArray{pw},
		}, parent)
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		ids = append(ids, u.UserId)
		d.redisUsers[consumer] = &redisUser{name: consumer}
		d.redisPasswords[consumer] = pw
	}
	group, err := elasticache.NewUserGroup(ctx, "redis", &elasticache.UserGroupArgs{
		UserGroupId: pulumi.String(prefix + "-redis"),
		Engine:      pulumi.String("redis"),
		UserIds:     ids,
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return group.UserGroupId, nil
}

// RedisURL is a consumer's REDIS_URL: TLS (rediss), its user and password
// (percent-encoded), the primary endpoint, database 0.
func RedisURL(user, password, host string, port int) string {
	return fmt.Sprintf("rediss://%s:%s@%s:%d/0", escapeURLPart(user), escapeURLPart(password), host, port)
}

// connectRedisUsers creates each consumer's secret "redis-<consumer>-url"
// (its REDIS_URL, under the layer key) and records it as the consumer's
// connection and credentials ("redis-<consumer>").
func (d *DataLayer) connectRedisUsers(ctx *pulumi.Context, host pulumi.StringOutput) error {
	for _, consumer := range d.args.RedisConsumers {
		u := d.redisUsers[consumer]
		key := Store(string(Redis) + "-" + consumer)
		name := string(key) + "-url"
		secret, err := secretsmanager.NewSecret(ctx, name, &secretsmanager.SecretArgs{
			Description:          pulumi.Sprintf("REDIS_URL of the %s consumer: its own ElastiCache user (generated by Pulumi)", consumer),
			KmsKeyId:             d.key.Arn,
			RecoveryWindowInDays: pulumi.Int(30),
		}, d.protect()...)
		if err != nil {
			return err
		}
		value := pulumi.All(d.redisPasswords[consumer], host).ApplyT(func(xs []any) string {
			return RedisURL(consumer, xs[0].(string), xs[1].(string), config.RedisPort)
		}).(pulumi.StringOutput)
		version, err := secretsmanager.NewSecretVersion(ctx, name, &secretsmanager.SecretVersionArgs{
			SecretId:     secret.ID(),
			SecretString: pulumi.ToSecret(value).(pulumi.StringOutput),
		}, pulumi.Parent(d))
		if err != nil {
			return err
		}
		// Consumers get the ARN through the version (as newOwnedSecret).
		arn := pulumi.All(secret.Arn, version.ID()).ApplyT(func(xs []any) string { return xs[0].(string) }).(pulumi.StringOutput)
		d.credentials[key] = credential{arn: arn}
		u.conn = Connection{
			Store:   key,
			Env:     map[string]pulumi.StringOutput{},
			Secrets: map[string]SecretRef{config.RedisURLVariable: {ARN: arn}},
		}
	}
	return nil
}
