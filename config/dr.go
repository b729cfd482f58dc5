package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/dbay/infra/dr"
)

// DR is the `dr` section: the recovery objective every stateful store must
// meet, and, in a recovery stack, which primary stack it recovers.
type DR struct {
	// RPO is the most data, in time, a failover may lose, as a Go duration
	// ("1h"). Absent: 1h (Dhanam "Disaster Recovery").
	RPO string `json:"rpo"`
	// RTO is the longest a failover may take ("4h"). Absent: 4h.
	RTO string `json:"rto"`
	// PrimaryStack is the fully qualified primary stack whose replicated
	// contract the recovery stack reads in its own Region
	// (stacks.ReadContract; "organization/dbay/prod"). Required
	// in a recovery stack; not allowed in a primary.
	PrimaryStack string `json:"primaryStack"`
	// PrimaryRegion is the primary stack's region (us-east-1): it must
	// differ from the recovery stack's own. Required in a recovery stack.
	PrimaryRegion string `json:"primaryRegion"`
	// Accept names a kind of store (userpool) whose mechanism cannot meet
	// the policy, with the written reason the risk is accepted; the DR
	// table prints it. Kinds: postgres, documentdb, redis, opensearch,
	// bucket, secret, images, userpool. Absent: none (a store that cannot
	// meet the RPO or RTO is an error).
	Accept map[string]string `json:"accept"`
	// ReportingReplicas, in a recovery stack, are the PostgreSQL read
	// replicas (by purpose, as the primary's data.postgres.readReplicas)
	// built once the stack is active (fleet.standby active: the failover's
	// scale-up step, after the promotion), so dashboards and analytics do
	// not load the promoted writer. Never built on standby: a replica of
	// the pilot light would cost as much as the primary's and serve no one.
	// Absent: none.
	ReportingReplicas []string `json:"reportingReplicas"`
	// CostBudget is the most the recovery stack may cost a month, as a
	// percentage of the primary's (1..100), by the program's cost model
	// (internal/cost): synth --policy fails above it. Absent: 25.
	CostBudget *float64 `json:"costBudget"`
	// Classes overrides the catalog's data class of a kind of store
	// (dr.Classes): opensearch and memcached are derived (built only at
	// failover) unless declared source-of-truth (kept on standby); redis is
	// ephemeral or source-of-truth (its Global Datastore stays either way).
	// Absent: the catalog's.
	Classes map[string]string `json:"classes"`
	// Standby sizes the recovery stack's stores while it is on standby
	// (dr_standby.go). Recovery stacks only. Absent: the replica on
	// data.postgres.instanceClass, interface endpoints built.
	Standby DRStandby `json:"standby"`
	// Rebuild states the assumptions of the derived stores' rebuild time.
	// Recovery stacks only. Absent: the cited index rate, and no search
	// data size (an error when opensearch is derived).
	Rebuild DRRebuild `json:"rebuild"`
	// Fenced, in a primary with a drRegion, stops the primary's writers
	// after a failover, as configuration rather than by hand (docs/dr.md
	// "Fencing by config"): every ECS scaling target
	// pinned to 0 (EKS: Deployments at 0 replicas, no autoscaler), every
	// function's reserved concurrency 0, schedules and bus rules DISABLED,
	// and the primary's publisher on the failover switch sends 1, so
	// Route 53 answers from the recovery Region. The failover workflow
	// commits it to Pulumi.<primary>.yaml so a later `pulumi up` (or
	// `pulumi up --refresh`) of the primary keeps it fenced instead of
	// undoing the fence. Absent: false. Not allowed in a recovery stack.
	Fenced bool `json:"fenced"`
}

// Fenced reports whether the stack is a primary fenced by dr.fenced.
func (cfg *Config) Fenced() bool { return cfg.Role == RolePrimary && cfg.DR.Fenced }

// stackRefRe is a fully qualified stack name: org/project/stack.
var stackRefRe = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

func (d *DR) applyDefaults() {
	def(&d.RPO, "1h")
	def(&d.RTO, "4h")
	if d.CostBudget == nil {
		b := DefaultCostBudget
		d.CostBudget = &b
	}
}

// Policy is the typed recovery objective. Call it on a validated Config.
func (d DR) Policy() dr.Policy {
	rpo, _ := time.ParseDuration(d.RPO)
	rto, _ := time.ParseDuration(d.RTO)
	return dr.Policy{RPO: rpo, RTO: rto}
}

// DRKinds are the kinds of stateful store the configuration declares: the
// ones the DR policy must be met for.
func (cfg *Config) DRKinds() map[dr.Kind]string {
	out := map[dr.Kind]string{}
	if cfg.Data.Postgres != nil {
		out[dr.Postgres] = "data.postgres"
	}
	if cfg.Data.DocumentDB != nil {
		out[dr.DocumentDB] = "data.documentdb"
	}
	if cfg.Data.Redis != nil {
		out[dr.Redis] = "data.redis"
	}
	if cfg.Data.OpenSearch != nil {
		out[dr.Search] = "data.opensearch"
	}
	if len(cfg.Data.Buckets) > 0 {
		out[dr.Bucket] = "data.buckets"
	}
	if len(cfg.Secrets.Items) > 0 {
		out[dr.Secret] = "secrets"
	}
	if cfg.Fleet != nil {
		out[dr.Images] = "fleet"
	}
	if cfg.Auth != nil {
		out[dr.Users] = "auth"
	}
	if cfg.Data.Memcached != nil {
		out[dr.Memcached] = "data.memcached"
	}
	return out
}

// RecoveryPolicyApplies reports whether the stack takes part in DR: a
// primary with a drRegion, or a recovery stack.
func (cfg *Config) RecoveryPolicyApplies() bool {
	return cfg.Role == RoleRecovery || cfg.Role == RolePrimary && cfg.DRRegion != ""
}

func (cfg *Config) validateDR(c *collector) {
	d := cfg.DR
	rpo, rpoOK := parsePolicyDuration("dr.rpo", d.RPO, c)
	rto, rtoOK := parsePolicyDuration("dr.rto", d.RTO, c)
	known := map[string]bool{}
	for _, k := range dr.Kinds {
		known[string(k)] = true
	}
	for _, k := range sortedMapKeys(d.Accept) {
		switch {
		case !known[k]:
			c.invalidf("dr.accept."+k, k, "use one of "+kindList(), "%q is not a kind of store", k)
		case len(strings.TrimSpace(d.Accept[k])) < MinWaiverReason:
			c.invalid("dr.accept."+k, d.Accept[k], "is too short to be a reason", fmt.Sprintf("write at least %d characters: what is lost and why that is acceptable", MinWaiverReason))
		}
	}
	switch cfg.Role {
	case RoleRecovery:
		switch {
		case d.PrimaryStack == "":
			c.required("dr.primaryStack", "is required in a recovery stack", "name the primary stack to recover, e.g. organization/"+cfg.Project+"/prod")
		case !stackRefRe.MatchString(d.PrimaryStack):
			c.invalidf("dr.primaryStack", d.PrimaryStack, "use organization/project/stack, e.g. organization/"+cfg.Project+"/prod", "%q is not a fully qualified stack name", d.PrimaryStack)
		}
		switch {
		case d.PrimaryRegion == "":
			c.required("dr.primaryRegion", "is required in a recovery stack", "name the primary stack's region, e.g. us-east-1")
		case !IsAWSRegion(d.PrimaryRegion):
			c.invalidf("dr.primaryRegion", d.PrimaryRegion, "use an AWS region such as us-east-1", "%q is not an AWS region", d.PrimaryRegion)
		case d.PrimaryRegion == cfg.Region:
			c.invalidf("dr.primaryRegion", d.PrimaryRegion, "deploy the recovery stack into another region than the primary", "the primary's region %s is the recovery stack's own (aws:region)", d.PrimaryRegion)
		}
		if cfg.DRRegion != "" {
			c.forbidden("drRegion", "is set in a recovery stack", "remove it: a recovery stack has no recovery region of its own")
		}
		if p := cfg.Data.Postgres; p != nil && len(p.ReadReplicas) > 0 {
			c.forbidden("data.postgres.readReplicas", "are not built in a recovery stack", "remove them: the DR postgres is itself a read replica of the primary until it is promoted; name them in dr.reportingReplicas, built after the promotion")
		}
		if len(d.ReportingReplicas) > 0 && cfg.Data.Postgres == nil {
			c.required("dr.reportingReplicas", "need data.postgres", "remove them, or add the postgres store")
		}
		checkReplicaNames(c, "dr.reportingReplicas", d.ReportingReplicas)
		if d.Fenced {
			c.forbidden("dr.fenced", "is set in a recovery stack", "remove it: dr.fenced fences a primary (Pulumi.<primary>.yaml); a recovery stack takes over with fleet.standby: active")
		}
		if cfg.Frontend != nil {
			c.forbidden("frontend", "is set in a recovery stack", "remove it: CloudFront, WAF and the site are global and live in the primary stack, which fails the site over to its replica bucket")
		}
	default:
		if d.PrimaryStack != "" || d.PrimaryRegion != "" {
			c.forbidden("dr.primaryStack", "is set in a primary stack", "remove dr.primaryStack and dr.primaryRegion: only a recovery stack reads a primary")
		}
		if d.Fenced && cfg.DRRegion == "" {
			c.required("dr.fenced", "needs drRegion", "remove it, or set drRegion: a primary is fenced only after a failover to its recovery Region")
		}
		if len(d.ReportingReplicas) > 0 {
			c.forbidden("dr.reportingReplicas", "is set in a primary stack", "use data.postgres.readReplicas: a primary builds its replicas at once")
		}
	}
	cfg.validateDRCost(c, rto, rtoOK)
	if !rpoOK || !rtoOK || !cfg.RecoveryPolicyApplies() {
		return
	}
	p := dr.Policy{RPO: rpo, RTO: rto}
	kinds := cfg.DRKinds()
	for _, k := range dr.Kinds {
		path, ok := kinds[k]
		if !ok || d.Accept[string(k)] != "" {
			continue
		}
		if why := dr.Unmet(k, p); why != "" {
			key := "dr.rto"
			if best, _ := dr.Best(k, p); best.Unbounded || best.RPO > p.RPO {
				key = "dr.rpo"
			}
			c.invalidf(key, p, fmt.Sprintf("relax dr.rpo/dr.rto, remove %s, or accept the risk with dr.accept.%s and a reason", path, k),
				"%s cannot be met for %s: %s", p, path, why)
		}
	}
}

func parsePolicyDuration(path, s string, c *collector) (time.Duration, bool) {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		c.invalidf(path, s, "use a Go duration such as 1h or 15m", "%q is not a duration", s)
		return 0, false
	case d <= 0:
		c.invalidf(path, s, "use a positive duration such as 1h", "%s is not positive", s)
		return 0, false
	}
	return d, true
}

func kindList() string {
	var ks []string
	for _, k := range dr.Kinds {
		ks = append(ks, string(k))
	}
	return strings.Join(ks, ", ")
}
