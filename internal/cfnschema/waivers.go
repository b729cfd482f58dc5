package cfnschema

import "strings"

// Waiver excuses the cfn-lint findings it matches. Every waiver says why
// AWS accepts what cfn-lint flags (or why the finding is an artifact of
// the translation, not of the program), with a source. A finding that is a
// real AWS constraint is fixed in the program, never waived; a waiver that
// matches nothing fails the check, so none outlives its finding.
type Waiver struct {
	Rule string // cfn-lint rule id (required)
	// Stack limits the waiver to one stack ("dbay/prod"); "" is any.
	Stack string
	// Type and Name limit it to one pulumi type / logical name; "" is any.
	Type, Name string
	// Message limits it to findings whose message contains this text.
	Message string
	// Reason says why AWS accepts it, with a source (URL); for a pending
	// entry, the constraint and its source.
	Reason string
	// Pending, when set, names the change that fixes a real AWS constraint
	// in another part of the program (owner: fix). It is not an
	// acceptance: the report lists it as pending, and as soon as the fix
	// lands the entry matches nothing and the check fails until it is
	// removed.
	Pending string
}

// Waivers is the one reviewed list of waived cfn-lint findings.
var Waivers = []Waiver{
	{
		Rule: "E3003", Type: "aws:ssm/parameter:Parameter", Name: "contract", Message: "'Value' is a required property",
		Reason: "an artifact of the translation: pulumi-aws marks ssm.Parameter's value secret, so the synth output does not hold it " +
			"(the program always sets it: the DR contract, components/drlink); tests/drlink_test.go reads it from the captured inputs " +
			"and checks its size against the tier's limit (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html)",
	},
	{
		Rule: "E1002", Message: "The template file size",
		Reason: "CloudFormation's 1 MB template body limit binds CloudFormation stacks; the program deploys with Pulumi, " +
			"which sends resources one by one, and the translation keeps a whole stack's Region in one template (every " +
			"policy document inline) so references resolve. https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html",
	},
	{
		Rule: "E3010", Message: "'Resources' has more than 500",
		Reason: "CloudFormation's limit of 500 resources per template binds CloudFormation stacks; the program deploys with Pulumi, " +
			"which has no such limit, and the translation keeps a whole stack's Region in one template so references resolve. " +
			"https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html",
	},
	{
		// cfn-lint's data lists the major-only alias "16" both as a valid
		// engine version (engine_version.json) and as deprecated, because
		// some 16.x minors are; RDS resolves a major-only version to the
		// engine's current default minor (ModifyDBInstance: "If you specify
		// only a major version, Amazon RDS updates the DB instance to the
		// default minor version"), never to a deprecated one.
		Rule: "W3691", Type: "aws:rds/instance:Instance", Name: "postgres", Message: "Engine version '16' ",
		Reason: "a major-only EngineVersion resolves to RDS's current default minor, which RDS creates (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html, EngineVersion; config/versions.go pins the major, PostgreSQL 16, RDS standard support to 2029-02-28)",
	},
}

func (w Waiver) matches(f Finding) bool {
	return w.Rule == f.Rule &&
		(w.Stack == "" || w.Stack == f.Stack) &&
		(w.Type == "" || w.Type == f.Type) &&
		(w.Name == "" || w.Name == f.Name) &&
		(w.Message == "" || strings.Contains(f.Message, w.Message))
}

// ApplyWaivers marks the findings a waiver covers and returns the waivers
// that matched none.
func ApplyWaivers(fs []Finding, ws []Waiver) (unused []Waiver) {
	used := make([]bool, len(ws))
	for i := range fs {
		for j, w := range ws {
			if w.matches(fs[i]) {
				fs[i].Waived, fs[i].Reason, fs[i].Pending = true, w.Reason, w.Pending
				used[j] = true
				break
			}
		}
	}
	for j, w := range ws {
		if !used[j] {
			unused = append(unused, w)
		}
	}
	return unused
}
