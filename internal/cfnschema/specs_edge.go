package cfnschema

// wafRenames are the WAFv2 names whose capitalisation is not camelCase
// with the first letter raised.
var wafRenames = map[string]string{
	"cloudwatchMetricsEnabled": "CloudWatchMetricsEnabled", "ipSetReferenceStatement": "IPSetReferenceStatement",
	"ipSetForwardedIpConfig": "IPSetForwardedIPConfig", "forwardedIpConfig": "ForwardedIPConfig",
	"customResponseBodyKey": "CustomResponseBodyKey",
}

// wafStatement fixes the one shape pulumi and CloudFormation disagree on:
// a not-statement holds one statement (pulumi: a list of one).
func wafStatement(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = wafStatement(e)
		}
		if ns := obj(x["NotStatement"]); ns != nil {
			if l := list(ns["Statements"]); len(l) == 1 {
				x["NotStatement"] = map[string]any{"Statement": l[0]}
			}
		}
	case []any:
		for i := range x {
			x[i] = wafStatement(x[i])
		}
	}
	return v
}

// cfItems turns pulumi's {items: [...]} lists of CloudFront policies into
// CloudFormation's plain lists, under the new key.
func cfItems(m map[string]any, from, to string) {
	if v, ok := m[from]; ok {
		delete(m, from)
		if items := list(obj(v)["Items"]); len(items) > 0 {
			m[to] = items
		}
	}
}

// cfBehavior translates a CloudFront cache behavior.
func cfBehavior(v any) any {
	return pascal(v, map[string]string{
		"defaultTtl": "DefaultTTL", "maxTtl": "MaxTTL", "minTtl": "MinTTL", "functionArn": "FunctionARN",
		"lambdaArn": "LambdaFunctionARN", "whitelistedNames": "WhitelistedNames",
	})
}

// cfQuantity wraps a list into CloudFront's {Quantity, Items}.
func cfQuantity(items []any) map[string]any {
	return map[string]any{"Quantity": len(items), "Items": items}
}

var edgeSpecs = map[string]spec{
	"aws:cloudfront/distribution:Distribution": {
		cfn:   "AWS::CloudFront::Distribution",
		attrs: map[string]string{"id": "Ref", "domainName": "DomainName"},
		skip: map[string]string{
			"retainOnDelete":       "a provider-side behaviour on delete (CloudFormation: DeletionPolicy)",
			"waitForDeployment":    "how long the provider waits, not a distribution setting",
			"continuousDeployment": "a provider-side staging switch",
		},
		build: func(b *builder) {
			dc := map[string]any{}
			for in, out := range map[string]string{"aliases": "Aliases", "comment": "Comment", "defaultRootObject": "DefaultRootObject",
				"enabled": "Enabled", "httpVersion": "HttpVersion", "isIpv6Enabled": "IPV6Enabled", "priceClass": "PriceClass",
				"webAclId": "WebACLId", "staging": "Staging", "continuousDeploymentPolicyId": "ContinuousDeploymentPolicyId"} {
				if v := b.take(in); v != nil {
					dc[out] = v
				}
			}
			if l := obj(b.take("loggingConfig")); l != nil {
				dc["Logging"] = pascal(l, nil)
			}
			if vc := b.take("viewerCertificate"); vc != nil {
				dc["ViewerCertificate"] = pascal(vc, nil)
			}
			if r := b.take("restrictions"); r != nil {
				dc["Restrictions"] = pascal(r, nil)
			}
			dc["DefaultCacheBehavior"] = cfBehavior(b.take("defaultCacheBehavior"))
			if cb := list(b.take("orderedCacheBehaviors")); len(cb) > 0 {
				dc["CacheBehaviors"] = cfBehavior(cb)
			}
			if ce := list(b.take("customErrorResponses")); len(ce) > 0 {
				dc["CustomErrorResponses"] = pascal(ce, map[string]string{"errorCachingMinTtl": "ErrorCachingMinTTL"})
			}
			var origins []any
			for _, o := range list(b.take("origins")) {
				o := obj(o)
				m := pascal(o, map[string]string{"originId": "Id", "customHeaders": "", "httpPort": "HTTPPort", "httpsPort": "HTTPSPort",
					"originSslProtocols": "OriginSSLProtocols", "vpcOriginConfig": "VpcOriginConfig"}).(map[string]any)
				if p, ok := m["OriginPath"]; ok && p == "" {
					delete(m, "OriginPath")
				}
				var headers []any
				for _, h := range list(o["customHeaders"]) {
					h := obj(h)
					headers = append(headers, map[string]any{"HeaderName": h["name"], "HeaderValue": h["value"]})
				}
				if headers != nil {
					m["OriginCustomHeaders"] = headers
				}
				// An S3 origin reached through OAC has no S3OriginConfig in
				// pulumi; the provider sends an empty one (no identity), as
				// CloudFormation needs.
				_, custom := m["CustomOriginConfig"]
				_, s3 := m["S3OriginConfig"]
				_, vpc := m["VpcOriginConfig"]
				if !custom && !s3 && !vpc {
					m["S3OriginConfig"] = map[string]any{"OriginAccessIdentity": ""}
				}
				origins = append(origins, m)
			}
			dc["Origins"] = origins
			var groups []any
			for _, g := range list(b.take("originGroups")) {
				g := obj(g)
				var members []any
				for _, m := range list(g["members"]) {
					members = append(members, map[string]any{"OriginId": obj(m)["originId"]})
				}
				fc := obj(g["failoverCriteria"])
				groups = append(groups, map[string]any{
					"Id":               g["originId"],
					"Members":          cfQuantity(members),
					"FailoverCriteria": map[string]any{"StatusCodes": cfQuantity(list(fc["statusCodes"]))},
				})
			}
			if groups != nil {
				dc["OriginGroups"] = cfQuantity(groups)
			}
			b.set("DistributionConfig", dc)
			b.set("Tags", b.tags())
		},
	},
	"aws:cloudfront/cachePolicy:CachePolicy": {
		cfn:   "AWS::CloudFront::CachePolicy",
		attrs: map[string]string{"id": "Ref"},
		build: func(b *builder) {
			cfg := map[string]any{"Name": b.physical("name")}
			b.take("name")
			for in, out := range map[string]string{"comment": "Comment", "defaultTtl": "DefaultTTL", "maxTtl": "MaxTTL", "minTtl": "MinTTL"} {
				if v := b.take(in); v != nil {
					cfg[out] = v
				}
			}
			p := pascal(b.take("parametersInCacheKeyAndForwardedToOrigin"), nil).(map[string]any)
			cfItems(obj(p["CookiesConfig"]), "Cookies", "Cookies")
			cfItems(obj(p["HeadersConfig"]), "Headers", "Headers")
			cfItems(obj(p["QueryStringsConfig"]), "QueryStrings", "QueryStrings")
			cfg["ParametersInCacheKeyAndForwardedToOrigin"] = p
			b.set("CachePolicyConfig", cfg)
		},
	},
	"aws:cloudfront/originRequestPolicy:OriginRequestPolicy": {
		cfn:   "AWS::CloudFront::OriginRequestPolicy",
		attrs: map[string]string{"id": "Ref"},
		build: func(b *builder) {
			cfg := map[string]any{"Name": b.physical("name")}
			b.take("name")
			if c := b.take("comment"); c != nil {
				cfg["Comment"] = c
			}
			for in, out := range map[string]string{"cookiesConfig": "CookiesConfig", "headersConfig": "HeadersConfig", "queryStringsConfig": "QueryStringsConfig"} {
				m, _ := pascal(b.take(in), nil).(map[string]any)
				if m == nil {
					continue
				}
				cfItems(m, "Cookies", "Cookies")
				cfItems(m, "Headers", "Headers")
				cfItems(m, "QueryStrings", "QueryStrings")
				cfg[out] = m
			}
			b.set("OriginRequestPolicyConfig", cfg)
		},
	},
	"aws:cloudfront/function:Function": {
		cfn: "AWS::CloudFront::Function",
		build: func(b *builder) {
			b.set("Name", b.physical("name"))
			b.take("name")
			b.raw("code", "FunctionCode", "publish", "AutoPublish")
			cfg := map[string]any{"Runtime": b.take("runtime")}
			if c := b.take("comment"); c != nil {
				cfg["Comment"] = c
			}
			if kv := list(b.take("keyValueStoreAssociations")); len(kv) > 0 {
				var a []any
				for _, k := range kv {
					a = append(a, map[string]any{"KeyValueStoreARN": k})
				}
				cfg["KeyValueStoreAssociations"] = a
			}
			b.set("FunctionConfig", cfg)
		},
	},
	"aws:cloudfront/originAccessControl:OriginAccessControl": {
		cfn:   "AWS::CloudFront::OriginAccessControl",
		attrs: map[string]string{"id": "Ref"},
		build: func(b *builder) {
			cfg := map[string]any{"Name": b.physical("name")}
			b.take("name")
			for in, out := range map[string]string{"description": "Description", "originAccessControlOriginType": "OriginAccessControlOriginType",
				"signingBehavior": "SigningBehavior", "signingProtocol": "SigningProtocol"} {
				if v := b.take(in); v != nil {
					cfg[out] = v
				}
			}
			b.set("OriginAccessControlConfig", cfg)
		},
	},
	"aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": {
		cfn:   "AWS::CloudFront::ResponseHeadersPolicy",
		attrs: map[string]string{"id": "Ref"},
		skip:  map[string]string{"etag": "the provider's concurrency token, not a setting"},
		build: func(b *builder) {
			cfg := map[string]any{"Name": b.physical("name")}
			b.take("name")
			if c := b.take("comment"); c != nil {
				cfg["Comment"] = c
			}
			renames := map[string]string{"xssProtection": "XSSProtection"}
			for in, out := range map[string]string{"securityHeadersConfig": "SecurityHeadersConfig", "corsConfig": "CorsConfig",
				"customHeadersConfig": "CustomHeadersConfig", "removeHeadersConfig": "RemoveHeadersConfig",
				"serverTimingHeadersConfig": "ServerTimingHeadersConfig"} {
				if v := b.take(in); v != nil {
					cfg[out] = pascal(v, renames)
				}
			}
			b.set("ResponseHeadersPolicyConfig", cfg)
		},
	},
	"aws:wafv2/webAcl:WebAcl": {
		cfn:   "AWS::WAFv2::WebACL",
		attrs: map[string]string{"arn": "Arn"},
		build: func(b *builder) {
			b.set("Name", b.physical("name"))
			b.take("name")
			b.take("namePrefix")
			b.copy("description", "Description", "scope", "Scope", "tokenDomains", "TokenDomains")
			b.set("DefaultAction", pascal(b.take("defaultAction"), wafRenames))
			b.set("VisibilityConfig", pascal(b.take("visibilityConfig"), wafRenames))
			b.set("Rules", wafStatement(pascal(b.take("rules"), wafRenames)))
			b.set("CaptchaConfig", pascal(b.take("captchaConfig"), wafRenames))
			b.set("ChallengeConfig", pascal(b.take("challengeConfig"), wafRenames))
			if bodies := list(b.take("customResponseBodies")); len(bodies) > 0 {
				m := map[string]any{}
				for _, x := range bodies {
					x := obj(x)
					m[x["key"].(string)] = map[string]any{"Content": x["content"], "ContentType": x["contentType"]}
				}
				b.set("CustomResponseBodies", m)
			}
			b.set("Tags", b.tags())
		},
	},
	"aws:wafv2/webAclAssociation:WebAclAssociation": {
		cfn: "AWS::WAFv2::WebACLAssociation",
		build: func(b *builder) {
			b.raw("resourceArn", "ResourceArn", "webAclArn", "WebACLArn")
		},
	},
	"aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": {
		cfn: "AWS::WAFv2::LoggingConfiguration",
		build: func(b *builder) {
			b.raw("resourceArn", "ResourceArn", "logDestinationConfigs", "LogDestinationConfigs")
			b.set("RedactedFields", pascal(b.take("redactedFields"), wafRenames))
			b.set("LoggingFilter", pascal(b.take("loggingFilter"), wafRenames))
		},
	},
	"aws:acm/certificate:Certificate": {
		cfn:   "AWS::CertificateManager::Certificate",
		attrs: map[string]string{"id": "Ref", "arn": "Ref"},
		skip:  map[string]string{"earlyRenewalDuration": "a provider-side renewal trigger, not a certificate setting"},
		build: func(b *builder) {
			b.copy("domainName", "DomainName", "validationMethod", "ValidationMethod", "keyAlgorithm", "KeyAlgorithm",
				"certificateAuthorityArn", "CertificateAuthorityArn")
			b.set("SubjectAlternativeNames", nonEmpty(b.take("subjectAlternativeNames")))
			if o := obj(b.take("options")); o != nil {
				b.set("CertificateTransparencyLoggingPreference", o["certificateTransparencyLoggingPreference"])
			}
			var dvo []any
			for _, v := range list(b.take("validationOptions")) {
				v := obj(v)
				dvo = append(dvo, map[string]any{"DomainName": v["domainName"], "ValidationDomain": v["validationDomain"]})
			}
			if dvo != nil {
				b.set("DomainValidationOptions", dvo)
			}
			b.set("Tags", b.tags())
		},
	},
	"aws:route53/record:Record": {
		cfn: "AWS::Route53::RecordSet",
		skip: map[string]string{
			"allowOverwrite": "a provider-side behaviour (adopt an existing record), not a record setting; the policy pack checks ownership",
		},
		build: func(b *builder) {
			b.copy("name", "Name", "type", "Type", "zoneId", "HostedZoneId", "records", "ResourceRecords",
				"setIdentifier", "SetIdentifier", "healthCheckId", "HealthCheckId", "multivalueAnswerRoutingPolicy", "MultiValueAnswer")
			b.set("TTL", numString(b.take("ttl")))
			if a := list(b.take("aliases")); len(a) > 0 {
				a := obj(a[0])
				b.set("AliasTarget", map[string]any{"DNSName": a["name"], "HostedZoneId": a["zoneId"], "EvaluateTargetHealth": a["evaluateTargetHealth"]})
			}
			if f := list(b.take("failoverRoutingPolicies")); len(f) > 0 {
				b.set("Failover", obj(f[0])["type"])
			}
			if w := list(b.take("weightedRoutingPolicies")); len(w) > 0 {
				b.set("Weight", obj(w[0])["weight"])
			}
			if l := list(b.take("latencyRoutingPolicies")); len(l) > 0 {
				b.set("Region", obj(l[0])["region"])
			}
			if g := list(b.take("geolocationRoutingPolicies")); len(g) > 0 {
				b.set("GeoLocation", pascal(g[0], nil))
			}
		},
	},
	"aws:route53/healthCheck:HealthCheck": {
		cfn:   "AWS::Route53::HealthCheck",
		attrs: map[string]string{"id": "Ref"},
		skip: map[string]string{
			"triggers":      "a provider-side replacement trigger, not a health check setting",
			"referenceName": "the caller reference the provider derives, not a setting",
			"disabled":      "AWS::Route53::HealthCheck has no Disabled property (UpdateHealthCheck sets it)",
		},
		build: func(b *builder) {
			cfg := map[string]any{}
			for in, out := range map[string]string{"type": "Type", "fqdn": "FullyQualifiedDomainName", "ipAddress": "IPAddress",
				"port": "Port", "resourcePath": "ResourcePath", "requestInterval": "RequestInterval", "failureThreshold": "FailureThreshold",
				"measureLatency": "MeasureLatency", "enableSni": "EnableSNI", "invertHealthcheck": "Inverted", "searchString": "SearchString",
				"childHealthThreshold": "HealthThreshold", "childHealthchecks": "ChildHealthChecks", "regions": "Regions",
				"insufficientDataHealthStatus": "InsufficientDataHealthStatus", "routingControlArn": "RoutingControlArn"} {
				if v := b.take(in); v != nil {
					cfg[out] = v
				}
			}
			if n := b.take("cloudwatchAlarmName"); n != nil {
				cfg["AlarmIdentifier"] = map[string]any{"Name": n, "Region": b.take("cloudwatchAlarmRegion")}
			}
			b.take("cloudwatchAlarmRegion")
			b.set("HealthCheckConfig", cfg)
			b.set("HealthCheckTags", b.tags())
		},
	},
}
