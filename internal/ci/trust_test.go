package ci

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// workflow is the part of a workflow file the trust checks read.
type workflow struct {
	Jobs map[string]struct {
		Environment any               `yaml:"environment"`
		Permissions map[string]string `yaml:"permissions"`
		Steps       []struct {
			Uses string            `yaml:"uses"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func readWorkflow(t *testing.T, path string) workflow {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return w
}

// pinnedRe is a `uses:` line pinned to a full commit SHA with its release
// tag in a comment: actions/checkout@<40 hex> # v4.4.0.
var pinnedRe = regexp.MustCompile(`^\s*(?:- )?uses: [A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40} # v\d+(\.\d+)*\s*$`)

// unpinned lists the `uses:` lines of a workflow that are not pinned to a
// commit (local actions, ./…, excepted).
func unpinned(body string) []string {
	var out []string
	for i, line := range strings.Split(body, "\n") {
		trimmed := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
		if !strings.HasPrefix(trimmed, "uses:") || strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(trimmed, "uses:")), "./") {
			continue
		}
		if !pinnedRe.MatchString(line) {
			out = append(out, fmt.Sprintf("line %d: %s", i+1, strings.TrimSpace(line)))
		}
	}
	return out
}

// Every action in every workflow runs a fixed commit: a tag that moves
// cannot run new code next to the AWS credentials (issue 15 item 5).
func TestActionsArePinnedToCommits(t *testing.T) {
	t.Parallel()
	for _, f := range workflows(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bad := unpinned(string(b)); len(bad) > 0 {
			t.Errorf("%s: actions not pinned to a commit SHA (with its tag in a comment):\n%s", filepath.Base(f), strings.Join(bad, "\n"))
		}
	}
	// The check can fail.
	for _, bad := range []string{"      - uses: actions/checkout@v4", "        uses: pulumi/actions@main", "      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262"} {
		if len(unpinned(bad)) != 1 {
			t.Errorf("unpinned(%q) accepts it", bad)
		}
	}
}

// trustSubjects returns the OIDC subjects a trust policy admits, failing on
// anything but StringEquals on aud sts.amazonaws.com and an exact sub.
func trustSubjects(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "bootstrap", "iam", file))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Effect    string
			Action    string
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var subs []string
	for _, s := range doc.Statement {
		if s.Effect != "Allow" || s.Action != "sts:AssumeRoleWithWebIdentity" {
			t.Errorf("%s: statement %+v is not an OIDC trust", file, s)
		}
		for op := range s.Condition {
			if op != "StringEquals" {
				t.Errorf("%s: condition operator %s: only StringEquals (no wildcards) bounds who assumes the role", file, op)
			}
		}
		eq := s.Condition["StringEquals"]
		if eq["token.actions.githubusercontent.com:aud"] != "sts.amazonaws.com" {
			t.Errorf("%s: aud is %v, want sts.amazonaws.com", file, eq["token.actions.githubusercontent.com:aud"])
		}
		switch v := eq["token.actions.githubusercontent.com:sub"].(type) {
		case string:
			subs = append(subs, v)
		case []any:
			for _, x := range v {
				subs = append(subs, fmt.Sprint(x))
			}
		default:
			t.Errorf("%s: no sub condition", file)
		}
	}
	sort.Strings(subs)
	return subs
}

// Every job that can obtain AWS credentials runs in a GitHub environment
// (required reviewers), and the role it assumes trusts exactly that
// environment's token: a branch pushed to a pull request cannot get the
// preview role, which decrypts the stacks' secrets, before a maintainer
// approves the run; only main's deploy environments get the deploy role.
func TestCredentialedJobsRunInTheirRolesEnvironment(t *testing.T) {
	t.Parallel()
	roles := map[string]string{ // role variable -> trust policy file
		"${{ vars.AWS_PREVIEW_ROLE_ARN }}": "preview-trust.json",
		"${{ vars.AWS_DEPLOY_ROLE_ARN }}":  "deploy-trust.json",
	}
	admitted := map[string][]string{}
	for _, f := range roles {
		for _, sub := range trustSubjects(t, f) {
			env, ok := strings.CutPrefix(sub, "repo:${GITHUB_REPOSITORY}:environment:")
			if !ok || env == "" || strings.ContainsAny(env, "*?") {
				t.Errorf("%s trusts %q: only repo:${GITHUB_REPOSITORY}:environment:<name> (no pull_request, branch or wildcard subjects)", f, sub)
				continue
			}
			admitted[f] = append(admitted[f], env)
		}
	}
	if strings.Join(admitted["preview-trust.json"], ",") != "plan,preview" || strings.Join(admitted["deploy-trust.json"], ",") != "dr,production" {
		t.Errorf("trusted environments = %v, want plan and preview for the preview role, production and dr for the deploy role", admitted)
	}
	jobs := 0
	for _, f := range workflows(t) {
		for name, job := range readWorkflow(t, f).Jobs {
			if job.Permissions["id-token"] != "write" {
				continue
			}
			jobs++
			env, _ := job.Environment.(string)
			for _, step := range job.Steps {
				if !strings.HasPrefix(step.Uses, "aws-actions/configure-aws-credentials@") {
					continue
				}
				file, ok := roles[step.With["role-to-assume"]]
				switch {
				case !ok:
					t.Errorf("%s job %s assumes %q, which has no trust policy in bootstrap/iam", filepath.Base(f), name, step.With["role-to-assume"])
				case env == "":
					t.Errorf("%s job %s gets AWS credentials outside an environment: nobody approves it", filepath.Base(f), name)
				case !containsEnv(admitted[file], env):
					t.Errorf("%s job %s runs in environment %q, which %s does not trust (%v)", filepath.Base(f), name, env, file, admitted[file])
				}
			}
		}
	}
	if jobs != 9 {
		t.Errorf("%d jobs request an OIDC token, want 9 (preview; plan-prod, apply-prod, plan-dr, apply-dr; drift; failover; failback recovery, primary)", jobs)
	}
}

func containsEnv(envs []string, env string) bool {
	for _, e := range envs {
		if e == env {
			return true
		}
	}
	return false
}

// The preview role reads the state and decrypts the stacks' secrets, and
// nothing else of value: no object outside the state bucket, no other key,
// no secret value, message, log line or database connection.
func TestPreviewRoleReadsNoApplicationData(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(root, "bootstrap", "iam", "preview-policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Effect                string
			Action                any
			Resource, NotResource any
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	denied := map[string]string{}
	for _, s := range doc.Statement {
		acts := []string{}
		switch a := s.Action.(type) {
		case string:
			acts = append(acts, a)
		case []any:
			for _, x := range a {
				acts = append(acts, x.(string))
			}
		}
		for _, a := range acts {
			if s.Effect == "Allow" && (strings.Contains(a, "*") || a == "secretsmanager:GetSecretValue") {
				t.Errorf("preview policy allows %s", a)
			}
			if s.Effect == "Deny" {
				denied[a] = fmt.Sprint(s.NotResource)
			}
		}
	}
	for action, except := range map[string]string{
		"s3:GetObject": "arn:aws:s3:::${STATE_BUCKET}/*", "kms:Decrypt": "${PULUMI_SECRETS_KEY_ARN}",
		"secretsmanager:GetSecretValue": "<nil>", "sqs:ReceiveMessage": "<nil>", "logs:GetLogEvents": "<nil>", "rds-db:connect": "<nil>",
	} {
		got, ok := denied[action]
		if !ok || got != except {
			t.Errorf("preview policy: %s is not denied (except on %s): got %q, %v", action, except, got, ok)
		}
	}
}
