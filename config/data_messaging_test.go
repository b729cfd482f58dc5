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
		want       []at // the errors wanted (path and kind); nil: must pass
	}{
		{"seed config", dbayMessaging, nil},
		{"dhanam bucket", `{"buckets":{"assets":{"name":"dhanam-production-assets","envVar":"AWS_S3_BUCKET"}}}`, nil},
		{"dotted name and 63 characters", bucket(`{"name":"assets.dbay.` + strings.Repeat("a", 51) + `"}`), nil},
		{"bucket name with upper case and underscore", bucket(`{"name":"Dbay_Images"}`), []at{
			{"dbay:data.buckets.listing-images.name", KindInvalid}}},
		{"bucket name too short", bucket(`{"name":"ab"}`), []at{
			{"dbay:data.buckets.listing-images.name", KindInvalid}}},
		{"bucket name too long", bucket(`{"name":"` + long + `"}`), []at{
			{"dbay:data.buckets.listing-images.name", KindInvalid}}},
		{"bucket name ends with a dash", bucket(`{"name":"dbay-images-"}`), []at{
			{"dbay:data.buckets.listing-images.name", KindInvalid}}},
		{"bucket name with adjacent dots", bucket(`{"name":"dbay..images"}`), []at{
			{"dbay:data.buckets.listing-images.name", KindInvalid}}},
		{"bucket name like an IP address", bucket(`{"name":"192.168.5.4"}`), []at{
			{"dbay:data.buckets.listing-images.name", KindInvalid}}},
		{"bucket name with a reserved prefix", bucket(`{"name":"xn--dbay"}`), []at{
			{"dbay:data.buckets.listing-images.name", KindInvalid}}},
		{"bucket name with a reserved suffix", bucket(`{"name":"dbay-s3alias"}`), []at{
			{"dbay:data.buckets.listing-images.name", KindInvalid}}},
		{"object lambda suffix", bucket(`{"name":"dbay--ol-s3"}`), []at{
			{"dbay:data.buckets.listing-images.name", KindInvalid}}},
		{"two buckets, one name", `{"buckets":{"a":{"name":"dbay-images"},"b":{"name":"dbay-images"}}}`, []at{
			{"dbay:data.buckets.b.name", KindInvalid}}},
		{"bad logical bucket name", `{"buckets":{"Listing_Images":{}}}`, []at{
			{"dbay:data.buckets.Listing_Images", KindInvalid}}},
		{"reserved logical bucket name", `{"buckets":{"access-logs":{}}}`, []at{
			{"dbay:data.buckets.access-logs", KindForbidden}}},
		{"https origins", bucket(`{"corsOrigins":["https://app.dbay.example.com","https://admin.dbay.example.com:8443/"]}`), nil},
		{"http origin", bucket(`{"corsOrigins":["http://app.dbay.example.com"]}`), []at{
			{"dbay:data.buckets.listing-images.corsOrigins[0]", KindInvalid}}},
		{"origin with a path", bucket(`{"corsOrigins":["https://app.dbay.example.com/upload"]}`), []at{
			{"dbay:data.buckets.listing-images.corsOrigins[0]", KindInvalid}}},
		{"wildcard origin", bucket(`{"corsOrigins":["https://*.dbay.example.com","*"]}`), []at{
			{"dbay:data.buckets.listing-images.corsOrigins[0]", KindInvalid},
			{"dbay:data.buckets.listing-images.corsOrigins[1]", KindInvalid}}},
		{"bad env var", bucket(`{"envVar":"bucket-name"}`), []at{
			{"dbay:data.buckets.listing-images.envVar", KindInvalid}}},
		{"day ranges at the edges", bucket(`{"noncurrentVersionDays":1,"accessLogDays":3650}`), nil},
		{"day ranges out of bounds", bucket(`{"noncurrentVersionDays":3651,"accessLogDays":-1}`), []at{
			{"dbay:data.buckets.listing-images.noncurrentVersionDays", KindInvalid},
			{"dbay:data.buckets.listing-images.accessLogDays", KindInvalid}}},
		{"bus without a name", `{"bus":{}}`, []at{{"dbay:data.bus.name", KindRequired}}},
		{"bus named default", `{"bus":{"name":"default"}}`, []at{
			{"dbay:data.bus.name", KindInvalid}}},
		{"bus name with a slash", `{"bus":{"name":"dbay/events"}}`, []at{
			{"dbay:data.bus.name", KindInvalid}}},
		{"archive retention", `{"bus":{"name":"dbay-events","archiveRetentionDays":3651}}`, []at{
			{"dbay:data.bus.archiveRetentionDays", KindInvalid}}},
		{"receive count 3 and 10", `{"queues":{"a":{"maxReceiveCount":3},"b":{"maxReceiveCount":10}}}`, nil},
		{"receive count 2", queue(`{"maxReceiveCount":2}`), []at{
			{"dbay:data.queues.notifications.maxReceiveCount", KindInvalid}}},
		{"receive count 11", queue(`{"maxReceiveCount":11}`), []at{
			{"dbay:data.queues.notifications.maxReceiveCount", KindInvalid}}},
		{"visibility and retention", queue(`{"visibilityTimeoutSeconds":43201,"messageRetentionSeconds":59}`), []at{
			{"dbay:data.queues.notifications.visibilityTimeoutSeconds", KindInvalid},
			{"dbay:data.queues.notifications.messageRetentionSeconds", KindInvalid}}},
		{"queue name ending in -dlq", `{"queues":{"orders-dlq":{}}}`, []at{
			{"dbay:data.queues.orders-dlq", KindForbidden}}},
		{"aws source and duplicate detail type", queue(`{"sources":["aws.s3"],"detailTypes":["order.paid","order.paid"]}`), []at{
			{"dbay:data.queues.notifications.sources[0]", KindInvalid},
			{"dbay:data.queues.notifications.detailTypes[1]", KindInvalid}}},
		{"detail types without sources", queue(`{"detailTypes":["order.paid"]}`), []at{
			{"dbay:data.queues.notifications.detailTypes", KindInvalid}}},
		{"sources without a bus", `{"queues":{"notifications":{"sources":["dbay.orders"]}}}`, []at{
			{"dbay:data.queues.notifications.sources", KindInvalid}}},
		{"pattern of 2010 characters", queue(`{"sources":["dbay.orders"],"detailTypes":` + detailTypes(16) + `}`), nil},
		{"pattern over 2048 characters", queue(`{"sources":["dbay.orders"],"detailTypes":` + detailTypes(18) + `}`), []at{
			{"dbay:data.queues.notifications", KindInvalid}}},
		{"subdomain from address", `{"ses":{"fromAddress":"alerts@mail.dbay.example.com"}}`, nil},
		{"bad email", `{"ses":{"fromAddress":"noreply"}}`, []at{
			{"dbay:data.ses.fromAddress", KindInvalid}}},
		{"email with a display name", `{"ses":{"fromAddress":"DBay <noreply@dbay.example.com>"}}`, []at{
			{"dbay:data.ses.fromAddress", KindInvalid}}},
		{"unknown key", `{"queues":{"notifications":{"maxRecieveCount":5}}}`, []at{
			{"dbay:data.queues.notifications.maxRecieveCount", KindUnknown}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errs := load(t, func(m map[string]string) { m["dbay:data"] = tt.data })
			wantFieldErrors(t, errs, tt.want)
		})
	}
}
