package secrets

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/components/seal"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

// TestForgottenSealFails: a program that grants a single-reader secret and
// never seals it fails at seal.Check (stacks.Build's last step), naming the
// component; seal.All writes the policy and passes the check.
func TestForgottenSealFails(t *testing.T) {
	t.Parallel()
	for _, sealIt := range []bool{false, true} {
		eng := mockengine.New("dbay", "prod", "us-east-1")
		err := eng.Run(func(ctx *pulumi.Context) error {
			west, err := aws.NewProvider(ctx, "us-west-2", &aws.ProviderArgs{Region: pulumi.String("us-west-2")})
			if err != nil {
				return err
			}
			s, err := New(ctx, "secrets", &Args{
				Env:  config.Env{Project: "dbay", Stack: "prod", Region: "us-east-1", Partition: "aws"},
				Spec: dbaySecrets(), Values: map[string]string{"SENTRY_DSN": "x"},
				ReplicaProviders: map[string]*aws.Provider{"us-west-2": west}, DeployRole: "d", BreakGlassRole: "b",
			})
			if err != nil {
				return err
			}
			r, err := iam.NewRole(ctx, "build-and-sign-tx", &iam.RoleArgs{AssumeRolePolicy: pulumi.String(`{}`)})
			if err != nil {
				return err
			}
			if _, err := s.GrantRead(ctx, iamdoc.NewGrantee("build-and-sign-tx", r), "WALLET_MASTER_XPRIV"); err != nil {
				return err
			}
			if sealIt {
				if err := seal.All(ctx); err != nil {
					return err
				}
			}
			return seal.Check(ctx)
		})
		if sealIt {
			if err != nil || len(eng.ByType(tPolicy)) != 1 {
				t.Errorf("sealed: err %v, %d secret policies, want nil and 1", err, len(eng.ByType(tPolicy)))
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), `never sealed: secrets "secrets"`) {
			t.Errorf("unsealed: err = %v, want it to name secrets \"secrets\"", err)
		}
	}
}

// TestNewLeavesArgsAlone: New defaults the partition on its own copy; the
// caller's Args (which a stack may pass to several components) are unchanged.
func TestNewLeavesArgsAlone(t *testing.T) {
	t.Parallel()
	args := &Args{Env: config.Env{Project: "dbay", Stack: "prod", Region: "us-east-1"}, Spec: dbaySecrets(), Values: map[string]string{"SENTRY_DSN": "x"},
		DeployRole: "d", BreakGlassRole: "b"}
	before := *args
	err := mockengine.New("dbay", "prod", "us-east-1").Run(func(ctx *pulumi.Context) error {
		west, err := aws.NewProvider(ctx, "us-west-2", &aws.ProviderArgs{Region: pulumi.String("us-west-2")})
		if err != nil {
			return err
		}
		args.ReplicaProviders = map[string]*aws.Provider{"us-west-2": west}
		before.ReplicaProviders = args.ReplicaProviders
		s, err := New(ctx, "secrets", args)
		if err != nil {
			return err
		}
		if s.args.Partition != "aws" {
			t.Errorf("the component's partition = %q, want the default aws", s.args.Partition)
		}
		return seal.All(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*args, before) {
		t.Errorf("New changed the caller's Args: Partition %q (was %q)", args.Partition, before.Partition)
	}
}
