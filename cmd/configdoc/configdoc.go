package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/dbay/infra/config"
)

// Command is how docs/config.md is regenerated (from the module root).
const Command = "go run ./cmd/configdoc > docs/config.md"

// Key is one configuration key a stack file can set.
type Key struct {
	Path  string // as written under the namespace: data.redis.nodeType, fleet.services[].cpu
	Type  string // string, integer, boolean, number, object, list of …, map of …
	Doc   string // the field's Go doc comment, on one line
	Field string // the Go type and field it comes from: Redis.NodeType
	Valid []string
}

var rangeRe = regexp.MustCompile(`-?\d+(?:\.\d+)?\s*\.\.\s*-?\d+(?:\.\d+)?`)

// sources is what the config package's Go sources say: field doc
// comments by type and field, and typed string constants by type.
type sources struct {
	docs   map[string]map[string]string // type -> field -> doc
	consts map[string][]string          // type -> values
	named  map[string]string            // string constant -> value
	lists  map[string]*ast.CompositeLit // package-level []string variable -> its literal
	oneOf  []*ast.CallExpr              // the validation's oneOf(c, path, got, valid, what) calls
}

// validOf is the list of values a oneOf call accepts, when the call
// spells it out (a literal, or a package-level []string literal).
func (s *sources) validOf(e ast.Expr) []string {
	if id, ok := e.(*ast.Ident); ok && s.lists[id.Name] != nil {
		e = s.lists[id.Name]
	}
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return nil
	}
	var out []string
	for _, el := range lit.Elts {
		switch v := el.(type) {
		case *ast.BasicLit:
			u, err := strconv.Unquote(v.Value)
			if err != nil {
				return nil
			}
			out = append(out, u)
		case *ast.Ident:
			u, ok := s.named[v.Name]
			if !ok {
				return nil
			}
			out = append(out, u)
		default:
			return nil
		}
	}
	return out
}

// applyOneOf sets the valid values of the keys a oneOf call checks: its
// path is the key ("frontend.priceClass") or ends with the key's last
// segment (path+".tracing") when exactly one key ends so.
func (s *sources) applyOneOf(keys []Key) {
	for _, call := range s.oneOf {
		valid := s.validOf(call.Args[3])
		if valid == nil {
			continue
		}
		var lit *ast.BasicLit
		switch p := call.Args[1].(type) {
		case *ast.BasicLit:
			lit = p
		case *ast.BinaryExpr:
			lit, _ = p.Y.(*ast.BasicLit)
		}
		if lit == nil {
			continue
		}
		path, err := strconv.Unquote(lit.Value)
		if err != nil {
			continue
		}
		var hits []int
		for i, k := range keys {
			if k.Path == path || strings.HasPrefix(path, ".") && strings.HasSuffix(k.Path, path) {
				hits = append(hits, i)
			}
		}
		if len(hits) == 1 {
			keys[hits[0]].Valid = valid
		}
	}
}

func parseSources(dir string) (*sources, error) {
	fset := token.NewFileSet()
	s := &sources{docs: map[string]map[string]string{}, consts: map[string][]string{},
		named: map[string]string{}, lists: map[string]*ast.CompositeLit{}}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok && len(call.Args) == 5 {
				if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "oneOf" {
					s.oneOf = append(s.oneOf, call)
				}
			}
			return true
		})
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range gd.Specs {
				switch sp := spec.(type) {
				case *ast.TypeSpec:
					st, ok := sp.Type.(*ast.StructType)
					if !ok {
						continue
					}
					fields, prev := map[string]string{}, ""
					for _, fld := range st.Fields.List {
						doc := strings.Join(strings.Fields(fld.Doc.Text()+" "+fld.Comment.Text()), " ")
						for _, n := range fld.Names {
							// One comment may document a run of fields it names
							// ("CPU units and Memory (MiB) of a task").
							if doc == "" && regexp.MustCompile(`\b`+n.Name+`\b`).MatchString(prev) {
								doc = prev
							}
							fields[n.Name] = doc
						}
						prev = doc
					}
					s.docs[sp.Name.Name] = fields
				case *ast.ValueSpec:
					id, typed := sp.Type.(*ast.Ident)
					for i, v := range sp.Values {
						if cl, ok := v.(*ast.CompositeLit); ok && gd.Tok == token.VAR {
							s.lists[sp.Names[i].Name] = cl
						}
						lit, ok := v.(*ast.BasicLit)
						if gd.Tok != token.CONST || !ok || lit.Kind != token.STRING {
							continue
						}
						if u, err := strconv.Unquote(lit.Value); err == nil {
							s.named[sp.Names[i].Name] = u
							if typed {
								s.consts[id.Name] = append(s.consts[id.Name], u)
							}
						}
					}
				}
			}
		}
	}
	return s, nil
}

// Keys lists every key reachable from config.Config, in field order, with
// aws:region first. dir is the config package's source directory.
func Keys(dir string) ([]Key, error) {
	s, err := parseSources(dir)
	if err != nil {
		return nil, err
	}
	keys := []Key{{Path: "aws:region", Type: "string", Doc: s.docs["Config"]["Region"], Field: "Config.Region"}}
	s.walk(reflect.TypeOf(config.Config{}), "", map[reflect.Type]bool{}, &keys)
	s.applyOneOf(keys)
	return keys, nil
}

func (s *sources) walk(t reflect.Type, prefix string, onPath map[reflect.Type]bool, out *[]Key) {
	if onPath[t] {
		return
	}
	onPath[t] = true
	defer delete(onPath, t)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		k := Key{Path: prefix + name, Type: typeName(f.Type), Doc: s.docs[t.Name()][f.Name], Field: t.Name() + "." + f.Name}
		k.Valid = append(k.Valid, s.consts[deref(f.Type).Name()]...)
		if deref(f.Type).PkgPath() != reflect.TypeOf(config.Config{}).PkgPath() {
			k.Valid = nil
		}
		if r := rangeRe.FindString(k.Doc); r != "" && len(k.Valid) == 0 && (k.Type == "integer" || k.Type == "number") {
			k.Valid = []string{strings.ReplaceAll(r, " ", "")}
		}
		*out = append(*out, k)
		s.children(f.Type, k.Path, onPath, out)
	}
}

// children adds the keys below a field of type t at path.
func (s *sources) children(t reflect.Type, path string, onPath map[reflect.Type]bool, out *[]Key) {
	t = deref(t)
	switch t.Kind() {
	case reflect.Struct:
		s.walk(t, path+".", onPath, out)
	case reflect.Map:
		if e := deref(t.Elem()); e.Kind() == reflect.Struct {
			s.walk(e, path+".<name>.", onPath, out)
		}
	case reflect.Slice:
		if e := deref(t.Elem()); e.Kind() == reflect.Struct {
			s.walk(e, path+"[].", onPath, out)
		}
	}
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func typeName(t reflect.Type) string {
	t = deref(t)
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "integer"
	case reflect.Float64:
		return "number"
	case reflect.Struct:
		return "object"
	case reflect.Slice:
		return "list of " + plural(typeName(t.Elem()))
	case reflect.Map:
		return "map of " + plural(typeName(t.Elem()))
	}
	return t.Kind().String()
}

func plural(s string) string {
	if strings.HasPrefix(s, "list of") || strings.HasPrefix(s, "map of") {
		return "(" + s + ")"
	}
	return s + "s"
}

// Undocumented lists the key paths whose field has no doc comment.
func Undocumented(keys []Key) []string {
	var out []string
	for _, k := range keys {
		if k.Doc == "" {
			out = append(out, k.Path+" ("+k.Field+")")
		}
	}
	return out
}

// Generate renders docs/config.md for the module at root.
func Generate(root string) ([]byte, error) {
	keys, err := Keys(filepath.Join(root, "config"))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!-- Code generated by `%s`; DO NOT EDIT. -->\n\n", Command)
	b.WriteString(header)
	// Top-level keys without keys below them share the first table; each
	// section gets its own.
	sections, order := map[string][]Key{}, []string{""}
	for _, k := range keys {
		top, _, _ := strings.Cut(k.Path, ".")
		top, _, _ = strings.Cut(top, "[")
		if top == k.Path {
			sections[""] = append(sections[""], k)
			continue
		}
		if sections[top] == nil {
			order = append(order, top)
		}
		sections[top] = append(sections[top], k)
	}
	for _, top := range order {
		heading := "Stack keys"
		if top != "" {
			heading = "`" + top + "`"
		}
		fmt.Fprintf(&b, "\n## %s\n\n| key | type | default | valid values | description |\n|---|---|---|---|---|\n", heading)
		for _, k := range sections[top] {
			writeRow(&b, k)
		}
	}
	return b.Bytes(), nil
}

func writeRow(b *bytes.Buffer, k Key) {
	def := k.Default()
	switch def {
	case "":
		def = "—"
	case "required":
		def = "— (required)"
	default:
		if strings.HasPrefix(def, "required ") {
			def = "— (" + def + ")"
		}
	}
	valid := make([]string, len(k.Valid))
	for i, v := range k.Valid {
		valid[i] = "`" + v + "`"
	}
	fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", k.Path, k.Type, cell(def), strings.Join(valid, ", "), cell(k.Doc))
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

const header = `# Configuration keys

Every key a stack file can set, generated from the Go structs of the
` + "`config`" + ` package: the key as written in ` + "`Pulumi.<stack>.yaml`" + ` (under the
project's namespace, ` + "`dbay:`" + ` or ` + "`dhanam:`" + `, except ` + "`aws:region`" + `), its type,
what its absence means (the field's "Absent:" sentence), the valid values
the code names (typed constants, or the range the comment states) and the
field's doc comment. ` + "`<name>`" + ` stands for a key of your choosing (a map
entry), ` + "`[]`" + ` for each entry of a list. [configuration.md](configuration.md)
explains the sections with examples.
`

// moduleRoot is the nearest directory at or above the working directory
// holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod at or above the working directory")
		}
		dir = parent
	}
}
