package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const testDomain = "dbay.example.com"

// frontendErrors defaults and validates a frontend section edited like a
// stack file would set it, with a collector of its own.
func frontendErrors(domain string, edit func(f *Frontend)) Errors {
	var f Frontend
	if edit != nil {
		edit(&f)
	}
	f.applyDefaults(domain)
	c := &collector{ns: "dbay"}
	f.validate(c, domain)
	return c.sorted()
}

func TestFrontendDefaults(t *testing.T) {
	t.Parallel()
	var f Frontend
	f.applyDefaults(testDomain)
	want := Frontend{
		Aliases:                []string{"app.dbay.example.com", "dbay.example.com"},
		PriceClass:             "PriceClass_100",
		MinimumProtocolVersion: "TLSv1.2_2021",
		GeoRestriction:         GeoRestriction{Type: "none"},
		WAF:                    WAF{RateLimit: 100, RateAction: "block"},
		ZoneName:               testDomain,
		HashedPaths:            []string{"/assets/*"},
		APIPaths:               []string{"/api/*"},
		LogRetentionDays:       365,
		HealthCheck:            HealthCheck{Host: "app.dbay.example.com", Path: "/"},
	}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("defaults\n got %+v\nwant %+v", f, want)
	}
	if errs := frontendErrors(testDomain, nil); len(errs) > 0 {
		t.Errorf("the defaults do not validate: %v", errs)
	}
}

// Every rule has a passing row (want "") at its edge and a failing row
// naming the key path.
func TestFrontendRules(t *testing.T) {
	t.Parallel()
	dist := t.TempDir()
	if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte("<html></html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	noIndex := t.TempDir()

	tests := []struct {
		name string
		edit func(f *Frontend)
		want string // key path of the error, "" when valid
	}{
		{"apex and one label below", func(f *Frontend) { f.Aliases = []string{"www.dbay.example.com", "dbay.example.com"} }, ""},
		{"alias outside the domain", func(f *Frontend) { f.Aliases = []string{"app.dbay.example.com", "evil.example.org"} }, "frontend.aliases[1]"},
		{"alias is a suffix but not a subdomain", func(f *Frontend) { f.Aliases = []string{"notdbay.example.com"} }, "frontend.aliases[0]"},
		{"alias two labels below", func(f *Frontend) { f.Aliases = []string{"a.b.dbay.example.com"} }, "frontend.aliases[0]"},
		{"wildcard alias", func(f *Frontend) { f.Aliases = []string{"*.dbay.example.com"} }, "frontend.aliases[0]"},
		{"upper-case alias", func(f *Frontend) { f.Aliases = []string{"App.dbay.example.com"} }, "frontend.aliases[0]"},
		{"duplicate alias", func(f *Frontend) { f.Aliases = []string{"dbay.example.com", "dbay.example.com"} }, "frontend.aliases[1]"},
		{"no alias", func(f *Frontend) { f.Aliases = []string{} }, "frontend.aliases"},

		{"PriceClass_All", func(f *Frontend) { f.PriceClass = "PriceClass_All" }, ""},
		{"price class that does not exist", func(f *Frontend) { f.PriceClass = "PriceClass_300" }, "frontend.priceClass"},
		{"TLS 1.3 policy", func(f *Frontend) { f.MinimumProtocolVersion = "TLSv1.3_2025" }, ""},
		{"TLS 1.1 policy", func(f *Frontend) { f.MinimumProtocolVersion = "TLSv1.1_2016" }, "frontend.minimumProtocolVersion"},

		{"geo whitelist", func(f *Frontend) {
			f.GeoRestriction = GeoRestriction{Type: "whitelist", Locations: []string{"US", "MX"}}
		}, ""},
		{"unknown country code", func(f *Frontend) {
			f.GeoRestriction = GeoRestriction{Type: "blacklist", Locations: []string{"US", "XX"}}
		}, "frontend.geoRestriction.locations[1]"},
		{"lower-case country code", func(f *Frontend) { f.GeoRestriction = GeoRestriction{Type: "blacklist", Locations: []string{"us"}} }, "frontend.geoRestriction.locations[0]"},
		{"blacklist without countries", func(f *Frontend) { f.GeoRestriction = GeoRestriction{Type: "blacklist"} }, "frontend.geoRestriction.locations"},
		{"locations with type none", func(f *Frontend) { f.GeoRestriction = GeoRestriction{Type: "none", Locations: []string{"US"}} }, "frontend.geoRestriction.locations"},
		{"unknown restriction type", func(f *Frontend) { f.GeoRestriction = GeoRestriction{Type: "allow"} }, "frontend.geoRestriction.type"},

		{"rate limit at WAF's minimum", func(f *Frontend) { f.WAF.RateLimit = 10 }, ""},
		{"rate limit below WAF's minimum", func(f *Frontend) { f.WAF.RateLimit = 9 }, "frontend.waf.rateLimit"},
		{"rate limit above WAF's maximum", func(f *Frontend) { f.WAF.RateLimit = 2_000_000_001 }, "frontend.waf.rateLimit"},
		{"rate action challenge", func(f *Frontend) { f.WAF.RateAction = "challenge" }, ""},
		{"rate action allow", func(f *Frontend) { f.WAF.RateAction = "allow" }, "frontend.waf.rateAction"},
		{"block countries", func(f *Frontend) { f.WAF.BlockCountries = []string{"KP", "IR"} }, ""},
		{"unknown blocked country", func(f *Frontend) { f.WAF.BlockCountries = []string{"UK"} }, "frontend.waf.blockCountries[0]"},
		{"unknown allowed country", func(f *Frontend) { f.WAF.AllowCountries = []string{"USA"} }, "frontend.waf.allowCountries[0]"},
		{"allow and block lists together", func(f *Frontend) {
			f.WAF.AllowCountries = []string{"US"}
			f.WAF.BlockCountries = []string{"KP"}
		}, "frontend.waf.allowCountries"},
		{"IPv4 and IPv6 blocks", func(f *Frontend) { f.WAF.BlockIPs = []string{"203.0.113.0/24", "2001:db8::/32", "198.51.100.7/32"} }, ""},
		{"IP without a prefix", func(f *Frontend) { f.WAF.BlockIPs = []string{"203.0.113.7"} }, "frontend.waf.blockIps[0]"},
		{"IP block with host bits", func(f *Frontend) { f.WAF.BlockIPs = []string{"203.0.113.7/24"} }, "frontend.waf.blockIps[0]"},
		{"IP block of everything", func(f *Frontend) { f.WAF.BlockIPs = []string{"0.0.0.0/0"} }, "frontend.waf.blockIps[0]"},

		{"zone is a parent of the domain", func(f *Frontend) { f.ZoneName = "example.com" }, ""},
		{"zone does not contain the domain", func(f *Frontend) { f.ZoneName = "example.org" }, "frontend.zoneName"},

		{"dist dir with index.html", func(f *Frontend) { f.DistDir = dist }, ""},
		{"dist dir without index.html", func(f *Frontend) { f.DistDir = noIndex }, "frontend.distDir"},
		{"dist dir missing", func(f *Frontend) { f.DistDir = filepath.Join(dist, "nope") }, "frontend.distDir"},

		{"Next.js hashed path", func(f *Frontend) { f.HashedPaths = []string{"/_next/static/*"} }, ""},
		{"hashed path without directory", func(f *Frontend) { f.HashedPaths = []string{"*.js"} }, "frontend.hashedPaths[0]"},
		{"hashed path replacing the default", func(f *Frontend) { f.HashedPaths = []string{"/*"} }, "frontend.hashedPaths[0]"},
		{"two API paths", func(f *Frontend) { f.APIPaths = []string{"/api/*", "/graphql"} }, ""},
		{"API path without slash", func(f *Frontend) { f.APIPaths = []string{"api/*"} }, "frontend.apiPaths[0]"},
		{"API path also hashed", func(f *Frontend) { f.APIPaths = []string{"/assets/*"} }, "frontend.apiPaths[0]"},

		{"log retention 400", func(f *Frontend) { f.LogRetentionDays = 400 }, ""},
		{"log retention 100", func(f *Frontend) { f.LogRetentionDays = 100 }, "frontend.logRetentionDays"},
		{"health check on the API host", func(f *Frontend) { f.HealthCheck = HealthCheck{Host: "api.dbay.example.com", Path: "/health"} }, ""},
		{"health check outside the domain", func(f *Frontend) { f.HealthCheck.Host = "status.example.org" }, "frontend.healthCheck.host"},
		{"relative health check path", func(f *Frontend) { f.HealthCheck.Path = "health" }, "frontend.healthCheck.path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertPaths(t, frontendErrors(testDomain, tt.edit), tt.want)
		})
	}
}

// assertPaths checks that errs is empty (want "") or holds only errors at want.
func assertPaths(t *testing.T, errs Errors, want string) {
	t.Helper()
	if want == "" {
		if len(errs) > 0 {
			t.Errorf("want no error, got:\n%v", errs)
		}
		return
	}
	if len(errs) == 0 {
		t.Fatalf("want an error at %s, got none", want)
	}
	for _, e := range errs {
		if e.Path != want || e.Namespace != "dbay" || e.Problem == "" || e.Valid == "" {
			t.Errorf("want only errors at dbay:%s with a problem and a fix, got %q", want, e.Error())
		}
	}
}

func TestLoadFrontendIsStrictAndNamesPaths(t *testing.T) {
	t.Parallel()
	_, err := LoadFrontend("dbay", testDomain, `{"priceClass":"PriceClass_300","waf":{"ratelimit":5,"rateLimit":5},"geoRestriction":{"type":"whitelist","locations":["ZZ"]}}`)
	es, ok := AsErrors(err)
	if !ok {
		t.Fatalf("LoadFrontend returned %v, want config.Errors", err)
	}
	got := map[string]string{}
	for _, e := range es {
		got[e.Path] = e.Error()
	}
	for _, path := range []string{"frontend.priceClass", "frontend.waf.ratelimit", "frontend.waf.rateLimit", "frontend.geoRestriction.locations[0]"} {
		if _, ok := got[path]; !ok {
			t.Errorf("no error at %s; got %v", path, es)
		}
	}
	if !strings.Contains(got["frontend.waf.ratelimit"], "did you mean rateLimit?") {
		t.Errorf("unknown key error = %q", got["frontend.waf.ratelimit"])
	}
	if !strings.HasPrefix(got["frontend.waf.rateLimit"], "dbay:frontend.waf.rateLimit: 5 requests per 5 minutes is below WAF's minimum") {
		t.Errorf("rate limit error = %q", got["frontend.waf.rateLimit"])
	}

	f, err := LoadFrontend("dhanam", "dhanam.io", `{"aliases":["app.dhanam.io","api.dhanam.io"],"hashedPaths":["/_next/static/*"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if f.HealthCheck.Host != "app.dhanam.io" || f.WAF.RateLimit != 100 || f.ZoneName != "dhanam.io" {
		t.Errorf("defaults not applied after decoding: %+v", f)
	}
}

func TestCountryCodes(t *testing.T) {
	t.Parallel()
	for _, c := range []string{"US", "MX", "IN", "DE", "KP", "ZW", "AD"} {
		if !IsCountryCode(c) {
			t.Errorf("%s should be a country code", c)
		}
	}
	for _, c := range []string{"", "U", "USA", "us", "UK", "EU", "XX", "ZZ", "S ", " U"} {
		if IsCountryCode(c) {
			t.Errorf("%q should not be a country code", c)
		}
	}
	if n := len(strings.Fields(countryCodes)); n != 249 {
		t.Errorf("%d country codes, ISO 3166-1 assigns 249", n)
	}
}
