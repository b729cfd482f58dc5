package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// dbayMessaging is the messaging part of DBay's Pulumi.prod.yaml `dbay:data`.
const dbayMessaging = `{
	"buckets": {"listing-images": {"name": "dbay-listing-images-prod"}},
	"bus": {"name": "dbay-events"},
	"queues": {"notifications": {
		"sources": ["dbay.orders", "dbay.auctions", "dbay.wallet", "dbay.messaging"],
		"detailTypes": ["order.created", "order.paid", "auction.won", "auction.outbid", "withdrawal.completed", "deposit.credited", "message.received"]}},
	"ses": {}
}`

func TestMessagingDefaults(t *testing.T) {
	t.Parallel()
	cfg, errs := load(t, func(m map[string]string) { m["dbay:data"] = dbayMessaging })
	if errs != nil {
		t.Fatal(errs)
	}
	d := cfg.Data
	wantBucket := Bucket{Name: "dbay-listing-images-prod", EnvVar: "AWS_S3_BUCKET_NAME", NoncurrentVersionDays: 90, AccessLogDays: 365}
	if got := d.Buckets["listing-images"]; !reflect.DeepEqual(got, wantBucket) {
		t.Errorf("bucket = %+v, want %+v", got, wantBucket)
	}
	if *d.Bus != (Bus{Name: "dbay-events", ArchiveRetentionDays: 30}) {
		t.Errorf("bus = %+v", *d.Bus)
	}
	q := d.Queues["notifications"]
	if q.MaxReceiveCount != 5 || q.VisibilityTimeoutSeconds != 60 || q.MessageRetentionSeconds != 345600 {
		t.Errorf("queue = %+v", q)
	}
	if d.SES == nil || d.SES.FromAddress != "" {
		t.Errorf("ses = %+v (the component defaults the address from the domain)", d.SES)
	}
}

func TestEventPatternIsMarshalledFromValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q    Queue
		want string
	}{
		{Queue{}, ""},
		{Queue{Sources: []string{"dbay.orders"}}, `{"source":["dbay.orders"]}`},
		{Queue{Sources: []string{`dbay"x`}, DetailTypes: []string{"order.paid"}}, `{"detail-type":["order.paid"],"source":["dbay\"x"]}`},
	}
	for _, tt := range tests {
		if got := tt.q.EventPattern(); got != tt.want {
			t.Errorf("EventPattern(%+v) = %s, want %s", tt.q, got, tt.want)
		}
	}
}

// detailTypes is a JSON list of n distinct 120-character detail types.
func detailTypes(n int) string {
	var items []string
	for i := 0; i < n; i++ {
		items = append(items, fmt.Sprintf(`"%03d%s"`, i, strings.Repeat("d", 117)))
	}
	return "[" + strings.Join(items, ",") + "]"
}

// Each rule has a passing row (nil want) and a failing row.
func TestMessagingRules(t *testing.T) {
	t.Parallel()
	bucket := func(b string) string { return `{"buckets":{"listing-images":` + b + `}}` }
	queue := func(q string) string { return `{"bus":{"name":"dbay-events"},"queues":{"notifications":` + q + `}}` }
	long := strings.Repeat("a", 64)
	tests := []struct {
		name, data string
		want       []string
	}{
		{"seed config", dbayMessaging, nil},
		{"dhanam bucket", `{"buckets":{"assets":{"name":"dhanam-production-assets","envVar":"AWS_S3_BUCKET"}}}`, nil},
		{"dotted name and 63 characters", bucket(`{"name":"assets.dbay.` + strings.Repeat("a", 51) + `"}`), nil},
		{"bucket name with upper case and underscore", bucket(`{"name":"Dbay_Images"}`), []string{
			`dbay:data.buckets.listing-images.name: "Dbay_Images" is not a valid S3 bucket name: only lowercase letters, digits, dots and hyphens are allowed (offset 0); it must start and end with a letter or digit; use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`}},
		{"bucket name too short", bucket(`{"name":"ab"}`), []string{
			`dbay:data.buckets.listing-images.name: "ab" is not a valid S3 bucket name: it is 2 characters long, not 3..63; use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`}},
		{"bucket name too long", bucket(`{"name":"` + long + `"}`), []string{
			`dbay:data.buckets.listing-images.name: "` + long + `" is not a valid S3 bucket name: it is 64 characters long, not 3..63; use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`}},
		{"bucket name ends with a dash", bucket(`{"name":"dbay-images-"}`), []string{
			`dbay:data.buckets.listing-images.name: "dbay-images-" is not a valid S3 bucket name: it must start and end with a letter or digit; use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`}},
		{"bucket name with adjacent dots", bucket(`{"name":"dbay..images"}`), []string{
			`dbay:data.buckets.listing-images.name: "dbay..images" is not a valid S3 bucket name: it must not contain two adjacent dots; use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`}},
		{"bucket name like an IP address", bucket(`{"name":"192.168.5.4"}`), []string{
			`dbay:data.buckets.listing-images.name: "192.168.5.4" is not a valid S3 bucket name: it must not look like an IP address; use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`}},
		{"bucket name with a reserved prefix", bucket(`{"name":"xn--dbay"}`), []string{
			`dbay:data.buckets.listing-images.name: "xn--dbay" is not a valid S3 bucket name: it must not start with xn--; use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`}},
		{"bucket name with a reserved suffix", bucket(`{"name":"dbay-s3alias"}`), []string{
			`dbay:data.buckets.listing-images.name: "dbay-s3alias" is not a valid S3 bucket name: it must not end with -s3alias; use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`}},
		{"object lambda suffix", bucket(`{"name":"dbay--ol-s3"}`), []string{
			`dbay:data.buckets.listing-images.name: "dbay--ol-s3" is not a valid S3 bucket name: it must not end with --ol-s3; use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`}},
		{"two buckets, one name", `{"buckets":{"a":{"name":"dbay-images"},"b":{"name":"dbay-images"}}}`, []string{
			`dbay:data.buckets.b.name: "dbay-images" is already the name of data.buckets.a; give each bucket its own name`}},
		{"bad logical bucket name", `{"buckets":{"Listing_Images":{}}}`, []string{
			`dbay:data.buckets.Listing_Images: "Listing_Images" is not a valid logical name; use 1-40 lowercase letters, digits and dashes, starting with a letter, e.g. listing-images`}},
		{"reserved logical bucket name", `{"buckets":{"access-logs":{}}}`, []string{
			`dbay:data.buckets.access-logs: "access-logs" is the data layer's own access-log bucket; choose another name`}},
		{"https origins", bucket(`{"corsOrigins":["https://app.dbay.example.com","https://admin.dbay.example.com:8443/"]}`), nil},
		{"http origin", bucket(`{"corsOrigins":["http://app.dbay.example.com"]}`), []string{
			`dbay:data.buckets.listing-images.corsOrigins[0]: "http://app.dbay.example.com" is not https; use an https origin such as https://app.dbay.example.com`}},
		{"origin with a path", bucket(`{"corsOrigins":["https://app.dbay.example.com/upload"]}`), []string{
			`dbay:data.buckets.listing-images.corsOrigins[0]: "https://app.dbay.example.com/upload" is not a bare origin (scheme and host only); use an https origin such as https://app.dbay.example.com`}},
		{"wildcard origin", bucket(`{"corsOrigins":["https://*.dbay.example.com","*"]}`), []string{
			`dbay:data.buckets.listing-images.corsOrigins[0]: "https://*.dbay.example.com" has a wildcard; use an https origin such as https://app.dbay.example.com`,
			`dbay:data.buckets.listing-images.corsOrigins[1]: "*" is not a URL; use an https origin such as https://app.dbay.example.com`}},
		{"bad env var", bucket(`{"envVar":"bucket-name"}`), []string{
			`dbay:data.buckets.listing-images.envVar: "bucket-name" is not an environment variable name; use upper-case letters, digits and underscores, e.g. AWS_S3_BUCKET_NAME`}},
		{"day ranges at the edges", bucket(`{"noncurrentVersionDays":1,"accessLogDays":3650}`), nil},
		{"day ranges out of bounds", bucket(`{"noncurrentVersionDays":3651,"accessLogDays":-1}`), []string{
			`dbay:data.buckets.listing-images.noncurrentVersionDays: 3651 days is outside 1..3650; use 1..3650`,
			`dbay:data.buckets.listing-images.accessLogDays: -1 days is outside 1..3650; use 1..3650`}},
		{"bus without a name", `{"bus":{}}`, []string{"dbay:data.bus.name: is required; name the bus, e.g. dbay-events"}},
		{"bus named default", `{"bus":{"name":"default"}}`, []string{
			`dbay:data.bus.name: "default" is not a custom event bus name; use up to 40 letters, digits, dots, dashes and underscores, not default or aws.*, e.g. dbay-events`}},
		{"bus name with a slash", `{"bus":{"name":"dbay/events"}}`, []string{
			`dbay:data.bus.name: "dbay/events" is not a custom event bus name; use up to 40 letters, digits, dots, dashes and underscores, not default or aws.*, e.g. dbay-events`}},
		{"archive retention", `{"bus":{"name":"dbay-events","archiveRetentionDays":3651}}`, []string{
			"dbay:data.bus.archiveRetentionDays: 3651 days is outside 1..3650; use 1..3650"}},
		{"receive count 3 and 10", `{"queues":{"a":{"maxReceiveCount":3},"b":{"maxReceiveCount":10}}}`, nil},
		{"receive count 2", queue(`{"maxReceiveCount":2}`), []string{
			"dbay:data.queues.notifications.maxReceiveCount: 2 receives is outside 3..10; use 3..10"}},
		{"receive count 11", queue(`{"maxReceiveCount":11}`), []string{
			"dbay:data.queues.notifications.maxReceiveCount: 11 receives is outside 3..10; use 3..10"}},
		{"visibility and retention", queue(`{"visibilityTimeoutSeconds":43201,"messageRetentionSeconds":59}`), []string{
			"dbay:data.queues.notifications.visibilityTimeoutSeconds: 43201 seconds is outside 1..43200; use 1..43200",
			"dbay:data.queues.notifications.messageRetentionSeconds: 59 seconds is outside 60..1209600; use 60..1209600"}},
		{"queue name ending in -dlq", `{"queues":{"orders-dlq":{}}}`, []string{
			`dbay:data.queues.orders-dlq: "orders-dlq" ends with -dlq, which names dead-letter queues; choose a name without it`}},
		{"aws source and duplicate detail type", queue(`{"sources":["aws.s3"],"detailTypes":["order.paid","order.paid"]}`), []string{
			`dbay:data.queues.notifications.sources[0]: "aws.s3" is not valid here; use the source your services put events with, e.g. dbay.orders (aws.* sources are AWS's own)`,
			`dbay:data.queues.notifications.detailTypes[1]: "order.paid" is listed twice; list each value once`}},
		{"detail types without sources", queue(`{"detailTypes":["order.paid"]}`), []string{
			"dbay:data.queues.notifications.detailTypes: narrows a subscription the queue does not have; list the sources too"}},
		{"sources without a bus", `{"queues":{"notifications":{"sources":["dbay.orders"]}}}`, []string{
			"dbay:data.queues.notifications.sources: subscribe to a bus this stack does not have; configure data.bus"}},
		{"pattern of 2010 characters", queue(`{"sources":["dbay.orders"],"detailTypes":` + detailTypes(16) + `}`), nil},
		{"pattern over 2048 characters", queue(`{"sources":["dbay.orders"],"detailTypes":` + detailTypes(18) + `}`), []string{
			"dbay:data.queues.notifications: the event pattern is 2256 characters, over EventBridge's 2048; list fewer sources or detail types"}},
		{"subdomain from address", `{"ses":{"fromAddress":"alerts@mail.dbay.example.com"}}`, nil},
		{"bad email", `{"ses":{"fromAddress":"noreply"}}`, []string{
			`dbay:data.ses.fromAddress: "noreply" is not an email address; use a bare address such as noreply@dbay.example.com`}},
		{"email with a display name", `{"ses":{"fromAddress":"DBay <noreply@dbay.example.com>"}}`, []string{
			`dbay:data.ses.fromAddress: "DBay <noreply@dbay.example.com>" is not an email address; use a bare address such as noreply@dbay.example.com`}},
		{"unknown key", `{"queues":{"notifications":{"maxRecieveCount":5}}}`, []string{
			"dbay:data.queues.notifications.maxRecieveCount: unknown key; did you mean maxReceiveCount?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errs := load(t, func(m map[string]string) { m["dbay:data"] = tt.data })
			if tt.want == nil {
				if errs != nil {
					t.Fatalf("want no error, got:\n%v", errs)
				}
				return
			}
			if errs == nil {
				t.Fatalf("want errors %q, config was accepted", tt.want)
			}
			got := strings.Split(errs.Error(), "\n")
			for _, w := range tt.want {
				found := false
				for _, l := range got {
					found = found || l == w
				}
				if !found {
					t.Errorf("missing error line\n  want: %s\n  got:  %s", w, strings.Join(got, "\n        "))
				}
			}
		})
	}
}
