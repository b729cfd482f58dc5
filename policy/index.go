package policy

import (
	"sort"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// Index gives a rule lookups across the whole stack: resources by type, by
// URN, by an identifier another resource's input carries (id, ARN, name,
// bucket, URL), children of a component, and derived facts several rules
// share (is this bucket's policy TLS-only? which security groups belong
// to a load balancer?).
type Index struct {
	opts     Options
	all      []*mockengine.Resource
	byURN    map[string]*mockengine.Resource
	byType   map[string][]*mockengine.Resource
	byRef    map[string][]*mockengine.Resource
	children map[string][]*mockengine.Resource
	in       map[*mockengine.Resource]map[string]any
	// partner indexes Options.Partner by reference, partnerByType by type
	// (empty outside a pair).
	partner       map[string][]*mockengine.Resource
	partnerByType map[string][]*mockengine.Resource
}

// refKeys are the outputs other resources use to point at a resource.
var refKeys = []string{"id", "arn", "name", "bucket", "url", "keyId", "clusterIdentifier", "domainName"}

// NewIndex indexes a stack's resources.
func NewIndex(resources []*mockengine.Resource, opts Options) Index {
	x := Index{
		opts: opts, all: resources,
		byURN:    map[string]*mockengine.Resource{},
		byType:   map[string][]*mockengine.Resource{},
		byRef:    map[string][]*mockengine.Resource{},
		children: map[string][]*mockengine.Resource{},
		in:       map[*mockengine.Resource]map[string]any{},
	}
	x.partnerByType = map[string][]*mockengine.Resource{}
	for _, r := range opts.Partner {
		x.partnerByType[r.Type] = append(x.partnerByType[r.Type], r)
	}
	for _, r := range resources {
		x.byURN[r.URN] = r
		x.byType[r.Type] = append(x.byType[r.Type], r)
		x.children[r.Parent] = append(x.children[r.Parent], r)
		x.in[r] = r.In()
		for _, ref := range refsOf(r) {
			x.byRef[ref] = append(x.byRef[ref], r)
		}
	}
	if len(opts.Partner) > 0 {
		x.partner = map[string][]*mockengine.Resource{}
		for _, r := range opts.Partner {
			for _, ref := range refsOf(r) {
				x.partner[ref] = append(x.partner[ref], r)
			}
		}
	}
	return x
}

// Resolve returns the resources of type typ one of whose identifiers is
// ref: in this stack, or else in the DR partner's (Options.Partner), where
// a cross-Region replica's source lives.
func (x Index) Resolve(typ, ref string) []*mockengine.Resource {
	var out []*mockengine.Resource
	for _, set := range [][]*mockengine.Resource{x.byRef[ref], x.partner[ref]} {
		for _, r := range set {
			if r.Type == typ {
				out = append(out, r)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

func refsOf(r *mockengine.Resource) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && s != mockengine.Unknown && s != mockengine.Redacted && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	add(r.ID)
	outs := r.Out()
	for _, k := range refKeys {
		add(str(outs[k]))
	}
	return out
}

// Protected reports whether the stack requires protection (see Options).
func (x Index) Protected() bool { return !x.opts.Unprotected }

// In is r's rendered inputs (computed once per evaluation).
func (x Index) In(r *mockengine.Resource) map[string]any {
	if m, ok := x.in[r]; ok {
		return m
	}
	return r.In()
}

// All is every resource of the stack, sorted as given.
func (x Index) All() []*mockengine.Resource { return x.all }

// ByType returns the resources of a type token.
func (x Index) ByType(typ string) []*mockengine.Resource { return x.byType[typ] }

// PairByType returns the resources of a type token in this stack and in
// its DR partner (Options.Partner), this stack's first.
func (x Index) PairByType(typ string) []*mockengine.Resource {
	return append(append([]*mockengine.Resource(nil), x.byType[typ]...), x.partnerByType[typ]...)
}

// ByURN returns the resource with that URN, or nil.
func (x Index) ByURN(urn string) *mockengine.Resource { return x.byURN[urn] }

// ByRef returns the resources one of whose identifiers (id, ARN, name,
// bucket, URL) is ref.
func (x Index) ByRef(ref string) []*mockengine.Resource { return x.byRef[ref] }

// Refs are the identifiers another resource may use to point at r.
func (x Index) Refs(r *mockengine.Resource) []string { return refsOf(r) }

// Children returns the resources whose parent is urn.
func (x Index) Children(urn string) []*mockengine.Resource { return x.children[urn] }

// Component is the name of the top-level component r was created under
// ("DataLayer"), or "" for a resource of the stack itself.
func (x Index) Component(r *mockengine.Resource) string {
	top := ""
	for p := x.byURN[r.Parent]; p != nil; p = x.byURN[p.Parent] {
		if !p.Custom && p.Type != tokens.Stack {
			top = p.Type
		}
	}
	if i := strings.LastIndex(top, ":"); i >= 0 {
		return top[i+1:]
	}
	return top
}

// Referencing returns the resources of type typ whose input key (a string)
// is one of target's identifiers: the S3 configuration resources of a
// bucket, the logging configuration of a web ACL, the flow log of a VPC.
func (x Index) Referencing(typ, key string, target *mockengine.Resource) []*mockengine.Resource {
	refs := map[string]bool{}
	for _, ref := range x.Refs(target) {
		refs[ref] = true
	}
	var out []*mockengine.Resource
	for _, r := range x.byType[typ] {
		if s := str(x.In(r)[key]); s != "" && refs[s] {
			out = append(out, r)
		}
	}
	return out
}

// Points reports whether v (a rendered input) is one of target's identifiers.
func (x Index) Points(v any, target *mockengine.Resource) bool {
	s := str(v)
	if s == "" {
		return false
	}
	for _, ref := range x.Refs(target) {
		if ref == s {
			return true
		}
	}
	return false
}

// Tags are r's effective tags: its provider's defaultTags overlaid with its own.
func (x Index) Tags(r *mockengine.Resource) map[string]string {
	out := map[string]string{}
	if p := x.byURN[r.Provider]; p != nil {
		for k, v := range obj(get(x.In(p), "defaultTags.tags")) {
			out[k] = str(v)
		}
	}
	for k, v := range obj(x.In(r)["tags"]) {
		out[k] = str(v)
	}
	return out
}

// Types lists the types present in the stack, sorted.
func (x Index) Types() []string {
	out := make([]string, 0, len(x.byType))
	for t := range x.byType {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// BucketTLSOnly reports whether a bucket policy of bucket denies every S3
// action to every principal when aws:SecureTransport is false.
func (x Index) BucketTLSOnly(bucket *mockengine.Resource) bool {
	docs := x.Referencing(tokens.S3BucketPolicy, "bucket", bucket)
	var sources []any
	for _, p := range docs {
		sources = append(sources, x.In(p)["policy"])
	}
	sources = append(sources, x.In(bucket)["policy"]) // aws:s3/bucket:Bucket's inline policy
	for _, src := range sources {
		doc, ok := parseDocument(src)
		if !ok {
			continue
		}
		for _, st := range doc.Statement {
			if st.Effect == "Deny" && st.principalIsAnyone() && st.hasAction("s3:*") && st.deniesInsecureTransport() {
				return true
			}
		}
	}
	return false
}

// LoadBalancerSecurityGroups are the ids of the security groups attached
// to any load balancer of the stack.
func (x Index) LoadBalancerSecurityGroups() map[string]bool {
	out := map[string]bool{}
	for _, typ := range loadBalancerTypes {
		for _, lb := range x.byType[typ] {
			for _, id := range list(x.In(lb)["securityGroups"]) {
				if s := str(id); s != "" {
					out[s] = true
				}
			}
		}
	}
	return out
}

// LogTargetBuckets maps the names of buckets that receive logs to the
// kind of logs: "s3" (server access logs), "alb" (load balancer access
// logs) or "cloudfront" (standard logs). S3 and ALB log delivery need an
// SSE-S3 target, and no log bucket logs itself.
func (x Index) LogTargetBuckets() map[string]string {
	out := map[string]string{}
	for _, l := range x.byType[bucketLogging] {
		out[str(x.In(l)["targetBucket"])] = "s3"
	}
	for _, b := range x.byType[bucketV1] {
		for _, l := range list(x.In(b)["loggings"]) {
			out[str(get(l, "targetBucket"))] = "s3"
		}
	}
	for _, typ := range loadBalancerTypes {
		for _, lb := range x.byType[typ] {
			if truthy(get(x.In(lb), "accessLogs.enabled")) {
				out[str(get(x.In(lb), "accessLogs.bucket"))] = "alb"
			}
		}
	}
	for _, d := range x.byType[distribution] {
		// loggingConfig.bucket is the bucket's domain name: <name>.s3.amazonaws.com
		if b := str(get(x.In(d), "loggingConfig.bucket")); b != "" {
			name, _, _ := strings.Cut(b, ".s3.")
			out[name] = "cloudfront"
		}
	}
	delete(out, "")
	return out
}

// GrantsOf are the inline policies and policy attachments whose role is
// role (matched by the role's name or id).
func (x Index) GrantsOf(role *mockengine.Resource) []*mockengine.Resource {
	var out []*mockengine.Resource
	for _, typ := range grantTypes {
		out = append(out, x.Referencing(typ, "role", role)...)
	}
	return out
}

// DependencyClosure is every URN r depends on, directly or through its
// dependencies; a dependency on a component counts as one on every
// resource under it (Pulumi waits for a component's children).
func (x Index) DependencyClosure(r *mockengine.Resource) map[string]bool {
	seen := map[string]bool{}
	var visit func(urn string)
	visit = func(urn string) {
		if seen[urn] {
			return
		}
		seen[urn] = true
		d := x.byURN[urn]
		if d == nil {
			return
		}
		for _, dep := range d.Dependencies {
			visit(dep)
		}
		if !d.Custom {
			for _, c := range x.children[urn] {
				visit(c.URN)
			}
		}
	}
	for _, dep := range r.Dependencies {
		visit(dep)
	}
	return seen
}
