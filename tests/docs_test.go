package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// Issue 20, "Docs": the README is a first page (at most readmeMaxLines
// lines) and the rest lives in docs/; every relative link of the README,
// CHANGELOG.md and docs/*.md reaches a file of the repository and, with a
// #fragment, a heading of that file.
const readmeMaxLines = 250

func TestReadmeIsAFirstPage(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n > readmeMaxLines {
		t.Errorf("README.md has %d lines, want at most %d: move a section to docs/ and link it", n, readmeMaxLines)
	}
}

func TestDocLinksResolve(t *testing.T) {
	t.Parallel()
	files := docFiles(t)
	if len(files) < 3 {
		t.Fatalf("found only %v", files)
	}
	for _, f := range files {
		for _, p := range brokenLinks(t, root, f) {
			t.Error(p)
		}
	}
}

// The link checker itself: each broken kind is reported, good links are not.
func TestDocLinkCheckerCatchesBrokenLinks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("docs/a.md", "# Service fleet (`dbay:fleet`)\n\n## Fail over\n\n## Fail over\n\n```sh\n# not a heading\n```\n")
	write("README.md", strings.Join([]string{
		"[ok](docs/a.md#service-fleet-dbayfleet) [ok](docs/a.md#fail-over-1) [ok](#top) [ok](https://example.com/x#y)",
		"`[not a link](nowhere.md)`",
		"```", "[in a code block](nowhere.md)", "```",
		"# Top",
		"[missing file](docs/b.md)",
		"[missing anchor](docs/a.md#fail-back)",
		"[heading in code](docs/a.md#not-a-heading)",
		"[missing local anchor](#bottom)",
		"[outside](../shared/seeds/x.txt)",
	}, "\n"))
	got := brokenLinks(t, dir, "README.md")
	want := []string{"docs/b.md", "docs/a.md#fail-back", "docs/a.md#not-a-heading", "#bottom", "../shared/seeds/x.txt"}
	if len(got) != len(want) {
		t.Fatalf("broken links = %q, want %d of them: %q", got, len(want), want)
	}
	for i, w := range want {
		if !strings.Contains(got[i], "("+w+")") {
			t.Errorf("broken link %d = %q, want one naming %q", i, got[i], w)
		}
	}
}

func TestGitHubSlug(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Service fleet (`dbay:fleet`)":                                     "service-fleet-dbayfleet",
		"Secrets (`dbay:secrets`, `dbay:secretValues`)":                    "secrets-dbaysecrets-dbaysecretvalues",
		"Reconcile a withdrawal, deposit or order (`NeedsReconciliation`)": "reconcile-a-withdrawal-deposit-or-order-needsreconciliation",
		"Frontend (`dbay:frontend`) and Auth (`dbay:auth`)":                "frontend-dbayfrontend-and-auth-dbayauth",
		"Environment Variables (`production.tfvars`)":                      "environment-variables-productiontfvars",
		"Email (`SMTP_*`)":         "email-smtp_",
		"Architecture, Components": "architecture-components",
	} {
		if got := gitHubSlug(in); got != want {
			t.Errorf("gitHubSlug(%q) = %q, want %q", in, got, want)
		}
	}
}

// docFiles lists the markdown files whose links are checked, relative to root.
func docFiles(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files := []string{"README.md", "CHANGELOG.md"}
	for _, d := range docs {
		files = append(files, filepath.Join("docs", filepath.Base(d)))
	}
	return files
}

var (
	mdLink     = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	codeSpan   = regexp.MustCompile("`[^`]*`")
	mdHeading  = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	linkScheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// prose returns the lines of a markdown document outside fenced code
// blocks, numbered from 1.
func prose(doc string) map[int]string {
	out, fence := map[int]string{}, false
	for i, l := range strings.Split(doc, "\n") {
		if s := strings.TrimSpace(l); strings.HasPrefix(s, "```") || strings.HasPrefix(s, "~~~") {
			fence = !fence
			continue
		}
		if !fence {
			out[i+1] = l
		}
	}
	return out
}

// anchors returns the fragment ids GitHub gives the headings of doc: the
// slug of each, with -1, -2, ... for repeats.
func anchors(doc string) map[string]bool {
	lines := prose(doc)
	seen, out := map[string]int{}, map[string]bool{}
	for i := 1; i <= strings.Count(doc, "\n")+1; i++ {
		m := mdHeading.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		s := gitHubSlug(m[2])
		if n := seen[s]; n > 0 {
			out[fmt.Sprintf("%s-%d", s, n)] = true
		} else {
			out[s] = true
		}
		seen[s]++
	}
	return out
}

// gitHubSlug is GitHub's heading id: link markup reduced to its text,
// lowercase, every character but letters, digits, marks, '-', '_' and
// spaces dropped, spaces turned into '-'.
func gitHubSlug(heading string) string {
	heading = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`).ReplaceAllString(heading, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// brokenLinks reports each relative link of file (relative to base) whose
// target does not exist inside base, or whose fragment names no heading of
// its target.
func brokenLinks(t *testing.T, base, file string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(base, file))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	lines := prose(doc)
	var out []string
	for i := 1; i <= strings.Count(doc, "\n")+1; i++ {
		l, ok := lines[i]
		if !ok {
			continue
		}
		for _, m := range mdLink.FindAllStringSubmatch(codeSpan.ReplaceAllString(l, ""), -1) {
			target := m[1]
			if linkScheme.MatchString(target) {
				continue
			}
			path, frag, _ := strings.Cut(target, "#")
			where := fmt.Sprintf("%s:%d: (%s)", file, i, target)
			dest := filepath.Join(filepath.Dir(file), path)
			if path == "" {
				dest = file
			}
			if dest == ".." || strings.HasPrefix(dest, ".."+string(filepath.Separator)) {
				out = append(out, where+" leaves the repository: name what the program implements instead")
				continue
			}
			body, err := os.ReadFile(filepath.Join(base, dest))
			if err != nil {
				if _, serr := os.Stat(filepath.Join(base, dest)); serr != nil {
					out = append(out, where+" no such file")
					continue
				}
			}
			if frag != "" && !anchors(string(body))[frag] {
				out = append(out, fmt.Sprintf("%s no heading #%s in %s", where, frag, dest))
			}
		}
	}
	return out
}
