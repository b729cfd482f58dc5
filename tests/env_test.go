package tests

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/dbay/infra/components/auth"
	"github.com/dbay/infra/components/baseline"
	"github.com/dbay/infra/components/cert"
	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/drlink"
	"github.com/dbay/infra/components/fleet"
	"github.com/dbay/infra/components/frontend"
	"github.com/dbay/infra/components/monitoring"
	"github.com/dbay/infra/components/network"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/components/serverless"
	"github.com/dbay/infra/config"
)

// componentArgs are the Args of every component ("<package dir under
// components/>.Args", and the other exported constructors' arguments)
// and whether each embeds config.Env. cert's Args names a certificate,
// not a stack: it repeats none of the Env.
var componentArgs = map[string]struct {
	typ   reflect.Type
	embed bool
}{
	"auth.Args":                {reflect.TypeFor[auth.Args](), true},
	"baseline.Args":            {reflect.TypeFor[baseline.Args](), true},
	"cert.Args":                {reflect.TypeFor[cert.Args](), false},
	"datalayer.Args":           {reflect.TypeFor[datalayer.Args](), true},
	"drlink.Args":              {reflect.TypeFor[drlink.Args](), true},
	"fleet.Args":               {reflect.TypeFor[fleet.Args](), true},
	"frontend.ALBFirewallArgs": {reflect.TypeFor[frontend.ALBFirewallArgs](), true},
	"frontend.Args":            {reflect.TypeFor[frontend.Args](), true},
	"monitoring.Args":          {reflect.TypeFor[monitoring.Args](), true},
	"network.Args":             {reflect.TypeFor[network.Args](), true},
	"secrets.Args":             {reflect.TypeFor[secrets.Args](), true},
	"serverless.Args":          {reflect.TypeFor[serverless.Args](), true},
}

// otherRegions are the Args fields that hold a Region which is not the
// stack's (Env.Region), so they are not in the Env, each with why.
var otherRegions = map[string]string{
	"drlink.Args.RecoveryRegion":   "the recovery Region: the drRegion in a primary",
	"fleet.Args.ReplicaRegion":     "where the registry replicates images (the drRegion)",
	"serverless.Args.SwitchRegion": "the failover switch alarm's Region (the drRegion)",
}

// TestArgsEmbedEnv: every component's Args takes the stack's project,
// stack, environment, Region, partition, domain and protection from the
// embedded config.Env (issue 20), never from a field of its own that a
// stack could fill differently; a Region that is not the stack's has a
// name of its own and a reason in otherRegions.
func TestArgsEmbedEnv(t *testing.T) {
	t.Parallel()
	env := map[string]bool{}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[config.Env]()) {
		env[f.Name] = true
	}
	seen := map[string]bool{}
	for pkg, c := range componentArgs {
		embeds := false
		for _, f := range reflect.VisibleFields(c.typ) {
			switch {
			case f.Anonymous && f.Type == reflect.TypeFor[config.Env]():
				embeds = true
			case env[f.Name] && len(f.Index) == 1:
				t.Errorf("%s declares %s itself: take it from the embedded config.Env", pkg, f.Name)
			case env[f.Name] && c.typ.FieldByIndex(f.Index[:1]).Type != reflect.TypeFor[config.Env]():
				t.Errorf("%s gets %s from %s, not from config.Env", pkg, f.Name, c.typ.FieldByIndex(f.Index[:1]).Name)
			case strings.HasSuffix(f.Name, "Region") && len(f.Index) == 1:
				key := pkg + "." + f.Name
				seen[key] = true
				if otherRegions[key] == "" {
					t.Errorf("%s.%s is a Region outside the Env: use Env.Region, or say in otherRegions why it is another Region", pkg, f.Name)
				}
			}
		}
		if embeds != c.embed {
			t.Errorf("%s embeds config.Env: %v, want %v", pkg, embeds, c.embed)
		}
	}
	for key := range otherRegions {
		if !seen[key] {
			t.Errorf("otherRegions lists %s, which is no field of an Args: remove it", key)
		}
	}
}

// TestEveryComponentArgsIsChecked: each package under components/ (but
// components/internal) that declares an Args is in componentArgs.
func TestEveryComponentArgsIsChecked(t *testing.T) {
	t.Parallel()
	dirs, err := os.ReadDir(filepath.Join(root, "components"))
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, d := range dirs {
		if !d.IsDir() || d.Name() == "internal" {
			continue
		}
		pkgs, err := parser.ParseDir(token.NewFileSet(), filepath.Join(root, "components", d.Name()),
			func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkgs {
			for _, f := range p.Files {
				if f.Scope.Lookup("Args") != nil && f.Scope.Lookup("Args").Kind == ast.Typ {
					if _, ok := componentArgs[d.Name()+".Args"]; !ok {
						missing = append(missing, d.Name())
					}
				}
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("components %v declare an Args that TestArgsEmbedEnv does not check: add them to componentArgs", missing)
	}
}
