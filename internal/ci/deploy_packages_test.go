package ci

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Issue 19, "Done when": deploy.yml's apply jobs check, before any `pulumi
// up`, that every Lambda package the stack names is in the stack's own
// Region's code bucket. These tests run the job's "Build the program and
// the tools once" step (.github/scripts/prebuilt.sh, with a stub `go` that
// hands out the synth built once per test run, synthBinary) and then the
// packages step, both as written in the workflow, with bash as the runner
// would (runStep). The synth runs for real on the checkout prebuilt.sh has
// rewritten; only `aws` is stubbed: it logs each call with AWS_REGION (set
// by configure-aws-credentials' aws-region, as runJob models it) and
// answers `s3api head-object` from a list of present objects.

const stepPackages = "Function packages are in this Region's code bucket"

// AWS CLI return code 254: "the command was successfully parsed and a
// request was made to the specified service but the service returned an
// error" (https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-returncodes.html);
// head-object on a missing key prints "An error occurred (404) when
// calling the HeadObject operation: Not Found" on stderr (boto/boto3#2452).
const stubAWS = `#!/bin/bash
echo "aws $* | region=${AWS_REGION:-}" >> "$AWS_CALLS"
if [ "${1:-}" = s3api ] && [ "${2:-}" = head-object ] && [ "$#" -eq 6 ] && [ "$3" = --bucket ] && [ "$5" = --key ]; then
  if grep -qxF "s3://$4/$6" "$AWS_PRESENT"; then
    printf '{"ContentLength": 1024, "ContentType": "application/zip"}\n'
    exit 0
  fi
  echo "An error occurred (404) when calling the HeadObject operation: Not Found" >&2
  exit 254
fi
echo "aws stub: unexpected aws $*" >&2
exit 252
`

// packagesJob is an apply job's packages step, its index, and the Region
// its configure-aws-credentials step exports.
func packagesJob(t *testing.T, job string) (build, packages *ghStep, buildIdx, packagesIdx int, region string) {
	t.Helper()
	j := loadWorkflow(t, "deploy.yml").Jobs[job]
	if j == nil {
		t.Fatalf("deploy.yml has no job %s", job)
	}
	buildIdx, packagesIdx = -1, -1
	for i, st := range j.Steps {
		switch {
		case st.Name == "Build the program and the tools once":
			build, buildIdx = st, i
		case st.Name == stepPackages:
			packages, packagesIdx = st, i
			if region == "" {
				t.Fatalf("%s: %q runs before configure-aws-credentials", job, stepPackages)
			}
		case strings.HasPrefix(st.Uses, "aws-actions/configure-aws-credentials@"):
			region = st.With["aws-region"]
		}
	}
	if build == nil || packages == nil || buildIdx > packagesIdx {
		t.Fatalf("%s: no %q step after the build step", job, stepPackages)
	}
	return build, packages, buildIdx, packagesIdx, region
}

var (
	plainDocsMu sync.Mutex
	plainDocs   = map[string][]byte{}
)

// expectedPackages are the distinct "s3://bucket/key" of the stack's Lambda
// functions with an S3 package, read from synth's JSON document here, not
// by the step's jq. Each stack's document is synthesized once per run.
func expectedPackages(t *testing.T, stack string) []string {
	t.Helper()
	bin := synthBinary(t)
	plainDocsMu.Lock()
	out, ok := plainDocs[stack]
	if !ok {
		cmd := exec.Command(bin, "--stack", stack, "--format", "json")
		cmd.Dir = root
		var err error
		if out, err = cmd.Output(); err != nil {
			plainDocsMu.Unlock()
			t.Fatalf("synth --stack %s: %v", stack, err)
		}
		plainDocs[stack] = out
	}
	plainDocsMu.Unlock()
	var doc struct {
		Resources []struct {
			Type   string         `json:"type"`
			Inputs map[string]any `json:"inputs"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, r := range doc.Resources {
		if r.Type != "aws:lambda/function:Function" {
			continue
		}
		bucket, _ := r.Inputs["s3Bucket"].(string)
		key, _ := r.Inputs["s3Key"].(string)
		if bucket == "" {
			continue
		}
		if key == "" {
			t.Fatalf("synth --stack %s: a function with s3Bucket %s has no s3Key", stack, bucket)
		}
		set["s3://"+bucket+"/"+key] = true
	}
	var keys []string
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// packagesRun is one run of the packages step.
type packagesRun struct {
	out   string
	err   error
	calls []string // aws calls, "aws <args> | region=<AWS_REGION>"
}

// runPackagesStep builds into RUNNER_TEMP/bin with the job's build step,
// lets prepare change the runner's temp dir (e.g. replace bin/synth), then
// runs the packages step with the objects in present.
func runPackagesStep(t *testing.T, job string, present []string, prepare func(temp string)) packagesRun {
	t.Helper()
	build, packages, bi, pi, region := packagesJob(t, job)
	s := newSandbox(t, ".", nil)
	script, err := os.ReadFile(filepath.Join(root, ".github", "scripts", "prebuilt.sh"))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(s.work, ".github", "scripts", "prebuilt.sh"), string(script), 0o755)
	// prebuilt.sh's two builds: `go build -o <bin>/dbay .` and
	// `go build -o <bin>/ ./cmd/synth ./cmd/guard`.
	mustWrite(t, filepath.Join(s.bin, "go"), `#!/bin/sh
if [ "$#" -eq 4 ] && [ "$1 $2 $4" = "build -o ." ]; then
  printf '#!/bin/sh\nexit 0\n' > "$3" && chmod +x "$3" && exit 0
fi
if [ "$#" -eq 5 ] && [ "$1 $2 $4 $5" = "build -o ./cmd/synth ./cmd/guard" ]; then
  cp '`+synthBinary(t)+`' "$3/synth" && printf '#!/bin/sh\nexit 0\n' > "$3/guard" && chmod +x "$3/guard" && exit 0
fi
echo "go stub: unexpected go $*" >&2
exit 97
`, 0o755)
	mustWrite(t, filepath.Join(s.bin, "aws"), stubAWS, 0o755)
	presentFile := filepath.Join(s.dir, "present.txt")
	mustWrite(t, presentFile, strings.Join(present, "\n")+"\n", 0o644)
	awsCalls := filepath.Join(s.dir, "aws-calls.log")
	mustWrite(t, awsCalls, "", 0o644)

	temp := filepath.Join(s.dir, "runner-temp")
	env := map[string]string{"AWS_REGION": region, "AWS_CALLS": awsCalls, "AWS_PRESENT": presentFile}
	if out, _, err := s.runStep(build, bi, env, nil, temp); err != nil {
		t.Fatalf("%s: build step: %v\n%s", job, err, out)
	}
	if prepare != nil {
		prepare(temp)
	}
	out, _, err := s.runStep(packages, pi, env, nil, temp)
	b, rerr := os.ReadFile(awsCalls)
	if rerr != nil {
		t.Fatal(rerr)
	}
	var calls []string
	if c := strings.TrimSpace(string(b)); c != "" {
		calls = strings.Split(c, "\n")
	}
	return packagesRun{out: out, err: err, calls: calls}
}

// headObjects turns the logged calls into "s3://bucket/key", checking each
// is a head-object in region.
func headObjects(t *testing.T, calls []string, region string) []string {
	t.Helper()
	var objs []string
	for _, c := range calls {
		args, r, _ := strings.Cut(c, " | region=")
		f := strings.Fields(args)
		if len(f) != 7 || f[1] != "s3api" || f[2] != "head-object" || f[3] != "--bucket" || f[5] != "--key" {
			t.Errorf("unexpected aws call %q", c)
			continue
		}
		if r != region {
			t.Errorf("%q ran with AWS_REGION=%q, want %s", c, r, region)
		}
		objs = append(objs, "s3://"+f[4]+"/"+f[6])
	}
	return objs
}

// Every function package of the stack is checked once, in the Region's
// own code bucket (a function's package bucket is "an Amazon S3 bucket in
// the same AWS Region as your function":
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-functioncode.html,
// passed to AWS::Lambda::Function Code's S3Bucket), and the
// step passes when all are there.
func TestDeployFunctionPackagesAllPresent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ job, stack string }{{"apply-prod", "prod"}, {"apply-dr", "dr"}} {
		t.Run(tc.job, func(t *testing.T) {
			t.Parallel()
			_, _, _, _, region := packagesJob(t, tc.job)
			want := expectedPackages(t, tc.stack)
			// The stacks ship 16 functions, each with its own package.
			if len(want) != 16 {
				t.Errorf("synth --stack %s: %d distinct function packages, want 16: %q", tc.stack, len(want), want)
			}
			bucket := "s3://dbay-serverless-artifacts-" + region + "/"
			for _, w := range want {
				if !strings.HasPrefix(w, bucket) {
					t.Errorf("%s: %s is not in %s's code bucket %s", tc.stack, w, region, bucket)
				}
			}
			run := runPackagesStep(t, tc.job, want, nil)
			if run.err != nil {
				t.Fatalf("%s: %v\n%s", stepPackages, run.err, run.out)
			}
			got := headObjects(t, run.calls, region)
			sort.Strings(got)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("head-object calls (%d):\n%s\nwant one per package (%d):\n%s",
					len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
			}
			if strings.Contains(run.out, "::error::") {
				t.Errorf("annotations on a passing run:\n%s", run.out)
			}
		})
	}
}

// One package missing from the bucket fails the step, and its ::error::
// annotation names the object.
func TestDeployFunctionPackagesMissingFails(t *testing.T) {
	t.Parallel()
	want := expectedPackages(t, "prod")
	missing := want[len(want)/2]
	present := append(append([]string{}, want[:len(want)/2]...), want[len(want)/2+1:]...)
	run := runPackagesStep(t, "apply-prod", present, nil)
	if code := exitCode(t, run.err); code == 0 {
		t.Fatalf("%s passed with %s missing\n%s", stepPackages, missing, run.out)
	}
	line := "::error::" + missing + " is missing"
	if !strings.Contains(run.out, line) {
		t.Errorf("no %q annotation:\n%s", line, run.out)
	}
	if n := strings.Count(run.out, "::error::"); n != 1 {
		t.Errorf("%d ::error:: lines, want 1:\n%s", n, run.out)
	}
	got := headObjects(t, run.calls, "us-east-1")
	if len(got) == 0 || got[len(got)-1] != missing {
		t.Errorf("the last head-object was not the missing package %s: %q", missing, got)
	}
}

// A synth that fails fails the step, even when it printed a document
// first (a pipeline's status is its last command's without pipefail), and
// nothing is asked of S3 about a document synth disowned.
func TestDeployFunctionPackagesFailingSynthFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, synth string }{
		{"no output", "#!/bin/sh\necho 'synth: config: serverless.code.bucket: invalid' >&2\nexit 1\n"},
		{"empty document", "#!/bin/sh\necho '{\"resources\": []}'\nexit 1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run := runPackagesStep(t, "apply-prod", nil, func(temp string) {
				mustWrite(t, filepath.Join(temp, "bin", "synth"), tc.synth, 0o755)
			})
			if code := exitCode(t, run.err); code == 0 {
				t.Fatalf("%s passed with a failing synth\n%s", stepPackages, run.out)
			}
			if len(run.calls) != 0 {
				t.Errorf("aws called after a failing synth: %q", run.calls)
			}
		})
	}
}
