package datalayer

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

// TestNewLeavesArgsAlone: New defaults the partition on its own copy; the
// caller's Args (and their embedded config.Env, built once by the stack)
// are unchanged.
func TestNewLeavesArgsAlone(t *testing.T) {
	t.Parallel()
	netSpec, dataSpec := loadSpec(t, dbayStores)
	var args *Args
	var before Args
	mockengine.ForTest(t, "dbay", "prod", "us-east-1").MustRun(func(ctx *pulumi.Context) error {
		p, net, err := testNetwork(ctx, netSpec)
		if err != nil {
			return err
		}
		args = &Args{Env: config.Env{Project: "dbay", Stack: "prod", Region: "us-east-1", Domain: "dbay.example.com"}, Spec: dataSpec, Network: net}
		before = *args
		d, err := New(ctx, "data", args, pulumi.Providers(p))
		if err != nil {
			return err
		}
		if d.args.Partition != "aws" {
			t.Errorf("the component's partition = %q, want the default aws", d.args.Partition)
		}
		return nil
	})
	if !reflect.DeepEqual(*args, before) {
		t.Errorf("New changed the caller's Args: Env %+v (was %+v)", args.Env, before.Env)
	}
}
