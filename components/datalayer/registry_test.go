package datalayer

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

// TestStoreRegistry: every registered kind names a store, a builder and
// the type of its main resource, with a store and an order of its own;
// the five original kinds keep today's build order (the synth output
// depends on it).
func TestStoreRegistry(t *testing.T) {
	t.Parallel()
	stores, orders := map[Store]bool{}, map[int]Store{}
	for _, k := range storeKinds {
		if k.store == "" || k.build == nil || k.resourceType == "" {
			t.Errorf("kind %q: store, build and resourceType are required (got build %v, resourceType %q)", k.store, k.build != nil, k.resourceType)
		}
		if stores[k.store] {
			t.Errorf("store %q registered twice", k.store)
		}
		stores[k.store] = true
		if o, ok := orders[k.order]; ok {
			t.Errorf("stores %q and %q share order %d: the build order would depend on file names", o, k.store, k.order)
		}
		orders[k.order] = k.store
	}
	var original []Store
	for _, s := range StoreKinds() {
		if slices.Contains([]Store{Postgres, DocumentDB, Redis, Memcached, OpenSearch}, s) {
			original = append(original, s)
		}
	}
	if want := []Store{Postgres, DocumentDB, Redis, Memcached, OpenSearch}; !slices.Equal(original, want) {
		t.Errorf("build order %v, want %v", original, want)
	}
	if ResourceType(Postgres) != "aws:rds/instance:Instance" || ResourceType("nosuch") != "" {
		t.Errorf("ResourceType(postgres) = %q, ResourceType(nosuch) = %q", ResourceType(Postgres), ResourceType("nosuch"))
	}
}

// TestRegistryMatchesConfig: the DataLayer builds the stores config's
// table lets a `uses` entry name, no more, no fewer.
func TestRegistryMatchesConfig(t *testing.T) {
	t.Parallel()
	var registered []string
	for _, s := range StoreKinds() {
		registered = append(registered, string(s))
	}
	entries := config.StoreEntries()
	slices.Sort(registered)
	slices.Sort(entries)
	if !slices.Equal(registered, entries) {
		t.Errorf("registered stores %v, config's store entries %v: a store kind is both its config row (config/data.go) and its registration (docs/extending.md)", registered, entries)
	}
}

// TestEveryBuiltStoreIsRegistered: with every store of DBay enabled, each
// store the layer built is a registered kind whose main resource (the type
// the wiring proof looks for) exists under the store's name.
func TestEveryBuiltStoreIsRegistered(t *testing.T) {
	t.Parallel()
	netSpec, dataSpec := loadSpec(t, dbayStores)
	eng := mockengine.ForTest(t, "dbay", "prod", "us-east-1")
	var built []Store
	eng.MustRun(func(ctx *pulumi.Context) error {
		p, net, err := testNetwork(ctx, netSpec)
		if err != nil {
			return err
		}
		d, err := New(ctx, "data", &Args{Spec: dataSpec, Network: net, Env: config.Env{Project: "dbay", Region: "us-east-1", Partition: "aws",
			Domain: "dbay.example.com"}}, pulumi.Providers(p))
		if err != nil {
			return err
		}
		built = d.Stores()
		return d.Seal(ctx)
	})
	if len(built) != 5 {
		t.Errorf("built %v, want DBay's five stores", built)
	}
	for _, s := range built {
		k, ok := kindOf(s)
		switch {
		case !ok:
			t.Errorf("store %q is built but not registered (registerStore in its builder's file)", s)
		case k.resourceType == "":
			t.Errorf("store %q is registered without a resource type", s)
		case eng.Get(k.resourceType, string(s)) == nil:
			t.Errorf("store %q: no %s named %q, the resource the wiring proof looks for", s, k.resourceType, s)
		}
	}
}
