package secrets

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

var appKeys = map[string]config.AppKey{"app": {EnvVar: "ENCRYPTION_KEY", Description: "field encryption"}}

// keyRun builds the component in a primary (replica nil) or recovery stack
// with the app key, and grants it to one role.
func keyRun(t *testing.T, stack, region string, replica *Replica) (*mockengine.Engine, map[string]pulumi.StringOutput, error) {
	t.Helper()
	eng := mockengine.ForTest(t, "dhanam", stack, region)
	var env map[string]pulumi.StringOutput
	err := eng.Run(func(ctx *pulumi.Context) error {
		s, err := New(ctx, "secrets", &Args{
			Env:     config.Env{Project: "dhanam", Stack: stack, Region: region, Partition: "aws", Protect: true},
			Spec:    config.Secrets{Keys: appKeys},
			Replica: replica,
		})
		if err != nil {
			return err
		}
		if env, err = s.KeyEnv("app"); err != nil {
			return err
		}
		if _, err := s.KeyEnv("other"); err == nil || !strings.Contains(err.Error(), `no application key "other"`) {
			t.Errorf("KeyEnv(other) err = %v", err)
		}
		role, err := iam.NewRole(ctx, "api-task", &iam.RoleArgs{AssumeRolePolicy: pulumi.String("{}")})
		if err != nil {
			return err
		}
		_, err = s.GrantUseKey(ctx, iamdoc.NewGrantee("api", role), "app")
		return err
	})
	return eng, env, err
}

// The primary's key is multi-Region, rotated, protected, administered by
// the account root; the grant is exactly Decrypt and GenerateDataKey on it.
func TestAppKeyPrimary(t *testing.T) {
	t.Parallel()
	eng, _, err := keyRun(t, "prod", "us-east-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	key := eng.Get("aws:kms/key:Key", "key-app")
	if in := key.In(); in["multiRegion"] != true || in["enableKeyRotation"] != true || in["deletionWindowInDays"] != 30.0 || !key.Options.Protect {
		t.Errorf("key-app = %v %+v", in, key.Options)
	}
	kp := parse(t, key.In()["policy"])
	if len(kp.Statement) != 1 || !reflect.DeepEqual(kp.Statement[0].Principal, map[string]any{"AWS": "arn:aws:iam::123456789012:root"}) {
		t.Errorf("key policy = %+v", kp)
	}
	if a := eng.Get("aws:kms/alias:Alias", "key-app-alias").In(); a["name"] != "alias/dhanam-prod-app" || a["targetKeyId"] != key.Out()["keyId"] {
		t.Errorf("alias = %v", a)
	}
	doc := parse(t, eng.Get(tRolePol, "api-key-app").In()["policy"])
	if len(doc.Statement) != 1 || !reflect.DeepEqual(doc.Statement[0].Action, []any{"kms:Decrypt", "kms:GenerateDataKey"}) || doc.Statement[0].Resource != key.Out()["arn"] {
		t.Errorf("grant = %+v", doc.Statement)
	}
}

// A recovery stack replicates the primary's key into its region (same key
// id), and refuses to run when the primary exports no such key.
func TestAppKeyReplica(t *testing.T) {
	t.Parallel()
	const primary = "arn:aws:kms:us-east-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
	replica := func(keys pulumi.StringMap) *Replica {
		return &Replica{PrimaryARNs: pulumi.StringMap{}, KeyArn: pulumi.String("arn:aws:kms:us-west-2:123456789012:key/mrk-1"), AppKeyArns: keys}
	}
	eng, _, err := keyRun(t, "dr", "us-west-2", replica(pulumi.StringMap{"app": pulumi.String(primary)}))
	if err != nil {
		t.Fatal(err)
	}
	rk := eng.Get("aws:kms/replicaKey:ReplicaKey", "key-app")
	if rk == nil || rk.In()["primaryKeyArn"] != primary || !rk.Options.Protect || len(eng.ByType("aws:kms/key:Key")) != 0 {
		t.Fatalf("replica = %+v, keys %d", rk, len(eng.ByType("aws:kms/key:Key")))
	}
	want := strings.Replace(primary, "us-east-1", "us-west-2", 1)
	if rk.Out()["arn"] != want || parse(t, eng.Get(tRolePol, "api-key-app").In()["policy"]).Statement[0].Resource != want {
		t.Errorf("replica ARN %v / grant, want %s", rk.Out()["arn"], want)
	}
	if a := eng.Get("aws:kms/alias:Alias", "key-app-alias").In(); a["name"] != "alias/dhanam-dr-app" {
		t.Errorf("alias = %v", a)
	}
	if _, _, err := keyRun(t, "dr", "us-west-2", replica(pulumi.StringMap{})); err == nil || !strings.Contains(err.Error(), "the primary stack exports no application key app") {
		t.Errorf("missing primary key: err = %v", err)
	}
}
