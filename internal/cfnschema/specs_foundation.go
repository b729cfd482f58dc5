package cfnschema

import (
	"strconv"
	"strings"
)

// noTagsSkip: the CloudFormation type takes no tags.
func noTagsSkip(cfn string) string { return cfn + " takes no Tags" }

// sgRules turns inline security group rules (one rule with several CIDR
// blocks or groups) into CloudFormation's one entry per source.
func sgRules(v any, peer string) any {
	var out []any
	for _, x := range list(v) {
		r := obj(x)
		base := map[string]any{"IpProtocol": r["protocol"], "FromPort": r["fromPort"], "ToPort": r["toPort"]}
		if d, ok := r["description"]; ok {
			base["Description"] = d
		}
		add := func(k string, v any) {
			e := map[string]any{k: v}
			for bk, bv := range base {
				e[bk] = bv
			}
			out = append(out, e)
		}
		for _, c := range list(r["cidrBlocks"]) {
			add("CidrIp", c)
		}
		for _, c := range list(r["ipv6CidrBlocks"]) {
			add("CidrIpv6", c)
		}
		for _, g := range list(r["securityGroups"]) {
			add(peer+"SecurityGroupId", g)
		}
		for _, p := range list(r["prefixListIds"]) {
			add(peer+"PrefixListId", p)
		}
	}
	if out == nil {
		return nil
	}
	return out
}

// nameValues turns a map into [{Name, Value}] (alarm dimensions).
func nameValues(v any) any { return pairs(obj(v), "Name", "Value") }

// number reads a number that pulumi types as a string ("0").
func number(v any) any {
	if s, ok := v.(string); ok {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	}
	return v
}

var foundationSpecs = map[string]spec{
	"aws:ec2/securityGroup:SecurityGroup": {
		cfn:   "AWS::EC2::SecurityGroup",
		attrs: map[string]string{"id": "GroupId"},
		skip:  map[string]string{"revokeRulesOnDelete": "a provider-side behaviour on delete, not an AWS setting"},
		build: func(b *builder) {
			b.set("GroupName", b.physical("name"))
			b.take("name")
			b.take("namePrefix")
			b.copy("description", "GroupDescription", "vpcId", "VpcId")
			b.set("SecurityGroupIngress", sgRules(b.take("ingress"), "Source"))
			b.set("SecurityGroupEgress", sgRules(b.take("egress"), "Destination"))
			b.set("Tags", b.tags())
		},
	},
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
		cfn:  "AWS::EC2::SecurityGroupIngress",
		skip: map[string]string{"tags": noTagsSkip("AWS::EC2::SecurityGroupIngress")},
		build: func(b *builder) {
			b.copy("securityGroupId", "GroupId", "ipProtocol", "IpProtocol", "fromPort", "FromPort", "toPort", "ToPort",
				"cidrIpv4", "CidrIp", "cidrIpv6", "CidrIpv6", "prefixListId", "SourcePrefixListId",
				"referencedSecurityGroupId", "SourceSecurityGroupId", "description", "Description")
		},
	},
	"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
		cfn:  "AWS::EC2::SecurityGroupEgress",
		skip: map[string]string{"tags": noTagsSkip("AWS::EC2::SecurityGroupEgress")},
		build: func(b *builder) {
			b.copy("securityGroupId", "GroupId", "ipProtocol", "IpProtocol", "fromPort", "FromPort", "toPort", "ToPort",
				"cidrIpv4", "CidrIp", "cidrIpv6", "CidrIpv6", "prefixListId", "DestinationPrefixListId",
				"referencedSecurityGroupId", "DestinationSecurityGroupId", "description", "Description")
		},
	},
	"aws:ec2/flowLog:FlowLog": {
		cfn: "AWS::EC2::FlowLog",
		build: func(b *builder) {
			for in, typ := range map[string]string{"vpcId": "VPC", "subnetId": "Subnet", "eniId": "NetworkInterface", "transitGatewayId": "TransitGateway"} {
				if v := b.take(in); v != nil {
					b.set("ResourceType", typ)
					b.set("ResourceId", v)
				}
			}
			b.copy("iamRoleArn", "DeliverLogsPermissionArn", "logDestination", "LogDestination", "logDestinationType", "LogDestinationType",
				"maxAggregationInterval", "MaxAggregationInterval", "trafficType", "TrafficType", "logFormat", "LogFormat",
				"destinationOptions", "DestinationOptions", "deliverCrossAccountRole", "DeliverCrossAccountRole")
			b.set("Tags", b.tags())
		},
	},
	"aws:ec2/vpcEndpoint:VpcEndpoint": {
		cfn:  "AWS::EC2::VPCEndpoint",
		skip: map[string]string{"autoAccept": "accepts the provider's own endpoint service connection; not a setting of the endpoint"},
		build: func(b *builder) {
			b.copy("vpcId", "VpcId", "serviceName", "ServiceName", "vpcEndpointType", "VpcEndpointType",
				"privateDnsEnabled", "PrivateDnsEnabled", "securityGroupIds", "SecurityGroupIds", "subnetIds", "SubnetIds",
				"routeTableIds", "RouteTableIds", "ipAddressType", "IpAddressType", "dnsOptions", "DnsOptions")
			b.set("PolicyDocument", doc(b.take("policy")))
			b.set("Tags", b.tags())
		},
	},
	// pulumi-aws's separate endpoint policy is the endpoint's
	// PolicyDocument in CloudFormation (AWS::EC2::VPCEndpoint).
	"aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy": {
		cfn: "AWS::EC2::VPCEndpoint", into: "aws:ec2/vpcEndpoint:VpcEndpoint", key: "vpcEndpointId",
		build: func(b *builder) {
			b.set("PolicyDocument", doc(b.take("policy")))
		},
	},
	"aws:iam/role:Role": {
		cfn:   "AWS::IAM::Role",
		attrs: map[string]string{"id": "Ref", "name": "Ref", "arn": "Arn"},
		skip:  map[string]string{"forceDetachPolicies": "a provider-side behaviour on delete, not an AWS setting"},
		build: func(b *builder) {
			b.set("RoleName", b.physical("name"))
			b.take("name")
			b.take("namePrefix")
			b.set("AssumeRolePolicyDocument", doc(b.take("assumeRolePolicy")))
			b.copy("description", "Description", "path", "Path", "maxSessionDuration", "MaxSessionDuration",
				"permissionsBoundary", "PermissionsBoundary", "managedPolicyArns", "ManagedPolicyArns")
			var policies []any
			for _, p := range list(b.take("inlinePolicies")) {
				p := obj(p)
				policies = append(policies, map[string]any{"PolicyName": p["name"], "PolicyDocument": doc(p["policy"])})
			}
			if policies != nil {
				b.set("Policies", policies)
			}
			b.set("Tags", b.tags())
		},
	},
	"aws:iam/rolePolicy:RolePolicy": inlinePolicy("AWS::IAM::RolePolicy", "role", "RoleName"),
	"aws:iam/user:User": {
		cfn:   "AWS::IAM::User",
		attrs: map[string]string{"id": "Ref", "name": "Ref", "arn": "Arn"},
		skip:  map[string]string{"forceDestroy": "a provider-side behaviour on delete, not an AWS setting"},
		build: func(b *builder) {
			b.set("UserName", b.physical("name"))
			b.take("name")
			b.copy("path", "Path", "permissionsBoundary", "PermissionsBoundary")
			b.set("Tags", b.tags())
		},
	},
	"aws:iam/userPolicy:UserPolicy": inlinePolicy("AWS::IAM::UserPolicy", "user", "UserName"),
	"aws:iam/group:Group": {
		cfn:   "AWS::IAM::Group",
		attrs: map[string]string{"id": "Ref", "name": "Ref", "arn": "Arn"},
		build: func(b *builder) {
			b.set("GroupName", b.physical("name"))
			b.take("name")
			b.copy("path", "Path")
		},
	},
	"aws:iam/groupPolicy:GroupPolicy": inlinePolicy("AWS::IAM::GroupPolicy", "group", "GroupName"),
	"aws:iam/userGroupMembership:UserGroupMembership": {
		cfn: "AWS::IAM::UserToGroupAddition",
		build: func(b *builder) {
			for _, g := range list(b.take("groups")) {
				b.set("GroupName", g)
			}
			b.set("Users", []any{b.take("user")})
		},
	},
	"aws:iam/accessKey:AccessKey": {
		cfn:   "AWS::IAM::AccessKey",
		attrs: map[string]string{"id": "Ref", "secret": "SecretAccessKey"},
		skip:  map[string]string{"pgpKey": "a provider-side encryption of the secret in state, not an AWS setting"},
		build: func(b *builder) {
			b.raw("user", "UserName")
			b.copy("status", "Status")
		},
	},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
		cfn: "AWS::IAM::Role", into: "aws:iam/role:Role", key: "role",
		build: func(b *builder) {
			b.appendTo("ManagedPolicyArns", b.take("policyArn"))
		},
	},
	"aws:kms/key:Key": {
		cfn:   "AWS::KMS::Key",
		attrs: map[string]string{"id": "Ref", "keyId": "KeyId", "arn": "Arn"},
		build: func(b *builder) {
			b.copy("description", "Description", "enableKeyRotation", "EnableKeyRotation", "customerMasterKeySpec", "KeySpec",
				"keyUsage", "KeyUsage", "multiRegion", "MultiRegion", "deletionWindowInDays", "PendingWindowInDays",
				"rotationPeriodInDays", "RotationPeriodInDays", "bypassPolicyLockoutSafetyCheck", "BypassPolicyLockoutSafetyCheck",
				"isEnabled", "Enabled")
			b.set("KeyPolicy", doc(b.take("policy")))
			b.set("Tags", b.tags())
		},
	},
	"aws:kms/replicaKey:ReplicaKey": {
		cfn:   "AWS::KMS::ReplicaKey",
		attrs: map[string]string{"arn": "Arn"},
		skip:  map[string]string{"bypassPolicyLockoutSafetyCheck": "AWS::KMS::ReplicaKey has no such property (the API check is always on)"},
		build: func(b *builder) {
			b.copy("description", "Description", "deletionWindowInDays", "PendingWindowInDays", "primaryKeyArn", "PrimaryKeyArn", "enabled", "Enabled")
			b.set("KeyPolicy", doc(b.take("policy")))
			b.set("Tags", b.tags())
		},
	},
	"aws:kms/alias:Alias": {
		cfn: "AWS::KMS::Alias",
		build: func(b *builder) {
			b.set("AliasName", b.physical("id"))
			b.take("name")
			b.take("namePrefix")
			b.raw("targetKeyId", "TargetKeyId")
		},
	},
	"aws:secretsmanager/secret:Secret": {
		cfn:   "AWS::SecretsManager::Secret",
		attrs: map[string]string{"id": "Ref", "arn": "Ref"},
		skip: map[string]string{
			"recoveryWindowInDays":        "a deletion setting (the API's DeleteSecret), not part of the secret's creation",
			"forceOverwriteReplicaSecret": "a provider-side behaviour for an existing replica, not a secret setting",
		},
		build: func(b *builder) {
			b.set("Name", b.physical("name"))
			b.take("name")
			b.take("namePrefix")
			b.copy("description", "Description", "kmsKeyId", "KmsKeyId")
			var replicas []any
			for _, r := range list(b.take("replicas")) {
				replicas = append(replicas, pascal(r, nil))
			}
			if replicas != nil {
				b.set("ReplicaRegions", replicas)
			}
			b.set("Tags", b.tags())
		},
	},
	"aws:ssm/parameter:Parameter": {
		cfn:   "AWS::SSM::Parameter",
		attrs: map[string]string{"id": "Ref", "name": "Ref"},
		build: func(b *builder) {
			b.raw("name", "Name", "value", "Value")
			b.copy("type", "Type", "tier", "Tier", "description", "Description", "dataType", "DataType", "allowedPattern", "AllowedPattern")
			b.set("Tags", b.tagMap())
		},
	},
	"aws:secretsmanager/secretPolicy:SecretPolicy": {
		cfn: "AWS::SecretsManager::ResourcePolicy",
		build: func(b *builder) {
			b.raw("secretArn", "SecretId", "blockPublicPolicy", "BlockPublicPolicy")
			b.set("ResourcePolicy", doc(b.take("policy")))
		},
	},
}

func dropNil(m map[string]any) {
	for k, v := range m {
		if v == nil {
			delete(m, k)
		}
	}
}

// inlinePolicy maps an inline policy of a role, user or group (owner, the
// input naming it; prop, its CloudFormation property). The id is
// "<owner>:<policy name>": the name input, or the auto-name after the
// last colon.
func inlinePolicy(cfn, owner, prop string) spec {
	return spec{cfn: cfn, build: func(b *builder) {
		name := b.str("name")
		if name == "" {
			id := b.r.ID
			name = id[strings.LastIndex(id, ":")+1:]
		}
		b.take("namePrefix")
		b.set("PolicyName", name)
		b.raw(owner, prop)
		b.set("PolicyDocument", doc(b.take("policy")))
	}}
}
