// Package cert is the DNS-validated ACM certificate every component that
// serves HTTPS needs (the site, the hosted UI, the ALB, the API domains):
// one certificate, the validation records of its names, and the validation
// that waits for issuance.
//
// ACM asks for the same validation CNAME for a name in one account,
// whatever the certificate and the Region
// (https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html),
// and renews a certificate only while that record exists. So a record has
// exactly one owner across the stacks of a DR pair, kept in a Book: the
// first certificate of a stack that validates a name writes its record
// (without AllowOverwrite: a second writer is an error, not a silent
// co-owner), later certificates of the stack wait on that record, and a
// name the Book defers to another stack (the recovery stack's names that
// its primary validates too) gets no record here, only a validation that
// waits on the owner's record. Destroying or replacing a certificate that
// does not own a record never deletes it.
package cert

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Args describes one certificate.
type Args struct {
	// Name is the logical name of the certificate and its validation; the
	// records it owns are "<Name>-certificate-validation" ("-<i>" with
	// several base names).
	Name string
	// Names are the certificate's names: the first is its domain, the rest
	// subject alternative names. Required.
	Names []string
	// ZoneID is the hosted zone the validation records go in. nil: no
	// records and no validation — the ARN is returned at once and Records
	// lists what someone must publish.
	ZoneID pulumi.StringInput
	// Provider places the certificate (us-east-1 for CloudFront and Cognito).
	// nil: the owner's provider.
	Provider *aws.Provider
	// Book says which certificate writes each validation record. nil: a
	// book of this certificate's own (it writes every record it needs).
	Book *Book
}

// Certificate is the result.
type Certificate struct {
	// Arn is the certificate's ARN, known once validated (when a zone was given).
	Arn pulumi.StringOutput
	// Records are the validation records as name/type/value maps.
	Records pulumi.Output
}

// Book records, for one stack, who writes the validation record of each
// base name (a name and its wildcard share one record).
type Book struct {
	deferred func(base string) bool
	owner    func(base string) pulumi.StringOutput
	written  map[string]pulumi.StringOutput // base name -> fqdn of the record this stack wrote
}

// NewBook is a stack's book: its certificates write the record of every
// name they validate, once.
func NewBook() *Book { return &Book{written: map[string]pulumi.StringOutput{}} }

// Defer hands the records of the base names for which deferred is true to
// another stack: a certificate here validates such a name against the
// record whose fqdn owner returns (an output that fails when the owner
// has none), and writes nothing.
func (b *Book) Defer(deferred func(base string) bool, owner func(base string) pulumi.StringOutput) *Book {
	b.deferred, b.owner = deferred, owner
	return b
}

// Written maps each base name whose record this stack writes to the
// record's fqdn (what a recovery stack defers to). Call it once every
// certificate is created.
func (b *Book) Written() pulumi.StringMapOutput {
	m := pulumi.StringMap{}
	for base, fqdn := range b.written {
		m[base] = fqdn
	}
	return m.ToStringMapOutput()
}

// WrittenNames are the base names whose record this stack writes, sorted.
func (b *Book) WrittenNames() []string {
	out := make([]string, 0, len(b.written))
	for base := range b.written {
		out = append(out, base)
	}
	sort.Strings(out)
	return out
}

// New creates the certificate, parented to owner.
func New(ctx *pulumi.Context, owner pulumi.Resource, a Args) (*Certificate, error) {
	if len(a.Names) == 0 || a.Name == "" {
		return nil, fmt.Errorf("cert: a certificate needs a name and at least one domain name")
	}
	parent := pulumi.Parent(owner)
	placed := []pulumi.ResourceOption{parent}
	if a.Provider != nil {
		placed = append(placed, pulumi.Provider(a.Provider))
	}
	c, err := acm.NewCertificate(ctx, a.Name, &acm.CertificateArgs{
		DomainName:              pulumi.String(a.Names[0]),
		SubjectAlternativeNames: pulumi.ToStringArray(a.Names[1:]),
		ValidationMethod:        pulumi.String("DNS"),
	}, placed...)
	if err != nil {
		return nil, err
	}
	out := &Certificate{Arn: c.Arn, Records: c.DomainValidationOptions.ApplyT(records)}
	if a.ZoneID == nil {
		return out, nil
	}
	book := a.Book
	if book == nil {
		book = NewBook()
	}
	var bases []string
	for _, n := range a.Names {
		if b := strings.TrimPrefix(n, "*."); !contains(bases, b) {
			bases = append(bases, b)
		}
	}
	var fqdns pulumi.StringArray
	for i, base := range bases {
		if book.deferred != nil && book.deferred(base) {
			fqdns = append(fqdns, book.owner(base))
			continue
		}
		if fqdn, ok := book.written[base]; ok {
			fqdns = append(fqdns, fqdn) // another certificate of the stack owns it
			continue
		}
		dvo := c.DomainValidationOptions.ApplyT(func(opts []acm.CertificateDomainValidationOption) (acm.CertificateDomainValidationOption, error) {
			for _, o := range opts {
				if o.DomainName != nil && strings.TrimPrefix(*o.DomainName, "*.") == base {
					return o, nil
				}
			}
			return acm.CertificateDomainValidationOption{}, fmt.Errorf("ACM returned no validation record for %s", base)
		}).(acm.CertificateDomainValidationOptionOutput)
		name := a.Name + "-certificate-validation"
		if len(bases) > 1 {
			name = fmt.Sprintf("%s-%d", name, i)
		}
		record, err := route53.NewRecord(ctx, name, &route53.RecordArgs{
			ZoneId:  a.ZoneID,
			Name:    dvo.ResourceRecordName().Elem(),
			Type:    dvo.ResourceRecordType().Elem(),
			Records: pulumi.StringArray{dvo.ResourceRecordValue().Elem()},
			Ttl:     pulumi.Int(60),
		}, parent)
		if err != nil {
			return nil, err
		}
		book.written[base] = record.Fqdn
		fqdns = append(fqdns, record.Fqdn)
	}
	validated, err := acm.NewCertificateValidation(ctx, a.Name, &acm.CertificateValidationArgs{
		CertificateArn:        c.Arn,
		ValidationRecordFqdns: fqdns,
	}, placed...)
	if err != nil {
		return nil, err
	}
	out.Arn = validated.CertificateArn
	return out, nil
}

// records lists the validation records once per name.
func records(opts []acm.CertificateDomainValidationOption) []map[string]string {
	seen := map[string]bool{}
	var out []map[string]string
	for _, o := range opts {
		if o.ResourceRecordName == nil || seen[*o.ResourceRecordName] {
			continue
		}
		seen[*o.ResourceRecordName] = true
		out = append(out, map[string]string{"name": *o.ResourceRecordName, "type": deref(o.ResourceRecordType), "value": deref(o.ResourceRecordValue)})
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
