package tests

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/dbay/infra/internal/synth"
)

// Every constant in internal/tokens is a type the shipped stacks (or DBay
// on EKS) register, or one pulumi-aws or the Pulumi SDK declares (the
// policy pack also guards types no stack creates yet): a misspelt token
// would make a lookup or a rule match nothing, silently.
func TestTokenConstantsAreKnownTypes(t *testing.T) {
	t.Parallel()
	consts := tokenConstants(t)
	if len(consts) < 100 {
		t.Fatalf("read %d constants from internal/tokens, want the whole list", len(consts))
	}
	registered := map[string]bool{}
	for _, key := range shippedStacks {
		dir, stack := shippedStack(key)
		for _, r := range synthesize(t, dir, stack).Resources {
			registered[r.Type] = true
		}
	}
	// The Kubernetes kinds come from DBay prod on EKS.
	st, err := synth.LoadStack(eksVariant(t), "prod")
	if err != nil {
		t.Fatal(err)
	}
	eks, err := synth.Run(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range eks.Resources {
		registered[r.Type] = true
	}
	awsSDK := moduleDir(t, "github.com/pulumi/pulumi-aws/sdk/v6")
	pulumiSDK := moduleDir(t, "github.com/pulumi/pulumi/sdk/v3")
	for name, tok := range consts {
		if registered[tok] || declaredByAWS(awsSDK, tok) || declaredByPulumi(pulumiSDK, tok) {
			continue
		}
		t.Errorf("tokens.%s = %q: no shipped stack registers it and neither pulumi-aws nor the Pulumi SDK declares it", name, tok)
	}
}

// tokenConstants reads internal/tokens/tokens.go: name -> token.
func tokenConstants(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, "internal", "tokens", "tokens.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, id := range vs.Names {
			lit, ok := vs.Values[i].(*ast.BasicLit)
			if !ok {
				t.Errorf("tokens.%s is not a string literal", id.Name)
				continue
			}
			v, _ := strconv.Unquote(lit.Value)
			out[id.Name] = v
		}
		return false
	})
	return out
}

// moduleDir is where the module this repository builds with lives.
func moduleDir(t *testing.T, module string) string {
	t.Helper()
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", module, err)
	}
	return strings.TrimSpace(string(out))
}

// declaredByAWS reports whether pulumi-aws registers tok: the resource
// "aws:<module>/<file>:<Type>" is registered in go/aws/<module>/<file>.go.
func declaredByAWS(sdk, tok string) bool {
	parts := strings.Split(tok, ":")
	if len(parts) != 3 || parts[0] != "aws" || !strings.Contains(parts[1], "/") {
		return false
	}
	src, err := os.ReadFile(filepath.Join(sdk, "go", "aws", parts[1]+".go"))
	return err == nil && strings.Contains(string(src), `RegisterResource("`+tok+`"`)
}

// declaredByPulumi reports whether the Pulumi SDK itself owns tok: the
// root stack, or the StackReference it reads (go/pulumi/stack_reference.go).
func declaredByPulumi(sdk, tok string) bool {
	if tok == string(resource.RootStackType) {
		return true
	}
	src, err := os.ReadFile(filepath.Join(sdk, "go", "pulumi", "stack_reference.go"))
	return err == nil && strings.Contains(string(src), `ReadResource("`+tok+`"`)
}
