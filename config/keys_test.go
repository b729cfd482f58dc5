package config

import (
	"strings"
	"testing"
)

// Application keys and optional secrets: every bad value is refused before
// anything is registered, naming its key path and what is valid.
func TestKeysAndOptionalSecrets(t *testing.T) {
	t.Parallel()
	const fleet = `{"alb":{"ingress":"public"},"services":[{"name":"api","image":{"tag":"v1"},"cpu":256,"memory":512,"min":1,"max":2,
		"uses":%s,"secrets":["SENTRY_DSN","PLAID_SECRET"]}]}`
	withFleet := func(uses string) func(m map[string]string) {
		return func(m map[string]string) { m["dbay:fleet"] = strings.Replace(fleet, "%s", uses, 1) }
	}
	secrets := func(items, keys string) func(m map[string]string) {
		return func(m map[string]string) {
			m["dbay:secrets"] = `{"items":` + items + `,"keys":` + keys + `}`
		}
	}
	const items = `{"SENTRY_DSN":{"source":"external","optional":true},"PLAID_SECRET":{"source":"external"}}`
	tests := []struct {
		name  string
		edits []func(m map[string]string)
		want  []at // the errors wanted (path and kind); nil: valid
	}{
		{"a key used by a service", []func(map[string]string){secrets(items, `{"app":{"envVar":"ENCRYPTION_KEY"}}`), withFleet(`["key:app"]`)}, nil},
		{"an undeclared key", []func(map[string]string){secrets(items, `{}`), withFleet(`["key:app"]`)},
			[]at{{"dbay:fleet.services[0].uses[0]", KindInvalid}}},
		{"bad key name and variable", []func(map[string]string){secrets(items, `{"App_Key":{"envVar":"encryption-key"},"b":{"envVar":"AWS_ACCESS_KEY_ID"}}`)},
			[]at{{"dbay:secrets.keys.App_Key", KindInvalid}, {"dbay:secrets.keys.App_Key.envVar", KindInvalid},
				{"dbay:secrets.keys.b.envVar", KindForbidden}}},
		{"two keys, one variable", []func(map[string]string){secrets(items, `{"a":{"envVar":"ENCRYPTION_KEY"},"b":{"envVar":"ENCRYPTION_KEY"}}`)},
			[]at{{"dbay:secrets.keys.b.envVar", KindInvalid}}},
		{"a key variable a secret also sets", []func(map[string]string){secrets(`{"ENCRYPTION_KEY":{"source":"external"}}`, `{"a":{"envVar":"ENCRYPTION_KEY"}}`)},
			[]at{{"dbay:secrets.keys.a.envVar", KindInvalid}}},
		{"the key variable typed in env too", []func(map[string]string){secrets(items, `{"app":{"envVar":"ENCRYPTION_KEY"}}`), func(m map[string]string) {
			m["dbay:fleet"] = strings.Replace(strings.Replace(fleet, "%s", `["key:app"]`, 1), `"min":1`, `"env":{"ENCRYPTION_KEY":"x"},"min":1`, 1)
		}}, []at{{"dbay:fleet.services[0].env.ENCRYPTION_KEY", KindInvalid}}},
		{"optional generated and provided required", []func(map[string]string){secrets(`{"JWT_SECRET":{"source":"generated","optional":true},"PLAID_SECRET":{"source":"external","provided":true}}`, `{}`)},
			[]at{{"dbay:secrets.items.JWT_SECRET.optional", KindForbidden},
				{"dbay:secrets.items.PLAID_SECRET.provided", KindForbidden}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, errs := load(t, func(m map[string]string) {
				for _, e := range tt.edits {
					e(m)
				}
			})
			wantFieldErrors(t, errs, tt.want)
			if errs != nil {
				return
			}
			if tt.want == nil && cfg.Secrets.Keys["app"].Description == "" {
				t.Error("no default description")
			}
		})
	}
}

// Injected: a required secret always, an optional one once provided;
// a key's variable defaults to <NAME>_KEY_ARN.
func TestInjectedAndKeyDefaults(t *testing.T) {
	t.Parallel()
	s := Secrets{Items: map[string]SecretItem{
		"REQ": {Source: SourceExternal}, "OPT": {Source: SourceExternal, Optional: true},
		"ON": {Source: SourceExternal, Optional: true, Provided: true},
	}, Keys: map[string]AppKey{"field-crypt": {}}}
	s.applyDefaults()
	for name, want := range map[string]bool{"REQ": true, "OPT": false, "ON": true, "MISSING": false} {
		if s.Injected(name) != want {
			t.Errorf("Injected(%s) = %v, want %v", name, !want, want)
		}
	}
	if got := s.Keys["field-crypt"].EnvVar; got != "FIELD_CRYPT_KEY_ARN" {
		t.Errorf("default envVar = %s", got)
	}
	if got := s.UsableKeys()["key:field-crypt"]; len(got) != 1 || got[0] != "FIELD_CRYPT_KEY_ARN" {
		t.Errorf("UsableKeys = %v", s.UsableKeys())
	}
}
