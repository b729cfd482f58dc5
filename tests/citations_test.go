package tests

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Code comments, stack configs, workflows and the bootstrap program cite a
// section of the docs as `docs/<file>.md "<Section>"` (or `CHANGELOG.md
// "<Section>"`). Each citation must name a heading of that file or the
// bold lead of one of its paragraphs (`**Section.**`), so a section that
// is renamed or moved cannot leave comments pointing at nothing. The same
// holds inside Go string literals (`docs/dr.md \"Fail over\"`): alarm
// descriptions and config errors send an operator there. `README
// "<Section>"` must name one of the README's own headings (it is a first
// page: the reference sections moved to docs/).
var (
	citation      = regexp.MustCompile(`(docs/[a-z0-9-]+\.md|CHANGELOG\.md|README)(?:'s)? \\?"([^"\\]+)\\?"`)
	commentBreaks = regexp.MustCompile(`\s*\n\s*(//|#)?\s*`)
	// vagueREADME are pointers into the README that name no section
	// ("see README", "the README runbook", "README Design decisions"):
	// the README has no runbooks or reference sections any more.
	vagueREADME = regexp.MustCompile(`(?i)(see (the )?README\b[^.'"]?|README (runbook|design decisions))`)
)

func TestDocCitationsResolve(t *testing.T) {
	t.Parallel()
	var bad []string
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if name := d.Name(); rel != "." && (strings.HasPrefix(name, ".") && name != ".github" || name == "node_modules" || rel == "docs") {
				return filepath.SkipDir
			}
			return nil
		}
		if rel == filepath.Join("tests", "citations_test.go") {
			return nil // this file spells the forms out
		}
		switch filepath.Ext(path) {
		case ".go", ".yaml", ".yml", ".sh":
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		// A citation may wrap across comment lines: join them first.
		text := commentBreaks.ReplaceAllString(string(b), " ")
		for _, m := range vagueREADME.FindAllString(text, -1) {
			bad = append(bad, rel+": "+m+` (names no section: cite docs/<file>.md "<Section>")`)
		}
		for _, m := range citation.FindAllStringSubmatch(text, -1) {
			n++
			file, section := m[1], m[2]
			if file == "README" {
				if !hasSection(t, "README.md", section) {
					bad = append(bad, rel+`: README "`+section+`" (the README is a first page without that section: cite docs/<file>.md "`+section+`")`)
				}
				continue
			}
			if !hasSection(t, file, section) {
				bad = append(bad, rel+": "+file+` "`+section+`" names no heading or bold paragraph lead of `+file)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Errorf("found %d citations: the walk is not reading the repository", n)
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// hasSection reports whether file (relative to the repository) has a
// heading or a bold paragraph lead that reads section.
func hasSection(t *testing.T, file, section string) bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		return false
	}
	for _, line := range prose(string(b)) {
		// A heading matches whole or up to its parenthesis: "Email"
		// names "## Email (`SMTP_*`)".
		if m := mdHeading.FindStringSubmatch(line); m != nil && (m[2] == section || strings.HasPrefix(m[2], section+" (")) {
			return true
		}
		if strings.Contains(line, "**"+section+".**") || strings.Contains(line, "**"+section+"**") {
			return true
		}
	}
	return false
}
