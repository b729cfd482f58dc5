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
		want []string // whole error lines
	}{
		{"recovery stack without a primary", func(m map[string]string) {
			recovery(m)
			m["dbay:dr"] = `{}`
		}, []string{
			"dbay:dr.primaryRegion: is required in a recovery stack; name the primary stack's region, e.g. us-east-1",
			"dbay:dr.primaryStack: is required in a recovery stack; name the primary stack to recover, e.g. organization/dbay/prod",
		}},
		{"recovery into the primary's region", func(m map[string]string) {
			recovery(m)
			m["dbay:dr"] = `{"primaryStack":"organization/dbay/prod","primaryRegion":"us-west-2"}`
		}, []string{"dbay:dr.primaryRegion: the primary's region us-west-2 is the recovery stack's own (aws:region); deploy the recovery stack into another region than the primary"}},
		{"short stack name", func(m map[string]string) {
			recovery(m)
			m["dbay:dr"] = `{"primaryStack":"prod","primaryRegion":"us-east-1"}`
		}, []string{`dbay:dr.primaryStack: "prod" is not a fully qualified stack name; use organization/project/stack, e.g. organization/dbay/prod`}},
		{"primary names a primary", func(m map[string]string) {
			m["dbay:dr"] = `{"primaryStack":"organization/dbay/prod"}`
		}, []string{"dbay:dr.primaryStack: is set in a primary stack; remove dr.primaryStack and dr.primaryRegion: only a recovery stack reads a primary"}},
		{"RPO no bucket mechanism meets", func(m map[string]string) {
			stores(m)
			m["dbay:dr"] = `{"rpo":"10m"}`
		}, []string{"dbay:dr.rpo: RPO 10m, RTO 4h cannot be met for data.buckets: the best mechanism for bucket (s3-crr-rtc) gives RPO 15m, RTO 0; relax dr.rpo/dr.rto, remove data.buckets, or accept the risk with dr.accept.bucket and a reason"}},
		{"RTO no postgres mechanism meets", func(m map[string]string) {
			stores(m)
			m["dbay:dr"] = `{"rto":"20m"}`
		}, []string{"dbay:dr.rto: RPO 1h, RTO 20m cannot be met for data.postgres: the best mechanism for postgres (rds-cross-region-replica) gives RPO 15m, RTO 30m; relax dr.rpo/dr.rto, remove data.postgres, or accept the risk with dr.accept.postgres and a reason"}},
		{"user pools need an accepted risk", func(m map[string]string) {
			m["dbay:drRegion"] = "us-west-2"
			m["dbay:auth"] = `{}`
		}, []string{"dbay:dr.rpo: RPO 1h, RTO 4h cannot be met for auth: the best mechanism for userpool (cognito-standby-pool) gives RPO unbounded, RTO 30m; relax dr.rpo/dr.rto, remove auth, or accept the risk with dr.accept.userpool and a reason"}},
		{"a recovery stack fenced", func(m map[string]string) {
			recovery(m)
			m["dbay:dr"] = `{"primaryStack":"organization/dbay/prod","primaryRegion":"us-east-1","fenced":true}`
		}, []string{"dbay:dr.fenced: is set in a recovery stack; remove it: dr.fenced fences a primary (Pulumi.<primary>.yaml); a recovery stack takes over with fleet.standby: active"}},
		{"a primary fenced without a recovery region", func(m map[string]string) {
			m["dbay:dr"] = `{"fenced":true}`
		}, []string{"dbay:dr.fenced: needs drRegion; remove it, or set drRegion: a primary is fenced only after a failover to its recovery Region"}},
		{"fenced is a boolean", func(m map[string]string) {
			m["dbay:drRegion"] = "us-west-2"
			m["dbay:dr"] = `{"fenced":"yes"}`
		}, []string{`dbay:dr.fenced: expected a boolean, got string "yes"; use true or false`}},
		{"bad durations and acceptances", func(m map[string]string) {
			m["dbay:dr"] = `{"rpo":"an hour","rto":"-1h","accept":{"users":"because we can live with it","userpool":"ok"}}`
		}, []string{
			`dbay:dr.rpo: "an hour" is not a duration; use a Go duration such as 1h or 15m`,
			"dbay:dr.rto: -1h is not positive; use a positive duration such as 1h",
			`dbay:dr.accept.users: "users" is not a kind of store; use one of postgres, documentdb, redis, opensearch, memcached, bucket, secret, images, userpool`,
			"dbay:dr.accept.userpool: is too short to be a reason; write at least 20 characters: what is lost and why that is acceptable",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errs := load(t, tt.edit)
			wantErrorLines(t, errs, tt.want)
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
