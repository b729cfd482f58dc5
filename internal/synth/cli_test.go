package synth

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An unknown stack fails (exit 1, as before) with a message that lists the stacks --dir holds
// (its Pulumi.<stack>.yaml files), before anything is synthesized.
func TestUnknownStackListsTheStacks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dr.yaml", "README.md"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("name: dbay\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "Pulumi.old.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--dir", dir, "--stack", "nosuch"}, `synth: no stack "nosuch" in ` + dir + ": found dr, prod\n"},
		{[]string{"--dir", dir, "--stack", "nosuch", "--format", "json", "--policy"}, `synth: no stack "nosuch" in ` + dir + ": found dr, prod\n"},
		{[]string{"--dir", dir, "--stack", "nosuch", "--format", "summary", "--base", "base.json"}, `synth: no stack "nosuch" in ` + dir + ": found dr, prod\n"},
		{[]string{"--dir", empty, "--stack", "prod"}, `synth: no stack "prod" in ` + empty + ": found no Pulumi.<stack>.yaml (pass the project directory with --dir)\n"},
	} {
		var stdout, stderr bytes.Buffer
		if code := Main(tt.args, &stdout, &stderr); code != 1 {
			t.Errorf("%v: exit %d, want 1 (stderr %q)", tt.args, code, stderr.String())
		}
		if stderr.String() != tt.want || stdout.Len() != 0 {
			t.Errorf("%v: stderr %q, stdout %q; want stderr %q", tt.args, stderr.String(), stdout.String(), tt.want)
		}
	}
}

func TestStackNamesOfTheRepository(t *testing.T) {
	t.Parallel()
	for dir, want := range map[string]string{"../..": "dr, prod", "../../examples/dhanam": "dr, prod"} {
		got, err := StackNames(dir)
		if err != nil || strings.Join(got, ", ") != want {
			t.Errorf("StackNames(%s) = %v, %v; want %s", dir, got, err, want)
		}
	}
}

// --help describes the command, shows an example of each way it is run,
// then the flags, and exits 0.
func TestHelpShowsExamples(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"--help", "-h"} {
		var stdout, stderr bytes.Buffer
		if code := Main([]string{arg}, &stdout, &stderr); code != 0 {
			t.Errorf("%s: exit %d, want 0", arg, code)
		}
		help := stderr.String()
		for _, want := range []string{
			"runs a stack of the program offline",
			"Examples:",
			"synth --stack prod --policy",
			"synth --stack dr ",
			"synth --dir examples/dhanam --stack prod",
			"--format json",
			"synth --format summary --base-dir base --head-dir head",
			"--primary-down",
			"--cfn-lint",
			"Exit status:",
			"-stack string", // the flags follow
		} {
			if !strings.Contains(help, want) {
				t.Errorf("%s: help lacks %q:\n%s", arg, want, help)
			}
		}
	}
}
