package datalayer_test

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/components/network"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

// dbayMessaging is DBay's messaging and storage, as its Pulumi.prod.yaml
// sets it (seed §3, §4.2, §4.5, §4.7, §10.2), plus a second, auto-named
// bucket and an unsubscribed queue with non-default values.
const dbayMessaging = `{
	"buckets": {
		"listing-images": {"name": "dbay-listing-images-prod"},
		"uploads": {"corsOrigins": ["https://app.dbay.example.com", "https://admin.dbay.example.com"],
			"noncurrentVersionDays": 30, "accessLogDays": 90}
	},
	"bus": {"name": "dbay-events"},
	"queues": {
		"notifications": {"maxReceiveCount": 4,
			"sources": ["dbay.orders", "dbay.auctions", "dbay.wallet", "dbay.messaging"],
			"detailTypes": ["order.created", "order.paid", "auction.won", "auction.outbid", "withdrawal.completed", "deposit.credited", "message.received"]},
		"outbox": {"visibilityTimeoutSeconds": 120, "messageRetentionSeconds": 86400}
	},
	"ses": {}
}`

const (
	tBucket   = "aws:s3/bucketV2:BucketV2"
	tQueue    = "aws:sqs/queue:Queue"
	tPolicy   = "aws:iam/rolePolicy:RolePolicy"
	tRule     = "aws:cloudwatch/eventRule:EventRule"
	tRecord   = "aws:route53/record:Record"
	component = "dbay:components:DataLayer"
)

// messagingStack is what a test program gives the layer and gets back.
type messagingStack struct {
	project, domain, data string
	zone                  bool
	// use runs after the layer is built, e.g. to call its grant methods.
	use func(ctx *pulumi.Context, d *datalayer.DataLayer) error
}

type messagingRun struct {
	eng *mockengine.Engine
	key string // the layer key's ARN
	err error  // what New or use returned
}

// messagingSpec loads a data section through the real config loader, so
// defaults are the ones a stack gets.
func messagingSpec(t *testing.T, project, domain, data string) *config.Config {
	t.Helper()
	cfg, err := config.Load(config.Source{Project: project, Stack: "test", Values: map[string]string{
		"aws:region": "us-east-1", project + ":role": "primary", project + ":environment": "production",
		project + ":domain": domain, project + ":tags": `{"owner":"o","cost-center":"c"}`,
		project + ":network": `{"cidr":"10.0.0.0/16"}`, project + ":data": data,
	}})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func synthMessaging(t *testing.T, s messagingStack) messagingRun {
	t.Helper()
	if s.project == "" {
		s.project, s.domain = "dbay", "dbay.example.com"
	}
	cfg := messagingSpec(t, s.project, s.domain, s.data)
	eng := mockengine.ForTest(t, s.project, "test", "us-east-1")
	var runErr error
	eng.MustRun(func(ctx *pulumi.Context) error {
		p, err := mockengine.Provider(ctx, "regional", "us-east-1")
		if err != nil {
			return err
		}
		n, err := network.New(ctx, "network", &network.Args{Env: config.Env{Region: "us-east-1", Partition: "aws"}, Spec: cfg.Network}, pulumi.Providers(p))
		if err != nil {
			return err
		}
		args := &datalayer.Args{Env: config.Env{Project: s.project, Region: "us-east-1", Partition: "aws", Domain: s.domain, Protect: true}, Spec: cfg.Data, Network: n}
		if s.zone {
			args.ZoneID = pulumi.String("Z0123456789ABC")
		}
		d, err := datalayer.New(ctx, "data", args, pulumi.Providers(p))
		if err == nil && s.use != nil {
			err = s.use(ctx, d)
		}
		runErr = err
		return nil
	})
	r := messagingRun{eng: eng, err: runErr}
	if k := eng.Get("aws:kms/key:Key", "data-key"); k != nil {
		r.key, _ = k.Out()["arn"].(string)
	}
	return r
}

func (r messagingRun) one(t *testing.T, typ, name string) *mockengine.Resource {
	t.Helper()
	res := r.eng.Get(typ, name)
	if res == nil {
		t.Fatalf("no %s %q was created", typ, name)
	}
	return res
}

// await resolves an output inside a test program.
func await(ctx *pulumi.Context, o pulumi.Output) (any, error) {
	v, err := internals.UnsafeAwaitOutput(ctx.Context(), o)
	return v.Value, err
}

// resolveEnv resolves connection variables into plain strings.
func resolveEnv(ctx *pulumi.Context, into map[string]string, env map[string]pulumi.StringOutput) error {
	for k, o := range env {
		v, err := await(ctx, o)
		if err != nil {
			return err
		}
		into[k], _ = v.(string)
	}
	return nil
}

type statement = mockengine.Statement

func statements(t *testing.T, v any) []statement {
	t.Helper()
	d, err := mockengine.ParsePolicy(v)
	if err != nil {
		t.Fatal(err)
	}
	return d.Statement
}

// list reads a one-or-many policy field as a sorted list.
func list(v any) []string { return mockengine.OneOrMany(v) }

func sorted(s ...string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// granted is a role policy's statements, checked to belong to the role.
func granted(t *testing.T, r messagingRun, name string, role *mockengine.Resource) []statement {
	t.Helper()
	p := r.one(t, tPolicy, name)
	if p.In()["role"] != role.Out()["name"] {
		t.Errorf("%s is attached to %v, want %v", name, p.In()["role"], role.Out()["name"])
	}
	if p.Parent != r.one(t, component, "data").URN {
		t.Errorf("%s is parented to %s, want the data layer", name, p.Parent)
	}
	return statements(t, p.In()["policy"])
}

func newRole(ctx *pulumi.Context, name string) (iamdoc.Grantee, error) {
	role, err := iam.NewRole(ctx, name, &iam.RoleArgs{AssumeRolePolicy: pulumi.String(`{"Version":"2012-10-17","Statement":[]}`)})
	return iamdoc.NewGrantee(name, role), err
}

// An owner's grant is a value: a resource that takes its ApplyBefore is
// created after that grant's policy, and not after the role's other grants.
func TestOwnerGrantOrdersItsConsumer(t *testing.T) {
	t.Parallel()
	r := synthMessaging(t, messagingStack{data: dbayMessaging, zone: true, use: func(ctx *pulumi.Context, d *datalayer.DataLayer) error {
		listing, err := newRole(ctx, "listing")
		if err != nil {
			return err
		}
		q, err := d.Queue("notifications")
		if err != nil {
			return err
		}
		send, err := q.GrantSend(ctx, listing)
		if err != nil {
			return err
		}
		if _, err := q.GrantConsume(ctx, listing); err != nil {
			return err
		}
		_, err = iam.NewRole(ctx, "after-send", &iam.RoleArgs{AssumeRolePolicy: pulumi.String("{}")}, send.ApplyBefore())
		return err
	}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	send := r.one(t, tPolicy, "listing-notifications-send").URN
	if got := r.one(t, "aws:iam/role:Role", "after-send").Dependencies; !reflect.DeepEqual(got, []string{send}) {
		t.Errorf("after-send depends on %v, want the send grant only (%s)", got, send)
	}
}

// Grants are methods: each emits exactly the actions and resources the
// owner knows, with the layer key usable only through the owning service.
func TestGrantsAreLeastPrivilege(t *testing.T) {
	t.Parallel()
	r := synthMessaging(t, messagingStack{data: dbayMessaging, zone: true, use: func(ctx *pulumi.Context, d *datalayer.DataLayer) error {
		listing, err := newRole(ctx, "listing")
		if err != nil {
			return err
		}
		notification, err := newRole(ctx, "notification")
		if err != nil {
			return err
		}
		b, err := d.Bucket("listing-images")
		if err != nil {
			return err
		}
		u, err := d.Bucket("uploads")
		if err != nil {
			return err
		}
		bus, err := d.Bus()
		if err != nil {
			return err
		}
		q, err := d.Queue("notifications")
		if err != nil {
			return err
		}
		for _, grant := range []func() (iamdoc.Grant, error){
			func() (iamdoc.Grant, error) { return b.GrantReadWrite(ctx, listing) },
			func() (iamdoc.Grant, error) { return u.GrantRead(ctx, notification) },
			func() (iamdoc.Grant, error) {
				return bus.GrantPut(ctx, listing, config.BusPublication{Source: "dbay.listings"},
					config.BusPublication{Source: "dbay.orders", DetailTypes: []string{"order.created", "order.paid"}})
			},
			func() (iamdoc.Grant, error) { return q.GrantConsume(ctx, notification) },
			func() (iamdoc.Grant, error) { return q.GrantSend(ctx, listing) },
			func() (iamdoc.Grant, error) { return d.GrantSendEmail(ctx, notification) },
		} {
			g, err := grant()
			if err != nil {
				return err
			}
			if len(g.Policies) != 1 {
				return fmt.Errorf("a grant returned %d policies, want 1", len(g.Policies))
			}
		}
		// Every grant is recorded on its grantee, for its consumers to wait on.
		if n := len(listing.Grants()); n != 3 {
			return fmt.Errorf("listing holds %d grants, want 3", n)
		}
		if n := len(notification.Grants()); n != 3 {
			return fmt.Errorf("notification holds %d grants, want 3", n)
		}
		return nil
	}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	listing, notification := r.one(t, "aws:iam/role:Role", "listing"), r.one(t, "aws:iam/role:Role", "notification")
	bucket := r.one(t, tBucket, "listing-images").Out()["arn"].(string)
	uploads := r.one(t, tBucket, "uploads").Out()["arn"].(string)
	bus := r.one(t, "aws:cloudwatch/eventBus:EventBus", "bus").Out()["arn"].(string)
	queue := r.one(t, tQueue, "notifications").Out()["arn"].(string)
	identity := r.one(t, "aws:sesv2/emailIdentity:EmailIdentity", "ses").Out()["arn"].(string)
	set := r.one(t, "aws:sesv2/configurationSet:ConfigurationSet", "ses").Out()["arn"].(string)
	via := func(service string) map[string]map[string]any {
		return map[string]map[string]any{"StringEquals": {"kms:ViaService": service + ".us-east-1.amazonaws.com"}}
	}
	type want struct {
		actions, resources []string
		condition          map[string]map[string]any
	}
	tests := []struct {
		policy string
		role   *mockengine.Resource
		want   []want
	}{
		{"listing-listing-images-readwrite", listing, []want{
			{[]string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"}, []string{bucket + "/*"}, nil},
			{[]string{"s3:ListBucket"}, []string{bucket}, nil},
			{[]string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{r.key}, via("s3")},
		}},
		{"notification-uploads-read", notification, []want{
			{[]string{"s3:GetObject"}, []string{uploads + "/*"}, nil},
			{[]string{"s3:ListBucket"}, []string{uploads}, nil},
			{[]string{"kms:Decrypt"}, []string{r.key}, via("s3")},
		}},
		// EventBridge does not authenticate the source: each publication is
		// a statement conditioned on its source (and detail types).
		{"listing-bus-put", listing, []want{
			{[]string{"events:PutEvents"}, []string{bus}, map[string]map[string]any{"StringEquals": {"events:source": "dbay.listings"}}},
			{[]string{"events:PutEvents"}, []string{bus}, map[string]map[string]any{"StringEquals": {
				"events:source": "dbay.orders", "events:detail-type": []any{"order.created", "order.paid"}}}},
		}},
		{"notification-notifications-consume", notification, []want{
			{[]string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}, []string{queue}, nil},
			{[]string{"kms:Decrypt"}, []string{r.key}, via("sqs")},
		}},
		{"listing-notifications-send", listing, []want{
			{[]string{"sqs:SendMessage"}, []string{queue}, nil},
			{[]string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{r.key}, via("sqs")},
		}},
		{"notification-ses-send", notification, []want{
			{[]string{"ses:SendEmail", "ses:SendRawEmail"}, sorted(identity, set),
				map[string]map[string]any{"StringEquals": {"ses:FromAddress": "noreply@dbay.example.com"}}},
		}},
	}
	for _, tt := range tests {
		got := granted(t, r, tt.policy, tt.role)
		if len(got) != len(tt.want) {
			t.Errorf("%s has %d statements, want %d: %+v", tt.policy, len(got), len(tt.want), got)
			continue
		}
		for i, w := range tt.want {
			st := got[i]
			if st.Effect != "Allow" || !reflect.DeepEqual(list(st.Action), w.actions) || !reflect.DeepEqual(list(st.Resource), w.resources) ||
				(w.condition != nil || st.Condition != nil) && !reflect.DeepEqual(st.Condition, w.condition) {
				t.Errorf("%s statement %d = %+v\nwant %+v", tt.policy, i, st, w)
			}
		}
	}
}

// Asking for what the stack does not have names what it has.
func TestUnknownNamesAreErrors(t *testing.T) {
	t.Parallel()
	var errs []string
	r := synthMessaging(t, messagingStack{data: dbayMessaging, use: func(ctx *pulumi.Context, d *datalayer.DataLayer) error {
		_, err1 := d.Bucket("avatars")
		_, err2 := d.Queue("emails")
		for _, err := range []error{err1, err2} {
			if err != nil {
				errs = append(errs, err.Error())
			}
		}
		return nil
	}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := []string{
		`datalayer: no bucket "avatars" in this stack (have listing-images, uploads)`,
		`datalayer: no queue "emails" in this stack (have notifications, outbox)`,
	}
	if !reflect.DeepEqual(errs, want) {
		t.Errorf("errors = %q\nwant %q", errs, want)
	}

	errs = nil
	r = synthMessaging(t, messagingStack{data: `{}`, use: func(ctx *pulumi.Context, d *datalayer.DataLayer) error {
		_, err1 := d.Bus()
		_, err2 := d.SES()
		_, err3 := d.Bucket("listing-images")
		for _, err := range []error{err1, err2, err3} {
			if err != nil {
				errs = append(errs, err.Error())
			}
		}
		return nil
	}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(errs) != 3 || !strings.Contains(errs[2], "(have none)") {
		t.Errorf("without messaging config: errors = %q", errs)
	}
	for _, typ := range []string{tBucket, tQueue, tRule, "aws:cloudwatch/eventBus:EventBus", "aws:sesv2/emailIdentity:EmailIdentity"} {
		if got := r.eng.ByType(typ); len(got) != 0 {
			t.Errorf("without messaging config, %d %s were created", len(got), typ)
		}
	}
}

// Without a hosted zone the DKIM records are the typed output
// SESDkimRecords; with one they are records, and the output is unset.
func TestDKIMRecordsOutputOnlyWithoutAZone(t *testing.T) {
	t.Parallel()
	for _, zone := range []bool{false, true} {
		var recs []map[string]string
		var set bool
		r := synthMessaging(t, messagingStack{data: dbayMessaging, zone: zone, use: func(ctx *pulumi.Context, d *datalayer.DataLayer) error {
			if set = d.SESDkimRecords != (pulumi.StringMapArrayOutput{}); !set {
				return nil
			}
			v, err := internals.UnsafeAwaitOutput(ctx.Context(), d.SESDkimRecords)
			if err != nil {
				return err
			}
			recs, _ = v.Value.([]map[string]string)
			return nil
		}})
		if r.err != nil {
			t.Fatal(r.err)
		}
		if set == zone {
			t.Errorf("zone %v: SESDkimRecords set = %v", zone, set)
		}
		if zone {
			continue
		}
		if len(recs) == 0 {
			t.Fatalf("no zone: SESDkimRecords = %v, want the DKIM CNAMEs", recs)
		}
		for _, rec := range recs {
			if rec["type"] != "CNAME" || !strings.HasSuffix(rec["name"], "._domainkey.dbay.example.com") || !strings.HasSuffix(rec["value"], ".dkim.amazonses.com") {
				t.Errorf("DKIM record %v", rec)
			}
		}
	}
}
