package synth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// doc builds a small synth document: resources as (type, name, inputs).
func doc(t *testing.T, stack string, cost map[string]float64, policy string, res ...any) *JSONReport {
	t.Helper()
	var rs []string
	var lines []string
	total := 0.0
	for i := 0; i < len(res); i += 3 {
		typ, name := res[i].(string), res[i+1].(string)
		in, _ := json.Marshal(res[i+2])
		urn := fmt.Sprintf("urn:pulumi:%s::dbay::%s::%s", stack, typ, name)
		rs = append(rs, fmt.Sprintf(`{"urn":%q,"type":%q,"name":%q,"custom":true,"inputs":%s,"options":{"protect":%v}}`, urn, typ, name, in, typ == "aws:rds/instance:Instance"))
		if c, ok := cost[name]; ok {
			total += c
			lines = append(lines, fmt.Sprintf(`{"urn":%q,"type":%q,"name":%q,"monthlyUsd":%v}`, urn, typ, name, c))
		}
	}
	costJSON := ""
	if cost != nil {
		costJSON = fmt.Sprintf(`,"cost":{"monthlyUsd":%v,"resources":[%s]}`, total, strings.Join(lines, ","))
	}
	src := fmt.Sprintf(`{"project":"dbay","stack":%q,"resources":[%s],"outputs":{}%s%s,
		"dr":{"policy":"RPO 1h, RTO 4h","passed":true,"violations":[]},
		"wiring":{"passed":true,"edges":[{"consumer":"service listing","dependency":"postgres","network":"ok","iam":"ok","credentials":"ok","order":"ok"}]}}`,
		stack, strings.Join(rs, ","), costJSON, policy)
	d, err := parseDocument("test.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// balanced fails when the markdown has an unclosed <details> or code fence.
func balanced(t *testing.T, md string) {
	t.Helper()
	if o, c := strings.Count(md, "<details"), strings.Count(md, "</details>"); o != c {
		t.Errorf("%d <details> opened, %d closed", o, c)
	}
	if n := strings.Count(md, "```"); n%2 != 0 {
		t.Errorf("%d code fences: one is left open", n)
	}
	if n := len(regexp.MustCompile("`").FindAllString(md, -1)); n%2 != 0 {
		t.Errorf("%d backticks: an inline code span is left open", n)
	}
}

func TestSummaryResourcesKeysVerdicts(t *testing.T) {
	t.Parallel()
	rds := map[string]any{"instanceClass": "db.t4g.medium", "storageEncrypted": true, "engine": "postgres"}
	base := doc(t, "prod", map[string]float64{"listing": 30, "postgres": 100}, "",
		"aws:ecs/taskDefinition:TaskDefinition", "listing", map[string]any{"cpu": "512", "containerDefinitions": `[{"name":"listing","cpu":512,"environment":[{"name":"A","value":"1"}]}]`},
		"aws:rds/instance:Instance", "postgres", rds,
		"aws:rds/instance:Instance", "reports", rds,
		"aws:sqs/queue:Queue", "old-jobs", map[string]any{"name": "old-jobs"},
		"aws:s3/bucketV2:BucketV2", "assets", map[string]any{"bucket": "dbay-assets"})
	head := doc(t, "prod", map[string]float64{"listing": 60, "postgres": 200, "orders": 0.4},
		`,"policy":{"passed":false,"rules":10,"violations":[{"rule":"rds-encrypted","urn":"x","message":"m","waived":false},{"rule":"r2","urn":"y","message":"m","waived":true,"reason":"why"}]}`,
		"aws:ecs/taskDefinition:TaskDefinition", "listing", map[string]any{"cpu": "1024", "containerDefinitions": `[{"name":"listing","cpu":1024,"environment":[{"name":"A","value":"1"}]}]`},
		"aws:rds/instance:Instance", "postgres", map[string]any{"instanceClass": "db.r6g.large", "storageEncrypted": true, "engine": "postgres"},
		"aws:rds/instance:Instance", "reports", map[string]any{"instanceClass": "db.t4g.medium", "storageEncrypted": false, "engine": "postgres"},
		"aws:sqs/queue:Queue", "orders", map[string]any{"name": "orders"},
		"aws:s3/bucketV2:BucketV2", "assets", map[string]any{"bucket": "dbay-assets"})
	d := Compare(head, base)
	if len(d.Added) != 1 || len(d.Removed) != 1 || len(d.Changed) != 3 {
		t.Fatalf("added %d, removed %d, changed %d; want 1, 1, 3", len(d.Added), len(d.Removed), len(d.Changed))
	}
	if v, _ := replaceVerdict("aws:rds/instance:Instance", []string{"instanceClass"}); v != "updates in place" {
		t.Errorf("instanceClass: %q, want updates in place", v)
	}
	for _, k := range []string{"storageEncrypted", "engine", "identifier"} {
		if v, keys := replaceVerdict("aws:rds/instance:Instance", []string{"instanceClass", k}); v != "replaces" || len(keys) != 1 || keys[0] != k {
			t.Errorf("%s: %q %v, want replaces [%s]", k, v, keys, k)
		}
	}
	md := RenderSummary([]StackDiff{d}, MaxCommentBytes)
	for _, want := range []string{
		"❌ 9/10 rules pass, 1 failing (1 waived)", "`rds-encrypted`", // policy first
		"✅ meets RPO 1h, RTO 4h", "✅ 1 edges ok",
		"$130.00 → $260.40 a month (**+$130.40**)", "`postgres` `aws:rds/instance:Instance`: $100.00 → $200.00 (+$100.00)",
		"- `listing` `aws:ecs/taskDefinition:TaskDefinition`\n", "  - `cpu`: `\"512\"` → `\"1024\"`",
		"`containerDefinitions`: changed (", "`[0].cpu` `512` → `1024`",
		"`instanceClass`: `\"db.t4g.medium\"` → `\"db.r6g.large\"`",
		"| ✅ `postgres` | `aws:rds/instance:Instance` | updates in place |",
		"| 🚨 `reports` | `aws:rds/instance:Instance` | **replaces** | ForceNew: `storageEncrypted`; loses the PostgreSQL database |",
		"| 🚨 `old-jobs` | `aws:sqs/queue:Queue` | **deleted** | loses messages in flight |",
		"| `orders` | `aws:sqs/queue:Queue` | created |",
		"🚨 1 deleted, 🚨 1 replaced", "+1 −1 ~3",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "`assets`") {
		t.Errorf("an unchanged resource is listed:\n%s", md)
	}
	if strings.Index(md, "Policy:") > strings.Index(md, "Stateful resources") || strings.Index(md, "Cost:") > strings.Index(md, "Changed:") {
		t.Errorf("verdicts do not come first:\n%s", md)
	}
	balanced(t, md)

	// A base branch from before the cost estimate: the delta says so.
	noCost := doc(t, "prod", nil, "", "aws:sqs/queue:Queue", "orders", map[string]any{"name": "orders"})
	md = RenderSummary([]StackDiff{Compare(head, noCost)}, MaxCommentBytes)
	if !strings.Contains(md, "the base document has no cost section") || !strings.Contains(md, "$260.40 (base: no estimate)") {
		t.Errorf("no cost delta note:\n%s", md)
	}
}

// 2,000 changed resources with 3 kB values in each of four stacks: the
// summary stays within the budget, keeps every stack's verdicts, and
// closes everything it opens.
func TestSummaryHugeChangeSetFits(t *testing.T) {
	t.Parallel()
	mk := func(stack, v string) *JSONReport {
		var res []any
		for i := 0; i < 2000; i++ {
			big := strings.Repeat(v, 3000) + "`|<details>\n```"
			res = append(res, "aws:ecs/taskDefinition:TaskDefinition", fmt.Sprintf("svc-%04d", i), map[string]any{"cpu": v, "family": big, "tags": map[string]any{"k": big}})
		}
		res = append(res, "aws:rds/instance:Instance", "db", map[string]any{"identifier": v})
		return doc(t, stack, map[string]float64{"db": float64(len(v))}, `,"policy":{"passed":true,"rules":3,"violations":[]}`, res...)
	}
	var diffs []StackDiff
	for _, s := range []string{"dr", "prod", "staging", "dev"} {
		diffs = append(diffs, Compare(mk(s, "b"), mk(s, "a")))
	}
	SortStacks(diffs)
	if diffs[0].Stack != "prod" {
		t.Fatalf("first stack %s, want prod", diffs[0].Stack)
	}
	md := RenderSummary(diffs, MaxCommentBytes)
	if len(md) > MaxCommentBytes {
		t.Errorf("summary is %d bytes, over %d", len(md), MaxCommentBytes)
	}
	balanced(t, md)
	for _, want := range []string{"| `dbay/prod` |", "| `dbay/dev` |", "🚨 1 replaced", "more dbay/prod changed, see the job summary", "### `dbay/dev`"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	full := RenderSummary(diffs, 0)
	if len(full) <= MaxCommentBytes || strings.Contains(full, "see the job summary") {
		t.Errorf("unlimited summary is %d bytes and drops rows", len(full))
	}
	balanced(t, full)
}

// The real prod stack against itself, then against a copy of its stack
// file with the listing service's cpu halved.
func TestSummaryRealProd(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	var stderr bytes.Buffer
	head, status := synthDocument(root, "prod", &stderr)
	if head == nil {
		t.Fatalf("synth prod: exit %d: %s", status, stderr.String())
	}
	md := RenderSummary([]StackDiff{Compare(head, head)}, MaxCommentBytes)
	for _, want := range []string{"No resource changes.", "(**±$0.00**)", "+0 −0 ~0", "✅ none deleted or replaced"} {
		if !strings.Contains(md, want) {
			t.Errorf("prod against itself lacks %q:\n%s", want, md)
		}
	}
	balanced(t, md)

	dir := t.TempDir()
	for _, f := range []string{"Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dr.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "Pulumi.prod.yaml" {
			const from = "      - name: listing           # §4.1, §4.2\n        image: {repository: dbay/listing-service, tag: v1.0.0}\n        cpu: 1024\n"
			if !bytes.Contains(b, []byte(from)) {
				t.Fatalf("Pulumi.prod.yaml no longer has the listing service's cpu: %q", from)
			}
			b = bytes.Replace(b, []byte(from), []byte(strings.Replace(from, "cpu: 1024", "cpu: 512", 1)), 1)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	changed, status := synthDocument(dir, "prod", &stderr)
	if changed == nil {
		t.Fatalf("synth changed prod: exit %d: %s", status, stderr.String())
	}
	d := Compare(changed, head)
	md = RenderSummary([]StackDiff{d}, MaxCommentBytes)
	for _, want := range []string{"- `listing` `aws:ecs/taskDefinition:TaskDefinition`", "`cpu`: `\"1024\"` → `\"512\"`", "`listing` `aws:ecs/service:Service`: $", "a month (**-$"} {
		if !strings.Contains(md, want) {
			t.Errorf("one-change summary lacks %q:\n%s", want, md)
		}
	}
	if len(d.Added)+len(d.Removed) != 0 || strings.Contains(md, "🚨") {
		t.Errorf("a cpu change adds, removes or replaces something:\n%s", md)
	}
	balanced(t, md)
	t.Logf("prod against itself: %d bytes; with listing's cpu halved: %d bytes, %d changed resources", len(RenderSummary([]StackDiff{Compare(head, head)}, MaxCommentBytes)), len(md), len(d.Changed))
}

func TestSummaryUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{not json"), 0o644)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--format", "summary"}, 2, "needs --base"},
		{[]string{"--format", "summary", "--base", bad}, 2, "needs --stack"},
		{[]string{"--format", "summary", "--base-dir", dir}, 2, "--base-dir and --head-dir go together"},
		{[]string{"--stack", "prod", "--base", bad}, 2, "go with --format summary"},
		{[]string{"--stack", "prod", "--dir", "../..", "--format", "summary", "--base", filepath.Join(dir, "missing.json")}, 1, "missing.json"},
		{[]string{"--stack", "prod", "--dir", "../..", "--format", "summary", "--base", bad}, 1, bad + ": not a synth document"},
		{[]string{"--format", "summary", "--base-dir", dir, "--head-dir", dir}, 1, bad + ": not a synth document"},
	} {
		var out, errOut bytes.Buffer
		if code := Main(tt.args, &out, &errOut); code != tt.code || !strings.Contains(errOut.String(), tt.want) || out.Len() != 0 {
			t.Errorf("%v: exit %d, stderr %q, stdout %d bytes; want exit %d and %q", tt.args, code, errOut.String(), out.Len(), tt.code, tt.want)
		}
	}
}
