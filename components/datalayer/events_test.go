package datalayer_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

// The bus carries the seed's exact name (§3, §10.2), is archived for replay
// and its policy names this account's root, never a wildcard.
func TestBusIsNamedArchivedAndAccountOnly(t *testing.T) {
	t.Parallel()
	env := map[string]string{}
	var busName, busArn any
	r := synthMessaging(t, messagingStack{data: dbayMessaging, use: func(ctx *pulumi.Context, d *datalayer.DataLayer) error {
		b, err := d.Bus()
		if err != nil {
			return err
		}
		if busName, err = await(ctx, b.Name); err != nil {
			return err
		}
		if busArn, err = await(ctx, b.Arn); err != nil {
			return err
		}
		return resolveEnv(ctx, env, b.Env())
	}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	bus := r.one(t, "aws:cloudwatch/eventBus:EventBus", "bus")
	if bus.In()["name"] != "dbay-events" || busName != "dbay-events" || busArn != bus.Out()["arn"] {
		t.Errorf("bus name input %v, Bus.Name %v, Bus.Arn %v (bus arn %v)", bus.In()["name"], busName, busArn, bus.Out()["arn"])
	}
	if want := map[string]string{"EVENT_BUS_NAME": "dbay-events"}; !reflect.DeepEqual(env, want) {
		t.Errorf("Env() = %v, want %v", env, want)
	}
	archive := r.one(t, "aws:cloudwatch/eventArchive:EventArchive", "bus")
	if in := archive.In(); in["eventSourceArn"] != bus.Out()["arn"] || in["retentionDays"] != 30.0 || in["name"] != "dbay-events-archive" || !archive.Options.Protect {
		t.Errorf("archive = %v (protect %v)", in, archive.Options.Protect)
	}
	pol := r.one(t, "aws:cloudwatch/eventBusPolicy:EventBusPolicy", "bus").In()
	st := statements(t, pol["policy"])
	want := statement{Sid: "ThisAccountPutsEvents", Effect: "Allow", Principal: map[string]any{"AWS": "arn:aws:iam::" + mockengine.Account + ":root"},
		Action: "events:PutEvents", Resource: bus.Out()["arn"]}
	if pol["eventBusName"] != "dbay-events" || len(st) != 1 || !reflect.DeepEqual(st[0], want) {
		t.Errorf("bus policy on %v = %+v\nwant %+v", pol["eventBusName"], st, want)
	}
}

// Every messaging resource is a child of the layer and uses the provider
// the layer was given.
func TestMessagingChildrenAreParentedAndUseTheProvider(t *testing.T) {
	t.Parallel()
	r := synthMessaging(t, messagingStack{data: dbayMessaging, zone: true})
	if r.err != nil {
		t.Fatal(r.err)
	}
	comp := r.one(t, component, "data")
	provider := "urn:pulumi:test::dbay::pulumi:providers:aws::regional"
	n := 0
	for _, res := range r.eng.Resources() {
		switch {
		case !res.Custom, res.Read:
			continue
		case !strings.HasPrefix(res.Type, "aws:s3/") && !strings.HasPrefix(res.Type, "aws:sqs/") && !strings.HasPrefix(res.Type, "aws:cloudwatch/event") &&
			!strings.HasPrefix(res.Type, "aws:sesv2/") && res.Type != tRecord:
			continue
		}
		n++
		if res.Parent != comp.URN || res.Provider != provider {
			t.Errorf("%s %s: parent %s, provider %q", res.Type, res.Name, res.Parent, res.Provider)
		}
	}
	// 3 buckets × (bucket, versioning, encryption, access block, ownership, policy)
	// + 2 data buckets × (logging, lifecycle, cors) + the log bucket's lifecycle;
	// 2 × (queue, dlq, 2 queue policies, redrive allow) + 1 rule and its target;
	// bus, archive, bus policy; identity, configuration set, 3 DKIM records.
	if want := 3*6 + 2*3 + 1 + 2*5 + 2 + 3 + 5; n != want {
		t.Errorf("%d messaging resources, want %d", n, want)
	}
}

// A PutEvents grant names what the principal publishes: none, an empty or
// a repeated source is refused; sources that reduce to one statement id
// still get distinct ids (IAM wants them unique within a policy).
func TestPutStatementsNameThePublications(t *testing.T) {
	t.Parallel()
	arn := pulumi.String("arn:aws:events:us-east-1:123456789012:event-bus/dbay-events")
	for _, pubs := range [][]config.BusPublication{nil, {{Source: ""}}, {{Source: "dbay.wallet"}, {Source: "dbay.wallet"}}} {
		if _, err := datalayer.PutStatements(arn, pubs); err == nil {
			t.Errorf("PutStatements(%v) granted", pubs)
		}
	}
	sts, err := datalayer.PutStatements(arn, []config.BusPublication{{Source: "dbay.wallet"}, {Source: "dbay-wallet"}})
	if err != nil || len(sts) != 2 {
		t.Fatalf("two sources: %d statements, %v", len(sts), err)
	}
	a, b := sts[0].(iam.GetPolicyDocumentStatementArgs).Sid, sts[1].(iam.GetPolicyDocumentStatementArgs).Sid
	if a == b {
		t.Errorf("both statements are %v", a)
	}
}
