// Package sizes holds a test that keeps files and functions small enough to
// read (issue 20, "Done when"): no non-test Go file over maxFileLines lines,
// no function over maxFuncLines lines unless its doc comment says why with
// the longMarker.
package sizes

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const (
	// maxFileLines is the most lines a non-test .go file may have.
	maxFileLines = 420
	// maxFuncLines is the most lines (from `func` to its closing brace) a
	// function may have without a reason in its doc comment.
	maxFuncLines = 100
	// longMarker in a function's doc comment, followed by a reason, allows
	// it to be longer, e.g. "// Long: a table: one entry per rule."
	longMarker = "Long:"
)

// allowFiles lists files known to exceed maxFileLines, with who owns the
// fix (empty since issue 20 landed; add an entry only with an owner);
// an entry that no longer exceeds the limit fails the test, so it cannot go
// stale.
var allowFiles = map[string]string{}

// allowFuncs lists functions known to exceed maxFuncLines without a "Long:"
// reason, keyed "path:Func" (methods "path:Type.Method"), with the helper
// who owns the fix. Same rules as allowFiles.
var allowFuncs = map[string]string{}

// repoRoot is the module root, two directories up from this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: %v", root, err)
	}
	return root
}

// sourceFiles returns the repository's non-test .go files, relative and
// slash-separated, skipping hidden directories, testdata and vendor.
func sourceFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// measure is one oversized file or function.
type measure struct {
	key   string // "path" or "path:Func"
	lines int
}

// oversized parses each file and returns the files over maxFileLines and the
// functions over maxFuncLines whose doc comment lacks longMarker.
func oversized(t *testing.T, root string, files []string) (bigFiles, bigFuncs []measure) {
	t.Helper()
	fset := token.NewFileSet()
	for _, rel := range files {
		f, err := parser.ParseFile(fset, filepath.Join(root, filepath.FromSlash(rel)), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if n := fset.File(f.Pos()).LineCount(); n > maxFileLines {
			bigFiles = append(bigFiles, measure{rel, n})
		}
		bigFuncs = append(bigFuncs, longFuncs(fset, f, rel)...)
	}
	return bigFiles, bigFuncs
}

// longFuncs are the functions of f over maxFuncLines whose doc comment
// gives no reason after longMarker.
func longFuncs(fset *token.FileSet, f *ast.File, rel string) []measure {
	var out []measure
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok {
			continue
		}
		n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
		if n <= maxFuncLines || hasReason(fn.Doc) {
			continue
		}
		out = append(out, measure{rel + ":" + funcName(fn), n})
	}
	return out
}

// hasReason reports whether doc contains longMarker followed by some text.
func hasReason(doc *ast.CommentGroup) bool {
	if doc == nil {
		return false
	}
	_, reason, ok := strings.Cut(doc.Text(), longMarker)
	return ok && strings.TrimSpace(reason) != ""
}

// funcName is "Func" or "Type.Method".
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	typ := fn.Recv.List[0].Type
	for {
		switch x := typ.(type) {
		case *ast.StarExpr:
			typ = x.X
			continue
		case *ast.IndexExpr:
			typ = x.X
			continue
		case *ast.IndexListExpr:
			typ = x.X
			continue
		}
		break
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}

// check reports every measure not in allow, and every allow entry that is
// no longer oversized.
func check(t *testing.T, what, hint string, limit int, got []measure, allow map[string]string) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range got {
		seen[m.key] = true
		if owner, ok := allow[m.key]; ok {
			t.Logf("allowed for now (%s): %s is %d lines, over %d", owner, m.key, m.lines, limit)
			continue
		}
		t.Errorf("%s %s is %d lines, over %d: %s", what, m.key, m.lines, limit, hint)
	}
	for key := range allow {
		if !seen[key] {
			t.Errorf("%s %s is in the allowlist but is no longer over %d lines (or no longer exists): remove it from the list", what, key, limit)
		}
	}
}

// TestFileSizes: no non-test .go file over maxFileLines (allowFiles aside).
func TestFileSizes(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	bigFiles, _ := oversized(t, root, sourceFiles(t, root))
	check(t, "file", "split it along a real seam (e.g. one concern per file)", maxFileLines, bigFiles, allowFiles)
}

// TestFunctionSizes: no function over maxFuncLines without a reason after
// longMarker in its doc comment (allowFuncs aside).
func TestFunctionSizes(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	_, bigFuncs := oversized(t, root, sourceFiles(t, root))
	check(t, "function", fmt.Sprintf("split it into named steps, or give the reason in its doc comment after %q (e.g. a table)", longMarker),
		maxFuncLines, bigFuncs, allowFuncs)
}

// TestLongFuncs checks the measure itself on a made-up file: a function one
// line over the limit is reported unless its doc comment gives a reason.
func TestLongFuncs(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("\t_ = 0\n", maxFuncLines-2) // plus the func line and the closing brace
	fn := func(doc, name string) string { return doc + "func " + name + "() {\n" + body + "}\n" }
	src := "package x\n\n" +
		fn("", "atLimit") +
		fn("", "noDoc") +
		fn("// Long: a table: one entry per rule.\n", "withReason") +
		fn("// Long:\n", "markerOnly") +
		fn("// long, but says nothing\n", "plainDoc") +
		"type T struct{}\n\n" + fn("", "(*T) method")
	// Grow every function but atLimit by one line.
	src = strings.Replace(src, "func noDoc() {\n", "func noDoc() {\n\t_ = 1\n", 1)
	for _, name := range []string{"withReason", "markerOnly", "plainDoc", "(*T) method"} {
		src = strings.Replace(src, "func "+name+"() {\n", "func "+name+"() {\n\t_ = 1\n", 1)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range longFuncs(fset, f, "x.go") {
		got = append(got, fmt.Sprintf("%s %d", m.key, m.lines))
	}
	want := []string{"x.go:noDoc 101", "x.go:markerOnly 101", "x.go:plainDoc 101", "x.go:T.method 101"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("longFuncs = %v, want %v", got, want)
	}
}
