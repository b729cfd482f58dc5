package mockengine

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/dbay/infra/config"
)

// invoke answers a function call the way the AWS provider would. An invoke
// with no answer here is an error, so a new data source cannot slip into
// the program untested.
func (e *Engine) invoke(tok string, args resource.PropertyMap, region string) (resource.PropertyMap, error) {
	partition := config.PartitionOf(region)
	switch tok {
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.NewPropertyMapFromMap(map[string]any{
			"accountId": Account, "id": Account, "userId": "AIDAMOCKUSER",
			"arn": fmt.Sprintf("arn:%s:iam::%s:user/mock", partition, Account),
		}), nil
	case "aws:index/getRegion:getRegion":
		return resource.NewPropertyMapFromMap(map[string]any{
			"name": region, "id": region, "region": region, "description": region,
			"endpoint": "ec2." + region + ".amazonaws.com",
		}), nil
	case "aws:index/getPartition:getPartition":
		return resource.NewPropertyMapFromMap(map[string]any{
			"partition": partition, "id": partition, "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws",
		}), nil
	case "aws:index/getAvailabilityZones:getAvailabilityZones":
		var names, ids []any
		for i, s := range "abcdef" {
			names = append(names, region+string(s))
			ids = append(ids, fmt.Sprintf("%s-az%d", region, i+1))
		}
		return resource.NewPropertyMapFromMap(map[string]any{"id": region, "names": names, "zoneIds": ids, "state": "available"}), nil
	case "aws:iam/getPolicyDocument:getPolicyDocument":
		doc, err := renderPolicy(args)
		if err != nil {
			return nil, err
		}
		return resource.NewPropertyMapFromMap(map[string]any{"id": hashOf(doc)[:10], "json": doc, "minifiedJson": doc}), nil
	case "aws:ec2/getRouteTables:getRouteTables":
		return e.routeTables(args)
	case "aws:route53/getZone:getZone":
		return hostedZone(args, partition)
	case "aws:ec2/getManagedPrefixList:getManagedPrefixList":
		// AWS-managed prefix lists by name; the ids are the real ones where known.
		name := ""
		if v, ok := args["name"]; ok && v.IsString() {
			name = v.StringValue()
		}
		known := map[string]string{
			"com.amazonaws.global.cloudfront.origin-facing/us-east-1": "pl-3b927c52",
			"com.amazonaws.global.cloudfront.origin-facing/us-west-2": "pl-82a045eb",
			"com.amazonaws.us-east-1.s3/us-east-1":                    "pl-63a5400a",
			"com.amazonaws.us-west-2.s3/us-west-2":                    "pl-68a54001",
		}
		if name == "" || (!strings.HasPrefix(name, "com.amazonaws.") && !strings.HasPrefix(name, "cn.com.amazonaws.")) {
			return nil, fmt.Errorf("only AWS-managed prefix lists are mocked, looked up by name (got %q)", name)
		}
		id, ok := known[name+"/"+region]
		if !ok {
			id = "pl-" + hashOf(name, region)[:8]
		}
		maxEntries := 0
		if strings.Contains(name, "cloudfront") {
			maxEntries = 55
		}
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": id, "name": name, "addressFamily": "IPv4", "ownerId": "AWS", "maxEntries": maxEntries, "version": 1,
			"arn": fmt.Sprintf("arn:%s:ec2:%s:aws:prefix-list/%s", partition, region, id), "entries": []any{}, "tags": map[string]any{},
		}), nil
	case "aws:ssm/getParameter:getParameter":
		return e.parameter(args, region)
	case "aws:secretsmanager/getSecretVersion:getSecretVersion":
		return e.secretVersion(args, region)
	case "aws:elb/getServiceAccount:getServiceAccount":
		// The account ELB delivers access logs from, in regions opened before August 2022.
		accounts := map[string]string{
			"us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980", "us-west-2": "797873946194",
			"eu-west-1": "156460612806", "eu-central-1": "054676820928",
		}
		if v, ok := args["region"]; ok && v.IsString() && v.StringValue() != "" {
			region = v.StringValue()
		}
		acct, ok := accounts[region]
		if !ok {
			return nil, fmt.Errorf("no ELB log delivery account mocked for %s", region)
		}
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": acct, "region": region, "arn": fmt.Sprintf("arn:%s:iam::%s:root", partition, acct),
		}), nil
	}
	return nil, fmt.Errorf("no mock answer for this invoke; add one to internal/mockengine/invokes.go")
}

// routeTables answers getRouteTables filtered by vpc-id: awsx gives every
// subnet its own route table, so there is one per subnet of that VPC.
func (e *Engine) routeTables(args resource.PropertyMap) (resource.PropertyMap, error) {
	vpcID := ""
	if v, ok := args["vpcId"]; ok && v.IsString() {
		vpcID = v.StringValue()
	}
	if f, ok := args["filters"]; ok && f.IsArray() {
		for _, x := range f.ArrayValue() {
			o := x.ObjectValue()
			if o["name"].StringValue() == "vpc-id" && len(o["values"].ArrayValue()) > 0 {
				vpcID = o["values"].ArrayValue()[0].StringValue()
			}
		}
	}
	for _, r := range e.ByType("awsx:ec2:Vpc") {
		if v, ok := r.Outputs["vpcId"]; ok && v.StringValue() == vpcID {
			var ids []any
			for _, tier := range []string{"publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds"} {
				for _, s := range r.Outputs[resource.PropertyKey(tier)].ArrayValue() {
					ids = append(ids, "rtb-"+hashOf(s.StringValue())[:17])
				}
			}
			return resource.NewPropertyMapFromMap(map[string]any{"id": vpcID, "vpcId": vpcID, "ids": ids}), nil
		}
	}
	return nil, fmt.Errorf("no VPC with id %q was created in this run", vpcID)
}

// PolicyDocument is an IAM policy document as AWS renders it.
type PolicyDocument struct {
	Version   string            `json:"Version"`
	Statement []PolicyStatement `json:"Statement"`
}

// PolicyStatement is one statement. Single values render as strings, as the
// AWS provider does.
type PolicyStatement struct {
	Sid          string                    `json:"Sid,omitempty"`
	Effect       string                    `json:"Effect"`
	Principal    any                       `json:"Principal,omitempty"`
	NotPrincipal any                       `json:"NotPrincipal,omitempty"`
	Action       any                       `json:"Action,omitempty"`
	NotAction    any                       `json:"NotAction,omitempty"`
	Resource     any                       `json:"Resource,omitempty"`
	NotResource  any                       `json:"NotResource,omitempty"`
	Condition    map[string]map[string]any `json:"Condition,omitempty"`
}

// renderPolicy turns getPolicyDocument arguments into the policy JSON.
func renderPolicy(args resource.PropertyMap) (string, error) {
	doc := PolicyDocument{Version: "2012-10-17"}
	if v, ok := args["version"]; ok && v.IsString() && v.StringValue() != "" {
		doc.Version = v.StringValue()
	}
	stmts, ok := args["statements"]
	if !ok || !stmts.IsArray() {
		return "", fmt.Errorf("statements are required")
	}
	for i, sv := range stmts.ArrayValue() {
		s := plain(sv).(map[string]any)
		st := PolicyStatement{Effect: "Allow"}
		if v, ok := s["sid"].(string); ok {
			st.Sid = v
		}
		if v, ok := s["effect"].(string); ok && v != "" {
			st.Effect = v
		}
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return "", fmt.Errorf("statements[%d].effect %q is neither Allow nor Deny", i, st.Effect)
		}
		st.Action = oneOrMany(s["actions"])
		st.NotAction = oneOrMany(s["notActions"])
		st.Resource = oneOrMany(s["resources"])
		st.NotResource = oneOrMany(s["notResources"])
		st.Principal = principals(s["principals"])
		st.NotPrincipal = principals(s["notPrincipals"])
		if conds, ok := s["conditions"].([]any); ok && len(conds) > 0 {
			st.Condition = map[string]map[string]any{}
			for _, c := range conds {
				cm := c.(map[string]any)
				test, variable := cm["test"].(string), cm["variable"].(string)
				if st.Condition[test] == nil {
					st.Condition[test] = map[string]any{}
				}
				st.Condition[test][variable] = oneOrMany(cm["values"])
			}
		}
		if st.Action == nil && st.NotAction == nil {
			return "", fmt.Errorf("statements[%d] has no actions", i)
		}
		doc.Statement = append(doc.Statement, st)
	}
	b, err := json.Marshal(doc)
	return string(b), err
}

func oneOrMany(v any) any {
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		return nil
	}
	if len(arr) == 1 {
		return arr[0]
	}
	return arr
}

func principals(v any) any {
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		return nil
	}
	out := map[string]any{}
	for _, p := range arr {
		pm := p.(map[string]any)
		typ := pm["type"].(string)
		ids := oneOrMany(pm["identifiers"])
		if typ == "*" {
			return "*"
		}
		if prev, ok := out[typ]; ok {
			out[typ] = append(toSlice(prev), toSlice(ids)...)
		} else {
			out[typ] = ids
		}
	}
	return out
}

func toSlice(v any) []any {
	if arr, ok := v.([]any); ok {
		return arr
	}
	return []any{v}
}

// plain converts a property value to plain Go values, unwrapping secrets.
func plain(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return plain(v.SecretValue().Element)
	case v.IsArray():
		out := []any{}
		for _, x := range v.ArrayValue() {
			out = append(out, plain(x))
		}
		return out
	case v.IsObject():
		out := map[string]any{}
		keys := v.ObjectValue().StableKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		for _, k := range keys {
			out[string(k)] = plain(v.ObjectValue()[k])
		}
		return out
	case v.IsNull():
		return nil
	default:
		return v.V
	}
}

// hostedZone answers getZone for a public zone looked up by name (or id):
// the id is stable for the name, the name comes back with its trailing dot.
func hostedZone(args resource.PropertyMap, partition string) (resource.PropertyMap, error) {
	name, id := "", ""
	if v, ok := args["name"]; ok && v.IsString() {
		name = strings.TrimSuffix(v.StringValue(), ".")
	}
	if v, ok := args["zoneId"]; ok && v.IsString() {
		id = v.StringValue()
	}
	if name == "" && id == "" {
		return nil, fmt.Errorf("getZone needs a name or a zoneId")
	}
	if id == "" {
		id = "Z" + strings.ToUpper(hashOf("hostedzone", name)[:13])
	}
	if name == "" {
		name = strings.ToLower(id) + ".example.com"
	}
	return resource.NewPropertyMapFromMap(map[string]any{
		"id": id, "zoneId": id, "name": name + ".", "privateZone": false, "comment": "",
		"arn":                    fmt.Sprintf("arn:%s:route53:::hostedzone/%s", partition, id),
		"callerReference":        hashOf("caller", name)[:20],
		"nameServers":            []any{"ns-101.awsdns-12.com", "ns-632.awsdns-15.net", "ns-1317.awsdns-36.org", "ns-1914.awsdns-47.co.uk"},
		"primaryNameServer":      "ns-101.awsdns-12.com",
		"resourceRecordSetCount": 2,
		"tags":                   map[string]any{},
	}), nil
}
