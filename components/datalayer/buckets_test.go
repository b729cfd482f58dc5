package datalayer_test

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/internal/mockengine"
)

// Every bucket, the access-log bucket included, is versioned, private,
// ACL-free, TLS-only and protected; data buckets use the layer key with
// bucket keys, the log bucket SSE-S3 (what log delivery supports).
func TestBucketsAreSafeByDefault(t *testing.T) {
	t.Parallel()
	r := synthMessaging(t, messagingStack{data: dbayMessaging})
	if r.err != nil {
		t.Fatal(r.err)
	}
	comp := r.one(t, component, "data")
	var names []string
	for _, b := range r.eng.ByType(tBucket) {
		names = append(names, b.Name)
	}
	if want := []string{"access-logs", "listing-images", "uploads"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("buckets = %v, want %v", names, want)
	}
	for _, name := range names {
		b := r.one(t, tBucket, name)
		bucket, arn := b.Out()["bucket"], b.Out()["arn"].(string)
		if !b.Options.Protect || b.Parent != comp.URN || b.In()["forceDestroy"] == true {
			t.Errorf("%s: protect=%v parent=%s forceDestroy=%v", name, b.Options.Protect, b.Parent, b.In()["forceDestroy"])
		}
		if got := r.one(t, "aws:s3/bucketVersioningV2:BucketVersioningV2", name).In(); got["bucket"] != bucket ||
			got["versioningConfiguration"].(map[string]any)["status"] != "Enabled" {
			t.Errorf("%s versioning = %v", name, got)
		}
		pab := r.one(t, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name).In()
		for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
			if pab[k] != true || pab["bucket"] != bucket {
				t.Errorf("%s public access block %s = %v (bucket %v)", name, k, pab[k], pab["bucket"])
			}
		}
		own := r.one(t, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", name).In()
		if own["rule"].(map[string]any)["objectOwnership"] != "BucketOwnerEnforced" || own["bucket"] != bucket {
			t.Errorf("%s ownership = %v", name, own)
		}
		wantSSE := map[string]any{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": r.key}
		if name == "access-logs" {
			wantSSE = map[string]any{"sseAlgorithm": "AES256"}
		}
		sse := r.one(t, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", name).In()
		rule := sse["rules"].([]any)[0].(map[string]any)
		if !reflect.DeepEqual(rule["applyServerSideEncryptionByDefault"], wantSSE) || rule["bucketKeyEnabled"] != (name != "access-logs") || sse["bucket"] != bucket {
			t.Errorf("%s encryption = %v, want %v", name, sse, wantSSE)
		}
		pol := r.one(t, "aws:s3/bucketPolicy:BucketPolicy", name)
		st := statements(t, pol.In()["policy"])
		deny := st[0]
		if deny.Effect != "Deny" || deny.Principal != "*" || !reflect.DeepEqual(list(deny.Action), []string{"s3:*"}) ||
			!reflect.DeepEqual(list(deny.Resource), []string{arn, arn + "/*"}) ||
			!reflect.DeepEqual(deny.Condition, map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}}) {
			t.Errorf("%s TLS-only statement = %+v", name, deny)
		}
		for _, s := range st[1:] {
			if s.Principal == "*" || s.Effect != "Allow" {
				t.Errorf("%s policy has %+v", name, s)
			}
		}
		if len(st) != map[bool]int{true: 2, false: 1}[name == "access-logs"] {
			t.Errorf("%s policy has %d statements", name, len(st))
		}
		pabURN := r.one(t, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name).URN
		if !contains(pol.Dependencies, pabURN) {
			t.Errorf("%s policy does not wait for the public access block: %v", name, pol.Dependencies)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The seed's physical name is kept exactly; other buckets are auto-named.
// Every data bucket logs to the log bucket under its own prefix, expires old
// versions after its noncurrentVersionDays and accepts browser uploads from
// https://app.<domain> unless told otherwise.
func TestBucketNamesLoggingLifecycleAndCors(t *testing.T) {
	t.Parallel()
	env := map[string]string{}
	r := synthMessaging(t, messagingStack{data: dbayMessaging, use: func(ctx *pulumi.Context, d *datalayer.DataLayer) error {
		b, err := d.Bucket("listing-images")
		if err != nil {
			return err
		}
		return resolveEnv(ctx, env, b.Env())
	}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got := r.one(t, tBucket, "listing-images").In()["bucket"]; got != "dbay-listing-images-prod" {
		t.Errorf("listing-images physical name = %v, want dbay-listing-images-prod", got)
	}
	if got, ok := r.one(t, tBucket, "uploads").In()["bucket"]; ok {
		t.Errorf("uploads has a fixed name %v, want auto-naming", got)
	}
	if want := map[string]string{"AWS_S3_BUCKET_NAME": "dbay-listing-images-prod"}; !reflect.DeepEqual(env, want) {
		t.Errorf("Env() = %v, want %v", env, want)
	}
	logs := r.one(t, tBucket, "access-logs").Out()
	tests := []struct {
		name       string
		noncurrent float64
		logDays    float64
		origins    []any
	}{
		{"listing-images", 90, 365, []any{"https://app.dbay.example.com"}},
		{"uploads", 30, 90, []any{"https://app.dbay.example.com", "https://admin.dbay.example.com"}},
	}
	var sources, prefixes []string
	for _, tt := range tests {
		b := r.one(t, tBucket, tt.name).Out()
		lg := r.one(t, "aws:s3/bucketLoggingV2:BucketLoggingV2", tt.name).In()
		if lg["bucket"] != b["bucket"] || lg["targetBucket"] != logs["bucket"] || lg["targetPrefix"] != tt.name+"/" {
			t.Errorf("%s logging = %v", tt.name, lg)
		}
		lc := r.one(t, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", tt.name).In()
		wantRules := []any{
			map[string]any{"id": "abort-incomplete-uploads", "status": "Enabled", "filter": map[string]any{},
				"abortIncompleteMultipartUpload": map[string]any{"daysAfterInitiation": 7.0}},
			map[string]any{"id": "expire-noncurrent-versions", "status": "Enabled", "filter": map[string]any{},
				"noncurrentVersionExpiration": map[string]any{"noncurrentDays": tt.noncurrent},
				"expiration":                  map[string]any{"expiredObjectDeleteMarker": true}},
		}
		if !reflect.DeepEqual(lc["rules"], wantRules) || lc["bucket"] != b["bucket"] {
			t.Errorf("%s lifecycle\n got %v\nwant %v", tt.name, lc["rules"], wantRules)
		}
		cors := r.one(t, "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2", tt.name).In()
		rule := cors["corsRules"].([]any)[0].(map[string]any)
		if !reflect.DeepEqual(rule["allowedOrigins"], tt.origins) || !reflect.DeepEqual(rule["allowedMethods"], []any{"GET", "PUT", "POST", "HEAD"}) ||
			len(cors["corsRules"].([]any)) != 1 || cors["bucket"] != b["bucket"] {
			t.Errorf("%s CORS = %v", tt.name, cors)
		}
		sources = append(sources, b["arn"].(string))
		prefixes = append(prefixes, logs["arn"].(string)+"/"+tt.name+"/*")

		expire := map[string]any{"id": "expire-" + tt.name, "status": "Enabled", "filter": map[string]any{"prefix": tt.name + "/"},
			"expiration": map[string]any{"days": tt.logDays}}
		if !containsValue(r.one(t, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "access-logs").In()["rules"], expire) {
			t.Errorf("log bucket has no rule %v", expire)
		}
	}
	if lg := r.eng.Get("aws:s3/bucketLoggingV2:BucketLoggingV2", "access-logs"); lg != nil {
		t.Errorf("the log bucket logs to %v", lg.In()["targetBucket"])
	}
	delivery := statements(t, r.one(t, "aws:s3/bucketPolicy:BucketPolicy", "access-logs").In()["policy"])[1]
	wantCond := map[string]map[string]any{
		"StringEquals": {"aws:SourceAccount": mockengine.Account},
		"ArnLike":      {"aws:SourceArn": toAny(sorted(sources...))},
	}
	if arns := delivery.Condition["ArnLike"]; arns != nil {
		arns["aws:SourceArn"] = toAny(list(arns["aws:SourceArn"]))
	}
	if !reflect.DeepEqual(delivery.Principal, map[string]any{"Service": "logging.s3.amazonaws.com"}) ||
		!reflect.DeepEqual(list(delivery.Action), []string{"s3:PutObject"}) ||
		!reflect.DeepEqual(list(delivery.Resource), sorted(prefixes...)) || !reflect.DeepEqual(delivery.Condition, wantCond) {
		t.Errorf("log delivery statement = %+v\nwant resources %v, conditions %v", delivery, prefixes, wantCond)
	}
}

func containsValue(list any, v any) bool {
	items, _ := list.([]any)
	for _, x := range items {
		if reflect.DeepEqual(x, v) {
			return true
		}
	}
	return false
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// Dhanam's bucket keeps its seed name and its seed variable, and takes its
// CORS origin from its own domain (NEXT_PUBLIC_WEB_URL https://app.dhanam.io).
func TestDhanamAssetsBucket(t *testing.T) {
	t.Parallel()
	env := map[string]string{}
	r := synthMessaging(t, messagingStack{project: "dhanam", domain: "dhanam.io",
		data: `{"buckets":{"assets":{"name":"dhanam-production-assets","envVar":"AWS_S3_BUCKET"}}}`,
		use: func(ctx *pulumi.Context, d *datalayer.DataLayer) error {
			b, err := d.Bucket("assets")
			if err != nil {
				return err
			}
			return resolveEnv(ctx, env, b.Env())
		}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got := r.one(t, tBucket, "assets").In()["bucket"]; got != "dhanam-production-assets" {
		t.Errorf("assets bucket = %v", got)
	}
	if want := map[string]string{"AWS_S3_BUCKET": "dhanam-production-assets"}; !reflect.DeepEqual(env, want) {
		t.Errorf("Env() = %v, want %v", env, want)
	}
	rule := r.one(t, "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2", "assets").In()["corsRules"].([]any)[0].(map[string]any)
	if !reflect.DeepEqual(rule["allowedOrigins"], []any{"https://app.dhanam.io"}) {
		t.Errorf("CORS origins = %v", rule["allowedOrigins"])
	}
}
