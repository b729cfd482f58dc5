package guard

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures in testdata are `pulumi preview --json` documents written
// from Pulumi's PreviewDigest format (see the package comment).
func TestGuardOnRecordedPreviews(t *testing.T) {
	t.Parallel()
	pg := "urn:pulumi:prod::dbay::dbay:components:DataLayer$aws:rds/instance:Instance::postgres"
	tests := []struct {
		file   string
		args   []string
		code   int
		out    []string // lines stdout must contain
		absent []string // text stdout must not contain
		errOut string
	}{
		{file: "no-changes.json", code: 0, out: []string{"guard: 3 steps; nothing protected or stateful is deleted or replaced"}},
		{file: "update-in-place.json", code: 0, out: []string{"nothing protected or stateful"}},
		{file: "replace-stateless.json", code: 0, out: []string{"nothing protected or stateful"}},
		{
			file: "replace-protected-database.json", code: 1,
			out: []string{
				"guard: 1 protected or stateful resource would be deleted or replaced:",
				"create-replacement+replace+delete-replaced  aws:rds/instance:Instance  " + pg + " (protected, holds data); replaced because of: dbName",
			},
			errOut: "the preview reported an error: unable to replace resource",
		},
		{file: "replace-protected-database.json", args: []string{"--allow", pg}, code: 0},
		{
			file: "delete-unprotected-bucket.json", code: 1,
			out: []string{"delete  aws:s3/bucketV2:BucketV2  urn:pulumi:prod::dbay::dbay:components:DataLayer$aws:s3/bucketV2:BucketV2::listing-images (holds data)"},
		},
		{
			file: "delete-protected-archive.json", code: 1,
			out:    []string{"delete  aws:cloudwatch/eventArchive:EventArchive  urn:pulumi:prod::dbay::dbay:components:DataLayer$aws:cloudwatch/eventArchive:EventArchive::bus (protected)"},
			absent: []string{"securityGroupIngressRule"},
		},
		{file: "truncated.json", code: 2, errOut: "guard: testdata/truncated.json: reading the preview"},
		{file: "not-a-preview.json", code: 2, errOut: "not a `pulumi preview --json` document"},
		{file: "missing.json", code: 2, errOut: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.file+strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := append(append([]string{}, tt.args...), filepath.Join("testdata", tt.file))
			if code := Main(args, nil, &out, &errOut); code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errOut.String())
			}
			for _, want := range tt.out {
				if !strings.Contains(out.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, out.String())
				}
			}
			for _, no := range tt.absent {
				if strings.Contains(out.String(), no) {
					t.Errorf("stdout has %q:\n%s", no, out.String())
				}
			}
			if tt.errOut != "" && !strings.Contains(errOut.String(), tt.errOut) {
				t.Errorf("stderr lacks %q: %s", tt.errOut, errOut.String())
			}
		})
	}
}

// The preview arrives on stdin in the workflow: `pulumi preview --json | go run ./cmd/guard`.
func TestGuardReadsStdin(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/delete-unprotected-bucket.json")
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := Main(nil, bytes.NewReader(data), &out, &errOut); code != 1 {
		t.Errorf("exit %d: %s %s", code, out.String(), errOut.String())
	}
	if code := Main([]string{"-"}, strings.NewReader(""), &out, &errOut); code != 2 {
		t.Errorf("empty stdin: exit %d", code)
	}
	if code := Main([]string{"a.json", "b.json"}, nil, &out, &errOut); code != 2 {
		t.Errorf("two files: exit %d", code)
	}
}

func TestTypeFromURN(t *testing.T) {
	t.Parallel()
	for urn, want := range map[string]string{
		"urn:pulumi:prod::dbay::dbay:components:DataLayer$aws:rds/instance:Instance::postgres": "aws:rds/instance:Instance",
		"urn:pulumi:prod::dbay::aws:kms/key:Key::data-key":                                     "aws:kms/key:Key",
		"urn:pulumi:prod::dbay::a$b$aws:sqs/queue:Queue::name::with::colons":                   "aws:sqs/queue:Queue",
		"garbage": "",
	} {
		if got := typeOf(Step{URN: urn}); got != want {
			t.Errorf("typeOf(%s) = %q, want %q", urn, got, want)
		}
	}
}

// The approver's summary: the verdict first, the at-risk step first and
// marked, the inputs that force the replacement named, a clean preview
// said to pass.
func TestMarkdownSummary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	summary := filepath.Join(dir, "summary.md")
	var out, errOut bytes.Buffer
	code := Main([]string{"--markdown", summary, "--stack", "prod", "testdata/replace-protected-database.json"}, nil, &out, &errOut)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	b, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for _, want := range []string{
		"### prod: what `pulumi up` will apply",
		"**Guard: REFUSED** — 1 protected or stateful resource would be deleted or replaced",
		"| ⛔ | create-replacement | `aws:rds/instance:Instance` | postgres | dbName, (replace) |",
		"> **error:** unable to replace resource",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q:\n%s", want, md)
		}
	}
	if sep := "|---|---|---|---|---|\n"; strings.Index(md, "| ⛔ |") != strings.Index(md, sep)+len(sep) {
		t.Errorf("the at-risk step is not the first row:\n%s", md)
	}
	if code := Main([]string{"--markdown", summary, "--stack", "dr", "testdata/no-changes.json"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("exit %d on no changes", code)
	}
	b, _ = os.ReadFile(summary)
	if !strings.Contains(string(b), "### dr: what `pulumi up` will apply\n\n**Guard: pass**") || !strings.Contains(string(b), "No resource changes.") {
		t.Errorf("the clean preview's summary is not appended:\n%s", b)
	}
}

func TestCellKeepsTablesIntact(t *testing.T) {
	t.Parallel()
	if got := cell("a|b\nc", 10); got != `a\|b c` {
		t.Errorf("cell = %q", got)
	}
	if got := cell(strings.Repeat("é", 5), 3); got != "ééé…" {
		t.Errorf("cell cuts inside a rune: %q", got)
	}
}

// The gated job applies only what was approved: the same preview matches
// its fingerprint, a different one is refused with exit 3 and the steps
// that differ.
func TestApprovedFingerprint(t *testing.T) {
	t.Parallel()
	fp := filepath.Join(t.TempDir(), "approved.txt")
	var out, errOut bytes.Buffer
	if code := Main([]string{"--fingerprint", fp, "testdata/update-in-place.json"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	b, _ := os.ReadFile(fp)
	if !strings.Contains(string(b), "update urn:pulumi:") || strings.Contains(string(b), "same ") {
		t.Errorf("fingerprint:\n%s", b)
	}
	out.Reset()
	if code := Main([]string{"--expect", fp, "testdata/update-in-place.json"}, nil, &out, &errOut); code != 0 || !strings.Contains(out.String(), "this preview is the approved one") {
		t.Errorf("the same preview: exit %d\n%s", code, out.String())
	}
	out.Reset()
	code := Main([]string{"--expect", fp, "testdata/replace-stateless.json"}, nil, &out, &errOut)
	if code != 3 || !strings.Contains(out.String(), "differs from the approved one") || !strings.Contains(out.String(), "  + replace urn:pulumi:") || !strings.Contains(out.String(), "  - update urn:pulumi:") {
		t.Errorf("another preview: exit %d, want 3 with the differing steps\n%s", code, out.String())
	}
}

// An allow file reviewed in the pull request lets an intended deletion
// through; a missing file allows nothing; a line that is not a URN is
// refused with its line number.
func TestAllowFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pg := "urn:pulumi:prod::dbay::dbay:components:DataLayer$aws:rds/instance:Instance::postgres"
	good := filepath.Join(dir, "prod.txt")
	if err := os.WriteFile(good, []byte("# the database moves to a new identifier (PR #123)\n"+pg+"\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("# x\npostgres please\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := Main([]string{"--allow-file", good, "testdata/replace-protected-database.json"}, nil, &out, &errOut); code != 0 {
		t.Errorf("allowed by file: exit %d\n%s", code, out.String())
	}
	if code := Main([]string{"--allow-file", filepath.Join(dir, "missing.txt"), "testdata/replace-protected-database.json"}, nil, &out, &errOut); code != 1 {
		t.Errorf("missing allow file: exit %d, want 1 (nothing allowed)", code)
	}
	errOut.Reset()
	if code := Main([]string{"--allow-file", bad, "testdata/replace-protected-database.json"}, nil, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "bad.txt:2: \"postgres please\" is not a URN") {
		t.Errorf("bad allow file: exit %d, %s", code, errOut.String())
	}
}
