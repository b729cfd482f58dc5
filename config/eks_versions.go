package config

import (
	"fmt"
	"strings"
	"time"
)

// Sources of the EKS version calendar.
const (
	// eksCalendarSource is AWS's Kubernetes release calendar for EKS: each
	// minor version has 14 months of standard support from its EKS release
	// and 12 more of extended support; "On the end of extended support
	// date, you can no longer create new Amazon EKS clusters with the
	// unsupported version".
	eksCalendarSource = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html"
	// eksEndOfLifeSource mirrors the calendar, including versions the
	// stored copy of AWS's page predates (1.35).
	eksEndOfLifeSource = "https://endoflife.date/amazon-eks"
	// eks136Source: AWS's release notes list "Kubernetes 1.36 is now
	// available in Amazon EKS"; its EKS release date (2026-06-02, hence
	// standard support to 2027-08-02 by the 14-month rule) is from
	// https://devopsdreams.blogspot.com/2026/08/kubernetes-136-on-amazon-eks-upgrade.html.
	eks136Source = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html"
)

// EKSVersion is one Kubernetes minor version on EKS and its support dates
// (UTC, "YYYY-MM-DD"). End is the end of standard support: from that day a
// cluster on it costs extended-support fees, so a default must move on
// before it. ExtendedEnd is the end of extended support: from that day EKS
// creates no cluster on it and upgrades existing control planes itself, so
// validation refuses it.
type EKSVersion struct {
	Version     string
	Released    string // EKS release
	End         string // end of standard support
	ExtendedEnd string // end of extended support
	Source      string
}

// EKSVersionCalendar are the Kubernetes versions EKS has released, oldest
// first, with their support dates. fleet.eks.version must be one whose
// extended support has not ended; DefaultEKSVersion is the one in standard
// support with the longest support left when this table was last checked
// (2026-12-05). A new row needs an AWS source; a test fails 90 days
// before the default's End.
var EKSVersionCalendar = []EKSVersion{
	{Version: "1.29", Released: "2024-01-23", End: "2025-03-23", ExtendedEnd: "2026-03-23", Source: eksCalendarSource},
	{Version: "1.30", Released: "2024-05-23", End: "2025-07-23", ExtendedEnd: "2026-07-23", Source: eksCalendarSource},
	{Version: "1.31", Released: "2024-09-26", End: "2025-11-26", ExtendedEnd: "2026-11-26", Source: eksCalendarSource},
	{Version: "1.32", Released: "2025-01-23", End: "2026-03-23", ExtendedEnd: "2027-03-23", Source: eksCalendarSource},
	{Version: "1.33", Released: "2025-05-29", End: "2026-07-29", ExtendedEnd: "2027-07-29", Source: eksCalendarSource},
	{Version: "1.34", Released: "2025-10-02", End: "2026-12-02", ExtendedEnd: "2027-12-02", Source: eksCalendarSource},
	{Version: "1.35", Released: "2026-01-28", End: "2027-03-27", ExtendedEnd: "2028-03-27", Source: eksEndOfLifeSource},
	{Version: "1.36", Released: "2026-06-02", End: "2027-08-02", ExtendedEnd: "2028-08-02", Source: eks136Source},
}

// LookupEKSVersion returns the calendar row of a version.
func LookupEKSVersion(version string) (EKSVersion, bool) {
	for _, v := range EKSVersionCalendar {
		if v.Version == version {
			return v, true
		}
	}
	return EKSVersion{}, false
}

// date parses a calendar date; the table is checked by tests, so a bad
// date is a programming error.
func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(fmt.Sprintf("config: EKS calendar date %q: %v", s, err))
	}
	return t
}

// EndTime and ExtendedEndTime are End and ExtendedEnd at 00:00 UTC.
func (v EKSVersion) EndTime() time.Time         { return date(v.End) }
func (v EKSVersion) ExtendedEndTime() time.Time { return date(v.ExtendedEnd) }

// CreatableEKSVersions are the versions EKS still creates clusters on at
// `on` (extended support not over), oldest first.
func CreatableEKSVersions(on time.Time) []string {
	var out []string
	for _, v := range EKSVersionCalendar {
		if on.Before(v.ExtendedEndTime()) {
			out = append(out, v.Version)
		}
	}
	return out
}

// checkEKSVersion is "" when EKS creates clusters on version at `on`, and
// the problem otherwise.
func checkEKSVersion(version string, on time.Time) string {
	v, ok := LookupEKSVersion(version)
	switch {
	case !ok:
		return fmt.Sprintf("%q is not a Kubernetes version in EKS's release calendar", version)
	case !on.Before(v.ExtendedEndTime()):
		return fmt.Sprintf("%s reached the end of EKS extended support on %s: EKS creates no cluster on it and upgrades existing ones itself (%s)",
			version, v.ExtendedEnd, v.Source)
	}
	return ""
}

// validateEKSVersion records a version EKS no longer creates (or never
// released), naming the versions it does.
func validateEKSVersion(c *collector, path, version string, on time.Time) {
	if problem := checkEKSVersion(version, on); problem != "" {
		c.notSupported(path, version, problem, fmt.Sprintf("use one of %s (default %s, in standard support until %s)",
			strings.Join(CreatableEKSVersions(on), ", "), DefaultEKSVersion, defaultEKSEnd()))
	}
}

func defaultEKSEnd() string { return eksDefaultRow().End }
