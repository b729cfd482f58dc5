package config

import (
	"fmt"
	"regexp"
)

// Security baseline providers (the `security.baseline` key).
const (
	// BaselineStack: the stack creates the account's audit and detection
	// services in its region (components/baseline): in a primary stack a
	// multi-Region CloudTrail trail, and in every stack GuardDuty, Security
	// Hub with FSBP and an IAM Access Analyzer.
	BaselineStack = "stack"
	// BaselineOrganization: the AWS Organization provides them (an
	// organization trail, delegated GuardDuty and Security Hub
	// administration, an organization analyzer); the stack creates none
	// and alarms on the trail's log group it is told of.
	BaselineOrganization = "organization"

	// DefaultTrailRetentionDays is how long the trail's CloudWatch Logs
	// copy is kept: a year of searchable API history.
	DefaultTrailRetentionDays = 365
	// DefaultTrailArchiveDays is how long the trail's S3 log files are
	// kept: seven years, the record-keeping horizon of financial records.
	DefaultTrailArchiveDays = 2557
)

// BaselineRuleID is the policy rule that requires the baseline: a stack
// that declares `security.baseline: organization` waives it, with the
// reason naming who provides the services.
const BaselineRuleID = "security-baseline-present"

// logGroupNameRe is what CloudWatch Logs accepts as a log group name
// (CreateLogGroup: [\.\-_/#A-Za-z0-9]+, 1..512).
var logGroupNameRe = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]{1,512}$`)

// Security is the `security` section: who provides the account's audit and
// detection services, and the trail this stack alarms on. Absent: the stack
// creates them (baseline: stack).
type Security struct {
	// Baseline is stack or organization. Absent: stack.
	Baseline string `json:"baseline"`
	// TrailLogGroup is the CloudWatch Logs log group, in this account and
	// the stack's region, that the organization trail delivers this
	// account's events to. Required with baseline organization in a
	// primary stack that has a single-reader secret (the xpriv alarms
	// are metric filters on it); not allowed with baseline stack (the
	// stack's own trail names its group).
	TrailLogGroup string `json:"trailLogGroup"`
	// TrailRetentionDays of the stack's trail log group (a CloudWatch
	// Logs retention). Absent: 365. Only with baseline stack.
	TrailRetentionDays int `json:"trailRetentionDays"`
	// TrailArchiveDays the trail's log files are kept in S3: 365..3653.
	// Absent: 2557 (seven years). Only with baseline stack.
	TrailArchiveDays int `json:"trailArchiveDays"`
	// DeployRole is the IAM role name Pulumi runs as (CI's deploy role,
	// bootstrap/iam/deploy-trust.json): besides the break-glass role, the
	// only principal that may administer a single-reader secret's key and
	// change the secret's settings and policy (never read or put its
	// value). Absent: <project>-ci-deploy.
	DeployRole string `json:"deployRole"`
	// BreakGlassRole is the IAM role name of the operators' break-glass
	// role: the only principal besides the readers that may read a
	// single-reader secret, and the only one that may put its value.
	// It must exist before the first `pulumi up` (KMS refuses a key policy
	// naming a principal that does not exist). Absent: <project>-break-glass.
	BreakGlassRole string `json:"breakGlassRole"`
	// OperatorRole is the IAM role name the operators assume for day-to-day
	// administration: the only principal that may assume the OpenSearch
	// administrator role (search-admin). Absent: <project>-operator.
	OperatorRole string `json:"operatorRole"`
}

// roleNameRe is an IAM role name (CreateRole: [\w+=,.@-]{1,64}).
var roleNameRe = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// StackManaged reports whether the stack creates the baseline itself.
func (s Security) StackManaged() bool { return s.Baseline == BaselineStack }

func (s *Security) applyDefaults(project string) {
	def(&s.Baseline, BaselineStack)
	def(&s.DeployRole, project+"-ci-deploy")
	def(&s.BreakGlassRole, project+"-break-glass")
	def(&s.OperatorRole, project+"-operator")
	if s.Baseline == BaselineStack {
		defInt(&s.TrailRetentionDays, DefaultTrailRetentionDays)
		defInt(&s.TrailArchiveDays, DefaultTrailArchiveDays)
	}
}

// validate checks the section. watched reports whether the stack owns a
// single-reader secret (whose reads are alarmed on the trail's log group);
// waived whether the policy waivers excuse BaselineRuleID.
func (s Security) validate(c *collector, role Role, watched, waived bool) {
	for _, r := range []struct{ path, name string }{{"security.deployRole", s.DeployRole}, {"security.breakGlassRole", s.BreakGlassRole}, {"security.operatorRole", s.OperatorRole}} {
		if !roleNameRe.MatchString(r.name) {
			c.invalidf(r.path, r.name, "use an IAM role name: 1..64 letters, digits and + = , . @ _ -", "%q is not an IAM role name", r.name)
		}
	}
	if s.DeployRole == s.BreakGlassRole {
		c.invalidf("security.breakGlassRole", s.BreakGlassRole, "name a role of its own, used only in an emergency", "%q is also the deploy role", s.BreakGlassRole)
	}
	switch s.Baseline {
	case BaselineStack:
		if s.TrailLogGroup != "" {
			c.forbidden("security.trailLogGroup", "is only for baseline organization",
				"remove it: the stack's own trail delivers to a log group the stack creates")
		}
		if !IsLogRetention(s.TrailRetentionDays) {
			c.invalidf("security.trailRetentionDays", s.TrailRetentionDays, fmt.Sprintf("use one of %v", logRetentionDays), "%d days is not a CloudWatch Logs retention", s.TrailRetentionDays)
		}
		if s.TrailArchiveDays < 365 || s.TrailArchiveDays > 3653 {
			c.invalidf("security.trailArchiveDays", s.TrailArchiveDays, "use 365..3653 (one to ten years)", "%d days is outside 365..3653", s.TrailArchiveDays)
		}
	case BaselineOrganization:
		if s.TrailRetentionDays != 0 || s.TrailArchiveDays != 0 {
			c.forbidden("security.baseline", "is organization, which keeps the trail's logs itself",
				"remove trailRetentionDays and trailArchiveDays, or set baseline stack")
		}
		switch {
		case s.TrailLogGroup == "" && watched && role == RolePrimary:
			c.required("security.trailLogGroup", "is required with baseline organization when a secret has readers",
				"name the log group in this account and region that the organization trail delivers to: the xpriv alarms are metric filters on it")
		case s.TrailLogGroup != "" && !logGroupNameRe.MatchString(s.TrailLogGroup):
			c.invalidf("security.trailLogGroup", s.TrailLogGroup, "use a log group name: letters, digits and . - _ / #", "%q is not a CloudWatch Logs log group name", s.TrailLogGroup)
		}
		if !waived {
			c.required("security.baseline", "is organization but policy.waivers does not waive "+BaselineRuleID,
				"add {rule: "+BaselineRuleID+", resource: regional, reason: <who provides CloudTrail, GuardDuty, Security Hub and Access Analyzer for this account>}")
		}
	default:
		c.notSupportedf("security.baseline", s.Baseline, "use stack or organization", "unknown baseline %q", s.Baseline)
	}
}

// watchedSecrets reports whether the stack owns a single-reader secret:
// a primary stack whose secrets section names readers (a recovery stack
// reads the primary's replicas, whose reads the primary's trail records).
func (cfg *Config) watchedSecrets() bool {
	if cfg.Role != RolePrimary {
		return false
	}
	for _, it := range cfg.Secrets.Items {
		if len(it.Readers) > 0 {
			return true
		}
	}
	return false
}

// waives reports whether the policy waivers excuse rule.
func (p Policy) waives(rule string) bool {
	for _, w := range p.Waivers {
		if w.Rule == rule {
			return true
		}
	}
	return false
}
