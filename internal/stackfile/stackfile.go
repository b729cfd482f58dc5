// Package stackfile reads a project's Pulumi.yaml and Pulumi.<stack>.yaml
// with Pulumi's own loaders and returns the stack's config as a run hands
// it to the program: "ns:key" -> value, structured values as JSON. Secure
// values read as "[secret]": nothing here decrypts.
package stackfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	pconfig "github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// Stack is a stack's project name and configuration.
type Stack struct {
	Project    string
	Name       string
	Values     map[string]string
	SecretKeys []string // sorted
}

// Load reads dir/Pulumi.yaml and dir/Pulumi.<stack>.yaml. Warnings of the
// loader go to warnings (nil: discarded).
func Load(dir, stack string, warnings io.Writer) (*Stack, error) {
	proj, err := workspace.LoadProject(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "Pulumi."+stack+".yaml")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("stack %q: %w", stack, err)
	}
	if warnings == nil {
		warnings = io.Discard
	}
	sink := diag.DefaultSink(io.Discard, warnings, diag.FormatOptions{Color: colors.Never})
	ps, err := workspace.LoadProjectStack(sink, proj, path)
	if err != nil {
		return nil, err
	}
	st := &Stack{Project: proj.Name.String(), Name: stack, Values: map[string]string{}}
	for k, v := range ps.Config {
		s, err := v.Value(pconfig.NewBlindingDecrypter())
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, k, err)
		}
		st.Values[k.String()] = s
		if v.Secure() {
			st.SecretKeys = append(st.SecretKeys, k.String())
		}
	}
	sort.Strings(st.SecretKeys)
	return st, nil
}
