package mockengine

import (
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
	why, down := e.unreadable[name]
	e.mu.Unlock()
	if down {
		return "", nil, fmt.Errorf("the state of stack %q cannot be read: %s", name, why)
	}
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
