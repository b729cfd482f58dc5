package seal

import (
	"errors"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/internal/mockengine"
)

type fake struct {
	pulumi.ResourceState
	sealed bool
	order  *[]string
	name   string
	fail   bool
}

func (f *fake) Seal(*pulumi.Context) error {
	if f.sealed {
		return errors.New("twice")
	}
	if f.fail {
		return errors.New("boom")
	}
	f.sealed = true
	*f.order = append(*f.order, f.name)
	return nil
}

func (f *fake) Sealed() bool { return f.sealed }

func TestAllSealsInOrderOnceAndCheckNamesTheUnsealed(t *testing.T) {
	t.Parallel()
	var order []string
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		a, b := &fake{order: &order, name: "a"}, &fake{order: &order, name: "b"}
		Track(ctx, "fake a", a)
		Track(ctx, "fake b", b)
		if err := Check(ctx); err == nil || !strings.Contains(err.Error(), "never sealed: fake a, fake b") {
			t.Errorf("Check before All = %v", err)
		}
		Track(ctx, "fake a", a) // Check forgot the run
		Track(ctx, "fake b", b)
		if err := b.Seal(ctx); err != nil { // sealed by hand: All skips it
			return err
		}
		if err := All(ctx); err != nil {
			return err
		}
		return Check(ctx)
	}, pulumi.WithMocks("p", "s", mockengine.New("p", "s", "eu-west-1")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, ",") != "b,a" {
		t.Errorf("seal order = %v, want b (by hand), a", order)
	}
}

func TestAllReturnsASealError(t *testing.T) {
	t.Parallel()
	var order []string
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		Track(ctx, "fake x", &fake{order: &order, name: "x", fail: true})
		return All(ctx)
	}, pulumi.WithMocks("p", "s", mockengine.New("p", "s", "eu-west-1")))
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("err = %v", err)
	}
}
