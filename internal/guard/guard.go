// Package guard is the replacement guard: it reads the document `pulumi
// preview --json` prints and refuses a change that would delete or replace
// a protected resource or one that holds data, before anyone runs `pulumi
// up`. cmd/guard is its command; the pull-request workflow pipes each
// stack's preview into it.
//
// The document is Pulumi's PreviewDigest (pulumi/pkg display/json.go,
// mirrored in the Go SDK as auto.PreviewStep in sdk/go/auto/stack.go):
//
//	{"config": {...},
//	 "steps": [{"op": "replace", "urn": "...", "provider": "...",
//	            "oldState": {"urn", "custom", "type", "id", "inputs", "outputs", "parent", "protect", "retainOnDelete", ...},
//	            "newState": {...}, "diffReasons": [...], "replaceReasons": [...], "detailedDiff": {...}}],
//	 "diagnostics": [{"urn", "prefix", "message", "severity"}],
//	 "duration": 123, "changeSummary": {"create": 1, "same": 40}, "maybeCorrupt": false}
//
// oldState/newState are apitype.ResourceV3 (sdk/go/common/apitype/core.go:
// `type` and `protect` are the fields read here). Step ops are
// apitype.OpType values (sdk/go/common/apitype/history.go): same, create,
// update, delete, replace, create-replacement, delete-replaced, read,
// read-replacement, refresh, discard, discard-replaced,
// remove-pending-replace, import, import-replacement.
package guard

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// StatefulTypes are the resource types that hold data a deletion or a
// replacement would lose (policy.StatefulTypes is this list: the policy
// requires them protected, the guard refuses to lose them).
var StatefulTypes = []string{
	"aws:rds/instance:Instance",
	"aws:rds/cluster:Cluster",
	"aws:docdb/cluster:Cluster",
	"aws:elasticache/replicationGroup:ReplicationGroup",
	"aws:opensearch/domain:Domain",
	"aws:s3/bucketV2:BucketV2",
	"aws:s3/bucket:Bucket",
	"aws:kms/key:Key",
	"aws:kms/replicaKey:ReplicaKey",
	"aws:secretsmanager/secret:Secret",
	"aws:cognito/userPool:UserPool",
	"aws:dynamodb/table:Table",
	"aws:efs/fileSystem:FileSystem",
	"aws:sqs/queue:Queue",
	"aws:backup/vault:Vault",
}

// destructive are the step ops after which the old resource is gone.
var destructive = map[string]bool{
	"delete":             true,
	"replace":            true,
	"create-replacement": true,
	"delete-replaced":    true,
	"import-replacement": true,
}

// Preview is the part of `pulumi preview --json` the guard reads.
type Preview struct {
	Steps         []Step         `json:"steps"`
	Diagnostics   []Diagnostic   `json:"diagnostics"`
	ChangeSummary map[string]int `json:"changeSummary"`
}

// Step is one resource operation of the preview.
type Step struct {
	Op             string   `json:"op"`
	URN            string   `json:"urn"`
	OldState       *State   `json:"oldState"`
	NewState       *State   `json:"newState"`
	ReplaceReasons []string `json:"replaceReasons"`
	DiffReasons    []string `json:"diffReasons"`
}

// State is the part of a resource state (apitype.ResourceV3) the guard reads.
type State struct {
	Type           string `json:"type"`
	Protect        bool   `json:"protect"`
	RetainOnDelete bool   `json:"retainOnDelete"`
}

// Diagnostic is a message the engine printed during the preview.
type Diagnostic struct {
	URN      string `json:"urn"`
	Message  string `json:"message"`
	Severity string `json:"severity"`
}

// Finding is one resource the preview would delete or replace that the
// guard protects.
type Finding struct {
	URN            string
	Type           string
	Ops            []string // every destructive op of the resource, in step order
	Protected      bool
	Stateful       bool
	ReplaceReasons []string
}

func (f Finding) String() string {
	var why []string
	if f.Protected {
		why = append(why, "protected")
	}
	if f.Stateful {
		why = append(why, "holds data")
	}
	s := fmt.Sprintf("%s  %s  %s (%s)", strings.Join(f.Ops, "+"), f.Type, f.URN, strings.Join(why, ", "))
	if len(f.ReplaceReasons) > 0 {
		s += "; replaced because of: " + strings.Join(f.ReplaceReasons, ", ")
	}
	return s
}

// ErrNotPreview is returned for input that is not a preview document.
var ErrNotPreview = errors.New("not a `pulumi preview --json` document (no steps and no changeSummary)")

// Parse reads a preview document.
func Parse(r io.Reader) (*Preview, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("reading the preview: %w", err)
	}
	if _, ok := raw["steps"]; !ok {
		if _, ok := raw["changeSummary"]; !ok {
			return nil, ErrNotPreview
		}
	}
	var p Preview
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("reading the preview: %w", err)
	}
	for i, s := range p.Steps {
		if s.Op == "" || s.URN == "" {
			return nil, fmt.Errorf("reading the preview: step %d has no op or urn", i)
		}
	}
	return &p, nil
}

// Check returns the resources the preview would delete or replace that are
// protected or of a stateful type, except those whose URN is in allow,
// sorted by URN.
func Check(p *Preview, stateful []string, allow map[string]bool) []Finding {
	isStateful := map[string]bool{}
	for _, t := range stateful {
		isStateful[t] = true
	}
	byURN := map[string]*Finding{}
	for _, s := range p.Steps {
		if !destructive[s.Op] || allow[s.URN] {
			continue
		}
		typ := typeOf(s)
		protected := s.OldState != nil && s.OldState.Protect || s.NewState != nil && s.NewState.Protect
		if !protected && !isStateful[typ] {
			continue
		}
		f := byURN[s.URN]
		if f == nil {
			f = &Finding{URN: s.URN, Type: typ}
			byURN[s.URN] = f
		}
		f.Ops = append(f.Ops, s.Op)
		f.Protected = f.Protected || protected
		f.Stateful = isStateful[typ]
		for _, r := range s.ReplaceReasons {
			if !contains(f.ReplaceReasons, r) {
				f.ReplaceReasons = append(f.ReplaceReasons, r)
			}
		}
	}
	out := make([]Finding, 0, len(byURN))
	for _, f := range byURN {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

// typeOf is a step's resource type: from its states, else from its URN
// (urn:pulumi:<stack>::<project>::<parent types $-joined>$<type>::<name>).
func typeOf(s Step) string {
	for _, st := range []*State{s.OldState, s.NewState} {
		if st != nil && st.Type != "" {
			return st.Type
		}
	}
	parts := strings.SplitN(s.URN, "::", 4)
	if len(parts) < 4 {
		return ""
	}
	qualified := parts[2]
	if i := strings.LastIndex(qualified, "$"); i >= 0 {
		return qualified[i+1:]
	}
	return qualified
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// urnList is a repeatable --allow flag.
type urnList map[string]bool

func (u urnList) String() string { return fmt.Sprint(map[string]bool(u)) }
func (u urnList) Set(s string) error {
	u[s] = true
	return nil
}

// Main is the guard command. It reads the preview from the file named by
// its argument (stdin when none or "-") and returns the exit status: 0
// when nothing protected or stateful would be deleted or replaced, 1 when
// something would (each listed on stdout with its URN and ops), 2 when the
// input cannot be read or the arguments are wrong, 3 when --expect names an
// approved fingerprint this preview does not match.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("guard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	allow := urnList{}
	fs.Var(allow, "allow", "URN of a resource whose deletion or replacement is intended (repeatable); say why in the PR")
	summary := fs.String("markdown", "", "also append a markdown summary of every change to this file (the job summary, $GITHUB_STEP_SUMMARY)")
	stack := fs.String("stack", "", "the stack's name, for the markdown's heading")
	maxRows := fs.Int("max-rows", MaxRows, "at most this many steps in the markdown's table (the rest are counted)")
	allowFile := fs.String("allow-file", "", "a file of URNs (one per line, # comments) whose deletion or replacement is intended; a missing file allows nothing")
	fingerprint := fs.String("fingerprint", "", "write the preview's fingerprint (what an approver approves) to this file")
	expect := fs.String("expect", "", "refuse (exit 3) unless the preview's fingerprint equals the one in this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "guard: at most one file (default: stdin)")
		return 2
	}
	if *allowFile != "" {
		if err := readAllowFile(*allowFile, allow); err != nil {
			fmt.Fprintf(stderr, "guard: %v\n", err)
			return 2
		}
	}
	in := stdin
	name := "stdin"
	if fs.NArg() == 1 && fs.Arg(0) != "-" {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			fmt.Fprintf(stderr, "guard: %v\n", err)
			return 2
		}
		defer f.Close()
		in, name = f, fs.Arg(0)
	}
	p, err := Parse(in)
	if err != nil {
		fmt.Fprintf(stderr, "guard: %s: %v\n", name, err)
		return 2
	}
	for _, d := range p.Diagnostics {
		if d.Severity == "error" {
			fmt.Fprintf(stderr, "guard: the preview reported an error: %s\n", strings.TrimSpace(d.Message))
		}
	}
	findings := Check(p, StatefulTypes, allow)
	fp := Fingerprint(p)
	if *fingerprint != "" {
		if err := writeFingerprint(*fingerprint, fp); err != nil {
			fmt.Fprintf(stderr, "guard: %v\n", err)
			return 2
		}
	}
	if *expect != "" {
		same, err := compareFingerprint(*expect, fp, stdout)
		if err != nil {
			fmt.Fprintf(stderr, "guard: %v\n", err)
			return 2
		}
		if !same {
			fmt.Fprintf(stdout, "guard: this preview differs from the approved one (%s) in the steps above: nothing is applied; re-run the workflow to preview and approve again\n", *expect)
			return 3
		}
		fmt.Fprintf(stdout, "guard: this preview is the approved one (%d changing steps)\n", len(fp))
	}
	if *summary != "" {
		f, err := os.OpenFile(*summary, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "guard: %v\n", err)
			return 2
		}
		WriteMarkdown(f, *stack, p, findings, *maxRows)
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "guard: %v\n", err)
			return 2
		}
	}
	if len(findings) == 0 {
		fmt.Fprintf(stdout, "guard: %d steps; nothing protected or stateful is deleted or replaced\n", len(p.Steps))
		return 0
	}
	fmt.Fprintf(stdout, "guard: %d protected or stateful %s would be deleted or replaced:\n", len(findings), plural(len(findings)))
	for _, f := range findings {
		fmt.Fprintln(stdout, "  "+f.String())
	}
	fmt.Fprintln(stdout, "Change the program so the resource keeps its identity (pulumi.Aliases for a rename; revert the property in replaceReasons),")
	fmt.Fprintln(stdout, "or, for an intended migration, pass --allow <URN> in the workflow and follow the migration runbook.")
	return 1
}

func plural(n int) string {
	if n == 1 {
		return "resource"
	}
	return "resources"
}

// readAllowFile adds the URNs of an allow file to allow: one per line,
// blank lines and # comments ignored (say why next to each URN: the file
// is reviewed in the pull request that makes the change). A missing file
// allows nothing; any other line is an error naming it.
func readAllowFile(path string, allow urnList) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !strings.HasPrefix(line, "urn:pulumi:") || strings.ContainsAny(line, " \t") {
			return fmt.Errorf("%s:%d: %q is not a URN (one urn:pulumi:… per line, # for comments)", path, i+1, line)
		}
		allow[line] = true
	}
	return nil
}
