package serverless

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/signer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
)

// signingPlatform is the Signer platform for Lambda zip packages
// (AWS::Signer::SigningProfile PlatformId: AWSLambda-SHA384-ECDSA |
// Notation-OCI-SHA384-ECDSA;
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-signer-signingprofile.html).
const signingPlatform = "AWSLambda-SHA384-ECDSA"

// newSigning creates, when a function is `signed`, the stack's signing
// profile and a code signing config that lets Lambda deploy only packages
// that profile signed (Enforce: an unsigned, altered or foreign package
// is refused at CreateFunction/UpdateFunctionCode; config.CodeSigningSource).
// Signing profiles are regional: each stack has its own, and a release
// signs the package in each Region's bucket (docs/runbooks.md "Release the
// functions"). The signature validity stays at Signer's default (135
// months): Lambda checks expiry at deployment, and a dr redeploy of an
// old release must not be refused mid-incident.
func (s *Serverless) newSigning(ctx *pulumi.Context) error {
	signed := false
	for _, f := range s.args.Spec.Functions {
		signed = signed || f.Signed
	}
	if !signed {
		return nil
	}
	a := s.args
	profile, err := signer.NewSigningProfile(ctx, "lambda", &signer.SigningProfileArgs{
		NamePrefix: pulumi.String(config.SigningProfilePrefix(a.Project, a.Stack)),
		PlatformId: pulumi.String(signingPlatform),
	}, pulumi.Parent(s))
	if err != nil {
		return err
	}
	csc, err := lambda.NewCodeSigningConfig(ctx, "signed", &lambda.CodeSigningConfigArgs{
		Description: pulumi.Sprintf("%s-%s: only packages signed by the stack's signing profile", a.Project, a.Stack),
		AllowedPublishers: &lambda.CodeSigningConfigAllowedPublishersArgs{
			SigningProfileVersionArns: pulumi.StringArray{profile.VersionArn},
		},
		Policies: &lambda.CodeSigningConfigPoliciesArgs{UntrustedArtifactOnDeployment: pulumi.String("Enforce")},
	}, pulumi.Parent(s))
	if err != nil {
		return err
	}
	s.signingProfile, s.codeSigning = profile, csc
	return nil
}
