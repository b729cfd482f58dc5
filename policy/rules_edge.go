package policy

import (
	"fmt"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const (
	distribution  = tokens.CloudFrontDistribution
	webACL        = tokens.WAFv2WebAcl
	webACLLogging = tokens.WAFv2WebAclLoggingConfiguration
	webACLAssoc   = tokens.WAFv2WebAclAssociation
)

var (
	loadBalancerTypes = []string{tokens.LBLoadBalancer, tokens.ALBLoadBalancer}
	listenerTypes     = []string{tokens.LBListener, tokens.ALBListener}
)

// viewerTLSVersions are the CloudFront security policies with a TLS 1.2 minimum.
var viewerTLSVersions = []string{"TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"}

// isApplicationLB reports whether a load balancer is an ALB (the default type).
func isApplicationLB(in map[string]any) bool {
	t := str(in["loadBalancerType"])
	return t == "" || t == "application"
}

// edgeRules: CloudFront, WAF and load balancers serve HTTPS behind a WAF.
// Long: a table: one entry per rule, each read on its own.
func edgeRules() []Rule {
	return []Rule{
		{
			ID: "cloudfront-https-only", Severity: High, Types: []string{distribution},
			Title: "CloudFront serves viewers over HTTPS only and reaches custom origins over HTTPS (FSBP CloudFront.3, CloudFront.9)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				var out []string
				behaviours := append([]any{in["defaultCacheBehavior"]}, list(in["orderedCacheBehaviors"])...)
				for i, b := range behaviours {
					if p := str(get(b, "viewerProtocolPolicy")); p != "redirect-to-https" && p != "https-only" {
						where := "defaultCacheBehavior"
						if i > 0 {
							where = fmt.Sprintf("orderedCacheBehaviors %s", str(get(b, "pathPattern")))
						}
						out = append(out, problem(r, fmt.Sprintf("%s has viewerProtocolPolicy %q", where, p), "set viewerProtocolPolicy: redirect-to-https"))
					}
				}
				for _, o := range list(in["origins"]) {
					c := get(o, "customOriginConfig")
					if c == nil {
						continue
					}
					if p := str(get(c, "originProtocolPolicy")); p != "https-only" {
						out = append(out, problem(r, fmt.Sprintf("origin %s has originProtocolPolicy %q", str(get(o, "originId")), p), "set customOriginConfig.originProtocolPolicy: https-only"))
					}
					for _, v := range strs(get(c, "originSslProtocols")) {
						if v != "TLSv1.2" {
							out = append(out, problem(r, fmt.Sprintf("origin %s allows %s", str(get(o, "originId")), v), "set originSslProtocols: [TLSv1.2]"))
						}
					}
				}
				return out
			},
		},
		{
			ID: "cloudfront-tls", Severity: Medium, Types: []string{distribution},
			Title: "CloudFront uses its own certificate with a TLSv1.2_2021-or-newer security policy (FSBP CloudFront.7, CloudFront.10)",
			Check: func(r *mockengine.Resource, x Index) []string {
				vc := get(x.In(r), "viewerCertificate")
				if truthy(get(vc, "cloudfrontDefaultCertificate")) {
					return []string{problem(r, "uses the *.cloudfront.net default certificate (TLSv1 allowed)", "set viewerCertificate.acmCertificateArn (us-east-1) with sslSupportMethod sni-only")}
				}
				if v := str(get(vc, "minimumProtocolVersion")); !contains(viewerTLSVersions, v) {
					return []string{problem(r, fmt.Sprintf("minimumProtocolVersion is %q", v), "set viewerCertificate.minimumProtocolVersion: TLSv1.2_2021 (frontend.minimumProtocolVersion)")}
				}
				return nil
			},
		},
		{
			ID: "cloudfront-waf", Severity: High, Types: []string{distribution},
			Title: "CloudFront distributions have a WAF web ACL (FSBP CloudFront.6)",
			Check: func(r *mockengine.Resource, x Index) []string {
				if !isSet(x.In(r)["webAclId"]) {
					return []string{problem(r, "no webAclId", "set webAclId to the CLOUDFRONT-scope web ACL's ARN (the Frontend's edge ACL)")}
				}
				return nil
			},
		},
		{
			ID: "cloudfront-logging", Severity: Low, Types: []string{distribution},
			Title: "CloudFront writes standard logs (FSBP CloudFront.5)",
			Check: func(r *mockengine.Resource, x Index) []string {
				if !isSet(get(x.In(r), "loggingConfig.bucket")) {
					return []string{problem(r, "no loggingConfig", "set loggingConfig.bucket to the log bucket's domain name")}
				}
				return nil
			},
		},
		{
			ID: "waf-known-bad-inputs", Severity: High, Types: []string{webACL},
			Title: "Web ACLs run AWSManagedRulesKnownBadInputsRuleSet in block mode (Log4Shell and friends)",
			Check: func(r *mockengine.Resource, x Index) []string {
				for _, rule := range list(x.In(r)["rules"]) {
					if str(get(rule, "statement.managedRuleGroupStatement.name")) == "AWSManagedRulesKnownBadInputsRuleSet" {
						if get(rule, "overrideAction.count") != nil {
							return []string{problem(r, "AWSManagedRulesKnownBadInputsRuleSet only counts", "set its overrideAction to none")}
						}
						return nil
					}
				}
				return []string{problem(r, "no AWSManagedRulesKnownBadInputsRuleSet rule", "add the AWS managed KnownBadInputs rule group with overrideAction none")}
			},
		},
		{
			ID: "waf-metrics", Severity: Low, Types: []string{webACL},
			Title: "Web ACLs and every rule publish CloudWatch metrics (FSBP WAF.12)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				var out []string
				if !truthy(get(in, "visibilityConfig.cloudwatchMetricsEnabled")) {
					out = append(out, problem(r, "visibilityConfig.cloudwatchMetricsEnabled is not true", "enable metrics on the web ACL"))
				}
				for _, rule := range list(in["rules"]) {
					if !truthy(get(rule, "visibilityConfig.cloudwatchMetricsEnabled")) {
						out = append(out, problem(r, fmt.Sprintf("rule %s has no CloudWatch metrics", str(get(rule, "name"))), "set its visibilityConfig.cloudwatchMetricsEnabled: true"))
					}
				}
				return out
			},
		},
		{
			ID: "waf-logging", Severity: Medium, Types: []string{webACL},
			Title: "Web ACLs log to an aws-waf-logs-* destination (FSBP WAF.11)",
			Check: func(r *mockengine.Resource, x Index) []string {
				if len(x.Referencing(webACLLogging, "resourceArn", r)) == 0 {
					return []string{problem(r, "no WebAclLoggingConfiguration", "add an aws:wafv2/webAclLoggingConfiguration to an aws-waf-logs-* log group, redacting authorization and cookie")}
				}
				return nil
			},
		},
		{
			ID: "alb-access-logs", Severity: Medium, Types: loadBalancerTypes,
			Title: "Application load balancers write access logs (FSBP ELB.5)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if isApplicationLB(in) && (!truthy(get(in, "accessLogs.enabled")) || !isSet(get(in, "accessLogs.bucket"))) {
					return []string{problem(r, "access logs are off", "set accessLogs: {bucket: <SSE-S3 log bucket>, enabled: true}")}
				}
				return nil
			},
		},
		{
			ID: "alb-deletion-protection", Severity: Medium, Types: loadBalancerTypes,
			Title: "Application load balancers have deletion protection (FSBP ELB.6)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if x.Protected() && isApplicationLB(in) && !truthy(in["enableDeletionProtection"]) {
					return []string{problem(r, "enableDeletionProtection is not true", "set enableDeletionProtection: true (the ServiceFleet sets it from <project>:protect)")}
				}
				return nil
			},
		},
		{
			ID: "alb-waf", Severity: High, Types: loadBalancerTypes,
			Title: "Internet-facing application load balancers have a WAF web ACL (FSBP ELB.16 family); internal ones are exempt",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if !isApplicationLB(in) || truthy(in["internal"]) {
					return nil
				}
				if len(x.Referencing(webACLAssoc, "resourceArn", r)) == 0 {
					return []string{problem(r, "no aws:wafv2/webAclAssociation", "associate a REGIONAL web ACL (KnownBadInputs, Common, rate limit) with the load balancer")}
				}
				return nil
			},
		},
		{
			ID: "alb-http-redirect", Severity: Medium, Types: listenerTypes,
			Title: "HTTP listeners only redirect to HTTPS (FSBP ELB.1)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if str(in["protocol"]) != "HTTP" {
					return nil
				}
				for _, a := range list(in["defaultActions"]) {
					if str(get(a, "type")) != "redirect" || str(get(a, "redirect.protocol")) != "HTTPS" {
						return []string{problem(r, "an HTTP listener serves traffic", "make its only default action a redirect to HTTPS (HTTP_301, port 443)")}
					}
				}
				return nil
			},
		},
	}
}
