package datalayer

import (
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
)

// storeKind is one kind of network store, declared once next to its
// builder (`func init() { registerStore(storeKind{...}) }` in
// postgres.go, documentdb.go, cache.go, opensearch.go): New builds the
// registered kinds, Bind grants through grant, and the wiring proof
// (internal/wiring) finds the store by resourceType. A new store kind is
// its builder file and its config section (docs/extending.md "A new store
// kind"); nothing else lists the stores.
type storeKind struct {
	// store names the kind: the `uses` entry, which config's store table
	// (config/data.go) names too (TestRegistryMatchesConfig).
	store Store
	// order places the builder in New, ascending, after the layer's key
	// and before messaging: today postgres 10, mongo 20, redis 30,
	// memcached 40, search 50. It is explicit so that the build order (and
	// so the synth output) never depends on file names. Unique.
	order int
	// build creates the store when its config section is set (and returns
	// nil when it is not), calling newStoreSG with this store.
	build func(*DataLayer, *pulumi.Context) error
	// resourceType is the type token of the store's main resource, whose
	// logical name is the store ("postgres": the RDS instance): what the
	// wiring proof looks for (internal/tokens).
	resourceType string
	// grant, when set, is the IAM grant a consumer needs besides the
	// network and the credentials (OpenSearch: its HTTP API). Nil: none.
	grant func(*DataLayer, *pulumi.Context, iamdoc.Grantee) (iamdoc.Grant, error)
}

// storeKinds are the registered kinds, by order.
var storeKinds []storeKind

// registerStore adds a kind; each store file calls it from its init.
// The registry is checked by TestStoreRegistry (unique stores and orders,
// a builder and a resource type each), not at run time.
func registerStore(k storeKind) {
	storeKinds = append(storeKinds, k)
	sort.SliceStable(storeKinds, func(i, j int) bool { return storeKinds[i].order < storeKinds[j].order })
}

// kindOf is the registered kind of s.
func kindOf(s Store) (storeKind, bool) {
	for _, k := range storeKinds {
		if k.store == s {
			return k, true
		}
	}
	return storeKind{}, false
}

// StoreKinds lists every store kind the DataLayer can build, in build
// order (whether or not a stack has them).
func StoreKinds() []Store {
	out := make([]Store, 0, len(storeKinds))
	for _, k := range storeKinds {
		out = append(out, k.store)
	}
	return out
}

// ResourceType is the type token of store s's main resource, whose
// logical name is s (an RDS instance "postgres"); "" for a name that is no
// store kind.
func ResourceType(s Store) string {
	k, _ := kindOf(s)
	return k.resourceType
}
