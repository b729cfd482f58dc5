// Package cost estimates what a synthesized stack costs per month: a price
// table kept as data (prices.json, embedded) and a cost model per resource
// type over the resources the mock engine captured.
package cost

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

//go:embed prices.json
var pricesJSON []byte

// Source values of a price table.
const (
	// SourceCompiled: compiled by hand from AWS's published price pages
	// (each line cites its page), until a refresh replaces it.
	SourceCompiled = "compiled"
	// SourceFetched: rewritten by cmd/prices from AWS Price List bulk offer files.
	SourceFetched = "fetched"
)

// Price is one price line: USD per unit, and where it comes from.
type Price struct {
	USD    float64 `json:"usd"`
	Unit   string  `json:"unit"`   // hour, GB-month, month, GB, 1M requests, ...
	Source string  `json:"source"` // the AWS price page or offer file it comes from
	// SKU is the Price List SKU a refresh matched ("" for a compiled line).
	SKU string `json:"sku,omitempty"`
	// Confirmed says whether the price was checked against a published
	// quotation of it: true with ConfirmedBy naming the page that quotes it
	// (an offer file for a fetched line), false with a Note saying why it
	// could not be. Every line carries the mark; a line without one is
	// rejected, so no price enters a report unexamined.
	Confirmed *bool `json:"confirmed"`
	// ConfirmedBy is the https URL of the page (or offer file) that quotes
	// this price, when it is not Source itself.
	ConfirmedBy string `json:"confirmedBy,omitempty"`
	// Note says what is known of an unconfirmed price, or what a confirmed
	// one rests on.
	Note string `json:"note,omitempty"`
}

// IsConfirmed reports whether the line's price was confirmed.
func (p Price) IsConfirmed() bool { return p.Confirmed != nil && *p.Confirmed }

// Table is the price table: region -> key -> price line.
type Table struct {
	Source            string                      `json:"source"`
	CompiledFrom      string                      `json:"compiledFrom,omitempty"`
	AsOf              string                      `json:"asOf"`
	OfferFileVersions map[string]string           `json:"offerFileVersions"`
	Regions           map[string]map[string]Price `json:"regions"`
}

// Prices is the embedded price table (prices.json).
func Prices() (*Table, error) { return ParseTable(pricesJSON) }

// ParseTable reads and validates a price table, reporting every problem at once.
func ParseTable(b []byte) (*Table, error) {
	var t Table
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("price table: %w", err)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

// Validate checks the table's header and every line.
func (t *Table) Validate() error {
	var errs []error
	if t.Source != SourceCompiled && t.Source != SourceFetched {
		errs = append(errs, fmt.Errorf("price table: source is %q; want %q or %q", t.Source, SourceCompiled, SourceFetched))
	}
	if t.AsOf == "" {
		errs = append(errs, errors.New("price table: asOf is empty; want the date the prices were compiled or fetched (YYYY-MM-DD)"))
	}
	if len(t.Regions) == 0 {
		errs = append(errs, errors.New("price table: no regions"))
	}
	for _, region := range sortedKeys(t.Regions) {
		for _, key := range sortedKeys(t.Regions[region]) {
			p := t.Regions[region][key]
			where := fmt.Sprintf("price table: regions.%s[%q]", region, key)
			if p.USD < 0 {
				errs = append(errs, fmt.Errorf("%s: usd is %v; want a price of zero or more", where, p.USD))
			}
			if p.Unit == "" {
				errs = append(errs, fmt.Errorf("%s: unit is empty", where))
			}
			if !strings.HasPrefix(p.Source, "https://") {
				errs = append(errs, fmt.Errorf("%s: source is %q; want the https URL of the page or offer file", where, p.Source))
			}
			switch {
			case p.Confirmed == nil:
				errs = append(errs, fmt.Errorf("%s: confirmed is missing; want true (with confirmedBy, the page quoting the price) or false (with a note saying why it is unconfirmed)", where))
			case *p.Confirmed && !strings.HasPrefix(p.ConfirmedBy, "https://"):
				errs = append(errs, fmt.Errorf("%s: confirmed is true but confirmedBy is %q; want the https URL of the page or offer file quoting the price", where, p.ConfirmedBy))
			case !*p.Confirmed && strings.TrimSpace(p.Note) == "":
				errs = append(errs, fmt.Errorf("%s: confirmed is false without a note; say what the price rests on and why it is unconfirmed", where))
			}
		}
	}
	return errors.Join(errs...)
}

// Lookup returns the price line for key in region.
func (t *Table) Lookup(region, key string) (Price, error) {
	r, ok := t.Regions[region]
	if !ok {
		return Price{}, fmt.Errorf("no prices for region %q (the table has %s)", region, strings.Join(sortedKeys(t.Regions), ", "))
	}
	p, ok := r[key]
	if !ok {
		return Price{}, fmt.Errorf("no price line %q in %s", key, region)
	}
	return p, nil
}

// Marshal renders the table as prices.json is written: indented, keys sorted.
func (t *Table) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
