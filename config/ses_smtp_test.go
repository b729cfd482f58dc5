package config

import (
	"reflect"
	"strings"
	"testing"
)

// With data.ses.smtpCredentials the program owns SMTP_USER and SMTP_PASS:
// ses:smtp sets them, and typing either under a service's secrets or env,
// or declaring it under secrets.items, is an error naming the key path and
// saying what to do instead. Without the option ses:smtp is not a use.
func TestSMTPCredentialsOwnTheirVariables(t *testing.T) {
	t.Parallel()
	items := map[string]SecretItem{"JWT_SECRET": {Source: SourceGenerated}, "SMTP_USER": {Source: SourceExternal}, "SMTP_PASS": {Source: SourceExternal}}
	fleet := func(uses, secrets, env string) string {
		return `{"alb": {"ingress": "vpclink"}, "services": [{"name": "api", "image": {"tag": "v1"}, "cpu": 512, "memory": 1024, "min": 2, "max": 4,
			"uses": ` + uses + `, "secrets": ` + secrets + `, "env": ` + env + `}]}`
	}
	tests := []struct {
		name, raw string
		smtp      bool
		want      []string // error paths and problems, in order; nil: valid
	}{
		{"owned", fleet(`["ses", "ses:smtp"]`, `["JWT_SECRET"]`, `{"SMTP_HOST": "email-smtp.${region}.amazonaws.com"}`), true, nil},
		{"typed twice", fleet(`["ses:smtp"]`, `["JWT_SECRET", "SMTP_USER", "SMTP_PASS"]`, `{}`), true, []string{
			"fleet.services[0].secrets[1]: SMTP_USER is owned by the program (data.ses.smtpCredentials",
			"fleet.services[0].secrets[2]: SMTP_PASS is owned by the program",
		}},
		{"plain secret without the use", fleet(`[]`, `["SMTP_PASS"]`, `{}`), true, []string{
			"fleet.services[0].secrets[0]: SMTP_PASS is owned by the program",
		}},
		{"in env", fleet(`["ses:smtp"]`, `[]`, `{"SMTP_PASS": "x"}`), true, []string{"fleet.services[0].env.SMTP_PASS: SMTP_PASS is owned by the program"}},
		{"option off", fleet(`["ses:smtp"]`, `["SMTP_USER"]`, `{}`), false, []string{`fleet.services[0].uses[0]: "ses:smtp" is not a store this stack has`}},
	}
	for _, tt := range tests {
		data := Data{SES: &SES{SMTPCredentials: tt.smtp}}
		_, err := LoadFleet("dhanam", "dhanam.io", tt.raw, data, Secrets{Items: items})
		var got []string
		if errs, ok := AsErrors(err); ok {
			for _, e := range errs {
				got = append(got, e.Error())
			}
		} else if err != nil {
			t.Fatalf("%s: not config errors: %v", tt.name, err)
		}
		if !matchErrors(t, tt.name, got, tt.want) {
			continue
		}
		if tt.name == "typed twice" && !strings.Contains(got[0], "remove it from fleet.services[0].secrets (and from secrets.items) and add ses:smtp to fleet.services[0].uses") {
			t.Errorf("the error does not say what to do: %q", got[0])
		}
	}

	// secrets.items: the external SMTP secrets are refused next to the option.
	_, err := Load(Source{Project: "dhanam", Stack: "prod", Values: map[string]string{
		"aws:region": "us-east-1", "dhanam:role": "primary", "dhanam:environment": "production", "dhanam:domain": "dhanam.io",
		"dhanam:tags": `{"owner":"o","cost-center":"c"}`, "dhanam:network": `{"cidr":"10.0.0.0/16"}`,
		"dhanam:data":    `{"ses":{"smtpCredentials":true}}`,
		"dhanam:secrets": `{"items":{"SMTP_USER":{"source":"external"},"SMTP_PASS":{"source":"external"}}}`,
	}})
	for _, v := range []string{"SMTP_USER", "SMTP_PASS"} {
		if want := "secrets.items." + v + ": " + v + " is owned by the program"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load err = %v, want %q", err, want)
		}
	}

	// ses:smtp sends on the SMTP port the service declares: no 443 for it.
	f := Fleet{}
	f.applyDefaults("dhanam")
	ro := true
	if got := f.InternetPorts(FleetService{Uses: []string{"ses:smtp"}, Egress: []string{"internet:587"}, ReadOnlyRootFilesystem: &ro}); !reflect.DeepEqual(got, []int{587}) {
		t.Errorf("InternetPorts(ses:smtp, internet:587) = %v, want [587]", got)
	}
}
