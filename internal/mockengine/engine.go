// Package mockengine is the recording mock resource monitor the tests and the
// offline synth run the program under. It answers like a real provider would
// (ids, ARNs in the resource's region for account 123456789012, endpoints)
// so wiring bugs show up, answers the invokes the program makes, and records
// every registration with its inputs, parent, provider and options.
package mockengine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Account is the AWS account every mocked ARN belongs to.
const Account = "123456789012"

// Options are the resource options a registration carried.
type Options struct {
	Protect             bool     `json:"protect"`
	RetainOnDelete      bool     `json:"retainOnDelete"`
	IgnoreChanges       []string `json:"ignoreChanges"`
	DeleteBeforeReplace bool     `json:"deleteBeforeReplace"`
	Aliases             []string `json:"aliases,omitempty"`
}

// Resource is one recorded registration (or read, for StackReferences).
type Resource struct {
	URN          string
	Type         string
	Name         string
	ID           string
	Custom       bool
	Remote       bool // a multi-language component such as awsx:ec2:Vpc
	Read         bool // arrived as a read (pulumi.StackReference, Get functions)
	Parent       string
	Provider     string            // URN of the explicit provider, "" for the default one
	Providers    map[string]string // package -> provider URN, for components
	Dependencies []string
	Inputs       resource.PropertyMap
	Outputs      resource.PropertyMap
	Options      Options
	Region       string // region the resource was created in (from its provider)
}

// Engine is a pulumi.MockResourceMonitor that records. Create one per run.
type Engine struct {
	project, stack string
	region         string // default provider's region (aws:region)

	mu        sync.Mutex
	resources map[string]*Resource
	order     []string
	// StackOutputs answers pulumi.StackReference reads: stack name -> outputs.
	stackOutputs map[string]map[string]any
	// unreadable are stacks whose state cannot be read (synth
	// --primary-down): a StackReference to one fails.
	unreadable map[string]string
	// world is what already exists in the account, created by another
	// run (a DR pair's primary): data sources read it (SetWorld).
	world   []*Resource
	invokes []Invoke
	// tb, when set (NewHarness), is the test an ambiguous Get fails.
	tb TB
}

// Invoke is one recorded function call.
type Invoke struct {
	Token    string
	Provider string
	Args     resource.PropertyMap
}

// New returns an engine for one run of project/stack whose default AWS
// provider is in region.
func New(project, stack, region string) *Engine {
	return &Engine{
		project: project, stack: stack, region: region,
		resources:    map[string]*Resource{},
		stackOutputs: map[string]map[string]any{},
	}
}

// SetStackOutputs makes a StackReference to name resolve to outputs.
func (e *Engine) SetStackOutputs(name string, outputs map[string]any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stackOutputs[name] = outputs
}

// SetUnreadable makes every StackReference read of stack fail with why
// (a primary whose Region, and state, are down).
func (e *Engine) SetUnreadable(stack, why string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.unreadable == nil {
		e.unreadable = map[string]string{}
	}
	e.unreadable[stack] = why
}

// SetWorld hands the engine resources another run created in the same
// account (a DR pair's primary run): the data sources the program calls
// (SSM getParameter, Secrets Manager getSecretVersion) answer from them,
// in the Region each was created in, as AWS would.
func (e *Engine) SetWorld(rs []*Resource) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.world = append([]*Resource(nil), rs...)
}

// RunOption installs the engine as the run's mock monitor.
func (e *Engine) RunOption() pulumi.RunOption {
	return pulumi.WithMocks(e.project, e.stack, e)
}

// NewResource implements pulumi.MockResourceMonitor.
func (e *Engine) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r := &Resource{Type: args.TypeToken, Name: args.Name, Custom: args.Custom, Inputs: args.Inputs}
	if rpc := args.RegisterRPC; rpc != nil {
		r.Parent = rpc.GetParent()
		r.Remote = rpc.GetRemote()
		r.Dependencies = append([]string(nil), rpc.GetDependencies()...)
		sort.Strings(r.Dependencies)
		r.Options = Options{
			Protect:             rpc.GetProtect(),
			RetainOnDelete:      rpc.GetRetainOnDelete(),
			IgnoreChanges:       append([]string{}, rpc.GetIgnoreChanges()...),
			DeleteBeforeReplace: rpc.GetDeleteBeforeReplace(),
			Aliases:             append([]string(nil), rpc.GetAliasURNs()...),
		}
		for _, a := range rpc.GetAliases() {
			if u := a.GetUrn(); u != "" {
				r.Options.Aliases = append(r.Options.Aliases, u)
			} else if spec := a.GetSpec(); spec != nil && spec.GetName() != "" {
				r.Options.Aliases = append(r.Options.Aliases, "name:"+spec.GetName())
			}
		}
		if p := rpc.GetProviders(); len(p) > 0 {
			r.Providers = map[string]string{}
			for k, v := range p {
				r.Providers[k] = refURN(v)
			}
		}
	}
	if rpc := args.ReadRPC; rpc != nil {
		r.Read = true
		r.Parent = rpc.GetParent()
		r.Dependencies = append([]string(nil), rpc.GetDependencies()...)
	}
	r.Provider = refURN(args.Provider)
	r.URN = e.urn(r.Parent, r.Type, r.Name)

	e.mu.Lock()
	r.Region = e.regionOfLocked(r)
	e.mu.Unlock()

	id, outs, err := e.respond(r, args.ID)
	if err != nil {
		return "", nil, fmt.Errorf("mockengine: %s %q: %w", r.Type, r.Name, err)
	}
	r.ID, r.Outputs = id, outs

	e.mu.Lock()
	defer e.mu.Unlock()
	if _, dup := e.resources[r.URN]; dup {
		return "", nil, fmt.Errorf("mockengine: duplicate resource URN %s", r.URN)
	}
	e.resources[r.URN] = r
	e.order = append(e.order, r.URN)
	return id, outs, nil
}

// Call implements pulumi.MockResourceMonitor for invokes.
func (e *Engine) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	e.mu.Lock()
	e.invokes = append(e.invokes, Invoke{Token: args.Token, Provider: refURN(args.Provider), Args: args.Args})
	region := e.region
	if p, ok := e.resources[refURN(args.Provider)]; ok {
		region = providerRegion(p, e.region)
	}
	e.mu.Unlock()
	out, err := e.invoke(args.Token, args.Args, region)
	if err != nil {
		return nil, fmt.Errorf("mockengine: invoke %s: %w", args.Token, err)
	}
	return out, nil
}

// Resources returns every recorded resource sorted by URN.
func (e *Engine) Resources() []*Resource {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*Resource, 0, len(e.resources))
	for _, r := range e.resources {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

// Invokes returns the recorded invokes in call order.
func (e *Engine) Invokes() []Invoke {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Invoke(nil), e.invokes...)
}

// ByType returns the recorded resources of a type token, sorted by URN.
func (e *Engine) ByType(typ string) []*Resource {
	var out []*Resource
	for _, r := range e.Resources() {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Get returns the resource of type typ with logical name name, or nil.
// Two such resources (under different parents) make the query ambiguous:
// Get fails the test (the harness's, see NewHarness) or panics, naming
// both URNs, rather than return one of them; ask by URN (ByURN) instead.
func (e *Engine) Get(typ, name string) *Resource {
	var found []*Resource
	for _, r := range e.ByType(typ) {
		if r.Name == name {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		return nil
	case 1:
		return found[0]
	}
	urns := make([]string, len(found))
	for i, r := range found {
		urns[i] = r.URN
	}
	msg := fmt.Sprintf("mockengine: Get(%s, %q) is ambiguous, %d resources match: %s", typ, name, len(found), strings.Join(urns, ", "))
	if e.tb != nil {
		e.tb.Helper()
		e.tb.Fatalf("%s", msg)
		return nil
	}
	panic(msg)
}

// ByURN returns the resource with that URN, or nil.
func (e *Engine) ByURN(urn string) *Resource {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.resources[urn]
}

// Children returns the resources whose parent is urn.
func (e *Engine) Children(urn string) []*Resource {
	var out []*Resource
	for _, r := range e.Resources() {
		if r.Parent == urn {
			out = append(out, r)
		}
	}
	return out
}

func (e *Engine) urn(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(e.stack), tokens.PackageName(e.project), parentType, tokens.Type(typ), name))
}

// regionOfLocked is the region a resource lives in: its explicit provider's,
// a provider's own, or the default.
func (e *Engine) regionOfLocked(r *Resource) string {
	if strings.HasPrefix(r.Type, "pulumi:providers:") {
		return providerRegion(r, e.region)
	}
	if p, ok := e.resources[r.Provider]; ok {
		return providerRegion(p, e.region)
	}
	if u, ok := r.Providers["aws"]; ok {
		if p, ok := e.resources[u]; ok {
			return providerRegion(p, e.region)
		}
	}
	return e.region
}

func providerRegion(p *Resource, def string) string {
	if v, ok := p.Inputs["region"]; ok && v.IsString() && v.StringValue() != "" {
		return v.StringValue()
	}
	return def
}

// refURN strips the "::id" from a provider reference "urn::id".
func refURN(ref string) string {
	if i := strings.LastIndex(ref, "::"); i > 0 && strings.HasPrefix(ref, "urn:") {
		return ref[:i]
	}
	return ref
}

// hashOf is a stable short hex digest, used to make ids that look real and
// stay the same between runs.
func hashOf(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:])
}

// Run runs a program under this engine, e.g. a component test's small
// program. opts can add config (see synth.WithConfig).
func (e *Engine) Run(program pulumi.RunFunc, opts ...pulumi.RunOption) error {
	return pulumi.RunErr(program, append([]pulumi.RunOption{e.RunOption()}, opts...)...)
}
