package config

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// backupCronRe is an AWS cron expression: six fields inside cron(...).
var backupCronRe = regexp.MustCompile(`^cron\((\S+ ){5}\S+\)$`)

// Monitoring configures the Monitoring component: the alert topic and its
// subscribers, alarm thresholds, the dashboard and AWS Backup.
type Monitoring struct {
	// Emails subscribed to the alert topic (they confirm by mail). Absent: none.
	Emails []string `json:"emails"`
	// PagerURLs are HTTPS endpoints (a pager's integration URL) subscribed
	// to the alert topic. Absent: none.
	PagerURLs []string `json:"pagerUrls"`
	// Alarms overrides an alarm kind's threshold or turns it off, by kind
	// (see AlarmKinds, e.g. "rds.cpu": {threshold: 75}). Absent: the defaults.
	Alarms map[string]AlarmOverride `json:"alarms"`
	// Backup configures AWS Backup. Absent: on, with the defaults below.
	Backup Backup `json:"backup"`
}

// AlarmOverride changes one alarm kind for the whole stack.
type AlarmOverride struct {
	// Threshold replaces the kind's default. Absent: the default.
	Threshold *float64 `json:"threshold"`
	// Disabled drops the kind's alarms. Absent: false.
	Disabled bool `json:"disabled"`
	// Periods is how many evaluation periods must breach: 1..100. Absent: the default.
	Periods int `json:"periods"`
}

// Backup configures the AWS Backup vault and plan.
type Backup struct {
	// Enabled creates the vault, plan and selection. Absent: true.
	Enabled *bool `json:"enabled"`
	// RetentionDays of the daily recovery points: 1..35 with continuous
	// backup. Absent: 30 (Dhanam "Backup and Recovery").
	RetentionDays int `json:"retentionDays"`
	// Schedule of the daily rule (cron, UTC). Absent: cron(0 3 * * ? *), the
	// seed's 03:00 backup window.
	Schedule string `json:"schedule"`
	// CopyToRegion receives a copy of every recovery point. Absent: none;
	// the primary stack sets the DR region.
	CopyToRegion string `json:"copyToRegion"`
	// VaultLock puts the vault in compliance mode (recovery points cannot be
	// deleted before their retention ends, not even by root). Absent: false.
	VaultLock bool `json:"vaultLock"`
}

// Threshold is the effective threshold and periods of an alarm kind, and
// whether it is on. An unknown kind is an error (CheckAlarmKind).
func (m Monitoring) Threshold(kind AlarmKind) (threshold float64, periods int, on bool, err error) {
	if err := CheckAlarmKind(kind, false); err != nil {
		return 0, 0, false, err
	}
	def := AlarmKinds[kind]
	threshold, periods = def.Threshold, def.Periods
	if o, ok := m.Alarms[string(kind)]; ok {
		if o.Disabled {
			return 0, 0, false, nil
		}
		if o.Threshold != nil {
			threshold = *o.Threshold
		}
		if o.Periods != 0 {
			periods = o.Periods
		}
	}
	return threshold, periods, true, nil
}

// BackupEnabled reports whether AWS Backup is on.
func (b Backup) BackupEnabled() bool { return b.Enabled == nil || *b.Enabled }

func (m *Monitoring) applyDefaults() {
	defInt(&m.Backup.RetentionDays, DefaultBackupRetentionDays)
	def(&m.Backup.Schedule, "cron(0 3 * * ? *)")
}

func (m Monitoring) validate(c *collector, region string) {
	for i, e := range m.Emails {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			c.invalidf(fmt.Sprintf("monitoring.emails[%d]", i), e, "use a bare address such as oncall@example.com", "%q is not an email address", e)
		}
	}
	for i, u := range m.PagerURLs {
		if p, err := url.Parse(u); err != nil || p.Scheme != "https" || p.Host == "" {
			c.invalidf(fmt.Sprintf("monitoring.pagerUrls[%d]", i), u, "use an https:// URL", "%q is not an HTTPS endpoint", u)
		}
	}
	kinds := make([]string, 0, len(m.Alarms))
	for k := range m.Alarms {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		path := "monitoring.alarms." + k
		if _, ok := AlarmKinds[AlarmKind(k)]; !ok {
			c.invalid(path, k, "is not an alarm kind", suggest(k, AlarmKindNames()))
			continue
		}
		o := m.Alarms[k]
		if strings.HasPrefix(k, "security.") && (o.Disabled || o.Threshold != nil || o.Periods > 1) {
			c.forbidden(path, "is a security alarm: every event pages", "remove the override (a single-reader secret's reads and changes are always alarmed, at once)")
			continue
		}
		if o.Threshold != nil && *o.Threshold < 0 {
			c.invalidf(path+".threshold", *o.Threshold, "use 0 or more", "%v is negative", *o.Threshold)
		}
		if o.Periods < 0 || o.Periods > 100 {
			c.invalidf(path+".periods", o.Periods, "use 1..100", "%d periods is outside 1..100", o.Periods)
		}
	}
	b := m.Backup
	if b.RetentionDays < 1 || b.RetentionDays > 35 {
		c.invalidf("monitoring.backup.retentionDays", b.RetentionDays, "use 1..35 (continuous backup keeps at most 35 days)", "%d days is outside 1..35", b.RetentionDays)
	}
	if b.CopyToRegion != "" {
		switch {
		case !IsAWSRegion(b.CopyToRegion):
			c.invalidf("monitoring.backup.copyToRegion", b.CopyToRegion, "use an AWS region such as us-west-2", "%q is not an AWS region", b.CopyToRegion)
		case b.CopyToRegion == region:
			c.invalid("monitoring.backup.copyToRegion", b.CopyToRegion, "is the stack's own region", "copy to the DR region")
		}
	}
	if !backupCronRe.MatchString(b.Schedule) {
		c.invalidf("monitoring.backup.schedule", b.Schedule, "use a cron expression such as cron(0 3 * * ? *)", "%q is not a valid backup schedule", b.Schedule)
	}
}
