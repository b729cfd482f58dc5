package wiring

import (
	"encoding/json"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/tokens"
)

// sesSMTP (uses ses:smtp): SMTP_USER and SMTP_PASS are read from the
// stack's own SES SMTP credentials secret, whose username is the SMTP
// user's access key id and whose password is that key's SMTP password for
// the secret's own Region (the one SMTP_HOST names, when set); its reader
// may GetSecretValue and decrypt with its key; a route to Secrets Manager.
func (c *checker) sesSMTP(k *consumer) aspects {
	sec := c.named(typeSecret, string(datalayer.SESSMTP)+"-credentials")
	key := c.named(tokens.IAMAccessKey, "ses-smtp")
	if sec == nil || key == nil {
		msg := "no SES SMTP credentials (secret and access key) in the stack"
		return aspects{network: msg, iam: msg, credentials: msg}
	}
	arn := str(sec.Out()["arn"])
	a := aspects{network: c.secretsRoute(k)}
	a.iam = first(c.allow(&a, k.secretRole, k.secretWaiter, arn, "secretsmanager:GetSecretValue"),
		c.allow(&a, k.secretRole, k.secretWaiter, str(c.x.In(sec)["kmsKeyId"]), "kms:Decrypt"))
	var value map[string]string
	if json.Unmarshal([]byte(secretValue(c, sec)), &value) != nil {
		a.credentials = sec.Name + " is not a JSON object of strings"
		return a
	}
	want := map[string]string{
		datalayer.SMTPUsernameKey: str(key.Out()["id"]),
		datalayer.SMTPPasswordKey: datalayer.SMTPPassword(str(key.Out()["secret"]), sec.Region),
	}
	a.credentials = OK
	for _, vf := range [][2]string{{config.SMTPUserVariable, datalayer.SMTPUsernameKey}, {config.SMTPPassVariable, datalayer.SMTPPasswordKey}} {
		v, field := vf[0], vf[1]
		switch ref, ok := k.secrets[v]; {
		case !ok || ref.arn != arn || ref.key != field:
			a.credentials = first(a.credentials, "no variable "+v+" read from key "+field+" of "+sec.Name)
		case value[field] != want[field]:
			a.credentials = first(a.credentials, field+" of "+sec.Name+" is not the access key's (the "+field+" for "+sec.Region+")")
		}
	}
	if host, set := k.env["SMTP_HOST"]; set && host != "email-smtp."+sec.Region+".amazonaws.com" {
		a.credentials = first(a.credentials, "SMTP_HOST "+host+" is not the SMTP endpoint of "+sec.Region+", where the password is valid")
	}
	return a
}
