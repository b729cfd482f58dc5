// Package iamdoc holds the IAM building blocks every component needs: the
// caller's account, the key-policy statement that keeps a KMS key manageable
// by the account, and service trust policies. Documents are typed
// (iam.GetPolicyDocument), never concatenated strings.
package iamdoc

import (
	"fmt"
	"sync"

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
// Build it with NewGrantee: it records every policy granted to the role, so
// the role's consumer (a service, function, state machine) can be created
// after all of them (DependOn). Copies share that record.
type Grantee struct {
	Name   string
	Role   *iam.Role
	grants *grantSet
}

type grantSet struct {
	mu       sync.Mutex
	policies []pulumi.Resource
}

// NewGrantee is the grantee for role, named name.
func NewGrantee(name string, role *iam.Role) Grantee {
	return Grantee{Name: name, Role: role, grants: &grantSet{}}
}

// Record adds a grant made outside Attach (a managed-policy attachment) to
// what the role's consumers wait for.
func (g Grantee) Record(r pulumi.Resource) {
	if g.grants == nil || r == nil {
		return
	}
	g.grants.mu.Lock()
	defer g.grants.mu.Unlock()
	g.grants.policies = append(g.grants.policies, r)
}

// Grants are the policies granted to the role so far, in grant order.
func (g Grantee) Grants() []pulumi.Resource {
	if g.grants == nil {
		return nil
	}
	g.grants.mu.Lock()
	defer g.grants.mu.Unlock()
	return append([]pulumi.Resource(nil), g.grants.policies...)
}

// DependOn is the option a consumer of the role takes so that it is created
// after every policy granted to the role so far: IAM is eventually
// consistent, and a consumer that starts before its grants fails (RDS
// refuses a monitoring role without its policy, an ECS task cannot read its
// secrets). Make every grant first, then create the consumer.
func DependOn(grantees ...Grantee) pulumi.ResourceOption {
	var deps []pulumi.Resource
	for _, g := range grantees {
		deps = append(deps, g.Grants()...)
	}
	return pulumi.DependsOn(deps)
}

// Grant is what one grant created, as a value: the grantee and the
// policies given to its role. Whatever must not start before the grant
// takes ApplyBefore (CDK's grant.applyBefore); DependOn waits for every
// grant of a role instead.
type Grant struct {
	Grantee  Grantee
	Policies []pulumi.Resource
}

// NewGrant is the grant of policies (nil ones dropped) to g.
func NewGrant(g Grantee, policies ...pulumi.Resource) Grant {
	out := Grant{Grantee: g}
	for _, p := range policies {
		if p != nil && p != pulumi.Resource((*iam.RolePolicy)(nil)) {
			out.Policies = append(out.Policies, p)
		}
	}
	return out
}

// Empty reports whether the grant created nothing (the use needs no IAM:
// a store reached over the network only, SMTP credentials).
func (g Grant) Empty() bool { return len(g.Policies) == 0 }

// ApplyBefore is the option a resource takes to be created after this
// grant's policies.
func (g Grant) ApplyBefore() pulumi.ResourceOption { return pulumi.DependsOn(g.Policies) }

// Attach gives the grantee's role an inline policy named
// "<grantee>-<what>", parented to the component that owns the resources,
// and records it on the grantee (DependOn). Owners call it from their
// Grant* methods; callers never write IAM.
func Attach(ctx *pulumi.Context, owner pulumi.Resource, g Grantee, what string,
	statements iam.GetPolicyDocumentStatementArray,
) (*iam.RolePolicy, error) {
	if g.Role == nil || g.Name == "" {
		return nil, fmt.Errorf("grant %s: the grantee needs a name and a role", what)
	}
	if g.grants == nil {
		return nil, fmt.Errorf("grant %s to %s: build the grantee with iamdoc.NewGrantee, so its consumers can wait for the grant", what, g.Name)
	}
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{Statements: statements}, pulumi.Parent(owner))
	p, err := iam.NewRolePolicy(ctx, g.Name+"-"+what, &iam.RolePolicyArgs{
		Role:   g.Role.Name,
		Policy: doc.Json(),
	}, pulumi.Parent(owner))
	if err != nil {
		return nil, err
	}
	g.Record(p)
	return p, nil
}

// AttachGrant is Attach as a value: the grant of the one policy it
// created, what an owner's Grant* method returns (its ApplyBefore orders a
// consumer after exactly that policy).
func AttachGrant(ctx *pulumi.Context, owner pulumi.Resource, g Grantee, what string,
	statements iam.GetPolicyDocumentStatementArray,
) (Grant, error) {
	p, err := Attach(ctx, owner, g, what, statements)
	if err != nil {
		return Grant{}, err
	}
	return NewGrant(g, p), nil
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
