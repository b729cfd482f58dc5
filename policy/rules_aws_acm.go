package policy

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const route53Record = tokens.Route53Record

// acmValidationNameRe is the name ACM gives a DNS validation record:
// _<32 hex>.<domain>.
var acmValidationNameRe = regexp.MustCompile(`^_[0-9a-f]{32}\.`)

// awsACMRules: one owner per DNS record, ACM validation records above all.
func awsACMRules() []Rule {
	return []Rule{{
		ID: "route53-record-one-owner", Severity: High, Category: CategoryAWSConstraint, Types: []string{route53Record},
		Title: "Each DNS record has one owner: no two records of the stack write the same name, and no ACM validation record overwrites another's",
		// ACM asks for the same validation CNAME for a name in one account
		// whatever the certificate and Region, and renews only while it
		// exists: two owners (allowOverwrite) means destroying either one
		// deletes the record under the other's certificates. Without
		// allowOverwrite, Route 53 refuses to CREATE a record that exists
		// (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html).
		Source: "https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html",
		Check: func(r *mockengine.Resource, x Index) []string {
			in := x.In(r)
			name := strings.TrimSuffix(str(in["name"]), ".")
			var out []string
			if truthy(in["allowOverwrite"]) && acmValidationNameRe.MatchString(name) {
				out = append(out, problem(r, fmt.Sprintf("writes ACM validation record %s with allowOverwrite: it has another owner, whose destroy deletes it and stops this certificate's renewal", name),
					"give the record one owner (cert.Book: the first certificate of the pair that validates the name writes it; the others validate against its fqdn)"))
			}
			for _, o := range x.ByType(route53Record) {
				if o == r || o.URN > r.URN || !sameRecord(in, x.In(o)) {
					continue
				}
				out = append(out, problem(r, fmt.Sprintf("writes %s %s, which %s writes too", str(in["type"]), name, o.Name),
					"keep one of the two (Route 53 refuses a CREATE of an existing record, and allowOverwrite only hides a second owner)"))
			}
			return out
		},
	}}
}

// sameRecord reports whether two record inputs name the same record set:
// zone, name, type and routing set identifier.
func sameRecord(a, b map[string]any) bool {
	name := func(m map[string]any) string { return strings.ToLower(strings.TrimSuffix(str(m["name"]), ".")) }
	return known(str(a["name"])) && name(a) != "" && name(a) == name(b) && str(a["type"]) == str(b["type"]) &&
		str(a["zoneId"]) == str(b["zoneId"]) && str(a["setIdentifier"]) == str(b["setIdentifier"])
}
