package tests

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// The guide's health endpoints are checked from outside, its two alarm
// names exist, scoped to the API's target group, and the error rate is a
// rate (issue 16 item 7).
func TestDhanamHealthAndAlarms(t *testing.T) {
	t.Parallel()
	r := synthesize(t, dhanamDir, "prod")
	e := r.Engine
	tg := e.Get(tokens.LBTargetGroup, "api").Out()["arnSuffix"]
	alarms := map[string]map[string]any{}
	for _, a := range e.ByType(tokens.CloudWatchMetricAlarm) {
		alarms[a.In()["name"].(string)] = a.In()
	}
	for _, name := range []string{"dhanam-api-high-error-rate", "dhanam-api-high-response-time", "dhanam-api-health-database", "dhanam-api-health-providers"} {
		in, ok := alarms[name]
		if !ok {
			t.Errorf("no alarm %s", name)
			continue
		}
		if acts, _ := in["alarmActions"].([]any); len(acts) == 0 {
			t.Errorf("%s pages no one", name)
		}
	}
	rate := alarms["dhanam-api-high-error-rate"]
	q, _ := json.Marshal(rate["metricQueries"])
	if !strings.Contains(string(q), "HTTPCode_Target_5XX_Count") || !strings.Contains(string(q), "RequestCount") ||
		!strings.Contains(string(q), "/ requests") || !strings.Contains(string(q), tg.(string)) || rate["threshold"] != 5.0 {
		t.Errorf("dhanam-api-high-error-rate is not 5xx / requests on the api target group (%v): %s", tg, q)
	}
	if d, _ := alarms["dhanam-api-high-response-time"]["dimensions"].(map[string]any); d["TargetGroup"] != tg {
		t.Errorf("dhanam-api-high-response-time dimensions %v, want the api target group", d)
	}
	checks := map[string]map[string]any{}
	for _, hc := range e.ByType(tokens.Route53HealthCheck) {
		if p, ok := hc.In()["resourcePath"].(string); ok {
			checks[p] = hc.In()
		}
	}
	if c := checks["/health/database"]; c == nil || c["fqdn"] != "api.dhanam.io" || c["type"] != "HTTPS_STR_MATCH" || c["searchString"] != `"status": "healthy"` {
		t.Errorf("/health/database check = %v", c)
	}
	if c := checks["/health/providers"]; c == nil || c["fqdn"] != "api.dhanam.io" || c["type"] != "HTTPS" {
		t.Errorf("/health/providers check = %v", c)
	}
	var body string
	for _, d := range e.ByType(tokens.CloudWatchDashboard) {
		body = d.In()["dashboardBody"].(string)
	}
	for _, want := range []string{"Requests per minute (per service)", "Error rate % (target 5xx / requests, per service)", "Health checks (1 = healthy)"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
}

// NEXT_PUBLIC_* reach the web image at build time, not its tasks (issue 16
// item 9); every task gets PORT, the port its target group sends to (item
// 10), in all four stacks.
func TestBuildArgsAndPorts(t *testing.T) {
	t.Parallel()
	r := synthesize(t, dhanamDir, "prod")
	cmds, _ := r.Outputs["buildCommands"].(map[string]any)
	web, _ := cmds["web"].(string)
	for _, want := range []string{"-f infra/docker/Dockerfile.web", "--build-arg NEXT_PUBLIC_API_URL='https://api.dhanam.io'",
		"--build-arg NEXT_PUBLIC_SUPPORTED_LOCALES='en,es'", `--build-arg NEXT_PUBLIC_POSTHOG_KEY="$(aws secretsmanager get-secret-value`, ":v1.0.0 ."} {
		if !strings.Contains(web, want) {
			t.Errorf("buildCommands.web lacks %q: %s", want, web)
		}
	}
	for k := range containerEnv(t, r, "web") {
		if strings.HasPrefix(k, "NEXT_PUBLIC_") {
			t.Errorf("the web task still gets %s at run time", k)
		}
	}
	for _, st := range []struct{ dir, stack string }{{root, "prod"}, {root, "dr"}, {dhanamDir, "prod"}, {dhanamDir, "dr"}} {
		res := synthesize(t, st.dir, st.stack)
		for _, td := range res.Engine.ByType(tokens.ECSTaskDefinition) {
			var defs []struct {
				Name         string
				Environment  []struct{ Name, Value string }
				PortMappings []struct{ ContainerPort int }
			}
			if err := json.Unmarshal([]byte(td.In()["containerDefinitions"].(string)), &defs); err != nil {
				t.Fatal(err)
			}
			for _, d := range defs {
				if len(d.PortMappings) == 0 {
					continue // a migration task listens on nothing
				}
				port := ""
				for _, v := range d.Environment {
					if v.Name == "PORT" {
						port = v.Value
					}
				}
				if port != strconv.Itoa(d.PortMappings[0].ContainerPort) {
					t.Errorf("%s/%s %s: PORT %q, container port %d", st.dir, st.stack, td.Name, port, d.PortMappings[0].ContainerPort)
				}
			}
		}
	}
}

// Email (issue 16 item 8): each stack has its own SES identity for
// dhanam.io with Easy DKIM records in the zone and a configuration set, and
// the API talks to its own Region's SMTP endpoint, so dr sends mail from
// us-west-2 after a failover.
func TestDhanamEmailPerRegion(t *testing.T) {
	t.Parallel()
	for stack, region := range map[string]string{"prod": "us-east-1", "dr": "us-west-2"} {
		r := synthesize(t, dhanamDir, stack)
		r.Engine.HasResource(t, tokens.SESv2EmailIdentity, mockengine.Props{"emailIdentity": "dhanam.io", "configurationSetName": mockengine.Present})
		dkim := 0
		for _, rec := range r.Engine.ByType(tokens.Route53Record) {
			if strings.HasPrefix(rec.Name, "ses-dkim-") && rec.In()["type"] == "CNAME" {
				dkim++
			}
		}
		if dkim != 3 {
			t.Errorf("%s: %d DKIM CNAMEs, want 3 (Easy DKIM)", stack, dkim)
		}
		if h := containerEnv(t, r, "api")["SMTP_HOST"]; h != "email-smtp."+region+".amazonaws.com" {
			t.Errorf("%s: SMTP_HOST = %q, want %s's endpoint", stack, h, region)
		}
	}
}
