package mockengine

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// storeEdgeResponders: DR, the remaining stores and messaging, CloudFront,
// WAF, Cognito, Route53 and ACM validation.
var storeEdgeResponders = map[string]responder{
	// Disaster recovery (components/datalayer/dr*.go).
	"aws:docdb/globalCluster:GlobalCluster": func(r res, out resource.PropertyMap) string {
		id := strings.ToLower(r.str("globalClusterIdentifier"))
		var members []any
		if src := r.str("sourceDbClusterIdentifier"); src != "" {
			members = append(members, map[string]any{"dbClusterArn": src, "isWriter": true})
		}
		set(out, "arn", r.globalARN("rds", "global-cluster:"+id), "globalClusterIdentifier", id,
			"globalClusterResourceId", "cluster-"+r.hash[:24], "engine", "docdb", "status", "available",
			"globalClusterMembers", orEmpty(members))
		return id
	},
	"aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": func(r res, out resource.PropertyMap) string {
		// AWS prefixes the suffix with a five-letter code of the primary's
		// region ("ldgnf-"): the id is not the suffix, consumers must read it.
		id := globalDatastorePrefix(r.Region) + "-" + r.str("globalReplicationGroupIdSuffix")
		set(out, "arn", r.globalARN("elasticache", "globalreplicationgroup:"+id), "globalReplicationGroupId", id,
			"engine", "redis", "clusterEnabled", false, "globalNodeGroups", []any{})
		return id
	},
	"aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": func(r res, out resource.PropertyMap) string {
		if _, ok := r.Inputs["retentionPeriod"]; !ok {
			set(out, "retentionPeriod", 7)
		}
		// The id is the replicated backup's ARN, in the destination region.
		return r.arn("rds", "auto-backup:ab-"+r.hash[:26])
	},
	"aws:s3/bucketReplicationConfig:BucketReplicationConfig": func(r res, out resource.PropertyMap) string {
		return r.str("bucket")
	},
	"aws:elasticache/cluster:Cluster": func(r res, out resource.PropertyMap) string {
		id := r.str("clusterId")
		if id == "" {
			id = strings.ToLower(truncate(r.physical, 40))
		}
		addr := fmt.Sprintf("%s.%s.cfg.%s.cache.amazonaws.com", id, r.hash[:6], shortRegion(r.Region))
		set(out, "arn", r.arn("elasticache", "cluster:"+id), "clusterId", id, "clusterAddress", addr,
			"configurationEndpoint", addr+":11211")
		return id
	},
	"aws:opensearch/domain:Domain": func(r res, out resource.PropertyMap) string {
		name := r.str("domainName")
		if name == "" {
			name = strings.ToLower(truncate(r.physical, 28))
		}
		set(out, "arn", r.arn("es", "domain/"+name), "domainName", name, "domainId", Account+"/"+name,
			"endpoint", fmt.Sprintf("vpc-%s-%s.%s.es.amazonaws.com", name, r.hash[:26], r.Region))
		return name
	},
	"random:index/randomPassword:RandomPassword": func(r res, out resource.PropertyMap) string {
		out["result"] = resource.MakeSecret(resource.NewProperty("mock-" + r.hash[:32]))
		return "none"
	},
	"aws:cloudwatch/eventRule:EventRule": func(r res, out resource.PropertyMap) string {
		rest := "rule/" + r.physical
		if bus := r.str("eventBusName"); bus != "" && bus != "default" {
			rest = "rule/" + bus[strings.LastIndex(bus, "/")+1:] + "/" + r.physical
		}
		set(out, "arn", r.arn("events", rest), "name", r.physical)
		return r.physical
	},
	"aws:cloudwatch/eventArchive:EventArchive": func(r res, out resource.PropertyMap) string {
		set(out, "arn", r.arn("events", "archive/"+r.physical), "name", r.physical)
		return r.physical
	},
	"aws:sesv2/emailIdentity:EmailIdentity": func(r res, out resource.PropertyMap) string {
		identity := r.str("emailIdentity")
		typ := "DOMAIN"
		if strings.Contains(identity, "@") {
			typ = "EMAIL_ADDRESS"
		}
		dkim := map[string]any{}
		if v, ok := r.Inputs["dkimSigningAttributes"]; ok && v.IsObject() {
			dkim = plain(v).(map[string]any)
		}
		var tokens []any // Easy DKIM: three 32-character lowercase tokens
		for i := 0; i < 3; i++ {
			tokens = append(tokens, hashOf(identity, fmt.Sprint(i))[:32])
		}
		dkim["tokens"], dkim["status"], dkim["signingAttributesOrigin"] = tokens, "PENDING", "AWS_SES"
		set(out, "arn", r.arn("ses", "identity/"+identity), "identityType", typ,
			"dkimSigningAttributes", dkim, "verifiedForSendingStatus", false)
		return identity
	},
	"aws:sesv2/configurationSet:ConfigurationSet": func(r res, out resource.PropertyMap) string {
		name := r.str("configurationSetName")
		set(out, "arn", r.arn("ses", "configuration-set/"+name))
		return name
	},
	"aws:cloudfront/originAccessControl:OriginAccessControl": func(r res, out resource.PropertyMap) string {
		set(out, "etag", "E"+strings.ToUpper(r.hash[13:26]))
		return "E" + strings.ToUpper(r.hash[:13])
	},
	"aws:cloudfront/cachePolicy:CachePolicy":                     cloudfrontPolicy,
	"aws:cloudfront/originRequestPolicy:OriginRequestPolicy":     cloudfrontPolicy,
	"aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": cloudfrontPolicy,
	"aws:cloudfront/function:Function": func(r res, out resource.PropertyMap) string {
		set(out, "arn", r.globalARN("cloudfront", "function/"+r.physical), "name", r.physical,
			"etag", "E"+strings.ToUpper(r.hash[:13]), "liveStageEtag", "E"+strings.ToUpper(r.hash[:13]), "status", "UNASSOCIATED")
		return r.physical
	},
	"aws:wafv2/webAcl:WebAcl": wafv2ARN("webacl"),
	"aws:wafv2/ipSet:IpSet":   wafv2ARN("ipset"),
	"aws:cognito/userPoolClient:UserPoolClient": func(r res, out resource.PropertyMap) string {
		return r.hash[:26] // app client ids are 26 lowercase alphanumerics
	},
	"aws:cognito/userPoolDomain:UserPoolDomain": func(r res, out resource.PropertyMap) string {
		dist := "E" + strings.ToUpper(r.hash[:13])
		set(out, "awsAccountId", Account, "version", "1",
			"cloudfrontDistribution", "d"+r.hash[13:26]+".cloudfront.net", "cloudfrontDistributionZoneId", "Z2FDTNDATAQYW2",
			"cloudfrontDistributionArn", r.globalARN("cloudfront", "distribution/"+dist))
		return r.str("domain")
	},
	"aws:route53/record:Record": func(r res, out resource.PropertyMap) string {
		name := strings.TrimSuffix(r.str("name"), ".")
		set(out, "fqdn", name)
		return r.str("zoneId") + "_" + name + "_" + r.str("type")
	},
	"aws:route53/healthCheck:HealthCheck": func(r res, out resource.PropertyMap) string {
		set(out, "arn", r.globalARN("route53", "healthcheck/"+r.uuid()))
		return r.uuid()
	},
	"aws:acm/certificateValidation:CertificateValidation": func(r res, out resource.PropertyMap) string {
		return r.str("certificateArn")
	},
}
