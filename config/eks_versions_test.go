package config

import (
	"strings"
	"testing"
	"time"
)

// The calendar is well formed: versions ascend, dates parse, extended
// support is 12 months after standard support (AWS's rule), and every row
// cites an https source.
func TestEKSVersionCalendar(t *testing.T) {
	t.Parallel()
	prev := EKSVersion{}
	for _, v := range EKSVersionCalendar {
		released, err := time.Parse(time.DateOnly, v.Released)
		if err != nil {
			t.Errorf("%s: Released %q: %v", v.Version, v.Released, err)
			continue
		}
		if !strings.HasPrefix(v.Source, "https://") {
			t.Errorf("%s: source %q", v.Version, v.Source)
		}
		if got := v.EndTime().AddDate(1, 0, 0); !got.Equal(v.ExtendedEndTime()) {
			t.Errorf("%s: extended support ends %s, want 12 months after %s", v.Version, v.ExtendedEnd, v.End)
		}
		// 14 months of standard support, give or take the days AWS rounds.
		if d := v.EndTime().Sub(released.AddDate(0, 14, 0)); d < -72*time.Hour || d > 72*time.Hour {
			t.Errorf("%s: standard support %s..%s is not 14 months", v.Version, v.Released, v.End)
		}
		if prev.Version != "" && !(v.Released > prev.Released && v.Version > prev.Version) {
			t.Errorf("%s after %s: not in release order", v.Version, prev.Version)
		}
		prev = v
	}
}

// On 2026-12-05 (when the default was chosen) the default is in standard
// support and no other version in standard support lasts longer.
func TestDefaultEKSVersionHasTheLongestSupport(t *testing.T) {
	t.Parallel()
	chosen := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	def, ok := LookupEKSVersion(DefaultEKSVersion)
	if !ok {
		t.Fatalf("DefaultEKSVersion %s is not in EKSVersionCalendar", DefaultEKSVersion)
	}
	if !chosen.Before(def.EndTime()) {
		t.Errorf("default %s left standard support on %s", def.Version, def.End)
	}
	for _, v := range EKSVersionCalendar {
		if chosen.Before(v.EndTime()) && v.EndTime().After(def.EndTime()) {
			t.Errorf("%s is in standard support until %s, longer than the default %s (%s)", v.Version, v.End, def.Version, def.End)
		}
	}
}

func TestCheckEKSVersion(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time { return date(s) }
	for _, tt := range []struct {
		version, on, want string // want "" when EKS creates it
	}{
		{"1.31", "2026-11-25", ""},
		{"1.31", "2026-11-26", "reached the end of EKS extended support on 2026-11-26"},
		{"1.31", "2026-12-05", "reached the end of EKS extended support"},
		{"1.34", "2026-12-05", ""}, // extended support: still created (at extended-support prices)
		{"1.36", "2026-12-05", ""},
		{"1.36", "2028-08-02", "reached the end"},
		{"1.37", "2026-12-05", "not a Kubernetes version in EKS's release calendar"},
		{"1.3", "2026-12-05", "not a Kubernetes version"},
	} {
		got := checkEKSVersion(tt.version, day(tt.on))
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("checkEKSVersion(%s, %s) = %q, want %q", tt.version, tt.on, got, tt.want)
		}
	}
	if got := strings.Join(CreatableEKSVersions(day("2026-12-05")), ","); got != "1.32,1.33,1.34,1.35,1.36" {
		t.Errorf("creatable on 2026-12-05: %s", got)
	}
	// The error names the key path and every version EKS still creates.
	var c collector
	validateEKSVersion(&c, "fleet.eks.version", "1.31", day("2026-12-05"))
	errs := c.sorted()
	if len(errs) != 1 || errs[0].Path != "fleet.eks.version" ||
		!strings.Contains(errs[0].Valid, "use one of 1.32, 1.33, 1.34, 1.35, 1.36 (default "+DefaultEKSVersion) {
		t.Errorf("errors = %v", errs)
	}
}
