package network

import (
	"reflect"
	"sort"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

const (
	tVpc      = "awsx:ec2:Vpc"
	tEndpoint = "aws:ec2/vpcEndpoint:VpcEndpoint"
	tSG       = "aws:ec2/securityGroup:SecurityGroup"
)

// spec loads a network section through the real config loader, so defaults
// are the ones a stack gets.
func spec(t *testing.T, region, role, network string) config.Network {
	t.Helper()
	values := map[string]string{
		"aws:region": region, "dbay:role": role, "dbay:environment": "production", "dbay:domain": "dbay.example.com",
		"dbay:tags": `{"owner":"o","cost-center":"c"}`, "dbay:network": network,
	}
	if role == "recovery" {
		values["dbay:dr"] = `{"primaryStack":"organization/dbay/prod","primaryRegion":"us-east-1"}`
	}
	cfg, err := config.Load(config.Source{Project: "dbay", Stack: "test", Values: values})
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Network
}

type run struct {
	eng  *mockengine.Engine
	outs map[string]any // the component's output fields, resolved
}

func synth(t *testing.T, region string, s config.Network) run {
	t.Helper()
	eng := mockengine.ForTest(t, "dbay", "test", region)
	outs := map[string]any{}
	eng.MustRun(func(ctx *pulumi.Context) error {
		p, err := mockengine.Provider(ctx, "regional", region)
		if err != nil {
			return err
		}
		n, err := New(ctx, "network", &Args{Env: config.Env{Region: region, Partition: "aws", Protect: true}, Spec: s}, pulumi.Providers(p))
		if err != nil {
			return err
		}
		outs, err = mockengine.Resolve(ctx, map[string]pulumi.Output{
			"vpcId": n.VpcID, "privateSubnetIds": n.PrivateSubnetIDs, "publicSubnetIds": n.PublicSubnetIDs,
			"isolatedSubnetIds": n.IsolatedSubnetIDs, "cidrBlock": n.CidrBlock, "endpointSecurityGroupId": n.EndpointSecurityGroupID,
		})
		return err
	})
	return run{eng: eng, outs: outs}
}

func (r run) one(t *testing.T, typ, name string) *mockengine.Resource {
	t.Helper()
	res := r.eng.Get(typ, name)
	if res == nil {
		t.Fatalf("no %s %q was created", typ, name)
	}
	return res
}

func TestSubnetTiersUseThePlannedLayout(t *testing.T) {
	t.Parallel()
	r := synth(t, "us-east-1", spec(t, "us-east-1", "primary", `{"cidr":"10.0.0.0/16"}`))
	vpc := r.one(t, tVpc, "vpc")
	in := vpc.In()
	if in["cidrBlock"] != "10.0.0.0/16" || in["enableDnsHostnames"] != true || in["enableDnsSupport"] != true {
		t.Errorf("vpc inputs = %v", in)
	}
	want := map[string][]string{
		"Private":  {"10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"},
		"Public":   {"10.0.96.0/24", "10.0.97.0/24", "10.0.98.0/24"},
		"Isolated": {"10.0.99.0/24", "10.0.100.0/24", "10.0.101.0/24"},
	}
	got := map[string][]string{}
	for _, s := range in["subnetSpecs"].([]any) {
		spec := s.(map[string]any)
		var blocks []string
		for _, b := range spec["cidrBlocks"].([]any) {
			blocks = append(blocks, b.(string))
		}
		got[spec["type"].(string)] = blocks
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("subnet specs\n got %v\nwant %v", got, want)
	}
	if len(r.outs["isolatedSubnetIds"].([]any)) != 3 || len(r.outs["privateSubnetIds"].([]any)) != 3 {
		t.Errorf("component outputs = %v", r.outs)
	}
	if r.outs["vpcId"] != vpc.Out()["vpcId"] || r.outs["cidrBlock"] != "10.0.0.0/16" {
		t.Errorf("vpcId output %v does not come from the VPC %v", r.outs["vpcId"], vpc.Out()["vpcId"])
	}
}

func TestNATStrategyPerRole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		role, network, want string
	}{
		{"primary", `{"cidr":"10.0.0.0/16"}`, "OnePerAz"},
		{"recovery", `{"cidr":"10.1.0.0/16"}`, "Single"},
		{"recovery", `{"cidr":"10.1.0.0/16","natGateways":"perAz"}`, "OnePerAz"},
		{"primary", `{"cidr":"10.0.0.0/16","natGateways":"single"}`, "Single"},
	}
	for _, tt := range tests {
		r := synth(t, "us-west-2", spec(t, "us-west-2", tt.role, tt.network))
		got := r.one(t, tVpc, "vpc").In()["natGateways"].(map[string]any)["strategy"]
		if got != tt.want {
			t.Errorf("%s %s: NAT strategy %v, want %s", tt.role, tt.network, got, tt.want)
		}
	}
}

func TestFlowLogsCaptureAllTrafficIntoAnEncryptedGroup(t *testing.T) {
	t.Parallel()
	r := synth(t, "us-west-2", spec(t, "us-west-2", "recovery", `{"cidr":"10.1.0.0/16","flowLogs":{"retentionDays":400}}`))
	fl := r.one(t, "aws:ec2/flowLog:FlowLog", "flow-log").In()
	lg := r.one(t, "aws:cloudwatch/logGroup:LogGroup", "flow-logs")
	key := r.one(t, "aws:kms/key:Key", "flow-logs-key")
	role := r.one(t, "aws:iam/role:Role", "flow-logs-role")
	vpc := r.one(t, tVpc, "vpc")

	if fl["trafficType"] != "ALL" || fl["logDestinationType"] != "cloud-watch-logs" {
		t.Errorf("flow log = %v", fl)
	}
	if fl["vpcId"] != vpc.Out()["vpcId"] || fl["logDestination"] != lg.Out()["arn"] || fl["iamRoleArn"] != role.Out()["arn"] {
		t.Errorf("flow log is not wired to the VPC, group and role: %v", fl)
	}
	if lg.In()["retentionInDays"] != 400.0 || lg.In()["kmsKeyId"] != key.Out()["arn"] {
		t.Errorf("log group = %v", lg.In())
	}
	if key.In()["enableKeyRotation"] != true || key.In()["deletionWindowInDays"] != 30.0 || !key.Options.Protect {
		t.Errorf("key = %v", key.In())
	}

	keyPolicy := parsePolicy(t, key.In()["policy"])
	for _, st := range keyPolicy.Statement {
		if st.Principal == "*" {
			t.Errorf("key policy has a wildcard principal: %+v", st)
		}
	}
	logs := keyPolicy.Statement[1]
	if !reflect.DeepEqual(logs.Principal, map[string]any{"Service": "logs.us-west-2.amazonaws.com"}) ||
		logs.Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] != "arn:aws:logs:us-west-2:123456789012:log-group:*" {
		t.Errorf("logs statement = %+v", logs)
	}

	trust := parsePolicy(t, role.In()["assumeRolePolicy"]).Statement[0]
	if !reflect.DeepEqual(trust.Principal, map[string]any{"Service": "vpc-flow-logs.amazonaws.com"}) ||
		trust.Condition["StringEquals"]["aws:SourceAccount"] != mockengine.Account {
		t.Errorf("trust = %+v", trust)
	}
	write := r.one(t, "aws:iam/rolePolicy:RolePolicy", "flow-logs-write").In()
	if write["role"] != role.Out()["name"] {
		t.Errorf("write policy attached to %v", write["role"])
	}
	grant := parsePolicy(t, write["policy"]).Statement[0]
	arn := lg.Out()["arn"].(string)
	if !reflect.DeepEqual(grant.Resource, []any{arn, arn + ":*"}) {
		t.Errorf("write policy resources = %v, want only %s", grant.Resource, arn)
	}
}

func TestDefaultSecurityGroupHasNoRules(t *testing.T) {
	t.Parallel()
	r := synth(t, "us-east-1", spec(t, "us-east-1", "primary", `{"cidr":"10.0.0.0/16"}`))
	in := r.one(t, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default-sg").In()
	if !reflect.DeepEqual(in["ingress"], []any{}) || !reflect.DeepEqual(in["egress"], []any{}) {
		t.Errorf("default SG rules: ingress %v egress %v", in["ingress"], in["egress"])
	}
	if in["vpcId"] != r.outs["vpcId"] {
		t.Errorf("default SG is in %v", in["vpcId"])
	}
}

func TestEndpoints(t *testing.T) {
	t.Parallel()
	r := synth(t, "us-east-1", spec(t, "us-east-1", "primary", `{"cidr":"10.0.0.0/16"}`))
	sg := r.one(t, tSG, "endpoints")
	ingress := sg.In()["ingress"].([]any)
	rule := ingress[0].(map[string]any)
	if len(ingress) != 1 || rule["fromPort"] != 443.0 || rule["toPort"] != 443.0 || rule["protocol"] != "tcp" ||
		!reflect.DeepEqual(rule["cidrBlocks"], []any{"10.0.0.0/16"}) || rule["description"] == "" {
		t.Errorf("endpoint SG ingress = %v, want only 443/tcp from 10.0.0.0/16", ingress)
	}
	if _, hasEgress := sg.In()["egress"]; hasEgress {
		t.Errorf("endpoint SG has egress rules: %v", sg.In()["egress"])
	}
	if r.outs["endpointSecurityGroupId"] != sg.ID {
		t.Errorf("endpointSecurityGroupId = %v, want %s", r.outs["endpointSecurityGroupId"], sg.ID)
	}

	var names []string
	for _, ep := range r.eng.ByType(tEndpoint) {
		names = append(names, ep.Name)
		in := ep.In()
		svc := "com.amazonaws.us-east-1." + map[string]string{"ecr-api": "ecr.api", "ecr-dkr": "ecr.dkr", "kms": "kms", "logs": "logs",
			"s3": "s3", "secretsmanager": "secretsmanager", "sts": "sts"}[ep.Name]
		if in["serviceName"] != svc {
			t.Errorf("%s service = %v, want %s", ep.Name, in["serviceName"], svc)
		}
		if ep.Name == "s3" {
			if in["vpcEndpointType"] != "Gateway" || len(in["routeTableIds"].([]any)) != 9 {
				t.Errorf("s3 endpoint = %v, want a gateway on the 9 route tables", in)
			}
			continue
		}
		if in["vpcEndpointType"] != "Interface" || in["privateDnsEnabled"] != true ||
			!reflect.DeepEqual(in["subnetIds"], r.outs["privateSubnetIds"]) ||
			!reflect.DeepEqual(in["securityGroupIds"], []any{sg.ID}) {
			t.Errorf("%s endpoint = %v", ep.Name, in)
		}
	}
	sort.Strings(names)
	if want := []string{"ecr-api", "ecr-dkr", "kms", "logs", "s3", "secretsmanager", "sts"}; !reflect.DeepEqual(names, want) {
		t.Errorf("endpoints = %v, want %v", names, want)
	}

	off := synth(t, "us-east-1", spec(t, "us-east-1", "primary", `{"cidr":"10.0.0.0/16","endpoints":{"s3":false,"sts":false,"kms":false}}`))
	names = nil
	for _, ep := range off.eng.ByType(tEndpoint) {
		names = append(names, ep.Name)
	}
	sort.Strings(names)
	if want := []string{"ecr-api", "ecr-dkr", "logs", "secretsmanager"}; !reflect.DeepEqual(names, want) {
		t.Errorf("with s3, sts, kms off: endpoints = %v, want %v", names, want)
	}
}

func TestEveryChildIsParentedAndUsesTheGivenProvider(t *testing.T) {
	t.Parallel()
	r := synth(t, "us-east-1", spec(t, "us-east-1", "primary", `{"cidr":"10.0.0.0/16"}`))
	comp := r.one(t, typeToken, "network")
	provider := "urn:pulumi:test::dbay::pulumi:providers:aws::regional"
	for _, res := range r.eng.Resources() {
		switch {
		case res.URN == comp.URN || res.Type == "pulumi:providers:aws":
			continue
		case res.Parent != comp.URN:
			t.Errorf("%s %s is parented to %s", res.Type, res.Name, res.Parent)
		case res.Custom && res.Provider != provider:
			t.Errorf("%s %s uses provider %q", res.Type, res.Name, res.Provider)
		case !res.Custom && res.Providers["aws"] != provider:
			t.Errorf("component %s %s was handed providers %v", res.Type, res.Name, res.Providers)
		}
	}
}

func parsePolicy(t *testing.T, v any) mockengine.Doc {
	t.Helper()
	d, err := mockengine.ParsePolicy(v)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
