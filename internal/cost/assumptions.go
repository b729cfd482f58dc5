package cost

import (
	"errors"
	"fmt"
)

// Assumptions are the usage figures usage-driven charges are priced at.
// Each is named on the lines it prices; change one to see what it moves.
type Assumptions struct {
	HoursPerMonth       float64 // hours billed a month for always-on resources (730)
	ALBLCUs             float64 // LCUs each ALB uses every hour (1)
	CloudFrontGB        float64 // GB each distribution serves a month (100)
	CloudFrontRequestsM float64 // million HTTPS requests each distribution serves a month (10)
	WAFRequestsM        float64 // million requests each web ACL inspects a month (10)
	LogGBPerGroup       float64 // GB ingested by each log group a month (1)
	S3GBPerBucket       float64 // GB stored in each bucket, and replicated a month by each replication rule (10)
	DocDBStorageGB      float64 // GB stored by each DocumentDB cluster (100)
	ReplicaStorageGB    float64 // GB of a read replica whose source is not in the stack or its partner (100)
	NATGBPerGateway     float64 // GB each NAT gateway processes a month (100)
	BackupGBPerVault    float64 // GB of recovery points in each AWS Backup vault (100)
	CognitoMAU          float64 // monthly active users of each user pool (1000)
	CognitoAdminMAU     float64 // monthly active users of each admin pool, tagged Audience=administrators (10)
}

// DefaultAssumptions are the figures every report uses unless told otherwise.
func DefaultAssumptions() Assumptions {
	return Assumptions{HoursPerMonth: 730, ALBLCUs: 1, CloudFrontGB: 100, CloudFrontRequestsM: 10, WAFRequestsM: 10,
		LogGBPerGroup: 1, S3GBPerBucket: 10, DocDBStorageGB: 100, ReplicaStorageGB: 100, NATGBPerGateway: 100,
		BackupGBPerVault: 100, CognitoMAU: 1000, CognitoAdminMAU: 10}
}

// AssumptionUse is one assumption as reports show it.
type AssumptionUse struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	Note  string  `json:"note"`
	// Origin is "default", or "configured" when the stack's
	// `<project>:cost.assumptions.<name>` set it; empty for the facts the
	// model takes as given (no unit, not configurable).
	Origin string `json:"origin,omitempty"`
}

// Origins of an assumption's value.
const (
	OriginDefault    = "default"
	OriginConfigured = "configured"
)

// field is the figure an assumption name sets.
func (a *Assumptions) field(name string) *float64 {
	switch name {
	case "hoursPerMonth":
		return &a.HoursPerMonth
	case "albLcus":
		return &a.ALBLCUs
	case "cloudFrontGb":
		return &a.CloudFrontGB
	case "cloudFrontRequestsM":
		return &a.CloudFrontRequestsM
	case "wafRequestsM":
		return &a.WAFRequestsM
	case "logGbPerGroup":
		return &a.LogGBPerGroup
	case "s3GbPerBucket":
		return &a.S3GBPerBucket
	case "docdbStorageGb":
		return &a.DocDBStorageGB
	case "replicaStorageGb":
		return &a.ReplicaStorageGB
	case "natGbPerGateway":
		return &a.NATGBPerGateway
	case "backupGbPerVault":
		return &a.BackupGBPerVault
	case "cognitoMau":
		return &a.CognitoMAU
	case "cognitoAdminMau":
		return &a.CognitoAdminMAU
	}
	return nil
}

// WithOverrides returns the assumptions with the configured figures (by
// name, as config validates them) applied; an unknown name is an error.
func (a Assumptions) WithOverrides(over map[string]float64) (Assumptions, error) {
	var errs []error
	for _, name := range sortedKeys(over) {
		f := a.field(name)
		if f == nil {
			errs = append(errs, fmt.Errorf("cost assumptions: %s is not an assumption", name))
			continue
		}
		*f = over[name]
	}
	return a, errors.Join(errs...)
}

// usesWithOrigin is Uses with each configurable figure's origin.
func (a Assumptions) usesWithOrigin(configured map[string]float64) []AssumptionUse {
	out := a.Uses()
	for i := range out {
		if out[i].Unit == "" {
			continue
		}
		out[i].Origin = OriginDefault
		if _, ok := configured[out[i].Name]; ok {
			out[i].Origin = OriginConfigured
		}
	}
	return out
}

// Uses lists the assumptions, then the facts the model takes as given.
func (a Assumptions) Uses() []AssumptionUse {
	return []AssumptionUse{
		{"hoursPerMonth", a.HoursPerMonth, "hours", "always-on resources (instances, nodes, tasks, NAT, endpoints, load balancers) run every hour", ""},
		{"albLcus", a.ALBLCUs, "LCU per ALB-hour", "load balancer capacity units an ALB uses", ""},
		{"cloudFrontGb", a.CloudFrontGB, "GB per distribution-month", "data served to viewers in North America/Europe (PriceClass_100)", ""},
		{"cloudFrontRequestsM", a.CloudFrontRequestsM, "million HTTPS requests per distribution-month", "viewer requests", ""},
		{"wafRequestsM", a.WAFRequestsM, "million requests per web ACL-month", "requests the web ACL inspects", ""},
		{"logGbPerGroup", a.LogGBPerGroup, "GB ingested per log group-month", "CloudWatch Logs ingestion; storage after retention not estimated", ""},
		{"s3GbPerBucket", a.S3GBPerBucket, "GB per bucket", "S3 Standard storage; the same GB replicated a month per replication configuration; requests not estimated", ""},
		{"docdbStorageGb", a.DocDBStorageGB, "GB per cluster", "DocumentDB storage; I/O not estimated", ""},
		{"replicaStorageGb", a.ReplicaStorageGB, "GB", "storage of a read replica whose source is in neither stack of the pair", ""},
		{"natGbPerGateway", a.NATGBPerGateway, "GB per NAT gateway-month", "data processed; internet egress not estimated", ""},
		{"backupGbPerVault", a.BackupGBPerVault, "GB per vault", "AWS Backup warm storage", ""},
		{"cognitoMau", a.CognitoMAU, "MAU per user pool", "monthly active users at the pool's feature tier", ""},
		{"cognitoAdminMau", a.CognitoAdminMAU, "MAU per admin pool", "monthly active administrators of a pool tagged Audience=administrators (auth.adminGroups)", ""},
		{"backupWithinFreeAllowance", 0, "", "RDS and DocumentDB automated backups stay within the free allowance (100% of storage)", ""},
		{"performanceInsights7Days", 0, "", "Performance Insights with 7-day retention is free; longer retention is not priced", ""},
	}
}

// Validate rejects a negative figure or a month without hours.
func (a Assumptions) Validate() error {
	var errs []error
	if a.HoursPerMonth <= 0 || a.HoursPerMonth > 744 {
		errs = append(errs, fmt.Errorf("cost assumptions: hoursPerMonth is %v; want more than 0 and at most 744", a.HoursPerMonth))
	}
	for _, u := range a.Uses() {
		if u.Value < 0 {
			errs = append(errs, fmt.Errorf("cost assumptions: %s is %v; want zero or more", u.Name, u.Value))
		}
	}
	return errors.Join(errs...)
}
