package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/cost"
)

// tableCopy copies the shipped price table to a temporary file.
func tableCopy(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../internal/cost/prices.json")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "prices.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The fixture offer file (real format, three SKUs) rewrites the two lines
// it matches, leaves MySQL and every other line alone, and marks the table
// fetched with the offer's version.
func TestRefreshFromOfferFile(t *testing.T) {
	t.Parallel()
	path := tableCopy(t)
	var out, errb bytes.Buffer
	if code := run([]string{"--prices", path, "--as-of", "2026-12-07", "testdata/AmazonRDS-offer.json"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	b, _ := os.ReadFile(path)
	tab, err := cost.ParseTable(b)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Source != cost.SourceFetched || tab.AsOf != "2026-12-07" || tab.OfferFileVersions["AmazonRDS"] != "20261201000000" {
		t.Errorf("header: source %q asOf %q versions %v", tab.Source, tab.AsOf, tab.OfferFileVersions)
	}
	for _, c := range []struct {
		region, key, sku string
		usd              float64
	}{
		{"us-east-1", "rds:db.r6g.large:postgres:multi-az", "AAAA1111BBBB2222", 0.46},
		{"us-west-2", "rds:storage:gp3:single-az", "EEEE5555FFFF6666", 0.12},
	} {
		p, _ := tab.Lookup(c.region, c.key)
		if p.USD != c.usd || p.SKU != c.sku || !strings.Contains(p.Source, "/AmazonRDS/") {
			t.Errorf("%s %s = %+v; want %v from SKU %s", c.region, c.key, p, c.usd, c.sku)
		}
	}
	orig, _ := cost.Prices()
	for _, k := range []string{"rds:db.r6g.large:postgres:single-az", "elasticache:cache.r6g.large", "kms:key"} {
		got, _ := tab.Lookup("us-east-1", k)
		want, _ := orig.Lookup("us-east-1", k)
		if !reflect.DeepEqual(got, want) { // Confirmed is a pointer: compare values
			t.Errorf("%s changed without a matching product: %+v -> %+v", k, want, got)
		}
	}
	if !strings.Contains(out.String(), "2 lines from offer files") {
		t.Errorf("summary: %s", out.String())
	}
}

// Bad input: no offer files, a file that is not an offer, a bad date, and
// an offer with two products for one line each fail with a clear error and
// leave the table as it was.
func TestRefreshRejectsBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notOffer := filepath.Join(dir, "not-offer.json")
	_ = os.WriteFile(notOffer, []byte(`{"products": {}}`), 0o644)
	fixture, _ := os.ReadFile("testdata/AmazonRDS-offer.json")
	dup := strings.Replace(string(fixture), `"databaseEngine" : "MySQL"`, `"databaseEngine" : "PostgreSQL"`, 1)
	ambiguous := filepath.Join(dir, "ambiguous.json")
	_ = os.WriteFile(ambiguous, []byte(dup), 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "give one or more offer files"},
		{[]string{"--as-of", "yesterday", "x.json"}, 2, "not a date"},
		{[]string{notOffer}, 1, "is this a Price List bulk offer file"},
		{[]string{ambiguous}, 1, "2 products of AmazonRDS match"},
	} {
		path := tableCopy(t)
		before, _ := os.ReadFile(path)
		var out, errb bytes.Buffer
		code := run(append([]string{"--prices", path}, c.args...), &out, &errb)
		if code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errb.String(), c.code, c.want)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Errorf("%v: the table was rewritten", c.args)
		}
	}
}
