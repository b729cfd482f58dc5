package fleet

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
)

func TestRepositories(t *testing.T) {
	t.Parallel()
	r := synth(t, dbay(t), nil).must(t)
	key := r.one(t, "aws:kms/key:Key", "fleet-key").Out()["arn"]
	for _, s := range r.fx.fleet.Services {
		repo := r.one(t, tRepo, s.Name)
		in := repo.In()
		if in["name"] != s.Image.Repository || in["imageTagMutability"] != "IMMUTABLE" ||
			!reflect.DeepEqual(in["imageScanningConfiguration"], map[string]any{"scanOnPush": true}) ||
			!reflect.DeepEqual(in["encryptionConfigurations"], []any{map[string]any{"encryptionType": "KMS", "kmsKey": key}}) || !repo.Options.Protect {
			t.Errorf("%s repository = %v (protect %v)", s.Name, in, repo.Options.Protect)
		}
		var lc struct {
			Rules []struct {
				Selection struct {
					TagStatus, CountType string
					CountNumber          int
				}
				Action struct{ Type string }
			}
		}
		if err := json.Unmarshal([]byte(r.one(t, "aws:ecr/lifecyclePolicy:LifecyclePolicy", s.Name).In()["policy"].(string)), &lc); err != nil ||
			len(lc.Rules) != 1 || lc.Rules[0].Selection.CountNumber != 30 || lc.Rules[0].Selection.CountType != "imageCountMoreThan" ||
			lc.Rules[0].Selection.TagStatus != "any" || lc.Rules[0].Action.Type != "expire" {
			t.Errorf("%s lifecycle = %+v (%v)", s.Name, lc, err)
		}
	}
	if got := r.outs["repositoryUrls"].(map[string]any)["wallet"]; got != "123456789012.dkr.ecr.us-east-1.amazonaws.com/dbay/wallet-service" {
		t.Errorf("wallet repository URL = %v", got)
	}
	rep := r.one(t, "aws:ecr/replicationConfiguration:ReplicationConfiguration", "registry-replication").In()
	rule := rep["replicationConfiguration"].(map[string]any)["rules"].([]any)[0].(map[string]any)
	if !reflect.DeepEqual(rule["destinations"], []any{map[string]any{"region": "us-west-2", "registryId": "123456789012"}}) ||
		len(rule["repositoryFilters"].([]any)) != 8 {
		t.Errorf("replication rule = %v", rule)
	}
}

func TestClusterKeyAndLogs(t *testing.T) {
	t.Parallel()
	r := synth(t, dhanam(t), nil).must(t)
	key := r.one(t, "aws:kms/key:Key", "fleet-key")
	if in := key.In(); in["enableKeyRotation"] != true || in["deletionWindowInDays"] != 30.0 || !key.Options.Protect {
		t.Errorf("key = %v", in)
	}
	kp := parsePolicy(t, key.In()["policy"])
	if len(kp) != 2 || !reflect.DeepEqual(kp[1].Principal, map[string]any{"Service": "logs.us-east-1.amazonaws.com"}) ||
		kp[1].Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] != "arn:aws:logs:us-east-1:123456789012:log-group:*" {
		t.Errorf("key policy = %+v", kp)
	}
	for _, lg := range []string{"api-logs", "web-logs", "exec"} {
		in := r.one(t, "aws:cloudwatch/logGroup:LogGroup", lg).In()
		if in["kmsKeyId"] != key.Out()["arn"] || in["retentionInDays"] != 90.0 || !strings.HasPrefix(in["name"].(string), "/aws/ecs/dhanam-production/") {
			t.Errorf("log group %s = %v", lg, in)
		}
	}
	c := r.one(t, "aws:ecs/cluster:Cluster", "cluster").In()
	exec := c["configuration"].(map[string]any)["executeCommandConfiguration"].(map[string]any)
	if c["name"] != "dhanam-production" || !reflect.DeepEqual(c["settings"], []any{map[string]any{"name": "containerInsights", "value": "enabled"}}) ||
		exec["kmsKeyId"] != key.Out()["arn"] || exec["logging"] != "OVERRIDE" ||
		exec["logConfiguration"].(map[string]any)["cloudWatchLogGroupName"] != "/aws/ecs/dhanam-production/exec" ||
		c["serviceConnectDefaults"].(map[string]any)["namespace"] != r.one(t, "aws:servicediscovery/httpNamespace:HttpNamespace", "namespace").Out()["arn"] {
		t.Errorf("cluster = %v", c)
	}
	if r.outs["clusterName"] != "dhanam-production" {
		t.Errorf("clusterName = %v", r.outs["clusterName"])
	}
}

func TestOutputs(t *testing.T) {
	t.Parallel()
	r := synth(t, dbay(t), nil).must(t)
	urls := r.outs["serviceUrls"].(map[string]any)
	if urls["wallet"] != "http://wallet-service:8000" || urls["search-gateway"] != "http://search-gateway-service:8000" || len(urls) != 8 {
		t.Errorf("serviceUrls = %v", urls)
	}
	for _, k := range []string{"albDnsName", "albArn", "albZoneId", "httpsListenerArn", "clusterName", "clusterArn", "repositoryUrls",
		"migrationCommands", "vpcLinkSecurityGroupId", "serviceSecurityGroupIds", "taskRoleArns", "albLogBucket"} {
		if v, ok := r.outs[k]; !ok || v == "" || v == nil {
			t.Errorf("output %s = %v", k, v)
		}
	}
	for _, k := range []string{"eksEndpoint", "eksOidcProviderArn", "kubeconfigCommand", "certificateValidationRecords"} {
		if v, ok := r.outs[k]; ok {
			t.Errorf("output %s = %v registered on ECS with a zone: want it absent", k, v)
		}
	}
	if r.outs["taskRoleArns"].(map[string]any)["listing"] != r.one(t, tRole, "listing-task").Out()["arn"] ||
		r.outs["serviceSecurityGroupIds"].(map[string]any)["listing"] != r.one(t, tSG, "listing").ID {
		t.Errorf("role and SG outputs do not name the listing resources")
	}
}

func TestEveryChildIsParentedAndUsesTheGivenProvider(t *testing.T) {
	t.Parallel()
	r := synth(t, dbay(t), nil).must(t)
	comp := r.one(t, typeToken, "fleet")
	provider := "urn:pulumi:prod::dbay::pulumi:providers:aws::regional"
	children := r.eng.Children(comp.URN)
	if len(children) < 100 {
		t.Fatalf("only %d children", len(children))
	}
	// The DR region's creation template and its key use the replica provider.
	replica := map[string]bool{"image-replicas-dbay": true, "image-replica-key": true, "image-replica-key-alias": true}
	for _, res := range children {
		want := provider
		if replica[res.Name] {
			want = "urn:pulumi:prod::dbay::pulumi:providers:aws::us-west-2"
		}
		if res.Custom && res.Provider != want {
			t.Errorf("%s %s uses provider %q", res.Type, res.Name, res.Provider)
		}
	}
	for _, res := range r.eng.Resources() {
		for _, want := range []string{"aws:ecs/", "aws:lb/", "aws:ecr/", "aws:appautoscaling/", "aws:servicediscovery/"} {
			if strings.HasPrefix(res.Type, want) && res.Parent != comp.URN {
				t.Errorf("%s %s is parented to %s", res.Type, res.Name, res.Parent)
			}
		}
	}
}

func TestAlarmsForMonitoring(t *testing.T) {
	t.Parallel()
	type got struct {
		kind, metric, comparison string
		dims                     map[string]string
		threshold                *float64
	}
	collect := func(fx fixture) (run, map[string]got, []string) {
		specs := map[string]got{}
		var logs []string
		r := synth(t, fx, func(ctx *pulumi.Context, _ *datalayer.DataLayer, _ *secrets.Secrets, f *Fleet) error {
			for _, s := range f.Alarms() {
				if _, dup := specs[s.Name]; dup {
					t.Errorf("alarm name %s twice", s.Name)
				}
				dims := map[string]string{}
				for k, v := range s.Dimensions {
					res, err := internals.UnsafeAwaitOutput(ctx.Context(), v.ToStringOutput())
					if err != nil {
						return err
					}
					dims[k], _ = res.Value.(string)
				}
				specs[s.Name] = got{string(s.Kind), s.Metric, s.Comparison, dims, s.Threshold}
			}
			for _, lg := range f.ErrorLogs() {
				res, err := internals.UnsafeAwaitOutput(ctx.Context(), lg.LogGroupName)
				if err != nil {
					return err
				}
				logs = append(logs, lg.Name+"="+res.Value.(string))
			}
			return nil
		}).must(t)
		return r, specs, logs
	}
	r, specs, logs := collect(dhanam(t))
	lb := r.one(t, "aws:lb/loadBalancer:LoadBalancer", "alb").Out()["arnSuffix"]
	if s := specs["alb-5xx"]; s.kind != "alb.5xx" || s.metric != "HTTPCode_Target_5XX_Count" || s.dims["LoadBalancer"] != lb {
		t.Errorf("alb-5xx = %+v", s)
	}
	if s := specs["alb-latency"]; s.kind != "alb.latency" || s.metric != "TargetResponseTime" {
		t.Errorf("alb-latency = %+v", s)
	}
	if s := specs["web-unhealthy-targets"]; s.dims["TargetGroup"] != r.one(t, "aws:lb/targetGroup:TargetGroup", "web").Out()["arnSuffix"] {
		t.Errorf("web-unhealthy-targets = %+v", s)
	}
	if s := specs["api-running"]; s.kind != "ecs.running" || s.comparison != "LessThanThreshold" || s.threshold == nil || *s.threshold != 2 ||
		s.dims["ClusterName"] != "dhanam-production" || s.dims["ServiceName"] != "dhanam-api" {
		t.Errorf("api-running = %+v", s)
	}
	// + the api's monitor: requests (dashboard), error rate, response
	// time and its two Route53 health checks.
	if len(specs) != 2+2+2*3+5 {
		t.Errorf("%d alarm specs: %v", len(specs), keys(specs))
	}
	if !equal(logs, []string{"api=/aws/ecs/dhanam-production/api", "web=/aws/ecs/dhanam-production/web"}) {
		t.Errorf("error logs = %v", logs)
	}
	fx := dhanam(t)
	fx.role = config.RoleRecovery
	_, pilot, _ := collect(fx)
	if _, ok := pilot["api-running"]; ok {
		t.Error("a pilot-light standby alarms on running no tasks")
	}
}
