package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
)

// putters maps each (source, detail type) a role policy lets a principal
// put on the bus — "source *" when the grant names no detail type — to the
// grantees allowed, and fails on a PutEvents statement without an
// events:source condition (issue 15: EventBridge does not authenticate
// the source).
func putters(t *testing.T, r *synth.Result) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, res := range r.Resources {
		if res.Type != tokens.IAMRolePolicy {
			continue
		}
		doc, err := mockengine.ParsePolicy(res.In()["policy"])
		if err != nil {
			t.Fatalf("%s: %v", res.Name, err)
		}
		for _, st := range doc.Statement {
			if !reflect.DeepEqual(mockengine.OneOrMany(st.Action), []string{"events:PutEvents"}) {
				if strings.Contains(strings.Join(mockengine.OneOrMany(st.Action), " "), "events:") {
					t.Errorf("%s allows %v", res.Name, st.Action)
				}
				continue
			}
			grantee, ok := strings.CutSuffix(res.Name, "-bus-put")
			sources := mockengine.OneOrMany(st.Condition["StringEquals"]["events:source"])
			if !ok || len(sources) != 1 || len(st.Condition) != 1 {
				t.Errorf("%s: PutEvents statement %+v is not one source's grant", res.Name, st)
				continue
			}
			types := mockengine.OneOrMany(st.Condition["StringEquals"]["events:detail-type"])
			if len(types) == 0 {
				types = []string{"*"}
			}
			for _, d := range types {
				k := sources[0] + " " + d
				out[k] = append(out[k], grantee)
			}
		}
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

// Each event the workflows, rules and the notifications queue consume may
// be put by its producer only: a compromised listing service cannot emit
// withdrawal.requested, the deposit watcher cannot emit anything but
// deposit.detected (issue 15, item 1); the publishers the notifications
// queue waits for exist (issue 14, item 5).
func TestEachEventHasOnlyItsPublishers(t *testing.T) {
	t.Parallel()
	want := map[string][]string{
		"dbay.wallet withdrawal.requested": {"wallet"},          // seed §10.3: starts the withdrawal workflow
		"dbay.wallet deposit.detected":     {"deposit-watcher"}, // starts the deposit workflow
		"dbay.wallet withdrawal.completed": {"finalize-ledger"},
		"dbay.wallet deposit.credited":     {"credit-user"},
		"dbay.auctions auction.closed":     {"auction-closer"}, // starts the order workflow
		"dbay.auctions auction.won":        {"auction-closer"},
		"dbay.auctions auction.outbid":     {"auction"},
		"dbay.orders order.created":        {"order"},
		"dbay.orders order.paid":           {"order"},
		"dbay.messaging message.received":  {"messaging"},
		"dbay.listings *":                  {"listing"}, // the listing-events rule takes every detail type
	}
	for _, stack := range []string{"prod", "dr"} {
		got := putters(t, synthesize(t, root, stack))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: who may put what\n got %v\nwant %v", stack, got, want)
		}
	}
}

// EVENT_BUS_NAME goes to exactly the functions that publish.
func TestPublishingFunctionsGetTheBusName(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "prod")
	var got []string
	for _, res := range r.Resources {
		if res.Type != tokens.LambdaFunction {
			continue
		}
		vars, _ := res.In()["environment"].(map[string]any)["variables"].(map[string]any)
		if v, ok := vars["EVENT_BUS_NAME"]; ok {
			got = append(got, res.Name)
			if v != "dbay-events" {
				t.Errorf("%s: EVENT_BUS_NAME = %v", res.Name, v)
			}
		}
	}
	sort.Strings(got)
	if want := []string{"auction-closer", "credit-user", "deposit-watcher", "finalize-ledger"}; !reflect.DeepEqual(got, want) {
		t.Errorf("functions with EVENT_BUS_NAME: %v, want %v", got, want)
	}
}

// A consumer waiting for events nobody may put, and the bus as a `uses`
// entry, are configuration errors (exit 2) naming the key path.
func TestUnpublishedEventsAreConfigErrors(t *testing.T) {
	t.Parallel()
	prod, err := os.ReadFile(filepath.Join(root, "Pulumi.prod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, from, to, want string }{
		{"no finalize_ledger publication", ", publishes: [{source: dbay.wallet, detailTypes: [withdrawal.completed]}]", "",
			`dbay:data.queues.notifications.detailTypes[4]: no function or service publishes detail type "withdrawal.completed"`},
		{"wallet emits another type", "detailTypes: [withdrawal.requested]", "detailTypes: [withdrawal.created]",
			"dbay:serverless.workflows.withdrawal.trigger: no function or service publishes dbay.wallet withdrawal.requested, so the workflow never starts"},
		{"listing publishes nothing", "        publishes: [{source: dbay.listings}]", "",
			`dbay:serverless.rules.listing-events.sources[0]: no function or service publishes source "dbay.listings"`},
		{"bus as a use", "uses: [postgres, redis]\n        publishes: [{source: dbay.orders, detailTypes: [order.created, order.paid]}]", "uses: [postgres, redis, bus]",
			"dbay:fleet.services[4].uses[2]: the bus is not a use: publishers declare their events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			changed := strings.Replace(string(prod), tt.from, tt.to, 1)
			if changed == string(prod) {
				t.Fatalf("%q is not in Pulumi.prod.yaml", tt.from)
			}
			dir := t.TempDir()
			write(t, dir, "Pulumi.yaml", "name: dbay\nruntime: go\n")
			write(t, dir, "Pulumi.prod.yaml", changed)
			var out, errOut bytes.Buffer
			code := synth.Main([]string{"--dir", dir, "--stack", "prod"}, &out, &errOut)
			if code != 2 || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", code, errOut.String(), tt.want)
			}
		})
	}
}
