package mockengine

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/dbay/infra/config"
)

// res is what a responder knows about the resource being created.
type res struct {
	*Resource
	hash      string // stable digest of the URN
	partition string
	physical  string // physical name: the `name` input, or an auto-name
}

func (r res) arn(service, rest string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", r.partition, service, r.Region, Account, rest)
}

func (r res) globalARN(service, rest string) string {
	return fmt.Sprintf("arn:%s:%s::%s:%s", r.partition, service, Account, rest)
}

func (r res) str(key string) string {
	if v, ok := r.Inputs[resource.PropertyKey(key)]; ok {
		if v.IsSecret() {
			v = v.SecretValue().Element
		}
		if v.IsString() {
			return v.StringValue()
		}
	}
	return ""
}

// uuid renders the digest in the 8-4-4-4-12 shape KMS key ids and ACM certificate ids have.
func (r res) uuid() string {
	h := r.hash
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// responder fills in the id and provider-computed outputs of one resource type.
type responder func(r res, out resource.PropertyMap) string

func set(out resource.PropertyMap, kv ...any) {
	for i := 0; i+1 < len(kv); i += 2 {
		out[resource.PropertyKey(kv[i].(string))] = resource.NewPropertyValue(kv[i+1])
	}
}

func ec2ID(prefix string) responder {
	return func(r res, out resource.PropertyMap) string {
		id := prefix + "-" + r.hash[:17]
		set(out, "arn", r.arn("ec2", kebab(typeName(r.Type))+"/"+id), "ownerId", Account)
		return id
	}
}

var responders = map[string]responder{
	"aws:ec2/securityGroup:SecurityGroup": func(r res, out resource.PropertyMap) string {
		id := "sg-" + r.hash[:17]
		set(out, "arn", r.arn("ec2", "security-group/"+id), "ownerId", Account, "name", r.physical)
		return id
	},
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": func(r res, out resource.PropertyMap) string {
		id := "sg-" + r.hash[:17]
		set(out, "arn", r.arn("ec2", "security-group/"+id), "ownerId", Account, "name", "default")
		return id
	},
	"aws:ec2/vpcEndpoint:VpcEndpoint": func(r res, out resource.PropertyMap) string {
		id := "vpce-" + r.hash[:17]
		svc := r.str("serviceName")
		set(out, "arn", r.arn("ec2", "vpc-endpoint/"+id), "ownerId", Account, "state", "available",
			"dnsEntries", []any{map[string]any{
				"dnsName":      fmt.Sprintf("%s-%s.%s.vpce.amazonaws.com", id, r.hash[17:25], strings.TrimPrefix(svc, "com.amazonaws."+r.Region+".")),
				"hostedZoneId": "Z7HUB22UULQXV",
			}})
		return id
	},
	"aws:ec2/flowLog:FlowLog":       ec2ID("fl"),
	"aws:ec2/vpc:Vpc":               ec2ID("vpc"),
	"aws:ec2/subnet:Subnet":         ec2ID("subnet"),
	"aws:ec2/eip:Eip":               ec2ID("eipalloc"),
	"aws:ec2/natGateway:NatGateway": ec2ID("nat"),
	"aws:ec2/routeTable:RouteTable": ec2ID("rtb"),
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ec2ID("sgr"),
	"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":   ec2ID("sgr"),
	"aws:kms/key:Key": func(r res, out resource.PropertyMap) string {
		id := r.uuid()
		if v, ok := r.Inputs["multiRegion"]; ok && v.IsBool() && v.BoolValue() {
			id = "mrk-" + r.hash[:32]
		}
		set(out, "arn", r.arn("kms", "key/"+id), "keyId", id)
		return id
	},
	"aws:kms/replicaKey:ReplicaKey": func(r res, out resource.PropertyMap) string {
		primary := r.str("primaryKeyArn")
		id := primary[strings.LastIndex(primary, "/")+1:]
		set(out, "arn", r.arn("kms", "key/"+id), "keyId", id)
		return id
	},
	"aws:kms/alias:Alias": func(r res, out resource.PropertyMap) string {
		set(out, "arn", r.arn("kms", r.physical), "targetKeyArn", r.str("targetKeyId"))
		return r.physical
	},
	"aws:cloudwatch/logGroup:LogGroup": func(r res, out resource.PropertyMap) string {
		set(out, "arn", r.arn("logs", "log-group:"+r.physical), "name", r.physical)
		return r.physical
	},
	"aws:iam/role:Role": func(r res, out resource.PropertyMap) string {
		path := r.str("path")
		if path == "" {
			path = "/"
		}
		set(out, "arn", r.globalARN("iam", "role"+path+r.physical), "name", r.physical,
			"uniqueId", "AROA"+strings.ToUpper(r.hash[:17]))
		return r.physical
	},
	"aws:iam/policy:Policy": func(r res, out resource.PropertyMap) string {
		arn := r.globalARN("iam", "policy/"+r.physical)
		set(out, "arn", arn, "name", r.physical, "policyId", "ANPA"+strings.ToUpper(r.hash[:17]))
		return arn
	},
	"aws:iam/rolePolicy:RolePolicy": func(r res, out resource.PropertyMap) string {
		return r.str("role") + ":" + r.physical
	},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": func(r res, out resource.PropertyMap) string {
		return r.str("role") + "-" + r.hash[:20]
	},
	"aws:s3/bucketV2:BucketV2": bucket,
	"aws:s3/bucket:Bucket":     bucket,
	"aws:sqs/queue:Queue": func(r res, out resource.PropertyMap) string {
		url := fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", r.Region, Account, r.physical)
		set(out, "arn", r.arn("sqs", r.physical), "url", url, "name", r.physical)
		return url
	},
	"aws:sns/topic:Topic": func(r res, out resource.PropertyMap) string {
		arn := r.arn("sns", r.physical)
		set(out, "arn", arn, "name", r.physical)
		return arn
	},
	"aws:secretsmanager/secret:Secret": func(r res, out resource.PropertyMap) string {
		arn := r.arn("secretsmanager", "secret:"+r.physical+"-"+suffix6(r.hash))
		set(out, "arn", arn, "name", r.physical)
		return arn
	},
	"aws:cloudwatch/eventBus:EventBus": func(r res, out resource.PropertyMap) string {
		set(out, "arn", r.arn("events", "event-bus/"+r.physical), "name", r.physical)
		return r.physical
	},
	"aws:lambda/function:Function": func(r res, out resource.PropertyMap) string {
		arn := r.arn("lambda", "function:"+r.physical)
		set(out, "arn", arn, "name", r.physical, "qualifiedArn", arn+":1", "version", "1",
			"invokeArn", fmt.Sprintf("arn:%s:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", r.partition, r.Region, arn))
		return r.physical
	},
	"aws:sfn/stateMachine:StateMachine": func(r res, out resource.PropertyMap) string {
		arn := r.arn("states", "stateMachine:"+r.physical)
		set(out, "arn", arn, "name", r.physical)
		return arn
	},
	"aws:ecr/repository:Repository": func(r res, out resource.PropertyMap) string {
		set(out, "arn", r.arn("ecr", "repository/"+r.physical), "name", r.physical, "registryId", Account,
			"repositoryUrl", fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", Account, r.Region, r.physical))
		return r.physical
	},
	"aws:ecs/cluster:Cluster": func(r res, out resource.PropertyMap) string {
		arn := r.arn("ecs", "cluster/"+r.physical)
		set(out, "arn", arn, "name", r.physical)
		return arn
	},
	"aws:rds/instance:Instance": func(r res, out resource.PropertyMap) string {
		id := r.identifier()
		port := 5432
		if v, ok := r.Inputs["port"]; ok && v.IsNumber() {
			port = int(v.NumberValue())
		}
		addr := fmt.Sprintf("%s.c%s.%s.rds.amazonaws.com", id, r.hash[:10], r.Region)
		set(out, "arn", r.arn("rds", "db:"+id), "identifier", id, "address", addr,
			"endpoint", fmt.Sprintf("%s:%d", addr, port), "port", port, "resourceId", "db-"+strings.ToUpper(r.hash[:26]),
			"hostedZoneId", "Z2R2ITUGPM61AM")
		if v, ok := r.Inputs["manageMasterUserPassword"]; ok && v.IsBool() && v.BoolValue() {
			set(out, "masterUserSecrets", []any{map[string]any{
				"secretArn":    r.arn("secretsmanager", "secret:rds!db-"+r.uuid()+"-"+suffix6(r.hash)),
				"kmsKeyId":     r.str("masterUserSecretKmsKeyId"),
				"secretStatus": "active",
			}})
		}
		return id
	},
	"aws:lb/loadBalancer:LoadBalancer": func(r res, out resource.PropertyMap) string {
		name := truncate(r.physical, 32)
		arn := r.arn("elasticloadbalancing", "loadbalancer/app/"+name+"/"+r.hash[:16])
		set(out, "arn", arn, "arnSuffix", "app/"+name+"/"+r.hash[:16], "name", name,
			"dnsName", fmt.Sprintf("%s-%d.%s.elb.amazonaws.com", name, 100000000+int(r.hash[0])*1000, r.Region),
			"zoneId", "Z35SXDOTRQ7X7K")
		return arn
	},
	"aws:acm/certificate:Certificate": func(r res, out resource.PropertyMap) string {
		arn := r.arn("acm", "certificate/"+r.uuid())
		// One validation option per name, as ACM returns them; a wildcard
		// and its base name share one record (the record is per base name).
		names := []string{r.str("domainName")}
		if v, ok := r.Inputs["subjectAlternativeNames"]; ok && v.IsArray() {
			for _, n := range v.ArrayValue() {
				if n.IsString() {
					names = append(names, n.StringValue())
				}
			}
		}
		var options []any
		for _, domain := range names {
			base := strings.TrimPrefix(domain, "*.")
			h := hashOf(Account, base) // per account and name, not per certificate
			options = append(options, map[string]any{
				"domainName":          domain,
				"resourceRecordName":  "_" + h[:32] + "." + base + ".",
				"resourceRecordType":  "CNAME",
				"resourceRecordValue": "_" + h[32:64] + ".acm-validations.aws.",
			})
		}
		set(out, "arn", arn, "status", "ISSUED", "domainValidationOptions", options)
		return arn
	},
	"aws:cognito/userPool:UserPool": func(r res, out resource.PropertyMap) string {
		id := r.Region + "_" + strings.ToUpper(r.hash[:9])
		set(out, "arn", r.arn("cognito-idp", "userpool/"+id), "endpoint", "cognito-idp."+r.Region+".amazonaws.com/"+id, "name", r.physical)
		return id
	},
	"aws:apigatewayv2/api:Api": func(r res, out resource.PropertyMap) string {
		id := r.hash[:10]
		scheme := "https"
		if r.str("protocolType") == "WEBSOCKET" {
			scheme = "wss"
		}
		set(out, "arn", fmt.Sprintf("arn:%s:apigateway:%s::/apis/%s", r.partition, r.Region, id),
			"apiEndpoint", fmt.Sprintf("%s://%s.execute-api.%s.amazonaws.com", scheme, id, r.Region),
			"executionArn", r.arn("execute-api", id))
		return id
	},
	"aws:cloudfront/distribution:Distribution": func(r res, out resource.PropertyMap) string {
		id := "E" + strings.ToUpper(r.hash[:13])
		set(out, "arn", r.globalARN("cloudfront", "distribution/"+id), "domainName", "d"+r.hash[:13]+".cloudfront.net",
			"hostedZoneId", "Z2FDTNDATAQYW2", "status", "Deployed")
		return id
	},
	"aws:route53/zone:Zone": func(r res, out resource.PropertyMap) string {
		id := "Z" + strings.ToUpper(r.hash[:13])
		set(out, "zoneId", id, "arn", r.globalARN("route53", "hostedzone/"+id),
			"nameServers", []any{"ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-3.awsdns-03.com", "ns-4.awsdns-04.net"})
		return id
	},
	"aws:docdb/cluster:Cluster": func(r res, out resource.PropertyMap) string {
		id := r.str("clusterIdentifier")
		if id == "" {
			id = strings.ToLower(r.physical)
		}
		host := fmt.Sprintf("%s.cluster-c%s.%s.docdb.amazonaws.com", id, r.hash[:10], r.Region)
		set(out, "arn", r.arn("rds", "cluster:"+id), "clusterIdentifier", id, "endpoint", host,
			"readerEndpoint", strings.Replace(host, ".cluster-", ".cluster-ro-", 1), "port", 27017,
			"clusterResourceId", "cluster-"+strings.ToUpper(r.hash[:26]))
		if v, ok := r.Inputs["manageMasterUserPassword"]; ok && v.IsBool() && v.BoolValue() {
			set(out, "masterUserSecrets", []any{map[string]any{
				"secretArn":    r.arn("secretsmanager", "secret:rds!cluster-"+r.uuid()+"-"+suffix6(r.hash)),
				"kmsKeyId":     r.arn("kms", "alias/aws/secretsmanager"),
				"secretStatus": "active",
			}})
		}
		return id
	},
	"aws:elasticache/replicationGroup:ReplicationGroup": func(r res, out resource.PropertyMap) string {
		id := r.str("replicationGroupId")
		if id == "" {
			id = strings.ToLower(truncate(r.physical, 40))
		}
		nodes := 1
		if v, ok := r.Inputs["numCacheClusters"]; ok && v.IsNumber() {
			nodes = int(v.NumberValue())
		}
		var members []any
		for i := 1; i <= nodes; i++ {
			members = append(members, fmt.Sprintf("%s-%03d", id, i))
		}
		set(out, "memberClusters", members)
		set(out, "arn", r.arn("elasticache", "replicationgroup:"+id), "replicationGroupId", id,
			"primaryEndpointAddress", fmt.Sprintf("master.%s.%s.%s.cache.amazonaws.com", id, r.hash[:6], shortRegion(r.Region)),
			"readerEndpointAddress", fmt.Sprintf("replica.%s.%s.%s.cache.amazonaws.com", id, r.hash[:6], shortRegion(r.Region)))
		return id
	},
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
	// ServiceFleet (components/fleet).
	"aws:ecs/taskDefinition:TaskDefinition": func(r res, out resource.PropertyMap) string {
		family := r.str("family")
		arn := r.arn("ecs", "task-definition/"+family+":1")
		set(out, "arn", arn, "arnWithoutRevision", r.arn("ecs", "task-definition/"+family), "revision", 1, "family", family)
		return family
	},
	"aws:ecs/service:Service": func(r res, out resource.PropertyMap) string {
		cluster := r.str("cluster")
		cluster = cluster[strings.LastIndex(cluster, "/")+1:]
		arn := r.arn("ecs", "service/"+cluster+"/"+r.physical)
		set(out, "arn", arn, "name", r.physical)
		return arn
	},
	"aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": func(r res, out resource.PropertyMap) string {
		return r.str("clusterName")
	},
	"aws:lb/targetGroup:TargetGroup": func(r res, out resource.PropertyMap) string {
		name := truncate(r.physical, 32)
		suffix := "targetgroup/" + name + "/" + r.hash[:16]
		arn := r.arn("elasticloadbalancing", suffix)
		set(out, "arn", arn, "arnSuffix", suffix, "name", name, "loadBalancerArns", []any{})
		return arn
	},
	"aws:lb/listener:Listener": func(r res, out resource.PropertyMap) string {
		lbArn := r.str("loadBalancerArn")
		app := lbArn[strings.Index(lbArn, "loadbalancer/")+len("loadbalancer/"):]
		arn := r.arn("elasticloadbalancing", "listener/"+app+"/"+r.hash[:16])
		set(out, "arn", arn)
		return arn
	},
	"aws:lb/listenerRule:ListenerRule": func(r res, out resource.PropertyMap) string {
		listener := r.str("listenerArn")
		rest := listener[strings.Index(listener, ":listener/")+len(":listener/"):]
		arn := r.arn("elasticloadbalancing", "listener-rule/"+rest+"/"+r.hash[:16])
		set(out, "arn", arn)
		return arn
	},
	"aws:servicediscovery/httpNamespace:HttpNamespace": func(r res, out resource.PropertyMap) string {
		id := "ns-" + r.hash[:16]
		set(out, "arn", r.arn("servicediscovery", "namespace/"+id), "httpName", r.physical, "name", r.physical)
		return id
	},
	"aws:appautoscaling/target:Target": func(r res, out resource.PropertyMap) string {
		set(out, "arn", r.arn("application-autoscaling", "scalable-target/"+r.hash[:36]))
		return r.str("resourceId")
	},
	"aws:appautoscaling/policy:Policy": func(r res, out resource.PropertyMap) string {
		arn := r.arn("autoscaling", "scalingPolicy:"+r.uuid()+":resource/"+r.str("resourceId")+":policyName/"+r.physical)
		set(out, "arn", arn, "name", r.physical, "alarmArns", []any{})
		return r.physical
	},
	"aws:ecr/lifecyclePolicy:LifecyclePolicy": func(r res, out resource.PropertyMap) string {
		set(out, "registryId", Account)
		return r.str("repository")
	},
	"aws:ecr/replicationConfiguration:ReplicationConfiguration": func(r res, out resource.PropertyMap) string {
		set(out, "registryId", Account)
		return Account
	},
	// Serverless (components/serverless).
	"aws:apigatewayv2/stage:Stage": func(r res, out resource.PropertyMap) string {
		api, name := r.str("apiId"), r.str("name")
		scheme, path := "https", "/"+name
		if name == "$default" {
			path = "/"
		}
		// Only WebSocket (and REST) stages take a logging level.
		if v, ok := r.Inputs["defaultRouteSettings"]; ok && v.IsObject() {
			if l, ok := v.ObjectValue()["loggingLevel"]; ok && l.IsString() && l.StringValue() != "" {
				scheme = "wss"
			}
		}
		set(out, "arn", fmt.Sprintf("arn:%s:apigateway:%s::/apis/%s/stages/%s", r.partition, r.Region, api, name),
			"invokeUrl", fmt.Sprintf("%s://%s.execute-api.%s.amazonaws.com%s", scheme, api, r.Region, path),
			"executionArn", r.arn("execute-api", api+"/"+name))
		return name
	},
	"aws:apigatewayv2/authorizer:Authorizer":   func(r res, out resource.PropertyMap) string { return r.hash[:6] },
	"aws:apigatewayv2/integration:Integration": func(r res, out resource.PropertyMap) string { return r.hash[:7] },
	"aws:apigatewayv2/route:Route":             func(r res, out resource.PropertyMap) string { return r.hash[:7] },
	"aws:apigatewayv2/apiMapping:ApiMapping":   func(r res, out resource.PropertyMap) string { return r.hash[:6] },
	"aws:apigatewayv2/vpcLink:VpcLink": func(r res, out resource.PropertyMap) string {
		id := r.hash[:6]
		set(out, "arn", fmt.Sprintf("arn:%s:apigateway:%s::/vpclinks/%s", r.partition, r.Region, id))
		return id
	},
	"aws:apigatewayv2/domainName:DomainName": func(r res, out resource.PropertyMap) string {
		name := r.str("domainName")
		cfg := map[string]any{}
		if v, ok := r.Inputs["domainNameConfiguration"]; ok && v.IsObject() {
			cfg = plain(v).(map[string]any)
		}
		cfg["targetDomainName"] = "d-" + r.hash[:10] + ".execute-api." + r.Region + ".amazonaws.com"
		cfg["hostedZoneId"] = "Z1UJRXOUMOOFQ8" // API Gateway's regional zone (us-east-1's id, for every region here)
		set(out, "arn", fmt.Sprintf("arn:%s:apigateway:%s::/domainnames/%s", r.partition, r.Region, name),
			"domainNameConfiguration", cfg, "apiMappingSelectionExpression", "$request.basepath")
		return name
	},
	"aws:apigateway/account:Account": func(r res, out resource.PropertyMap) string { return "api-gateway-account" },
	"aws:scheduler/schedule:Schedule": func(r res, out resource.PropertyMap) string {
		group := r.str("groupName")
		if group == "" {
			group = "default"
		}
		set(out, "arn", r.arn("scheduler", "schedule/"+group+"/"+r.physical), "name", r.physical, "groupName", group)
		return group + "/" + r.physical
	},
	"aws:lambda/permission:Permission": func(r res, out resource.PropertyMap) string {
		id := r.str("statementId")
		if id == "" {
			id = "terraform-" + r.hash[:26]
		}
		set(out, "statementId", id)
		return id
	},
	"aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": func(r res, out resource.PropertyMap) string {
		return r.str("functionName")
	},
	// ServiceFleet's EKS runtime (components/fleet/eks*.go).
	"aws:eks/cluster:Cluster":                                     eksCluster,
	"aws:eks/nodeGroup:NodeGroup":                                 eksNodeGroup,
	"aws:eks/addon:Addon":                                         eksAddon,
	"aws:eks/accessEntry:AccessEntry":                             eksAccessEntry,
	"aws:eks/accessPolicyAssociation:AccessPolicyAssociation":     eksAccessPolicyAssociation,
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider":         openIDConnectProvider,
	"aws:ec2/launchTemplate:LaunchTemplate":                       launchTemplate,
	"kubernetes:core/v1:Namespace":                                kubernetesObject,
	"kubernetes:core/v1:ServiceAccount":                           kubernetesObject,
	"kubernetes:core/v1:Service":                                  kubernetesObject,
	"kubernetes:apps/v1:Deployment":                               kubernetesObject,
	"kubernetes:autoscaling/v2:HorizontalPodAutoscaler":           kubernetesObject,
	"kubernetes:policy/v1:PodDisruptionBudget":                    kubernetesObject,
	"kubernetes:external-secrets.io/v1:ClusterSecretStore":        kubernetesObject,
	"kubernetes:external-secrets.io/v1:ExternalSecret":            kubernetesObject,
	"kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding":         kubernetesObject,
	"kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy": kubernetesObject,
	"kubernetes:helm.sh/v3:Release":                               helmRelease,
}

// cloudfrontPolicy answers CloudFront cache, origin-request and
// response-headers policies: a UUID id and an etag.
func cloudfrontPolicy(r res, out resource.PropertyMap) string {
	set(out, "etag", "E"+strings.ToUpper(r.hash[20:33]))
	return r.uuid()
}

// wafv2ARN answers a WAFv2 web ACL or IP set. A CLOUDFRONT-scope one is
// global/ and lives in us-east-1 (the region of the provider it was created
// with, so a wrong provider shows in the ARN); a REGIONAL one is regional/.
func wafv2ARN(kind string) responder {
	return func(r res, out resource.PropertyMap) string {
		id := r.uuid()
		scope := "regional"
		if r.str("scope") == "CLOUDFRONT" {
			scope = "global"
		}
		set(out, "arn", r.arn("wafv2", scope+"/"+kind+"/"+r.physical+"/"+id), "name", r.physical, "lockToken", r.hash[32:40]+"-"+r.hash[40:44])
		return id
	}
}

func bucket(r res, out resource.PropertyMap) string {
	name := r.str("bucket")
	if name == "" {
		name = strings.ToLower(r.physical)
	}
	set(out, "arn", fmt.Sprintf("arn:%s:s3:::%s", r.partition, name), "bucket", name, "region", r.Region,
		"bucketDomainName", name+".s3.amazonaws.com",
		"bucketRegionalDomainName", name+".s3."+r.Region+".amazonaws.com", "hostedZoneId", "Z3AQBSTGFYJSTF")
	return name
}

// globalDatastorePrefix is the five lowercase letters ElastiCache puts in
// front of a global datastore's suffix; stable per region, as AWS's are.
func globalDatastorePrefix(region string) string {
	h := hashOf("global-datastore", region)
	var b [5]byte
	for i := range b {
		b[i] = 'a' + h[i]%26
	}
	return string(b[:])
}

// identifier is the `identifier` input or an RDS-style lowercase auto-name.
func (r res) identifier() string {
	if id := r.str("identifier"); id != "" {
		return id
	}
	return strings.ToLower(r.physical)
}

// respond computes the id and outputs a real provider would return.
func (e *Engine) respond(r *Resource, importID string) (string, resource.PropertyMap, error) {
	out := resource.PropertyMap{}
	for k, v := range r.Inputs {
		out[k] = v
	}
	rr := res{Resource: r, hash: hashOf(r.URN), partition: config.PartitionOf(r.Region)}
	rr.physical = rr.str("name")
	if rr.physical == "" {
		if p := rr.str("namePrefix"); p != "" {
			rr.physical = p + rr.hash[:26]
		} else {
			rr.physical = r.Name + "-" + rr.hash[:7]
		}
	}
	switch {
	case r.Read && r.Type == "pulumi:pulumi:StackReference":
		return e.stackReference(r, out)
	case strings.HasPrefix(r.Type, "pulumi:providers:"):
		return rr.uuid(), out, nil
	case r.Type == "awsx:ec2:Vpc":
		return "", vpcOutputs(rr, out), nil
	case !r.Custom:
		return "", out, nil // a component: no id, no provider outputs
	}
	id := importID
	if fn, ok := responders[r.Type]; ok {
		if got := fn(rr, out); id == "" {
			id = got
		}
	} else {
		// Any other AWS type: a generic ARN in the resource's region.
		if id == "" {
			id = rr.physical
		}
		if _, has := out["name"]; !has {
			set(out, "name", rr.physical)
		}
		if _, has := out["arn"]; !has && strings.HasPrefix(r.Type, "aws:") {
			set(out, "arn", rr.arn(moduleOf(r.Type), kebab(typeName(r.Type))+"/"+id))
		}
	}
	set(out, "id", id)
	return id, out, nil
}

// vpcOutputs answers the awsx:ec2:Vpc remote component with what consumers
// read: vpcId and one subnet id per AZ for each tier in subnetSpecs.
func vpcOutputs(r res, out resource.PropertyMap) resource.PropertyMap {
	vpcID := "vpc-" + r.hash[:17]
	azs := vpcAZCount(r.Inputs)
	tiers := map[string][]any{"Public": nil, "Private": nil, "Isolated": nil}
	if specs, ok := r.Inputs["subnetSpecs"]; ok && specs.IsArray() {
		for _, s := range specs.ArrayValue() {
			typ := s.ObjectValue()["type"].StringValue()
			for az := 0; az < azs; az++ {
				tiers[typ] = append(tiers[typ], fmt.Sprintf("subnet-%s", hashOf(vpcID, typ, fmt.Sprint(az))[:17]))
			}
		}
	} else {
		for az := 0; az < azs; az++ {
			tiers["Public"] = append(tiers["Public"], "subnet-"+hashOf(vpcID, "Public", fmt.Sprint(az))[:17])
			tiers["Private"] = append(tiers["Private"], "subnet-"+hashOf(vpcID, "Private", fmt.Sprint(az))[:17])
		}
	}
	set(out, "vpcId", vpcID,
		"publicSubnetIds", orEmpty(tiers["Public"]),
		"privateSubnetIds", orEmpty(tiers["Private"]),
		"isolatedSubnetIds", orEmpty(tiers["Isolated"]))
	return out
}

func vpcAZCount(in resource.PropertyMap) int {
	if specs, ok := in["subnetSpecs"]; ok && specs.IsArray() && len(specs.ArrayValue()) > 0 {
		if blocks, ok := specs.ArrayValue()[0].ObjectValue()["cidrBlocks"]; ok && blocks.IsArray() {
			return len(blocks.ArrayValue())
		}
	}
	if names, ok := in["availabilityZoneNames"]; ok && names.IsArray() {
		return len(names.ArrayValue())
	}
	if n, ok := in["numberOfAvailabilityZones"]; ok && n.IsNumber() {
		return int(n.NumberValue())
	}
	return 3 // awsx's default
}

func orEmpty(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

func (e *Engine) stackReference(r *Resource, out resource.PropertyMap) (string, resource.PropertyMap, error) {
	name := ""
	if v, ok := r.Inputs["name"]; ok && v.IsString() {
		name = v.StringValue()
	}
	e.mu.Lock()
	outputs, ok := e.stackOutputs[name]
	e.mu.Unlock()
	if !ok {
		return "", nil, fmt.Errorf("no outputs mocked for stack %q (Engine.SetStackOutputs)", name)
	}
	set(out, "name", name, "outputs", outputs, "secretOutputNames", []any{})
	return name, out, nil
}

// typeName is the last part of a type token: "aws:ec2/flowLog:FlowLog" -> "FlowLog".
func typeName(tok string) string {
	return tok[strings.LastIndex(tok, ":")+1:]
}

// moduleOf is the module of a type token: "aws:ec2/flowLog:FlowLog" -> "ec2".
func moduleOf(tok string) string {
	parts := strings.Split(tok, ":")
	if len(parts) < 3 {
		return ""
	}
	mod, _, _ := strings.Cut(parts[1], "/")
	return mod
}

func kebab(s string) string {
	var b strings.Builder
	for i, c := range s {
		if unicode.IsUpper(c) {
			if i > 0 {
				b.WriteByte('-')
			}
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}

func suffix6(h string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var b [6]byte
	for i := range b {
		b[i] = alphabet[int(h[i])%len(alphabet)]
	}
	return string(b[:])
}

// shortRegion is the region code ElastiCache puts in endpoints: us-east-1 -> use1.
func shortRegion(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) != 3 {
		return region
	}
	return parts[0] + string(parts[1][0]) + parts[2]
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// eksCluster answers an EKS cluster: its endpoint, CA bundle, OIDC issuer
// (https://oidc.eks.<region>.amazonaws.com/id/<32 hex>) and the cluster
// security group EKS creates, next to the vpcConfig it was given.
func eksCluster(r res, out resource.PropertyMap) string {
	id := strings.ToUpper(r.hash[:32])
	vpc := map[string]any{}
	if v, ok := r.Inputs["vpcConfig"]; ok && v.IsObject() {
		vpc = plain(v).(map[string]any)
	}
	vpc["clusterSecurityGroupId"] = "sg-" + r.hash[32:49]
	vpc["vpcId"] = "vpc-" + r.hash[49:64]
	version := r.str("version")
	if version == "" {
		version = "1.31"
	}
	ca := map[string]any{"data": base64.StdEncoding.EncodeToString([]byte("-----BEGIN CERTIFICATE-----\nmock CA of " + r.physical + "\n-----END CERTIFICATE-----\n"))}
	set(out, "arn", r.arn("eks", "cluster/"+r.physical), "name", r.physical, "clusterId", r.uuid(),
		"endpoint", fmt.Sprintf("https://%s.gr7.%s.eks.amazonaws.com", id, r.Region),
		"certificateAuthority", ca, "certificateAuthorities", []any{ca},
		"identities", []any{map[string]any{"oidcs": []any{map[string]any{"issuer": fmt.Sprintf("https://oidc.eks.%s.amazonaws.com/id/%s", r.Region, id)}}}},
		"vpcConfig", vpc, "version", version, "platformVersion", "eks.1", "status", "ACTIVE")
	return r.physical
}

// clusterNameOf is the cluster a node group, add-on or access entry belongs to.
func clusterNameOf(r res) string { return r.str("clusterName") }

func eksNodeGroup(r res, out resource.PropertyMap) string {
	name := r.str("nodeGroupName")
	if name == "" {
		name = r.physical
	}
	cluster := clusterNameOf(r)
	set(out, "arn", r.arn("eks", "nodegroup/"+cluster+"/"+name+"/"+r.uuid()), "nodeGroupName", name, "status", "ACTIVE",
		"resources", []any{map[string]any{"autoscalingGroups": []any{map[string]any{"name": "eks-" + name + "-" + r.uuid()}}}})
	return cluster + ":" + name
}

func eksAddon(r res, out resource.PropertyMap) string {
	cluster, name := clusterNameOf(r), r.str("addonName")
	version := r.str("addonVersion")
	if version == "" {
		version = "v1.0.0-eksbuild.1"
	}
	set(out, "arn", r.arn("eks", "addon/"+cluster+"/"+name+"/"+r.uuid()), "addonVersion", version)
	return cluster + ":" + name
}

func eksAccessEntry(r res, out resource.PropertyMap) string {
	cluster, principal := clusterNameOf(r), r.str("principalArn")
	role := principal[strings.LastIndex(principal, "/")+1:]
	typ := r.str("type")
	if typ == "" {
		typ = "STANDARD"
	}
	set(out, "accessEntryArn", r.arn("eks", "access-entry/"+cluster+"/role/"+Account+"/"+role+"/"+r.uuid()),
		"type", typ, "userName", principal, "kubernetesGroups", []any{})
	return cluster + ":" + principal
}

func eksAccessPolicyAssociation(r res, out resource.PropertyMap) string {
	set(out, "associatedAt", "2025-01-01T00:00:00Z", "modifiedAt", "2025-01-01T00:00:00Z")
	return clusterNameOf(r) + "#" + r.str("principalArn") + "#" + r.str("policyArn")
}

// openIDConnectProvider is named after its URL without the scheme, as IAM does.
func openIDConnectProvider(r res, out resource.PropertyMap) string {
	arn := r.globalARN("iam", "oidc-provider/"+strings.TrimPrefix(r.str("url"), "https://"))
	set(out, "arn", arn)
	return arn
}

func launchTemplate(r res, out resource.PropertyMap) string {
	id := "lt-" + r.hash[:17]
	set(out, "arn", r.arn("ec2", "launch-template/"+id), "name", r.physical, "latestVersion", 1, "defaultVersion", 1)
	return id
}

// clusterScopedKinds are the Kubernetes kinds the fleet creates that live
// outside any namespace.
var clusterScopedKinds = map[string]bool{"Namespace": true, "ClusterSecretStore": true}

// kubernetesObject answers any Kubernetes object the way the API server
// would: metadata.name from the logical name when the program left it to
// auto-naming, the namespace ("default" when none was given), a uid, and
// the id <namespace>/<name> (just <name> for cluster-scoped kinds).
func kubernetesObject(r res, out resource.PropertyMap) string {
	meta := resource.PropertyMap{}
	if v, ok := r.Inputs["metadata"]; ok && v.IsObject() {
		for k, x := range v.ObjectValue() {
			meta[k] = x
		}
	}
	name := ""
	if v, ok := meta["name"]; ok && v.IsString() {
		name = v.StringValue()
	}
	if name == "" {
		name = r.Name
		meta["name"] = resource.NewProperty(name)
	}
	kind := typeName(r.Type)
	id := name
	if !clusterScopedKinds[kind] {
		ns := "default"
		if v, ok := meta["namespace"]; ok && v.IsString() && v.StringValue() != "" {
			ns = v.StringValue()
		}
		meta["namespace"] = resource.NewProperty(ns)
		id = ns + "/" + name
	}
	meta["uid"] = resource.NewProperty(r.uuid())
	meta["resourceVersion"] = resource.NewProperty("1")
	out["metadata"] = resource.NewProperty(meta)
	return id
}

// helmRelease answers a Helm v3 Release as deployed, revision 1.
func helmRelease(r res, out resource.PropertyMap) string {
	name, ns := r.str("name"), r.str("namespace")
	if name == "" {
		name = r.Name
	}
	if ns == "" {
		ns = "default"
	}
	set(out, "name", name, "namespace", ns, "status", map[string]any{
		"name": name, "namespace": ns, "chart": r.str("chart"), "version": r.str("version"),
		"status": "deployed", "revision": 1,
	})
	return ns + "/" + name
}
