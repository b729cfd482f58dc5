package tests

import (
	"strings"
	"testing"

	"github.com/dbay/infra/internal/tokens"
)

// Issue 15 item 6: every shipped stack has the audit and detection
// baseline in its Region; the primaries' multi-Region trails record their
// recovery Regions; the DBay primary pages on every read of the xpriv by
// anything but its reader and on every change to it or its key.
func TestSecurityBaselineInEveryStack(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dir, stack string
		trails     int
		xpriv      bool
	}{
		{root, "prod", 1, true},
		{root, "dr", 0, false},
		{"../examples/dhanam", "prod", 1, false},
		{"../examples/dhanam", "dr", 0, false},
	} {
		eng := synthesize(t, tc.dir, tc.stack).Engine
		name := tc.dir + " " + tc.stack
		trails := eng.ByType(tokens.CloudTrailTrail)
		if len(trails) != tc.trails {
			t.Errorf("%s: %d trails, want %d", name, len(trails), tc.trails)
		}
		for _, tr := range trails {
			if in := tr.In(); in["isMultiRegionTrail"] != true || in["enableLogFileValidation"] != true {
				t.Errorf("%s: trail %v", name, in)
			}
		}
		for _, typ := range []string{tokens.GuardDutyDetector, tokens.SecurityHubAccount,
			tokens.SecurityHubStandardsSubscription, tokens.AccessAnalyzerAnalyzer} {
			if n := len(eng.ByType(typ)); n != 1 {
				t.Errorf("%s: %d %s, want 1", name, n, typ)
			}
		}
		topic := ""
		for _, tp := range eng.ByType(tokens.SNSTopic) {
			if tp.Name == "alerts" {
				topic, _ = tp.Out()["arn"].(string)
			}
		}
		alarms := map[string]bool{}
		for _, a := range eng.ByType(tokens.CloudWatchMetricAlarm) {
			if strings.HasPrefix(a.Name, "wallet-master-xpriv-") {
				actions, _ := a.In()["alarmActions"].([]any)
				alarms[a.Name] = len(actions) == 1 && actions[0] == topic
			}
		}
		if !tc.xpriv {
			if len(alarms) != 0 {
				t.Errorf("%s: xpriv alarms %v in a stack without the xpriv", name, alarms)
			}
			continue
		}
		for _, want := range []string{"wallet-master-xpriv-read", "wallet-master-xpriv-change"} {
			if ok, found := alarms[want]; !found || !ok {
				t.Errorf("%s: alarm %s: found %v, on the alert topic %v", name, want, found, ok)
			}
		}
	}
}
