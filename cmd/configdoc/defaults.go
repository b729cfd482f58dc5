package main

import (
	"regexp"
	"strings"
)

// Default is what absence of the key means, from its doc comment
// ("Absent: …"), "required", "required <condition>" (from a "Required in
// a recovery stack." sentence), or "" when the comment does not say.
func (k Key) Default() string {
	if m := absentRe.FindStringSubmatch(k.Doc); m != nil {
		return m[1]
	}
	if m := requiredWhenRe.FindStringSubmatch(k.Doc); m != nil {
		return "required " + strings.TrimSpace(m[1])
	}
	if requiredRe.MatchString(k.Doc) {
		return "required"
	}
	return ""
}

var (
	absentRe       = regexp.MustCompile(`(?:^|[.)]\s|:\s)Absent[^:.]{0,20}:\s*(.+?)(?:\.\s|\.$|$)`)
	requiredRe     = regexp.MustCompile(`(?:^|\.\s)Required(?:[.:;]|$)|\bis required\b|\)\. Required`)
	requiredWhenRe = regexp.MustCompile(`(?:^|[.)]\s)Required ((?:in|with|when|unless|for) [^.;(]+)`)
)

// WithoutDefault lists the keys whose doc comment says neither what their
// absence means ("Absent: …") nor that they are required ("Required." or
// "Required in …"), as path (Type.Field).
func WithoutDefault(keys []Key) []string {
	var out []string
	for _, k := range keys {
		if k.Default() == "" {
			out = append(out, k.Path+" ("+k.Field+")")
		}
	}
	return out
}
