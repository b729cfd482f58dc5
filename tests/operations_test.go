package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
	"github.com/dbay/infra/stacks"
)

// Dhanam's guide reads api_url, web_url, database_endpoint and
// redis_endpoint after a deploy ("Infrastructure Outputs") and names the
// database dhanam-production, the cluster dhanam-production and the
// services dhanam-api / dhanam-web in its commands: the stack exports them
// with their real values (issue 16 item 5).
func TestDhanamGuideOutputs(t *testing.T) {
	t.Parallel()
	r := synthesize(t, dhanamDir, "prod")
	o := r.Outputs
	urls, _ := o["publicUrls"].(map[string]any)
	if urls["api"] != "https://api.dhanam.io" || urls["web"] != "https://app.dhanam.io" {
		t.Errorf("publicUrls = %v, want api https://api.dhanam.io and web https://app.dhanam.io (guide api_url, web_url)", urls)
	}
	pg := r.Engine.Get(tokens.RDSInstance, "postgres")
	if id := pg.Out()["identifier"]; id != "dhanam-production" || o["postgresIdentifier"] != id {
		t.Errorf("writer identifier %v, output postgresIdentifier %v: want dhanam-production (guide \"Database Rollback\")", id, o["postgresIdentifier"])
	}
	if o["postgresEndpoint"] != pg.Out()["endpoint"] {
		t.Errorf("postgresEndpoint = %v, want the writer's endpoint %v", o["postgresEndpoint"], pg.Out()["endpoint"])
	}
	redis := r.Engine.Get(tokens.ElastiCacheReplicationGroup, "redis").Out()["primaryEndpointAddress"].(string)
	if o["redisEndpoint"] != redis+":6379" {
		t.Errorf("redisEndpoint = %v, want %s:6379", o["redisEndpoint"], redis)
	}
	// The guide's get-metric-statistics lacks the times, period and
	// statistic the CLI requires; the output has them.
	conns, _ := o["postgresConnectionsCommand"].(string)
	for _, want := range []string{"--metric-name DatabaseConnections", "Name=DBInstanceIdentifier,Value=dhanam-production", "--start-time", "--end-time", "--period", "--statistics"} {
		if !strings.Contains(conns, want) {
			t.Errorf("postgresConnectionsCommand lacks %q: %s", want, conns)
		}
	}
	logs, _ := o["logGroups"].(map[string]any)
	cmds, _ := o["serviceCommands"].(map[string]any)
	for _, svc := range []string{"api", "web"} {
		group := r.Engine.Get(tokens.CloudWatchLogGroup, svc+"-logs").Out()["name"]
		if logs[svc] != group {
			t.Errorf("logGroups.%s = %v, want %v", svc, logs[svc], group)
		}
		c, _ := cmds[svc].(map[string]any)
		ecsName := r.Engine.Get(tokens.ECSService, svc).Out()["name"]
		for _, key := range []string{"redeploy", "rollback"} {
			s, _ := c[key].(string)
			if !strings.Contains(s, "--cluster dhanam-production --service "+ecsName.(string)) {
				t.Errorf("serviceCommands.%s.%s = %q, want the guide's cluster and service %s", svc, key, s, ecsName)
			}
		}
		if s, _ := c["logs"].(string); !strings.Contains(s, "aws logs tail "+group.(string)) {
			t.Errorf("serviceCommands.%s.logs = %q, want a tail of %s", svc, s, group)
		}
	}
}

// The guide's "Database rollback" restores to a new instance and stops
// there. The runbook goes on with the stack's real names to a state a
// routine `pulumi up` keeps (issue 16 item 6).
func TestPostgresRestoreRunbook(t *testing.T) {
	t.Parallel()
	r := synthesize(t, dhanamDir, "prod")
	steps := outputSteps(t, r, "postgresRestoreRunbook", stacks.RestoreTitles)
	e := r.Engine
	pg := e.Get(tokens.RDSInstance, "postgres")
	want := map[string][]string{
		stacks.StepRestore: {"--source-db-instance-identifier dhanam-production", "--target-db-instance-identifier dhanam-production-rollback",
			"--db-subnet-group-name " + e.Get(tokens.RDSSubnetGroup, "postgres").Out()["name"].(string),
			"--vpc-security-group-ids " + e.Get(tokens.EC2SecurityGroup, "postgres").ID,
			"--db-parameter-group-name " + e.Get(tokens.RDSParameterGroup, "postgres").Out()["name"].(string),
			"--multi-az", "--db-instance-class db.r5.large", "--deletion-protection"},
		stacks.StepRestoreVerify: {"dhanam-api-migrate", `"name":"api"`, "pnpm db:status", "s/@dhanam-production./@dhanam-production-rollback./"},
		stacks.StepRestoreStop:   {"'service/dhanam-production/'", "--min-capacity 0 --max-capacity 0"},
		stacks.StepRestoreSwap:   {"--db-instance-identifier dhanam-production --new-db-instance-identifier dhanam-production-pre-rollback", "--db-instance-identifier dhanam-production-rollback --new-db-instance-identifier dhanam-production "},
		stacks.StepRestoreAdopt:  {"DbiResourceId", "'" + pg.URN + "'", "pulumi stack import --stack prod", "pulumi refresh --stack prod --target"},
		stacks.StepRestoreStart:  {"pulumi up --stack prod --refresh"},
		stacks.StepRestoreRebuild: {e.Get(tokens.RDSInstance, "postgres-dashboards").URN,
			e.Get(tokens.RDSInstance, "postgres-analytics").URN, "pulumi up --stack dr"},
		stacks.StepRestoreCleanup: {"--final-db-snapshot-identifier dhanam-production-pre-rollback-final"},
	}
	for i, title := range stacks.RestoreTitles {
		for _, w := range want[title] {
			if !strings.Contains(steps[i], w) {
				t.Errorf("restore step %q lacks %q:\n%s", title, w, steps[i])
			}
		}
	}
	// The runbook's first command is the guide's, with the real names.
	if !strings.Contains(steps[1], "aws rds restore-db-instance-to-point-in-time") {
		t.Errorf("restore step is not the guide's command: %s", steps[1])
	}
	docOrder(t, "docs/runbooks.md", "postgresRestoreRunbook", stacks.RestoreTitles)
}

// Every URN a runbook names exists in the stack it names: a runbook that
// unprotects, replaces or re-points state for a URN the program does not
// create fails at 3 a.m. (the DR stack's as well as the primary's).
func TestRunbookURNsExist(t *testing.T) {
	t.Parallel()
	urnRe := regexp.MustCompile(`urn:pulumi:([a-z0-9-]+)::[^' "]+`)
	for _, dir := range []string{root, dhanamDir} {
		byStack := map[string]*synth.Result{"prod": synthesize(t, dir, "prod"), "dr": synthesize(t, dir, "dr")}
		for stack, r := range byStack {
			for name, v := range r.Outputs {
				if !strings.HasSuffix(name, "Runbook") {
					continue
				}
				for _, step := range v.([]any) {
					for _, m := range urnRe.FindAllStringSubmatch(step.(string), -1) {
						target, ok := byStack[m[1]]
						switch {
						case !ok:
							t.Errorf("%s %s %s names stack %q, which is not shipped", dir, stack, name, m[1])
						case target.Engine.ByURN(m[0]) == nil:
							t.Errorf("%s %s %s names %s, which stack %s does not create", dir, stack, name, m[0], m[1])
						}
					}
				}
			}
		}
	}
}

// A rename does not move Pulumi's state (pulumi-aws v6 tracks an RDS
// instance by its DbiResourceId): the failback re-points the state
// instead of refreshing the instance that was renamed away.
func TestFailbackAdoptsThePromotedInstance(t *testing.T) {
	t.Parallel()
	rec := synthesize(t, root, "dr")
	steps := outputSteps(t, rec, "failbackRunbook", nil)
	prim := rec.Partner.Engine.Get(tokens.RDSInstance, "postgres")
	for _, s := range steps {
		if !strings.Contains(s, stacks.StepPromoteBack) {
			continue
		}
		for _, w := range []string{"DbiResourceId", "'" + prim.URN + "'", "pulumi stack import --stack prod"} {
			if !strings.Contains(s, w) {
				t.Errorf("%q lacks %q:\n%s", stacks.StepPromoteBack, w, s)
			}
		}
		if prim.ID == prim.Out()["identifier"] {
			t.Errorf("the mock gives RDS instance %s its identifier as id; pulumi-aws v6 gives the DbiResourceId", prim.URN)
		}
		return
	}
	t.Fatalf("failbackRunbook has no %q step", stacks.StepPromoteBack)
}

// outputSteps returns a rendered runbook output's steps, checking their
// titles against titles when given.
func outputSteps(t *testing.T, r *synth.Result, output string, titles []string) []string {
	t.Helper()
	raw, _ := r.Outputs[output].([]any)
	steps := make([]string, len(raw))
	for i, s := range raw {
		steps[i] = s.(string)
	}
	if titles == nil {
		return steps
	}
	if len(steps) != len(titles) {
		t.Fatalf("%s has %d steps, want %d: %v", output, len(steps), len(titles), steps)
	}
	for i, title := range titles {
		if !strings.HasPrefix(steps[i], itoa(i+1)+". "+title+"\n   $ ") {
			t.Errorf("%s step %d = %q, want %q", output, i+1, steps[i], title)
		}
	}
	return steps
}

// docOrder checks that the document at path (relative to the repository
// root) names every title, in order.
func docOrder(t *testing.T, path, what string, titles []string) {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(root, path))
	if err != nil {
		t.Fatal(err)
	}
	at := 0
	for _, title := range titles {
		j := bytes.Index(doc[at:], []byte(title))
		if j < 0 {
			t.Errorf("%s lacks the %s step %q after byte %d", path, what, title, at)
			continue
		}
		at += j + len(title)
	}
}
