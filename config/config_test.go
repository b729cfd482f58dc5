package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// base is a valid primary-stack config map, as Pulumi hands it to the program.
func base() map[string]string {
	return map[string]string{
		"aws:region":       "us-east-1",
		"dbay:role":        "primary",
		"dbay:environment": "production",
		"dbay:domain":      "dbay.example.com",
		"dbay:tags":        `{"owner":"platform","cost-center":"dbay-prod"}`,
		"dbay:network":     `{"cidr":"10.0.0.0/16","peerCidr":"10.1.0.0/16"}`,
	}
}

func load(t *testing.T, edit func(m map[string]string)) (*Config, Errors) {
	t.Helper()
	m := base()
	if edit != nil {
		edit(m)
	}
	cfg, err := Load(Source{Project: "dbay", Stack: "test", Values: m})
	if err == nil {
		return cfg, nil
	}
	es, ok := AsErrors(err)
	if !ok {
		t.Fatalf("Load returned %T, want config.Errors: %v", err, err)
	}
	return nil, es
}

func TestLoadValidBaseAppliesDefaults(t *testing.T) {
	t.Parallel()
	cfg, errs := load(t, nil)
	if errs != nil {
		t.Fatalf("base config rejected:\n%v", errs)
	}
	n := cfg.Network
	if n.AZCount != 3 || n.NATGateways != NATPerAZ || n.Subnets != (SubnetMasks{24, 19, 24}) || n.FlowLogs.RetentionDays != 365 {
		t.Errorf("defaults not applied: %+v", n)
	}
	if got := len(n.Endpoints.Interface()); got != 6 || !n.Endpoints.GatewayS3() {
		t.Errorf("all endpoints should default on, got %d interface endpoints, s3=%v", got, n.Endpoints.GatewayS3())
	}
	if cfg.Region != "us-east-1" || cfg.Partition() != "aws" {
		t.Errorf("region/partition = %s/%s", cfg.Region, cfg.Partition())
	}
}

func TestRecoveryRoleDefaultsToSingleNAT(t *testing.T) {
	t.Parallel()
	cfg, errs := load(t, func(m map[string]string) {
		m["dbay:role"] = "recovery"
		m["dbay:dr"] = `{"primaryStack":"organization/dbay/prod","primaryRegion":"us-west-2"}`
	})
	if errs != nil {
		t.Fatal(errs)
	}
	if cfg.Network.NATGateways != NATSingle {
		t.Errorf("recovery NAT = %q, want single", cfg.Network.NATGateways)
	}
	cfg, errs = load(t, func(m map[string]string) {
		m["dbay:role"] = "recovery"
		m["dbay:dr"] = `{"primaryStack":"organization/dbay/prod","primaryRegion":"us-west-2"}`
		m["dbay:network"] = `{"cidr":"10.1.0.0/16","natGateways":"perAz"}`
	})
	if errs != nil {
		t.Fatal(errs)
	}
	if cfg.Network.NATGateways != NATPerAZ {
		t.Errorf("explicit perAz in recovery = %q, want perAz", cfg.Network.NATGateways)
	}
}

// Every rule has a failing case here; the base config is the passing case,
// and the "ok" rows pass values at the edge of each rule.
func TestLoadRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(m map[string]string)
		want []at // each must be among the errors; nil: must pass
	}{
		{"unknown top-level key suggests the closest", func(m map[string]string) {
			m["dbay:netwrok"] = `{}`
		}, []at{{"dbay:netwrok", KindUnknown}}},
		{"unknown top-level key without a close match lists the keys", func(m map[string]string) {
			m["dbay:zzzzzz"] = "x"
		}, []at{{"dbay:zzzzzz", KindUnknown}}},
		{"unknown nested key", func(m map[string]string) {
			m["dbay:network"] = `{"cidr":"10.0.0.0/16","azCuont":3}`
		}, []at{{"dbay:network.azCuont", KindUnknown}}},
		{"legacy key form is understood", func(m map[string]string) {
			m["dbay:config:domain"] = m["dbay:domain"]
			delete(m, "dbay:domain")
		}, nil},
		{"other namespaces are ignored", func(m map[string]string) { m["aws:profile"] = "prod" }, nil},
		{"wrong type names the path", func(m map[string]string) {
			m["dbay:network"] = `{"cidr":"10.0.0.0/16","azCount":"three"}`
		}, []at{{"dbay:network.azCount", KindInvalid}}},
		{"non-integer number", func(m map[string]string) {
			m["dbay:network"] = `{"cidr":"10.0.0.0/16","azCount":2.5}`
		}, []at{{"dbay:network.azCount", KindInvalid}}},
		{"section that is not an object", func(m map[string]string) { m["dbay:network"] = "10.0.0.0/16" },
			[]at{{"dbay:network", KindInvalid}}},
		{"bool for a bool", func(m map[string]string) {
			m["dbay:network"] = `{"cidr":"10.0.0.0/16","endpoints":{"sts":"no"}}`
		}, []at{{"dbay:network.endpoints.sts", KindInvalid}}},
		{"missing role", func(m map[string]string) { delete(m, "dbay:role") },
			[]at{{"dbay:role", KindRequired}}},
		{"unknown role", func(m map[string]string) { m["dbay:role"] = "secondary" },
			[]at{{"dbay:role", KindNotSupported}}},
		{"missing region", func(m map[string]string) { delete(m, "aws:region") },
			[]at{{"aws:region", KindRequired}}},
		{"region not an AWS region", func(m map[string]string) { m["aws:region"] = "us-middle-1" },
			[]at{{"aws:region", KindInvalid}}},
		{"empty domain", func(m map[string]string) { m["dbay:domain"] = "" },
			[]at{{"dbay:domain", KindRequired}}},
		{"bad domain", func(m map[string]string) { m["dbay:domain"] = "-dbay.com" },
			[]at{{"dbay:domain", KindInvalid}}},
		{"single-label domain", func(m map[string]string) { m["dbay:domain"] = "localhost" },
			[]at{{"dbay:domain", KindInvalid}}},
		{"bad environment", func(m map[string]string) { m["dbay:environment"] = "Prod" },
			[]at{{"dbay:environment", KindInvalid}}},
		{"missing environment", func(m map[string]string) { delete(m, "dbay:environment") },
			[]at{{"dbay:environment", KindRequired}}},
		{"required tags", func(m map[string]string) { m["dbay:tags"] = `{"owner":"platform"}` },
			[]at{{"dbay:tags.cost-center", KindRequired}}},
		{"reserved tag", func(m map[string]string) {
			m["dbay:tags"] = `{"owner":"p","cost-center":"c","stack":"x"}`
		}, []at{{"dbay:tags.stack", KindForbidden}}},
		{"aws: tag prefix", func(m map[string]string) {
			m["dbay:tags"] = `{"owner":"p","cost-center":"c","aws:foo":"x"}`
		}, []at{{"dbay:tags.aws:foo", KindForbidden}}},
		{"missing cidr", func(m map[string]string) { m["dbay:network"] = `{}` },
			[]at{{"dbay:network.cidr", KindRequired}}},
		{"malformed cidr", func(m map[string]string) { m["dbay:network"] = `{"cidr":"10.0.0/16"}` },
			[]at{{"dbay:network.cidr", KindInvalid}}},
		{"cidr with host bits", func(m map[string]string) { m["dbay:network"] = `{"cidr":"10.0.1.0/16"}` },
			[]at{{"dbay:network.cidr", KindInvalid}}},
		{"cidr too large", func(m map[string]string) { m["dbay:network"] = `{"cidr":"10.0.0.0/8"}` },
			[]at{{"dbay:network.cidr", KindInvalid}}},
		{"public cidr", func(m map[string]string) { m["dbay:network"] = `{"cidr":"52.0.0.0/16"}` },
			[]at{{"dbay:network.cidr", KindInvalid}}},
		{"overlap with the peer stack", func(m map[string]string) {
			m["dbay:network"] = `{"cidr":"10.0.0.0/16","peerCidr":"10.0.128.0/17"}`
		}, []at{{"dbay:network.cidr", KindInvalid}}},
		{"malformed peer cidr", func(m map[string]string) {
			m["dbay:network"] = `{"cidr":"10.0.0.0/16","peerCidr":"ten"}`
		}, []at{{"dbay:network.peerCidr", KindInvalid}}},
		{"az count 1", func(m map[string]string) { m["dbay:network"] = `{"cidr":"10.0.0.0/16","azCount":1}` },
			[]at{{"dbay:network.azCount", KindInvalid}}},
		{"az count 7", func(m map[string]string) { m["dbay:network"] = `{"cidr":"10.0.0.0/16","azCount":7}` },
			[]at{{"dbay:network.azCount", KindInvalid}}},
		{"az count 2 and 6 are fine", func(m map[string]string) {
			m["dbay:network"] = `{"cidr":"10.0.0.0/16","azCount":6}`
			m["dbay:tags"] = `{"owner":"p","cost-center":"c"}`
		}, nil},
		{"nat strategy", func(m map[string]string) { m["dbay:network"] = `{"cidr":"10.0.0.0/16","natGateways":"none"}` },
			[]at{{"dbay:network.natGateways", KindNotSupported}}},
		{"subnets cannot fit the AZs", func(m map[string]string) {
			m["dbay:network"] = `{"cidr":"10.0.0.0/18","azCount":3}`
		}, []at{{"dbay:network.subnets", KindInvalid}}},
		{"smaller subnets fit a small VPC", func(m map[string]string) {
			m["dbay:network"] = `{"cidr":"10.0.0.0/20","azCount":2,"subnets":{"private":22,"public":26,"isolated":26}}`
		}, nil},
		{"subnet mask out of range", func(m map[string]string) {
			m["dbay:network"] = `{"cidr":"10.0.0.0/16","subnets":{"public":30}}`
		}, []at{{"dbay:network.subnets.public", KindInvalid}}},
		{"subnet larger than the VPC", func(m map[string]string) {
			m["dbay:network"] = `{"cidr":"10.0.0.0/20","subnets":{"private":18}}`
		}, []at{{"dbay:network.subnets.private", KindInvalid}}},
		{"flow log retention", func(m map[string]string) {
			m["dbay:network"] = `{"cidr":"10.0.0.0/16","flowLogs":{"retentionDays":100}}`
		}, []at{{"dbay:network.flowLogs.retentionDays", KindInvalid}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errs := load(t, tt.edit)
			wantFieldErrors(t, errs, tt.want)
		})
	}
}

// TestErrorSentences checks how errors print: namespace, path, problem
// naming the value, and what would be valid (TestLoadRules asserts the
// path and kind of every rule).
func TestErrorSentences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(m map[string]string)
		want []string // each must appear as a whole error line; nil: must pass
	}{
		{"unknown top-level key suggests the closest", func(m map[string]string) {
			m["dbay:netwrok"] = `{}`
		}, []string{"dbay:netwrok: unknown key; did you mean network?"}},
		{"unknown top-level key without a close match lists the keys", func(m map[string]string) {
			m["dbay:zzzzzz"] = "x"
		}, []string{"dbay:zzzzzz: unknown key; valid keys are auth, cost, data, domain, dr, drRegion, environment, fleet, frontend, monitoring, network, policy, protect, role, secretValues, secrets, security, serverless, tags"}},
		{"unknown nested key", func(m map[string]string) {
			m["dbay:network"] = `{"cidr":"10.0.0.0/16","azCuont":3}`
		}, []string{"dbay:network.azCuont: unknown key; did you mean azCount?"}},
		{"wrong type names the path", func(m map[string]string) {
			m["dbay:network"] = `{"cidr":"10.0.0.0/16","azCount":"three"}`
		}, []string{`dbay:network.azCount: expected an integer, got string "three"; expected a whole number`}},
		{"section that is not an object", func(m map[string]string) { m["dbay:network"] = "10.0.0.0/16" },
			[]string{`dbay:network: expected an object, got "10.0.0.0/16"; set it as a YAML object in the stack file`}},
		{"missing role", func(m map[string]string) { delete(m, "dbay:role") },
			[]string{"dbay:role: is required; set primary or recovery"}},
		{"unknown role", func(m map[string]string) { m["dbay:role"] = "secondary" },
			[]string{`dbay:role: unknown role "secondary"; use primary or recovery`}},
		{"missing region", func(m map[string]string) { delete(m, "aws:region") },
			[]string{"aws:region: is required; set it with `pulumi config set aws:region us-east-1`"}},
		{"bad domain", func(m map[string]string) { m["dbay:domain"] = "-dbay.com" },
			[]string{`dbay:domain: "-dbay.com" is not a valid DNS name; use a lowercase DNS name of two or more labels, e.g. dbay.example.com`}},
		{"reserved tag", func(m map[string]string) {
			m["dbay:tags"] = `{"owner":"p","cost-center":"c","stack":"x"}`
		}, []string{"dbay:tags.stack: is set by the program on every resource; remove it from tags"}},
		{"az count 7", func(m map[string]string) { m["dbay:network"] = `{"cidr":"10.0.0.0/16","azCount":7}` },
			[]string{"dbay:network.azCount: 7 is outside 2..6; use 2, 3, 4, 5 or 6"}},
		{"subnets cannot fit the AZs", func(m map[string]string) {
			m["dbay:network"] = `{"cidr":"10.0.0.0/18","azCount":3}`
		}, []string{"dbay:network.subnets: 3 AZs of /19 private, /24 public and /24 isolated subnets need 26112 addresses, but 10.0.0.0/18 holds 16384; use a larger network.cidr, smaller subnets or fewer AZs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errs := load(t, tt.edit)
			if tt.want == nil {
				if errs != nil {
					t.Fatalf("want no error, got:\n%v", errs)
				}
				return
			}
			if errs == nil {
				t.Fatalf("want errors %q, config was accepted", tt.want)
			}
			lines := strings.Split(errs.Error(), "\n")
			for _, w := range tt.want {
				found := false
				for _, l := range lines {
					found = found || l == w
				}
				if !found {
					t.Errorf("missing error line\n  want: %s\n  got:  %s", w, strings.Join(lines, "\n        "))
				}
			}
		})
	}
}

// All problems come back at once, sorted by path, and a decode error is not
// reported again by validation.
func TestLoadReportsEverythingAtOnce(t *testing.T) {
	t.Parallel()
	_, errs := load(t, func(m map[string]string) {
		m["aws:region"] = "mars-1"
		m["dbay:role"] = "boss"
		m["dbay:domain"] = ""
		m["dbay:netwrok"] = "{}"
		m["dbay:network"] = `{"cidr":"300.0.0.0/16","azCount":"x"}`
	})
	var paths []string
	for _, e := range errs {
		paths = append(paths, e.Namespace+":"+e.Path)
	}
	want := []string{"aws:region", "dbay:domain", "dbay:network.azCount", "dbay:network.cidr", "dbay:netwrok", "dbay:role"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("error paths = %v, want %v\n%v", paths, want, errs)
	}
	var fe *FieldError
	if !errors.As(error(errs), &fe) {
		t.Error("errors.As cannot find a FieldError in Errors")
	}
}

func TestSecretKeysAreRedacted(t *testing.T) {
	t.Parallel()
	cfg, err := Load(Source{Project: "dbay", Stack: "t", Values: base(), SecretKeys: []string{"dbay:domain"}})
	if err != nil {
		t.Fatal(err)
	}
	red := cfg.Redacted()
	if red["domain"] != "[secret]" || !cfg.IsSecret("domain") {
		t.Errorf("secret domain rendered as %v", red["domain"])
	}
	if red["role"] != "primary" || red["region"] != "us-east-1" {
		t.Errorf("plain values changed: %v", red)
	}
}

func TestLayout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n    Network
		want SubnetLayout
	}{
		{Network{CIDR: "10.0.0.0/16", AZCount: 3, Subnets: SubnetMasks{Public: 24, Private: 19, Isolated: 24}}, SubnetLayout{
			TierPrivate:  {"10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"},
			TierPublic:   {"10.0.96.0/24", "10.0.97.0/24", "10.0.98.0/24"},
			TierIsolated: {"10.0.99.0/24", "10.0.100.0/24", "10.0.101.0/24"},
		}},
		{Network{CIDR: "10.1.0.0/16", AZCount: 2, Subnets: SubnetMasks{Public: 20, Private: 18, Isolated: 22}}, SubnetLayout{
			TierPrivate:  {"10.1.0.0/18", "10.1.64.0/18"},
			TierPublic:   {"10.1.128.0/20", "10.1.144.0/20"},
			TierIsolated: {"10.1.160.0/22", "10.1.164.0/22"},
		}},
	}
	for _, tt := range tests {
		got, err := tt.n.Layout()
		if err != nil {
			t.Fatalf("%s: %v", tt.n.CIDR, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s layout\n got %v\nwant %v", tt.n.CIDR, got, tt.want)
		}
	}
	if _, err := (Network{CIDR: "10.0.0.0/24", AZCount: 3, Subnets: SubnetMasks{24, 24, 24}}).Layout(); err == nil {
		t.Error("three /24 tiers over 3 AZs cannot fit a /24, Layout accepted it")
	}
}

func TestKnownKeysCoverEverySection(t *testing.T) {
	t.Parallel()
	got := KnownKeys("dhanam")
	want := []string{"aws:region", "dhanam:auth", "dhanam:cost", "dhanam:data", "dhanam:domain", "dhanam:dr", "dhanam:drRegion", "dhanam:environment", "dhanam:fleet", "dhanam:frontend", "dhanam:monitoring", "dhanam:network", "dhanam:policy", "dhanam:protect", "dhanam:role", "dhanam:secretValues", "dhanam:secrets", "dhanam:security", "dhanam:serverless", "dhanam:tags"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("KnownKeys = %v, want %v", got, want)
	}
}
