package policy

import (
	"encoding/json"
	"strings"

	"github.com/dbay/infra/internal/tokens"
)

// document is an IAM policy document, parsed leniently: Statement may be
// one object or a list, and Action/Resource/Principal values a string or a
// list.
type document struct {
	Statement []statement
}

type statement struct {
	Sid          string
	Effect       string
	Principal    any
	NotPrincipal any
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Condition    map[string]any
}

// parseDocument reads a policy document from a rendered input: a JSON
// string or an object. ok is false for absent, secret or unknown values.
func parseDocument(v any) (document, bool) {
	var raw map[string]any
	switch t := v.(type) {
	case string:
		if !known(t) || strings.TrimSpace(t) == "" {
			return document{}, false
		}
		if err := json.Unmarshal([]byte(t), &raw); err != nil {
			return document{}, false
		}
	case map[string]any:
		raw = t
	default:
		return document{}, false
	}
	var doc document
	for _, s := range list(raw["Statement"]) {
		m := obj(s)
		if m == nil {
			continue
		}
		doc.Statement = append(doc.Statement, statement{
			Sid:          str(m["Sid"]),
			Effect:       str(m["Effect"]),
			Principal:    m["Principal"],
			NotPrincipal: m["NotPrincipal"],
			Action:       strs(m["Action"]),
			NotAction:    strs(m["NotAction"]),
			Resource:     strs(m["Resource"]),
			NotResource:  strs(m["NotResource"]),
			Condition:    obj(m["Condition"]),
		})
	}
	return doc, true
}

func (s statement) allows() bool { return s.Effect == "Allow" }

// hasAction reports whether the statement lists exactly action (case-insensitive).
func (s statement) hasAction(action string) bool {
	for _, a := range s.Action {
		if strings.EqualFold(a, action) {
			return true
		}
	}
	return false
}

// grantsAction reports whether one of the statement's action patterns
// matches action ("kms:*" and "kms:Decrypt*" match "kms:Decrypt"), or it
// uses NotAction (which grants everything it does not list).
func (s statement) grantsAction(action string) bool {
	if len(s.NotAction) > 0 {
		for _, a := range s.NotAction {
			if wildcard(strings.ToLower(a), strings.ToLower(action)) {
				return false
			}
		}
		return true
	}
	for _, a := range s.Action {
		if wildcard(strings.ToLower(a), strings.ToLower(action)) {
			return true
		}
	}
	return false
}

// allActions reports whether the statement grants every action: "*" or "*:*".
func (s statement) allActions() bool {
	return s.hasAction("*") || s.hasAction("*:*")
}

// anyResource reports whether the statement applies to every resource.
func (s statement) anyResource() bool {
	return contains(s.Resource, "*") || len(s.NotResource) > 0
}

// principalIsAnyone reports whether Principal is "*" or {"AWS": "*"}.
func (s statement) principalIsAnyone() bool {
	switch p := s.Principal.(type) {
	case string:
		return p == "*"
	case map[string]any:
		return contains(strs(p["AWS"]), "*") || contains(strs(p["CanonicalUser"]), "*")
	}
	return s.NotPrincipal != nil // NotPrincipal in an Allow: everyone but a few
}

// deniesInsecureTransport reports whether the condition is
// Bool aws:SecureTransport false.
func (s statement) deniesInsecureTransport() bool {
	for op, body := range s.Condition {
		if op != "Bool" && op != "BoolIfExists" {
			continue
		}
		for k, v := range obj(body) {
			if strings.EqualFold(k, "aws:SecureTransport") {
				for _, x := range strs(v) {
					if x == "false" {
						return true
					}
				}
				if b, ok := v.(bool); ok && !b {
					return true
				}
			}
		}
	}
	return false
}

// docKind says how a document is used: an identity policy (attached to a
// principal), a resource policy (on a bucket, queue, topic...), a key
// policy (where Resource "*" means this key) or a role's trust policy.
type docKind int

const (
	identityDoc docKind = iota
	resourceDoc
	keyDoc
	trustDoc
)

// docSource is one input of one resource type that holds a policy document.
type docSource struct {
	key  string // the input; "inlinePolicies[].policy" for role inline policies
	kind docKind
}

// documentSources lists, per resource type, the inputs holding policy documents.
var documentSources = map[string][]docSource{
	tokens.IAMRolePolicy:  {{"policy", identityDoc}},
	tokens.IAMUserPolicy:  {{"policy", identityDoc}},
	tokens.IAMGroupPolicy: {{"policy", identityDoc}},
	tokens.IAMPolicy:      {{"policy", identityDoc}},
	tokens.IAMRole:        {{"assumeRolePolicy", trustDoc}, {"inlinePolicies[].policy", identityDoc}},

	tokens.KMSKey:        {{"policy", keyDoc}},
	tokens.KMSReplicaKey: {{"policy", keyDoc}},

	tokens.S3BucketPolicy:              {{"policy", resourceDoc}},
	tokens.S3Bucket:                    {{"policy", resourceDoc}},
	tokens.SQSQueuePolicy:              {{"policy", resourceDoc}},
	tokens.SQSQueue:                    {{"policy", resourceDoc}},
	tokens.SNSTopicPolicy:              {{"policy", resourceDoc}},
	tokens.SNSTopic:                    {{"policy", resourceDoc}},
	tokens.SecretsManagerSecretPolicy:  {{"policy", resourceDoc}},
	tokens.SecretsManagerSecret:        {{"policy", resourceDoc}},
	tokens.CloudWatchEventBusPolicy:    {{"policy", resourceDoc}},
	tokens.CloudWatchLogResourcePolicy: {{"policyDocument", resourceDoc}},
	tokens.OpenSearchDomainPolicy:      {{"accessPolicies", resourceDoc}},
	tokens.OpenSearchDomain:            {{"accessPolicies", resourceDoc}},
	tokens.ECRRepositoryPolicy:         {{"policy", resourceDoc}},
	tokens.BackupVaultPolicy:           {{"policy", resourceDoc}},
	tokens.EFSFileSystemPolicy:         {{"policy", resourceDoc}},
	tokens.APIGatewayRestApiPolicy:     {{"policy", resourceDoc}},
}

// documentTypes are the types of documentSources, sorted.
func documentTypes(kinds ...docKind) []string {
	var out []string
	for typ, srcs := range documentSources {
		for _, s := range srcs {
			if len(kinds) == 0 || containsKind(kinds, s.kind) {
				out = append(out, typ)
				break
			}
		}
	}
	sortStrings(out)
	return out
}

func containsKind(kinds []docKind, k docKind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// namedDoc is one parsed document and where it came from.
type namedDoc struct {
	where string // the input path, for messages
	kind  docKind
	doc   document
}

// documents parses every policy document r carries.
func documents(in map[string]any, typ string) []namedDoc {
	var out []namedDoc
	for _, src := range documentSources[typ] {
		if base, ok := strings.CutSuffix(src.key, "[].policy"); ok {
			for i, p := range list(in[base]) {
				if doc, ok := parseDocument(get(p, "policy")); ok {
					out = append(out, namedDoc{where: base + "[" + itoa(i) + "].policy", kind: src.kind, doc: doc})
				}
			}
			continue
		}
		if doc, ok := parseDocument(in[src.key]); ok {
			out = append(out, namedDoc{where: src.key, kind: src.kind, doc: doc})
		}
	}
	return out
}

func sid(s statement) string {
	if s.Sid != "" {
		return "statement " + s.Sid
	}
	return "a statement"
}
