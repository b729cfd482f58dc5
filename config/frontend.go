package config

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
)

// Frontend configures the Frontend component: the site bucket, the
// CloudFront distribution with its us-east-1 certificate, the WAF web ACLs
// and the Route53 records.
type Frontend struct {
	// Aliases are the names the distribution answers to. Each must be the
	// stack's domain or one label below it (the certificate is <domain> +
	// *.<domain>). Absent: [app.<domain>, <domain>]. The first alias is the
	// site's canonical host.
	Aliases []string `json:"aliases"`
	// PriceClass is PriceClass_100, PriceClass_200 or PriceClass_All.
	// Absent: PriceClass_100 (North America, Mexico, Europe, Israel).
	PriceClass string `json:"priceClass"`
	// MinimumProtocolVersion is the viewer TLS policy: TLSv1.2_2021,
	// TLSv1.2_2025 or TLSv1.3_2025. Absent: TLSv1.2_2021.
	MinimumProtocolVersion string `json:"minimumProtocolVersion"`
	// GeoRestriction is CloudFront's own country restriction. Absent: none.
	GeoRestriction GeoRestriction `json:"geoRestriction"`
	// WAF configures the web ACLs in front of the distribution (and the ALB).
	WAF WAF `json:"waf"`
	// ZoneName is the public hosted zone holding the records; the domain
	// must be the zone's apex or below it. Absent: the domain.
	ZoneName string `json:"zoneName"`
	// CreateZone creates the hosted zone instead of looking it up; the
	// registrar must then be pointed at its name servers (output
	// nameServers). Absent: false, the zone must exist.
	CreateZone bool `json:"createZone"`
	// DistDir is a built SPA (Vite's dist/) that the program uploads to the
	// site bucket, relative to the project directory; it must hold
	// index.html. Absent: nothing is uploaded and the outputs carry the
	// `aws s3 sync` and invalidation commands for the release pipeline.
	DistDir string `json:"distDir"`
	// HashedPaths are the path patterns of content-hashed build output,
	// cached for a year and never rate limited. Each is "/<prefix>/*".
	// Absent: ["/assets/*"] (Vite's build.assetsDir).
	HashedPaths []string `json:"hashedPaths"`
	// APIPaths are the path patterns routed to the API origin, never cached.
	// Absent: ["/api/*"].
	APIPaths []string `json:"apiPaths"`
	// LogRetentionDays is how long CloudFront access logs (S3) and WAF logs
	// (CloudWatch Logs) are kept; a CloudWatch Logs retention value.
	// Absent: 365.
	LogRetentionDays int `json:"logRetentionDays"`
	// HealthCheck is the Route53 health check the DR failover records use.
	HealthCheck HealthCheck `json:"healthCheck"`
}

// GeoRestriction is CloudFront's country allow or block list.
type GeoRestriction struct {
	// Type is none, whitelist or blacklist. Absent: none.
	Type string `json:"type"`
	// Locations are ISO 3166-1 alpha-2 country codes (upper case). Required
	// for whitelist and blacklist, empty for none.
	Locations []string `json:"locations"`
}

// WAF configures the web ACLs.
type WAF struct {
	// RateLimit is how many requests one IP may send in 5 minutes (hashed
	// static assets excluded) before RateAction applies. WAF's minimum is
	// 10. Absent: 100, the Dhanam guide's number.
	RateLimit int `json:"rateLimit"`
	// RateAction is block, count, captcha or challenge. Absent: block.
	RateAction string `json:"rateAction"`
	// BlockCountries are ISO 3166-1 alpha-2 codes whose requests are blocked.
	// Absent: none.
	BlockCountries []string `json:"blockCountries"`
	// AllowCountries, when set, blocks every country not listed. Cannot be
	// combined with BlockCountries. Absent: all countries allowed.
	AllowCountries []string `json:"allowCountries"`
	// BlockIPs are IPv4 or IPv6 CIDR blocks that are always blocked.
	// Absent: none.
	BlockIPs []string `json:"blockIps"`
}

// HealthCheck is an HTTPS Route53 health check.
type HealthCheck struct {
	// Host is the name checked, at or below the domain. Absent: the first alias.
	Host string `json:"host"`
	// Path is the request path. Absent: "/".
	Path string `json:"path"`
}

// Frontend defaults and limits.
const (
	DefaultPriceClass       = "PriceClass_100"
	DefaultTLSPolicy        = "TLSv1.2_2021"
	DefaultRateLimit        = 100 // requests per IP per 5 minutes, the Dhanam guide's number
	DefaultRateAction       = "block"
	DefaultLogRetentionDays = 365
	// MinRateLimit and MaxRateLimit are WAF's bounds for a rate-based rule.
	MinRateLimit = 10
	MaxRateLimit = 2_000_000_000
	// RateWindowSeconds is the rate-based rule's evaluation window: 5 minutes.
	RateWindowSeconds = 300
	GeoNone           = "none"
	GeoWhitelist      = "whitelist"
	GeoBlacklist      = "blacklist"
)

var (
	priceClasses  = []string{"PriceClass_100", "PriceClass_200", "PriceClass_All"}
	tlsPolicies   = []string{"TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"}
	rateActions   = []string{"block", "count", "captcha", "challenge"}
	hashedPathRe  = regexp.MustCompile(`^/[A-Za-z0-9_.~-]+(/[A-Za-z0-9_.~-]+)*/\*$`)
	cfPathRe      = regexp.MustCompile(`^/[A-Za-z0-9_.~*$/@:+&?=-]*$`)
	maxAliases    = 100
	maxGeoEntries = 250
)

// applyDefaults fills every absent frontend setting. domain is the stack's domain.
func (f *Frontend) applyDefaults(domain string) {
	if f.Aliases == nil && domain != "" {
		f.Aliases = []string{"app." + domain, domain}
	}
	if f.PriceClass == "" {
		f.PriceClass = DefaultPriceClass
	}
	if f.MinimumProtocolVersion == "" {
		f.MinimumProtocolVersion = DefaultTLSPolicy
	}
	if f.GeoRestriction.Type == "" {
		f.GeoRestriction.Type = GeoNone
	}
	if f.WAF.RateLimit == 0 {
		f.WAF.RateLimit = DefaultRateLimit
	}
	if f.WAF.RateAction == "" {
		f.WAF.RateAction = DefaultRateAction
	}
	if f.ZoneName == "" {
		f.ZoneName = domain
	}
	if f.HashedPaths == nil {
		f.HashedPaths = []string{"/assets/*"}
	}
	if f.APIPaths == nil {
		f.APIPaths = []string{"/api/*"}
	}
	if f.LogRetentionDays == 0 {
		f.LogRetentionDays = DefaultLogRetentionDays
	}
	if f.HealthCheck.Host == "" && len(f.Aliases) > 0 {
		f.HealthCheck.Host = f.Aliases[0]
	}
	if f.HealthCheck.Path == "" {
		f.HealthCheck.Path = "/"
	}
}

// validate records every problem of a defaulted frontend section.
func (f Frontend) validate(c *collector, domain string) {
	if len(f.Aliases) == 0 && domain != "" {
		c.add("frontend.aliases", "is empty", "list the names the site answers to, e.g. app."+domain)
	}
	if len(f.Aliases) > maxAliases {
		c.addf("frontend.aliases", fmt.Sprintf("use at most %d", maxAliases), "%d aliases exceed CloudFront's limit", len(f.Aliases))
	}
	seen := map[string]bool{}
	for i, a := range f.Aliases {
		path := fmt.Sprintf("frontend.aliases[%d]", i)
		if seen[a] {
			c.addf(path, "list each name once", "%q is listed twice", a)
		}
		seen[a] = true
		validateSiteName(c, path, a, domain)
	}
	oneOf(c, "frontend.priceClass", f.PriceClass, priceClasses, "price class")
	oneOf(c, "frontend.minimumProtocolVersion", f.MinimumProtocolVersion, tlsPolicies, "CloudFront TLS policy of TLS 1.2 or newer")

	switch f.GeoRestriction.Type {
	case GeoNone:
		if len(f.GeoRestriction.Locations) > 0 {
			c.add("frontend.geoRestriction.locations", "are set but type is none", "set type to whitelist or blacklist, or remove locations")
		}
	case GeoWhitelist, GeoBlacklist:
		if len(f.GeoRestriction.Locations) == 0 {
			c.addf("frontend.geoRestriction.locations", "list ISO 3166-1 alpha-2 country codes such as US, MX", "a %s needs at least one country", f.GeoRestriction.Type)
		}
		validateCountries(c, "frontend.geoRestriction.locations", f.GeoRestriction.Locations)
	default:
		c.addf("frontend.geoRestriction.type", "use none, whitelist or blacklist", "unknown restriction type %q", f.GeoRestriction.Type)
	}
	f.WAF.validate(c)

	if f.ZoneName != "" && domain != "" && f.ZoneName != domain && !strings.HasSuffix(domain, "."+f.ZoneName) {
		c.addf("frontend.zoneName", "use the domain "+domain+" or a parent of it", "%q does not contain the domain %s", f.ZoneName, domain)
	} else if f.ZoneName != "" && !isDNSName(f.ZoneName) {
		c.addf("frontend.zoneName", "use a lowercase DNS name such as example.com", "%q is not a valid DNS name", f.ZoneName)
	}
	if f.DistDir != "" {
		validateDistDir(c, f.DistDir)
	}
	validatePaths(c, "frontend.hashedPaths", f.HashedPaths, hashedPathRe, `use "/<directory>/*", e.g. "/assets/*"`)
	validatePaths(c, "frontend.apiPaths", f.APIPaths, cfPathRe, `use a CloudFront path pattern such as "/api/*"`)
	for i, p := range f.APIPaths {
		for _, h := range f.HashedPaths {
			if p == h {
				c.addf(fmt.Sprintf("frontend.apiPaths[%d]", i), "a path is either API or static", "%q is also in frontend.hashedPaths", p)
			}
		}
	}
	if !IsLogRetention(f.LogRetentionDays) {
		c.addf("frontend.logRetentionDays", fmt.Sprintf("use one of %v", logRetentionDays), "%d is not a CloudWatch Logs retention", f.LogRetentionDays)
	}
	// A host defaulted from (or equal to) an alias was checked as that alias.
	if !contains(f.Aliases, f.HealthCheck.Host) && (f.HealthCheck.Host != "" || len(f.Aliases) > 0) {
		validateSiteName(c, "frontend.healthCheck.host", f.HealthCheck.Host, domain)
	}
	if !strings.HasPrefix(f.HealthCheck.Path, "/") || len(f.HealthCheck.Path) > 255 {
		c.addf("frontend.healthCheck.path", `use an absolute path such as "/health"`, "%q is not a request path", f.HealthCheck.Path)
	}
}

func (w WAF) validate(c *collector) {
	switch {
	case w.RateLimit < MinRateLimit:
		c.addf("frontend.waf.rateLimit", fmt.Sprintf("use at least %d (WAF's minimum for a rate-based rule)", MinRateLimit), "%d requests per 5 minutes is below WAF's minimum", w.RateLimit)
	case w.RateLimit > MaxRateLimit:
		c.addf("frontend.waf.rateLimit", fmt.Sprintf("use at most %d", MaxRateLimit), "%d is above WAF's maximum", w.RateLimit)
	}
	oneOf(c, "frontend.waf.rateAction", w.RateAction, rateActions, "WAF rule action")
	validateCountries(c, "frontend.waf.blockCountries", w.BlockCountries)
	validateCountries(c, "frontend.waf.allowCountries", w.AllowCountries)
	if len(w.BlockCountries) > 0 && len(w.AllowCountries) > 0 {
		c.add("frontend.waf.allowCountries", "cannot be combined with blockCountries", "an allow list already blocks every other country; keep one of the two")
	}
	seen := map[netip.Prefix]bool{}
	for i, s := range w.BlockIPs {
		path := fmt.Sprintf("frontend.waf.blockIps[%d]", i)
		p, err := netip.ParsePrefix(s)
		switch {
		case err != nil:
			c.addf(path, "use a CIDR block such as 203.0.113.0/24 or 2001:db8::/32", "%q is not a CIDR block", s)
		case p.Masked() != p:
			c.addf(path, "did you mean "+p.Masked().String()+"?", "%s has host bits set", s)
		case p.Bits() == 0:
			c.addf(path, "block specific networks", "%s would block every address", s)
		case seen[p]:
			c.addf(path, "list each block once", "%s is listed twice", s)
		}
		seen[p] = true
	}
}

// validateSiteName checks that name is the domain or one label below it:
// what the <domain> + *.<domain> certificate covers.
func validateSiteName(c *collector, path, name, domain string) {
	switch {
	case name == "" && domain == "":
		// nothing to default from: the missing domain is reported on its own
	case name == "":
		c.add(path, "is empty", "use a name such as app."+domain)
	case !isDNSName(name):
		c.addf(path, "use a lowercase DNS name such as app."+domain, "%q is not a valid DNS name", name)
	case domain == "":
		// the missing domain is reported on its own
	case name == domain:
	case !strings.HasSuffix(name, "."+domain):
		c.addf(path, "use "+domain+" or a name below it", "%q is outside the configured domain %s", name, domain)
	case strings.Contains(strings.TrimSuffix(name, "."+domain), "."):
		c.addf(path, "use one label below the domain, e.g. app."+domain, "%q is more than one label below %s, which the *.%s certificate does not cover", name, domain, domain)
	}
}

func isDNSName(s string) bool {
	labels := strings.Split(s, ".")
	if len(s) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !dnsLabelRe.MatchString(l) {
			return false
		}
	}
	return true
}

func validateCountries(c *collector, path string, codes []string) {
	if len(codes) > maxGeoEntries {
		c.addf(path, fmt.Sprintf("use at most %d", maxGeoEntries), "%d countries listed", len(codes))
	}
	seen := map[string]bool{}
	for i, code := range codes {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case !IsCountryCode(code):
			c.addf(p, "use an ISO 3166-1 alpha-2 code in upper case, e.g. US, MX, DE", "%q is not a country code", code)
		case seen[code]:
			c.addf(p, "list each country once", "%s is listed twice", code)
		}
		seen[code] = true
	}
}

func validatePaths(c *collector, path string, patterns []string, re *regexp.Regexp, valid string) {
	seen := map[string]bool{}
	for i, p := range patterns {
		ip := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case p == "/*" || p == "*":
			c.addf(ip, valid, "%q would replace the default behavior", p)
		case len(p) > 255 || !re.MatchString(p):
			c.addf(ip, valid, "%q is not a supported path pattern", p)
		case seen[p]:
			c.addf(ip, "list each pattern once", "%q is listed twice", p)
		}
		seen[p] = true
	}
}

func validateDistDir(c *collector, dir string) {
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		c.addf("frontend.distDir", "build the SPA first (npm run build) or remove distDir to deploy from the pipeline", "%q cannot be read: %v", dir, err)
	case !st.IsDir():
		c.addf("frontend.distDir", "point it at the build output directory", "%q is not a directory", dir)
	default:
		if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
			c.addf("frontend.distDir", "point it at the build output (the directory holding index.html)", "%q has no index.html", dir)
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

func oneOf(c *collector, path, got string, valid []string, what string) {
	for _, v := range valid {
		if v == got {
			return
		}
	}
	c.addf(path, "use "+strings.Join(valid, ", "), "%q is not a %s", got, what)
}

// LoadFrontend decodes, defaults and validates a `frontend` section on its
// own, as Load does within a stack: raw is the section's JSON ("" for
// absent), domain the stack's domain, project the config namespace.
func LoadFrontend(project, domain, raw string) (Frontend, error) {
	var f Frontend
	err := loadSection(project, "frontend", raw, &f, func() { f.applyDefaults(domain) }, func(c *collector) { f.validate(c, domain) })
	return f, err
}

// loadSection runs one section through decode, defaults and validation.
func loadSection(project, key, raw string, out any, defaults func(), validate func(*collector)) error {
	c := &collector{ns: project}
	if raw != "" {
		decodeTopLevel(c, key, raw, reflect.ValueOf(out).Elem())
	}
	defaults()
	v := &collector{ns: project}
	validate(v)
	c.merge(v)
	if len(c.errs) > 0 {
		return c.sorted()
	}
	return nil
}

// IsCountryCode reports whether code is an ISO 3166-1 alpha-2 code, as WAF
// geo match statements and CloudFront geo restrictions take them.
func IsCountryCode(code string) bool {
	if len(code) != 2 {
		return false
	}
	return strings.Contains(countryCodes, " "+code+" ")
}

// countryCodes are the 249 officially assigned ISO 3166-1 alpha-2 codes.
const countryCodes = " " +
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ " +
	"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ " +
	"DE DJ DK DM DO DZ " +
	"EC EE EG EH ER ES ET " +
	"FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY " +
	"HK HM HN HR HT HU " +
	"ID IE IL IM IN IO IQ IR IS IT " +
	"JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ " +
	"LA LB LC LI LK LR LS LT LU LV LY " +
	"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
	"NA NC NE NF NG NI NL NO NP NR NU NZ " +
	"OM " +
	"PA PE PF PG PH PK PL PM PN PR PS PT PW PY " +
	"QA " +
	"RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ " +
	"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
	"UA UG UM US UY UZ " +
	"VA VC VE VG VI VN VU " +
	"WF WS " +
	"YE YT " +
	"ZA ZM ZW "
