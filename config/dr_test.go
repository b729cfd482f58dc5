package config

import (
	"testing"
	"time"

	"github.com/dbay/infra/dr"
)

func recovery(m map[string]string) {
	m["aws:region"] = "us-west-2"
	m["dbay:role"] = "recovery"
	m["dbay:network"] = `{"cidr":"10.1.0.0/16","peerCidr":"10.0.0.0/16"}`
	m["dbay:dr"] = `{"primaryStack":"organization/dbay/prod","primaryRegion":"us-east-1"}`
}

func TestDRPolicyDefaultsToTheSeed(t *testing.T) {
	t.Parallel()
	cfg, errs := load(t, nil)
	if errs != nil {
		t.Fatal(errs)
	}
	// Dhanam "Disaster Recovery": RTO 4 hours, RPO 1 hour.
	if got := cfg.DR.Policy(); got != (dr.Policy{RPO: time.Hour, RTO: 4 * time.Hour}) {
		t.Errorf("policy = %v, want RPO 1h, RTO 4h", got)
	}
}

func TestDRConfigErrors(t *testing.T) {
	t.Parallel()
	stores := func(m map[string]string) {
		m["dbay:drRegion"] = "us-west-2"
		m["dbay:data"] = `{"postgres":{},"buckets":{"images":{}}}`
	}
	tests := []struct {
		name string
		edit func(m map[string]string)
		want []at // the errors wanted (path and kind); nil: must pass
	}{
		{"recovery stack without a primary", func(m map[string]string) {
			recovery(m)
			m["dbay:dr"] = `{}`
		}, []at{
			{"dbay:dr.primaryRegion", KindRequired},
			{"dbay:dr.primaryStack", KindRequired},
		}},
		{"recovery into the primary's region", func(m map[string]string) {
			recovery(m)
			m["dbay:dr"] = `{"primaryStack":"organization/dbay/prod","primaryRegion":"us-west-2"}`
		}, []at{{"dbay:dr.primaryRegion", KindInvalid}}},
		{"short stack name", func(m map[string]string) {
			recovery(m)
			m["dbay:dr"] = `{"primaryStack":"prod","primaryRegion":"us-east-1"}`
		}, []at{{"dbay:dr.primaryStack", KindInvalid}}},
		{"primary names a primary", func(m map[string]string) {
			m["dbay:dr"] = `{"primaryStack":"organization/dbay/prod"}`
		}, []at{{"dbay:dr.primaryStack", KindForbidden}}},
		{"RPO no bucket mechanism meets", func(m map[string]string) {
			stores(m)
			m["dbay:dr"] = `{"rpo":"10m"}`
		}, []at{{"dbay:dr.rpo", KindInvalid}}},
		{"RTO no postgres mechanism meets", func(m map[string]string) {
			stores(m)
			m["dbay:dr"] = `{"rto":"20m"}`
		}, []at{{"dbay:dr.rto", KindInvalid}}},
		{"user pools need an accepted risk", func(m map[string]string) {
			m["dbay:drRegion"] = "us-west-2"
			m["dbay:auth"] = `{}`
		}, []at{{"dbay:dr.rpo", KindInvalid}}},
		{"a recovery stack fenced", func(m map[string]string) {
			recovery(m)
			m["dbay:dr"] = `{"primaryStack":"organization/dbay/prod","primaryRegion":"us-east-1","fenced":true}`
		}, []at{{"dbay:dr.fenced", KindForbidden}}},
		{"a primary fenced without a recovery region", func(m map[string]string) {
			m["dbay:dr"] = `{"fenced":true}`
		}, []at{{"dbay:dr.fenced", KindRequired}}},
		{"fenced is a boolean", func(m map[string]string) {
			m["dbay:drRegion"] = "us-west-2"
			m["dbay:dr"] = `{"fenced":"yes"}`
		}, []at{{"dbay:dr.fenced", KindInvalid}}},
		{"bad durations and acceptances", func(m map[string]string) {
			m["dbay:dr"] = `{"rpo":"an hour","rto":"-1h","accept":{"users":"because we can live with it","userpool":"ok"}}`
		}, []at{
			{"dbay:dr.rpo", KindInvalid},
			{"dbay:dr.rto", KindInvalid},
			{"dbay:dr.accept.users", KindInvalid},
			{"dbay:dr.accept.userpool", KindInvalid},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errs := load(t, tt.edit)
			wantFieldErrors(t, errs, tt.want)
		})
	}
}

// A fenced primary stops its writers and says 1 to the failover switch; an
// active recovery stack says 1; a primary or a standby recovery stack 0.
func TestFencedAndSwitch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                    string
		edit                    func(m map[string]string)
		fenced, quiet, switchOn bool
	}{
		{"primary", func(m map[string]string) { m["dbay:drRegion"] = "us-west-2" }, false, false, false},
		{"fenced primary", func(m map[string]string) {
			m["dbay:drRegion"] = "us-west-2"
			m["dbay:dr"] = `{"fenced":true}`
		}, true, true, true},
		{"recovery on standby", recovery, false, true, false},
		{"active recovery", func(m map[string]string) {
			recovery(m)
			m["dbay:fleet"] = `{"standby":"active","alb":{"ingress":"public"},"services":[{"name":"api","image":{"tag":"v1"},"cpu":256,"memory":512,"min":1,"max":2}]}`
		}, false, false, true},
	} {
		cfg, errs := load(t, tc.edit)
		if errs != nil {
			t.Fatalf("%s: %v", tc.name, errs)
		}
		if cfg.Fenced() != tc.fenced || cfg.Quiet() != tc.quiet || cfg.SwitchOn() != tc.switchOn {
			t.Errorf("%s: fenced %v quiet %v switch %v, want %v %v %v", tc.name, cfg.Fenced(), cfg.Quiet(), cfg.SwitchOn(), tc.fenced, tc.quiet, tc.switchOn)
		}
	}
}

func TestDRAcceptedRiskAndMeetablePolicyPass(t *testing.T) {
	t.Parallel()
	_, errs := load(t, func(m map[string]string) {
		m["dbay:drRegion"] = "us-west-2"
		m["dbay:auth"] = `{}`
		m["dbay:data"] = `{"postgres":{},"documentdb":{},"redis":{},"buckets":{"images":{}}}`
		m["dbay:dr"] = `{"rpo":"15m","rto":"1h","accept":{"userpool":"users register again after a regional failover"}}`
	})
	if errs != nil {
		t.Fatal(errs)
	}
	if _, errs := load(t, recovery); errs != nil {
		t.Fatal(errs)
	}
}
