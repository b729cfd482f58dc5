package policy

import (
	"strings"
	"testing"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

func init() { topicFixtureSets = append(topicFixtureSets, awsOrderFixtures) }

const roleArn = "arn:aws:iam::123456789012:role/app-1a2b3c"

// awsOrderFixtures: a function, an ECS service (through its task
// definition) and an RDS instance with a monitoring role, each with and
// without a dependency on the policies granted to its role.
func awsOrderFixtures() map[string]fixture {
	role := func() *mockengine.Resource {
		return res(iamRole, "app", map[string]any{"assumeRolePolicy": "{}"}, out("arn", roleArn, "name", "app-1a2b3c", "id", "app-1a2b3c"))
	}
	inline := func() *mockengine.Resource {
		return res(iamRolePolicy, "app-secrets", map[string]any{"role": "app-1a2b3c", "policy": "{}"})
	}
	attached := func() *mockengine.Resource {
		return res(iamRolePolicyAttach, "app-monitoring", map[string]any{"role": "app-1a2b3c",
			"policyArn": "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"})
	}
	after := func(deps ...*mockengine.Resource) opt {
		return func(r *mockengine.Resource) {
			for _, d := range deps {
				r.Dependencies = append(r.Dependencies, d.URN)
			}
		}
	}
	stack := func(grantsAwaited bool) []*mockengine.Resource {
		rl, in, at := role(), inline(), attached()
		deps := []*mockengine.Resource{rl}
		if grantsAwaited {
			deps = append(deps, in, at)
		}
		td := res(tokens.ECSTaskDefinition, "listing", map[string]any{"taskRoleArn": roleArn, "executionRoleArn": roleArn},
			out("arn", "arn:aws:ecs:us-east-1:123456789012:task-definition/listing:1"), after(rl))
		return []*mockengine.Resource{rl, in, at, td,
			res(tokens.LambdaFunction, "authorizer", map[string]any{"role": roleArn}, after(deps...)),
			res(ecsService, "listing", map[string]any{"taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/listing:1"}, after(append(deps, td)...)),
			res(rdsInstance, "postgres", map[string]any{"monitoringRoleArn": roleArn}, after(deps...)),
		}
	}
	return map[string]fixture{
		"aws-consumer-after-grants": {good: stack(true), bad: stack(false)},
	}
}

// The rule names each consumer and each grant it does not wait for; a
// dependency through a component counts.
func TestConsumerAfterGrantsNamesEachMissingGrant(t *testing.T) {
	t.Parallel()
	rep := evaluate(awsOrderRules(), awsOrderFixtures()["aws-consumer-after-grants"].bad, nil, Options{})
	got := map[string]int{}
	for _, v := range rep.Violations {
		got[v.Name]++
		if v.Category != CategoryAWSConstraint || !strings.HasPrefix(v.Source, "https://docs.aws.amazon.com/") {
			t.Errorf("%s: category %q source %q", v.Name, v.Category, v.Source)
		}
	}
	// Two grants each (the inline policy and the attachment).
	for _, name := range []string{"authorizer", "listing", "postgres"} {
		if got[name] != 2 {
			t.Errorf("%s: %d violations, want 2 (%v)", name, got[name], rep.Violations)
		}
	}

	// A dependency on a component waits for its children.
	rl, in := res(iamRole, "app", nil, out("arn", roleArn, "name", "app-1a2b3c")), res(iamRolePolicy, "app-secrets", map[string]any{"role": "app-1a2b3c"})
	comp := &mockengine.Resource{URN: "urn:pulumi:test::proj::dbay:components:Secrets::secrets", Type: tokens.ComponentSecrets, Name: "secrets"}
	in.Parent = comp.URN
	fn := res(tokens.LambdaFunction, "fn", map[string]any{"role": roleArn})
	fn.Dependencies = []string{comp.URN}
	if rep := evaluate(awsOrderRules(), []*mockengine.Resource{rl, in, comp, fn}, nil, Options{}); len(rep.Violations) > 0 {
		t.Errorf("a dependency on the grant's component must count: %v", rep.Violations)
	}
}

// Every aws-constraint rule cites an https source, and the report prints it.
func TestAWSConstraintRulesCiteSources(t *testing.T) {
	t.Parallel()
	n := 0
	for _, r := range Rules() {
		if r.Category != CategoryAWSConstraint {
			continue
		}
		n++
		if !strings.HasPrefix(r.Source, "https://") {
			t.Errorf("%s: source %q", r.ID, r.Source)
		}
	}
	if n == 0 {
		t.Fatal("no aws-constraint rules")
	}
	rep := evaluate(awsOrderRules(), awsOrderFixtures()["aws-consumer-after-grants"].bad, nil, Options{})
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "source: https://docs.aws.amazon.com/IAM/") {
		t.Errorf("text report does not print the source:\n%s", b.String())
	}
}
