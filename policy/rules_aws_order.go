package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// Order constraints: what AWS refuses, or what fails at run time, when a
// resource is created before something it needs exists.

const (
	iamRole             = tokens.IAMRole
	iamRolePolicy       = tokens.IAMRolePolicy
	iamRolePolicyAttach = tokens.IAMRolePolicyAttachment
)

// grantTypes are the resources that give a role its permissions after the
// role exists.
var grantTypes = []string{iamRolePolicy, iamRolePolicyAttach}

func awsOrderRules() []Rule {
	return []Rule{{
		ID:       "aws-consumer-after-grants",
		Title:    "A resource that uses a role is created after every policy granted to that role",
		Severity: High,
		Category: CategoryAWSConstraint,
		// IAM is eventually consistent and an inline or attached policy is a
		// resource of its own: a consumer registered without a dependency on
		// it can be created first. RDS then refuses the instance ("IAM role
		// ARN value is invalid or does not include the required permissions
		// for: ENHANCED_MONITORING", pulumi/pulumi#5628), an ECS task cannot
		// pull its image or read its secrets and the deployment circuit
		// breaker rolls back (hashicorp/terraform#2869), a Lambda's first
		// invocations fail.
		Source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency",
		Types:  consumerTypes,
		Check:  checkConsumerAfterGrants,
	}}
}

// consumerTypes are the resource types that run as, or hand work to, a role
// of the stack. The rule finds the role by its ARN in the consumer's inputs
// (an ECS service through its task definition).
var consumerTypes = []string{
	ecsService,
	tokens.LambdaFunction,
	tokens.SFNStateMachine,
	tokens.CloudWatchEventTarget,
	tokens.SchedulerSchedule,
	tokens.RDSInstance,
	tokens.RDSCluster,
	tokens.EC2FlowLog,
	tokens.BackupSelection,
	tokens.APIGatewayAccount,
	tokens.EKSCluster,
	tokens.EKSNodeGroup,
	tokens.EKSAddon,
	tokens.EKSPodIdentityAssociation,
	tokens.S3BucketReplicationConfig,
	tokens.ECRRepositoryCreationTemplate,
	tokens.CloudWatchLogSubscriptionFilter,
	tokens.WAFv2WebAclLoggingConfiguration,
	tokens.OpenSearchDomain,
	tokens.K8sServiceAccount,
	tokens.K8sHelmRelease,
}

func checkConsumerAfterGrants(r *mockengine.Resource, all Index) []string {
	roles := rolesUsedBy(r, all)
	if len(roles) == 0 {
		return nil
	}
	deps := all.DependencyClosure(r)
	var out []string
	for _, role := range roles {
		for _, g := range all.GrantsOf(role) {
			if deps[g.URN] {
				continue
			}
			out = append(out, problem(r, fmt.Sprintf("uses role %s but does not depend on %s %s granted to it, so it can be created before it may act",
				role.Name, g.Type, g.Name),
				"make the consumer depend on every grant to its roles (policy.DependOn(grantee))"))
		}
	}
	return out
}

// rolesUsedBy are the roles of the stack whose ARN is one of r's input
// values; for an ECS service, those of its task definition too.
func rolesUsedBy(r *mockengine.Resource, all Index) []*mockengine.Resource {
	seen := map[string]*mockengine.Resource{}
	collect := func(in map[string]any) {
		walkStrings(in, func(s string) {
			if !strings.HasPrefix(s, "arn:") || !strings.Contains(s, ":role/") {
				return
			}
			for _, role := range all.ByRef(s) {
				if role.Type == iamRole {
					seen[role.URN] = role
				}
			}
		})
	}
	collect(all.In(r))
	if r.Type == ecsService {
		for _, td := range all.ByRef(str(all.In(r)["taskDefinition"])) {
			collect(all.In(td))
		}
	}
	urns := make([]string, 0, len(seen))
	for u := range seen {
		urns = append(urns, u)
	}
	sort.Strings(urns)
	out := make([]*mockengine.Resource, 0, len(urns))
	for _, u := range urns {
		out = append(out, seen[u])
	}
	return out
}

// walkStrings calls f on every string inside a rendered value.
func walkStrings(v any, f func(string)) {
	switch t := v.(type) {
	case string:
		f(t)
	case []any:
		for _, x := range t {
			walkStrings(x, f)
		}
	case map[string]any:
		for _, x := range t {
			walkStrings(x, f)
		}
	}
}
