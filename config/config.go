// Package config is the typed stack configuration of the program.
//
// Every key lives in the project's namespace (`dbay:` for DBay, `dhanam:` for
// Dhanam Ledger) except the region, which is the AWS provider's `aws:region`.
// Loading is strict and happens before any resource is registered: unknown
// keys, wrong types and invalid values are all reported at once, each naming
// its key path. Defaults are applied in one place (defaults.go), apart from
// validation (validate.go).
//
// A later component adds its section by adding a field to Config (with a
// json tag: that is its key), a defaults function and a validate function.
package config

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
)

// Role is what a stack builds: the primary region or the recovery region.
type Role string

const (
	RolePrimary  Role = "primary"
	RoleRecovery Role = "recovery"
)

// Config is a stack's validated configuration.
type Config struct {
	// Project is the Pulumi project name and the config namespace ("dbay").
	Project string `json:"-"`
	// Stack is the Pulumi stack name ("prod", "dr").
	Stack string `json:"-"`
	// Region is `aws:region`, the region every regional resource lives in. Required.
	Region string `json:"-"`

	// Role is `primary` or `recovery`. Required.
	Role Role `json:"role"`
	// Environment names the deployment ("production"); it becomes the
	// `environment` tag. Required: lowercase letters, digits and dashes.
	Environment string `json:"environment"`
	// DRRegion is the recovery region of a primary stack: secrets replicate
	// there, backups are copied there and ECR replicates there unless their
	// sections say otherwise. Absent: no DR region.
	DRRegion string `json:"drRegion"`
	// Domain is the apex DNS name the stack serves ("dbay.example.com"). Required.
	Domain string `json:"domain"`
	// Tags are added to every taggable resource next to project, stack, role
	// and environment. Required: with at least `owner` and `cost-center`.
	Tags map[string]string `json:"tags"`
	// Network configures the VPC. Its `cidr` is required.
	Network Network `json:"network"`
	// Protect marks every stateful resource (databases, caches, search,
	// buckets, keys, secrets, user pools) `protect` and turns on deletion
	// protection. Absent: true; only throwaway stacks set false.
	Protect *bool `json:"protect"`
	// Secrets declares the stack's Secrets Manager secrets. Absent: no
	// secrets.
	Secrets Secrets `json:"secrets"`
	// SecretValues holds the values of `source: config` secrets, by name.
	// Set each with `pulumi config set --secret --path 'secretValues.NAME'`.
	// Absent: none (a `source: config` secret without its value is an error).
	SecretValues map[string]string `json:"secretValues"`
	// Data configures the stores of the DataLayer component. Absent: no
	// stores.
	Data Data `json:"data"`
	// Fleet configures the ServiceFleet: the services, their runtime and the
	// load balancer. Absent: no services in this stack.
	Fleet *Fleet `json:"fleet"`
	// Serverless configures the Lambdas, workflows, rules, schedules and the
	// HTTP and WebSocket APIs. Absent: no functions or APIs.
	Serverless *Serverless `json:"serverless"`
	// Frontend configures the site, CDN, WAF and DNS. Absent: none in this stack.
	Frontend *Frontend `json:"frontend"`
	// Auth configures Cognito. Absent: no user pool (Dhanam has its own JWT auth).
	Auth *Auth `json:"auth"`
	// Monitoring configures alerts, alarms, the dashboard and backups.
	// Absent: no subscribers, every alarm at its default, AWS Backup on.
	Monitoring Monitoring `json:"monitoring"`
	// DR is the recovery objective (RPO/RTO) and, in a recovery stack, the
	// primary it recovers. Absent: RPO 1h, RTO 4h.
	DR DR `json:"dr"`
	// Policy holds the waivers of the policy pack (`synth --policy`), each
	// with its written reason. Absent: no waivers.
	Policy Policy `json:"policy"`
	// Security says who provides CloudTrail, GuardDuty, Security Hub and
	// Access Analyzer, and where the trail this stack alarms on delivers.
	// Absent: the stack creates them (baseline: stack).
	Security Security `json:"security"`
	// Cost overrides the usage assumptions of the synth cost estimate.
	// Absent: the defaults.
	Cost Cost `json:"cost"`

	// secretKeys lists the top-level keys whose value was set with --secret.
	secretKeys map[string]bool
	// full is the configuration as written, when this is its StandbyView.
	full *Config
}

// Protected reports whether stateful resources are protected.
func (c *Config) Protected() bool { return c.Protect == nil || *c.Protect }

// Passive reports whether the stack is a recovery stack on standby (fleet
// standby pilot or warm): it holds replicas and zero or minimum capacity
// while the primary does the work, so its schedules and bus rules are
// created disabled; the failover runbook's `standby: active` enables them.
func (c *Config) Passive() bool {
	return c.Role == RoleRecovery && (c.Fleet == nil || c.Fleet.Standby != StandbyActive)
}

// Quiet reports whether the stack's schedules and bus rules are created
// disabled: a recovery stack on standby (Passive) or a fenced primary
// (dr.fenced).
func (c *Config) Quiet() bool { return c.Passive() || c.Fenced() }

// SwitchOn reports whether this stack's publisher on the failover switch
// sends 1 (Route 53 answers from the recovery Region): a recovery stack
// made active (fleet.standby: active) or a fenced primary.
func (c *Config) SwitchOn() bool {
	return c.Fenced() || c.Role == RoleRecovery && !c.Passive()
}

// Principals are the names of the services and functions the stack
// declares: the grantees a single-reader secret may name. The sections that
// declare roles (fleet services, serverless functions) add theirs here.
func (c *Config) Principals() map[string]bool {
	out := map[string]bool{}
	if c.Fleet != nil {
		for _, p := range c.Fleet.principals() {
			out[p] = true
		}
	}
	for p := range c.Serverless.Principals() {
		out[p] = true
	}
	return out
}

// Partition is the AWS partition of the stack's region.
func (c *Config) Partition() string { return PartitionOf(c.Region) }

// IsSecret reports whether the top-level key (without namespace) was set as a secret.
func (c *Config) IsSecret(key string) bool { return c.secretKeys[key] }

// Redacted renders the configuration as plain values for reports: every
// top-level key set as a secret is replaced by "[secret]".
func (c *Config) Redacted() map[string]any {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // plain structs always marshal
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	for k := range out {
		if c.secretKeys[k] {
			out[k] = "[secret]"
		}
	}
	out["region"] = c.Region
	return out
}

// Source is where configuration comes from: the run's config map.
type Source struct {
	Project    string            // namespace of the program's own keys
	Stack      string            // stack name
	Values     map[string]string // "ns:key" -> value; structured values as JSON
	SecretKeys []string          // "ns:key" of values set with --secret
}

// Load decodes, defaults and validates a stack's configuration. The error,
// when not nil, is an Errors holding every problem found.
func Load(src Source) (*Config, error) {
	c := &collector{ns: src.Project}
	cfg := &Config{Project: src.Project, Stack: src.Stack, secretKeys: map[string]bool{}}

	secret := map[string]bool{}
	for _, k := range src.SecretKeys {
		secret[normalizeKey(k)] = true
	}
	root := reflect.ValueOf(cfg).Elem()
	fields := structFields(root.Type())
	keys := make([]string, 0, len(src.Values))
	values := map[string]string{}
	for k, v := range src.Values {
		nk := normalizeKey(k)
		keys = append(keys, nk)
		values[nk] = v
	}
	sort.Strings(keys)
	for _, full := range keys {
		ns, key, ok := strings.Cut(full, ":")
		if !ok {
			continue
		}
		switch ns {
		case "aws":
			if key == "region" {
				cfg.Region = values[full]
			}
		case src.Project:
			idx, known := fields[key]
			if !known {
				c.unknown(key, "unknown key", suggest(key, structKeys(root.Type())))
				continue
			}
			decodeTopLevel(c, key, values[full], root.Field(idx))
			if secret[full] {
				cfg.secretKeys[key] = true
			}
		}
	}
	cfg.applyDefaults()
	v := &collector{ns: src.Project}
	cfg.validate(v)
	c.merge(v)
	if len(c.errs) > 0 {
		return nil, c.sorted()
	}
	return cfg, nil
}

// normalizeKey turns the legacy "ns:config:key" form into "ns:key".
func normalizeKey(k string) string {
	if ns, rest, ok := strings.Cut(k, ":config:"); ok {
		return ns + ":" + rest
	}
	return k
}

// KnownKeys lists every key the program reads for a project namespace:
// aws:region and each top-level section.
func KnownKeys(project string) []string {
	keys := []string{"aws:region"}
	for _, k := range structKeys(reflect.TypeOf(Config{})) {
		keys = append(keys, project+":"+k)
	}
	return keys
}
