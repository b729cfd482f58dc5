package config

import "testing"

// Each entry parses to its kind and name, with the access its consumer
// gets: the queue is the one entry whose access depends on the consumer.
func TestResolveUses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		entry          string
		kind           UseKind
		name           string
		service, fn    Access
		viaNAT, isSMTP bool
	}{
		{"postgres", UseStore, "postgres", AccessConnect, AccessConnect, false, false},
		{"search", UseStore, "search", AccessConnect, AccessConnect, false, false},
		{"bucket:listing-images", UseBucket, "listing-images", AccessReadWrite, AccessReadWrite, false, false},
		{"queue:notifications", UseQueue, "notifications", AccessConsume, AccessSend, true, false},
		{"ses", UseSES, "", AccessSend, AccessSend, true, false},
		{"ses:smtp", UseSES, "smtp", AccessCredentials, AccessCredentials, false, true},
		{"key:app", UseKey, "app", AccessEncrypt, AccessEncrypt, false, false},
		{"bus", UseBus, "", "", "", false, false},
	} {
		svc := FleetService{Uses: []string{tc.entry}}.ResolvedUses()[0]
		fn := LambdaFunction{Uses: []string{tc.entry}}.ResolvedUses()[0]
		if svc.Entry != tc.entry || svc.Kind != tc.kind || svc.Name != tc.name || svc.Access != tc.service || fn.Access != tc.fn {
			t.Errorf("%s: service %+v, function %+v", tc.entry, svc, fn)
		}
		if svc.ViaNAT() != tc.viaNAT || svc.IsSMTP() != tc.isSMTP {
			t.Errorf("%s: ViaNAT %v, IsSMTP %v", tc.entry, svc.ViaNAT(), svc.IsSMTP())
		}
	}
}

// The store table names each store's variable once; UsableStores offers a
// store exactly when its data section is set.
func TestStoreTable(t *testing.T) {
	t.Parallel()
	for store, v := range map[string]string{"postgres": "DATABASE_URL", "mongo": "MONGO_URI", "redis": "REDIS_URL",
		"search": "ELASTICSEARCH_URL", "memcached": "MEMCACHED_URL", "bucket:x": "", "nosuch": ""} {
		if got := StoreVariable(store); got != v {
			t.Errorf("StoreVariable(%s) = %q, want %q", store, got, v)
		}
	}
	all := Data{Postgres: &Postgres{}, DocumentDB: &DocumentDB{}, Redis: &Redis{}, OpenSearch: &OpenSearch{}, Memcached: &Memcached{}}.UsableStores()
	seen := map[string]bool{}
	for _, s := range storeUses {
		if got := all[s.entry]; len(got) != 1 || got[0] != s.variable {
			t.Errorf("UsableStores[%s] = %v, want [%s]", s.entry, got, s.variable)
		}
		if seen[s.variable] {
			t.Errorf("%s is the variable of two stores", s.variable)
		}
		seen[s.variable] = true
	}
	if len(all) != len(storeUses) {
		t.Errorf("UsableStores = %v, want the %d stores", all, len(storeUses))
	}
}
