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

func TestSkip(t *testing.T) {
	t.Parallel()
	m, err := run(t, func(c *thing) { all(c); c.Arns = pulumi.StringMapOutput{} }, Skip("arns"))
	if err != nil || keys(m) != "list,name" {
		t.Errorf("keys %s, err %v", keys(m), err)
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

type side struct {
	Arn    pulumi.StringOutput    `pulumi:"sideArn" outputs:"optional"`
	Names  pulumi.StringMapOutput `pulumi:"sideNames" outputs:"optional"`
	Needed pulumi.StringOutput    `pulumi:"sideNeeded"`
	Plain  pulumi.StringOutput    // not an output: no tag
}

type nested struct {
	pulumi.ResourceState
	Name pulumi.StringOutput `pulumi:"name"`
	Side side                `outputs:"inline"`
	Not  side                // not inline: none of its fields is an output
}

// An inline struct's tagged fields are the component's: optional ones
// registered only when set, a required one never set named by its path.
func TestInlineStruct(t *testing.T) {
	t.Parallel()
	var got []string
	for _, f := range Fields(&nested{}) {
		got = append(got, f.GoName+"="+f.Name)
	}
	if strings.Join(got, " ") != "Name=name Side.Arn=sideArn Side.Names=sideNames Side.Needed=sideNeeded" {
		t.Errorf("Fields = %v", got)
	}
	reg := func(set func(*nested)) (pulumi.Map, error) {
		var m pulumi.Map
		var mapErr error
		err := pulumi.RunErr(func(ctx *pulumi.Context) error {
			c := &nested{}
			if err := Component(ctx, "test:index:Nested", "n", c); err != nil {
				return err
			}
			c.Name = pulumi.String("n").ToStringOutput()
			set(c)
			if IsSet(c, "sideNames") {
				t.Error("IsSet(sideNames) though never set")
			}
			m, mapErr = Map(c)
			return nil
		}, pulumi.WithMocks("p", "s", mockengine.New("p", "s", "eu-west-1")))
		if err != nil {
			t.Fatal(err)
		}
		return m, mapErr
	}
	m, err := reg(func(c *nested) {
		c.Side.Arn = pulumi.String("a").ToStringOutput()
		c.Side.Needed = pulumi.String("x").ToStringOutput()
		c.Not.Arn = pulumi.String("b").ToStringOutput()
	})
	if err != nil || keys(m) != "name,sideArn,sideNeeded" {
		t.Errorf("keys %s, err %v; want name,sideArn,sideNeeded", keys(m), err)
	}
	if _, err := reg(func(*nested) {}); err == nil || !strings.Contains(err.Error(), "output never set: Side.Needed (sideNeeded)") {
		t.Errorf("inline required field unset: err = %v", err)
	}
}

// After Register, an optional output never set is the zero output (not
// the SDK's placeholder): Map(c) then is what was registered.
func TestRegisterZeroesUnsetOptional(t *testing.T) {
	t.Parallel()
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		c := &thing{}
		if err := Component(ctx, "test:index:Thing", "t", c); err != nil {
			return err
		}
		all(c)
		if err := Register(ctx, c); err != nil {
			return err
		}
		if c.Extra != (pulumi.StringOutput{}) {
			t.Error("Extra holds the SDK's placeholder after Register, want the zero output")
		}
		m, err := Map(c)
		if err != nil || keys(m) != "arns,list,name" {
			t.Errorf("Map after Register: keys %s, err %v", keys(m), err)
		}
		return nil
	}, pulumi.WithMocks("p", "s", mockengine.New("p", "s", "eu-west-1")))
	if err != nil {
		t.Fatal(err)
	}
}

type named struct {
	Name pulumi.StringOutput `pulumi:"name"`
}

type twice struct {
	pulumi.ResourceState
	Name  pulumi.StringOutput `pulumi:"name"`
	Again named               `outputs:"inline"`
}

// Two fields registering one name is an error naming it.
func TestMapFailsOnANameTwice(t *testing.T) {
	t.Parallel()
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		c := &twice{}
		if err := Component(ctx, "test:index:Twice", "t", c); err != nil {
			return err
		}
		c.Name = pulumi.String("a").ToStringOutput()
		c.Again.Name = pulumi.String("b").ToStringOutput()
		if _, err := Map(c); err == nil || !strings.Contains(err.Error(), `output "name" is registered by two fields`) {
			t.Errorf("name twice: err = %v", err)
		}
		return nil
	}, pulumi.WithMocks("p", "s", mockengine.New("p", "s", "eu-west-1")))
	if err != nil {
		t.Fatal(err)
	}
}
