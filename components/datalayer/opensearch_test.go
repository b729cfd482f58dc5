package datalayer

import (
	"encoding/json"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func TestOpenSearch(t *testing.T) {
	t.Parallel()
	r := runStores(t, dbayStores, true)
	if r.err != nil {
		t.Fatal(r.err)
	}
	in := r.in(t, "aws:opensearch/domain:Domain", "search")
	cc := in["clusterConfig"].(map[string]any)
	if cc["zoneAwarenessEnabled"] != true || cc["zoneAwarenessConfig"].(map[string]any)["availabilityZoneCount"] != 3.0 ||
		cc["dedicatedMasterEnabled"] != true || cc["dedicatedMasterCount"] != 3.0 || cc["instanceCount"] != 3.0 {
		t.Errorf("cluster config = %v", cc)
	}
	if in["nodeToNodeEncryption"].(map[string]any)["enabled"] != true || in["encryptAtRest"].(map[string]any)["enabled"] != true {
		t.Errorf("encryption = %v / %v", in["nodeToNodeEncryption"], in["encryptAtRest"])
	}
	ep := in["domainEndpointOptions"].(map[string]any)
	if ep["enforceHttps"] != true || !strings.HasPrefix(ep["tlsSecurityPolicy"].(string), "Policy-Min-TLS-1-2") {
		t.Errorf("endpoint options = %v", ep)
	}
	if len(in["vpcOptions"].(map[string]any)["subnetIds"].([]any)) != 3 {
		t.Errorf("vpc options = %v", in["vpcOptions"])
	}
	// FGAC is off, and said so: an absent block would leave a deployed
	// domain's FGAC on (the provider keeps the computed value).
	if adv := in["advancedSecurityOptions"]; !reflect.DeepEqual(adv, map[string]any{"enabled": false}) {
		t.Errorf("advancedSecurityOptions = %v, want exactly {enabled: false}", adv)
	}
	var logTypes []string
	for _, l := range in["logPublishingOptions"].([]any) {
		logTypes = append(logTypes, l.(map[string]any)["logType"].(string))
	}
	sort.Strings(logTypes)
	if !reflect.DeepEqual(logTypes, searchLogTypes) || contains(logTypes, "AUDIT_LOGS") {
		t.Errorf("log types = %v, want %v (audit logs need FGAC)", logTypes, searchLogTypes)
	}
	if _, has := in["accessPolicies"]; has {
		t.Error("the domain carries an inline access policy; Seal owns it")
	}
	if out := r.eng.Get("aws:iam/role:Role", "search-admin"); out == nil {
		t.Fatal("no search-admin role")
	}
}

// searchDoc is the part of an IAM document the access checks read.
type searchDoc struct {
	Statement []struct {
		Effect    string
		Principal map[string]any
		Action    any
		Resource  any
	}
}

func parseSearchDoc(t *testing.T, s string) searchDoc {
	t.Helper()
	var d searchDoc
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func anyStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, e.(string))
		}
		return out
	}
	return nil
}

// allows reports whether an Allow statement of d (for principal, when
// principal is not "") covers action on resource, with IAM's wildcards.
func (d searchDoc) allows(principal, action, resource string) bool {
	for _, s := range d.Statement {
		if s.Effect != "" && s.Effect != "Allow" {
			continue
		}
		if principal != "" && !contains(anyStrings(s.Principal["AWS"]), principal) {
			continue
		}
		okA, okR := false, false
		for _, a := range anyStrings(s.Action) {
			okA = okA || a == action || a == "es:*" || a == "es:ESHttp*"
		}
		for _, r := range anyStrings(s.Resource) {
			okR = okR || iamMatch(r, resource)
		}
		if okA && okR {
			return true
		}
	}
	return false
}

// iamMatch matches an IAM resource pattern: '*' is any run of characters
// ('/' included), '?' one character.
func iamMatch(pattern, s string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A role granted search works on its first signed request, with no manual
// step: the domain has no fine-grained access control (with FGAC and an
// IAM master, a role no one mapped inside the cluster gets 403
// security_exception whatever IAM allows — issue 14 item 3), the domain
// policy admits the role, and the role's own policy allows the exact
// es:ESHttp* methods a search client sends on the domain's indexes.
func TestSearchConsumersNeedNoMapping(t *testing.T) {
	t.Parallel()
	r := runStores(t, dbayStores, true)
	if r.err != nil {
		t.Fatal(r.err)
	}
	dom := r.eng.Get("aws:opensearch/domain:Domain", "search")
	if adv, _ := dom.In()["advancedSecurityOptions"].(map[string]any); adv == nil || adv["enabled"] != false {
		t.Fatalf("fine-grained access control is not off (%v): every consumer but the master would need a role mapping no resource makes", adv)
	}
	arn := dom.Out()["arn"].(string)
	index := arn + "/listings/_search"
	domainPolicy := parseSearchDoc(t, r.in(t, "aws:opensearch/domainPolicy:DomainPolicy", "search")["accessPolicies"].(string))
	consumers := map[string]string{"listing": "listing-search", "search-admin": "search-admin-search"}
	var granted []string
	for role, grant := range consumers {
		roleArn := r.eng.Get("aws:iam/role:Role", role).Out()["arn"].(string)
		granted = append(granted, roleArn)
		identity := parseSearchDoc(t, r.in(t, "aws:iam/rolePolicy:RolePolicy", grant)["policy"].(string))
		for _, action := range []string{"es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"} {
			if !identity.allows("", action, index) {
				t.Errorf("%s: its policy %s does not allow %s on %s", role, grant, action, index)
			}
			if !domainPolicy.allows(roleArn, action, index) {
				t.Errorf("%s: the domain policy does not admit it for %s", role, action)
			}
		}
	}
	// ...and admits no one else.
	var named []string
	for _, s := range domainPolicy.Statement {
		named = append(named, anyStrings(s.Principal["AWS"])...)
	}
	sort.Strings(named)
	sort.Strings(granted)
	if !reflect.DeepEqual(named, granted) {
		t.Errorf("domain policy principals = %v, want exactly the granted roles %v", named, granted)
	}
}
