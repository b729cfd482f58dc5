package monitoring

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

const (
	tAlarm  = "aws:cloudwatch/metricAlarm:MetricAlarm"
	westURN = "urn:pulumi:prod::dbay::pulumi:providers:aws::us-west-2"
	eastURN = "urn:pulumi:prod::dbay::pulumi:providers:aws::us-east-1"
)

// albSource declares the two ALB metrics of the Dhanam guide's
// `put-metric-alarm` commands, as the ServiceFleet does, plus a global one.
type albSource struct{}

func (albSource) Alarms() []alarm.Spec {
	dims := pulumi.StringMap{"LoadBalancer": pulumi.String("app/alb-1234567/0123456789abcdef")}
	return []alarm.Spec{
		{Kind: config.AlarmALB5xx, Name: "api-high-error-rate", Description: "API error rate above 5%", Namespace: "AWS/ApplicationELB",
			Metric: "HTTPCode_Target_5XX_Count", Dimensions: dims, Statistic: "Sum", Period: 300, Comparison: "GreaterThanThreshold"},
		{Kind: config.AlarmALBLatency, Name: "api-high-response-time", Description: "API response time above 2 seconds", Namespace: "AWS/ApplicationELB",
			Metric: "TargetResponseTime", Dimensions: dims, Statistic: "Average", Period: 300, Comparison: "GreaterThanThreshold"},
		{Kind: config.DashboardALBRequests, Name: "api-requests", Namespace: "AWS/ApplicationELB", Metric: "RequestCount", Dimensions: dims,
			Statistic: "Sum", Period: 60, DashboardOnly: true},
		{Kind: config.AlarmCloudFront5xx, Name: "cdn-5xx", Description: "d", Namespace: "AWS/CloudFront", Metric: "5xxErrorRate",
			Dimensions: pulumi.StringMap{"DistributionId": pulumi.String("E123"), "Region": pulumi.String("Global")},
			Statistic:  "Average", Period: 300, Comparison: "GreaterThanThreshold", Global: true},
	}
}

type logSource struct{}

func (logSource) ErrorLogs() []alarm.LogGroup {
	return []alarm.LogGroup{{Name: "listing", LogGroupName: pulumi.String("/ecs/dbay-prod/listing").ToStringOutput()}}
}

func spec(t *testing.T, raw string) config.Monitoring {
	t.Helper()
	cfg, err := config.Load(config.Source{Project: "dbay", Stack: "prod", Values: map[string]string{
		"aws:region": "us-west-2", "dbay:role": "primary", "dbay:environment": "production", "dbay:domain": "dbay.example.com",
		"dbay:tags": `{"owner":"o","cost-center":"c"}`, "dbay:network": `{"cidr":"10.0.0.0/16"}`, "dbay:monitoring": raw,
	}})
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Monitoring
}

// run builds monitoring in us-west-2 (so global alarms need the us-east-1
// provider) with the ALB source, a log source and a backup copy to us-east-2.
func run(t *testing.T, raw string, sources ...alarm.Source) (*mockengine.Engine, error) {
	t.Helper()
	m := spec(t, raw)
	eng := mockengine.ForTest(t, "dbay", "prod", "us-west-2")
	err := eng.Run(func(ctx *pulumi.Context) error {
		regional, err := mockengine.Provider(ctx, "us-west-2", "us-west-2")
		if err != nil {
			return err
		}
		global, err := mockengine.Provider(ctx, "us-east-1", "us-east-1")
		if err != nil {
			return err
		}
		copyTo, err := mockengine.Provider(ctx, "us-east-2", "us-east-2")
		if err != nil {
			return err
		}
		_, err = New(ctx, "monitoring", &Args{
			Spec: m, Env: config.Env{Project: "dbay", Stack: "prod", Region: "us-west-2", Partition: "aws", Protect: true},
			GlobalProvider: global, CopyProvider: copyTo, BackupTag: "dbay-prod", BreakGlassRole: "dbay-break-glass",
			Sources: sources, LogSources: []alarm.LogSource{logSource{}},
		}, pulumi.Providers(regional))
		return err
	})
	return eng, err
}

// The Dhanam guide's two alarms, exactly: 5xx Sum over 300 s > 5 for 2
// periods; response time Average over 300 s > 2 s for 3 periods.
func TestSeedALBAlarms(t *testing.T) {
	t.Parallel()
	eng, err := run(t, `{}`, albSource{})
	if err != nil {
		t.Fatal(err)
	}
	topic := eng.Get("aws:sns/topic:Topic", "alerts").Out()["arn"]
	for _, tt := range []struct {
		name, metric, stat string
		threshold, periods float64
	}{
		{"api-high-error-rate", "HTTPCode_Target_5XX_Count", "Sum", 5, 2},
		{"api-high-response-time", "TargetResponseTime", "Average", 2, 3},
	} {
		in := eng.Get(tAlarm, tt.name).In()
		want := map[string]any{
			"name": "dbay-prod-" + tt.name, "namespace": "AWS/ApplicationELB", "metricName": tt.metric, "statistic": tt.stat,
			"period": 300.0, "threshold": tt.threshold, "comparisonOperator": "GreaterThanThreshold",
			"evaluationPeriods": tt.periods, "datapointsToAlarm": tt.periods, "actionsEnabled": true,
			"alarmActions": []any{topic}, "okActions": []any{topic},
		}
		for k, v := range want {
			if !reflect.DeepEqual(in[k], v) {
				t.Errorf("%s %s = %v, want %v", tt.name, k, in[k], v)
			}
		}
		if !strings.Contains(in["alarmDescription"].(string), "API") {
			t.Errorf("%s description = %v", tt.name, in["alarmDescription"])
		}
	}
	if eng.Get(tAlarm, "api-requests") != nil {
		t.Error("a dashboard-only metric raised an alarm")
	}
}

func TestGlobalAlarmsLiveInUSEast1WithTheirOwnTopic(t *testing.T) {
	t.Parallel()
	eng, err := run(t, `{}`, albSource{})
	if err != nil {
		t.Fatal(err)
	}
	cdn := eng.Get(tAlarm, "cdn-5xx")
	global := eng.Get("aws:sns/topic:Topic", "alerts-us-east-1")
	if global == nil || global.Provider != eastURN {
		t.Fatalf("global topic = %+v", global)
	}
	if cdn.Provider != eastURN || !reflect.DeepEqual(cdn.In()["alarmActions"], []any{global.Out()["arn"]}) {
		t.Errorf("cloudfront alarm on %s with actions %v", cdn.Provider, cdn.In()["alarmActions"])
	}
	if eng.Get(tAlarm, "api-high-error-rate").Provider != westURN {
		t.Error("a regional alarm left the regional provider")
	}
}

func TestEveryAlarmHasActions(t *testing.T) {
	t.Parallel()
	eng, err := run(t, `{}`, albSource{})
	if err != nil {
		t.Fatal(err)
	}
	alarms := eng.ByType(tAlarm)
	if len(alarms) < 5 {
		t.Fatalf("only %d alarms", len(alarms))
	}
	for _, a := range alarms {
		in := a.In()
		if len(mockengine.Strings(in["alarmActions"])) != 1 || len(mockengine.Strings(in["okActions"])) != 1 || in["alarmDescription"] == "" {
			t.Errorf("%s lacks actions or a description: %v", a.Name, in)
		}
	}
}

func TestOverridesFromConfig(t *testing.T) {
	t.Parallel()
	eng, err := run(t, `{"alarms":{"alb.5xx":{"threshold":10,"periods":3},"alb.latency":{"disabled":true}}}`, albSource{})
	if err != nil {
		t.Fatal(err)
	}
	in := eng.Get(tAlarm, "api-high-error-rate").In()
	if in["threshold"] != 10.0 || in["evaluationPeriods"] != 3.0 {
		t.Errorf("override not applied: %v", in)
	}
	if eng.Get(tAlarm, "api-high-response-time") != nil {
		t.Error("a disabled kind still has an alarm")
	}
}

func TestTopicAndSubscriptions(t *testing.T) {
	t.Parallel()
	eng, err := run(t, `{"emails":["oncall@dbay.example.com"],"pagerUrls":["https://events.pagerduty.com/integration/abc/enqueue"]}`)
	if err != nil {
		t.Fatal(err)
	}
	topic := eng.Get("aws:sns/topic:Topic", "alerts")
	key := eng.Get("aws:kms/key:Key", "alerts-key")
	if topic.In()["kmsMasterKeyId"] != key.Out()["arn"] || key.In()["enableKeyRotation"] != true {
		t.Errorf("topic encryption: topic %v key %v", topic.In(), key.In())
	}
	if !strings.Contains(key.In()["policy"].(string), "cloudwatch.amazonaws.com") {
		t.Error("CloudWatch cannot use the topic key")
	}
	pol := eng.Get("aws:sns/topicPolicy:TopicPolicy", "alerts").In()["policy"].(string)
	if !strings.Contains(pol, `"aws:SourceAccount":"123456789012"`) || !strings.Contains(pol, "sns:Publish") {
		t.Errorf("topic policy = %s", pol)
	}
	email := eng.Get("aws:sns/topicSubscription:TopicSubscription", "alerts-email-0").In()
	pager := eng.Get("aws:sns/topicSubscription:TopicSubscription", "alerts-pager-0").In()
	if email["protocol"] != "email" || email["endpoint"] != "oncall@dbay.example.com" || pager["protocol"] != "https" {
		t.Errorf("subscriptions = %v / %v", email, pager)
	}
}

func TestBackupPlanCopiesToTheDRRegion(t *testing.T) {
	t.Parallel()
	eng, err := run(t, `{"backup":{"copyToRegion":"us-east-2","vaultLock":true}}`)
	if err != nil {
		t.Fatal(err)
	}
	vault := eng.Get("aws:backup/vault:Vault", "vault")
	copyVault := eng.Get("aws:backup/vault:Vault", "vault-us-east-2")
	if vault == nil || copyVault == nil || copyVault.Region != "us-east-2" || !vault.Options.Protect {
		t.Fatalf("vaults = %+v / %+v", vault, copyVault)
	}
	if vault.In()["kmsKeyArn"] != eng.Get("aws:kms/key:Key", "vault-key").Out()["arn"] {
		t.Errorf("vault key = %v", vault.In()["kmsKeyArn"])
	}
	rule := eng.Get("aws:backup/plan:Plan", "plan").In()["rules"].([]any)[0].(map[string]any)
	if rule["schedule"] != "cron(0 3 * * ? *)" || rule["enableContinuousBackup"] != true ||
		rule["lifecycle"].(map[string]any)["deleteAfter"] != 30.0 {
		t.Errorf("rule = %v", rule)
	}
	cp := rule["copyActions"].([]any)[0].(map[string]any)
	if cp["destinationVaultArn"] != copyVault.Out()["arn"] || !strings.Contains(cp["destinationVaultArn"].(string), ":us-east-2:") {
		t.Errorf("copy action = %v", cp)
	}
	sel := eng.Get("aws:backup/selection:Selection", "tagged").In()
	cond := sel["conditions"].([]any)[0].(map[string]any)["stringEquals"].([]any)[0].(map[string]any)
	if cond["key"] != "aws:ResourceTag/backup" || cond["value"] != "dbay-prod" ||
		!reflect.DeepEqual(mockengine.Strings(sel["resources"]), []string{"arn:aws:rds:*:*:cluster:*", "arn:aws:rds:*:*:db:*", "arn:aws:s3:::*"}) {
		t.Errorf("selection = %v", sel)
	}
	lock := eng.Get("aws:backup/vaultLockConfiguration:VaultLockConfiguration", "vault")
	if lock == nil || lock.In()["changeableForDays"] != 3.0 {
		t.Errorf("vault lock = %+v", lock)
	}
	if eng.Get(tAlarm, "backup-jobs-failed") == nil || eng.Get(tAlarm, "backup-copies-failed") == nil {
		t.Error("backup failures raise no alarm")
	}
	// Both vaults: only the break-glass role deletes or expires recovery
	// points early or changes the policy (AWS Config's
	// backup-recovery-point-manual-deletion-disabled shape).
	for _, name := range []string{"vault", "vault-us-east-2"} {
		p := eng.Get("aws:backup/vaultPolicy:VaultPolicy", name)
		if p == nil {
			t.Fatalf("vault %s has no access policy", name)
		}
		d, err := mockengine.ParsePolicy(p.In()["policy"])
		if err != nil || len(d.Statement) != 1 {
			t.Fatalf("vault %s policy = %v (%v)", name, p.In()["policy"], err)
		}
		st := d.Statement[0]
		if st.Effect != "Deny" || !reflect.DeepEqual(mockengine.OneOrMany(st.Resource), []string{"*"}) ||
			!reflect.DeepEqual(mockengine.OneOrMany(st.Action), []string{"backup:DeleteBackupVault", "backup:DeleteBackupVaultAccessPolicy",
				"backup:DeleteRecoveryPoint", "backup:PutBackupVaultAccessPolicy", "backup:UpdateRecoveryPointLifecycle"}) ||
			st.Condition["ArnNotEquals"]["aws:PrincipalArn"] != "arn:aws:iam::"+mockengine.Account+":role/dbay-break-glass" {
			t.Errorf("vault %s policy = %+v", name, st)
		}
	}
}

func TestErrorLogFilterAndDashboard(t *testing.T) {
	t.Parallel()
	eng, err := run(t, `{}`, albSource{})
	if err != nil {
		t.Fatal(err)
	}
	f := eng.Get("aws:cloudwatch/logMetricFilter:LogMetricFilter", "listing-errors")
	if f == nil || f.In()["pattern"] != "ERROR" || f.In()["logGroupName"] != "/ecs/dbay-prod/listing" {
		t.Fatalf("metric filter = %+v", f)
	}
	if a := eng.Get(tAlarm, "listing-errors"); a == nil || a.In()["threshold"] != 10.0 {
		t.Errorf("error alarm = %+v", a)
	}
	var body struct {
		Widgets []struct {
			Properties struct {
				Title   string
				Region  string
				Metrics [][]any
			}
		}
	}
	if err := json.Unmarshal([]byte(eng.Get("aws:cloudwatch/dashboard:Dashboard", "dashboard").In()["dashboardBody"].(string)), &body); err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, w := range body.Widgets {
		titles = append(titles, w.Properties.Title)
		if w.Properties.Title == "CloudFront 5xx rate %" && w.Properties.Region != "us-east-1" {
			t.Errorf("global widget in %s", w.Properties.Region)
		}
	}
	want := []string{"Requests per second (ALB)", "Response time (ALB target, s)", "Error rate (ALB target 5xx)", "CloudFront 5xx rate %"}
	if !reflect.DeepEqual(titles, want) {
		t.Errorf("widgets = %v, want %v", titles, want)
	}
}

type dupSource struct{}

func (dupSource) Alarms() []alarm.Spec {
	s := alarm.Spec{Kind: config.AlarmRDSCPU, Name: "same", Namespace: "AWS/RDS", Metric: "CPUUtilization", Statistic: "Average", Period: 300, Comparison: "GreaterThanThreshold"}
	return []alarm.Spec{s, s}
}

func TestDuplicateAlarmNamesFail(t *testing.T) {
	t.Parallel()
	if _, err := run(t, `{}`, dupSource{}); err == nil || !strings.Contains(err.Error(), `two alarms are named "same"`) {
		t.Errorf("err = %v", err)
	}
}

type unknownKindSource struct{}

func (unknownKindSource) Alarms() []alarm.Spec {
	return []alarm.Spec{
		{Kind: "rds.cpuu", Name: "db-cpu", Namespace: "AWS/RDS", Metric: "CPUUtilization", Statistic: "Average", Period: 300, Comparison: "GreaterThanThreshold"},
		{Kind: config.DashboardALBRequests, Name: "alb-requests-alarm", Namespace: "AWS/ApplicationELB", Metric: "RequestCount", Statistic: "Sum", Period: 60},
		{Kind: config.DashboardALBRequests, Name: "alb-requests", Namespace: "AWS/ApplicationELB", Metric: "RequestCount", Statistic: "Sum", Period: 60, DashboardOnly: true},
	}
}

// An unknown kind (and a dashboard-only kind on an alarm) is an error
// naming the spec, the kind and the valid kinds, returned before the
// component registers anything — not a panic while alarms are created.
func TestUnknownAlarmKindFailsBeforeRegistering(t *testing.T) {
	t.Parallel()
	eng, err := run(t, `{}`, unknownKindSource{})
	if err == nil {
		t.Fatal("no error for an unknown alarm kind")
	}
	for _, want := range []string{
		`monitoring: alarm db-cpu: unknown alarm kind "rds.cpuu": use one of `, "rds.cpu, rds.memory",
		`monitoring: alarm alb-requests-alarm: unknown alarm kind "alb.requests"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant it to contain %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "alarm alb-requests:") {
		t.Errorf("a dashboard-only spec with a dashboard kind was refused: %v", err)
	}
	for _, r := range eng.Resources() {
		if r.Type != "pulumi:providers:aws" {
			t.Errorf("registered %s %s before refusing the kind", r.Type, r.Name)
		}
	}
}
