package config

import (
	"fmt"
	"sort"
	"strings"
)

// BusPublication declares events a function or a service puts on the bus:
// one event source and the detail types it emits under it. A publisher
// gets EVENT_BUS_NAME and events:PutEvents on the bus conditioned on
// exactly these values (events:source, events:detail-type), because
// EventBridge does not authenticate an event's source: any principal
// allowed PutEvents may put any source, and the withdrawal workflow starts
// on `dbay.wallet` / `withdrawal.requested`
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html).
type BusPublication struct {
	// Source the events carry, e.g. dbay.wallet: 1-256 characters, not
	// aws.* (reserved for AWS services). Required.
	Source string `json:"source"`
	// DetailTypes emitted under Source, e.g. [withdrawal.requested]: each
	// 1-128 characters (PutEventsRequestEntry.DetailType). Absent: every
	// detail type of the source (the grant is then conditioned on the
	// source only); name them whenever a rule consumes one that moves money.
	DetailTypes []string `json:"detailTypes"`
}

// busUseHint is what `uses: bus` says now that publishing is declared.
const busUseHint = "declare what it emits instead: publishes: [{source: dbay.wallet, detailTypes: [withdrawal.requested]}] " +
	"(gives EVENT_BUS_NAME and events:PutEvents limited to those sources and detail types)"

// usesOf is stores (Data.UsableStores) without the bus, whose key only
// says the stack has one: what a `uses` entry may name.
func usesOf(stores map[string][]string) map[string][]string {
	out := make(map[string][]string, len(stores))
	for k, v := range stores {
		if k != UseBus {
			out[k] = v
		}
	}
	return out
}

// validatePublishes checks one publisher's publishes list: path is the
// list's key path, hasBus whether data.bus is configured.
func validatePublishes(c *collector, path string, pubs []BusPublication, hasBus bool) {
	if len(pubs) > 0 && !hasBus {
		c.required(path, "needs the event bus", "configure data.bus or remove publishes")
	}
	sources := map[string]bool{}
	for i, p := range pubs {
		pp := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case p.Source == "" || !eventSourceRe.MatchString(p.Source) || strings.HasPrefix(p.Source, "aws."):
			c.invalidf(pp+".source", p.Source, "use the source the events carry, 1-256 letters, digits, '.', '_', '/', '-', not aws.* (reserved for AWS), e.g. dbay.wallet", "%q is not an event source", p.Source)
		case sources[p.Source]:
			c.invalidf(pp+".source", p.Source, "list each source once, with all its detailTypes", "%q is listed twice", p.Source)
		}
		sources[p.Source] = true
		checkEventValues(c, pp+".detailTypes", p.DetailTypes, func(v string) bool {
			return len(v) <= 128 && strings.TrimSpace(v) == v
		}, "use a detail type of 1-128 characters without surrounding spaces, e.g. withdrawal.requested")
	}
}

// publisher is one declared producer of bus events, for the coverage check.
type publisher struct {
	who  string // its key path, e.g. serverless.functions.finalize_ledger
	pubs []BusPublication
}

// publishers are every producer the stack declares: fleet services, then
// functions, in key-path order.
func (cfg *Config) publishers() []publisher {
	var out []publisher
	if cfg.Fleet != nil {
		for i, s := range cfg.Fleet.Services {
			if len(s.Publishes) > 0 {
				out = append(out, publisher{fmt.Sprintf("fleet.services[%d] (%s)", i, s.Name), s.Publishes})
			}
		}
	}
	if cfg.Serverless != nil {
		for _, name := range sortedMapKeys(cfg.Serverless.Functions) {
			if p := cfg.Serverless.Functions[name].Publishes; len(p) > 0 {
				out = append(out, publisher{"serverless.functions." + name, p})
			}
		}
	}
	return out
}

// emits reports whether some publisher puts an event matching one of
// sources and one of detailTypes (nil: any detail type).
func emits(pubs []publisher, sources, detailTypes []string) bool {
	for _, p := range pubs {
		for _, bp := range p.pubs {
			if !contains(sources, bp.Source) {
				continue
			}
			if len(detailTypes) == 0 || len(bp.DetailTypes) == 0 {
				return true
			}
			for _, d := range bp.DetailTypes {
				if contains(detailTypes, d) {
					return true
				}
			}
		}
	}
	return false
}

// validateBusCoverage refuses a consumer of the bus — a workflow trigger,
// a rule, a queue's subscription — waiting for events nobody in the stack
// is allowed to put: every source it names must be published with one of
// its detail types, and every detail type it names under one of its
// sources. The bus policy admits this account only and every PutEvents
// grant is a publishes entry, so such a consumer never fires.
//
// The check needs every producer the program deploys, so it runs on an
// application stack, one with both a fleet and a serverless section (DBay
// prod and dr); a stack with only some sections (component tests, a data
// layer whose producers are deployed elsewhere) is not checked.
func (cfg *Config) validateBusCoverage(c *collector) {
	if cfg.Data.Bus == nil || cfg.Fleet == nil || cfg.Serverless == nil {
		return
	}
	pubs := cfg.publishers()
	hint := func(source, detailType string) string {
		want := "{source: " + source
		if detailType != "" {
			want += ", detailTypes: [" + detailType + "]"
		}
		return fmt.Sprintf("add %s} to the publishes of the function or service that emits it (publishers: %s)", want, describePublishers(pubs))
	}
	consumer := func(path string, sources, detailTypes []string) {
		for i, s := range sources {
			if !emits(pubs, []string{s}, detailTypes) {
				c.invalidf(fmt.Sprintf("%s.sources[%d]", path, i), s, hint(s, strings.Join(detailTypes, ", ")),
					"no function or service publishes source %q%s, so this never fires", s, withTypes(detailTypes))
			}
		}
		for i, d := range detailTypes {
			if !emits(pubs, sources, []string{d}) {
				c.invalidf(fmt.Sprintf("%s.detailTypes[%d]", path, i), d, hint(strings.Join(sources, "|"), d),
					"no function or service publishes detail type %q under %v, so it never arrives", d, sources)
			}
		}
	}
	if s := cfg.Serverless; s != nil {
		for _, name := range sortedMapKeys(s.Workflows) {
			if t := s.Workflows[name].Trigger; t != nil && !emits(pubs, []string{t.Source}, []string{t.DetailType}) {
				c.invalidf("serverless.workflows."+name+".trigger", nil, hint(t.Source, t.DetailType),
					"no function or service publishes %s %s, so the workflow never starts", t.Source, t.DetailType)
			}
		}
		for _, name := range sortedMapKeys(s.Rules) {
			r := s.Rules[name]
			consumer("serverless.rules."+name, r.Sources, r.DetailTypes)
		}
	}
	for _, name := range sortedMapKeys(cfg.Data.Queues) {
		if q := cfg.Data.Queues[name]; len(q.Sources) > 0 {
			consumer("data.queues."+name, q.Sources, q.DetailTypes)
		}
	}
}

func withTypes(detailTypes []string) string {
	if len(detailTypes) == 0 {
		return ""
	}
	return fmt.Sprintf(" with one of the detail types %v", detailTypes)
}

// describePublishers lists who publishes what, for error hints.
func describePublishers(pubs []publisher) string {
	if len(pubs) == 0 {
		return "none declared"
	}
	var parts []string
	for _, p := range pubs {
		for _, bp := range p.pubs {
			types := "*"
			if len(bp.DetailTypes) > 0 {
				types = strings.Join(bp.DetailTypes, ",")
			}
			parts = append(parts, fmt.Sprintf("%s: %s %s", p.who, bp.Source, types))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}
