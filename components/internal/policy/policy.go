// Package policy holds the IAM building blocks every component needs: the
// caller's account, the key-policy statement that keeps a KMS key manageable
// by the account, and service trust policies. Documents are typed
// (iam.GetPolicyDocument), never concatenated strings.
package policy

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Account is the id of the account the component's provider deploys into.
func Account(ctx *pulumi.Context, parent pulumi.Resource) pulumi.StringOutput {
	return aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, pulumi.Parent(parent)).AccountId()
}

// AccountRoot is the statement that lets the account's IAM administer a KMS
// key (without it a key can become unmanageable). The principal is the
// account root, never a wildcard.
func AccountRoot(account pulumi.StringOutput, partition string) iam.GetPolicyDocumentStatementArgs {
	return iam.GetPolicyDocumentStatementArgs{
		Sid:     pulumi.String("AccountAdministers"),
		Effect:  pulumi.String("Allow"),
		Actions: pulumi.ToStringArray([]string{"kms:*"}),
		Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
			Type: pulumi.String("AWS"),
			Identifiers: pulumi.StringArray{account.ApplyT(func(a string) string {
				return fmt.Sprintf("arn:%s:iam::%s:root", partition, a)
			}).(pulumi.StringOutput)},
		}},
		Resources: pulumi.ToStringArray([]string{"*"}),
	}
}

// ServiceTrust is a trust policy letting an AWS service assume a role on
// behalf of this account only (aws:SourceAccount), against the confused deputy.
func ServiceTrust(ctx *pulumi.Context, parent pulumi.Resource, service string, account pulumi.StringOutput) pulumi.StringOutput {
	return iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
			Effect:  pulumi.String("Allow"),
			Actions: pulumi.ToStringArray([]string{"sts:AssumeRole"}),
			Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
				Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{service}),
			}},
			Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
				Test: pulumi.String("StringEquals"), Variable: pulumi.String("aws:SourceAccount"),
				Values: pulumi.StringArray{account},
			}},
		}},
	}, pulumi.Parent(parent)).Json()
}

// Grantee is a principal a component grants access to: a role and the short,
// stable name its policies are named after ("listing", "build-and-sign-tx").
type Grantee struct {
	Name string
	Role *iam.Role
}

// Attach gives the grantee's role an inline policy named
// "<grantee>-<what>", parented to the component that owns the resources.
// Owners call it from their Grant* methods; callers never write IAM.
func Attach(ctx *pulumi.Context, owner pulumi.Resource, g Grantee, what string,
	statements iam.GetPolicyDocumentStatementArray,
) (*iam.RolePolicy, error) {
	if g.Role == nil || g.Name == "" {
		return nil, fmt.Errorf("grant %s: the grantee needs a name and a role", what)
	}
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{Statements: statements}, pulumi.Parent(owner))
	return iam.NewRolePolicy(ctx, g.Name+"-"+what, &iam.RolePolicyArgs{
		Role:   g.Role.Name,
		Policy: doc.Json(),
	}, pulumi.Parent(owner))
}

// LogsUseKey lets CloudWatch Logs of this account and region use a KMS key,
// only for the log groups matching groups ("*" for all of them,
// "aws-waf-logs-*" for WAF's): the statement every log-group key carries.
func LogsUseKey(account pulumi.StringOutput, partition, region, groups string) iam.GetPolicyDocumentStatementArgs {
	return iam.GetPolicyDocumentStatementArgs{
		Sid:     pulumi.String("CloudWatchLogsOfThisAccount"),
		Effect:  pulumi.String("Allow"),
		Actions: pulumi.ToStringArray([]string{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"}),
		Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
			Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{fmt.Sprintf("logs.%s.amazonaws.com", region)}),
		}},
		Resources: pulumi.ToStringArray([]string{"*"}),
		Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
			Test: pulumi.String("ArnLike"), Variable: pulumi.String("kms:EncryptionContext:aws:logs:arn"),
			Values: pulumi.StringArray{account.ApplyT(func(acct string) string {
				return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partition, region, acct, groups)
			}).(pulumi.StringOutput)},
		}},
	}
}
