package mockengine

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// The component-test harness: every components/*/ test builds its small
// program the same way.
//
//	eng := mockengine.ForTest(t, "dbay", "prod", "us-east-1")
//	var outs map[string]any
//	eng.MustRun(func(ctx *pulumi.Context) error {
//		p, err := mockengine.Provider(ctx, "regional", "us-east-1")
//		if err != nil {
//			return err
//		}
//		n, err := network.New(ctx, "network", args, pulumi.Providers(p))
//		if err != nil {
//			return err
//		}
//		outs, err = mockengine.Resolve(ctx, map[string]pulumi.Output{"vpcId": n.VpcID})
//		return err
//	})
//	eng.HasResource(t, tokens.EC2VpcEndpoint, mockengine.Props{"privateDnsEnabled": true})
//
// and then asserts on what the engine captured (Get, ByType,
// HasResource), one engine per test, after the run returns.

// ForTest returns an engine for one test's run of project/stack whose
// default AWS provider is in region. An ambiguous Get fails t.
func ForTest(t TB, project, stack, region string) *Engine {
	t.Helper()
	e := New(project, stack, region)
	e.tb = t
	return e
}

// MustRun runs program under the engine and fails the test (ForTest's)
// when it returns an error; use Run when the test expects one.
func (e *Engine) MustRun(program pulumi.RunFunc, opts ...pulumi.RunOption) {
	if e.tb == nil {
		panic("mockengine: MustRun needs an engine from ForTest")
	}
	e.tb.Helper()
	if err := e.Run(program, opts...); err != nil {
		e.tb.Fatalf("%v", err)
	}
}

// Provider registers an explicit AWS provider named name in region, as
// the stacks hand a component its regional (and us-east-1) provider.
func Provider(ctx *pulumi.Context, name, region string) (*aws.Provider, error) {
	return aws.NewProvider(ctx, name, &aws.ProviderArgs{Region: pulumi.String(region)})
}

// Resolve waits, inside a program, for a component's outputs and returns
// them as plain JSON shapes (strings, float64, []any, map[string]any), as
// rendered inputs are, under the keys given (the fields' pulumi tags).
func Resolve(ctx *pulumi.Context, outs map[string]pulumi.Output) (map[string]any, error) {
	got := make(map[string]any, len(outs))
	for k, o := range outs {
		r, err := internals.UnsafeAwaitOutput(ctx.Context(), o)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", k, err)
		}
		b, err := json.Marshal(r.Value)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", k, err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("output %s: %w", k, err)
		}
		got[k] = v
	}
	return got, nil
}
