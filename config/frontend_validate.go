package config

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// validate records every problem of a defaulted frontend section.
func (f Frontend) validate(c *collector, domain string) {
	if len(f.Aliases) == 0 && domain != "" {
		c.required("frontend.aliases", "is empty", "list the names the site answers to, e.g. app."+domain)
	}
	if len(f.Aliases) > maxAliases {
		c.invalidf("frontend.aliases", len(f.Aliases), fmt.Sprintf("use at most %d", maxAliases), "%d aliases exceed CloudFront's limit", len(f.Aliases))
	}
	seen := map[string]bool{}
	for i, a := range f.Aliases {
		path := fmt.Sprintf("frontend.aliases[%d]", i)
		if seen[a] {
			c.invalidf(path, a, "list each name once", "%q is listed twice", a)
		}
		seen[a] = true
		validateSiteName(c, path, a, domain)
	}
	oneOf(c, "frontend.priceClass", f.PriceClass, priceClasses, "price class")
	oneOf(c, "frontend.minimumProtocolVersion", f.MinimumProtocolVersion, tlsPolicies, "CloudFront TLS policy of TLS 1.2 or newer")

	switch f.GeoRestriction.Type {
	case GeoNone:
		if len(f.GeoRestriction.Locations) > 0 {
			c.forbidden("frontend.geoRestriction.locations", "are set but type is none", "set type to whitelist or blacklist, or remove locations")
		}
	case GeoWhitelist, GeoBlacklist:
		if len(f.GeoRestriction.Locations) == 0 {
			c.requiredf("frontend.geoRestriction.locations", "list ISO 3166-1 alpha-2 country codes such as US, MX", "a %s needs at least one country", f.GeoRestriction.Type)
		}
		validateCountries(c, "frontend.geoRestriction.locations", f.GeoRestriction.Locations)
	default:
		c.notSupportedf("frontend.geoRestriction.type", f.GeoRestriction.Type, "use none, whitelist or blacklist", "unknown restriction type %q", f.GeoRestriction.Type)
	}
	f.WAF.validate(c)

	if f.ZoneName != "" && domain != "" && f.ZoneName != domain && !strings.HasSuffix(domain, "."+f.ZoneName) {
		c.invalidf("frontend.zoneName", f.ZoneName, "use the domain "+domain+" or a parent of it", "%q does not contain the domain %s", f.ZoneName, domain)
	} else if f.ZoneName != "" && !isDNSName(f.ZoneName) {
		c.invalidf("frontend.zoneName", f.ZoneName, "use a lowercase DNS name such as example.com", "%q is not a valid DNS name", f.ZoneName)
	}
	if f.DistDir != "" {
		validateDistDir(c, f.DistDir)
	}
	validatePaths(c, "frontend.hashedPaths", f.HashedPaths, hashedPathRe, `use "/<directory>/*", e.g. "/assets/*"`)
	validatePaths(c, "frontend.apiPaths", f.APIPaths, cfPathRe, `use a CloudFront path pattern such as "/api/*"`)
	for i, p := range f.APIPaths {
		for _, h := range f.HashedPaths {
			if p == h {
				c.invalidf(fmt.Sprintf("frontend.apiPaths[%d]", i), p, "a path is either API or static", "%q is also in frontend.hashedPaths", p)
			}
		}
	}
	if !IsLogRetention(f.LogRetentionDays) {
		c.invalidf("frontend.logRetentionDays", f.LogRetentionDays, fmt.Sprintf("use one of %v", logRetentionDays), "%d is not a CloudWatch Logs retention", f.LogRetentionDays)
	}
	// A host defaulted from (or equal to) an alias was checked as that alias.
	if !contains(f.Aliases, f.HealthCheck.Host) && (f.HealthCheck.Host != "" || len(f.Aliases) > 0) {
		validateSiteName(c, "frontend.healthCheck.host", f.HealthCheck.Host, domain)
	}
	if !strings.HasPrefix(f.HealthCheck.Path, "/") || len(f.HealthCheck.Path) > 255 {
		c.invalidf("frontend.healthCheck.path", f.HealthCheck.Path, `use an absolute path such as "/health"`, "%q is not a request path", f.HealthCheck.Path)
	}
}

func (w WAF) validate(c *collector) {
	switch {
	case w.RateLimit < MinRateLimit:
		c.invalidf("frontend.waf.rateLimit", w.RateLimit, fmt.Sprintf("use at least %d (WAF's minimum for a rate-based rule)", MinRateLimit), "%d requests per 5 minutes is below WAF's minimum", w.RateLimit)
	case w.RateLimit > MaxRateLimit:
		c.invalidf("frontend.waf.rateLimit", w.RateLimit, fmt.Sprintf("use at most %d", MaxRateLimit), "%d is above WAF's maximum", w.RateLimit)
	}
	oneOf(c, "frontend.waf.rateAction", w.RateAction, rateActions, "WAF rule action")
	validateCountries(c, "frontend.waf.blockCountries", w.BlockCountries)
	validateCountries(c, "frontend.waf.allowCountries", w.AllowCountries)
	if len(w.BlockCountries) > 0 && len(w.AllowCountries) > 0 {
		c.forbidden("frontend.waf.allowCountries", "cannot be combined with blockCountries", "an allow list already blocks every other country; keep one of the two")
	}
	seen := map[netip.Prefix]bool{}
	for i, s := range w.BlockIPs {
		path := fmt.Sprintf("frontend.waf.blockIps[%d]", i)
		p, err := netip.ParsePrefix(s)
		switch {
		case err != nil:
			c.invalidf(path, s, "use a CIDR block such as 203.0.113.0/24 or 2001:db8::/32", "%q is not a CIDR block", s)
		case p.Masked() != p:
			c.invalidf(path, s, "did you mean "+p.Masked().String()+"?", "%s has host bits set", s)
		case p.Bits() == 0:
			c.forbiddenf(path, "block specific networks", "%s would block every address", s)
		case seen[p]:
			c.invalidf(path, s, "list each block once", "%s is listed twice", s)
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
		c.required(path, "is empty", "use a name such as app."+domain)
	case !isDNSName(name):
		c.invalidf(path, name, "use a lowercase DNS name such as app."+domain, "%q is not a valid DNS name", name)
	case domain == "":
		// the missing domain is reported on its own
	case name == domain:
	case !strings.HasSuffix(name, "."+domain):
		c.invalidf(path, name, "use "+domain+" or a name below it", "%q is outside the configured domain %s", name, domain)
	case strings.Contains(strings.TrimSuffix(name, "."+domain), "."):
		c.invalidf(path, name, "use one label below the domain, e.g. app."+domain, "%q is more than one label below %s, which the *.%s certificate does not cover", name, domain, domain)
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
		c.invalidf(path, len(codes), fmt.Sprintf("use at most %d", maxGeoEntries), "%d countries listed", len(codes))
	}
	seen := map[string]bool{}
	for i, code := range codes {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case !IsCountryCode(code):
			c.invalidf(p, code, "use an ISO 3166-1 alpha-2 code in upper case, e.g. US, MX, DE", "%q is not a country code", code)
		case seen[code]:
			c.invalidf(p, code, "list each country once", "%s is listed twice", code)
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
			c.forbiddenf(ip, valid, "%q would replace the default behavior", p)
		case len(p) > 255 || !re.MatchString(p):
			c.notSupportedf(ip, p, valid, "%q is not a supported path pattern", p)
		case seen[p]:
			c.invalidf(ip, p, "list each pattern once", "%q is listed twice", p)
		}
		seen[p] = true
	}
}

func validateDistDir(c *collector, dir string) {
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		c.invalidf("frontend.distDir", dir, "build the SPA first (npm run build) or remove distDir to deploy from the pipeline", "%q cannot be read: %v", dir, err)
	case !st.IsDir():
		c.invalidf("frontend.distDir", dir, "point it at the build output directory", "%q is not a directory", dir)
	default:
		if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
			c.invalidf("frontend.distDir", dir, "point it at the build output (the directory holding index.html)", "%q has no index.html", dir)
		}
	}
}
