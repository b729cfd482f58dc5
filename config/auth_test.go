package config

import (
	"reflect"
	"strings"
	"testing"
)

func authErrors(domain string, edit func(a *Auth)) Errors {
	var a Auth
	if edit != nil {
		edit(&a)
	}
	a.applyDefaults(domain)
	c := &collector{ns: "dbay"}
	a.validate(c, domain)
	return c.sorted()
}

func TestAuthDefaults(t *testing.T) {
	t.Parallel()
	var a Auth
	a.applyDefaults(testDomain)
	want := Auth{
		MFA:                   "OPTIONAL",
		PasswordMinLength:     12,
		TemporaryPasswordDays: 7,
		TokenValidity:         TokenValidity{AccessMinutes: 15, IDMinutes: 15, RefreshDays: 30},
		CallbackURLs:          []string{"https://app.dbay.example.com/"},
		LogoutURLs:            []string{"https://app.dbay.example.com/"},
		Groups:                []string{"admin"},
		AdminGroups:           []string{"admin"},
		AdminDomainPrefix:     "dbay-example-com-admin",
		DomainPrefix:          "dbay-example-com",
	}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("defaults\n got %+v\nwant %+v", a, want)
	}
	if errs := authErrors(testDomain, nil); len(errs) > 0 {
		t.Errorf("the defaults do not validate: %v", errs)
	}
	on := Auth{MFA: "ON"}
	on.applyDefaults(testDomain)
	if len(on.AdminGroups) != 0 || on.AdminDomainPrefix != "" || on.HasAdminPool() {
		t.Errorf("MFA ON got an admin pool: %+v", on)
	}
	custom := Auth{CustomDomain: true}
	custom.applyDefaults(testDomain)
	if custom.DomainPrefix != "" {
		t.Errorf("a custom domain got a prefix default %q", custom.DomainPrefix)
	}
}

func TestAuthRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(a *Auth)
		want string
	}{
		{"MFA ON", func(a *Auth) { a.MFA = "ON" }, ""},
		{"MFA ON with an admin pool", func(a *Auth) { a.MFA = "ON"; a.AdminGroups = []string{"admin"} }, "auth.adminGroups"},
		{"admin group left in the OPTIONAL pool", func(a *Auth) { a.AdminGroups = []string{} }, "auth.adminGroups"},
		{"an Administrators group too", func(a *Auth) { a.Groups = []string{"admin", "Administrators"} }, "auth.adminGroups"},
		{"both privileged groups in the admin pool", func(a *Auth) {
			a.Groups = []string{"admin", "Administrators", "sellers"}
			a.AdminGroups = []string{"admin", "Administrators"}
		}, ""},
		{"admin group not among the groups", func(a *Auth) { a.AdminGroups = []string{"admin", "root"} }, "auth.adminGroups[1]"},
		{"admin prefix same as the users'", func(a *Auth) { a.AdminDomainPrefix = "dbay-example-com" }, "auth.adminDomainPrefix"},
		{"admin prefix with a reserved word", func(a *Auth) { a.AdminDomainPrefix = "dbay-aws-admin" }, "auth.adminDomainPrefix"},
		{"admin prefix without an admin pool", func(a *Auth) {
			a.Groups = []string{"sellers"}
			a.AdminGroups = []string{}
			a.AdminDomainPrefix = "dbay-staff"
		}, "auth.adminDomainPrefix"},
		{"MFA OFF", func(a *Auth) { a.MFA = "OFF" }, "auth.mfa"},
		{"MFA lower case", func(a *Auth) { a.MFA = "optional" }, "auth.mfa"},

		{"password of 99", func(a *Auth) { a.PasswordMinLength = 99 }, ""},
		{"password of 11", func(a *Auth) { a.PasswordMinLength = 11 }, "auth.passwordMinLength"},
		{"password of 100", func(a *Auth) { a.PasswordMinLength = 100 }, "auth.passwordMinLength"},
		{"temporary password 1 day", func(a *Auth) { a.TemporaryPasswordDays = 1 }, ""},
		{"temporary password 8 days", func(a *Auth) { a.TemporaryPasswordDays = 8 }, "auth.temporaryPasswordDays"},
		{"temporary password negative", func(a *Auth) { a.TemporaryPasswordDays = -1 }, "auth.temporaryPasswordDays"},

		{"token validity at Cognito's edges", func(a *Auth) { a.TokenValidity = TokenValidity{AccessMinutes: 5, IDMinutes: 1440, RefreshDays: 3650} }, ""},
		{"access token of 4 minutes", func(a *Auth) { a.TokenValidity.AccessMinutes = 4 }, "auth.tokenValidity.accessMinutes"},
		{"access token over a day", func(a *Auth) { a.TokenValidity.AccessMinutes = 1441 }, "auth.tokenValidity.accessMinutes"},
		{"ID token over a day", func(a *Auth) { a.TokenValidity.IDMinutes = 2000 }, "auth.tokenValidity.idMinutes"},
		{"refresh token over 10 years", func(a *Auth) { a.TokenValidity.RefreshDays = 3651 }, "auth.tokenValidity.refreshDays"},

		{"https callbacks on two hosts", func(a *Auth) {
			a.CallbackURLs = []string{"https://app.dbay.example.com/callback", "https://dbay.example.com/"}
		}, ""},
		{"http callback", func(a *Auth) {
			a.CallbackURLs = []string{"https://app.dbay.example.com/", "http://app.dbay.example.com/"}
		}, "auth.callbackUrls[1]"},
		{"http localhost callback", func(a *Auth) { a.CallbackURLs = []string{"http://localhost:5173/"} }, "auth.callbackUrls[0]"},
		{"relative callback", func(a *Auth) { a.CallbackURLs = []string{"/callback"} }, "auth.callbackUrls[0]"},
		{"callback with fragment", func(a *Auth) { a.CallbackURLs = []string{"https://app.dbay.example.com/#/cb"} }, "auth.callbackUrls[0]"},
		{"duplicate callback", func(a *Auth) { a.CallbackURLs = []string{"https://a.dbay.example.com/", "https://a.dbay.example.com/"} }, "auth.callbackUrls[1]"},
		{"no callback", func(a *Auth) { a.CallbackURLs = []string{} }, "auth.callbackUrls"},
		{"http logout", func(a *Auth) { a.LogoutURLs = []string{"http://app.dbay.example.com/"} }, "auth.logoutUrls[0]"},

		{"several groups", func(a *Auth) { a.Groups = []string{"admin", "support", "sellers"} }, ""},
		{"group with a space", func(a *Auth) { a.Groups = []string{"admin", "power users"} }, "auth.groups[1]"},
		{"duplicate group", func(a *Auth) { a.Groups = []string{"admin", "admin"} }, "auth.groups[1]"},
		{"no group", func(a *Auth) { a.Groups = []string{} }, "auth.groups"},

		{"custom domain", func(a *Auth) { a.CustomDomain = true }, ""},
		{"custom domain and a prefix", func(a *Auth) {
			a.CustomDomain = true
			a.DomainPrefix = "dbay-login"
		}, "auth.domainPrefix"},
		{"explicit prefix", func(a *Auth) { a.DomainPrefix = "dbay-login" }, ""},
		{"prefix with a reserved word", func(a *Auth) { a.DomainPrefix = "dbay-cognito" }, "auth.domainPrefix"},
		{"prefix with a dot", func(a *Auth) { a.DomainPrefix = "dbay.login" }, "auth.domainPrefix"},

		{"schema migration flag", func(a *Auth) { a.SchemaMigration = true }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertPaths(t, authErrors(testDomain, tt.edit), tt.want)
		})
	}
}

func TestLoadAuthIsStrict(t *testing.T) {
	t.Parallel()
	_, err := LoadAuth("dbay", testDomain, `{"callbackUrls":["http://app.dbay.example.com/"],"tokenValidity":{"accessMinutes":"15"},"mfaa":"ON"}`)
	es, ok := AsErrors(err)
	if !ok {
		t.Fatalf("LoadAuth returned %v, want config.Errors", err)
	}
	var lines []string
	for _, e := range es {
		lines = append(lines, e.Error())
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{
		`dbay:auth.callbackUrls[0]: "http://app.dbay.example.com/" is not https; use https`,
		"dbay:auth.mfaa: unknown key; did you mean mfa?",
		"dbay:auth.tokenValidity.accessMinutes: expected an integer",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in\n%s", want, all)
		}
	}
	a, err := LoadAuth("dbay", testDomain, "")
	if err != nil || a.MFA != "OPTIONAL" || len(a.Groups) != 1 {
		t.Errorf("an absent section = %+v, %v; want the defaults", a, err)
	}
}
