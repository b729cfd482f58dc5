package secrets

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// A single-reader secret (the wallet xpriv) is sealed three ways (issue 15
// item 4):
//
//   - its own multi-Region KMS key, whose policy lets the deploy and
//     break-glass roles administer it but not use it, the secret's reader
//     in each Region decrypt through Secrets Manager in that Region only,
//     and the break-glass role put and read the value through Secrets
//     Manager; no statement trusts the account as a whole, so no IAM
//     policy in the account (secretsmanager:*, kms:*) reaches the value;
//   - a resource policy denying every action that could read, replace or
//     re-key it (GetSecretValue; PutSecretValue and version staging;
//     UpdateSecret, policy, replication, rotation and deletion) to every
//     principal but the one that needs it;
//   - a reader per Region: the reader role of a Region is denied the
//     secret in every other Region (aws:RequestedRegion), so the
//     us-west-2 reader, whose name no one holds until dr exists, can never
//     read the us-east-1 secret.
//
// Sources: KMS key policies (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html,
// "the key policy is the primary way to control access"; a principal that
// does not exist is refused, hence aws:PrincipalArn conditions for the
// readers); Secrets Manager "Permissions for the KMS key"
// (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html);
// ReplicateSecretToRegions needs kms:Decrypt on the primary key and
// kms:GenerateDataKey/Encrypt on the replica key, so adding a Region to
// a sealed secret is a break-glass operation.

// keyAdminActions administer a key without using it. No kms:CreateGrant:
// a grant can hand out Decrypt.
var keyAdminActions = []string{
	"kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListGrants",
	"kms:ListKeyPolicies", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:EnableKey", "kms:DisableKey",
	"kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:RotateKeyOnDemand", "kms:UpdateKeyDescription",
	"kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:TagResource", "kms:UntagResource",
	"kms:RevokeGrant", "kms:RetireGrant", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
	"kms:ReplicateKey", "kms:UpdatePrimaryRegion",
}

// SealedReadActions read a secret's value.
var SealedReadActions = []string{"secretsmanager:GetSecretValue"}

// SealedValueActions replace or re-stage its value: break-glass only.
var SealedValueActions = []string{
	"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage",
	"secretsmanager:RotateSecret", "secretsmanager:CancelRotateSecret",
}

// SealedChangeActions change its key, policy, replication or existence:
// the deploy role (Pulumi manages the secret) and break-glass only.
var SealedChangeActions = []string{
	"secretsmanager:UpdateSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy",
	"secretsmanager:DeleteSecret", "secretsmanager:RestoreSecret", "secretsmanager:ReplicateSecretToRegions",
	"secretsmanager:RemoveRegionsFromReplication", "secretsmanager:StopReplicationToReplica",
	"secretsmanager:TagResource", "secretsmanager:UntagResource",
}

// roleArn is a role of this account by name.
func (s *Secrets) roleArn(name string) pulumi.StringOutput {
	return pulumi.Sprintf("arn:%s:iam::%s:role/%s", s.args.Partition, s.account, name)
}

// readerArns are the reader roles of a single-reader secret in one Region.
func (s *Secrets) readerArns(name, region string) pulumi.StringArray {
	var out pulumi.StringArray
	for _, p := range s.args.Spec.Items[name].Readers {
		out = append(out, s.roleArn(ReaderRoleName(s.args.Project, p, region)))
	}
	return out
}

// regions are the stack's Region, then each replica Region.
func (s *Secrets) regions() []string {
	return append([]string{s.args.Region}, s.args.Spec.ReplicaRegions...)
}

// sealedKeyPolicy is the key policy of a single-reader secret's key in one
// Region.
func (s *Secrets) sealedKeyPolicy(ctx *pulumi.Context, name, region string) pulumi.StringOutput {
	var viaAll pulumi.StringArray
	for _, r := range s.regions() {
		viaAll = append(viaAll, pulumi.String(fmt.Sprintf("secretsmanager.%s.amazonaws.com", r)))
	}
	root := pulumi.Sprintf("arn:%s:iam::%s:root", s.args.Partition, s.account)
	deploy, breakGlass := s.roleArn(s.args.DeployRole), s.roleArn(s.args.BreakGlassRole)
	return iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{
			iam.GetPolicyDocumentStatementArgs{
				Sid:        pulumi.String("AdministerWithoutUse"),
				Actions:    pulumi.ToStringArray(keyAdminActions),
				Principals: awsPrincipals(deploy, breakGlass),
				Resources:  pulumi.ToStringArray([]string{"*"}),
			},
			iam.GetPolicyDocumentStatementArgs{
				Sid:        pulumi.String("ReaderDecryptsThroughSecretsManagerInItsRegion"),
				Actions:    pulumi.ToStringArray([]string{"kms:Decrypt"}),
				Principals: awsPrincipals(root),
				Resources:  pulumi.ToStringArray([]string{"*"}),
				Conditions: iam.GetPolicyDocumentStatementConditionArray{
					iam.GetPolicyDocumentStatementConditionArgs{
						Test: pulumi.String("ArnEquals"), Variable: pulumi.String("aws:PrincipalArn"), Values: s.readerArns(name, region),
					},
					iam.GetPolicyDocumentStatementConditionArgs{
						Test: pulumi.String("StringEquals"), Variable: pulumi.String("kms:ViaService"),
						Values: pulumi.ToStringArray([]string{fmt.Sprintf("secretsmanager.%s.amazonaws.com", region)}),
					},
				},
			},
			iam.GetPolicyDocumentStatementArgs{
				Sid:        pulumi.String("BreakGlassPutsAndReadsThroughSecretsManager"),
				Actions:    pulumi.ToStringArray([]string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"}),
				Principals: awsPrincipals(breakGlass),
				Resources:  pulumi.ToStringArray([]string{"*"}),
				Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
					Test: pulumi.String("StringEquals"), Variable: pulumi.String("kms:ViaService"), Values: viaAll,
				}},
			},
		},
	}, pulumi.Parent(s)).Json()
}

func awsPrincipals(arns ...pulumi.StringOutput) iam.GetPolicyDocumentStatementPrincipalArray {
	var ids pulumi.StringArray
	for _, a := range arns {
		ids = append(ids, a)
	}
	return iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
		Type: pulumi.String("AWS"), Identifiers: ids,
	}}
}

// newSealedKey creates a single-reader secret's own key (a multi-Region
// primary when the secrets replicate) and its replica in each replica
// Region; it returns the key's ARN and the secret's replicas.
func (s *Secrets) newSealedKey(ctx *pulumi.Context, name string) (pulumi.StringOutput, secretsmanager.SecretReplicaArray, error) {
	a := s.args
	opts := []pulumi.ResourceOption{pulumi.Parent(s), pulumi.Protect(true)}
	key, err := kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:          pulumi.Sprintf("%s/%s %s only: its readers decrypt, administrators cannot", a.Project, a.Stack, name),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		MultiRegion:          pulumi.Bool(len(a.Spec.ReplicaRegions) > 0),
		Policy:               s.sealedKeyPolicy(ctx, name, a.Region),
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	var replicas secretsmanager.SecretReplicaArray
	for _, region := range a.Spec.ReplicaRegions {
		rk, err := kms.NewReplicaKey(ctx, name+"-key-"+region, &kms.ReplicaKeyArgs{
			Description:          pulumi.Sprintf("%s/%s %s only, replica in %s", a.Project, a.Stack, name, region),
			PrimaryKeyArn:        key.Arn,
			DeletionWindowInDays: pulumi.Int(30),
			Policy:               s.sealedKeyPolicy(ctx, name, region),
		}, append(opts, pulumi.Provider(a.ReplicaProviders[region]))...)
		if err != nil {
			return pulumi.StringOutput{}, nil, err
		}
		replicas = append(replicas, secretsmanager.SecretReplicaArgs{Region: pulumi.String(region), KmsKeyId: rk.Arn})
	}
	return key.Arn, replicas, nil
}

// sealedStatements are a single-reader secret's resource policy. granted
// are the reader roles GrantRead was called for in this stack's Region;
// with none, nobody but break-glass reads it.
func (s *Secrets) sealedStatements(name string, granted []pulumi.StringOutput) iam.GetPolicyDocumentStatementArray {
	breakGlass, deploy := s.roleArn(s.args.BreakGlassRole), s.roleArn(s.args.DeployRole)
	deny := func(sid string, actions []string, conds ...iam.GetPolicyDocumentStatementConditionArgs) iam.GetPolicyDocumentStatementArgs {
		var cs iam.GetPolicyDocumentStatementConditionArray
		for _, c := range conds {
			cs = append(cs, c)
		}
		return iam.GetPolicyDocumentStatementArgs{
			Sid: pulumi.String(sid), Effect: pulumi.String("Deny"), Actions: pulumi.ToStringArray(actions),
			Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
				Type: pulumi.String("*"), Identifiers: pulumi.ToStringArray([]string{"*"}),
			}},
			Resources:  pulumi.ToStringArray([]string{"*"}),
			Conditions: cs,
		}
	}
	notIn := func(arns pulumi.StringArray) iam.GetPolicyDocumentStatementConditionArgs {
		return iam.GetPolicyDocumentStatementConditionArgs{Test: pulumi.String("ArnNotEquals"), Variable: pulumi.String("aws:PrincipalArn"), Values: arns}
	}
	// Readers: the granted roles here, and the same principals' fixed-name
	// roles in each replica Region (the recovery stack's).
	readers := pulumi.StringArray{breakGlass}
	for _, r := range granted {
		readers = append(readers, r)
	}
	for _, region := range s.args.Spec.ReplicaRegions {
		if len(granted) > 0 {
			readers = append(readers, s.readerArns(name, region)...)
		}
	}
	out := iam.GetPolicyDocumentStatementArray{
		deny("OnlyTheNamedReaders", SealedReadActions, notIn(readers)),
		deny("OnlyBreakGlassPutsTheValue", SealedValueActions, notIn(pulumi.StringArray{breakGlass})),
		deny("OnlyDeployAndBreakGlassChangeIt", SealedChangeActions, notIn(pulumi.StringArray{deploy, breakGlass})),
	}
	// Each Region's reader reads only in its Region.
	for _, region := range s.regions() {
		var others pulumi.StringArray
		for _, r := range s.regions() {
			if r != region {
				others = append(others, s.readerArns(name, r)...)
			}
		}
		if len(others) == 0 {
			continue
		}
		out = append(out, deny(fmt.Sprintf("ReaderOfAnotherRegion%s", regionSid(region)), SealedReadActions,
			iam.GetPolicyDocumentStatementConditionArgs{Test: pulumi.String("ArnEquals"), Variable: pulumi.String("aws:PrincipalArn"), Values: others},
			iam.GetPolicyDocumentStatementConditionArgs{Test: pulumi.String("StringEquals"), Variable: pulumi.String("aws:RequestedRegion"),
				Values: pulumi.ToStringArray([]string{region})}))
	}
	return out
}

// regionSid is a Region as a statement id fragment: us-east-1 -> UsEast1.
func regionSid(region string) string {
	out := make([]byte, 0, len(region))
	up := true
	for i := 0; i < len(region); i++ {
		c := region[i]
		if c == '-' {
			up = true
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		out = append(out, c)
	}
	return string(out)
}
