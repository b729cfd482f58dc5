package tests

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/dbay/infra/internal/cfnschema"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
)

var (
	rbacOnce sync.Once
	rbacRun  *synth.Result
	rbacErr  error
)

// rbacStack is DBay's prod config without a DR region (so its Redis is
// no Global Datastore member, which config refuses next to RBAC) and with
// data.redis.serviceUsers on, one consumer with its own key patterns.
func rbacStack(t *testing.T) *synth.Result {
	t.Helper()
	rbacOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join(root, "Pulumi.prod.yaml"))
		if err != nil {
			rbacErr = err
			return
		}
		prod := string(b)
		for _, r := range [][2]string{
			{"  dbay:drRegion: us-west-2", "  # no drRegion"},
			{"      purpose: auction state, locks, sessions   # seed §3\n",
				"      purpose: auction state, locks, sessions   # seed §3\n      serviceUsers: true\n      keyPatterns:\n        auction_closer: [\"auction:*\", \"lock:auction:*\"]\n"},
			// The consumers' secrets take the shared one's waiver.
			{`        resource: "redis-url"`, `        resource: "redis-*-url"`},
		} {
			if !strings.Contains(prod, r[0]) {
				rbacErr = os.ErrNotExist
				t.Errorf("Pulumi.prod.yaml has no %q", r[0])
				return
			}
			prod = strings.Replace(prod, r[0], r[1], 1)
		}
		tmp, err := os.MkdirTemp("", "rbac")
		if err != nil {
			rbacErr = err
			return
		}
		if err := os.WriteFile(filepath.Join(tmp, "Pulumi.yaml"), []byte("name: dbay\nruntime: go\n"), 0o644); err != nil {
			rbacErr = err
			return
		}
		if err := os.WriteFile(filepath.Join(tmp, "Pulumi.prod.yaml"), []byte(prod), 0o644); err != nil {
			rbacErr = err
			return
		}
		st, err := synth.LoadStack(tmp, "prod")
		if err != nil {
			rbacErr = err
			return
		}
		rbacRun, rbacErr = synth.Run(st)
	})
	if rbacErr != nil {
		t.Fatal(rbacErr)
	}
	return rbacRun
}

// Issue 15 item 2, Redis: with data.redis.serviceUsers every consumer of
// Redis (five services, two functions) reads REDIS_URL from a secret of
// its own that names its own ElastiCache user; the users sit in one user
// group with a disabled default user, the replication group uses that
// group and no AUTH token, no shared redis-url secret exists, and the
// wiring proof shows each Redis edge connecting as its consumer.
func TestEveryRedisConsumerConnectsAsItsOwnUser(t *testing.T) {
	t.Parallel()
	r := rbacStack(t)
	// Every consumer the config declares, services first (as
	// searchConsumers does for search): at least DBay's five and two.
	var consumers, fns []string
	for _, s := range r.Config.Fleet.Services {
		if containsString(s.Uses, "redis") {
			consumers = append(consumers, s.Name)
		}
	}
	services := len(consumers)
	for name, fn := range r.Config.Serverless.Functions {
		if containsString(fn.Uses, "redis") {
			fns = append(fns, name)
		}
	}
	sort.Strings(fns)
	if consumers = append(consumers, fns...); services < 5 || len(fns) < 2 {
		t.Fatalf("redis consumers %v: want DBay's five services and two functions at least", consumers)
	}
	rg := must(t, r, tokens.ElastiCacheReplicationGroup, "redis").In()
	if _, ok := rg["authToken"]; ok {
		t.Error("the replication group still has an AUTH token")
	}
	groupID := must(t, r, tokens.ElastiCacheUserGroup, "redis").In()["userGroupId"]
	if ids, _ := rg["userGroupIds"].([]any); len(ids) != 1 || ids[0] != groupID {
		t.Errorf("userGroupIds = %v, want [%v]", rg["userGroupIds"], groupID)
	}
	members := map[string]bool{}
	for _, id := range must(t, r, tokens.ElastiCacheUserGroup, "redis").In()["userIds"].([]any) {
		members[id.(string)] = true
	}
	def := must(t, r, tokens.ElastiCacheUser, "redis-user-default").In()
	if def["userName"] != "default" || !strings.HasPrefix(def["accessString"].(string), "off") || !members[def["userId"].(string)] {
		t.Errorf("default user %v: want a disabled member named default", def)
	}
	for _, res := range r.Engine.ByType(tokens.SecretsManagerSecret) {
		if res.Name == "redis-url" {
			t.Error("a shared redis-url secret remains")
		}
	}
	for _, c := range consumers {
		u := must(t, r, tokens.ElastiCacheUser, "redis-user-"+c).In()
		if u["userName"] != c || !members[u["userId"].(string)] {
			t.Errorf("%s: user %v is not named after it or not in the group", c, u)
		}
		want := "on ~* &* +@all -@dangerous +info"
		if c == "auction_closer" {
			want = "on ~auction:* ~lock:auction:* &* +@all -@dangerous +info"
		}
		if u["accessString"] != want {
			t.Errorf("%s: access string %q, want %q", c, u["accessString"], want)
		}
	}
	own := func(c string) string {
		return must(t, r, tokens.SecretsManagerSecret, "redis-"+c+"-url").Out()["arn"].(string)
	}
	for _, svc := range consumers[:services] {
		if got := containerSecrets(t, r, svc)["REDIS_URL"]; got != own(svc) {
			t.Errorf("%s reads REDIS_URL from %s, want its own %s", svc, got, own(svc))
		}
	}
	var idents []string
	for _, e := range r.Wiring().Edges {
		if e.Dependency != "redis" {
			continue
		}
		idents = append(idents, e.Consumer+"="+e.Identity)
		if _, name, _ := strings.Cut(e.Consumer, " "); e.Identity != name || !e.OK() {
			t.Errorf("%s connects as %q (%s)", e.Consumer, e.Identity, e.Credentials)
		}
	}
	sort.Strings(idents)
	if len(idents) != len(consumers) {
		t.Errorf("redis edges %v, want one per consumer %v", idents, consumers)
	}
	for _, v := range r.EvaluatePolicy().Unwaived() {
		// Without a DR region the DR contract's waiver has nothing to excuse.
		if v.Rule == "policy-unused-waiver" && v.Name == "contract-secrets" {
			continue
		}
		t.Errorf("policy: %s %s: %s", v.Rule, v.Name, v.Message)
	}
}

// Today's shipped stacks keep the AUTH token (their Redis is a Global
// Datastore member: docs/security.md "Trust boundaries"), and the wiring proof
// names the identity it gives: the default user, shared by every
// consumer.
func TestRedisEdgesShowTheSharedDefaultUser(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "prod")
	n := 0
	for _, e := range r.Wiring().Edges {
		if e.Dependency == "redis" {
			n++
			if e.Identity != "default" {
				t.Errorf("%s: identity %q, want default (the AUTH token)", e.Consumer, e.Identity)
			}
		}
	}
	if n == 0 {
		t.Error("no redis edges")
	}
}

// The RBAC resources translate to CloudFormation (AWS::ElastiCache::User
// and UserGroup) and, where cfn-lint is installed, pass AWS's schemas.
func TestRedisUsersPassCloudFormationSchemas(t *testing.T) {
	t.Parallel()
	tr := rbacStack(t).CFN()
	for _, p := range tr.Problems {
		t.Error(p)
	}
	if _, err := cfnschema.Command(); err != nil {
		t.Skipf("cfn-lint is not installed: %v", err)
	}
	findings, _, err := cfnschema.Lint(context.Background(), t.TempDir(), []*cfnschema.Translation{tr}, cfnschema.Waivers)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range cfnschema.Unwaived(findings) {
		if strings.HasPrefix(f.Type, "aws:elasticache/") {
			t.Errorf("%+v", f)
		}
	}
}
