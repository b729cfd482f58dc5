package stacks

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/cert"
	"github.com/dbay/infra/config"
)

// certificates is the stack's cert.Book: who writes the DNS validation
// record of each name its certificates validate. ACM asks for the same
// record for a name whatever the certificate and the Region, so each record
// has one owner across the pair:
//
//   - a primary writes the record of every name it validates, once (the
//     first certificate that needs it; its site and ALB certificates share
//     <domain>'s);
//   - a recovery stack writes only the records of the names pinned to its
//     own Region (<label>-<region>.<domain>, the API's health-checked
//     name), which no other stack validates. Every other name it validates
//     is one its primary validates too (the configs mirror each other,
//     tests/dr_config_test.go): its certificates wait on the primary's
//     record, read from the contract (validationRecords). A name the
//     primary does not own fails the run with the fix, before anything
//     waits on a record that will never exist.
func certificates(cfg *config.Config, contract *Contract) *cert.Book {
	book := cert.NewBook()
	if contract == nil {
		return book
	}
	primary := cfg.DR.PrimaryStack
	return book.Defer(
		func(base string) bool { return !pinnedTo(base, cfg.Region) },
		func(base string) pulumi.StringOutput {
			return contract.ValidationRecords.ApplyT(func(m map[string]string) (string, error) {
				if fqdn := m[base]; fqdn != "" {
					return fqdn, nil
				}
				why := fmt.Sprintf("its %s.validationRecords lists %d other names", ContractOutput, len(m))
				if len(m) == 0 {
					why = fmt.Sprintf("its %s.validationRecords is empty: it has no hosted zone (a frontend section) or predates this release", ContractOutput)
				}
				return "", fmt.Errorf("%s: the primary stack %s writes no DNS validation record for %s (%s); "+
					"a recovery stack validates only names its primary validates, besides <label>-%s.<domain>: give the primary the same certificate names "+
					"(fleet.alb.certificateDomain, serverless custom domains) and run pulumi up --stack %s first",
					cfg.Project, primary, base, why, cfg.Region, primary)
			}).(pulumi.StringOutput)
		})
}

// pinnedTo reports whether a name is pinned to a Region: its first label
// ends with -<region> (api-us-west-2.dbay.example.com).
func pinnedTo(name, region string) bool {
	label, _, _ := strings.Cut(name, ".")
	return strings.HasSuffix(label, "-"+region)
}
