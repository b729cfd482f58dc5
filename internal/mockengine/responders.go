package mockengine

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

var responders = merge(foundationResponders, storeEdgeResponders, computeResponders)

func merge(parts ...map[string]responder) map[string]responder {
	out := map[string]responder{}
	for _, p := range parts {
		for k, v := range p {
			if _, dup := out[k]; dup {
				panic("mockengine: two responders for " + k)
			}
			out[k] = v
		}
	}
	return out
}

// foundationResponders: the network, IAM, KMS, logs, secrets and the
// primary stores.
var foundationResponders = map[string]responder{
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
	"aws:iam/user:User": func(r res, out resource.PropertyMap) string {
		path := r.str("path")
		if path == "" {
			path = "/"
		}
		set(out, "arn", r.globalARN("iam", "user"+path+r.physical), "name", r.physical,
			"uniqueId", "AIDA"+strings.ToUpper(r.hash[:17]))
		return r.physical
	},
	"aws:iam/userPolicy:UserPolicy": func(r res, out resource.PropertyMap) string {
		return r.str("user") + ":" + r.physical
	},
	// An access key: id AKIA + 16 upper-case characters, a 40-character
	// secret access key (base64 alphabet, as AWS's), status Active.
	"aws:iam/accessKey:AccessKey": func(r res, out resource.PropertyMap) string {
		id := "AKIA" + strings.ToUpper(r.hash[:16])
		set(out, "secret", base64.StdEncoding.EncodeToString([]byte(r.hash[16:46])), "status", "Active",
			"createDate", "2024-01-01T00:00:00Z")
		return id
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
		// pulumi-aws v6 identifies an instance by its DbiResourceId, not
		// its identifier (terraform-provider-aws v5,
		// hashicorp/terraform-provider-aws#31232): a rename keeps the id.
		return "db-" + strings.ToUpper(r.hash[:26])
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
}
