package config

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// alarmKindConstants parses alarmkinds.go for every constant of type
// AlarmKind (Go cannot list a package's constants at run time).
func alarmKindConstants(t *testing.T) map[string]AlarmKind {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "alarmkinds.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]AlarmKind{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "AlarmKind" {
				t.Errorf("constant %s in alarmkinds.go is not an AlarmKind", v.Names[0].Name)
				continue
			}
			for i, n := range v.Names {
				lit, err := strconv.Unquote(v.Values[i].(*ast.BasicLit).Value)
				if err != nil {
					t.Fatal(err)
				}
				out[n.Name] = AlarmKind(lit)
			}
		}
	}
	return out
}

// Every Alarm* constant has an AlarmKinds entry and every Dashboard*
// constant a DashboardKinds entry, and every entry of both has a constant.
func TestAlarmKindConstantsMatchTheTables(t *testing.T) {
	t.Parallel()
	consts := alarmKindConstants(t)
	if len(consts) < len(AlarmKinds)+len(DashboardKinds) {
		t.Errorf("%d constants for %d alarm kinds and %d dashboard kinds", len(consts), len(AlarmKinds), len(DashboardKinds))
	}
	named := map[AlarmKind]string{}
	for name, k := range consts {
		if other, dup := named[k]; dup {
			t.Errorf("%s and %s are both %q", name, other, k)
		}
		named[k] = name
		_, alarm := AlarmKinds[k]
		switch {
		case strings.HasPrefix(name, "Alarm") && !alarm:
			t.Errorf("%s = %q has no AlarmKinds entry", name, k)
		case strings.HasPrefix(name, "Dashboard") && (!DashboardKinds[k] || alarm):
			t.Errorf("%s = %q is not (only) a DashboardKinds entry", name, k)
		case !strings.HasPrefix(name, "Alarm") && !strings.HasPrefix(name, "Dashboard"):
			t.Errorf("%s: name an alarm kind Alarm… and a dashboard kind Dashboard…", name)
		}
	}
	for k := range AlarmKinds {
		if !strings.HasPrefix(named[k], "Alarm") {
			t.Errorf("AlarmKinds entry %q has no Alarm… constant", k)
		}
	}
	for k := range DashboardKinds {
		if !strings.HasPrefix(named[k], "Dashboard") {
			t.Errorf("DashboardKinds entry %q has no Dashboard… constant", k)
		}
	}
}

func TestCheckAlarmKind(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		kind          AlarmKind
		dashboardOnly bool
		err           string
	}{
		{AlarmRDSCPU, false, ""},
		{AlarmRDSCPU, true, ""},
		{DashboardServiceRequests, true, ""},
		{DashboardServiceRequests, false, `unknown alarm kind "service.requests": use one of alb.5xx, alb.latency, `},
		{"rds.cpuu", false, `unknown alarm kind "rds.cpuu": use one of alb.5xx, `},
		{"rds.cpuu", true, `alb.latency, alb.requests, alb.unhealthy`},
	} {
		err := CheckAlarmKind(tt.kind, tt.dashboardOnly)
		if (tt.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("CheckAlarmKind(%q, %v) = %v, want %q", tt.kind, tt.dashboardOnly, err, tt.err)
		}
	}
	if _, _, _, err := (Monitoring{}).Threshold("nosuch.kind"); err == nil || !strings.Contains(err.Error(), `"nosuch.kind"`) {
		t.Errorf("Threshold of an unknown kind: err = %v", err)
	}
}
