package frontend

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/internal/mockengine"
)

func TestZoneIsLookedUpAndEveryNameHasAAndAAAAAliases(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{shape: dbay, records: []AliasRecord{
		{Name: "api.dbay.example.com", Target: pulumi.String("d-abc123.execute-api.us-east-1.amazonaws.com"), ZoneID: pulumi.String("Z1UJRXOUMOOFQ8")},
		{Name: "ws.dbay.example.com", Target: pulumi.String("d-def456.execute-api.us-east-1.amazonaws.com"), ZoneID: pulumi.String("Z1UJRXOUMOOFQ8"), IPv6: true},
	}})
	var lookups []mockengine.Invoke
	for _, inv := range r.eng.Invokes() {
		if inv.Token == "aws:route53/getZone:getZone" {
			lookups = append(lookups, inv)
		}
	}
	if len(lookups) != 1 || mockengine.Render(lookups[0].Args)["name"] != "dbay.example.com" || mockengine.Render(lookups[0].Args)["privateZone"] != false {
		t.Fatalf("zone lookups = %v, want one for the public zone dbay.example.com", lookups)
	}
	zone, _ := r.outs["zoneId"].(string)
	if len(zone) != 14 || !strings.HasPrefix(zone, "Z") || len(r.outs["nameServers"].([]any)) != 4 {
		t.Errorf("zone outputs = %v / %v", r.outs["zoneId"], r.outs["nameServers"])
	}
	if len(r.eng.ByType("aws:route53/zone:Zone")) != 0 {
		t.Error("a zone was created although createZone is false")
	}

	dist := r.one(t, tDist, "cdn").Out()
	for host, label := range map[string]string{"app.dbay.example.com": "app", "dbay.example.com": "apex"} {
		for _, typ := range []string{"A", "AAAA"} {
			in := r.one(t, tRecord, "site-"+label+"-"+typ).In()
			want := []any{map[string]any{"name": dist["domainName"], "zoneId": "Z2FDTNDATAQYW2", "evaluateTargetHealth": false}}
			if in["zoneId"] != zone || in["name"] != host || in["type"] != typ || !reflect.DeepEqual(in["aliases"], want) {
				t.Errorf("%s %s record = %v", host, typ, in)
			}
		}
	}
	if apex := r.one(t, tRecord, "site-apex-A"); r.apex != apex.URN {
		t.Errorf("ApexRecord = %s, want %s", r.apex, apex.URN)
	}
	if r.eng.Get(tRecord, "api-AAAA") != nil || r.eng.Get(tRecord, "ws-AAAA") == nil {
		t.Error("AAAA records must follow AliasRecord.IPv6")
	}
	api := r.one(t, tRecord, "api-A").In()
	if api["name"] != "api.dbay.example.com" || at(api, "aliases", 0, "name") != "d-abc123.execute-api.us-east-1.amazonaws.com" ||
		at(api, "aliases", 0, "zoneId") != "Z1UJRXOUMOOFQ8" || api["zoneId"] != zone {
		t.Errorf("api record = %v", api)
	}
}

func TestCertificateIsDNSValidatedThroughTheZone(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{region: "us-west-2"})
	cert := r.one(t, tCert, "site")
	if cert.In()["domainName"] != "dbay.example.com" || !reflect.DeepEqual(cert.In()["subjectAlternativeNames"], []any{"*.dbay.example.com"}) ||
		cert.In()["validationMethod"] != "DNS" {
		t.Errorf("certificate = %v", cert.In())
	}
	dvo := at(cert.Out(), "domainValidationOptions", 0)
	rec := r.one(t, tRecord, "site-certificate-validation").In()
	if rec["zoneId"] != r.outs["zoneId"] || rec["name"] != at(dvo, "resourceRecordName") || rec["type"] != "CNAME" ||
		!reflect.DeepEqual(rec["records"], []any{at(dvo, "resourceRecordValue")}) || rec["allowOverwrite"] != nil {
		t.Errorf("validation record = %v, want %v", rec, dvo)
	}
	v := r.one(t, tCertValid, "site")
	if v.In()["certificateArn"] != cert.Out()["arn"] ||
		!reflect.DeepEqual(v.In()["validationRecordFqdns"], []any{r.one(t, tRecord, "site-certificate-validation").Out()["fqdn"]}) {
		t.Errorf("validation = %v", v.In())
	}
}

func TestCreatedZoneIsProtectedAndExportsItsNameServers(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{raw: `{"createZone":true,"zoneName":"example.com"}`, protect: true})
	z := r.one(t, "aws:route53/zone:Zone", "zone")
	if z.In()["name"] != "example.com" || !z.Options.Protect || r.outs["zoneId"] != z.Out()["zoneId"] ||
		!reflect.DeepEqual(r.outs["nameServers"], z.Out()["nameServers"]) {
		t.Errorf("zone = %v protect %v; outputs %v %v", z.In(), z.Options.Protect, r.outs["zoneId"], r.outs["nameServers"])
	}
	for _, inv := range r.eng.Invokes() {
		if inv.Token == "aws:route53/getZone:getZone" {
			t.Error("a created zone was also looked up")
		}
	}
}

func TestHealthCheckForFailover(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{raw: `{"healthCheck":{"host":"api.dbay.example.com","path":"/health"}}`})
	hc := r.one(t, "aws:route53/healthCheck:HealthCheck", "site")
	want := map[string]any{"type": "HTTPS", "fqdn": "api.dbay.example.com", "port": 443.0, "resourcePath": "/health",
		"enableSni": true, "requestInterval": 30.0, "failureThreshold": 3.0, "measureLatency": true}
	for k, v := range want {
		if hc.In()[k] != v {
			t.Errorf("health check %s = %v, want %v", k, hc.In()[k], v)
		}
	}
	if r.outs["healthCheckId"] != hc.ID || hc.ID == "" {
		t.Errorf("healthCheckId = %v, want %s", r.outs["healthCheckId"], hc.ID)
	}
}

func TestReleaseCommandsWhenNoDistDir(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{})
	bucket := r.outs["bucketName"].(string)
	want := []any{
		`aws s3 sync frontend/dist s3://` + bucket + `/ --exclude "*" --include "assets/*" --cache-control "public, max-age=31536000, immutable"`,
		`aws s3 sync frontend/dist s3://` + bucket + `/ --exclude "assets/*" --exclude "*.html" --cache-control "public, max-age=3600"`,
		`aws s3 sync frontend/dist s3://` + bucket + `/ --exclude "*" --include "*.html" --exclude "assets/*" --cache-control "public, max-age=0, s-maxage=3600, must-revalidate"`,
	}
	if !reflect.DeepEqual(r.outs["syncCommands"], want) {
		t.Errorf("sync commands\n got %q\nwant %q", r.outs["syncCommands"], want)
	}
	if r.outs["invalidateCommand"] != `aws cloudfront create-invalidation --distribution-id `+r.one(t, tDist, "cdn").ID+` --paths "/*"` {
		t.Errorf("invalidate command = %v", r.outs["invalidateCommand"])
	}
	if n := len(r.eng.ByType("aws:s3/bucketObjectv2:BucketObjectv2")); n != 0 {
		t.Errorf("%d objects uploaded without distDir", n)
	}
}

func TestDistDirIsUploadedWithContentTypeAndCacheControl(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"index.html": "<html></html>", "assets/index-4f2a9c.js": "x", "assets/index-b81e.css": "x", "favicon.ico": "x", "robots.txt": "x",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := synth(t, setup{raw: `{"distDir":"` + dir + `"}`})
	site := r.one(t, tBucket, "site")
	sse := r.one(t, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "site")
	want := map[string][2]string{
		"index.html":             {"text/html; charset=utf-8", cacheHTML},
		"assets/index-4f2a9c.js": {"text/javascript; charset=utf-8", cacheHashed},
		"assets/index-b81e.css":  {"text/css; charset=utf-8", cacheHashed},
		"favicon.ico":            {"image/x-icon", cacheOther},
		"robots.txt":             {"text/plain; charset=utf-8", cacheOther},
	}
	objects := r.eng.ByType("aws:s3/bucketObjectv2:BucketObjectv2")
	if len(objects) != len(want) {
		t.Fatalf("%d objects, want %d", len(objects), len(want))
	}
	for _, o := range objects {
		in := o.In()
		key, _ := in["key"].(string)
		w, ok := want[key]
		if !ok || o.Name != "dist/"+key || in["bucket"] != site.ID || in["contentType"] != w[0] || in["cacheControl"] != w[1] {
			t.Errorf("object %s = %v, want %v", o.Name, in, w)
		}
		if !contains(o.Dependencies, sse.URN) {
			t.Errorf("%s is uploaded before the bucket's encryption is set", key)
		}
	}
	if cmds := r.outs["syncCommands"].([]any); !strings.Contains(cmds[0].(string), "aws s3 sync "+dir+" ") {
		t.Errorf("sync commands do not use distDir: %v", cmds[0])
	}
}

func TestNoApexRecordWhenTheApexIsNotAnAlias(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{raw: `{"aliases":["app.dbay.example.com"]}`})
	if r.apex != "" || r.eng.Get(tRecord, "site-apex-A") != nil {
		t.Errorf("apex record %q created for aliases [app.dbay.example.com]", r.apex)
	}
	if r.eng.Get(tRecord, "site-app-A") == nil || r.eng.Get(tRecord, "site-app-AAAA") == nil {
		t.Error("app.dbay.example.com has no A/AAAA alias")
	}
}
