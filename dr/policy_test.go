package dr

import (
	"testing"
	"time"
)

func TestHuman(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		0: "0", time.Hour: "1h", 4 * time.Hour: "4h", 15 * time.Minute: "15m", 30 * time.Minute: "30m",
		90 * time.Second: "1m30s", 2*time.Hour + 30*time.Minute: "2h30m", 10 * time.Second: "10s",
	} {
		if got := Human(d); got != want {
			t.Errorf("Human(%v) = %q, want %q", d, got, want)
		}
	}
}

// Every kind has a mechanism, and the seed's policy (RPO 1h, RTO 4h) is
// met by one for every kind but the user pool, which needs an acceptance.
func TestCatalogAgainstTheSeedPolicy(t *testing.T) {
	t.Parallel()
	for _, k := range Kinds {
		if len(For(k)) == 0 {
			t.Errorf("%s has no mechanism", k)
		}
		m, ok := Best(k, Default)
		if k == Users {
			if ok || !m.Unbounded || Unmet(k, Default) == "" {
				t.Errorf("user pools must not meet a bounded RPO: %+v", m)
			}
			continue
		}
		if !ok || Unmet(k, Default) != "" {
			t.Errorf("%s: no mechanism meets %s (best %s)", k, Default, m.ID)
		}
	}
	// PostgreSQL has two: the replica is preferred; the replicated backups
	// still meet 1h/4h when the replica is gone, but not an RTO of 1h.
	if m, _ := Best(Postgres, Default); m.ID != "rds-cross-region-replica" {
		t.Errorf("best postgres mechanism = %s", m.ID)
	}
	backups, _ := MechanismByID("rds-backup-replication")
	if !backups.Meets(Default) || backups.Meets(Policy{RPO: time.Hour, RTO: time.Hour}) {
		t.Errorf("rds-backup-replication (%s/%s) against 1h/4h and 1h/1h", backups.RPOText(), Human(backups.RTO))
	}
	if got := Unmet(Bucket, Policy{RPO: 10 * time.Minute, RTO: 4 * time.Hour}); got != "the best mechanism for bucket (s3-crr-rtc) gives RPO 15m, RTO 0" {
		t.Errorf("Unmet = %q", got)
	}
	seen := map[string]bool{}
	for _, m := range Catalog {
		if seen[m.ID] || m.Basis == "" || m.Summary == "" {
			t.Errorf("catalog entry %q: duplicate or undocumented", m.ID)
		}
		seen[m.ID] = true
	}
}
