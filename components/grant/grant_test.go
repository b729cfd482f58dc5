package grant_test

import (
	"reflect"
	"sort"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/grant"
	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/internal/mockengine"
)

// A grant made from outside components/ is a value: the consumer that
// takes its ApplyBefore waits for exactly its policy; DependOn waits for
// every grant of the role.
func TestGrantIsAValue(t *testing.T) {
	t.Parallel()
	eng := mockengine.New("dbay", "test", "us-east-1")
	err := eng.Run(func(ctx *pulumi.Context) error {
		role, err := iam.NewRole(ctx, "ops", &iam.RoleArgs{AssumeRolePolicy: pulumi.String("{}")})
		if err != nil {
			return err
		}
		g := grant.NewGrantee("ops", role)
		var grants []grant.Grant
		for _, what := range []string{"read", "write"} {
			p, err := iamdoc.Attach(ctx, role, g, what, iam.GetPolicyDocumentStatementArray{})
			if err != nil {
				return err
			}
			grants = append(grants, iamdoc.NewGrant(g, p, nil))
		}
		if _, err := sqs.NewQueue(ctx, "after-read", &sqs.QueueArgs{}, grants[0].ApplyBefore()); err != nil {
			return err
		}
		_, err = sqs.NewQueue(ctx, "after-all", &sqs.QueueArgs{}, grant.DependOn(g))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	urn := func(name string) string { return eng.Get("aws:iam/rolePolicy:RolePolicy", name).URN }
	read, write := urn("ops-read"), urn("ops-write")
	if got := eng.Get("aws:sqs/queue:Queue", "after-read").Dependencies; !reflect.DeepEqual(got, []string{read}) {
		t.Errorf("after-read depends on %v, want the read grant only", got)
	}
	want := []string{read, write}
	sort.Strings(want)
	if got := eng.Get("aws:sqs/queue:Queue", "after-all").Dependencies; !reflect.DeepEqual(got, want) {
		t.Errorf("after-all depends on %v, want %v", got, want)
	}
}
