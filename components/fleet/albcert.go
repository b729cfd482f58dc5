package fleet

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/cert"
)

// certificate requests the ALB's regional certificate (the configured name
// and the domain, DNS-validated). With a zone it validates through the
// records Args.Certificates assigns it (cert.Book: one owner per record
// across the stack pair) and returns the ARN once ACM has issued it. Without one the records become the output
// certificateValidationRecords and the ARN is returned at once: the HTTPS
// listener cannot be created until someone publishes them.
func (f *Fleet) certificate(ctx *pulumi.Context) (pulumi.StringOutput, error) {
	c, err := cert.New(ctx, f, cert.Args{Name: "alb", Names: f.args.Spec.CertificateDomains(f.args.Domain), ZoneID: f.args.ZoneID, Book: f.args.Certificates})
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if f.args.ZoneID == nil {
		f.CertificateValidationRecords = c.Records.(pulumi.StringMapArrayOutput)
	}
	return c.Arn, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
