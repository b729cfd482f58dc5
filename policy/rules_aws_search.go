package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const searchDomainPolicy = tokens.OpenSearchDomainPolicy

// fgacMappingSource: "Role mapping is the most critical aspect of
// fine-grained access control. Fine-grained access control has some
// predefined roles to help you get started, but unless you map roles to
// users, every request to the cluster ends in a permissions error." The
// master user is the only IAM principal FGAC maps by itself ("The master
// user has full permissions to the cluster and manages roles and role
// mappings"); role mappings live in the cluster's security index, where no
// Pulumi resource writes. FGAC cannot be turned off afterwards ("After you
// enable fine-grained access control, you can't disable it").
const fgacMappingSource = "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/fgac.html#fgac-mapping"

// auditLogsSource: "If your Amazon OpenSearch Service domain uses
// fine-grained access control, you can enable audit logs for your data."
// (The CDK's LoggingOptions.auditLogEnabled: "Requires ... fine grained
// access control to be enabled".)
const auditLogsSource = "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/audit-logs.html"

// searchAccessSource: "If your domain is in a VPC or uses fine-grained
// access control, you can use an open domain access policy. Otherwise, your
// domain access policy must contain some restriction, either by principal
// or IP address." and "If your policies specify IAM users or roles,
// requests to the OpenSearch APIs also must be signed using AWS Signature
// Version 4."
const searchAccessSource = "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ac.html#ac-types-resource"

func awsSearchRules() []Rule {
	return []Rule{
		{
			ID: "opensearch-fgac-unmapped-consumers", Severity: High, Category: CategoryAWSConstraint, Source: fgacMappingSource,
			Types: []string{searchDomain},
			Title: "An OpenSearch domain with fine-grained access control is used by its master user only (no program-made role mappings)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if !truthy(get(in, "advancedSecurityOptions.enabled")) {
					return nil
				}
				master := str(get(in, "advancedSecurityOptions.masterUserOptions.masterUserArn"))
				mapped := "only the master user " + master + " is mapped"
				if master == "" {
					mapped = "no IAM master user is mapped either"
				}
				var out []string
				for _, p := range searchPrincipals(r, x) {
					if p.arn == master {
						continue
					}
					out = append(out, problem(r, fmt.Sprintf("%s may call the domain (%s) but fine-grained access control maps no OpenSearch role to it (%s), so its every request ends in 403 security_exception",
						p.arn, p.via, mapped),
						"use IAM-only access (advancedSecurityOptions.enabled: false, the domain policy naming the consumer roles, SigV4-signed requests; docs/decisions.md \"OpenSearch access is IAM only (issue 14 item 3)\") — FGAC cannot be turned off in place, so this replaces the domain"))
				}
				return out
			},
		},
		{
			ID: "opensearch-audit-logs-need-fgac", Severity: Medium, Category: CategoryAWSConstraint, Source: auditLogsSource,
			Types: []string{searchDomain},
			Title: "OpenSearch publishes audit logs only from a domain with fine-grained access control",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if truthy(get(in, "advancedSecurityOptions.enabled")) {
					return nil
				}
				for _, o := range list(in["logPublishingOptions"]) {
					if str(get(o, "logType")) == "AUDIT_LOGS" && !falsy(get(o, "enabled")) {
						return []string{problem(r, "logPublishingOptions has AUDIT_LOGS on a domain without fine-grained access control: audit logging is an FGAC feature",
							"drop AUDIT_LOGS (application and slow logs need no FGAC)")}
					}
				}
				return nil
			},
		},
		{
			ID: "opensearch-iam-access-policy", Severity: High, Source: searchAccessSource,
			Types: []string{searchDomain},
			Title: "An OpenSearch domain without fine-grained access control has an access policy naming its IAM principals",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if truthy(get(in, "advancedSecurityOptions.enabled")) {
					return nil
				}
				docs := searchAccessDocs(r, x)
				if len(docs) == 0 {
					return []string{problem(r, "no domain access policy on a domain without fine-grained access control",
						"write one naming the consumer roles (aws:opensearch/domainPolicy, DataLayer.Seal)")}
				}
				var out []string
				for _, d := range docs {
					for _, s := range d.doc.Statement {
						if s.allows() && s.principalIsAnyone() && len(s.Condition) == 0 {
							out = append(out, problem(r, fmt.Sprintf("%s %s allows any principal: without fine-grained access control, every client that reaches the security group gets in with an unsigned request", d.where, sid(s)),
								"name the consumer roles as principals (clients then sign with SigV4)"))
						}
					}
				}
				return out
			},
		},
	}
}

// accessDoc is a domain access policy and where it is written.
type accessDoc struct {
	where string
	doc   document
}

// searchAccessDocs are the access policies of a domain: its inline
// accessPolicies and every aws:opensearch/domainPolicy naming it.
func searchAccessDocs(r *mockengine.Resource, x Index) []accessDoc {
	var out []accessDoc
	if d, ok := parseDocument(x.In(r)["accessPolicies"]); ok {
		out = append(out, accessDoc{"accessPolicies", d})
	}
	for _, p := range x.Referencing(searchDomainPolicy, "domainName", r) {
		if d, ok := parseDocument(x.In(p)["accessPolicies"]); ok {
			out = append(out, accessDoc{searchDomainPolicy + " " + p.Name, d})
		}
	}
	return out
}

// searchPrincipal is an IAM principal that may send HTTP requests to a
// domain, and the policy that lets it.
type searchPrincipal struct{ arn, via string }

// searchPrincipals are the IAM principals a domain's access policies name
// (not "*" nor an account root: those defer to identity policies) and the
// roles whose own policies allow an es:ESHttp* action on the domain's
// subresources, sorted by ARN.
func searchPrincipals(r *mockengine.Resource, x Index) []searchPrincipal {
	seen := map[string]string{}
	for _, d := range searchAccessDocs(r, x) {
		for _, s := range d.doc.Statement {
			if !s.allows() || !s.grantsAction("es:ESHttpGet") && !s.grantsAction("es:ESHttpPost") {
				continue
			}
			for _, p := range strs(obj(s.Principal)["AWS"]) {
				if p != "*" && !strings.HasSuffix(p, ":root") && seen[p] == "" {
					seen[p] = "named in " + d.where
				}
			}
		}
	}
	domainArn := str(r.Out()["arn"])
	for _, rp := range x.ByType(iamRolePolicy) {
		in := x.In(rp)
		doc, ok := parseDocument(in["policy"])
		if !ok || domainArn == "" {
			continue
		}
		for _, s := range doc.Statement {
			if !s.allows() || !s.grantsAction("es:ESHttpGet") && !s.grantsAction("es:ESHttpPost") || !searchResource(s, domainArn) {
				continue
			}
			for _, role := range x.Resolve(iamRole, str(in["role"])) {
				if arn := str(role.Out()["arn"]); arn != "" && seen[arn] == "" {
					seen[arn] = "its role policy " + rp.Name + " allows es:ESHttp*"
				}
			}
		}
	}
	var out []searchPrincipal
	for arn, via := range seen {
		out = append(out, searchPrincipal{arn, via})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].arn < out[j].arn })
	return out
}

// searchResource reports whether a statement's resources cover the
// domain's subresources (an index: <domain arn>/<index>).
func searchResource(s statement, domainArn string) bool {
	if s.anyResource() {
		return true
	}
	for _, p := range s.Resource {
		if wildcard(p, domainArn+"/an-index") {
			return true
		}
	}
	return false
}
