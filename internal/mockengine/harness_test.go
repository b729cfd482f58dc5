package mockengine

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type parentComponent struct{ pulumi.ResourceState }

// twoKeys registers two keys named "key" under parents of different types
// (so their URNs differ), and
// returns the engine after the run.
func twoKeys(t *testing.T, e *Engine) *Engine {
	t.Helper()
	err := e.Run(func(ctx *pulumi.Context) error {
		for _, name := range []string{"A", "B"} {
			var c parentComponent
			if err := ctx.RegisterComponentResource("test:index:Parent"+name, name, &c); err != nil {
				return err
			}
			p, err := Provider(ctx, "p-"+name, "us-west-2")
			if err != nil {
				return err
			}
			if _, err := kms.NewKey(ctx, "key", &kms.KeyArgs{}, pulumi.Parent(&c), pulumi.Provider(p)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Get refuses to pick one of two resources that answer the same type and
// name: the harness's test fails naming both URNs; without a harness it
// panics.
func TestGetFailsOnAnAmbiguousMatch(t *testing.T) {
	t.Parallel()
	ft := &fakeT{}
	e := twoKeys(t, ForTest(ft, "dbay", "test", "us-east-1"))
	if got := e.Get("aws:kms/key:Key", "key"); got != nil || len(ft.failed) != 1 {
		t.Fatalf("Get = %v, failures %q; want nil and one failure", got, ft.failed)
	}
	if msg := ft.failed[0]; !strings.Contains(msg, "ambiguous, 2 resources match") ||
		!strings.Contains(msg, "test:index:ParentB$aws:kms/key:Key::key") {
		t.Errorf("failure %q does not name the matches", msg)
	}
	if e.Get("pulumi:providers:aws", "p-A") == nil || len(ft.failed) != 1 {
		t.Errorf("an unambiguous Get failed: %q", ft.failed)
	}

	plain := twoKeys(t, New("dbay", "test", "us-east-1"))
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "ambiguous") {
			t.Errorf("Get without a harness: recovered %v, want a panic naming the ambiguity", r)
		}
	}()
	plain.Get("aws:kms/key:Key", "key")
}

// Resolve hands a program's outputs back as plain JSON shapes.
func TestResolve(t *testing.T) {
	t.Parallel()
	var got map[string]any
	ForTest(t, "dbay", "test", "us-east-1").MustRun(func(ctx *pulumi.Context) error {
		var err error
		got, err = Resolve(ctx, map[string]pulumi.Output{
			"n": pulumi.Int(3).ToIntOutput(), "l": pulumi.ToStringArray([]string{"a"}).ToStringArrayOutput(),
		})
		return err
	})
	if got["n"] != 3.0 || len(got["l"].([]any)) != 1 {
		t.Errorf("Resolve = %#v", got)
	}
}
