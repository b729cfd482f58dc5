package config

import (
	"net/netip"
	"regexp"
	"strings"
)

var (
	environmentRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
	dnsLabelRe    = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// reservedTags are set by the program on every resource; config cannot override them.
var reservedTags = []string{"project", "stack", "role", "environment"}

// requiredTags must be given in `tags`.
var requiredTags = []string{"owner", "cost-center"}

// validate records every problem of a defaulted Config.
func (cfg *Config) validate(c *collector) {
	switch cfg.Role {
	case RolePrimary, RoleRecovery:
	case "":
		c.required("role", "is required", "set primary or recovery")
	default:
		c.notSupportedf("role", string(cfg.Role), "use primary or recovery", "unknown role %q", cfg.Role)
	}
	switch {
	case cfg.Environment == "":
		c.required("environment", "is required", "set a lowercase name such as production")
	case !environmentRe.MatchString(cfg.Environment):
		c.invalidf("environment", cfg.Environment, "use 1-32 lowercase letters, digits and dashes, starting with a letter", "%q is not a valid environment name", cfg.Environment)
	}
	validateRegion(cfg.Region, c)
	if cfg.DRRegion != "" {
		switch {
		case !IsAWSRegion(cfg.DRRegion):
			c.invalidf("drRegion", cfg.DRRegion, "use an AWS region such as us-west-2", "%q is not an AWS region", cfg.DRRegion)
		case cfg.DRRegion == cfg.Region:
			c.invalid("drRegion", cfg.DRRegion, "is the stack's own region", "recover into another region")
		}
	}
	validateDomain(cfg.Domain, c)
	validateTags(cfg.Tags, c)
	cfg.Network.validate(c)
	cfg.Secrets.validate(c, cfg.SecretValues, cfg.secretKeys["secretValues"], cfg.Region, cfg.Principals())
	cfg.Data.validate(c, cfg.Network.AZCount)
	cfg.Monitoring.validate(c, cfg.Region)
	cfg.Policy.validate(c)
	cfg.Cost.validate(c)
	cfg.Security.validate(c, cfg.Role, cfg.watchedSecrets(), cfg.Policy.waives(BaselineRuleID))
	cfg.validateDR(c)
	cfg.validateServiceUsers(c)
	cfg.validateRedisUsers(c)
	cfg.validateDocumentDBUsers(c)
	if ses := cfg.Data.SES; ses != nil && ses.SMTPCredentials {
		for _, v := range []string{SMTPUserVariable, SMTPPassVariable} {
			if _, typed := cfg.Secrets.Items[v]; typed {
				c.forbiddenf("secrets.items."+v, "remove it: services get it with uses: ["+UseSESSMTP+"]",
					"%s is owned by the program (data.ses.smtpCredentials: SES SMTP credentials derived for this stack's Region)", v)
			}
		}
	}
	if cfg.Fleet != nil {
		cfg.Fleet.validate(c, cfg.Domain, withKeys(cfg.Data.UsableStores(), cfg.Secrets.UsableKeys()), cfg.Secrets.Items)
	}
	if cfg.Serverless != nil {
		cfg.Serverless.validate(c, ServerlessScope{Stores: cfg.Data.UsableStores(), Services: cfg.Fleet.ServiceNames(),
			Secrets: cfg.Secrets.Items, HasZone: cfg.Frontend != nil || cfg.Role == RoleRecovery,
			Region: cfg.Region, PrimaryRegion: cfg.DR.PrimaryRegion})
	}
	cfg.validateBusCoverage(c)
	cfg.validateConnectionBudget(c)
	if cfg.Frontend != nil {
		cfg.Frontend.validate(c, cfg.Domain)
	}
	if cfg.Auth != nil {
		cfg.Auth.validate(c, cfg.Domain)
		if cfg.Auth.CustomDomain && cfg.Frontend == nil {
			c.required("auth.customDomain", "needs a frontend section: the hosted zone and the apex record come from it", "add frontend or set customDomain false")
		}
	}
}

func validateRegion(region string, c *collector) {
	aws := &collector{ns: "aws"}
	switch {
	case region == "":
		aws.required("region", "is required", "set it with `pulumi config set aws:region us-east-1`")
	case !IsAWSRegion(region):
		aws.invalidf("region", region, "use an AWS region name such as us-east-1 or us-west-2", "%q is not an AWS region", region)
	}
	c.errs = append(c.errs, aws.errs...)
}

func validateDomain(domain string, c *collector) {
	if domain == "" {
		c.required("domain", "is required", "set the apex DNS name the stack serves, e.g. dbay.example.com")
		return
	}
	labels := strings.Split(domain, ".")
	bad := len(domain) > 253 || len(labels) < 2
	for _, l := range labels {
		if !dnsLabelRe.MatchString(l) {
			bad = true
		}
	}
	if bad {
		c.invalidf("domain", domain, "use a lowercase DNS name of two or more labels, e.g. dbay.example.com", "%q is not a valid DNS name", domain)
	}
}

func validateTags(tags map[string]string, c *collector) {
	for _, k := range reservedTags {
		if _, ok := tags[k]; ok {
			c.forbidden("tags."+k, "is set by the program on every resource", "remove it from tags")
		}
	}
	for _, k := range requiredTags {
		if strings.TrimSpace(tags[k]) == "" {
			c.required("tags."+k, "is required", "every resource carries owner and cost-center tags")
		}
	}
	for k, v := range tags {
		switch {
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			c.forbidden("tags."+k, "tag keys starting with aws: are reserved by AWS", "choose another key")
		case len(k) > 128:
			c.invalidf("tags."+k, k, "use at most 128 characters", "the key is %d characters long", len(k))
		case len(v) > 256:
			c.invalidf("tags."+k, v, "use at most 256 characters", "the value is %d characters long", len(v))
		}
	}
}

// parseCIDR parses an IPv4 CIDR, requiring it to be given as its network address.
func parseCIDR(path, s string, required bool, c *collector) (netip.Prefix, bool) {
	if s == "" {
		if required {
			c.required(path, "is required", "set an IPv4 block such as 10.0.0.0/16")
		}
		return netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		c.invalidf(path, s, "use an IPv4 block such as 10.0.0.0/16", "%q is not an IPv4 CIDR block", s)
		return netip.Prefix{}, false
	}
	if p.Masked() != p {
		c.invalidf(path, s, "did you mean "+p.Masked().String()+"?", "%s has host bits set", s)
		return netip.Prefix{}, false
	}
	return p, true
}

var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
}

func isPrivate(p netip.Prefix) bool {
	for _, r := range privateRanges {
		if r.Bits() <= p.Bits() && r.Contains(p.Addr()) {
			return true
		}
	}
	return false
}
