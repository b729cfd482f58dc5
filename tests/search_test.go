package tests

import (
	"encoding/json"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
)

// Issue 14 item 3: every role of a service or function that `uses: search`
// can read and write the index on day one, with no manual step. The domain
// has no fine-grained access control (with FGAC on and an IAM master, a
// role nobody mapped inside the cluster is refused whatever IAM says), the
// domain access policy admits the role, and the role's own policy allows
// the es:ESHttp* methods a search client sends (GET/HEAD/POST to search,
// PUT/POST/DELETE to index) on the domain's indexes. Nothing else is
// admitted but the operators' search-admin role.
func TestSearchConsumersReachTheDomain(t *testing.T) {
	t.Parallel()
	for _, stack := range []string{"prod", "dr"} {
		r := synthesize(t, root, stack)
		if stack == "dr" {
			// On standby the domain is derived and not built (issue 18):
			// the consumers must reach the one the failover creates.
			if n := len(r.Engine.ByType(tokens.OpenSearchDomain)); n != 0 {
				t.Errorf("dr on standby has %d search domains", n)
			}
			r = activeDR(t, root, "dbay")
		}
		domains := r.Engine.ByType(tokens.OpenSearchDomain)
		if len(domains) != 1 {
			t.Fatalf("%s: %d search domains", stack, len(domains))
		}
		dom := domains[0]
		if adv, _ := dom.In()["advancedSecurityOptions"].(map[string]any); adv == nil || adv["enabled"] != false {
			t.Errorf("%s: fine-grained access control is not off (%v): only its master could use the domain", stack, adv)
		}
		index := dom.Out()["arn"].(string) + "/listings/_search"
		policies := r.Engine.ByType(tokens.OpenSearchDomainPolicy)
		if len(policies) != 1 {
			t.Fatalf("%s: %d domain policies", stack, len(policies))
		}
		domainPolicy := parseIAM(t, policies[0].In()["accessPolicies"])

		consumers := searchConsumers(r)
		if len(consumers) < 3 { // listing, search-gateway, search_indexer
			t.Fatalf("%s: search consumers %v", stack, consumers)
		}
		want := []string{roleArn(t, r, "search-admin")}
		for _, role := range append(consumers, "search-admin") {
			arn := roleArn(t, r, role)
			if role != "search-admin" {
				want = append(want, arn)
			}
			identity := identityPolicies(t, r, role)
			for _, action := range []string{"es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"} {
				if !allowsIAM(domainPolicy, arn, action, index) {
					t.Errorf("%s: the domain policy does not admit %s for %s", stack, role, action)
				}
				ok := false
				for _, d := range identity {
					ok = ok || allowsIAM(d, "", action, index)
				}
				if !ok {
					t.Errorf("%s: no policy of role %s allows %s on %s", stack, role, action, index)
				}
			}
		}
		var named []string
		for _, s := range domainPolicy {
			named = append(named, iamStrings(obj(s["Principal"])["AWS"])...)
		}
		sort.Strings(named)
		sort.Strings(want)
		if !reflect.DeepEqual(named, want) {
			t.Errorf("%s: domain policy principals\n got %v\nwant %v (the search consumers and search-admin)", stack, named, want)
		}
	}
}

// searchConsumers are the logical names of the roles whose service or
// function uses search: <service>-task, and the function's kebab name.
func searchConsumers(r *synth.Result) []string {
	var out []string
	if f := r.Config.Fleet; f != nil {
		for _, s := range f.Services {
			if containsString(s.Uses, "search") {
				out = append(out, s.Name+"-task")
			}
		}
	}
	if s := r.Config.Serverless; s != nil {
		for name, fn := range s.Functions {
			if containsString(fn.Uses, "search") {
				out = append(out, strings.ReplaceAll(name, "_", "-"))
			}
		}
	}
	sort.Strings(out)
	return out
}

func roleArn(t *testing.T, r *synth.Result, logical string) string {
	t.Helper()
	role := r.Engine.Get(tokens.IAMRole, logical)
	if role == nil {
		t.Fatalf("%s: no role %s", r.Stack, logical)
	}
	return role.Out()["arn"].(string)
}

// identityPolicies are the inline policies of a role.
func identityPolicies(t *testing.T, r *synth.Result, logical string) [][]map[string]any {
	t.Helper()
	role := r.Engine.Get(tokens.IAMRole, logical)
	var out [][]map[string]any
	for _, p := range r.Engine.ByType(tokens.IAMRolePolicy) {
		if in := p.In(); in["role"] == role.Out()["name"] || in["role"] == role.ID {
			out = append(out, parseIAM(t, in["policy"]))
		}
	}
	return out
}

// parseIAM returns a policy document's statements.
func parseIAM(t *testing.T, v any) []map[string]any {
	t.Helper()
	s, _ := v.(string)
	var doc struct{ Statement []map[string]any }
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		t.Fatalf("policy %q: %v", s, err)
	}
	return doc.Statement
}

// allowsIAM reports whether an Allow statement (for principal, unless "")
// covers action on resource, with IAM's wildcards.
func allowsIAM(statements []map[string]any, principal, action, resource string) bool {
	for _, s := range statements {
		if e := str(s["Effect"]); e != "" && e != "Allow" {
			continue
		}
		if principal != "" && !containsString(iamStrings(obj(s["Principal"])["AWS"]), principal) {
			continue
		}
		okA, okR := false, false
		for _, a := range iamStrings(s["Action"]) {
			okA = okA || iamWildcard(a, action)
		}
		for _, p := range iamStrings(s["Resource"]) {
			okR = okR || iamWildcard(p, resource)
		}
		if okA && okR {
			return true
		}
	}
	return false
}

func iamWildcard(pattern, s string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile("(?i)" + re).MatchString(s)
}

func iamStrings(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	return strs(v)
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// Issue 15 (Should): the OpenSearch administrator role is assumable by the
// operators' role alone (security.operatorRole), not by any principal of
// the account whose policies allow sts:AssumeRole.
func TestSearchAdminAssumedByTheOperatorsOnly(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "prod")
	trust := must(t, r, tokens.IAMRole, "search-admin").In()["assumeRolePolicy"].(string)
	if !strings.Contains(trust, `"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/dbay-operator"}`) {
		t.Errorf("search-admin trust = %s, want only dbay-operator", trust)
	}
}
