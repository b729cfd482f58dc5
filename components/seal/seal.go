// Package seal finishes the components whose policies must name every
// grantee — the single-reader secrets' resource policies (Secrets), the
// OpenSearch access policy (DataLayer) — once every grant has been made.
//
// Such a component calls Track in its constructor. The stack calls All
// after its last grant, which seals every tracked component in the order
// they were built, and Check at the end of the run, which fails naming
// every tracked component All never sealed: forgetting the seal is an
// error, not a secret readable by no one (or a search domain nobody may
// query).
package seal

import (
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Sealer is a component that writes grant-dependent policies once.
type Sealer interface {
	pulumi.ComponentResource
	// Seal writes the policies; a grant after it is an error.
	Seal(ctx *pulumi.Context) error
	// Sealed reports whether Seal has run.
	Sealed() bool
}

type tracked struct {
	name string
	s    Sealer
}

var (
	mu    sync.Mutex
	byRun = map[*pulumi.Context][]tracked{}
)

// Track records s, named name (e.g. `secrets "secrets"`), as needing a
// seal in this run.
func Track(ctx *pulumi.Context, name string, s Sealer) {
	mu.Lock()
	defer mu.Unlock()
	byRun[ctx] = append(byRun[ctx], tracked{name: name, s: s})
}

// All seals every component tracked in this run and not yet sealed, in
// the order they were tracked. Call it once every grant has been made.
func All(ctx *pulumi.Context) error {
	mu.Lock()
	list := append([]tracked(nil), byRun[ctx]...)
	mu.Unlock()
	for _, t := range list {
		if t.s.Sealed() {
			continue
		}
		if err := t.s.Seal(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Check fails naming every component tracked in this run that was never
// sealed, and forgets the run.
func Check(ctx *pulumi.Context) error {
	mu.Lock()
	list := byRun[ctx]
	delete(byRun, ctx)
	mu.Unlock()
	var unsealed []string
	for _, t := range list {
		if !t.s.Sealed() {
			unsealed = append(unsealed, t.name)
		}
	}
	if len(unsealed) > 0 {
		return fmt.Errorf("never sealed: %s: their grant-dependent policies were not written; call seal.All(ctx) after the last grant (stacks.Build does)",
			strings.Join(unsealed, ", "))
	}
	return nil
}
