package cfnschema

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/mockengine"
)

// Lint parses cfn-lint's JSON, locates each finding on the captured
// resource (a merged property on the resource it came from), applies the
// waivers and reports the unused ones. cfn-lint is faked here; the test
// below runs the real one.
func TestLintLocatesAndWaives(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "fake-cfn-lint")
	script := `#!/bin/sh
file=""; for a in "$@"; do file="$a"; done
cat <<EOF
[{"Filename": "$file", "Level": "Error", "Message": "'x' is not one of ['Enabled', 'Suspended']",
  "Location": {"Path": ["Resources", "LogsBucket", "Properties", "VersioningConfiguration", "Status"]}, "Rule": {"Id": "E3030"}},
 {"Filename": "$file", "Level": "Warning", "Message": "something about the bucket name",
  "Location": {"Path": ["Resources", "LogsBucket", "Properties", "BucketName"]}, "Rule": {"Id": "W9999"}}]
EOF
exit 6
`
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CFN_LINT", fake)

	bucket := withOut(res("aws:s3/bucketV2:BucketV2", "logs", "us-east-1", "logs-1234567", map[string]any{}), map[string]any{"bucket": "logs-1234567"})
	versioning := res("aws:s3/bucketVersioningV2:BucketVersioningV2", "logs", "us-east-1", "v", map[string]any{
		"bucket": "logs-1234567", "versioningConfiguration": map[string]any{"status": "x"},
	})
	tr := Translate("dbay", "prod", []*mockengine.Resource{bucket, versioning})
	waivers := []Waiver{
		{Rule: "W9999", Type: "aws:s3/bucketV2:BucketV2", Reason: "test"},
		{Rule: "E1234", Reason: "matches nothing"},
	}
	fs, unused, err := Lint(context.Background(), t.TempDir(), []*Translation{tr}, waivers)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 {
		t.Fatalf("findings = %v", fs)
	}
	e := fs[0]
	if e.Rule != "E3030" || e.URN != versioning.URN || e.Waived || strings.Join(e.Path, ".") != "VersioningConfiguration.Status" || e.Stack != "dbay/prod" {
		t.Errorf("E3030 = %+v, want it on the versioning resource, unwaived", e)
	}
	if w := fs[1]; w.URN != bucket.URN || !w.Waived {
		t.Errorf("W9999 = %+v, want it on the bucket, waived", w)
	}
	if len(unused) != 1 || unused[0].Rule != "E1234" {
		t.Errorf("unused = %v, want the E1234 waiver", unused)
	}
	if got := Unwaived(fs); len(got) != 1 || got[0].Rule != "E3030" {
		t.Errorf("unwaived = %v", got)
	}
	var b strings.Builder
	if err := WriteFindings(&b, fs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CFN-LINT 2 findings, 1 unwaived, 0 pending", "error   dbay/prod us-east-1 [E3030] aws:s3/bucketVersioningV2:BucketVersioningV2 logs at VersioningConfiguration.Status", "reason: test"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

// A cfn-lint that produces no report is an error, not "no findings".
func TestLintFailsWithoutAReport(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "broken-cfn-lint")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho 'Traceback: boom' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CFN_LINT", fake)
	tr := Translate("dbay", "prod", []*mockengine.Resource{res("aws:sqs/queue:Queue", "q", "us-east-1", "https://sqs/q", map[string]any{})})
	if _, _, err := Lint(context.Background(), t.TempDir(), []*Translation{tr}, nil); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("err = %v, want the missing report with cfn-lint's stderr", err)
	}
}

// The real cfn-lint catches what the translation is for: a value AWS's
// schema refuses (the WAFv2 description pattern refuses parentheses), a
// value out of range (SQS keeps messages 60 s at least) and a value the
// Region does not offer (db.x2idn.16xlarge is not sold in us-west-2). Skipped when cfn-lint is not
// installed (the whole-stack test in tests/ fails instead under CI=true).
func TestRealCfnLintCatchesABrokenValue(t *testing.T) {
	if _, err := exec.LookPath("cfn-lint"); err != nil {
		t.Skip("cfn-lint is not on PATH (pip install cfn-lint)")
	}
	t.Parallel()
	waf := res("aws:wafv2/webAcl:WebAcl", "alb", "us-west-2", "w", map[string]any{
		"scope": "REGIONAL", "description": "ALB (recovery)", "defaultAction": map[string]any{"allow": map[string]any{}},
		"visibilityConfig": map[string]any{"cloudwatchMetricsEnabled": true, "metricName": "alb", "sampledRequestsEnabled": true},
	})
	queue := res("aws:sqs/queue:Queue", "q", "us-west-2", "https://sqs/q", map[string]any{"messageRetentionSeconds": 30})
	db := res("aws:rds/instance:Instance", "db", "us-west-2", "db-1", map[string]any{
		"engine": "postgres", "engineVersion": "16.6", "instanceClass": "db.x2idn.16xlarge", "allocatedStorage": 100, "storageEncrypted": true,
	})
	tr := Translate("dbay", "dr", []*mockengine.Resource{waf, queue, db})
	fs, _, err := Lint(context.Background(), t.TempDir(), []*Translation{tr}, Waivers)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	var all []string
	for _, f := range Unwaived(fs) {
		got[f.Name+" "+strings.Join(f.Path, ".")+" "+f.Rule] = true
		all = append(all, f.Name+" "+strings.Join(f.Path, ".")+" "+f.Rule)
	}
	for _, want := range []string{"alb Description E3031", "q MessageRetentionPeriod E3034", "db DBInstanceClass E3025"} {
		if !got[want] {
			t.Errorf("no finding %q among %q", want, all)
		}
	}
}

// Every waiver names its rule and says why AWS accepts the finding, with a
// source.
func TestWaiversHaveReasons(t *testing.T) {
	t.Parallel()
	for _, w := range Waivers {
		if w.Rule == "" || len(w.Reason) < 60 || !strings.Contains(w.Reason, "https://") {
			t.Errorf("waiver %+v: needs a rule and a reason (why AWS accepts it) with a source URL", w)
		}
	}
}
