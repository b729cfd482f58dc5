// Package cert is the DNS-validated ACM certificate every component that
// serves HTTPS needs (the site, the hosted UI, the ALB, the API domains):
// one certificate, one validation record per distinct base name (a name
// and its wildcard share one), and the validation that waits for issuance.
package cert

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Args describes one certificate.
type Args struct {
	// Name is the logical name of the certificate and its validation; the
	// records are "<Name>-certificate-validation" ("-<i>" with several base names).
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
}

// Certificate is the result.
type Certificate struct {
	// Arn is the certificate's ARN, known once validated (when a zone was given).
	Arn pulumi.StringOutput
	// Records are the validation records as name/type/value maps.
	Records pulumi.Output
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
	var bases []string
	for _, n := range a.Names {
		if b := strings.TrimPrefix(n, "*."); !contains(bases, b) {
			bases = append(bases, b)
		}
	}
	var fqdns pulumi.StringArray
	for i, base := range bases {
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
			// The validation record of a name is the same for every
			// certificate of the account (the dr stack requests its own):
			// share it, don't fight over it.
			AllowOverwrite: pulumi.Bool(true),
		}, parent)
		if err != nil {
			return nil, err
		}
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
