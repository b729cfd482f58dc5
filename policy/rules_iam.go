package policy

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const (
	kmsKey         = tokens.KMSKey
	secret         = tokens.SecretsManagerSecret
	secretRotation = tokens.SecretsManagerSecretRotation
	queue          = tokens.SQSQueue
	redrivePolicy  = tokens.SQSRedrivePolicy
	redriveAllow   = tokens.SQSRedriveAllowPolicy
	lambdaPerm     = tokens.LambdaPermission
)

// adminPolicies are AWS managed policies no role of the program may hold.
var adminPolicies = []string{"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"}

var attachmentTypes = []string{
	tokens.IAMRolePolicyAttachment,
	tokens.IAMUserPolicyAttachment,
	tokens.IAMGroupPolicyAttachment,
	tokens.IAMPolicyAttachment,
	tokens.IAMRole, // managedPolicyArns
}

const (
	minDLQReceives = 3
	maxDLQReceives = 10
)

// iamRules: no wildcard or public grants; keys, secrets, queues protected.
// Long: a table: one entry per rule, each read on its own.
func iamRules() []Rule {
	return []Rule{
		{
			ID: "iam-no-star-action", Severity: High, Types: documentTypes(),
			Title: `No policy document allows Action "*" on Resource "*" (FSBP IAM.1, checkov CKV_AWS_62)`,
			Check: func(r *mockengine.Resource, x Index) []string {
				var out []string
				for _, d := range documents(x.In(r), r.Type) {
					for _, s := range d.doc.Statement {
						if s.allows() && s.allActions() && s.anyResource() {
							out = append(out, problem(r, fmt.Sprintf("%s of %s allows * on *", sid(s), d.where), "list the actions and resources the principal needs (grants go through the owner's Grant* methods)"))
						}
					}
				}
				return out
			},
		},
		{
			ID: "iam-no-kms-decrypt-star", Severity: High, Types: documentTypes(identityDoc),
			Title: `No identity policy allows kms:Decrypt on every key (checkov CKV_AWS_109 family, FSBP KMS.2)`,
			Check: func(r *mockengine.Resource, x Index) []string {
				var out []string
				for _, d := range documents(x.In(r), r.Type) {
					if d.kind != identityDoc {
						continue
					}
					for _, s := range d.doc.Statement {
						if s.allows() && s.grantsAction("kms:Decrypt") && anyKey(s) {
							out = append(out, problem(r, fmt.Sprintf("%s of %s allows kms:Decrypt on every key", sid(s), d.where), "name the key ARNs (a grant of the owner's key, with kms:ViaService)"))
						}
					}
				}
				return out
			},
		},
		{
			ID: "iam-no-public-principal", Severity: High, Types: append(documentTypes(resourceDoc, keyDoc, trustDoc), lambdaPerm),
			Title: `No resource or trust policy allows Principal "*" without a condition (FSBP S3.2/SQS/SNS/Lambda.1 family)`,
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if r.Type == lambdaPerm {
					if p := str(in["principal"]); p == "*" && !isSet(in["sourceArn"]) && !isSet(in["sourceAccount"]) && !isSet(in["principalOrgId"]) {
						return []string{problem(r, "anyone may invoke the function", "set principal to the calling service and sourceArn to the caller")}
					}
					return nil
				}
				var out []string
				for _, d := range documents(in, r.Type) {
					if d.kind == identityDoc {
						continue
					}
					for _, s := range d.doc.Statement {
						if s.allows() && s.principalIsAnyone() && len(s.Condition) == 0 {
							out = append(out, problem(r, fmt.Sprintf("%s of %s allows Principal * with no condition", sid(s), d.where), "name the principals, or add a condition (aws:SourceArn, aws:PrincipalOrgID)"))
						}
					}
				}
				return out
			},
		},
		{
			ID: "iam-no-admin-attachment", Severity: High, Types: attachmentTypes,
			Title: "No role, user or group holds AdministratorAccess, PowerUserAccess or IAMFullAccess (checkov CKV_AWS_274)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				arns := strs(in["policyArn"])
				arns = append(arns, strs(in["managedPolicyArns"])...)
				var out []string
				for _, arn := range arns {
					for _, p := range adminPolicies {
						if strings.HasSuffix(arn, ":policy/"+p) {
							out = append(out, problem(r, "attaches "+p, "attach a policy of the exact actions needed instead"))
						}
					}
				}
				return out
			},
		},
		{
			ID: "kms-rotation", Severity: Medium, Types: []string{kmsKey},
			Title: "Symmetric KMS keys rotate yearly (FSBP KMS.4)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				spec := str(in["customerMasterKeySpec"])
				if spec == "" {
					spec = str(in["keySpec"])
				}
				if (spec != "" && spec != "SYMMETRIC_DEFAULT") || (str(in["keyUsage"]) != "" && str(in["keyUsage"]) != "ENCRYPT_DECRYPT") {
					return nil // asymmetric and HMAC keys cannot rotate automatically
				}
				if !truthy(in["enableKeyRotation"]) {
					return []string{problem(r, "enableKeyRotation is not true", "set enableKeyRotation: true")}
				}
				return nil
			},
		},
		{
			ID: "secret-cmk", Severity: Medium, Types: []string{secret},
			Title: "Secrets (and their replicas) are encrypted with a customer managed key",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				var out []string
				if !isCMK(in["kmsKeyId"]) {
					out = append(out, problem(r, "no customer managed kmsKeyId (aws/secretsmanager cannot be shared or restricted)", "set kmsKeyId to the Secrets component's key"))
				}
				for _, rep := range list(in["replicas"]) {
					if !isCMK(get(rep, "kmsKeyId")) {
						out = append(out, problem(r, "replica in "+str(get(rep, "region"))+" has no customer managed kmsKeyId", "set the replica's kmsKeyId to the key's replica in that region"))
					}
				}
				return out
			},
		},
		{
			ID: "secret-rotation", Severity: Medium, Types: []string{secret},
			Title: "Secrets rotate automatically (FSBP SecretsManager.1), or a waiver names the runbook that rotates them",
			Check: func(r *mockengine.Resource, x Index) []string {
				for _, rot := range x.Referencing(secretRotation, "secretId", r) {
					if !falsy(x.In(rot)["rotationEnabled"]) {
						return nil
					}
				}
				return []string{problem(r, "no aws:secretsmanager/secretRotation", "add a rotation (a rotation Lambda and rotationRules), or waive with the runbook that rotates it by hand")}
			},
		},
		{
			ID: "sqs-encrypted", Severity: Medium, Types: []string{queue},
			Title: "SQS queues are encrypted at rest (FSBP SQS.1)",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				if !isSet(in["kmsMasterKeyId"]) && !truthy(in["sqsManagedSseEnabled"]) {
					return []string{problem(r, "no server-side encryption", "set kmsMasterKeyId to the owner's CMK (or sqsManagedSseEnabled: true)")}
				}
				return nil
			},
		},
		{
			ID: "sqs-dlq", Severity: Medium, Types: []string{queue},
			Title: fmt.Sprintf("SQS queues that are not DLQs redrive to a DLQ after %d..%d receives", minDLQReceives, maxDLQReceives),
			Check: func(r *mockengine.Resource, x Index) []string {
				if isDeadLetterQueue(r, x) {
					return nil
				}
				policies := []any{x.In(r)["redrivePolicy"]}
				for _, p := range x.Referencing(redrivePolicy, "queueUrl", r) {
					policies = append(policies, x.In(p)["redrivePolicy"])
				}
				for _, p := range policies {
					rp := redrive(p)
					if rp == nil {
						continue
					}
					n, _ := num(rp["maxReceiveCount"])
					if !isSet(rp["deadLetterTargetArn"]) {
						break
					}
					if n < minDLQReceives || n > maxDLQReceives {
						return []string{problem(r, fmt.Sprintf("maxReceiveCount is %v", orNone(rp["maxReceiveCount"])), fmt.Sprintf("use %d..%d (data.queues.<name>.maxReceiveCount)", minDLQReceives, maxDLQReceives))}
					}
					return nil
				}
				return []string{problem(r, "no redrivePolicy to a dead-letter queue", fmt.Sprintf("set redrivePolicy {deadLetterTargetArn: <name>-dlq, maxReceiveCount: %d..%d}", minDLQReceives, maxDLQReceives))}
			},
		},
	}
}

// anyKey reports whether a statement's resources cover every KMS key.
func anyKey(s statement) bool {
	if s.anyResource() {
		return true
	}
	for _, res := range s.Resource {
		if strings.HasPrefix(res, "arn:") && strings.Contains(res, ":kms:") && (strings.HasSuffix(res, ":key/*") || strings.HasSuffix(res, ":*")) {
			return true
		}
	}
	return false
}

// redrive parses a redrive policy: a JSON string or an object.
func redrive(v any) map[string]any {
	if m := obj(v); m != nil {
		return m
	}
	s := str(v)
	if !known(s) || s == "" {
		return nil
	}
	var m map[string]any
	if json.Unmarshal([]byte(s), &m) != nil {
		return nil
	}
	return m
}

// isDeadLetterQueue reports whether some resource uses q as a dead-letter
// queue: another queue's redrive policy, a rule target's, schedule's or
// function's deadLetterConfig, an async invoke config's onFailure
// destination, or a redrive allow policy on q.
func isDeadLetterQueue(q *mockengine.Resource, x Index) bool {
	if len(x.Referencing(redriveAllow, "queueUrl", q)) > 0 {
		return true
	}
	refs := map[string]bool{}
	for _, ref := range x.Refs(q) {
		refs[ref] = true
	}
	for _, r := range x.All() {
		if r == q {
			continue
		}
		found := false
		walk(x.In(r), "", func(key string, v any) {
			switch key {
			case "deadLetterTargetArn", "deadLetterConfig.arn", "deadLetterConfig.targetArn", "onFailure.destination":
				found = found || refs[str(v)]
			case "redrivePolicy":
				found = found || refs[str(redrive(v)["deadLetterTargetArn"])]
			}
		})
		if found {
			return true
		}
	}
	return false
}

// walk calls fn for every value under v with its key and, for values of an
// object nested in another object, "parent.key".
func walk(v any, parent string, fn func(key string, v any)) {
	switch t := v.(type) {
	case map[string]any:
		for k, c := range t {
			fn(k, c)
			if parent != "" {
				fn(parent+"."+k, c)
			}
			walk(c, k, fn)
		}
	case []any:
		for _, c := range t {
			walk(c, parent, fn)
		}
	}
}
