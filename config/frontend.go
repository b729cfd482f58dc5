package config

import (
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
	// Absent: 100 requests per IP per 5 minutes, then block; no country or
	// IP rules.
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
	// Absent: path / on the first alias.
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
	c.notSupportedf(path, got, "use "+strings.Join(valid, ", "), "%q is not a %s", got, what)
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
