// Command prices refreshes internal/cost/prices.json from AWS Price List
// bulk offer files, where the network allows:
//
//	go run ./cmd/prices https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonRDS/current/us-east-1/index.json ...
//	go run ./cmd/prices --prices internal/cost/prices.json offers/AmazonRDS-us-east-1.json
//
// Each argument is an offer file (a path or an http(s) URL). Every price
// line an offer product matches takes its on-demand price and SKU; the
// others keep their compiled line. The file becomes "source": "fetched",
// dated --as-of, with the offer file versions. Nothing is written unless
// every offer file reads and every matched line is unambiguous.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/dbay/infra/internal/cost"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("prices", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("prices", "internal/cost/prices.json", "the price table to rewrite")
	asOf := fs.String("as-of", time.Now().UTC().Format("2006-01-02"), "the date the offer files were fetched (YYYY-MM-DD)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "prices: give one or more offer files (paths or URLs), e.g. https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonRDS/current/us-east-1/index.json")
		return 2
	}
	if _, err := time.Parse("2006-01-02", *asOf); err != nil {
		fmt.Fprintf(stderr, "prices: --as-of %q is not a date (YYYY-MM-DD)\n", *asOf)
		return 2
	}
	b, err := os.ReadFile(*path)
	if err != nil {
		fmt.Fprintf(stderr, "prices: %v\n", err)
		return 1
	}
	table, err := cost.ParseTable(b)
	if err != nil {
		fmt.Fprintf(stderr, "prices: %s: %v\n", *path, err)
		return 1
	}
	var offers []*cost.Offer
	sources := map[string]string{}
	for _, src := range fs.Args() {
		o, err := readOffer(src)
		if err != nil {
			fmt.Fprintf(stderr, "prices: %s: %v\n", src, err)
			return 1
		}
		offers = append(offers, o)
		sources[o.OfferCode] = sourceURL(src, o.OfferCode)
	}
	res, err := cost.Refresh(table, offers, sources, *asOf)
	if err != nil {
		fmt.Fprintf(stderr, "prices: %v\n", err)
		return 1
	}
	out, err := table.Marshal()
	if err != nil {
		fmt.Fprintf(stderr, "prices: %v\n", err)
		return 1
	}
	if err := os.WriteFile(*path, out, 0o644); err != nil {
		fmt.Fprintf(stderr, "prices: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "prices: %s: %d lines from offer files, %d kept as compiled\n", *path, len(res.Updated), len(res.Kept))
	for _, k := range res.Kept {
		fmt.Fprintf(stdout, "  kept %s\n", k)
	}
	return 0
}

func readOffer(src string) (*cost.Offer, error) {
	if strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://") {
		resp, err := http.Get(src)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET: %s", resp.Status)
		}
		return cost.ReadOffer(resp.Body)
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return cost.ReadOffer(f)
}

// sourceURL is what the table cites: the URL fetched, or for a file the
// offer's public current index (its version is in offerFileVersions).
func sourceURL(src, offerCode string) string {
	if strings.HasPrefix(src, "https://") {
		return src
	}
	return "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/" + offerCode + "/current/index.json"
}
