package cfnschema

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Finding is one cfn-lint result, located on the captured resource it is
// about.
type Finding struct {
	Stack   string `json:"stack"` // project/stack
	Region  string `json:"region"`
	File    string `json:"file"`
	Rule    string `json:"rule"`  // e.g. E3031
	Level   string `json:"level"` // Error, Warning, Informational
	Message string `json:"message"`
	// Path is the location inside the template's resource (after
	// Resources/<id>/Properties).
	Path      []string `json:"path"`
	LogicalID string   `json:"logicalId"`
	Type      string   `json:"type"` // pulumi type of the resource it is about
	Name      string   `json:"name"` // pulumi logical name
	URN       string   `json:"urn"`
	Waived    bool     `json:"waived"`
	Reason    string   `json:"reason,omitempty"`
	// Pending: the waiver is a placeholder for a fix another change makes.
	Pending string `json:"pending,omitempty"`
}

func (f Finding) String() string {
	where := f.Type + " " + f.Name
	switch {
	case f.Type == "" && f.LogicalID == "":
		where = "template"
	case f.Type == "":
		where = f.LogicalID
	}
	path := strings.Join(f.Path, ".")
	if path != "" {
		path = " at " + path
	}
	return fmt.Sprintf("%s %s [%s] %s%s: %s", f.Stack, f.Region, f.Rule, where, path, f.Message)
}

// Command is the cfn-lint executable: $CFN_LINT, or cfn-lint on PATH.
func Command() (string, error) {
	if c := os.Getenv("CFN_LINT"); c != "" {
		return c, nil
	}
	return exec.LookPath("cfn-lint")
}

// Write writes the translation's templates to dir and returns their paths.
func (tr *Translation) Write(dir string) ([]string, error) {
	var files []string
	for _, tm := range tr.Templates {
		b, err := tm.JSON(tr.Project, tr.Stack)
		if err != nil {
			return nil, err
		}
		f := filepath.Join(dir, tr.FileName(tm))
		if err := os.WriteFile(f, append(b, '\n'), 0o644); err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// Lint writes the templates of every translation to dir and runs cfn-lint
// on them, one invocation per Region (with --regions set to it) in
// parallel. The findings are located on captured resources and carry the
// waiver that covers them (see Waivers); unused are the waivers that
// matched nothing.
func Lint(ctx context.Context, dir string, trs []*Translation, waivers []Waiver) (findings []Finding, unused []Waiver, err error) {
	cmd, err := Command()
	if err != nil {
		return nil, nil, fmt.Errorf("cfn-lint is not installed (pip install cfn-lint): %w", err)
	}
	type file struct {
		tr   *Translation
		tm   *Template
		path string
	}
	byRegion := map[string][]file{}
	for _, tr := range trs {
		paths, err := tr.Write(dir)
		if err != nil {
			return nil, nil, err
		}
		for i, tm := range tr.Templates {
			byRegion[tm.Region] = append(byRegion[tm.Region], file{tr, tm, paths[i]})
		}
	}
	regions := make([]string, 0, len(byRegion))
	for r := range byRegion {
		regions = append(regions, r)
	}
	sort.Strings(regions)

	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, len(regions))
	for i, region := range regions {
		wg.Add(1)
		go func(i int, region string) {
			defer wg.Done()
			files := byRegion[region]
			args := []string{"--format", "json", "--regions", region, "--"}
			byPath := map[string]file{}
			for _, f := range files {
				args = append(args, f.path)
				byPath[f.path] = f
			}
			raw, err := run(ctx, cmd, args)
			if err != nil {
				errs[i] = fmt.Errorf("cfn-lint --regions %s: %w", region, err)
				return
			}
			var out []Finding
			for _, r := range raw {
				f, ok := byPath[r.Filename]
				if !ok {
					f, ok = byPath[filepath.Clean(r.Filename)]
				}
				if !ok {
					errs[i] = fmt.Errorf("cfn-lint reported on an unknown file %s", r.Filename)
					return
				}
				out = append(out, locate(f.tr, f.tm, f.path, r))
			}
			mu.Lock()
			findings = append(findings, out...)
			mu.Unlock()
		}(i, region)
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return nil, nil, e
		}
	}
	sort.SliceStable(findings, func(i, j int) bool {
		a, b := findings[i], findings[j]
		if a.Stack != b.Stack {
			return a.Stack < b.Stack
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.String() < b.String()
	})
	unused = ApplyWaivers(findings, waivers)
	return findings, unused, nil
}

// rawFinding is one entry of `cfn-lint --format json`.
type rawFinding struct {
	Filename string `json:"Filename"`
	Level    string `json:"Level"`
	Message  string `json:"Message"`
	Location struct {
		Path []any `json:"Path"`
	} `json:"Location"`
	Rule struct {
		ID string `json:"Id"`
	} `json:"Rule"`
}

// run runs cfn-lint and parses its JSON; its exit status is a bit mask of
// the levels found, so only a missing or unparsable report is an error.
func run(ctx context.Context, cmd string, args []string) ([]rawFinding, error) {
	c := exec.CommandContext(ctx, cmd, args...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	runErr := c.Run()
	var raw []rawFinding
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &raw); err != nil {
		return nil, fmt.Errorf("no JSON report (%v): %s%s", runErr, stderr.String(), stdout.String())
	}
	return raw, nil
}

// locate turns a raw finding into a Finding on the captured resource.
func locate(tr *Translation, tm *Template, path string, r rawFinding) Finding {
	f := Finding{Stack: tr.Project + "/" + tr.Stack, Region: tm.Region, File: filepath.Base(path),
		Rule: r.Rule.ID, Level: r.Level, Message: r.Message}
	var p []string
	for _, x := range r.Location.Path {
		p = append(p, fmt.Sprint(x))
	}
	if len(p) >= 2 && p[0] == "Resources" {
		f.LogicalID = p[1]
		rest := p[2:]
		if len(rest) > 0 && rest[0] == "Properties" {
			rest = rest[1:]
		}
		f.Path = rest
		if it, ok := tr.Origin(tm.Region, f.LogicalID, rest); ok {
			f.Type, f.Name, f.URN = it.Type, it.Name, it.URN
		}
	} else {
		f.Path = p
	}
	return f
}

// Unwaived are the findings no waiver covers.
func Unwaived(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if !f.Waived {
			out = append(out, f)
		}
	}
	return out
}
