package baseline

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

const (
	tTrail    = "aws:cloudtrail/trail:Trail"
	tKey      = "aws:kms/key:Key"
	tBucket   = "aws:s3/bucketV2:BucketV2"
	tPolicy   = "aws:s3/bucketPolicy:BucketPolicy"
	tGroup    = "aws:cloudwatch/logGroup:LogGroup"
	tFilter   = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
	tDetector = "aws:guardduty/detector:Detector"
	tHub      = "aws:securityhub/account:Account"
	tStandard = "aws:securityhub/standardsSubscription:StandardsSubscription"
	tAnalyzer = "aws:accessanalyzer/analyzer:Analyzer"

	xprivArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:dbay/prod/WALLET_MASTER_XPRIV-AbCdEf"
	keyArn   = "arn:aws:kms:us-east-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
	reader   = "arn:aws:iam::123456789012:role/dbay-build-and-sign-tx-us-east-1"
	readerDR = "arn:aws:iam::123456789012:role/dbay-build-and-sign-tx-us-west-2"
)

var stackSpec = config.Security{Baseline: config.BaselineStack, TrailRetentionDays: 365, TrailArchiveDays: 2557}

// xpriv is the prod wallet xpriv as secrets.Watched describes it.
func xpriv() secrets.Watch {
	return secrets.Watch{Item: "WALLET_MASTER_XPRIV", SecretName: "dbay/prod/WALLET_MASTER_XPRIV", Regions: []string{"us-east-1", "us-west-2"},
		ARNs:           pulumi.ToStringArray([]string{xprivArn, secrets.ReplicaARN(xprivArn, "us-west-2")}).ToStringArrayOutput(),
		ReaderRoleArns: pulumi.ToStringArray([]string{reader, readerDR}).ToStringArrayOutput(),
		KeyArns:        pulumi.ToStringArray([]string{keyArn, secrets.ReplicaARN(keyArn, "us-west-2")}).ToStringArrayOutput()}
}

// run builds the component in us-east-1 and returns the engine and it.
func run(t *testing.T, args Args) (*mockengine.Engine, *Baseline, error) {
	t.Helper()
	eng := mockengine.ForTest(t, "dbay", "prod", "us-east-1")
	var b *Baseline
	err := eng.Run(func(ctx *pulumi.Context) error {
		p, err := mockengine.Provider(ctx, "regional", args.Region)
		if err != nil {
			return err
		}
		b, err = New(ctx, "baseline", &args, pulumi.Providers(p))
		return err
	})
	return eng, b, err
}

func primaryArgs(spec config.Security, watch ...secrets.Watch) Args {
	return Args{Spec: spec, Env: config.Env{Project: "dbay", Stack: "prod", Region: "us-east-1", Partition: "aws", Protect: true}, Primary: true, Watch: watch}
}

func one(t *testing.T, eng *mockengine.Engine, typ string) *mockengine.Resource {
	t.Helper()
	rs := eng.ByType(typ)
	if len(rs) != 1 {
		t.Fatalf("%d %s, want 1", len(rs), typ)
	}
	return rs[0]
}

// The primary's baseline: a multi-Region, validated, CMK-encrypted trail
// delivering to S3 and CloudWatch Logs, with the policies CloudTrail
// needs scoped to this trail; GuardDuty, Security Hub with FSBP only, an
// ACCOUNT analyzer; the audit history protected and retained.
func TestPrimaryCreatesTheBaseline(t *testing.T) {
	t.Parallel()
	eng, _, err := run(t, primaryArgs(stackSpec))
	if err != nil {
		t.Fatal(err)
	}
	trail := one(t, eng, tTrail)
	in := trail.In()
	for _, k := range []string{"isMultiRegionTrail", "includeGlobalServiceEvents", "enableLogFileValidation", "enableLogging"} {
		if in[k] != true {
			t.Errorf("trail %s = %v, want true", k, in[k])
		}
	}
	key := one(t, eng, tKey)
	if in["kmsKeyId"] != key.Out()["arn"] || !strings.HasSuffix(in["cloudWatchLogsGroupArn"].(string), ":*") || in["name"] != "dbay-prod" {
		t.Errorf("trail key %v, group %v, name %v", in["kmsKeyId"], in["cloudWatchLogsGroupArn"], in["name"])
	}
	trailArn := "arn:aws:cloudtrail:us-east-1:" + mockengine.Account + ":trail/dbay-prod"
	keyPolicy := key.In()["policy"].(string)
	for _, want := range []string{"cloudtrail.amazonaws.com", "kms:GenerateDataKey*", "kms:DescribeKey", trailArn,
		"kms:EncryptionContext:aws:cloudtrail:arn", "logs.us-east-1.amazonaws.com"} {
		if !strings.Contains(keyPolicy, want) {
			t.Errorf("key policy lacks %s: %s", want, keyPolicy)
		}
	}
	var trailPolicy string
	for _, p := range eng.ByType(tPolicy) {
		if p.Name == "trail" {
			trailPolicy = p.In()["policy"].(string)
		}
	}
	for _, want := range []string{"AWSCloudTrailAclCheck", "AWSCloudTrailWrite", "s3:GetBucketAcl", "/AWSLogs/" + mockengine.Account + "/*",
		"bucket-owner-full-control", "aws:SourceArn", trailArn, "aws:SecureTransport"} {
		if !strings.Contains(trailPolicy, want) {
			t.Errorf("trail bucket policy lacks %s: %s", want, trailPolicy)
		}
	}
	group := one(t, eng, tGroup)
	if group.In()["retentionInDays"] != float64(365) || group.In()["kmsKeyId"] != key.Out()["arn"] {
		t.Errorf("log group %v", group.In())
	}
	for _, r := range append(eng.ByType(tBucket), group) {
		if !r.Options.Protect || !r.Options.RetainOnDelete {
			t.Errorf("%s %s: protect %v retainOnDelete %v", r.Type, r.Name, r.Options.Protect, r.Options.RetainOnDelete)
		}
	}
	if !trail.Options.Protect || !key.Options.Protect {
		t.Error("trail and key must be protected")
	}
	if one(t, eng, tDetector).In()["enable"] != true {
		t.Error("GuardDuty detector not enabled")
	}
	if one(t, eng, tHub).In()["enableDefaultStandards"] != false {
		t.Error("Security Hub must not enable the default standards (CIS 1.2.0 beside FSBP)")
	}
	want := "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0"
	if got := one(t, eng, tStandard).In()["standardsArn"]; got != want {
		t.Errorf("standard %v, want %s", got, want)
	}
	if got := one(t, eng, tAnalyzer).In()["type"]; got != "ACCOUNT" {
		t.Errorf("analyzer type %v", got)
	}
	comp := eng.ByType(typeToken)[0]
	for _, r := range eng.Resources() {
		if r.Custom && r.Type != "pulumi:providers:aws" && r.Parent != comp.URN {
			t.Errorf("%s %s is not parented to the component", r.Type, r.Name)
		}
	}
}

// The recovery stack: its Region's own detector, hub and analyzer, and no
// trail (the primary's multi-Region trail records this Region).
func TestRecoveryHasNoTrail(t *testing.T) {
	t.Parallel()
	args := primaryArgs(stackSpec)
	args.Primary, args.Region, args.Stack = false, "us-west-2", "dr"
	eng, b, err := run(t, args)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(eng.ByType(tTrail)) + len(eng.ByType(tBucket)) + len(eng.ByType(tGroup)); n != 0 {
		t.Errorf("%d trail resources in a recovery stack", n)
	}
	for _, typ := range []string{tDetector, tHub, tStandard, tAnalyzer} {
		if r := one(t, eng, typ); r.Region != "us-west-2" {
			t.Errorf("%s in %s", typ, r.Region)
		}
	}
	if got := one(t, eng, tStandard).In()["standardsArn"]; !strings.Contains(got.(string), ":us-west-2::standards/") {
		t.Errorf("standard %v", got)
	}
	if len(b.Alarms()) != 0 {
		t.Errorf("alarms %v", b.Alarms())
	}
}

// Organization-managed: nothing is created but the xpriv filters, on the
// organization trail's log group named in config.
func TestOrganizationCreatesOnlyTheFilters(t *testing.T) {
	t.Parallel()
	eng, b, err := run(t, primaryArgs(config.Security{Baseline: config.BaselineOrganization, TrailLogGroup: "aws-controltower/CloudTrailLogs"}, xpriv()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range eng.Resources() {
		if r.Custom && r.Type != tFilter && r.Type != "pulumi:providers:aws" {
			t.Errorf("organization-managed stack creates %s %s", r.Type, r.Name)
		}
	}
	filters := eng.ByType(tFilter)
	if len(filters) != 6 {
		t.Fatalf("%d filters, want read, change and key in us-east-1 and us-west-2", len(filters))
	}
	for _, f := range filters {
		if f.In()["logGroupName"] != "aws-controltower/CloudTrailLogs" {
			t.Errorf("filter %s on %v", f.Name, f.In()["logGroupName"])
		}
	}
	if len(b.Alarms()) != 2 {
		t.Errorf("%d alarm specs, want read and change", len(b.Alarms()))
	}
}

// The xpriv: a read filter per Region excluding exactly its reader roles,
// change and key filters, all on the trail's log group, and two alarm
// specs of the security kinds on their metrics.
func TestXprivFiltersAndAlarms(t *testing.T) {
	t.Parallel()
	eng, b, err := run(t, primaryArgs(stackSpec, xpriv()))
	if err != nil {
		t.Fatal(err)
	}
	group := one(t, eng, tGroup).Out()["name"]
	got := map[string]map[string]any{}
	for _, f := range eng.ByType(tFilter) {
		got[f.Name] = f.In()
		if f.In()["logGroupName"] != group {
			t.Errorf("filter %s on %v, want the trail's group %v", f.Name, f.In()["logGroupName"], group)
		}
	}
	read := got["wallet-master-xpriv-read-us-east-1"]
	if read == nil {
		t.Fatalf("no read filter: %v", got)
	}
	p := read["pattern"].(string)
	for _, want := range []string{`"GetSecretValue"`, `"dbay/prod/WALLET_MASTER_XPRIV"`, `"` + xprivArn + `"`,
		`"` + strings.TrimSuffix(xprivArn, "-AbCdEf") + `"`, `!= "` + reader + `"`, `!= "` + readerDR + `"`, `($.awsRegion = "us-east-1")`} {
		if !strings.Contains(p, want) {
			t.Errorf("read pattern lacks %s: %s", want, p)
		}
	}
	if west := got["wallet-master-xpriv-read-us-west-2"]["pattern"].(string); !strings.Contains(west, secrets.ReplicaARN(xprivArn, "us-west-2")) {
		t.Errorf("us-west-2 read pattern does not name the replica: %s", west)
	}
	if c := got["wallet-master-xpriv-change-us-east-1"]["pattern"].(string); !strings.Contains(c, `"PutResourcePolicy"`) || !strings.Contains(c, `"DeleteResourcePolicy"`) {
		t.Errorf("change pattern %s", c)
	}
	if k := got["wallet-master-xpriv-key-us-east-1"]["pattern"].(string); !strings.Contains(k, `"PutKeyPolicy"`) || !strings.Contains(k, `"mrk-0123456789abcdef0123456789abcdef"`) {
		t.Errorf("key pattern %s", k)
	}
	kinds := map[alarm.Kind]alarm.Spec{}
	for _, s := range b.Alarms() {
		kinds[s.Kind] = s
		if _, ok := config.AlarmKinds[s.Kind]; !ok {
			t.Errorf("spec %s has unknown kind %s", s.Name, s.Kind)
		}
	}
	if kinds["security.secretRead"].Metric != "wallet-master-xpriv-read" || kinds["security.secretChange"].Metric != "wallet-master-xpriv-change" {
		t.Errorf("specs %+v", b.Alarms())
	}
}

func TestArgsAreChecked(t *testing.T) {
	t.Parallel()
	for name, args := range map[string]Args{
		"organization without a log group": primaryArgs(config.Security{Baseline: config.BaselineOrganization}, xpriv()),
		"unknown baseline":                 primaryArgs(config.Security{Baseline: "account"}),
		"watch in a recovery stack":        {Spec: stackSpec, Env: config.Env{Project: "dbay", Stack: "dr", Region: "us-west-2"}, Watch: []secrets.Watch{xpriv()}},
	} {
		if _, _, err := run(t, args); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// Every form of SecretId a caller may pass is matched, and the patterns of
// the shipped xpriv stay under CloudWatch Logs' 1024 characters.
func TestPatterns(t *testing.T) {
	t.Parallel()
	ids := SecretIDs("dbay/prod/WALLET_MASTER_XPRIV", xprivArn)
	if len(ids) != 3 || ids[2] != strings.TrimSuffix(xprivArn, "-AbCdEf") {
		t.Errorf("ids %v", ids)
	}
	if ids := SecretIDs("a/b", "arn:aws:secretsmanager:us-east-1:1:secret:a/b"); len(ids) != 2 {
		t.Errorf("an ARN without the random suffix has no partial form: %v", ids)
	}
	long := strings.Repeat("arn:aws:iam::123456789012:role/r", 40)
	for _, p := range []string{
		ReadPattern("us-east-1", "dbay/prod/WALLET_MASTER_XPRIV", xprivArn, []string{reader, readerDR}),
		ChangePattern("us-west-2", "dbay/prod/WALLET_MASTER_XPRIV", secrets.ReplicaARN(xprivArn, "us-west-2")),
		KeyPattern("us-east-1", keyArn),
	} {
		if _, err := checked(p); err != nil || !strings.HasPrefix(p, "{ ") || strings.Count(p, "(") != strings.Count(p, ")") {
			t.Errorf("pattern %d chars, err %v: %s", len(p), err, p)
		}
	}
	if _, err := checked(ReadPattern("us-east-1", "n", xprivArn, []string{long})); err == nil {
		t.Error("an over-long pattern must be refused")
	}
	if got := MetricName("WALLET_MASTER_XPRIV", "read"); got != "wallet-master-xpriv-read" {
		t.Errorf("metric %s", got)
	}
}
