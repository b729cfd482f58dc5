package dr

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dbay/infra/internal/tokens"
)

// Resource is one captured resource of a run, as plain values: what the
// assessment reads (synth and the tests adapt the mock engine's records).
type Resource struct {
	Type, Name, Region string
	Inputs, Outputs    map[string]any
}

// Tag values the assessment reads on buckets.
const (
	// TagDataClass "logs" marks a bucket that holds access logs only:
	// logs written after a failover go to the recovery region's own log
	// buckets, and the history is not restored.
	TagDataClass = "data-class"
	DataClassLog = "logs"
	// TagReplicaOf marks a bucket that is itself a DR replica.
	TagReplicaOf = "replica-of"
)

// Status of one row.
const (
	StatusMeets    = "meets"
	StatusAccepted = "accepted"
	StatusExempt   = "exempt"
	StatusMissing  = "missing"
	StatusTooSlow  = "too slow"
)

// Row is the recovery of one stateful resource of the primary stack.
type Row struct {
	Kind     Kind
	Type     string
	Resource string // logical name
	// Mechanisms are the ids found implemented, strongest first.
	Mechanisms []string
	RPO, RTO   string
	Status     string
	Note       string
	// Class is the data class of the kind (Classes, or config dr.classes).
	Class DataClass
	// Evidence are the recovery stack's resources ("type name") that
	// implement the mechanisms: what the DR table prices per mechanism.
	// Empty for a mechanism built only at failover.
	Evidence []string
	// MonthlyUSD is what the evidence costs a month on standby (the
	// program's cost model; filled by the caller that priced the stack).
	MonthlyUSD float64 `json:"monthlyUsd"`
}

// Report is the assessment of a primary stack against a policy.
type Report struct {
	Policy     Policy
	Region     string // the recovery region
	Rows       []Row
	Violations []string
	// Cost compares the pair's monthly costs against the budget; nil when
	// the pair was not priced.
	Cost *PairCost
}

// PairCost is the recovery stack's monthly cost as a share of the primary's.
type PairCost struct {
	RecoveryUSD float64 `json:"recoveryUsd"`
	PrimaryUSD  float64 `json:"primaryUsd"`
	// Share is RecoveryUSD / PrimaryUSD, rounded to 0.001.
	Share float64 `json:"share"`
	// BudgetPercent is config dr.costBudget.
	BudgetPercent float64 `json:"budgetPercent"`
	Within        bool    `json:"withinBudget"`
}

// CheckBudget records the pair's cost and, when the recovery stack costs
// more than budgetPercent of the primary, a violation.
func (r *Report) CheckBudget(recoveryUSD, primaryUSD, budgetPercent float64) {
	c := &PairCost{RecoveryUSD: recoveryUSD, PrimaryUSD: primaryUSD, BudgetPercent: budgetPercent}
	if primaryUSD > 0 {
		c.Share = float64(int(recoveryUSD/primaryUSD*1000+0.5)) / 1000
	}
	c.Within = primaryUSD > 0 && recoveryUSD <= primaryUSD*budgetPercent/100
	r.Cost = c
	if !c.Within {
		r.Violations = append(r.Violations, fmt.Sprintf("cost: the recovery stack costs $%.2f a month, %.1f %% of the primary's $%.2f; dr.costBudget is %g %%",
			recoveryUSD, recoveryUSD/max(primaryUSD, 0.01)*100, primaryUSD, budgetPercent))
	}
}

// OK reports whether every stateful resource meets the policy.
func (r Report) OK() bool { return len(r.Violations) == 0 }

// Assess finds, for every stateful resource of the primary stack, the
// mechanisms implemented for it in the primary and recovery runs, and
// checks the strongest against the policy. accepted maps a kind to the
// written reason its unbounded mechanism is acceptable (config dr.accept).
func Assess(p Policy, drRegion string, primary, recovery []Resource, accepted map[string]string) Report {
	return AssessWith(p, drRegion, primary, recovery, accepted, Plan{}, nil)
}

// AssessWith is Assess with the recovery stack's plan (what it builds only
// at failover, with the rebuild estimates) and its data classes by kind
// (nil: Classes).
func AssessWith(p Policy, drRegion string, primary, recovery []Resource, accepted map[string]string, plan Plan, classes map[Kind]DataClass) Report {
	a := assessor{policy: p, region: drRegion, primary: primary, recovery: recovery, plan: plan, evidence: map[string][]string{}}
	rep := Report{Policy: p, Region: drRegion}
	for _, r := range primary {
		kind, ok := statefulKind(r)
		if !ok || kind == Secret && r.Region == drRegion && drRegion != "" {
			// A secret the primary keeps in the recovery Region (its
			// replicated DR contract, components/drlink) outlives the
			// primary's Region by being there: not a store to recover.
			continue
		}
		row := Row{Kind: kind, Type: r.Type, Resource: r.Name, Class: Classes[kind]}
		if c, ok := classes[kind]; ok {
			row.Class = c
		}
		if kind == Bucket && tags(r)[TagDataClass] == DataClassLog {
			row.Status, row.RPO, row.RTO = StatusExempt, "-", "-"
			row.Note = "access logs only: the recovery region writes its own; history is not restored"
			rep.Rows = append(rep.Rows, row)
			continue
		}
		found := a.mechanisms(kind, r)
		for _, m := range found {
			row.Mechanisms = append(row.Mechanisms, m.ID)
			row.Evidence = append(row.Evidence, a.evidence[r.Name+"/"+m.ID]...)
		}
		switch {
		case len(found) == 0:
			row.Status, row.RPO, row.RTO = StatusMissing, "-", "-"
			var want []string
			for _, m := range For(kind) {
				want = append(want, m.ID)
			}
			rep.Violations = append(rep.Violations, fmt.Sprintf("%s %s (%s): no recovery mechanism in place; implement one of %s",
				kind, r.Name, r.Type, strings.Join(want, ", ")))
		default:
			best := found[0]
			row.RPO, row.RTO = best.RPOText(), Human(best.RTO)
			row.Note = best.Summary
			if why := plan.Arithmetic[kind]; best.AtFailover && why != "" {
				row.Note += " (RTO " + why + ")"
			}
			switch reason := accepted[string(kind)]; {
			case best.Meets(p):
				row.Status = StatusMeets
			case reason != "":
				row.Status, row.Note = StatusAccepted, best.Summary+" — accepted: "+reason
			default:
				row.Status = StatusTooSlow
				rep.Violations = append(rep.Violations, fmt.Sprintf("%s %s: %s gives RPO %s, RTO %s; the policy is %s",
					kind, r.Name, best.ID, best.RPOText(), Human(best.RTO), p))
			}
		}
		rep.Rows = append(rep.Rows, row)
	}
	sort.SliceStable(rep.Rows, func(i, j int) bool {
		if ki, kj := kindIndex(rep.Rows[i].Kind), kindIndex(rep.Rows[j].Kind); ki != kj {
			return ki < kj
		}
		return rep.Rows[i].Resource < rep.Rows[j].Resource
	})
	sort.Strings(rep.Violations)
	return rep
}

func kindIndex(k Kind) int {
	for i, x := range Kinds {
		if x == k {
			return i
		}
	}
	return len(Kinds)
}

// statefulKind classifies a primary-stack resource.
func statefulKind(r Resource) (Kind, bool) {
	switch r.Type {
	case tokens.RDSInstance:
		return Postgres, str(r.Inputs, "replicateSourceDb") == "" // in-region replicas hold no data of their own
	case tokens.DocDBCluster:
		return DocumentDB, true
	case tokens.ElastiCacheReplicationGroup:
		return Redis, true
	case tokens.ElastiCacheCluster:
		return Memcached, str(r.Inputs, "engine") == "memcached"
	case tokens.OpenSearchDomain:
		return Search, true
	case tokens.S3BucketV2:
		return Bucket, tags(r)[TagReplicaOf] == ""
	case tokens.SecretsManagerSecret:
		return Secret, true
	case tokens.ECRRepository:
		return Images, true
	case tokens.CognitoUserPool:
		return Users, true
	}
	return "", false
}

type assessor struct {
	policy            Policy
	region            string
	primary, recovery []Resource
	plan              Plan
	// evidence are the recovery resources found per "<primary name>/<mechanism id>".
	evidence map[string][]string
}

// note records recovery resources as the evidence of mechanism id for r.
func (a assessor) note(r Resource, id string, rs ...Resource) {
	for _, x := range rs {
		a.evidence[r.Name+"/"+id] = append(a.evidence[r.Name+"/"+id], x.Type+" "+x.Name)
	}
}
