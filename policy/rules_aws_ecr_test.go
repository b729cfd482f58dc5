package policy

import (
	"strings"
	"testing"

	"github.com/dbay/infra/internal/mockengine"
)

func init() { topicFixtureSets = append(topicFixtureSets, ecrFixtures) }

// in places a fixture resource in a region, as its provider would.
func in(region string) opt { return func(r *mockengine.Resource) { r.Region = region } }

// ECR fixtures: a primary in us-east-1 replicating dbay/* to us-west-2.
func ecrFixtures() map[string]fixture {
	const replicaKey = "arn:aws:kms:us-west-2:123456789012:key/replica"
	replication := func(filters ...string) *mockengine.Resource {
		var fs []any
		for _, f := range filters {
			fs = append(fs, map[string]any{"filter": f, "filterType": "PREFIX_MATCH"})
		}
		return res(ecrReplication, "registry-replication", map[string]any{"replicationConfiguration": map[string]any{"rules": list1(map[string]any{
			"destinations":      list1(map[string]any{"region": "us-west-2", "registryId": "123456789012"}),
			"repositoryFilters": fs,
		})}}, in("us-east-1"))
	}
	repo := func(name, region string) *mockengine.Resource {
		return res(ecrRepository, strings.ReplaceAll(name, "/", "-"), map[string]any{"name": name}, in(region))
	}
	goodTemplate := map[string]any{
		"prefix": "dbay", "appliedFors": list1("REPLICATION"), "imageTagMutability": "IMMUTABLE",
		"encryptionConfigurations": list1(map[string]any{"encryptionType": "KMS", "kmsKey": replicaKey}),
		"resourceTags":             map[string]any{"project": "dbay"}, "customRoleArn": "arn:aws:iam::123456789012:role/creator",
	}
	template := func(kv ...any) *mockengine.Resource {
		return res(ecrCreateTemplate, "image-replicas-dbay", with(goodTemplate, kv...), in("us-west-2"))
	}
	return map[string]fixture{
		"ecr-replica-created-by-replication": {
			// The primary's own repositories (us-east-1), and one in us-west-2 outside the filters.
			good: one(replication("dbay/listing-service"), repo("dbay/listing-service", "us-east-1"), repo("other/tool", "us-west-2")),
			// A stack creating in us-west-2 what replication creates there (with a filter, and with none).
			bad: one(replication("dbay/listing-service"), repo("dbay/listing-service", "us-west-2"), repo("dbay/listing-service-v2", "us-west-2")),
		},
		"ecr-template-role": {
			good: one(template(), template("customRoleArn", nil, "resourceTags", nil, "encryptionConfigurations", list1(map[string]any{"encryptionType": "AES256"}))),
			bad:  one(template("customRoleArn", nil), template("customRoleArn", nil, "encryptionConfigurations", nil)),
		},
		"ecr-template-key-region": {
			good: one(template()),
			bad:  one(template("encryptionConfigurations", list1(map[string]any{"encryptionType": "KMS", "kmsKey": cmk}))), // us-east-1 key
		},
		"ecr-replication-template": {
			good: one(replication("dbay/listing-service", "dbay/wallet-service"), template()),
			bad: one(replication("dbay/listing-service", "dhanam-api"), template(), // dhanam-api has no namespace: only ROOT covers it
				res(ecrReplication, "mutable", replication().Inputs.Mappable(), in("eu-west-1")), template("imageTagMutability", "MUTABLE", "prefix", "ROOT")),
		},
	}
}

// The race is between two stacks: evaluated with its DR partner, the
// recovery stack's repository is refused because the primary's replication
// creates it; alone, neither stack shows it. Violations land on the
// evaluated stack's resources only.
func TestECRReplicationRaceAcrossTheDRPair(t *testing.T) {
	t.Parallel()
	fx := ecrFixtures()["ecr-replica-created-by-replication"]
	primary := []*mockengine.Resource{fx.bad[0]}
	recovery := []*mockengine.Resource{fx.bad[1]}
	rule := ruleByID(t, "ecr-replica-created-by-replication")
	if got := evaluate([]Rule{rule}, recovery, nil, Options{}); len(got.Violations) != 0 {
		t.Fatalf("recovery alone: %v", got.Violations)
	}
	got := evaluate([]Rule{rule}, recovery, nil, Options{Partner: primary})
	if len(got.Violations) != 1 || got.Violations[0].Name != "dbay-listing-service" || got.Violations[0].Source != ecrReplicationSource ||
		got.Violations[0].Category != CategoryAWSConstraint || !strings.Contains(got.Violations[0].Message, "RepositoryAlreadyExistsException") {
		t.Errorf("recovery with its primary: %+v", got.Violations)
	}
	if got := evaluate([]Rule{rule}, primary, nil, Options{Partner: recovery}); len(got.Violations) != 0 {
		t.Errorf("primary with its recovery stack: %v", got.Violations)
	}
	// The template may live in either stack of the pair.
	tpl := ecrFixtures()["ecr-replication-template"].good
	if got := evaluate([]Rule{ruleByID(t, "ecr-replication-template")}, tpl[:1], nil, Options{Partner: tpl[1:]}); len(got.Violations) != 0 {
		t.Errorf("template in the partner: %v", got.Violations)
	}
}
