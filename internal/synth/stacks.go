package synth

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// StackNames are the stacks dir holds: one per Pulumi.<stack>.yaml, sorted.
func StackNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || n == "Pulumi.yaml" || !strings.HasPrefix(n, "Pulumi.") || !strings.HasSuffix(n, ".yaml") {
			continue
		}
		if s := strings.TrimSuffix(strings.TrimPrefix(n, "Pulumi."), ".yaml"); s != "" {
			names = append(names, s)
		}
	}
	sort.Strings(names)
	return names, nil
}

// checkStack returns a usage error naming the stacks dir holds when it has
// no Pulumi.<stack>.yaml: `synth: no stack "nosuch" in .: found dr, prod`.
func checkStack(dir, stack string) error {
	if _, err := os.Stat(filepath.Join(dir, "Pulumi."+stack+".yaml")); err == nil {
		return nil
	}
	names, err := StackNames(dir)
	switch {
	case err != nil:
		return fmt.Errorf("synth: no stack %q in %s: %v", stack, dir, err)
	case len(names) == 0:
		return fmt.Errorf("synth: no stack %q in %s: found no Pulumi.<stack>.yaml (pass the project directory with --dir)", stack, dir)
	}
	return fmt.Errorf("synth: no stack %q in %s: found %s", stack, dir, strings.Join(names, ", "))
}
