package config

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Cost tunes the synth cost estimate (internal/cost) for this stack.
type Cost struct {
	// Assumptions override the usage figures usage-driven charges are priced
	// at, by name (`<project>:cost.assumptions.<name>`, e.g.
	// `pulumi config set --path 'cost.assumptions.natGbPerGateway' 500`).
	// Absent: every figure keeps its default (internal/cost DefaultAssumptions).
	Assumptions map[string]float64 `json:"assumptions"`
}

// CostAssumptionNames are the usage assumptions a stack may override; the
// cost model's own list (internal/cost Assumptions.Uses) is tested to match.
var CostAssumptionNames = []string{
	"albLcus", "backupGbPerVault", "cloudFrontGb", "cloudFrontRequestsM", "cognitoAdminMau", "cognitoMau",
	"docdbStorageGb", "hoursPerMonth", "logGbPerGroup", "natGbPerGateway",
	"replicaStorageGb", "s3GbPerBucket", "wafRequestsM",
}

// MaxHoursPerMonth is the longest month: 31 days × 24 h.
const MaxHoursPerMonth = 744

func (k Cost) validate(c *collector) {
	known := map[string]bool{}
	for _, n := range CostAssumptionNames {
		known[n] = true
	}
	names := make([]string, 0, len(k.Assumptions))
	for n := range k.Assumptions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := k.Assumptions[n]
		path := "cost.assumptions." + n
		switch {
		case !known[n]:
			c.unknown(path, "unknown assumption", "use one of "+strings.Join(CostAssumptionNames, ", "))
		case math.IsNaN(v) || math.IsInf(v, 0):
			c.invalidf(path, v, "use a finite number", "%v is not a number", v)
		case n == "hoursPerMonth" && (v <= 0 || v > MaxHoursPerMonth):
			c.invalidf(path, v, fmt.Sprintf("use more than 0 and at most %d (31 days)", MaxHoursPerMonth), "%v hours is not a billing month", v)
		case v < 0:
			c.invalidf(path, v, "use zero or more", "%v is negative", v)
		}
	}
}
