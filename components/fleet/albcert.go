package fleet

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// certificate requests the ALB's regional certificate (the configured name
// and the domain, DNS-validated). With a zone it writes the validation
// records (a wildcard and its base share one; other certificates of the
// account for the same name share it too, hence AllowOverwrite) and returns
// the ARN once ACM has issued it. Without one the records become the output
// certificateValidationRecords and the ARN is returned at once: the HTTPS
// listener cannot be created until someone publishes them.
func (f *Fleet) certificate(ctx *pulumi.Context) (pulumi.StringOutput, error) {
	parent := pulumi.Parent(f)
	names := f.args.Spec.CertificateDomains(f.args.Domain)
	cert, err := acm.NewCertificate(ctx, "alb", &acm.CertificateArgs{
		DomainName:              pulumi.String(names[0]),
		SubjectAlternativeNames: pulumi.ToStringArray(names[1:]),
		ValidationMethod:        pulumi.String("DNS"),
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if f.args.ZoneID == nil {
		f.outputs["certificateValidationRecords"] = cert.DomainValidationOptions.ApplyT(func(opts []acm.CertificateDomainValidationOption) []map[string]string {
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
		})
		return cert.Arn, nil
	}
	var bases []string
	for _, n := range names {
		if b := strings.TrimPrefix(n, "*."); !containsString(bases, b) {
			bases = append(bases, b)
		}
	}
	var fqdns pulumi.StringArray
	for i, base := range bases {
		dvo := cert.DomainValidationOptions.ApplyT(func(opts []acm.CertificateDomainValidationOption) (acm.CertificateDomainValidationOption, error) {
			for _, o := range opts {
				if o.DomainName != nil && strings.TrimPrefix(*o.DomainName, "*.") == base {
					return o, nil
				}
			}
			return acm.CertificateDomainValidationOption{}, fmt.Errorf("ACM returned no validation record for %s", base)
		}).(acm.CertificateDomainValidationOptionOutput)
		record, err := route53.NewRecord(ctx, fmt.Sprintf("alb-certificate-validation-%d", i), &route53.RecordArgs{
			ZoneId:         f.args.ZoneID,
			Name:           dvo.ResourceRecordName().Elem(),
			Type:           dvo.ResourceRecordType().Elem(),
			Records:        pulumi.StringArray{dvo.ResourceRecordValue().Elem()},
			Ttl:            pulumi.Int(60),
			AllowOverwrite: pulumi.Bool(true),
		}, parent)
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		fqdns = append(fqdns, record.Fqdn)
	}
	validated, err := acm.NewCertificateValidation(ctx, "alb", &acm.CertificateValidationArgs{
		CertificateArn:        cert.Arn,
		ValidationRecordFqdns: fqdns,
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return validated.CertificateArn, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
