package tests

import (
	"strings"
	"testing"

	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
)

// Issue 13 item 7. Registry replication creates the DR region's
// repositories on the first push, so a recovery stack creating them too
// fails with "already exists": in both pairs the recovery stack creates no
// repository, its services pull the primary's replicas, and the primary
// owns the DR region's REPLICATION creation template (KMS with a key of
// that region, immutable tags, the lifecycle, the stack's tags) that
// replication waits for.
func TestReplicationOwnsTheDRRepositories(t *testing.T) {
	t.Parallel()
	for _, pair := range []struct{ dir, prefix string }{{root, "dbay"}, {"../examples/dhanam", "ROOT"}} {
		rec := synthesize(t, pair.dir, "dr")
		prim := rec.Partner
		if n := len(rec.Engine.ByType(tokens.ECRRepository)); n != 0 {
			t.Errorf("%s dr creates %d repositories where replication creates them", pair.dir, n)
		}
		region := rec.Config.Region
		tpls := prim.Engine.ByType(tokens.ECRRepositoryCreationTemplate)
		if len(tpls) != 1 {
			t.Fatalf("%s prod: %d creation templates", pair.dir, len(tpls))
		}
		tpl := tpls[0]
		in := tpl.In()
		enc, _ := in["encryptionConfigurations"].([]any)
		var key string
		if len(enc) == 1 {
			key, _ = enc[0].(map[string]any)["kmsKey"].(string)
		}
		if tpl.Region != region || in["prefix"] != pair.prefix || in["imageTagMutability"] != "IMMUTABLE" ||
			!strings.Contains(key, ":kms:"+region+":") || !strings.Contains(in["lifecyclePolicy"].(string), `"imageCountMoreThan"`) ||
			in["customRoleArn"] == nil || in["resourceTags"].(map[string]any)["project"] != prim.Config.Project {
			t.Errorf("%s prod template (%s) = %v", pair.dir, tpl.Region, in)
		}
		rep := must(t, prim, tokens.ECRReplicationConfiguration, "registry-replication")
		waits := false
		for _, d := range rep.Dependencies {
			waits = waits || d == tpl.URN
		}
		if !waits {
			t.Errorf("%s prod: replication does not wait for the template", pair.dir)
		}
		// Every dr service pulls its replica in the DR region.
		urls := rec.Outputs["repositoryUrls"].(map[string]any)
		for _, s := range rec.Config.Fleet.Services {
			if urls[s.Name] != "123456789012.dkr.ecr."+region+".amazonaws.com/"+s.Image.Repository {
				t.Errorf("%s dr %s pulls %v", pair.dir, s.Name, urls[s.Name])
			}
		}
		assertNoRepositoryRace(t, rec)
	}
}

// assertNoRepositoryRace: the pair passes the aws-constraint rule that
// catches the race (evaluated with the partner's replication).
func assertNoRepositoryRace(t *testing.T, r *synth.Result) {
	t.Helper()
	for _, v := range r.EvaluatePolicy().Violations {
		if strings.HasPrefix(v.Rule, "ecr-") {
			t.Errorf("%s: %s", v.Rule, v.Message)
		}
	}
}
