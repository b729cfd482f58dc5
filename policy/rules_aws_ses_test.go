package policy

import (
	"strings"
	"testing"

	"github.com/dbay/infra/internal/mockengine"
)

func init() { topicFixtureSets = append(topicFixtureSets, awsSESFixtures) }

const (
	smtpWest    = "arn:aws:secretsmanager:us-west-2:123456789012:secret:ses-smtp-credentials-c06bccd-VWcUVV"
	smtpEast    = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ses-smtp-credentials-7f817c4-dYeXdV"
	smtpReplica = "arn:aws:secretsmanager:us-west-2:123456789012:secret:dhanam/prod/SMTP_PASS-AbCdEf"
)

// smtpTask is a us-west-2 task definition whose api container reads
// SMTP_PASS from valueFrom.
func smtpTask(name, valueFrom string) *mockengine.Resource {
	return res(ecsTask, name, map[string]any{"containerDefinitions": jsonString(list1(map[string]any{"name": "api",
		"secrets": []any{map[string]any{"name": "SMTP_PASS", "valueFrom": valueFrom}, map[string]any{"name": "JWT_SECRET", "valueFrom": smtpReplica}}}))},
		inRegion("us-west-2"))
}

// awsSESFixtures: the dr stack's api reading its own us-west-2 secret
// passes; reading prod's us-east-1 secret, or prod's secret through its
// us-west-2 replica (the old Dhanam dr stack), fails.
func awsSESFixtures() map[string]fixture {
	own := res(secret, "ses-smtp-credentials", map[string]any{}, out("arn", smtpWest), inRegion("us-west-2"))
	return map[string]fixture{
		"ses-smtp-password-region": {
			good: one(own, smtpTask("api", smtpWest+":password::"), smtpTask("api-migrate", smtpWest)),
			bad:  one(own, smtpTask("api", smtpEast+":password::"), smtpTask("api-migrate", smtpReplica)),
		},
	}
}

// Each way of reading another Region's SMTP password is reported, with the
// ARN and the Regions named; the rule cites the SES page.
func TestSMTPPasswordRegionRule(t *testing.T) {
	t.Parallel()
	rule := ruleByID(t, "ses-smtp-password-region")
	if rule.Source != "https://docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html" {
		t.Errorf("source = %q", rule.Source)
	}
	rep := evaluate([]Rule{rule}, awsSESFixtures()["ses-smtp-password-region"].bad, nil, Options{})
	var msgs []string
	for _, v := range rep.Violations {
		msgs = append(msgs, v.Message)
	}
	all := strings.Join(msgs, "\n")
	if len(msgs) != 2 || !strings.Contains(all, smtpEast+" in us-east-1, but the task runs in us-west-2") ||
		!strings.Contains(all, smtpReplica+", which is no secret this stack creates in us-west-2") {
		t.Errorf("violations:\n%s", all)
	}
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{smtpWest + ":password::", smtpWest, true},
		{smtpWest, smtpWest, true},
		{"arn:aws:ssm:us-west-2:123456789012:parameter/smtp", "", false},
		{"SMTP_PASS", "", false},
	} {
		if got, ok := secretARNOf(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("secretARNOf(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
