package cost

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Offer is the part of an AWS Price List bulk offer file a refresh reads
// (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-the-aws-price-list-bulk-api.html):
// products keyed by SKU, and their on-demand terms.
type Offer struct {
	OfferCode string                  `json:"offerCode"`
	Version   string                  `json:"version"`
	Products  map[string]OfferProduct `json:"products"`
	Terms     struct {
		OnDemand map[string]map[string]OfferTerm `json:"OnDemand"` // sku -> offerTermCode -> term
	} `json:"terms"`
}

// OfferProduct is one SKU.
type OfferProduct struct {
	SKU           string            `json:"sku"`
	ProductFamily string            `json:"productFamily"`
	Attributes    map[string]string `json:"attributes"`
}

// OfferTerm is one on-demand term of a SKU.
type OfferTerm struct {
	PriceDimensions map[string]struct {
		Unit         string            `json:"unit"`
		BeginRange   string            `json:"beginRange"`
		PricePerUnit map[string]string `json:"pricePerUnit"`
	} `json:"priceDimensions"`
}

// ReadOffer decodes an offer file and checks it has what a refresh needs.
func ReadOffer(r io.Reader) (*Offer, error) {
	var o Offer
	if err := json.NewDecoder(r).Decode(&o); err != nil {
		return nil, fmt.Errorf("offer file: %w", err)
	}
	if o.OfferCode == "" || o.Version == "" {
		return nil, fmt.Errorf("offer file: offerCode %q, version %q: want both (is this a Price List bulk offer file?)", o.OfferCode, o.Version)
	}
	if len(o.Products) == 0 {
		return nil, fmt.Errorf("offer file %s: no products", o.OfferCode)
	}
	return &o, nil
}

// onDemandUSD is the SKU's first-tier on-demand USD price.
func (o *Offer) onDemandUSD(sku string) (float64, bool) {
	for _, code := range sortedKeys(o.Terms.OnDemand[sku]) {
		t := o.Terms.OnDemand[sku][code]
		for _, dim := range sortedKeys(t.PriceDimensions) {
			d := t.PriceDimensions[dim]
			if d.BeginRange != "" && d.BeginRange != "0" {
				continue
			}
			if v, err := strconv.ParseFloat(d.PricePerUnit["USD"], 64); err == nil {
				return v, true
			}
		}
	}
	return 0, false
}

// matcher says which offer product a price key is: the offer it is in and
// the attributes the product must have.
type matcher struct {
	offer string
	attrs map[string]string
}

// matcherFor maps a price key to the offer-file product it is; false for
// keys a refresh does not fetch (they keep their compiled line).
func matcherFor(key string) (matcher, bool) {
	p := strings.Split(key, ":")
	switch {
	case p[0] == "rds" && len(p) == 4 && strings.HasPrefix(p[1], "db."):
		engine := map[string]string{"postgres": "PostgreSQL", "mysql": "MySQL"}[p[2]]
		dep := map[string]string{"single-az": "Single-AZ", "multi-az": "Multi-AZ"}[p[3]]
		return matcher{"AmazonRDS", map[string]string{"productFamily": "Database Instance", "instanceType": p[1],
			"databaseEngine": engine, "deploymentOption": dep}}, true
	case p[0] == "rds" && len(p) == 4 && p[1] == "storage":
		dep := map[string]string{"single-az": "Single-AZ", "multi-az": "Multi-AZ"}[p[3]]
		return matcher{"AmazonRDS", map[string]string{"productFamily": "Database Storage", "volumeApiName": p[2],
			"databaseEngine": "PostgreSQL", "deploymentOption": dep}}, true
	case p[0] == "elasticache" && len(p) == 2:
		return matcher{"AmazonElastiCache", map[string]string{"productFamily": "Cache Instance", "instanceType": p[1], "cacheEngine": "Redis"}}, true
	case p[0] == "docdb" && len(p) == 2 && strings.HasPrefix(p[1], "db."):
		return matcher{"AmazonDocDB", map[string]string{"productFamily": "Database Instance", "instanceType": p[1]}}, true
	case p[0] == "opensearch" && len(p) == 2:
		return matcher{"AmazonES", map[string]string{"productFamily": "Amazon OpenSearch Service Instance", "instanceType": p[1]}}, true
	case p[0] == "fargate" && len(p) == 4:
		usage := map[string]string{"vcpu": "Fargate-vCPU-Hours:perCPU", "memory": "Fargate-GB-Hours"}[p[3]]
		if p[2] == "arm64" {
			usage = map[string]string{"vcpu": "Fargate-ARM-vCPU-Hours:perCPU", "memory": "Fargate-ARM-GB-Hours"}[p[3]]
		}
		return matcher{"AmazonECS", map[string]string{"usagetype~": usage}}, true
	case key == "eks:cluster":
		return matcher{"AmazonEKS", map[string]string{"usagetype~": "AmazonEKS-Hours:perCluster"}}, true
	case key == "vpc:nat-gateway":
		return matcher{"AmazonEC2", map[string]string{"productFamily": "NAT Gateway", "usagetype~": "NatGateway-Hours"}}, true
	case p[0] == "ec2" && len(p) == 3 && p[2] == "linux":
		return matcher{"AmazonEC2", map[string]string{"productFamily": "Compute Instance", "instanceType": p[1], "operatingSystem": "Linux",
			"tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}}, true
	}
	return matcher{}, false
}

// matches reports whether a product in region satisfies m ("~" suffix:
// the attribute ends with the value, as usage types carry a Region prefix).
func (m matcher) matches(p OfferProduct, region string) bool {
	if p.Attributes["regionCode"] != region {
		return false
	}
	for k, want := range m.attrs {
		switch {
		case k == "productFamily":
			if p.ProductFamily != want {
				return false
			}
		case strings.HasSuffix(k, "~"):
			if !strings.HasSuffix(p.Attributes[strings.TrimSuffix(k, "~")], want) {
				return false
			}
		case p.Attributes[k] != want:
			return false
		}
	}
	return true
}

// RefreshResult says what a refresh changed.
type RefreshResult struct {
	Updated []string // region/key lines now from an offer file
	Kept    []string // region/key lines no offer file matched: still compiled
}

// Refresh rewrites t's lines from the offer files: every line an offer
// product matches takes its on-demand price, SKU and the offer's source URL
// (sources: offerCode -> URL or path read); the table becomes "fetched",
// dated asOf, with the offer versions. Two products matching one line is an
// error, so a refresh never picks a price at random.
func Refresh(t *Table, offers []*Offer, sources map[string]string, asOf string) (RefreshResult, error) {
	var res RefreshResult
	var errs []error
	byCode := map[string]*Offer{}
	for _, o := range offers {
		byCode[o.OfferCode] = o
	}
	for _, region := range sortedKeys(t.Regions) {
		for _, key := range sortedKeys(t.Regions[region]) {
			m, ok := matcherFor(key)
			o := byCode[m.offer]
			if !ok || o == nil {
				res.Kept = append(res.Kept, region+"/"+key)
				continue
			}
			var skus []string
			for _, sku := range sortedKeys(o.Products) {
				if m.matches(o.Products[sku], region) {
					skus = append(skus, sku)
				}
			}
			if len(skus) > 1 {
				errs = append(errs, fmt.Errorf("%s/%s: %d products of %s match (%s); the matcher must pick one", region, key, len(skus), o.OfferCode, strings.Join(skus, ", ")))
				continue
			}
			if len(skus) == 0 {
				res.Kept = append(res.Kept, region+"/"+key)
				continue
			}
			usd, ok := o.onDemandUSD(skus[0])
			if !ok {
				errs = append(errs, fmt.Errorf("%s/%s: SKU %s has no on-demand USD price", region, key, skus[0]))
				continue
			}
			p := t.Regions[region][key]
			p.USD, p.SKU, p.Source = usd, skus[0], sources[o.OfferCode]
			confirmed := true
			p.Confirmed, p.ConfirmedBy, p.Note = &confirmed, sources[o.OfferCode], "" // the offer file is the price
			t.Regions[region][key] = p
			res.Updated = append(res.Updated, region+"/"+key)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return res, err
	}
	if len(res.Updated) == 0 {
		return res, errors.New("no price line matched a product of the offer files given; the table is unchanged")
	}
	t.Source, t.AsOf, t.CompiledFrom = SourceFetched, asOf, ""
	if t.OfferFileVersions == nil {
		t.OfferFileVersions = map[string]string{}
	}
	for _, o := range offers {
		t.OfferFileVersions[o.OfferCode] = o.Version
	}
	sort.Strings(res.Kept)
	return res, t.Validate()
}
