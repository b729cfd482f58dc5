package tests

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/dr"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/stacks"
)

// Dhanam "Disaster Recovery": RPO 1 h, RTO 4 h. Every stateful resource of
// both primaries has a mechanism meeting it, found in the captured inputs
// of the prod and dr runs (not declared: implemented).
func TestEveryStatefulResourceMeetsTheDRPolicy(t *testing.T) {
	t.Parallel()
	want := map[string]map[string]string{
		root: {"postgres": "rds-cross-region-replica", "mongo": "docdb-global-secondary", "redis": "redis-global-datastore",
			"search": "opensearch-rebuild", "listing-images": "s3-crr-rtc", "site": "s3-crr-rtc",
			"WALLET_MASTER_XPRIV": "secrets-replica", "redis-url": "secret-rebuilt", "listing": "ecr-replication", "users": "cognito-standby-pool"},
		"../examples/dhanam": {"postgres": "rds-cross-region-replica", "redis": "redis-global-datastore", "assets": "s3-crr-rtc",
			"site": "s3-crr-rtc", "JWT_SECRET": "secrets-replica", "api": "ecr-replication"},
	}
	for dir, mechanisms := range want {
		for _, stack := range []string{"prod", "dr"} {
			r := synthesize(t, dir, stack)
			rep := r.DR
			if rep == nil || !rep.OK() {
				t.Fatalf("%s %s: DR report %+v", dir, stack, rep)
			}
			if rep.Policy != (dr.Policy{RPO: 3600e9, RTO: 4 * 3600e9}) || rep.Region != "us-west-2" {
				t.Errorf("%s: policy %v in %s", dir, rep.Policy, rep.Region)
			}
			rows := map[string]dr.Row{}
			for _, row := range rep.Rows {
				rows[row.Resource] = row
			}
			for name, mech := range mechanisms {
				if row := rows[name]; len(row.Mechanisms) == 0 || row.Mechanisms[0] != mech {
					t.Errorf("%s: %s recovers by %v, want %s first", dir, name, row.Mechanisms, mech)
				}
			}
			// The issue asks for both: the replica and replicated backups.
			if pg := rows["postgres"]; !reflect.DeepEqual(pg.Mechanisms, []string{"rds-cross-region-replica", "rds-backup-replication"}) {
				t.Errorf("%s: postgres mechanisms %v", dir, pg.Mechanisms)
			}
			if rows["users"].Status != "" && rows["users"].Status != dr.StatusAccepted {
				t.Errorf("%s: the user pool is %s, want accepted with its written reason", dir, rows["users"].Status)
			}
		}
	}
}

// Adding a bucket that nothing replicates, or dropping a mechanism, fails
// the assessment — the check reads what the program built.
func TestAStatefulResourceWithoutAMechanismFails(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "prod")
	primary := synth.DRResources(r.Resources)
	recovery := synth.DRResources(r.Partner.Resources)
	pol := r.Config.DR.Policy()
	accepted := r.Config.DR.Accept

	extra := append(append([]dr.Resource(nil), primary...), dr.Resource{
		Type: "aws:s3/bucketV2:BucketV2", Name: "exports", Region: "us-east-1",
		Inputs:  map[string]any{"bucket": "dbay-exports-prod"},
		Outputs: map[string]any{"bucket": "dbay-exports-prod", "arn": "arn:aws:s3:::dbay-exports-prod"},
	})
	rep := dr.Assess(pol, "us-west-2", extra, recovery, accepted)
	if rep.OK() || !strings.Contains(strings.Join(rep.Violations, "\n"), "bucket exports (aws:s3/bucketV2:BucketV2): no recovery mechanism in place") {
		t.Errorf("an unreplicated bucket passed: %v", rep.Violations)
	}

	without := func(rs []dr.Resource, typ, name string) []dr.Resource {
		var out []dr.Resource
		for _, x := range rs {
			if x.Type != typ || x.Name != name {
				out = append(out, x)
			}
		}
		return out
	}
	rep = dr.Assess(pol, "us-west-2", without(primary, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "listing-images"), recovery, accepted)
	if rep.OK() || !strings.Contains(rep.Violations[0], "bucket listing-images") {
		t.Errorf("listing-images without its replication passed: %v", rep.Violations)
	}
	// Without the cross-Region replica, PostgreSQL falls back to the
	// replicated backups: RPO 15m / RTO 2h meets 1h/4h, but not RTO 1h.
	noReplica := without(recovery, "aws:rds/instance:Instance", "postgres")
	if rep := dr.Assess(pol, "us-west-2", primary, noReplica, accepted); !rep.OK() {
		t.Errorf("replicated backups alone should meet 1h/4h: %v", rep.Violations)
	}
	strict := pol
	strict.RTO = 3600e9
	if rep := dr.Assess(strict, "us-west-2", primary, noReplica, accepted); rep.OK() || !strings.Contains(strings.Join(rep.Violations, "\n"), "postgres postgres: rds-backup-replication gives RPO 15m, RTO 2h") {
		t.Errorf("backups alone passed an RTO of 1h: %v", rep.Violations)
	}
	// A user pool is only passed by its written acceptance.
	if rep := dr.Assess(pol, "us-west-2", primary, recovery, nil); rep.OK() || !strings.Contains(strings.Join(rep.Violations, "\n"), "userpool users: cognito-standby-pool gives RPO unbounded") {
		t.Errorf("the user pool passed without dr.accept: %v", rep.Violations)
	}
}

// The recovery stack is built from the primary's outputs: its replicas
// point at the primary's resources by the ARNs and ids prod exported.
func TestRecoveryStackReplicatesThePrimary(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, root, "dr")
	prim := rec.Partner
	get := func(r *synth.Result, typ, name string) *mockengine.Resource { t.Helper(); return must(t, r, typ, name) }
	ref := get(rec, "pulumi:pulumi:StackReference", "primary")
	if ref.In()["name"] != "organization/dbay/prod" {
		t.Errorf("stack reference = %v", ref.In()["name"])
	}
	pg, primaryPG := get(rec, "aws:rds/instance:Instance", "postgres").In(), get(prim, "aws:rds/instance:Instance", "postgres").Out()
	drKey := get(rec, "aws:kms/key:Key", "data-key").Out()["arn"].(string)
	if pg["replicateSourceDb"] != primaryPG["arn"] || pg["kmsKeyId"] != drKey || !strings.Contains(drKey, ":us-west-2:") ||
		pg["storageEncrypted"] != true || pg["deletionProtection"] != true || pg["backupRetentionPeriod"] != 30.0 {
		t.Errorf("dr postgres = %v, want a replica of %v under %s", pg, primaryPG["arn"], drKey)
	}
	backups := get(rec, "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "postgres-backups").In()
	if backups["sourceDbInstanceArn"] != primaryPG["arn"] || backups["retentionPeriod"] != 30.0 || backups["kmsKeyId"] != drKey {
		t.Errorf("backup replication = %v", backups)
	}
	global := get(prim, "aws:docdb/globalCluster:GlobalCluster", "mongo-global")
	if global.In()["sourceDbClusterIdentifier"] != get(prim, "aws:docdb/cluster:Cluster", "mongo").Out()["arn"] ||
		get(rec, "aws:docdb/cluster:Cluster", "mongo").In()["globalClusterIdentifier"] != global.Out()["globalClusterIdentifier"] {
		t.Errorf("documentdb secondary does not join %v", global.Out()["globalClusterIdentifier"])
	}
	datastore := get(prim, "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup", "redis-global")
	if get(rec, "aws:elasticache/replicationGroup:ReplicationGroup", "redis").In()["globalReplicationGroupId"] != datastore.Out()["globalReplicationGroupId"] {
		t.Errorf("redis secondary does not join %v", datastore.Out()["globalReplicationGroupId"])
	}
	// The data bucket is prod's replica, adopted: not created again, and
	// the listing service's grant names the replica.
	if b := rec.Engine.Get("aws:s3/bucketV2:BucketV2", "listing-images"); b != nil {
		t.Errorf("dr created listing-images itself: %v", b.In())
	}
	replica := get(prim, "aws:s3/bucketV2:BucketV2", "listing-images-replica").Out()["arn"].(string)
	if p := get(rec, "aws:iam/rolePolicy:RolePolicy", "listing-listing-images-readwrite").In()["policy"].(string); !strings.Contains(p, replica) {
		t.Errorf("listing's bucket grant does not name the replica %s:\n%s", replica, p)
	}
}

// The split of regions: in prod the CloudFront certificate and
// web ACL are on the us-east-1 provider and the replicas on us-west-2's;
// the recovery stack creates everything in us-west-2.
func TestRegionsOfThePair(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, root, "dr")
	for _, x := range rec.Resources {
		if x.Custom && strings.HasPrefix(x.Type, "aws:") && x.Region != "us-west-2" {
			t.Errorf("dr: %s %s is in %s", x.Type, x.Name, x.Region)
		}
	}
	prim := rec.Partner
	for typ, name := range map[string]string{"aws:acm/certificate:Certificate": "site", "aws:wafv2/webAcl:WebAcl": "edge"} {
		if x := prim.Engine.Get(typ, name); x == nil || x.Region != "us-east-1" {
			t.Errorf("prod: %s %s must be on the us-east-1 provider: %+v", typ, name, x)
		}
	}
	for _, name := range []string{"listing-images-replica", "site-replica"} {
		if x := prim.Engine.Get("aws:s3/bucketV2:BucketV2", name); x == nil || x.Region != "us-west-2" {
			t.Errorf("prod: replica %s must be in us-west-2: %+v", name, x)
		}
	}
}

// api. and ws. are Route53 failover pairs: prod's PRIMARY records carry
// its API health check, which probes the region-pinned name; dr's are the
// SECONDARY records of the same names.
func TestFailoverRecordPairs(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, root, "dr")
	prim := rec.Partner
	for _, label := range []string{"api", "ws"} {
		for _, typ := range []string{"A", "AAAA"} {
			p := prim.Engine.Get("aws:route53/record:Record", label+"-"+typ).In()
			s := rec.Engine.Get("aws:route53/record:Record", label+"-"+typ).In()
			name := label + ".dbay.example.com"
			kind := func(in map[string]any) any {
				return in["failoverRoutingPolicies"].([]any)[0].(map[string]any)["type"]
			}
			if p["name"] != name || s["name"] != name || kind(p) != "PRIMARY" || kind(s) != "SECONDARY" ||
				p["setIdentifier"] == s["setIdentifier"] || p["zoneId"] != s["zoneId"] {
				t.Errorf("%s %s: primary %v / secondary %v", label, typ, p, s)
			}
			if sw := switchOver(t, prim, "api", prim.Engine.Get("aws:route53/healthCheck:HealthCheck", "api").ID); p["healthCheckId"] != sw.ID {
				t.Errorf("%s %s: primary record is not evaluated by the operator's switch %s: %v", label, typ, sw.ID, p["healthCheckId"])
			}
		}
	}
	for r, host := range map[*synth.Result]string{prim: "api-us-east-1.dbay.example.com", rec: "api-us-west-2.dbay.example.com"} {
		if hc := r.Engine.Get("aws:route53/healthCheck:HealthCheck", "api").In(); hc["fqdn"] != host {
			t.Errorf("%s: health check probes %v, want the pinned %s", r.Stack, hc["fqdn"], host)
		}
	}
}

// Pilot light: every service exists with 0 tasks and a 0 minimum; the
// runbook's `fleet.standby active` gives them the primary's capacity.
func TestPilotLightCapacity(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, root, "dr")
	check := func(r *synth.Result, wantMin func(svc config.FleetService) float64) {
		t.Helper()
		services := r.Engine.ByType("aws:ecs/service:Service")
		if len(services) != len(r.Config.Fleet.Services) {
			t.Fatalf("%d services, want %d", len(services), len(r.Config.Fleet.Services))
		}
		for _, svc := range r.Config.Fleet.Services {
			s := r.Engine.Get("aws:ecs/service:Service", svc.Name).In()
			target := r.Engine.Get("aws:appautoscaling/target:Target", svc.Name).In()
			if s["desiredCount"] != wantMin(svc) || target["minCapacity"] != wantMin(svc) || target["maxCapacity"] != float64(svc.Max) {
				t.Errorf("%s: desired %v, min %v, max %v", svc.Name, s["desiredCount"], target["minCapacity"], target["maxCapacity"])
			}
		}
	}
	check(rec, func(config.FleetService) float64 { return 0 })

	st, err := synth.LoadStack(root, "dr")
	if err != nil {
		t.Fatal(err)
	}
	fleet := st.Values["dbay:fleet"]
	st.Values["dbay:fleet"] = strings.Replace(fleet, `"standby":"pilot"`, `"standby":"active"`, 1)
	if st.Values["dbay:fleet"] == fleet {
		t.Fatalf("no standby in %s", fleet)
	}
	active, err := synth.Run(st)
	if err != nil {
		t.Fatal(err)
	}
	check(active, func(svc config.FleetService) float64 { return float64(svc.Min) })
}

// The recovery stack exports the ordered failover and failback with the
// real identifiers; the README lists the same steps in the same order.
func TestRunbookOutputs(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, root, "dr")
	prim := rec.Partner
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string][]string{
		stacks.StepPromotePostgres: {rec.Engine.Get("aws:rds/instance:Instance", "postgres").Out()["identifier"].(string), "us-west-2"},
		stacks.StepFailoverMongo:   {prim.Engine.Get("aws:docdb/globalCluster:GlobalCluster", "mongo-global").Out()["globalClusterIdentifier"].(string), rec.Engine.Get("aws:docdb/cluster:Cluster", "mongo").Out()["arn"].(string)},
		stacks.StepFailoverRedis:   {prim.Engine.Get("aws:elasticache/globalReplicationGroup:GlobalReplicationGroup", "redis-global").Out()["globalReplicationGroupId"].(string)},
		stacks.StepFlipDNS:         {prim.Engine.Get("aws:route53/healthCheck:HealthCheck", "api-failover-switch").ID},
		stacks.StepRestoreDNS:      {prim.Engine.Get("aws:route53/healthCheck:HealthCheck", "api-failover-switch").ID},
		stacks.StepReleaseSPA:      {prim.Engine.Get("aws:s3/bucketV2:BucketV2", "site-replica").Out()["bucket"].(string), prim.Engine.Get("aws:cloudfront/distribution:Distribution", "cdn").ID},
		stacks.StepPostgresAccess:  {rec.Engine.Get("aws:secretsmanager/secret:Secret", "postgres-credentials").Out()["arn"].(string)},
		stacks.StepReseedPostgres:  {prim.Engine.Get("aws:kms/key:Key", "data-key").Out()["arn"].(string)},
	}
	// DBay's ALB is internal behind API Gateway: no origin.<domain> record,
	// so no origin steps; every other step applies.
	skipped := map[string]bool{stacks.StepFlipOrigin: true, stacks.StepRestoreOrigin: true}
	for output, all := range map[string][]string{"failoverRunbook": stacks.FailoverTitles, "failbackRunbook": stacks.FailbackTitles} {
		var titles []string
		for _, title := range all {
			if !skipped[title] {
				titles = append(titles, title)
			}
		}
		steps, _ := rec.Outputs[output].([]any)
		if len(steps) != len(titles) {
			t.Fatalf("%s has %d steps, want %d: %v", output, len(steps), len(titles), steps)
		}
		at := 0
		for i, title := range titles {
			step := steps[i].(string)
			if !strings.HasPrefix(step, strings.Join([]string{itoa(i + 1), ". ", title, "\n   $ "}, "")) {
				t.Errorf("%s step %d = %q, want %q", output, i+1, step, title)
			}
			for _, id := range ids[title] {
				if !strings.Contains(step, id) {
					t.Errorf("%s step %q lacks the identifier %s", output, title, id)
				}
			}
		}
		// README: every title, in the same order.
		for _, title := range all {
			j := bytes.Index(readme[at:], []byte(title))
			if j < 0 {
				t.Errorf("README lacks the %s step %q after byte %d", output, title, at)
				continue
			}
			at += j + len(title)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

const dhanamDir = "../examples/dhanam"

// Dhanam's app fails over in DNS (CloudFront origin groups cannot carry
// POST/PUT/DELETE): the distribution reaches the ALB as origin.dhanam.io,
// prod's PRIMARY record to its ALB is evaluated by a CLOUDWATCH_METRIC
// health check on the ALB's healthy targets, dr's SECONDARY points at its
// own ALB, a pilot light that accepts CloudFront exactly like prod's.
func TestDhanamOriginFailover(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, dhanamDir, "dr")
	prim := rec.Partner
	get := func(r *synth.Result, typ, name string) *mockengine.Resource { t.Helper(); return must(t, r, typ, name) }
	const (
		tRecord = "aws:route53/record:Record"
		tCheck  = "aws:route53/healthCheck:HealthCheck"
		tALB    = "aws:lb/loadBalancer:LoadBalancer"
	)
	failover := func(in map[string]any) any {
		p, _ := in["failoverRoutingPolicies"].([]any)
		if len(p) != 1 {
			return nil
		}
		return p[0].(map[string]any)["type"]
	}
	alias := func(in map[string]any) map[string]any { return in["aliases"].([]any)[0].(map[string]any) }

	p, s := get(prim, tRecord, "origin-A").In(), get(rec, tRecord, "origin-A").In()
	palb, salb := get(prim, tALB, "alb").Out(), get(rec, tALB, "alb").Out()
	check := get(prim, tCheck, "origin")
	sw := switchOver(t, prim, "origin", check.ID)
	if p["name"] != "origin.dhanam.io" || p["type"] != "A" || failover(p) != "PRIMARY" || p["healthCheckId"] != sw.ID ||
		alias(p)["name"] != palb["dnsName"] || alias(p)["zoneId"] != palb["zoneId"] || alias(p)["evaluateTargetHealth"] != true {
		t.Errorf("prod origin record = %v, want the PRIMARY alias to prod's ALB %v, evaluated by the switch %s", p, palb["dnsName"], sw.ID)
	}
	if s["name"] != "origin.dhanam.io" || s["type"] != "A" || failover(s) != "SECONDARY" || s["healthCheckId"] != nil ||
		alias(s)["name"] != salb["dnsName"] || s["zoneId"] != p["zoneId"] || s["setIdentifier"] == p["setIdentifier"] {
		t.Errorf("dr origin record = %v, want the SECONDARY alias to dr's ALB %v in prod's zone %v", s, salb["dnsName"], p["zoneId"])
	}
	if !strings.Contains(fmt.Sprint(salb["dnsName"]), ".us-west-2.") {
		t.Errorf("dr's ALB %v is not in us-west-2", salb["dnsName"])
	}
	// Route53's HTTPS checkers cannot send X-Origin-Verify: the check reads
	// an alarm on the ALB's healthy targets in prod's region, and a region
	// that reports nothing is unhealthy.
	hc := check.In()
	alarm := get(prim, "aws:cloudwatch/metricAlarm:MetricAlarm", "origin-health")
	a := alarm.In()
	if hc["type"] != "CLOUDWATCH_METRIC" || hc["cloudwatchAlarmName"] != alarm.Out()["name"] ||
		hc["cloudwatchAlarmRegion"] != "us-east-1" || hc["insufficientDataHealthStatus"] != "Unhealthy" {
		t.Errorf("origin health check = %v", hc)
	}
	api := get(prim, "aws:lb/targetGroup:TargetGroup", "api").Out()
	if a["namespace"] != "AWS/ApplicationELB" || a["metricName"] != "HealthyHostCount" || a["statistic"] != "Minimum" ||
		a["comparisonOperator"] != "LessThanThreshold" || a["threshold"] != 1.0 || a["treatMissingData"] != "breaching" ||
		!reflect.DeepEqual(a["dimensions"], map[string]any{"LoadBalancer": palb["arnSuffix"], "TargetGroup": api["arnSuffix"]}) ||
		!reflect.DeepEqual(a["alarmActions"], []any{prim.Outputs["alertTopicArn"]}) {
		t.Errorf("origin alarm = %v, want api's HealthyHostCount < 1 notifying %v", a, prim.Outputs["alertTopicArn"])
	}
	if rec.Engine.Get(tCheck, "origin") != nil || rec.Engine.Get("aws:cloudwatch/metricAlarm:MetricAlarm", "origin-health") != nil {
		t.Error("dr's SECONDARY record has a health check of its own")
	}

	// The distribution's ALB origin is the failover name, not prod's ALB.
	var originDomains []any
	for _, o := range get(prim, "aws:cloudfront/distribution:Distribution", "cdn").In()["origins"].([]any) {
		if o := o.(map[string]any); o["originId"] == "alb" {
			originDomains = append(originDomains, o["domainName"])
		}
	}
	if !reflect.DeepEqual(originDomains, []any{"origin.dhanam.io"}) {
		t.Errorf("ALB origin domain = %v, want origin.dhanam.io", originDomains)
	}

	// dr's ALB accepts CloudFront exactly like prod's: the same header value
	// on every listener rule, CloudFront's prefix list, a REGIONAL web ACL.
	sent := headerValues(t, get(prim, "aws:cloudfront/distribution:Distribution", "cdn").Inputs["origins"])
	for _, r := range []*synth.Result{prim, rec} {
		rules := r.Engine.ByType("aws:lb/listenerRule:ListenerRule")
		if len(rules) != 2 {
			t.Fatalf("%s: %d listener rules, want api and web", r.Stack, len(rules))
		}
		for _, rule := range rules {
			got := headerValues(t, rule.Inputs["conditions"])
			if len(sent) != 1 || sent[0] == "" || !reflect.DeepEqual(got, sent) {
				t.Errorf("%s listener rule %s requires %d values, not the one CloudFront sends", r.Stack, rule.Name, len(got))
			}
		}
	}
	if in := get(rec, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "alb-from-cloudfront-443").In(); in["prefixListId"] == nil || in["fromPort"] != 443.0 {
		t.Errorf("dr ALB ingress = %v, want CloudFront's prefix list on 443", in)
	}
	if salbIn := get(rec, tALB, "alb").In(); salbIn["internal"] != false {
		t.Errorf("dr ALB internal = %v, want internet-facing behind CloudFront", salbIn["internal"])
	}
	assoc := get(rec, "aws:wafv2/webAclAssociation:WebAclAssociation", "alb").In()
	racl := get(rec, "aws:wafv2/webAcl:WebAcl", "alb")
	if assoc["resourceArn"] != salb["arn"] || assoc["webAclArn"] != racl.Out()["arn"] || racl.In()["scope"] != "REGIONAL" {
		t.Errorf("dr ALB web ACL association = %v (ACL scope %v)", assoc, racl.In()["scope"])
	}
	groups := func(acl *mockengine.Resource) []any {
		var out []any
		for _, r := range acl.In()["rules"].([]any) {
			r := r.(map[string]any)
			out = append(out, []any{r["name"], r["priority"], r["statement"], r["overrideAction"]})
		}
		return out
	}
	if pacl := get(prim, "aws:wafv2/webAcl:WebAcl", "alb"); !reflect.DeepEqual(groups(racl), groups(pacl)) {
		t.Errorf("dr ALB rules %v differ from prod's %v", groups(racl), groups(pacl))
	}
	if get(rec, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "alb-waf-logs").In()["resourceArn"] != racl.Out()["arn"] {
		t.Error("dr ALB web ACL does not log")
	}

	// Pilot light: the same services, no tasks.
	for _, svc := range rec.Config.Fleet.Services {
		if in := get(rec, "aws:ecs/service:Service", svc.Name).In(); in["desiredCount"] != 0.0 {
			t.Errorf("dr %s desired %v, want 0", svc.Name, in["desiredCount"])
		}
	}

	// The runbook switches the origin over and back with prod's switch.
	for output, want := range map[string]string{"failoverRunbook": stacks.StepFlipOrigin, "failbackRunbook": stacks.StepRestoreOrigin} {
		steps, _ := rec.Outputs[output].([]any)
		found := false
		for _, step := range steps {
			step := step.(string)
			if strings.Contains(step, "--health-check-id  ") || strings.Contains(step, "--health-check-id \n") {
				t.Errorf("%s names no health check: %q", output, step)
			}
			if strings.Contains(step, ". "+want+"\n") {
				found = strings.Contains(step, sw.ID) && strings.Contains(step, "origin.dhanam.io")
			}
		}
		if !found {
			t.Errorf("%s has no %q step with prod's origin switch %s: %v", output, want, sw.ID, steps)
		}
	}
	for output, all := range map[string][]string{"failoverRunbook": stacks.FailoverTitles, "failbackRunbook": stacks.FailbackTitles} {
		steps, _ := rec.Outputs[output].([]any)
		i := 0
		for n, step := range steps {
			for i < len(all) && !strings.HasPrefix(step.(string), itoa(n+1)+". "+all[i]+"\n") {
				i++
			}
			if i == len(all) {
				t.Errorf("%s step %d is out of order: %q", output, n+1, step)
				break
			}
		}
	}
}

// DBay's ALB is internal behind API Gateway: no origin record anywhere,
// and its distribution has no ALB origin.
func TestDBayHasNoOriginRecord(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, root, "dr")
	for _, r := range []*synth.Result{rec, rec.Partner} {
		if x := r.Engine.Get("aws:route53/record:Record", "origin-A"); x != nil {
			t.Errorf("%s: origin record %v", r.Stack, x.In())
		}
		if len(r.Engine.ByType("aws:wafv2/webAclAssociation:WebAclAssociation")) != 0 {
			t.Errorf("%s: the internal ALB has a REGIONAL web ACL", r.Stack)
		}
	}
}

// headerValues are the X-Origin-Verify values (revealed) in a distribution's
// origins or a listener rule's conditions.
func headerValues(t *testing.T, v resource.PropertyValue) []string {
	t.Helper()
	var out []string
	var walk func(v resource.PropertyValue, header bool)
	walk = func(v resource.PropertyValue, header bool) {
		switch {
		case v.IsSecret():
			walk(v.SecretValue().Element, header)
		case v.IsOutput():
			walk(v.OutputValue().Element, header)
		case v.IsArray():
			for _, x := range v.ArrayValue() {
				walk(x, header)
			}
		case v.IsObject():
			m := v.ObjectValue()
			h := header
			for _, k := range []resource.PropertyKey{"name", "httpHeaderName"} {
				if n, ok := m[k]; ok && n.IsString() && n.StringValue() == "X-Origin-Verify" {
					h = true
				}
			}
			for k, x := range m {
				if h && (k == "value" || k == "values") {
					walk(x, true)
				} else if k != "value" && k != "values" {
					walk(x, false)
				}
			}
		case v.IsString() && header:
			out = append(out, v.StringValue())
		}
	}
	walk(v, false)
	return out
}

// The xpriv's single reader holds in us-west-2: the dr stack reads the
// replica through exactly one role, whose fixed name prod's replicated
// policy admits.
func TestXprivSingleReaderInRecovery(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, root, "dr")
	prim := rec.Partner
	xpriv := prim.Engine.Get("aws:secretsmanager/secret:Secret", "WALLET_MASTER_XPRIV").Out()["arn"].(string)
	replica := strings.Replace(xpriv, ":us-east-1:", ":us-west-2:", 1)
	var readers []string
	for _, p := range rec.Engine.ByType("aws:iam/rolePolicy:RolePolicy") {
		if strings.Contains(p.In()["policy"].(string), replica) {
			readers = append(readers, p.Name)
		}
	}
	if !reflect.DeepEqual(readers, []string{"build-and-sign-tx-secrets"}) {
		t.Fatalf("dr policies naming the xpriv replica: %v", readers)
	}
	role := rec.Engine.Get("aws:iam/role:Role", "build-and-sign-tx").Out()["arn"].(string)
	policy := prim.Engine.Get("aws:secretsmanager/secretPolicy:SecretPolicy", "WALLET_MASTER_XPRIV").In()["policy"].(string)
	if role != "arn:aws:iam::123456789012:role/dbay-build-and-sign-tx-us-west-2" || !strings.Contains(policy, role) {
		t.Errorf("dr reader %s is not the one prod's policy admits:\n%s", role, policy)
	}
}

// Pulumi.dr.yaml repeats prod's sections (Pulumi has no cross-stack
// config); this catches drift. Only the documented differences may differ.
func TestRecoveryConfigMirrorsThePrimary(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{root, "../examples/dhanam"} {
		rec := synthesize(t, dir, "dr").Config
		prim := synthesize(t, dir, "prod").Config
		if !reflect.DeepEqual(rec.Secrets.Items, prim.Secrets.Items) {
			t.Errorf("%s: secrets differ", dir)
		}
		rd, pd := rec.Data, prim.Data
		if pd.Postgres != nil {
			p := *pd.Postgres
			p.MultiAZ, p.ReadReplicas = rd.Postgres.MultiAZ, nil // pilot: single-AZ until promoted; no replicas of a replica
			if !reflect.DeepEqual(*rd.Postgres, p) {
				t.Errorf("%s: postgres differs:\n dr   %+v\n prod %+v", dir, *rd.Postgres, p)
			}
		}
		if pd.DocumentDB != nil {
			m := *pd.DocumentDB
			m.Instances = rd.DocumentDB.Instances // one reader in the secondary
			if !reflect.DeepEqual(*rd.DocumentDB, m) {
				t.Errorf("%s: documentdb differs", dir)
			}
		}
		for name, a := range map[string][2]any{
			"redis": {rd.Redis, pd.Redis}, "memcached": {rd.Memcached, pd.Memcached}, "opensearch": {rd.OpenSearch, pd.OpenSearch},
			"buckets": {rd.Buckets, pd.Buckets}, "bus": {rd.Bus, pd.Bus}, "queues": {rd.Queues, pd.Queues}, "ses": {rd.SES, pd.SES},
		} {
			if !reflect.DeepEqual(a[0], a[1]) {
				t.Errorf("%s: data.%s differs", dir, name)
			}
		}
		if (rec.Fleet == nil) != (prim.Fleet == nil) || (rec.Serverless == nil) != (prim.Serverless == nil) {
			t.Errorf("%s: dr must run the same fleet and serverless sections as prod", dir)
			continue
		}
		if prim.Fleet != nil {
			f := *prim.Fleet
			f.Standby = rec.Fleet.Standby
			if !reflect.DeepEqual(*rec.Fleet, f) {
				t.Errorf("%s: fleet differs beyond standby", dir)
			}
		}
		if prim.Serverless != nil && !reflect.DeepEqual(*rec.Serverless, *prim.Serverless) {
			t.Errorf("%s: serverless differs", dir)
		}
		if prim.Auth != nil {
			a := *prim.Auth
			// auth.<domain> is the primary pool's; the DR pool's hosted UI
			// takes the default <prefix>.auth.us-west-2.amazoncognito.com.
			a.CustomDomain, a.DomainPrefix = rec.Auth.CustomDomain, rec.Auth.DomainPrefix
			if !reflect.DeepEqual(*rec.Auth, a) {
				t.Errorf("%s: auth differs beyond customDomain", dir)
			}
		}
	}
}

// Bad DR input fails before anything is registered, with exit 2 and the
// key path: the primary's region, a primary stack synth cannot find, an
// objective no mechanism meets, overlapping VPCs.
func TestBadRecoveryConfigExits2(t *testing.T) {
	t.Parallel()
	prod, err := os.ReadFile(filepath.Join(root, "Pulumi.prod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	drFile, err := os.ReadFile(filepath.Join(root, "Pulumi.dr.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to, want string
		noPrimary            bool
	}{
		{"same region", "primaryRegion: us-east-1", "primaryRegion: us-west-2", "dbay:dr.primaryRegion: the primary's region us-west-2 is the recovery stack's own (aws:region)", false},
		{"unmeetable RPO", "rpo: 1h", "rpo: 5m", "dbay:dr.rpo: RPO 5m, RTO 4h cannot be met for data.buckets: the best mechanism for bucket (s3-crr-rtc) gives RPO 15m", false},
		{"overlapping VPCs", "cidr: 10.1.0.0/16\n    peerCidr: 10.0.0.0/16", "cidr: 10.0.0.0/16\n    peerCidr: 10.0.0.0/16", "dbay:network.cidr: 10.0.0.0/16 overlaps the peer stack's 10.0.0.0/16", false},
		{"no primary reference", "    primaryStack: organization/dbay/prod\n", "", "dbay:dr.primaryStack: is required in a recovery stack", false},
		{"primary not found", "organization/dbay/prod", "organization/dbay/production", "dbay:dr.primaryStack: organization/dbay/production names stack production, but there is no", false},
		{"no primary stack file", "", "", "dbay:dr.primaryStack: organization/dbay/prod names stack prod, but there is no", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			write(t, dir, "Pulumi.yaml", "name: dbay\nruntime: go\n")
			if !tt.noPrimary {
				write(t, dir, "Pulumi.prod.yaml", string(prod))
			}
			changed := strings.Replace(string(drFile), tt.from, tt.to, 1)
			if tt.from != "" && changed == string(drFile) {
				t.Fatalf("%q is not in Pulumi.dr.yaml", tt.from)
			}
			write(t, dir, "Pulumi.dr.yaml", changed)
			var out, errOut bytes.Buffer
			code := synth.Main([]string{"--dir", dir, "--stack", "dr"}, &out, &errOut)
			if code != 2 || out.Len() != 0 || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stdout %d bytes, stderr:\n%s\nwant exit 2 and %q", code, out.Len(), errOut.String(), tt.want)
			}
		})
	}
}

// Each replication mechanism's RPO in dr.Catalog is bounded by an alarm:
// the lag alarm pages before the lag reaches the RPO the table claims.
func TestLagAlarmsBoundTheClaimedRPO(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, root, "dr")
	prim := rec.Partner
	rpo := func(id string) float64 {
		m, ok := dr.MechanismByID(id)
		if !ok {
			t.Fatalf("no mechanism %s", id)
		}
		return m.RPO.Seconds()
	}
	for _, c := range []struct {
		r      *synth.Result
		alarm  string
		metric string
		scale  float64 // the metric's unit in seconds
		mech   string
	}{
		{rec, "postgres-replica-lag", "ReplicaLag", 1, "rds-cross-region-replica"},
		{rec, "mongo-global-lag", "GlobalClusterReplicationLag", 0.001, "docdb-global-secondary"},
		{rec, "redis-global-lag", "GlobalDatastoreReplicationLag", 1, "redis-global-datastore"},
		{prim, "listing-images-replication-latency", "ReplicationLatency", 1, "s3-crr-rtc"},
		{prim, "site-replication-latency", "ReplicationLatency", 1, "s3-crr-rtc"},
	} {
		a := c.r.Engine.Get("aws:cloudwatch/metricAlarm:MetricAlarm", c.alarm)
		if a == nil {
			t.Errorf("%s: no alarm %s", c.r.Stack, c.alarm)
			continue
		}
		in := a.In()
		threshold, _ := in["threshold"].(float64)
		if in["metricName"] != c.metric || threshold <= 0 || threshold*c.scale > rpo(c.mech) || len(mockengine.Strings(in["alarmActions"])) == 0 {
			t.Errorf("%s %s: %v > %v s (the %s RPO), or no action: %v", c.r.Stack, c.alarm, threshold*c.scale, rpo(c.mech), c.mech, in)
		}
	}
}

// A recovery ALB behind CloudFront takes the primary's origin header: a
// primary whose ALB has no frontend exports none, and the recovery run
// fails naming the fix (config cannot see the primary's file).
func TestRecoveryOriginNeedsThePrimarysFrontend(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dr.yaml"} {
		b, err := os.ReadFile(filepath.Join(dhanamDir, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if name == "Pulumi.prod.yaml" {
			i, j := strings.Index(s, "  dhanam:frontend:"), strings.Index(s, "  # Policy pack waivers")
			if i < 0 || j < i {
				t.Fatal("no frontend section in Dhanam's Pulumi.prod.yaml")
			}
			s = s[:i] + s[j:]
		}
		write(t, dir, name, s)
	}
	var out, errOut bytes.Buffer
	code := synth.Main([]string{"--dir", dir, "--stack", "dr"}, &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), "dhanam:fleet.alb.ingress is cloudfront, but the primary stack organization/dhanam/prod exports no drContract.originVerify") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut.String())
	}
}

// switchOver is the operator's switch over a measuring health check: a
// CALCULATED check whose only child is the measuring one, with a threshold
// of 0 (always healthy until inverted). A PRIMARY record answering to the
// measuring check directly would fail over to the pilot light by itself.
func switchOver(t *testing.T, r *synth.Result, name, measure string) *mockengine.Resource {
	t.Helper()
	sw := r.Engine.Get("aws:route53/healthCheck:HealthCheck", name+"-failover-switch")
	if sw == nil {
		t.Fatalf("%s: no %s-failover-switch", r.Stack, name)
	}
	in := sw.In()
	if in["type"] != "CALCULATED" || in["childHealthThreshold"] != 0.0 || !reflect.DeepEqual(mockengine.Strings(in["childHealthchecks"]), []string{measure}) || in["invertHealthcheck"] == true {
		t.Errorf("%s: switch %s = %v, want CALCULATED over %s with threshold 0", r.Stack, name, in, measure)
	}
	return sw
}

// must is the resource of a run, failing the test when it is missing.
func must(t *testing.T, r *synth.Result, typ, name string) *mockengine.Resource {
	t.Helper()
	x := r.Engine.Get(typ, name)
	if x == nil {
		t.Fatalf("%s: no %s %s", r.Stack, typ, name)
	}
	return x
}
