package policy

import (
	"encoding/json"
	"strings"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

// awsSESRules: an SES SMTP password is derived from an IAM secret access
// key and the Region (HMAC-SHA256 over the Region among other values), so
// it authenticates only at that Region's SMTP endpoint.
func awsSESRules() []Rule {
	return []Rule{
		{
			ID: "ses-smtp-password-region", Severity: High, Category: CategoryAWSConstraint, Types: []string{ecsTask},
			Title:  "A task's SMTP_PASS comes from a secret this stack creates in the task's own Region (an SES SMTP password is valid in one Region only)",
			Source: "https://docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html",
			Check: func(r *mockengine.Resource, x Index) []string {
				if r.Region == "" {
					return nil
				}
				var out []string
				for _, from := range containerSecrets(x.In(r), config.SMTPPassVariable) {
					arn, ok := secretARNOf(from)
					if !ok {
						continue // a parameter name or an unknown value: nothing to compare
					}
					region := strings.Split(arn, ":")[3]
					fix := "derive the password for " + r.Region + " into a secret this stack owns there (data.ses.smtpCredentials, uses ses:smtp)"
					if region != r.Region {
						out = append(out, problem(r, config.SMTPPassVariable+" is read from "+arn+" in "+region+", but the task runs in "+r.Region+
							" and an SES SMTP password derived for one Region is refused by every other Region's endpoint", fix))
						continue
					}
					own := false
					for _, s := range x.ByRef(arn) {
						own = own || (s.Type == secret && s.Region == r.Region)
					}
					if !own {
						out = append(out, problem(r, config.SMTPPassVariable+" is read from "+arn+", which is no secret this stack creates in "+r.Region+
							" (a replica of another Region's secret holds that Region's SMTP password)", fix))
					}
				}
				return out
			},
		},
	}
}

// containerSecrets are the valueFrom of every container secret named name
// in a task definition's inputs.
func containerSecrets(in map[string]any, name string) []string {
	var containers []map[string]any
	if s := str(in["containerDefinitions"]); known(s) {
		_ = json.Unmarshal([]byte(s), &containers)
	}
	var out []string
	for _, c := range containers {
		for _, s := range list(c["secrets"]) {
			if str(get(s, "name")) == name {
				out = append(out, str(get(s, "valueFrom")))
			}
		}
	}
	return out
}

// secretARNOf is the Secrets Manager secret ARN of an ECS valueFrom
// ("<arn>" or "<arn>:<json-key>:<version-stage>:<version-id>"); false when
// valueFrom is no known Secrets Manager ARN.
func secretARNOf(valueFrom string) (string, bool) {
	parts := strings.Split(valueFrom, ":")
	if !known(valueFrom) || len(parts) < 7 || parts[0] != "arn" || parts[2] != "secretsmanager" || parts[5] != "secret" {
		return "", false
	}
	return strings.Join(parts[:7], ":"), true
}
