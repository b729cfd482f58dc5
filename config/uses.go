package config

import "strings"

// This file is the one place a `uses` entry is interpreted: ParseUse turns
// an entry into a typed Use, ResolveUses adds the access its consumer gets,
// and the connection-variable table (storeUses, data.go, and the
// constants below) says what each entry sets.
// Validation (Data.UsableStores), the DataLayer's bindings
// (components/datalayer/binding.go) and both consumers (the fleet, the
// serverless functions) read them; none of them matches entries by string.

// UseKind is what a `uses` entry names.
type UseKind string

// Use kinds (ParseUse). The constants are untyped so that a raw entry
// compares with them too (u == UseBus). UseKey (key:<name>) is in keys.go.
const (
	UseStore  = "store"  // a network store: postgres, mongo, redis, search, memcached
	UseBucket = "bucket" // bucket:<name>
	UseQueue  = "queue"  // queue:<name>
	UseBus    = "bus"    // not a use: a publisher declares `publishes`
	UseSES    = "ses"    // ses (the SES API) and ses:smtp (SMTP credentials)
)

// Access is what a consumer may do with what it uses. The same entry grants
// differently per consumer (a fleet service consumes a queue, a function
// sends to it), so every grant states its access explicitly.
type Access string

// Access modes.
const (
	// AccessConnect: a network store's port, its credentials (read by the
	// role that injects them) and, for OpenSearch, its HTTP API.
	AccessConnect Access = "connect"
	// AccessReadWrite: a bucket's objects, read and write, through its key.
	AccessReadWrite Access = "readWrite"
	// AccessConsume: a queue's messages, received and deleted.
	AccessConsume Access = "consume"
	// AccessSend: a queue's SendMessage, or SES's SendEmail from the
	// configured address.
	AccessSend Access = "send"
	// AccessCredentials: ses:smtp, the SMTP credentials only (SES checks
	// the SMTP user's own policy, not the consumer's role).
	AccessCredentials Access = "credentials"
	// AccessEncrypt: an application key's encrypt and decrypt.
	AccessEncrypt Access = "encrypt"
)

// Consumer is what declares `uses`: a fleet service or a serverless function.
type Consumer string

// Consumers.
const (
	ConsumerService  Consumer = "service"
	ConsumerFunction Consumer = "function"
)

// Use is one parsed `uses` entry.
type Use struct {
	// Entry is the entry as written ("bucket:listing-images"): errors and
	// the environment's provenance ("uses bucket:listing-images") name it.
	Entry string
	Kind  UseKind
	// Name is the store (postgres, …), bucket, queue or key name; "smtp"
	// for ses:smtp; "" for ses and bus.
	Name string
	// Access is what the consumer gets (ResolveUses); "" from ParseUse.
	Access Access
}

// ParseUse parses a `uses` entry: "bucket:x" -> (bucket, x), "postgres" ->
// (store, postgres), "bus" -> (bus, "").
func ParseUse(u string) Use {
	if k, n, ok := strings.Cut(u, ":"); ok {
		return Use{Entry: u, Kind: UseKind(k), Name: n}
	}
	switch u {
	case UseBus, UseSES:
		return Use{Entry: u, Kind: UseKind(u)}
	}
	return Use{Entry: u, Kind: UseStore, Name: u}
}

// ResolveUses parses a consumer's `uses` entries, in order, each with the
// access that consumer gets: a queue is consumed by a service and sent to
// by a function; everything else grants the same to both.
func ResolveUses(entries []string, c Consumer) []Use {
	out := make([]Use, 0, len(entries))
	for _, e := range entries {
		u := ParseUse(e)
		switch {
		case u.Kind == UseStore:
			u.Access = AccessConnect
		case u.Kind == UseBucket:
			u.Access = AccessReadWrite
		case u.Kind == UseQueue && c == ConsumerService:
			u.Access = AccessConsume
		case u.Kind == UseQueue:
			u.Access = AccessSend
		case u.IsSMTP():
			u.Access = AccessCredentials
		case u.Kind == UseSES:
			u.Access = AccessSend
		case u.Kind == UseKey:
			u.Access = AccessEncrypt
		}
		out = append(out, u)
	}
	return out
}

// ResolvedUses are the service's `uses`, parsed, with a service's access.
func (s FleetService) ResolvedUses() []Use { return ResolveUses(s.Uses, ConsumerService) }

// ResolvedUses are the function's `uses`, parsed, with a function's access.
func (f LambdaFunction) ResolvedUses() []Use { return ResolveUses(f.Uses, ConsumerFunction) }

// IsSMTP reports whether the use is ses:smtp.
func (u Use) IsSMTP() bool { return u.Entry == UseSESSMTP }

// ViaNAT reports whether the use calls an AWS API that has no VPC endpoint
// in the Network (SQS, the SES API), so its consumer needs HTTPS through
// NAT. ses:smtp sends over SMTP (an `egress` entry), not the SES API.
func (u Use) ViaNAT() bool {
	return u.Kind == UseQueue || (u.Kind == UseSES && u.Name == "")
}

// Connection variables: every variable a `uses` entry or `publishes` sets,
// spelled once. Validation, the consumers' derived environments and the
// stores' connections use these names; storeUses says which store sets which.
const (
	EventBusVariable = "EVENT_BUS_NAME" // publishes
	QueueURLVariable = "SQS_QUEUE_URL"  // uses queue:<name>
	SESFromVariable  = "SES_FROM_EMAIL" // uses ses
	// The network stores' variables (DATABASE_URL, …) are declared with
	// their sections and storeUses (data.go); DefaultBucketEnvVar (uses
	// bucket:<name>, unless data.buckets.<name>.envVar says otherwise) and
	// SMTPUserVariable, SMTPPassVariable (uses ses:smtp) with theirs
	// (data_messaging.go).
)

// storeUse is one row of storeUses (data.go): a network store a `uses`
// entry can name, the variable it sets, whether the data section enables
// it, and, for a section whose defaults and validation sit with it, those.
type storeUse struct {
	entry, variable string
	enabled         func(Data) bool
	// defaults, when set, applies the section's defaults (called only
	// when enabled), after the sections of data_defaults.go.
	defaults func(d *Data, project string)
	// validate, when set, validates the section (called only when
	// enabled), after the sections of data_validate.go.
	validate func(d Data, c *collector, azCount int)
}

// StoreEntries are the `uses` entries of every network store, in table
// order, whether or not a stack has them: the DataLayer's store registry
// names the same (components/datalayer TestRegistryMatchesConfig).
func StoreEntries() []string {
	out := make([]string, 0, len(storeUses))
	for _, s := range storeUses {
		out = append(out, s.entry)
	}
	return out
}

// applyStoreDefaults runs the defaults of the enabled sections that have
// theirs in storeUses.
func (d *Data) applyStoreDefaults(project string) {
	for _, s := range storeUses {
		if s.defaults != nil && s.enabled(*d) {
			s.defaults(d, project)
		}
	}
}

// validateStores runs the validation of the enabled sections that have
// theirs in storeUses.
func (d Data) validateStores(c *collector, azCount int) {
	for _, s := range storeUses {
		if s.validate != nil && s.enabled(d) {
			s.validate(d, c, azCount)
		}
	}
}

// StoreVariable is the connection variable of a network store's `uses`
// entry (postgres -> DATABASE_URL); "" for an entry that is no store.
func StoreVariable(store string) string {
	for _, s := range storeUses {
		if s.entry == store {
			return s.variable
		}
	}
	return ""
}

// storeVariables are the stores' variables, in table order: env may not
// set them (derivedEnv), whether or not the stack has the store.
func storeVariables() []string {
	out := make([]string, 0, len(storeUses))
	for _, s := range storeUses {
		out = append(out, s.variable)
	}
	return out
}

// UsableStores maps every `uses` entry the data section enables to the
// variables it sets (the DataLayer's connection variables), and "bus" to
// EVENT_BUS_NAME when the stack has one: a bus is reached by `publishes`,
// never by `uses` (validation refuses `uses: bus`).
func (d Data) UsableStores() map[string][]string {
	m := map[string][]string{}
	for _, s := range storeUses {
		if s.enabled(d) {
			m[s.entry] = []string{s.variable}
		}
	}
	if d.Bus != nil {
		m[UseBus] = []string{EventBusVariable}
	}
	if d.SES != nil {
		m[UseSES] = []string{SESFromVariable}
		if d.SES.SMTPCredentials {
			m[UseSESSMTP] = []string{SMTPUserVariable, SMTPPassVariable}
		}
	}
	for n, b := range d.Buckets {
		v := b.EnvVar
		if v == "" {
			v = DefaultBucketEnvVar
		}
		m[UseBucket+":"+n] = []string{v}
	}
	for n := range d.Queues {
		m[UseQueue+":"+n] = []string{QueueURLVariable}
	}
	return m
}
