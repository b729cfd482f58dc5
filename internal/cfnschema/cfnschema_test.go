package cfnschema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/dbay/infra/internal/mockengine"
)

const stackURN = "urn:pulumi:prod::dbay::"

// res builds a captured resource as the mock engine records it.
func res(typ, name, region, id string, in map[string]any, deps ...string) *mockengine.Resource {
	r := &mockengine.Resource{
		URN: stackURN + typ + "::" + name, Type: typ, Name: name, ID: id, Custom: true, Region: region,
		Inputs: resource.NewPropertyMapFromMap(in), Dependencies: deps,
	}
	r.Outputs = r.Inputs.Copy()
	return r
}

func withOut(r *mockengine.Resource, out map[string]any) *mockengine.Resource {
	for k, v := range resource.NewPropertyMapFromMap(out) {
		r.Outputs[k] = v
	}
	return r
}

// props are the properties of the template resource a captured resource became.
func props(t *testing.T, tr *Translation, r *mockengine.Resource) map[string]any {
	t.Helper()
	for _, it := range tr.Items {
		if it.URN != r.URN {
			continue
		}
		for _, tm := range tr.Templates {
			if tm.Region == it.Region && tm.Resources[it.LogicalID] != nil {
				// Round-trip through JSON: what cfn-lint reads.
				b, err := json.Marshal(tm.Resources[it.LogicalID].Properties)
				if err != nil {
					t.Fatal(err)
				}
				var out map[string]any
				if err := json.Unmarshal(b, &out); err != nil {
					t.Fatal(err)
				}
				return out
			}
		}
		t.Fatalf("%s is %s (%s), not in a template", r.Name, it.Status, it.Reason)
	}
	t.Fatalf("%s is not among the items", r.Name)
	return nil
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// A few pulumi resources in, the CloudFormation properties out.
func TestTranslation(t *testing.T) {
	t.Parallel()
	provider := res("pulumi:providers:aws", "regional", "us-east-1", "p1", map[string]any{
		"region": "us-east-1", "defaultTags": map[string]any{"tags": map[string]any{"project": "dbay", "stack": "prod"}},
	})
	sg := withOut(res("aws:ec2/securityGroup:SecurityGroup", "db", "us-east-1", "sg-0123456789abcdef0",
		map[string]any{"description": "PostgreSQL", "vpcId": "vpc-0123456789abcdef0"}), map[string]any{"name": "db-1234567"})
	db := res("aws:rds/instance:Instance", "postgres", "us-east-1", "postgres-abc1234", map[string]any{
		"instanceClass": "db.r6g.large", "engine": "postgres", "engineVersion": "16", "allocatedStorage": 100,
		"storageEncrypted": true, "masterUserSecretKmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k",
		"vpcSecurityGroupIds": []any{"sg-0123456789abcdef0"}, "tags": map[string]any{"backup": "dbay-prod", "stack": "override"},
		"skipFinalSnapshot": false, "password": resource.MakeSecret(resource.NewStringProperty("hunter2")),
	}, sg.URN)
	db.Provider = provider.URN
	withOut(db, map[string]any{"identifier": "postgres-abc1234"})
	replica := res("aws:rds/instance:Instance", "postgres-replica", "us-east-1", "replica-abc1234", map[string]any{
		"instanceClass": "db.r6g.large", "replicateSourceDb": "postgres-abc1234", "storageEncrypted": true,
	})
	literal := res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "no-dependency", "us-east-1", "sgr-1", map[string]any{
		"securityGroupId": "sg-0123456789abcdef0", "ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrIpv4": "10.0.0.0/16",
	})
	fn := res("aws:lambda/function:Function", "closer", "us-west-2", "dbay-closer", map[string]any{
		"reservedConcurrentExecutions": -1, "s3Bucket": "artifacts-us-west-2", "s3Key": "closer.zip", "runtime": "python3.12",
		"role": "arn:aws:iam::123456789012:role/closer", "handler": "h.handler", "environment": map[string]any{"variables": map[string]any{"A_B": "c"}},
	})
	waf := res("aws:wafv2/webAcl:WebAcl", "edge", "us-east-1", "w1", map[string]any{
		"scope": "CLOUDFRONT", "defaultAction": map[string]any{"allow": map[string]any{}},
		"visibilityConfig": map[string]any{"cloudwatchMetricsEnabled": true, "metricName": "edge", "sampledRequestsEnabled": true},
		"rules": []any{map[string]any{"name": "r", "priority": 1, "action": map[string]any{"block": map[string]any{}},
			"statement": map[string]any{"notStatement": map[string]any{"statements": []any{
				map[string]any{"geoMatchStatement": map[string]any{"countryCodes": []any{"DE"}}}}}},
			"visibilityConfig": map[string]any{"cloudwatchMetricsEnabled": true, "metricName": "r", "sampledRequestsEnabled": true}}},
	})
	rule := res("aws:lb/listenerRule:ListenerRule", "api", "us-east-1", "lr", map[string]any{
		"listenerArn": "arn:l", "priority": 10,
		"actions":    []any{map[string]any{"type": "forward", "targetGroupArn": "arn:tg"}},
		"conditions": []any{map[string]any{"pathPattern": map[string]any{"values": []any{"/api/*"}}}},
	})
	tr := Translate("dbay", "prod", []*mockengine.Resource{provider, sg, db, replica, literal, fn, waf, rule})
	if len(tr.Problems) > 0 {
		t.Fatalf("problems: %v", tr.Problems)
	}

	cases := []struct {
		name string
		r    *mockengine.Resource
		want map[string]string // property -> JSON of its value
		none []string          // properties that must be absent
	}{
		{"names follow CloudFormation, tags become a list with the provider's defaults", db, map[string]string{
			"DBInstanceClass":      `"db.r6g.large"`,
			"DBInstanceIdentifier": `"postgres-abc1234"`,
			"AllocatedStorage":     `"100"`,
			"MasterUserSecret":     `{"KmsKeyId":"arn:aws:kms:us-east-1:123456789012:key/k"}`,
			"VPCSecurityGroups":    `[{"Fn::GetAtt":["DbSecurityGroup","GroupId"]}]`,
			"Tags":                 `[{"Key":"backup","Value":"dbay-prod"},{"Key":"project","Value":"dbay"},{"Key":"stack","Value":"override"}]`,
		}, []string{"MasterUserPassword", "FinalSnapshotIdentifier"}},
		{"a read replica does not send StorageEncrypted", replica, map[string]string{
			"SourceDBInstanceIdentifier": `"postgres-abc1234"`,
		}, []string{"StorageEncrypted"}},
		{"no recorded dependency: the value stays as the mock answered it", literal, map[string]string{
			"GroupId": `"sg-0123456789abcdef0"`, "CidrIp": `"10.0.0.0/16"`, "FromPort": `5432`,
		}, nil},
		{"-1 reserved concurrency is CloudFormation's absent property", fn, map[string]string{
			"Code":        `{"S3Bucket":"artifacts-us-west-2","S3Key":"closer.zip"}`,
			"Environment": `{"Variables":{"A_B":"c"}}`,
		}, []string{"ReservedConcurrentExecutions"}},
		{"a WAF not-statement holds one statement", waf, map[string]string{
			"Rules": `[{"Action":{"Block":{}},"Name":"r","Priority":1,"Statement":{"NotStatement":{"Statement":{"GeoMatchStatement":{"CountryCodes":["DE"]}}}},"VisibilityConfig":{"CloudWatchMetricsEnabled":true,"MetricName":"r","SampledRequestsEnabled":true}}]`,
			"Name":  `"edge-` + autoSuffix(waf) + `"`,
		}, nil},
		{"listener rule conditions name their field", rule, map[string]string{
			"Conditions": `[{"Field":"path-pattern","PathPatternConfig":{"Values":["/api/*"]}}]`,
			"Actions":    `[{"TargetGroupArn":"arn:tg","Type":"forward"}]`,
		}, []string{"Tags"}},
	}
	for _, c := range cases {
		p := props(t, tr, c.r)
		for k, want := range c.want {
			if got := jsonOf(p[k]); got != want {
				t.Errorf("%s: %s = %s, want %s", c.name, k, got, want)
			}
		}
		for _, k := range c.none {
			if _, ok := p[k]; ok {
				t.Errorf("%s: %s = %s, want it absent", c.name, k, jsonOf(p[k]))
			}
		}
	}
	if got := tr.Skipped["aws:rds/instance:Instance"]["password"]; !strings.Contains(got, "secret") {
		t.Errorf("the secret password is not listed as skipped: %q", got)
	}
	var regions []string
	for _, tm := range tr.Templates {
		regions = append(regions, tm.Region)
	}
	if !reflect.DeepEqual(regions, []string{"us-east-1", "us-west-2"}) {
		t.Errorf("templates = %v, want one per Region", regions)
	}
}

func autoSuffix(r *mockengine.Resource) string {
	b := &builder{r: r, in: r.In()}
	s, _ := b.physical("name").(string)
	return strings.TrimPrefix(s, r.Name+"-")
}

// Split resources become properties of the resource they configure, and
// say where those properties came from.
func TestSplitResourcesMergeIntoTheirBucket(t *testing.T) {
	t.Parallel()
	bucket := withOut(res("aws:s3/bucketV2:BucketV2", "logs", "us-east-1", "logs-1234567", map[string]any{}),
		map[string]any{"bucket": "logs-1234567", "arn": "arn:aws:s3:::logs-1234567"})
	versioning := res("aws:s3/bucketVersioningV2:BucketVersioningV2", "logs", "us-east-1", "v", map[string]any{
		"bucket": "logs-1234567", "versioningConfiguration": map[string]any{"status": "Enabled"},
	}, bucket.URN)
	lifecycle := res("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "logs", "us-east-1", "l", map[string]any{
		"bucket": "logs-1234567", "rules": []any{map[string]any{"id": "expire", "status": "Enabled", "filter": map[string]any{"prefix": "a/"},
			"expiration": map[string]any{"days": 365}, "noncurrentVersionExpiration": map[string]any{"noncurrentDays": 30}}},
	}, bucket.URN)
	elsewhere := res("aws:s3/bucketVersioningV2:BucketVersioningV2", "other", "us-east-1", "v2", map[string]any{
		"bucket": "not-in-this-stack", "versioningConfiguration": map[string]any{"status": "Enabled"},
	})
	tr := Translate("dbay", "prod", []*mockengine.Resource{bucket, versioning, lifecycle, elsewhere})
	p := props(t, tr, bucket)
	if got := jsonOf(p["VersioningConfiguration"]); got != `{"Status":"Enabled"}` {
		t.Errorf("VersioningConfiguration = %s", got)
	}
	if got, want := jsonOf(p["LifecycleConfiguration"]), `{"Rules":[{"ExpirationInDays":365,"Id":"expire","NoncurrentVersionExpiration":{"NoncurrentDays":30},"Prefix":"a/","Status":"Enabled"}]}`; got != want {
		t.Errorf("LifecycleConfiguration = %s, want %s", got, want)
	}
	status := map[string]Status{}
	for _, it := range tr.Items {
		status[it.URN] = it.Status
	}
	if status[versioning.URN] != Merged || status[lifecycle.URN] != Merged || status[elsewhere.URN] != Unchecked {
		t.Errorf("statuses = %v", status)
	}
	logical := ""
	for _, it := range tr.Items {
		if it.URN == bucket.URN {
			logical = it.LogicalID
		}
	}
	if it, ok := tr.Origin("us-east-1", logical, []string{"VersioningConfiguration", "Status"}); !ok || it.URN != versioning.URN {
		t.Errorf("a finding on VersioningConfiguration is located on %v, want the versioning resource", it)
	}
	if it, ok := tr.Origin("us-east-1", logical, []string{"BucketName"}); !ok || it.URN != bucket.URN {
		t.Errorf("a finding on BucketName is located on %v, want the bucket", it)
	}
}

// Tags and descriptions are text: one that happens to equal a dependency's
// name is not a reference.
func TestFreeTextIsNeverAReference(t *testing.T) {
	t.Parallel()
	cluster := withOut(res("aws:ecs/cluster:Cluster", "cluster", "us-east-1", "arn:aws:ecs:us-east-1:123456789012:cluster/dbay-production",
		map[string]any{"name": "dbay-production"}), map[string]any{"arn": "arn:aws:ecs:us-east-1:123456789012:cluster/dbay-production"})
	svc := res("aws:ecs/service:Service", "api", "us-east-1", "svc", map[string]any{
		"cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/dbay-production", "tags": map[string]any{"cost-center": "dbay-production"},
	}, cluster.URN)
	tr := Translate("dbay", "prod", []*mockengine.Resource{cluster, svc})
	p := props(t, tr, svc)
	if got := jsonOf(p["Cluster"]); got != `{"Fn::GetAtt":["ClusterCluster","Arn"]}` {
		t.Errorf("Cluster = %s, want a GetAtt", got)
	}
	if got := jsonOf(p["Tags"]); got != `[{"Key":"cost-center","Value":"dbay-production"}]` {
		t.Errorf("Tags = %s, want the literal value", got)
	}
}

// The coverage lists every resource: a type without a mapping and an input
// without a translation are problems (a new type cannot be silently
// unchecked), an AWS type without a CloudFormation equivalent is listed
// with its reason, components are not AWS resources.
func TestCoverage(t *testing.T) {
	t.Parallel()
	comp := res("dbay:components:DataLayer", "data", "us-east-1", "", map[string]any{})
	comp.Custom = false
	vpc := res("awsx:ec2:Vpc", "vpc", "us-east-1", "", map[string]any{})
	vpc.Custom, vpc.Remote = false, true
	unknownType := res("aws:newservice/thing:Thing", "thing", "us-east-1", "t", map[string]any{"a": 1})
	newInput := res("aws:sqs/queue:Queue", "q", "us-east-1", "https://sqs/q", map[string]any{"visibilityTimeoutSeconds": 30, "brandNewInput": true})
	dsg := res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default", "us-east-1", "sg-1", map[string]any{})
	tr := Translate("dbay", "prod", []*mockengine.Resource{comp, vpc, unknownType, newInput, dsg})

	want := []string{
		`aws:newservice/thing:Thing "thing": no CloudFormation mapping`,
		`aws:sqs/queue:Queue "q": input "brandNewInput" is neither translated nor skipped`,
	}
	if len(tr.Problems) != len(want) {
		t.Fatalf("problems = %q, want %d", tr.Problems, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(tr.Problems[i], w) {
			t.Errorf("problem %d = %q, want it to start with %q", i, tr.Problems[i], w)
		}
	}
	c := tr.Counts()
	if c[Checked] != 1 || c[Unchecked] != 3 || c[NotAWS] != 1 {
		t.Errorf("counts = %v", c)
	}
	var b strings.Builder
	if err := tr.WriteCoverage(&b); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"CFN SCHEMA COVERAGE dbay/prod: 1 checked, 0 merged into another resource, 3 unchecked, 1 not AWS resources",
		"checked      1  aws:sqs/queue:Queue -> AWS::SQS::Queue",
		"unchecked    1  aws:ec2/defaultSecurityGroup:DefaultSecurityGroup: adopts the default security group",
		"unchecked    1  awsx:ec2:Vpc: a remote component",
		"not-aws      1  dbay:components:DataLayer",
		"PROBLEM   aws:newservice/thing:Thing",
	} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("coverage lacks %q:\n%s", line, b.String())
		}
	}
}

// Every mapped or listed type is one the translation knows, and no type
// is both translated and listed as unchecked.
func TestMappingIsConsistent(t *testing.T) {
	t.Parallel()
	for typ, sp := range specs {
		if _, dup := unchecked[typ]; dup {
			t.Errorf("%s is both translated and unchecked", typ)
		}
		if sp.cfn == "" || sp.build == nil {
			t.Errorf("%s: a spec needs cfn and build", typ)
		}
		if sp.into != "" {
			if _, ok := specs[sp.into]; !ok || sp.key == "" {
				t.Errorf("%s merges into %q (key %q), which has no spec", typ, sp.into, sp.key)
			}
		}
	}
	for typ, reason := range unchecked {
		if len(reason) < 30 {
			t.Errorf("%s: unchecked without a real reason: %q", typ, reason)
		}
	}
}
