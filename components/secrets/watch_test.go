package secrets

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

// Watched describes only the single-reader secrets, with the secret's and
// its key's ARN in every Region it exists in and the reader's fixed role
// in each: what the Baseline's filters match and exclude.
func TestWatchedSingleReaderSecrets(t *testing.T) {
	t.Parallel()
	eng := mockengine.ForTest(t, "dbay", "prod", "us-east-1")
	var watched []Watch
	eng.MustRun(func(ctx *pulumi.Context) error {
		west, err := mockengine.Provider(ctx, "us-west-2", "us-west-2")
		if err != nil {
			return err
		}
		s, err := New(ctx, "secrets", &Args{Env: config.Env{Project: "dbay", Stack: "prod", Region: "us-east-1", Partition: "aws"}, Spec: dbaySecrets(), Values: map[string]string{"SENTRY_DSN": "https://key@sentry.example/1"},
			ReplicaProviders: map[string]*aws.Provider{"us-west-2": west}, DeployRole: "dbay-ci-deploy", BreakGlassRole: "dbay-break-glass"})
		if err != nil {
			return err
		}
		watched = s.Watched()
		for _, w := range watched {
			joined := pulumi.All(w.ARNs, w.ReaderRoleArns, w.KeyArns).ApplyT(func(v []any) string {
				var parts []string
				for _, l := range v {
					parts = append(parts, strings.Join(l.([]string), ","))
				}
				return strings.Join(parts, "|")
			}).(pulumi.StringOutput)
			if _, err := iam.NewRole(ctx, "probe-"+w.Item, &iam.RoleArgs{AssumeRolePolicy: pulumi.String("{}"), Description: joined}); err != nil {
				return err
			}
		}
		return nil
	})
	if len(watched) != 1 || watched[0].Item != "WALLET_MASTER_XPRIV" || watched[0].SecretName != "dbay/prod/WALLET_MASTER_XPRIV" ||
		strings.Join(watched[0].Regions, ",") != "us-east-1,us-west-2" {
		t.Fatalf("watched %+v", watched)
	}
	got := strings.Split(eng.Get("aws:iam/role:Role", "probe-WALLET_MASTER_XPRIV").In()["description"].(string), "|")
	arn := eng.Get(tSecret, "WALLET_MASTER_XPRIV").Out()["arn"].(string)
	key := eng.Get("aws:kms/key:Key", "WALLET_MASTER_XPRIV-key").Out()["arn"].(string) // its own key (sealed.go)
	want := []string{
		arn + "," + ReplicaARN(arn, "us-west-2"),
		"arn:aws:iam::" + mockengine.Account + ":role/dbay-build-and-sign-tx-us-east-1,arn:aws:iam::" + mockengine.Account + ":role/dbay-build-and-sign-tx-us-west-2",
		key + "," + ReplicaARN(key, "us-west-2"),
	}
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Errorf("watch[%d] = %v, want %s", i, got, want[i])
		}
	}
}

// A recovery stack watches nothing: the primary's trail and filters cover
// its replicas.
func TestRecoveryWatchesNothing(t *testing.T) {
	t.Parallel()
	eng := mockengine.ForTest(t, "dbay", "dr", "us-west-2")
	eng.MustRun(func(ctx *pulumi.Context) error {
		s, err := New(ctx, "secrets", &Args{
			Env:  config.Env{Project: "dbay", Stack: "dr", Region: "us-west-2", Partition: "aws"},
			Spec: config.Secrets{Items: map[string]config.SecretItem{"WALLET_MASTER_XPRIV": {Source: config.SourceExternal, Readers: []string{"build-and-sign-tx"}}}},
			Replica: &Replica{PrimaryARNs: pulumi.StringMap{"WALLET_MASTER_XPRIV": pulumi.String("arn:aws:secretsmanager:us-east-1:123456789012:secret:dbay/prod/WALLET_MASTER_XPRIV-AbCdEf")},
				KeyArn: pulumi.String("arn:aws:kms:us-west-2:123456789012:key/mrk-0123")},
		})
		if err != nil {
			return err
		}
		if w := s.Watched(); len(w) != 0 {
			t.Errorf("recovery watches %+v", w)
		}
		return nil
	})
}
