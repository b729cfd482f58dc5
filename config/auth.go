package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Auth configures the Auth component: the Cognito user pool, its SPA app
// client, hosted UI domain and groups.
type Auth struct {
	// MFA is the pool's MFA setting with TOTP authenticator apps: OPTIONAL
	// (each user may enrol; Dhanam's admin does) or ON (every user must).
	// Absent: OPTIONAL.
	MFA string `json:"mfa"`
	// PasswordMinLength is the shortest password accepted, 12..99; every
	// character class is always required. Absent: 12.
	PasswordMinLength int `json:"passwordMinLength"`
	// TemporaryPasswordDays is how long an administrator-issued temporary
	// password stays valid, 1..7. Absent: 7.
	TemporaryPasswordDays int `json:"temporaryPasswordDays"`
	// TokenValidity are the SPA client's token lifetimes. Absent: 15-minute
	// access and ID tokens, 30-day refresh tokens.
	TokenValidity TokenValidity `json:"tokenValidity"`
	// CallbackURLs are where the hosted UI may return a user after sign-in;
	// https only. Absent: [https://app.<domain>/].
	CallbackURLs []string `json:"callbackUrls"`
	// LogoutURLs are where the hosted UI may return a user after sign-out;
	// https only. Absent: [https://app.<domain>/].
	LogoutURLs []string `json:"logoutUrls"`
	// Groups are the user pool groups, highest precedence first.
	// Absent: [admin].
	Groups []string `json:"groups"`
	// AdminGroups are the privileged groups among Groups (issue 15:
	// MFA required for the admin group). Cognito's MFA setting is
	// pool-wide (OFF, OPTIONAL or ON:
	// https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa.html),
	// so with mfa OPTIONAL these groups live in a second pool, the admin
	// pool, with MFA ON (TOTP), sign-up by administrators only, its own
	// public client and prefix domain; the API's authorizer grants them
	// only from that pool's tokens. With mfa ON there is one pool and this
	// must be empty. Absent: [admin] when Groups holds admin and mfa is
	// OPTIONAL, else none.
	AdminGroups []string `json:"adminGroups"`
	// AdminDomainPrefix is the admin pool's hosted UI prefix
	// (<prefix>.auth.<region>.amazoncognito.com). Absent: the domain with
	// dots as dashes, then "-admin".
	AdminDomainPrefix string `json:"adminDomainPrefix"`
	// CustomDomain serves the hosted UI on auth.<domain> with a us-east-1
	// certificate; Cognito requires an A record on the domain itself first
	// (the frontend's apex alias). Absent: false, a Cognito prefix domain.
	CustomDomain bool `json:"customDomain"`
	// DomainPrefix is the hosted UI prefix (<prefix>.auth.<region>.amazoncognito.com)
	// when CustomDomain is false. Absent: the domain with dots as dashes.
	DomainPrefix string `json:"domainPrefix"`
	// SchemaMigration lets a change to the attributes that Cognito fixes at
	// pool creation (schema, username attributes) reach the pool. Such a
	// change replaces the pool and loses every user, so it is ignored unless
	// this is true (and the pool is still protected: docs/decisions.md "The user pool's schema is frozen").
	// Absent: false.
	SchemaMigration bool `json:"schemaMigration"`
}

// TokenValidity are token lifetimes within Cognito's limits.
type TokenValidity struct {
	// AccessMinutes is the access token lifetime, 5..1440. Absent: 15 (the
	// Dhanam guide's JWT_EXPIRES_IN).
	AccessMinutes int `json:"accessMinutes"`
	// IDMinutes is the ID token lifetime, 5..1440. Absent: 15.
	IDMinutes int `json:"idMinutes"`
	// RefreshDays is the refresh token lifetime, 1..3650. Absent: 30 (the
	// Dhanam guide's REFRESH_TOKEN_EXPIRES_IN).
	RefreshDays int `json:"refreshDays"`
}

// Auth defaults and Cognito's limits.
const (
	MFAOptional                  = "OPTIONAL"
	MFAOn                        = "ON"
	DefaultPasswordMinLength     = 12
	DefaultTemporaryPasswordDays = 7
	DefaultAccessTokenMinutes    = 15
	DefaultIDTokenMinutes        = 15
	DefaultRefreshTokenDays      = 30
	DefaultAuthGroup             = "admin"
	maxCognitoURLs               = 100
)

var (
	// groupNameRe is Cognito's group name pattern.
	groupNameRe = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)
	// domainPrefixRe is Cognito's prefix domain pattern.
	domainPrefixRe = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
)

// applyDefaults fills every absent auth setting. domain is the stack's domain.
func (a *Auth) applyDefaults(domain string) {
	if a.MFA == "" {
		a.MFA = MFAOptional
	}
	if a.PasswordMinLength == 0 {
		a.PasswordMinLength = DefaultPasswordMinLength
	}
	if a.TemporaryPasswordDays == 0 {
		a.TemporaryPasswordDays = DefaultTemporaryPasswordDays
	}
	if a.TokenValidity.AccessMinutes == 0 {
		a.TokenValidity.AccessMinutes = DefaultAccessTokenMinutes
	}
	if a.TokenValidity.IDMinutes == 0 {
		a.TokenValidity.IDMinutes = DefaultIDTokenMinutes
	}
	if a.TokenValidity.RefreshDays == 0 {
		a.TokenValidity.RefreshDays = DefaultRefreshTokenDays
	}
	if domain != "" {
		if a.CallbackURLs == nil {
			a.CallbackURLs = []string{"https://app." + domain + "/"}
		}
		if a.LogoutURLs == nil {
			a.LogoutURLs = []string{"https://app." + domain + "/"}
		}
		if a.DomainPrefix == "" && !a.CustomDomain {
			a.DomainPrefix = strings.ReplaceAll(domain, ".", "-")
		}
	}
	if a.Groups == nil {
		a.Groups = []string{DefaultAuthGroup}
	}
	if a.AdminGroups == nil {
		a.AdminGroups = []string{}
		if a.MFA == MFAOptional && contains(a.Groups, DefaultAuthGroup) {
			a.AdminGroups = []string{DefaultAuthGroup}
		}
	}
	if a.AdminDomainPrefix == "" && len(a.AdminGroups) > 0 && domain != "" {
		a.AdminDomainPrefix = strings.ReplaceAll(domain, ".", "-") + "-admin"
	}
}

// HasAdminPool says whether the privileged groups get a pool of their own
// (AdminGroups).
func (a Auth) HasAdminPool() bool { return len(a.AdminGroups) > 0 }

// UserGroups are the groups of the users' pool: Groups without AdminGroups.
func (a Auth) UserGroups() []string {
	var out []string
	for _, g := range a.Groups {
		if !contains(a.AdminGroups, g) {
			out = append(out, g)
		}
	}
	return out
}

// privilegedGroupRe names the groups that must not sign in with one
// factor: any group whose name says admin.
var privilegedGroupRe = regexp.MustCompile(`(?i)admin`)

// validate records every problem of a defaulted auth section.
func (a Auth) validate(c *collector, domain string) {
	switch a.MFA {
	case MFAOptional, MFAOn:
	case "OFF":
		c.forbidden("auth.mfa", "OFF would leave administrators without a second factor", "use OPTIONAL (users may enrol TOTP) or ON")
	default:
		c.notSupportedf("auth.mfa", a.MFA, "use OPTIONAL or ON", "unknown MFA setting %q", a.MFA)
	}
	if a.PasswordMinLength < 12 || a.PasswordMinLength > 99 {
		c.invalidf("auth.passwordMinLength", a.PasswordMinLength, "use 12..99", "%d is outside 12..99", a.PasswordMinLength)
	}
	if a.TemporaryPasswordDays < 1 || a.TemporaryPasswordDays > 7 {
		c.invalidf("auth.temporaryPasswordDays", a.TemporaryPasswordDays, "use 1..7", "%d days is outside 1..7", a.TemporaryPasswordDays)
	}
	tv := a.TokenValidity
	if tv.AccessMinutes < 5 || tv.AccessMinutes > 1440 {
		c.invalidf("auth.tokenValidity.accessMinutes", tv.AccessMinutes, "use 5..1440 (Cognito's limits: 5 minutes to 1 day)", "%d minutes is outside Cognito's limits", tv.AccessMinutes)
	}
	if tv.IDMinutes < 5 || tv.IDMinutes > 1440 {
		c.invalidf("auth.tokenValidity.idMinutes", tv.IDMinutes, "use 5..1440 (Cognito's limits: 5 minutes to 1 day)", "%d minutes is outside Cognito's limits", tv.IDMinutes)
	}
	if tv.RefreshDays < 1 || tv.RefreshDays > 3650 {
		c.invalidf("auth.tokenValidity.refreshDays", tv.RefreshDays, "use 1..3650 (Cognito's limits: 1 day to 10 years)", "%d days is outside Cognito's limits", tv.RefreshDays)
	}
	validateURLs(c, "auth.callbackUrls", a.CallbackURLs)
	validateURLs(c, "auth.logoutUrls", a.LogoutURLs)

	if len(a.Groups) == 0 {
		c.required("auth.groups", "is empty", "list at least the admin group")
	}
	seen := map[string]bool{}
	for i, g := range a.Groups {
		path := fmt.Sprintf("auth.groups[%d]", i)
		switch {
		case utf8.RuneCountInString(g) < 1 || utf8.RuneCountInString(g) > 128 || !groupNameRe.MatchString(g):
			c.invalidf(path, g, "use 1-128 letters, digits or punctuation, without spaces", "%q is not a Cognito group name", g)
		case seen[g]:
			c.invalidf(path, g, "list each group once", "%q is listed twice", g)
		}
		seen[g] = true
	}

	a.validateAdmin(c)

	switch {
	case a.CustomDomain && a.DomainPrefix != "":
		c.forbidden("auth.domainPrefix", "is set but customDomain is true", "the hosted UI is auth."+domain+"; remove domainPrefix or set customDomain to false")
	case !a.CustomDomain && a.DomainPrefix == "" && domain != "":
		c.required("auth.domainPrefix", "is empty", "set a hosted UI prefix such as "+strings.ReplaceAll(domain, ".", "-"))
	case !a.CustomDomain && a.DomainPrefix != "" && !domainPrefixRe.MatchString(a.DomainPrefix):
		c.invalidf("auth.domainPrefix", a.DomainPrefix, "use 1-63 lowercase letters, digits and dashes", "%q is not a Cognito domain prefix", a.DomainPrefix)
	case !a.CustomDomain:
		for _, w := range []string{"aws", "amazon", "cognito"} {
			if strings.Contains(a.DomainPrefix, w) {
				c.forbiddenf("auth.domainPrefix", "choose a prefix without aws, amazon or cognito", "%q contains the reserved word %q", a.DomainPrefix, w)
				break
			}
		}
	}
}

// validateAdmin checks the admin pool's settings: its groups are among
// Groups, every privileged group is in it while the users' pool has MFA
// OPTIONAL, none with MFA ON, and its prefix is a Cognito prefix.
func (a Auth) validateAdmin(c *collector) {
	for i, g := range a.AdminGroups {
		if !contains(a.Groups, g) {
			c.invalidf(fmt.Sprintf("auth.adminGroups[%d]", i), g, "list groups of auth.groups", "%q is not in auth.groups %v", g, a.Groups)
		}
	}
	if a.MFA == MFAOn && len(a.AdminGroups) > 0 {
		c.forbidden("auth.adminGroups", "is set while auth.mfa is ON", "remove adminGroups: with MFA ON every user, admins included, signs in with TOTP in the one pool")
	}
	if a.MFA == MFAOptional {
		for _, g := range a.Groups {
			if privilegedGroupRe.MatchString(g) && !contains(a.AdminGroups, g) {
				c.forbiddenf("auth.adminGroups", "list it in auth.adminGroups (its users move to the admin pool, MFA ON) or set auth.mfa ON",
					"%q would sign in with a password alone in a pool with MFA OPTIONAL", g)
			}
		}
	}
	if !a.HasAdminPool() {
		if a.AdminDomainPrefix != "" {
			c.forbidden("auth.adminDomainPrefix", "is set but there is no admin pool", "remove adminDomainPrefix or list auth.adminGroups")
		}
		return
	}
	switch p := a.AdminDomainPrefix; {
	case !domainPrefixRe.MatchString(p):
		c.invalidf("auth.adminDomainPrefix", p, "use 1-63 lowercase letters, digits and dashes", "%q is not a Cognito domain prefix", p)
	case p == a.DomainPrefix:
		c.invalidf("auth.adminDomainPrefix", p, "choose a prefix other than auth.domainPrefix", "%q is the users' pool's prefix", p)
	default:
		for _, w := range []string{"aws", "amazon", "cognito"} {
			if strings.Contains(p, w) {
				c.forbiddenf("auth.adminDomainPrefix", "choose a prefix without aws, amazon or cognito", "%q contains the reserved word %q", p, w)
				break
			}
		}
	}
}

// validateURLs checks redirect URLs: absolute https, with a host, no fragment.
func validateURLs(c *collector, path string, urls []string) {
	if len(urls) == 0 {
		c.required(path, "is empty", "list at least one https URL of the site")
	}
	if len(urls) > maxCognitoURLs {
		c.invalidf(path, len(urls), fmt.Sprintf("use at most %d", maxCognitoURLs), "%d URLs exceed Cognito's limit", len(urls))
	}
	seen := map[string]bool{}
	for i, raw := range urls {
		p := fmt.Sprintf("%s[%d]", path, i)
		u, err := url.Parse(raw)
		switch {
		case err != nil || u.Host == "":
			c.invalidf(p, raw, "use an absolute URL such as https://app.example.com/", "%q is not an absolute URL", raw)
		case u.Scheme != "https":
			c.invalidf(p, raw, "use https", "%q is not https", raw)
		case u.Fragment != "" || strings.Contains(raw, "#"):
			c.invalidf(p, raw, "remove the #fragment", "%q has a fragment, which OAuth redirect URIs cannot carry", raw)
		case seen[raw]:
			c.invalidf(p, raw, "list each URL once", "%q is listed twice", raw)
		}
		seen[raw] = true
	}
}

// LoadAuth decodes, defaults and validates an `auth` section on its own, as
// Load does within a stack: raw is the section's JSON ("" for absent).
func LoadAuth(project, domain, raw string) (Auth, error) {
	var a Auth
	err := loadSection(project, "auth", raw, &a, func() { a.applyDefaults(domain) }, func(c *collector) { a.validate(c, domain) })
	return a, err
}
