package secrets

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
)

// Application keys (config.AppKey): KMS keys the application encrypts
// fields with. In a primary stack each is a multi-Region primary key —
// always, whether or not the stack has a DR region yet, since MultiRegion
// cannot change without replacing the key and losing what it encrypted
// (https://www.pulumi.com/registry/packages/aws-v6/api-docs/kms/key/,
// multiRegion forces a new key) — rotated yearly, administered by the
// account (iamdoc.AccountRoot, no wildcard principal). A recovery stack
// creates the key's replica in its own region (kms.ReplicaKey,
// https://www.pulumi.com/registry/packages/aws-v6/api-docs/kms/replicakey/):
// the same key id mrk-… and key material, so a field encrypted in the
// primary decrypts here after a failover; rotation is a shared property
// the primary sets for all its replicas
// (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-manage.html#multi-region-rotate).
// Each key has the alias alias/<project>-<stack>-<name>, the program's
// alias convention.

// appKey is one application key in this stack's region.
type appKey struct {
	arn    pulumi.StringOutput
	envVar string
}

// keyOpts are a stateful child's options: parented and protected as the stack says.
func (s *Secrets) keyOpts(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return append([]pulumi.ResourceOption{pulumi.Parent(s), pulumi.Protect(s.args.Protect)}, extra...)
}

// newAppKeys creates the primary stack's application keys under keyPolicy.
func (s *Secrets) newAppKeys(ctx *pulumi.Context, keyPolicy pulumi.StringOutput) (pulumi.StringMap, error) {
	a := s.args
	arns := pulumi.StringMap{}
	for _, name := range sortedKeyNames(a.Spec.Keys) {
		spec := a.Spec.Keys[name]
		key, err := kms.NewKey(ctx, "key-"+name, &kms.KeyArgs{
			Description:          pulumi.String(spec.Description),
			EnableKeyRotation:    pulumi.Bool(true),
			DeletionWindowInDays: pulumi.Int(30),
			MultiRegion:          pulumi.Bool(true),
			Policy:               keyPolicy,
		}, s.keyOpts()...)
		if err != nil {
			return nil, err
		}
		if err := s.alias(ctx, name, key.KeyId); err != nil {
			return nil, err
		}
		s.keys[name] = appKey{arn: key.Arn, envVar: spec.EnvVar}
		arns[name] = key.Arn
	}
	return arns, nil
}

// replicateAppKeys creates, in a recovery stack, the replica of each of the
// primary's application keys (primary: their ARNs by name, from the
// contract) under keyPolicy.
func (s *Secrets) replicateAppKeys(ctx *pulumi.Context, primary pulumi.StringMapOutput, keyPolicy pulumi.StringOutput) (pulumi.StringMap, error) {
	a := s.args
	arns := pulumi.StringMap{}
	for _, name := range sortedKeyNames(a.Spec.Keys) {
		name, spec := name, a.Spec.Keys[name]
		primaryArn := primary.ApplyT(func(m map[string]string) (string, error) {
			arn, ok := m[name]
			if !ok || arn == "" {
				return "", fmt.Errorf("secrets: the primary stack exports no application key %s (drContract.appKeyArns): declare secrets.keys.%s there and run pulumi up on it first", name, name)
			}
			return arn, nil
		}).(pulumi.StringOutput)
		rk, err := kms.NewReplicaKey(ctx, "key-"+name, &kms.ReplicaKeyArgs{
			Description:          pulumi.Sprintf("%s (replica in %s)", spec.Description, a.Region),
			PrimaryKeyArn:        primaryArn,
			DeletionWindowInDays: pulumi.Int(30),
			Policy:               keyPolicy,
		}, s.keyOpts()...)
		if err != nil {
			return nil, err
		}
		if err := s.alias(ctx, name, rk.KeyId); err != nil {
			return nil, err
		}
		s.keys[name] = appKey{arn: rk.Arn, envVar: spec.EnvVar}
		arns[name] = rk.Arn
	}
	return arns, nil
}

func (s *Secrets) alias(ctx *pulumi.Context, name string, keyID pulumi.StringOutput) error {
	_, err := kms.NewAlias(ctx, "key-"+name+"-alias", &kms.AliasArgs{
		Name:        pulumi.Sprintf("alias/%s-%s-%s", s.args.Project, s.args.Stack, name),
		TargetKeyId: keyID,
	}, pulumi.Parent(s))
	return err
}

// appKeyPolicy is an application key's policy: the account administers it
// and delegates use to IAM (GrantUseKey); no other principal.
func (s *Secrets) appKeyPolicy(ctx *pulumi.Context) pulumi.StringOutput {
	if s.account == (pulumi.StringOutput{}) {
		s.account = iamdoc.Account(ctx, s)
	}
	return iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{iamdoc.AccountRoot(s.account, s.args.Partition)},
	}, pulumi.Parent(s)).Json()
}

// KeyEnv is the variable a service using key:<name> receives: the key's
// ARN (in a recovery stack, its replica's) under the key's envVar.
func (s *Secrets) KeyEnv(name string) (map[string]pulumi.StringOutput, error) {
	k, ok := s.keys[name]
	if !ok {
		return nil, fmt.Errorf("secrets: no application key %q (declared under secrets.keys: %v)", name, sortedKeyNames(s.args.Spec.Keys))
	}
	return map[string]pulumi.StringOutput{k.envVar: k.arn}, nil
}

// GrantUseKey lets the grantee encrypt and decrypt with the application key
// name: exactly kms:Decrypt and kms:GenerateDataKey on the key's ARN (the
// envelope encryption the application does, as the Dhanam guide's IAM
// policy lists), nothing else and no other key.
func (s *Secrets) GrantUseKey(ctx *pulumi.Context, g iamdoc.Grantee, name string) (iamdoc.Grant, error) {
	k, ok := s.keys[name]
	if !ok {
		return iamdoc.Grant{}, fmt.Errorf("secrets: GrantUseKey(%s): no application key %q", g.Name, name)
	}
	return iamdoc.AttachGrant(ctx, s, g, "key-"+name, iam.GetPolicyDocumentStatementArray{
		iam.GetPolicyDocumentStatementArgs{
			Sid:       pulumi.String("UseApplicationKey"),
			Effect:    pulumi.String("Allow"),
			Actions:   pulumi.ToStringArray([]string{"kms:Decrypt", "kms:GenerateDataKey"}),
			Resources: pulumi.StringArray{k.arn},
		},
	})
}

func sortedKeyNames(keys map[string]config.AppKey) []string {
	names := make([]string, 0, len(keys))
	for n := range keys {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
