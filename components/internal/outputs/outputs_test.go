package outputs

import (
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/internal/mockengine"
)

type thing struct {
	pulumi.ResourceState
	Name  pulumi.StringOutput      `pulumi:"name"`
	Arns  pulumi.StringMapOutput   `pulumi:"arns"`
	Extra pulumi.StringOutput      `pulumi:"extra" outputs:"optional"`
	Plain pulumi.StringOutput      // not an output: no tag
	List  pulumi.StringArrayOutput `pulumi:"list"`
}

// run registers a thing, lets set fill it and returns Map's result.
func run(t *testing.T, set func(*thing), opts ...Option) (pulumi.Map, error) {
	t.Helper()
	var m pulumi.Map
	var mapErr error
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		c := &thing{}
		if err := Component(ctx, "test:index:Thing", "t", c); err != nil {
			return err
		}
		if IsSet(c, "name") {
			t.Error("IsSet(name) before it was set: the SDK's placeholder counts as unset")
		}
		set(c)
		m, mapErr = Map(c, opts...)
		return nil
	}, pulumi.WithMocks("p", "s", mockengine.New("p", "s", "eu-west-1")))
	if err != nil {
		t.Fatal(err)
	}
	return m, mapErr
}

func all(c *thing) {
	c.Name = pulumi.String("n").ToStringOutput()
	c.Arns = pulumi.StringMap{}.ToStringMapOutput()
	c.List = pulumi.StringArray{}.ToStringArrayOutput()
}

func keys(m pulumi.Map) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

func TestMapRegistersEveryTaggedField(t *testing.T) {
	t.Parallel()
	m, err := run(t, all)
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(m); got != "arns,list,name" {
		t.Errorf("keys = %s, want arns,list,name (optional extra unset: left out)", got)
	}
	m, err = run(t, func(c *thing) { all(c); c.Extra = pulumi.String("x").ToStringOutput() })
	if err != nil || keys(m) != "arns,extra,list,name" {
		t.Errorf("with the optional field set: keys %s, err %v", keys(m), err)
	}
}

// TestMapFailsOnAFieldNeverSet is what makes a forgotten output loud: every
// component's constructor registers through Map, so a stack build fails.
func TestMapFailsOnAFieldNeverSet(t *testing.T) {
	t.Parallel()
	_, err := run(t, func(c *thing) { all(c); c.Arns = pulumi.StringMapOutput{} })
	if err == nil || !strings.Contains(err.Error(), "output never set: Arns (arns)") {
		t.Errorf("zero Arns: err = %v", err)
	}
	_, err = run(t, func(c *thing) { c.Name = pulumi.String("n").ToStringOutput() })
	if err == nil || !strings.Contains(err.Error(), "Arns (arns), List (list)") {
		t.Errorf("placeholders left: err = %v", err)
	}
}

func TestSkipAndExtra(t *testing.T) {
	t.Parallel()
	m, err := run(t, func(c *thing) { all(c); c.Arns = pulumi.StringMapOutput{} }, Skip("arns"), Extra(pulumi.Map{"more": pulumi.String("m")}))
	if err != nil || keys(m) != "list,more,name" {
		t.Errorf("keys %s, err %v", keys(m), err)
	}
	if _, err := run(t, all, Extra(pulumi.Map{"name": pulumi.String("m")})); err == nil || !strings.Contains(err.Error(), `"name" is both`) {
		t.Errorf("duplicate name: err = %v", err)
	}
}

func TestFields(t *testing.T) {
	t.Parallel()
	var got []string
	for _, f := range Fields(&thing{}) {
		got = append(got, f.GoName+"="+f.Name)
		if f.Optional != (f.Name == "extra") {
			t.Errorf("%s optional = %v", f.Name, f.Optional)
		}
	}
	if strings.Join(got, " ") != "Name=name Arns=arns Extra=extra List=list" {
		t.Errorf("Fields = %v", got)
	}
}
