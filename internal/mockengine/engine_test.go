package mockengine

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/docdb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elasticache"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestRecordsRegistrationsWithOptionsAndRegionalARNs(t *testing.T) {
	t.Parallel()
	eng := New("dbay", "test", "us-east-1")
	err := eng.Run(func(ctx *pulumi.Context) error {
		west, err := aws.NewProvider(ctx, "west", &aws.ProviderArgs{Region: pulumi.String("us-west-2")})
		if err != nil {
			return err
		}
		k1, err := kms.NewKey(ctx, "default-region", &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true)},
			pulumi.Protect(true), pulumi.IgnoreChanges([]string{"description"}))
		if err != nil {
			return err
		}
		_, err = kms.NewKey(ctx, "west-key", &kms.KeyArgs{Description: k1.Arn},
			pulumi.Provider(west), pulumi.RetainOnDelete(true), pulumi.DeleteBeforeReplace(true))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	east := eng.Get("aws:kms/key:Key", "default-region")
	west := eng.Get("aws:kms/key:Key", "west-key")
	if east == nil || west == nil {
		t.Fatalf("keys not recorded: %v", eng.Resources())
	}
	if !east.Options.Protect || !reflect.DeepEqual(east.Options.IgnoreChanges, []string{"description"}) {
		t.Errorf("east options = %+v", east.Options)
	}
	if !west.Options.RetainOnDelete || !west.Options.DeleteBeforeReplace {
		t.Errorf("west options = %+v", west.Options)
	}
	if !strings.HasPrefix(east.Out()["arn"].(string), "arn:aws:kms:us-east-1:123456789012:key/") {
		t.Errorf("east arn = %v", east.Out()["arn"])
	}
	if !strings.HasPrefix(west.Out()["arn"].(string), "arn:aws:kms:us-west-2:123456789012:key/") || west.Region != "us-west-2" {
		t.Errorf("west arn = %v region %s", west.Out()["arn"], west.Region)
	}
	if west.Provider != "urn:pulumi:test::dbay::pulumi:providers:aws::west" {
		t.Errorf("west provider = %q", west.Provider)
	}
	if west.In()["description"] != east.Out()["arn"] {
		t.Errorf("an output did not flow into an input: %v", west.In()["description"])
	}
	if !reflect.DeepEqual(west.Dependencies, []string{east.URN}) {
		t.Errorf("dependencies = %v", west.Dependencies)
	}
}

func TestRendersPolicyDocuments(t *testing.T) {
	t.Parallel()
	eng := New("dbay", "test", "us-east-1")
	var doc string
	err := eng.Run(func(ctx *pulumi.Context) error {
		res, err := iam.GetPolicyDocument(ctx, &iam.GetPolicyDocumentArgs{Statements: []iam.GetPolicyDocumentStatement{
			{Sid: pulumi.StringRef("One"), Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/*"},
				Principals: []iam.GetPolicyDocumentStatementPrincipal{{Type: "AWS", Identifiers: []string{"arn:aws:iam::123456789012:root"}}}},
			{Effect: pulumi.StringRef("Deny"), Actions: []string{"secretsmanager:GetSecretValue", "kms:Decrypt"}, Resources: []string{"*"},
				Principals: []iam.GetPolicyDocumentStatementPrincipal{{Type: "*", Identifiers: []string{"*"}}},
				Conditions: []iam.GetPolicyDocumentStatementCondition{{Test: "StringNotEquals", Variable: "aws:PrincipalArn", Values: []string{"a", "b"}}}},
		}})
		if err != nil {
			return err
		}
		doc = res.Json
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"One","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},` +
		`{"Effect":"Deny","Principal":"*","Action":["secretsmanager:GetSecretValue","kms:Decrypt"],"Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalArn":["a","b"]}}}]}`
	if doc != want {
		t.Errorf("policy\n got %s\nwant %s", doc, want)
	}
	var parsed PolicyDocument
	if err := json.Unmarshal([]byte(doc), &parsed); err != nil {
		t.Fatal(err)
	}
}

func TestUnknownInvokeFails(t *testing.T) {
	t.Parallel()
	eng := New("dbay", "test", "us-east-1")
	err := eng.Run(func(ctx *pulumi.Context) error {
		_, err := iam.LookupRole(ctx, &iam.LookupRoleArgs{Name: "x"})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "no mock answer for this invoke") {
		t.Errorf("err = %v, want a missing-mock error", err)
	}
}

func TestStackReferenceAnswersMockedOutputs(t *testing.T) {
	t.Parallel()
	eng := New("dbay", "dr", "us-west-2")
	eng.SetStackOutputs("organization/dbay/prod", map[string]any{"vpcCidr": "10.0.0.0/16"})
	var got string
	err := eng.Run(func(ctx *pulumi.Context) error {
		ref, err := pulumi.NewStackReference(ctx, "organization/dbay/prod", nil)
		if err != nil {
			return err
		}
		ref.GetStringOutput(pulumi.String("vpcCidr")).ApplyT(func(s string) string { got = s; return s })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != "10.0.0.0/16" {
		t.Errorf("vpcCidr = %q", got)
	}
	missing := New("dbay", "dr", "us-west-2")
	err = missing.Run(func(ctx *pulumi.Context) error {
		_, err := pulumi.NewStackReference(ctx, "organization/dbay/nope", nil)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), `no outputs mocked for stack "organization/dbay/nope"`) {
		t.Errorf("missing stack err = %v", err)
	}
}

func TestRenderRedactsSecrets(t *testing.T) {
	t.Parallel()
	eng := New("dbay", "test", "us-east-1")
	err := eng.Run(func(ctx *pulumi.Context) error {
		_, err := kms.NewKey(ctx, "k", &kms.KeyArgs{Description: pulumi.ToSecret(pulumi.String("hunter2")).(pulumi.StringOutput)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := eng.Get("aws:kms/key:Key", "k").In()["description"]; got != Redacted {
		t.Errorf("secret input rendered as %v", got)
	}
}

// The DR resources answer like AWS: a global cluster named by its
// identifier with a global ARN, a global datastore whose id is the suffix
// behind a region prefix, a replicated-backups id that is an ARN in the
// destination region, and a secondary replication group with endpoints.
func TestDisasterRecoveryResponders(t *testing.T) {
	t.Parallel()
	run := func(region string) *Engine {
		eng := New("dbay", "test", "us-east-1")
		err := eng.Run(func(ctx *pulumi.Context) error {
			p, err := aws.NewProvider(ctx, "p", &aws.ProviderArgs{Region: pulumi.String(region)})
			if err != nil {
				return err
			}
			if _, err := docdb.NewGlobalCluster(ctx, "g", &docdb.GlobalClusterArgs{
				GlobalClusterIdentifier:   pulumi.String("dbay-prod-mongo"),
				SourceDbClusterIdentifier: pulumi.String("arn:aws:rds:us-east-1:123456789012:cluster:mongo-1"),
			}, pulumi.Provider(p)); err != nil {
				return err
			}
			if _, err := elasticache.NewGlobalReplicationGroup(ctx, "rg", &elasticache.GlobalReplicationGroupArgs{
				GlobalReplicationGroupIdSuffix: pulumi.String("dbay-redis"), PrimaryReplicationGroupId: pulumi.String("redis-1"),
			}, pulumi.Provider(p)); err != nil {
				return err
			}
			if _, err := rds.NewInstanceAutomatedBackupsReplication(ctx, "b", &rds.InstanceAutomatedBackupsReplicationArgs{
				SourceDbInstanceArn: pulumi.String("arn:aws:rds:us-east-1:123456789012:db:postgres-1"),
			}, pulumi.Provider(p)); err != nil {
				return err
			}
			_, err = elasticache.NewReplicationGroup(ctx, "secondary", &elasticache.ReplicationGroupArgs{
				Description: pulumi.String("s"), GlobalReplicationGroupId: pulumi.String("abcde-dbay-redis"), NumCacheClusters: pulumi.Int(2),
			}, pulumi.Provider(p))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return eng
	}
	east, west := run("us-east-1"), run("us-west-2")

	g := east.Get("aws:docdb/globalCluster:GlobalCluster", "g")
	if g.ID != "dbay-prod-mongo" || g.Out()["arn"] != "arn:aws:rds::123456789012:global-cluster:dbay-prod-mongo" ||
		g.Out()["globalClusterIdentifier"] != "dbay-prod-mongo" || !strings.HasPrefix(g.Out()["globalClusterResourceId"].(string), "cluster-") {
		t.Errorf("global cluster = %s %v", g.ID, g.Out())
	}
	rg := east.Get("aws:elasticache/globalReplicationGroup:GlobalReplicationGroup", "rg")
	id := rg.Out()["globalReplicationGroupId"].(string)
	if len(id) != len("ldgnf-dbay-redis") || !strings.HasSuffix(id, "-dbay-redis") || rg.ID != id ||
		rg.Out()["arn"] != "arn:aws:elasticache::123456789012:globalreplicationgroup:"+id {
		t.Errorf("global replication group = %s %v", rg.ID, rg.Out())
	}
	if westID := west.Get("aws:elasticache/globalReplicationGroup:GlobalReplicationGroup", "rg").ID; westID == id {
		t.Errorf("the prefix does not depend on the region: %s in both", id)
	}
	b := west.Get("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "b")
	if !strings.HasPrefix(b.ID, "arn:aws:rds:us-west-2:123456789012:auto-backup:ab-") || b.Out()["retentionPeriod"] != 7.0 {
		t.Errorf("backups replication = %s %v", b.ID, b.Out())
	}
	sec := west.Get("aws:elasticache/replicationGroup:ReplicationGroup", "secondary").Out()
	if !strings.HasSuffix(sec["primaryEndpointAddress"].(string), ".usw2.cache.amazonaws.com") || len(sec["memberClusters"].([]any)) != 2 ||
		sec["globalReplicationGroupId"] != "abcde-dbay-redis" {
		t.Errorf("secondary replication group = %v", sec)
	}
}

// An IAM user's access key answers as AWS does: id AKIA + 16 upper-case
// letters and digits, a 40-character secret access key; the user's ARN
// carries its path.
func TestAccessKeyResponder(t *testing.T) {
	t.Parallel()
	eng := New("dbay", "test", "us-east-1")
	err := eng.Run(func(ctx *pulumi.Context) error {
		u, err := iam.NewUser(ctx, "smtp", &iam.UserArgs{Name: pulumi.String("dbay-test-ses-smtp"), Path: pulumi.String("/ses-smtp/")})
		if err != nil {
			return err
		}
		_, err = iam.NewAccessKey(ctx, "smtp", &iam.AccessKeyArgs{User: u.Name})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if arn := eng.Get("aws:iam/user:User", "smtp").Out()["arn"]; arn != "arn:aws:iam::123456789012:user/ses-smtp/dbay-test-ses-smtp" {
		t.Errorf("user arn = %v", arn)
	}
	k := eng.Get("aws:iam/accessKey:AccessKey", "smtp")
	id, _ := k.Out()["id"].(string)
	if ok, _ := regexp.MatchString(`^AKIA[A-Z0-9]{16}$`, id); !ok {
		t.Errorf("access key id = %q, want AKIA + 16 upper-case letters and digits", id)
	}
	if secret, _ := k.Out()["secret"].(string); len(secret) != 40 {
		t.Errorf("secret = %q (%d chars), want 40", secret, len(secret))
	}
	if k.In()["user"] != "dbay-test-ses-smtp" {
		t.Errorf("user = %v", k.In()["user"])
	}
}
