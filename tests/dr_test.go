package tests

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/dr"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
	"github.com/dbay/infra/stacks"
)

// Dhanam "Disaster Recovery": RPO 1 h, RTO 4 h. Every stateful resource of
// both primaries has a mechanism meeting it, found in the captured inputs
// of the prod and dr runs (not declared: implemented).
func TestEveryStatefulResourceMeetsTheDRPolicy(t *testing.T) {
	t.Parallel()
	want := map[string]map[string]string{
		// Issue 18: on standby the DocumentDB secondary is headless and the
		// derived stores are built at failover.
		root: {"postgres": "rds-cross-region-replica", "mongo": "docdb-headless-secondary", "redis": "redis-global-datastore",
			"search": "opensearch-create-at-failover", "memcached": "memcached-create-at-failover", "listing-images": "s3-crr-rtc", "site": "s3-crr-rtc",
			"WALLET_MASTER_XPRIV": "secrets-replica", "redis-url": "secret-rebuilt", "listing": "ecr-replication", "users": "cognito-standby-pool"},
		// Dhanam's replica runs on dr.standby.postgresInstanceClass.
		"../examples/dhanam": {"postgres": "rds-cross-region-replica-scaled", "redis": "redis-global-datastore", "assets": "s3-crr-rtc",
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
			if pg := rows["postgres"]; !reflect.DeepEqual(pg.Mechanisms, []string{mechanisms["postgres"], "rds-backup-replication"}) {
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
	// What the recovery stack builds only at failover (its derived stores).
	plan := r.Partner.Config.DRPlan()
	assess := func(p dr.Policy, region string, prim, rec []dr.Resource, acc map[string]string) dr.Report {
		return dr.AssessWith(p, region, prim, rec, acc, plan, nil)
	}

	extra := append(append([]dr.Resource(nil), primary...), dr.Resource{
		Type: tokens.S3BucketV2, Name: "exports", Region: "us-east-1",
		Inputs:  map[string]any{"bucket": "dbay-exports-prod"},
		Outputs: map[string]any{"bucket": "dbay-exports-prod", "arn": "arn:aws:s3:::dbay-exports-prod"},
	})
	rep := assess(pol, "us-west-2", extra, recovery, accepted)
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
	rep = assess(pol, "us-west-2", without(primary, tokens.S3BucketReplicationConfig, "listing-images"), recovery, accepted)
	if rep.OK() || !strings.Contains(rep.Violations[0], "bucket listing-images") {
		t.Errorf("listing-images without its replication passed: %v", rep.Violations)
	}
	// Without the cross-Region replica, PostgreSQL falls back to the
	// replicated backups: RPO 15m / RTO 2h meets 1h/4h, but not RTO 1h.
	noReplica := without(recovery, tokens.RDSInstance, "postgres")
	// The derived search is rebuilt from the replica: without it, it has
	// no mechanism either.
	if rep := assess(pol, "us-west-2", primary, noReplica, accepted); len(rep.Violations) != 1 ||
		!strings.Contains(rep.Violations[0], "opensearch search (aws:opensearch/domain:Domain): no recovery mechanism in place") {
		t.Errorf("replicated backups alone should meet 1h/4h, and only search lose its source: %v", rep.Violations)
	}
	strict := pol
	strict.RTO = 3600e9
	if rep := assess(strict, "us-west-2", primary, noReplica, accepted); rep.OK() || !strings.Contains(strings.Join(rep.Violations, "\n"), "postgres postgres: rds-backup-replication gives RPO 15m, RTO 2h") {
		t.Errorf("backups alone passed an RTO of 1h: %v", rep.Violations)
	}
	// A user pool is only passed by its written acceptance.
	if rep := assess(pol, "us-west-2", primary, recovery, nil); rep.OK() || !strings.Contains(strings.Join(rep.Violations, "\n"), "userpool users: cognito-standby-pool gives RPO unbounded") {
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
	// Read from the contract prod replicated into us-west-2, not through
	// a StackReference (tests/drlink_test.go).
	if refs := rec.Engine.ByType(tokens.StackReference); len(refs) > 0 {
		t.Errorf("dr reads prod's state through a StackReference")
	}
	pg, primaryPG := get(rec, tokens.RDSInstance, "postgres").In(), get(prim, tokens.RDSInstance, "postgres").Out()
	drKey := get(rec, tokens.KMSKey, "data-key").Out()["arn"].(string)
	if pg["replicateSourceDb"] != primaryPG["arn"] || pg["kmsKeyId"] != drKey || !strings.Contains(drKey, ":us-west-2:") ||
		pg["storageEncrypted"] != true || pg["deletionProtection"] != true || pg["backupRetentionPeriod"] != 30.0 {
		t.Errorf("dr postgres = %v, want a replica of %v under %s", pg, primaryPG["arn"], drKey)
	}
	backups := get(rec, tokens.RDSInstanceAutomatedBackupsReplication, "postgres-backups").In()
	if backups["sourceDbInstanceArn"] != primaryPG["arn"] || backups["retentionPeriod"] != 30.0 || backups["kmsKeyId"] != drKey {
		t.Errorf("backup replication = %v", backups)
	}
	global := get(prim, tokens.DocDBGlobalCluster, "mongo-global")
	if global.In()["sourceDbClusterIdentifier"] != get(prim, tokens.DocDBCluster, "mongo").Out()["arn"] ||
		get(rec, tokens.DocDBCluster, "mongo").In()["globalClusterIdentifier"] != global.Out()["globalClusterIdentifier"] {
		t.Errorf("documentdb secondary does not join %v", global.Out()["globalClusterIdentifier"])
	}
	datastore := get(prim, tokens.ElastiCacheGlobalReplicationGroup, "redis-global")
	if get(rec, tokens.ElastiCacheReplicationGroup, "redis").In()["globalReplicationGroupId"] != datastore.Out()["globalReplicationGroupId"] {
		t.Errorf("redis secondary does not join %v", datastore.Out()["globalReplicationGroupId"])
	}
	// The data bucket is prod's replica, adopted: not created again, and
	// the listing service's grant names the replica.
	if b := rec.Engine.Get(tokens.S3BucketV2, "listing-images"); b != nil {
		t.Errorf("dr created listing-images itself: %v", b.In())
	}
	replica := get(prim, tokens.S3BucketV2, "listing-images-replica").Out()["arn"].(string)
	if p := get(rec, tokens.IAMRolePolicy, "listing-listing-images-readwrite").In()["policy"].(string); !strings.Contains(p, replica) {
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
	for typ, name := range map[string]string{tokens.ACMCertificate: "site", tokens.WAFv2WebAcl: "edge"} {
		if x := prim.Engine.Get(typ, name); x == nil || x.Region != "us-east-1" {
			t.Errorf("prod: %s %s must be on the us-east-1 provider: %+v", typ, name, x)
		}
	}
	for _, name := range []string{"listing-images-replica", "site-replica"} {
		if x := prim.Engine.Get(tokens.S3BucketV2, name); x == nil || x.Region != "us-west-2" {
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
			p := prim.Engine.Get(tokens.Route53Record, label+"-"+typ).In()
			s := rec.Engine.Get(tokens.Route53Record, label+"-"+typ).In()
			name := label + ".dbay.example.com"
			kind := func(in map[string]any) any {
				return in["failoverRoutingPolicies"].([]any)[0].(map[string]any)["type"]
			}
			if p["name"] != name || s["name"] != name || kind(p) != "PRIMARY" || kind(s) != "SECONDARY" ||
				p["setIdentifier"] == s["setIdentifier"] || p["zoneId"] != s["zoneId"] {
				t.Errorf("%s %s: primary %v / secondary %v", label, typ, p, s)
			}
			if sw := switchOver(t, prim, "api", prim.Engine.Get(tokens.Route53HealthCheck, "api").ID); p["healthCheckId"] != sw.ID {
				t.Errorf("%s %s: primary record is not evaluated by the operator's switch %s: %v", label, typ, sw.ID, p["healthCheckId"])
			}
		}
	}
	for r, host := range map[*synth.Result]string{prim: "api-us-east-1.dbay.example.com", rec: "api-us-west-2.dbay.example.com"} {
		if hc := r.Engine.Get(tokens.Route53HealthCheck, "api").In(); hc["fqdn"] != host {
			t.Errorf("%s: health check probes %v, want the pinned %s", r.Stack, hc["fqdn"], host)
		}
	}
}

// Pilot light: every service exists with 0 tasks and a 0 minimum and every
// schedule and bus rule is disabled; the runbook's `fleet.standby active`
// gives the services the primary's capacity and enables the rules.
func TestPilotLightCapacity(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, root, "dr")
	check := func(r *synth.Result, wantMin func(svc config.FleetService) float64) {
		t.Helper()
		services := r.Engine.ByType(tokens.ECSService)
		if len(services) != len(r.Config.Fleet.Services) {
			t.Fatalf("%d services, want %d", len(services), len(r.Config.Fleet.Services))
		}
		for _, svc := range r.Config.Fleet.Services {
			s := r.Engine.Get(tokens.ECSService, svc.Name).In()
			target := r.Engine.Get(tokens.AppAutoscalingTarget, svc.Name).In()
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

	// The standby region runs none of the primary's work: every bus rule
	// and schedule is DISABLED on pilot (and warm), ENABLED in the primary
	// and once the runbook sets standby active.
	states := func(r *synth.Result, want string) {
		t.Helper()
		n := 0
		for _, typ := range []string{tokens.CloudWatchEventRule, tokens.SchedulerSchedule} {
			for _, res := range r.Engine.ByType(typ) {
				if res.Name == "switch-publisher" {
					continue // the failover switch: always ENABLED, its value is config (tests/fence_test.go)
				}
				n++
				if got := res.In()["state"]; got != want {
					t.Errorf("%s %s %s: state %v, want %s", r.Stack, typ, res.Name, got, want)
				}
			}
		}
		if n < 7 { // 5 rules (3 workflows, listing events, notifications) + 2 schedules
			t.Errorf("%s: %d rules and schedules, want at least 7", r.Stack, n)
		}
	}
	states(rec, "DISABLED")
	states(rec.Partner, "ENABLED")
	states(active, "ENABLED")
}

// The recovery stack exports the ordered failover and failback with the
// real identifiers; docs/dr.md lists the same steps in the same order.
func TestRunbookOutputs(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, root, "dr")
	prim := rec.Partner
	apiSwitch := prim.Engine.Get(tokens.Route53HealthCheck, "api-failover-switch").ID
	switchAlarm := prim.Engine.Get(tokens.CloudWatchMetricAlarm, "failover-switch").Out()["name"].(string)
	ids := map[string][]string{
		// Fencing and the switch are config commits, not hand edits.
		stacks.StepFence: {"pulumi config set --stack prod --path dr.fenced true", "Pulumi.prod.yaml", "pulumi up --stack prod", prim.Outputs["clusterName"].(string), "dbay-prod-*"},
		stacks.StepScaleUp: {"pulumi config set --stack dr --path fleet.standby active", "Pulumi.dr.yaml", "pulumi up --stack dr", switchAlarm,
			"the OpenSearch domain, the Memcached cluster, 1 DocumentDB instance(s)"},
		stacks.StepUnfence:         {"pulumi config set --stack prod --path dr.fenced false", "pulumi up --stack prod --refresh"},
		stacks.StepFreezeRecovery:  {"pulumi config set --stack dr --path fleet.standby pilot", "Pulumi.dr.yaml"},
		stacks.StepPromotePostgres: {rec.Engine.Get(tokens.RDSInstance, "postgres").Out()["identifier"].(string), "us-west-2"},
		stacks.StepFailoverMongo:   {prim.Engine.Get(tokens.DocDBGlobalCluster, "mongo-global").Out()["globalClusterIdentifier"].(string), rec.Engine.Get(tokens.DocDBCluster, "mongo").Out()["arn"].(string)},
		stacks.StepFailoverRedis:   {prim.Engine.Get(tokens.ElastiCacheGlobalReplicationGroup, "redis-global").Out()["globalReplicationGroupId"].(string)},
		stacks.StepFlipDNS:         {apiSwitch, "--alarm-names " + switchAlarm, "--region us-west-2"},
		stacks.StepRestoreDNS:      {apiSwitch, "--alarm-names " + switchAlarm},
		stacks.StepReleaseSPA:      {prim.Engine.Get(tokens.S3BucketV2, "site-replica").Out()["bucket"].(string), prim.Engine.Get(tokens.CloudFrontDistribution, "cdn").ID},
		stacks.StepPostgresMultiAZ: {rec.Engine.Get(tokens.RDSInstance, "postgres").Out()["identifier"].(string), "--multi-az"},
		stacks.StepReseedPostgres:  {prim.Engine.Get(tokens.KMSKey, "data-key").Out()["arn"].(string)},
		stacks.StepReindexSearch:   {rec.Engine.Get(tokens.LambdaFunction, "search-indexer").Out()["name"].(string), `"detail-type":"listing.reindex"`, "1h54m"},
	}
	// DBay's ALB is internal behind API Gateway: no origin.<domain> record,
	// so no origin steps; every other step applies.
	// DBay's recovery stack declares no reporting replicas (dr.reportingReplicas).
	skipped := map[string]bool{stacks.StepFlipOrigin: true, stacks.StepRestoreOrigin: true, stacks.StepReporting: true}
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
		// The replicas keep the primary's master passwords, which dr's
		// connection secrets hold: no step sets a password by hand.
		for _, step := range steps {
			if strings.Contains(step.(string), "master-user-password") {
				t.Errorf("%s sets a password by hand: %q", output, step)
			}
			// Route 53's control plane is in us-east-1: no step flips a
			// health check by hand (the switch is config, drlink).
			if strings.Contains(step.(string), "update-health-check") {
				t.Errorf("%s calls Route 53's control plane: %q", output, step)
			}
		}
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
		// docs/dr.md: every title, in the same order.
		docOrder(t, "docs/dr.md", output, all)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

const dhanamDir = "../examples/dhanam"

// The xpriv's single reader holds in us-west-2: the dr stack reads the
// replica through exactly one role, whose fixed name prod's replicated
// policy admits.
func TestXprivSingleReaderInRecovery(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, root, "dr")
	prim := rec.Partner
	xpriv := prim.Engine.Get(tokens.SecretsManagerSecret, "WALLET_MASTER_XPRIV").Out()["arn"].(string)
	replica := strings.Replace(xpriv, ":us-east-1:", ":us-west-2:", 1)
	var readers []string
	for _, p := range rec.Engine.ByType(tokens.IAMRolePolicy) {
		if strings.Contains(p.In()["policy"].(string), replica) {
			readers = append(readers, p.Name)
		}
	}
	if !reflect.DeepEqual(readers, []string{"build-and-sign-tx-secrets"}) {
		t.Fatalf("dr policies naming the xpriv replica: %v", readers)
	}
	role := rec.Engine.Get(tokens.IAMRole, "build-and-sign-tx").Out()["arn"].(string)
	policy := prim.Engine.Get(tokens.SecretsManagerSecretPolicy, "WALLET_MASTER_XPRIV").In()["policy"].(string)
	if role != "arn:aws:iam::123456789012:role/dbay-build-and-sign-tx-us-west-2" || !strings.Contains(policy, role) {
		t.Errorf("dr reader %s is not the one prod's policy admits:\n%s", role, policy)
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
		a := c.r.Engine.Get(tokens.CloudWatchMetricAlarm, c.alarm)
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

// switchOver is the operator's switch over a measuring health check: a
// CALCULATED check whose only child is the measuring one, with a threshold
// of 0 (always healthy until inverted). A PRIMARY record answering to the
// measuring check directly would fail over to the pilot light by itself.
func switchOver(t *testing.T, r *synth.Result, name, measure string) *mockengine.Resource {
	t.Helper()
	sw := r.Engine.Get(tokens.Route53HealthCheck, name+"-failover-switch")
	if sw == nil {
		t.Fatalf("%s: no %s-failover-switch", r.Stack, name)
	}
	// The switch watches the pair's alarm in the recovery Region
	// (drlink), set by config; the measuring check stays beside it.
	alarm := must(t, r, tokens.CloudWatchMetricAlarm, "failover-switch")
	in := sw.In()
	if measure == "" || in["type"] != "CLOUDWATCH_METRIC" || in["cloudwatchAlarmName"] != alarm.Out()["name"] || in["cloudwatchAlarmRegion"] != alarm.Region ||
		alarm.Region != "us-west-2" || in["inverted"] == true {
		t.Errorf("%s: switch %s = %v, want CLOUDWATCH_METRIC on %v in us-west-2 (measured by %q)", r.Stack, name, in, alarm.Out()["name"], measure)
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

// Dhanam's reporting replicas are built in us-west-2 once the recovery
// stack is active (after the promotion), as replicas of the promoted
// instance, unprotected; never on standby (issue 16 item 11).
func TestReportingReplicasAfterPromotion(t *testing.T) {
	t.Parallel()
	pilot := synthesize(t, dhanamDir, "dr").Engine
	if n := len(pilot.ByType(tokens.RDSInstance)); n != 1 {
		t.Errorf("the standby has %d PostgreSQL instances, want the replica only", n)
	}
	drFile, err := os.ReadFile(filepath.Join(dhanamDir, "Pulumi.dr.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	prod, err := os.ReadFile(filepath.Join(dhanamDir, "Pulumi.prod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	active := strings.Replace(string(drFile), "    standby: pilot ", "    standby: active ", 1)
	if active == string(drFile) {
		t.Fatal("no fleet.standby pilot in Pulumi.dr.yaml")
	}
	dir := t.TempDir()
	write(t, dir, "Pulumi.yaml", "name: dhanam\nruntime: go\n")
	write(t, dir, "Pulumi.prod.yaml", string(prod))
	write(t, dir, "Pulumi.dr.yaml", active)
	st, err := synth.LoadStack(dir, "dr")
	if err != nil {
		t.Fatal(err)
	}
	r, err := synth.Run(st)
	if err != nil {
		t.Fatal(err)
	}
	writer := r.Engine.Get(tokens.RDSInstance, "postgres")
	for _, name := range []string{"dashboards", "analytics"} {
		rep := r.Engine.Get(tokens.RDSInstance, "postgres-"+name)
		switch {
		case rep == nil:
			t.Errorf("active dr has no %s replica", name)
		case rep.In()["replicateSourceDb"] != writer.Out()["identifier"] || rep.In()["deletionProtection"] != false || rep.Options.Protect:
			t.Errorf("%s replica: source %v (want %v), deletionProtection %v, protect %v", name, rep.In()["replicateSourceDb"], writer.Out()["identifier"], rep.In()["deletionProtection"], rep.Options.Protect)
		}
	}
	if eps, _ := r.Outputs["postgresReplicaEndpoints"].(map[string]any); len(eps) != 2 {
		t.Errorf("postgresReplicaEndpoints = %v", r.Outputs["postgresReplicaEndpoints"])
	}
}
