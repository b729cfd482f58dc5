package datalayer_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/config"
)

// everyUse is a data section with every kind a `uses` entry can name.
const everyUse = `{"postgres":{},"documentdb":{},"redis":{},"memcached":{},"opensearch":{},
	"buckets":{"listing-images":{},"uploads":{"envVar":"UPLOADS_BUCKET"}},
	"queues":{"notifications":{}},"ses":{"smtpCredentials":true}}`

// boundUse is what a test records of one binding.
type boundUse struct {
	vars              []string // Env and Secrets names, sorted
	reach, creds      datalayer.Store
	s3                bool
	policies          int
	grantErr, bindErr string
}

// Every entry the data section enables binds to exactly the variables the
// config table says it sets (config.Data.UsableStores: the one table, which
// the stores' own Connection must agree with), with its network reach,
// credentials and a grant of the access the consumer states.
func TestBindingPerUse(t *testing.T) {
	t.Parallel()
	cfg := messagingSpec(t, "dbay", "dbay.example.com", everyUse)
	usable := cfg.Data.UsableStores()
	entries := []string{}
	for e := range usable {
		if e != config.UseBus {
			entries = append(entries, e)
		}
	}
	sort.Strings(entries)
	got := map[string]boundUse{}
	r := synthMessaging(t, messagingStack{data: everyUse, use: func(ctx *pulumi.Context, d *datalayer.DataLayer) error {
		for i, consumer := range []config.Consumer{config.ConsumerService, config.ConsumerFunction} {
			for j, u := range config.ResolveUses(entries, consumer) {
				b, err := d.Bind(u, "listing")
				key := string(consumer) + " " + u.Entry
				if err != nil {
					got[key] = boundUse{bindErr: err.Error()}
					continue
				}
				g, err := newRole(ctx, strings.Repeat("x", i+1)+string(rune('a'+j)))
				if err != nil {
					return err
				}
				bu := boundUse{reach: b.Reach, creds: b.Credentials, s3: b.S3}
				for k := range b.Env {
					bu.vars = append(bu.vars, k)
				}
				for k := range b.Secrets {
					bu.vars = append(bu.vars, k)
				}
				sort.Strings(bu.vars)
				grant, err := b.Grant(ctx, g)
				if err != nil {
					bu.grantErr = err.Error()
				}
				bu.policies = len(grant.Policies)
				if grant.ApplyBefore() == nil {
					t.Errorf("%s: no ApplyBefore option", key)
				}
				got[key] = bu
			}
		}
		return nil
	}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := map[string]boundUse{
		"postgres":              {reach: datalayer.Postgres, creds: datalayer.Postgres},
		"mongo":                 {reach: datalayer.DocumentDB, creds: datalayer.DocumentDB},
		"redis":                 {reach: datalayer.Redis, creds: datalayer.Redis},
		"memcached":             {reach: datalayer.Memcached},
		"search":                {reach: datalayer.OpenSearch, policies: 1},
		"bucket:listing-images": {s3: true, policies: 1},
		"bucket:uploads":        {s3: true, policies: 1},
		"queue:notifications":   {policies: 1},
		"ses":                   {policies: 1},
		"ses:smtp":              {creds: datalayer.SESSMTP},
	}
	if len(want) != len(entries) {
		t.Fatalf("the data section enables %v; the test knows %d entries", entries, len(want))
	}
	for _, consumer := range []config.Consumer{config.ConsumerService, config.ConsumerFunction} {
		for _, e := range entries {
			key := string(consumer) + " " + e
			w := want[e]
			w.vars = append([]string(nil), usable[e]...)
			sort.Strings(w.vars)
			if !reflect.DeepEqual(got[key], w) {
				t.Errorf("%s: %+v, want %+v", key, got[key], w)
			}
		}
	}
	// The access is explicit: a service consumes the queue, a function sends.
	q := string(rune('a' + sort.SearchStrings(entries, "queue:notifications")))
	for name, action := range map[string]string{"x" + q + "-notifications-consume": "sqs:ReceiveMessage", "xx" + q + "-notifications-send": "sqs:SendMessage"} {
		p := r.one(t, tPolicy, name)
		if acts := list(statements(t, p.In()["policy"])[0].Action); !contains(acts, action) {
			t.Errorf("%s allows %v, want %s", name, acts, action)
		}
	}
}

// A queue without an access mode, a key (the Secrets component's) and an
// entry that is nothing are refused, naming the entry.
func TestBindRefuses(t *testing.T) {
	t.Parallel()
	errs := map[string]string{}
	r := synthMessaging(t, messagingStack{data: everyUse, use: func(ctx *pulumi.Context, d *datalayer.DataLayer) error {
		for _, e := range []string{"queue:notifications", "key:app", "mysql", "queue:nosuch"} {
			if _, err := d.Bind(config.ParseUse(e), "listing"); err != nil {
				errs[e] = err.Error()
			}
		}
		return nil
	}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	for e, want := range map[string]string{
		"queue:notifications": "a queue is consumed or sent to",
		"key:app":             `uses "key:app", which is not a store`,
		"mysql":               "no mysql store",
		"queue:nosuch":        `no queue "nosuch"`,
	} {
		if !strings.Contains(errs[e], want) {
			t.Errorf("Bind(%s) = %q, want it to say %q", e, errs[e], want)
		}
	}
}
