// Package secrets is the Secrets component: the stack's Secrets Manager
// secrets, the multi-Region KMS key that encrypts them (with a replica key
// in every replica region), and the grant methods that hand out
// least-privilege read access. Single-reader secrets (the wallet xpriv)
// get a resource policy denying every principal but their named readers.
package secrets

import (
	"errors"
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/components/internal/outputs"
	"github.com/dbay/infra/components/seal"
	"github.com/dbay/infra/config"
)

const typeToken = "dbay:components:Secrets"

// Args configures the secrets.
type Args struct {
	// Spec is the validated `secrets` config section. Required.
	Spec config.Secrets
	// Values are the `secretValues` of source-config secrets, by name.
	Values map[string]string
	// Env is the stack's: Project and Stack (required) name the secrets
	// "<project>/<stack>/<NAME>"; Region required, Partition empty: "aws";
	// Protect marks generated and config secrets and the key protected.
	// External secrets are always protected: their value exists nowhere else.
	config.Env
	// ReplicaProviders has one provider per Spec.ReplicaRegions entry, for
	// the replica KMS keys.
	ReplicaProviders map[string]*aws.Provider
	// Replica, in a recovery stack, makes the component consume the
	// primary's replicas in this region instead of creating secrets.
	Replica *Replica
	// DeployRole and BreakGlassRole are the role names (config
	// security.deployRole / breakGlassRole) a single-reader secret's key
	// and resource policy name (sealed.go). Required when a secret has
	// readers.
	DeployRole, BreakGlassRole string
}

// Secrets is the component.
type Secrets struct {
	pulumi.ResourceState

	// KeyArn is the (multi-Region primary) key encrypting every secret.
	KeyArn pulumi.StringOutput `pulumi:"keyArn"`
	// ARNs of the secrets by name.
	ARNs pulumi.StringMapOutput `pulumi:"arns"`
	// ReplicaKeyArns by region.
	ReplicaKeyArns pulumi.StringMapOutput `pulumi:"replicaKeyArns"`
	// PutCommands are the operator's commands that set each external secret.
	PutCommands pulumi.StringMapOutput `pulumi:"putCommands"`
	// AppKeyArns are the application keys (keys.go) by name: the primary
	// keys, or in a recovery stack their replicas in this region.
	AppKeyArns pulumi.StringMapOutput `pulumi:"appKeyArns"`
	// KeyArns are the key encrypting each secret by name: KeyArn, or a
	// single-reader secret's own key (sealed.go). In a recovery stack, the
	// keys' replicas in its Region.
	KeyArns pulumi.StringMapOutput `pulumi:"keyArns"`

	args    *Args
	account pulumi.StringOutput
	keyArn  pulumi.StringOutput
	arns    map[string]pulumi.StringOutput
	secrets map[string]*secretsmanager.Secret
	// readers records, for each single-reader secret, the granted roles.
	readers map[string][]pulumi.StringOutput
	// secretKeys are the key encrypting each secret (KeyArns).
	secretKeys map[string]pulumi.StringOutput
	sealed     bool
	// replicas are the replica regions with the key's replica in each.
	replicas secretsmanager.SecretReplicaArray
	// keys are the application keys in this region, by name.
	keys map[string]appKey
}

// New creates the key and the declared secrets.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Secrets, error) {
	if args == nil || args.Project == "" || args.Stack == "" || args.Region == "" {
		return nil, errors.New("secrets: Args.Project, Stack and Region are required")
	}
	if args.Partition == "" {
		a := *args // a copy: the caller's Args are never written
		a.Partition = "aws"
		args = &a
	}
	s := &Secrets{args: args, arns: map[string]pulumi.StringOutput{}, secrets: map[string]*secretsmanager.Secret{}, readers: map[string][]pulumi.StringOutput{},
		keys: map[string]appKey{}, secretKeys: map[string]pulumi.StringOutput{}}
	for _, n := range sortedNames(args.Spec.Items) {
		if len(args.Spec.Items[n].Readers) > 0 && args.Replica == nil && (args.DeployRole == "" || args.BreakGlassRole == "") {
			return nil, fmt.Errorf("secrets: %s has readers: Args.DeployRole and BreakGlassRole are required (its key and policy name them)", n)
		}
	}
	if err := outputs.Component(ctx, typeToken, name, s, opts...); err != nil {
		return nil, err
	}
	seal.Track(ctx, fmt.Sprintf("secrets %q", name), s)
	if args.Replica != nil {
		return s, s.consumeReplicas(ctx)
	}
	key, keyPolicy, replicaKeys, err := s.newKey(ctx)
	if err != nil {
		return nil, err
	}
	arns, puts, keyArns, err := s.newSecrets(ctx, key.Arn)
	if err != nil {
		return nil, err
	}
	appKeys, err := s.newAppKeys(ctx, keyPolicy)
	if err != nil {
		return nil, err
	}
	s.KeyArn = key.Arn
	s.ARNs = arns.ToStringMapOutput()
	s.ReplicaKeyArns = replicaKeys.ToStringMapOutput()
	s.PutCommands = puts.ToStringMapOutput()
	s.AppKeyArns = appKeys.ToStringMapOutput()
	s.KeyArns = keyArns.ToStringMapOutput()
	var skip []string
	if len(appKeys) == 0 {
		skip = append(skip, "appKeyArns")
	}
	return s, outputs.Register(ctx, s, outputs.Skip(skip...))
}

// newKey creates the secrets key (multi-Region with replica regions) and
// its replica in each replica region (s.replicas); it returns the key, its
// policy and the replicas' ARNs by region.
func (s *Secrets) newKey(ctx *pulumi.Context) (*kms.Key, pulumi.StringOutput, pulumi.StringMap, error) {
	args := s.args
	parent := pulumi.Parent(s)
	account := iamdoc.Account(ctx, s)
	s.account = account
	keyPolicy := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{iamdoc.AccountRoot(account, args.Partition)},
	}, parent)
	key, err := kms.NewKey(ctx, "secrets-key", &kms.KeyArgs{
		Description:          pulumi.Sprintf("%s/%s Secrets Manager secrets", args.Project, args.Stack),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		MultiRegion:          pulumi.Bool(len(args.Spec.ReplicaRegions) > 0),
		Policy:               keyPolicy.Json(),
	}, parent, pulumi.Protect(args.Protect))
	if err != nil {
		return nil, pulumi.StringOutput{}, nil, err
	}
	s.keyArn = key.Arn

	replicaKeys := pulumi.StringMap{}
	var replicas secretsmanager.SecretReplicaArray
	for _, region := range args.Spec.ReplicaRegions {
		p := args.ReplicaProviders[region]
		if p == nil {
			return nil, pulumi.StringOutput{}, nil, fmt.Errorf("secrets: no provider for replica region %s", region)
		}
		rk, err := kms.NewReplicaKey(ctx, "secrets-key-"+region, &kms.ReplicaKeyArgs{
			Description:          pulumi.Sprintf("%s/%s secrets, replica in %s", args.Project, args.Stack, region),
			PrimaryKeyArn:        key.Arn,
			DeletionWindowInDays: pulumi.Int(30),
			Policy:               keyPolicy.Json(),
		}, parent, pulumi.Provider(p), pulumi.Protect(args.Protect))
		if err != nil {
			return nil, pulumi.StringOutput{}, nil, err
		}
		replicaKeys[region] = rk.Arn
		replicas = append(replicas, secretsmanager.SecretReplicaArgs{Region: pulumi.String(region), KmsKeyId: rk.Arn})
	}
	s.replicas = replicas
	return key, keyPolicy.Json(), replicaKeys, nil
}

// newSecrets creates every declared secret (a single-reader one under its
// own key) with its value; it returns the ARNs, the external secrets' put
// commands and each secret's key ARN, by name.
func (s *Secrets) newSecrets(ctx *pulumi.Context, keyArn pulumi.StringOutput) (arns, puts, keyArns pulumi.StringMap, err error) {
	args := s.args
	arns, puts, keyArns = pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringMap{}
	for _, name := range sortedNames(args.Spec.Items) {
		item := args.Spec.Items[name]
		secretKey, secretReplicas := keyArn, s.replicas
		if len(item.Readers) > 0 {
			if secretKey, secretReplicas, err = s.newSealedKey(ctx, name); err != nil {
				return nil, nil, nil, err
			}
		}
		s.secretKeys[name] = secretKey
		keyArns[name] = secretKey
		sec, err := secretsmanager.NewSecret(ctx, name, &secretsmanager.SecretArgs{
			Name:                 pulumi.Sprintf("%s/%s/%s", args.Project, args.Stack, name),
			Description:          pulumi.String(item.Description),
			KmsKeyId:             secretKey,
			RecoveryWindowInDays: pulumi.Int(args.Spec.RecoveryWindowDays),
			Replicas:             secretReplicas,
		}, pulumi.Parent(s), pulumi.Protect(args.Protect || item.Source == config.SourceExternal))
		if err != nil {
			return nil, nil, nil, err
		}
		s.secrets[name] = sec
		s.arns[name] = sec.Arn
		arns[name] = sec.Arn
		if err := s.setValue(ctx, name, item, sec); err != nil {
			return nil, nil, nil, err
		}
		if item.Source == config.SourceExternal {
			puts[name] = pulumi.Sprintf("aws secretsmanager put-secret-value --region %s --secret-id %s --secret-string file://%s.txt",
				args.Region, sec.Arn, name)
		}
	}
	return arns, puts, keyArns, nil
}

// Injected reports whether a consumer listing the secret receives it
// (config.Secrets.Injected): an optional secret only once provided.
func (s *Secrets) Injected(name string) bool { return s.args.Spec.Injected(name) }

// setValue writes the value of a generated or config secret. External
// secrets get no version: their value never passes through Pulumi.
func (s *Secrets) setValue(ctx *pulumi.Context, name string, item config.SecretItem, sec *secretsmanager.Secret) error {
	var value pulumi.StringOutput
	switch item.Source {
	case config.SourceGenerated:
		pw, err := random.NewRandomPassword(ctx, name, &random.RandomPasswordArgs{
			Length:  pulumi.Int(item.Length),
			Special: pulumi.Bool(false),
		}, pulumi.Parent(s))
		if err != nil {
			return err
		}
		value = pw.Result
	case config.SourceConfig:
		v, ok := s.args.Values[name]
		if !ok {
			return fmt.Errorf("secrets: %s has source config but no value", name)
		}
		value = pulumi.ToSecret(pulumi.String(v)).(pulumi.StringOutput)
	default:
		return nil
	}
	_, err := secretsmanager.NewSecretVersion(ctx, name, &secretsmanager.SecretVersionArgs{
		SecretId:     sec.ID(),
		SecretString: pulumi.ToSecret(value).(pulumi.StringOutput),
	}, pulumi.Parent(s))
	return err
}

// keyOf is the key encrypting a declared secret.
func (s *Secrets) keyOf(name string) pulumi.StringOutput {
	if k, ok := s.secretKeys[name]; ok {
		return k
	}
	return s.keyArn
}

// ARN returns a declared secret's ARN; an undeclared name is an error.
func (s *Secrets) ARN(name string) (pulumi.StringOutput, error) {
	arn, ok := s.arns[name]
	if !ok {
		return pulumi.StringOutput{}, fmt.Errorf("secrets: %q is not declared in secrets.items (declared: %v)", name, sortedNames(s.args.Spec.Items))
	}
	return arn, nil
}

// Replicas are the regions every secret of the component replicates to,
// each with the key's replica there (config order; none in a recovery
// stack, which consumes the primary's replicas): what a secret another
// component owns under KeyArn needs to replicate the same way (the
// DataLayer's database connection secrets).
func (s *Secrets) Replicas() secretsmanager.SecretReplicaArray { return s.replicas }

// Has reports whether a secret is declared.
func (s *Secrets) Has(name string) bool { _, ok := s.arns[name]; return ok }

// GrantRead lets the grantee read exactly the named secrets:
// secretsmanager:GetSecretValue on those ARNs, and kms:Decrypt on the key
// only through Secrets Manager. Asking for an undeclared secret, or for a
// single-reader secret the grantee is not a reader of, is an error.
func (s *Secrets) GrantRead(ctx *pulumi.Context, g iamdoc.Grantee, names ...string) (iamdoc.Grant, error) {
	if len(names) == 0 {
		return iamdoc.Grant{}, fmt.Errorf("secrets: GrantRead(%s) names no secret", g.Name)
	}
	if s.sealed {
		return iamdoc.Grant{}, fmt.Errorf("secrets: GrantRead(%s) after Seal: single-reader policies are already written", g.Name)
	}
	if g.Role == nil {
		return iamdoc.Grant{}, fmt.Errorf("secrets: GrantRead(%s) has no role", g.Name)
	}
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	var arns, keys pulumi.StringArray
	seenKey := map[string]bool{}
	for _, name := range sorted {
		arn, err := s.ARN(name)
		if err != nil {
			return iamdoc.Grant{}, err
		}
		if readers := s.args.Spec.Items[name].Readers; len(readers) > 0 {
			if !contains(readers, g.Name) {
				return iamdoc.Grant{}, fmt.Errorf("secrets: %s is single-reader (%v); %s may not read it", name, readers, g.Name)
			}
			s.readers[name] = append(s.readers[name], g.Role.Arn)
		}
		arns = append(arns, arn)
		// One statement per distinct key: the shared key, or a sealed
		// secret's own (sealed.go).
		k := "shared"
		if _, own := s.secretKeys[name]; own && len(s.args.Spec.Items[name].Readers) > 0 {
			k = name
		}
		if !seenKey[k] {
			seenKey[k] = true
			keys = append(keys, s.keyOf(name))
		}
	}
	return iamdoc.AttachGrant(ctx, s, g, "secrets", iam.GetPolicyDocumentStatementArray{
		iam.GetPolicyDocumentStatementArgs{
			Sid:       pulumi.String("ReadDeclaredSecrets"),
			Actions:   pulumi.ToStringArray([]string{"secretsmanager:GetSecretValue"}),
			Resources: arns,
		},
		iam.GetPolicyDocumentStatementArgs{
			Sid:       pulumi.String("DecryptThroughSecretsManager"),
			Actions:   pulumi.ToStringArray([]string{"kms:Decrypt"}),
			Resources: keys,
			Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
				Test: pulumi.String("StringEquals"), Variable: pulumi.String("kms:ViaService"),
				Values: pulumi.ToStringArray([]string{fmt.Sprintf("secretsmanager.%s.amazonaws.com", s.args.Region)}),
			}},
		},
	})
}

// Seal writes the resource policy of every single-reader secret
// (sealedStatements): only its granted readers (and their fixed-name roles
// in the replica Regions, each in its own Region) and the break-glass role
// read it; only break-glass puts its value; only the deploy and break-glass
// roles change it. The stack calls it once, after all components are built
// (seal.All).
func (s *Secrets) Seal(ctx *pulumi.Context) error {
	if s.sealed {
		return errors.New("secrets: Seal called twice")
	}
	s.sealed = true
	if s.args.Replica != nil {
		return nil // the primary's policy replicates with the secret
	}
	for _, name := range sortedNames(s.args.Spec.Items) {
		if len(s.args.Spec.Items[name].Readers) == 0 {
			continue
		}
		doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
			Statements: s.sealedStatements(name, s.readers[name]),
		}, pulumi.Parent(s))
		if _, err := secretsmanager.NewSecretPolicy(ctx, name, &secretsmanager.SecretPolicyArgs{
			SecretArn:         s.secrets[name].Arn,
			Policy:            doc.Json(),
			BlockPublicPolicy: pulumi.Bool(true),
		}, pulumi.Parent(s)); err != nil {
			return err
		}
	}
	return nil
}

// Sealed reports whether Seal has run (seal.Sealer).
func (s *Secrets) Sealed() bool { return s.sealed }

func sortedNames(items map[string]config.SecretItem) []string {
	names := make([]string, 0, len(items))
	for n := range items {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
