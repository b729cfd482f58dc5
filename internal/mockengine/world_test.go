package mockengine

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Data sources read what another run created, in the invoke's Region only,
// and fail as AWS does when it is not there; an unreadable stack's
// StackReference fails.
func TestWorldAnswersDataSourcesByRegion(t *testing.T) {
	t.Parallel()
	writer := New("dbay", "prod", "us-east-1")
	err := writer.Run(func(ctx *pulumi.Context) error {
		west, err := aws.NewProvider(ctx, "us-west-2", &aws.ProviderArgs{Region: pulumi.String("us-west-2")})
		if err != nil {
			return err
		}
		if _, err := ssm.NewParameter(ctx, "contract", &ssm.ParameterArgs{Name: pulumi.String("/dbay/prod/dr/contract"), Type: pulumi.String("String"), Value: pulumi.String(`{"a":"b"}`)}, pulumi.Provider(west)); err != nil {
			return err
		}
		sec, err := secretsmanager.NewSecret(ctx, "s", &secretsmanager.SecretArgs{Name: pulumi.String("dbay/prod/dr/contract-secrets")}, pulumi.Provider(west))
		if err != nil {
			return err
		}
		_, err = secretsmanager.NewSecretVersion(ctx, "s", &secretsmanager.SecretVersionArgs{SecretId: sec.ID(), SecretString: pulumi.String(`{"p":"q"}`)}, pulumi.Provider(west))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	read := func(region string) (string, string, error) {
		eng := New("dbay", "dr", region)
		eng.SetWorld(writer.Resources())
		var value, secret string
		err := eng.Run(func(ctx *pulumi.Context) error {
			p, err := ssm.LookupParameter(ctx, &ssm.LookupParameterArgs{Name: "/dbay/prod/dr/contract"})
			if err != nil {
				return err
			}
			s, err := secretsmanager.LookupSecretVersion(ctx, &secretsmanager.LookupSecretVersionArgs{SecretId: "dbay/prod/dr/contract-secrets"})
			if err != nil {
				return err
			}
			value, secret = p.Value, s.SecretString
			return nil
		})
		return value, secret, err
	}
	if v, s, err := read("us-west-2"); err != nil || v != `{"a":"b"}` || s != `{"p":"q"}` {
		t.Errorf("us-west-2: %q %q %v", v, s, err)
	}
	if _, _, err := read("us-east-2"); err == nil || !strings.Contains(err.Error(), "ParameterNotFound") {
		t.Errorf("another Region: err = %v, want ParameterNotFound", err)
	}
	eng := New("dbay", "dr", "us-west-2")
	eng.SetUnreadable("organization/dbay/prod", "its Region is down")
	err = eng.Run(func(ctx *pulumi.Context) error {
		_, err := pulumi.NewStackReference(ctx, "organization/dbay/prod", nil)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), `the state of stack "organization/dbay/prod" cannot be read: its Region is down`) {
		t.Errorf("unreadable stack: err = %v", err)
	}
}
