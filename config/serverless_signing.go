package config

import (
	"fmt"
	"strings"
)

// CodeSigningSource is where Lambda code signing's rules come from: zip
// packages only ("Code signing isn't supported for functions defined as
// container images"), and Enforce refuses an unsigned or foreign package
// at deployment.
const CodeSigningSource = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html"

// validateSigning: a function reading a single-reader secret (the xpriv)
// runs only code its signing profile signed, so a write to the artifact
// bucket cannot swap the one program that may read the secret; and
// signing applies to zip packages only.
func validateSigning(c *collector, path, name string, f LambdaFunction, scope ServerlessScope) {
	if f.Signed && f.Image != "" {
		c.notSupported(path+".signed", nil, "Lambda code signing applies to .zip packages only ("+CodeSigningSource+")",
			"ship the function as a zip (code) to sign it, or drop signed")
	}
	if f.Signed {
		return
	}
	var sealed []string
	for _, sec := range f.Secrets {
		if item, ok := scope.Secrets[sec]; ok && contains(item.Readers, FunctionGrantee(name)) {
			sealed = append(sealed, sec)
		}
	}
	if len(sealed) > 0 {
		c.requiredf(path+".signed", "set signed: true (releases sign its package: docs/runbooks.md \"Release the functions\")",
			"%s reads the single-reader secret %s, so Lambda must refuse packages the stack's signing profile did not sign",
			name, strings.Join(sealed, ", "))
	}
}

// SigningProfilePrefix is the name prefix of a stack's Lambda signing
// profile: Signer accepts [a-zA-Z0-9_]{2,64} only
// (https://docs.aws.amazon.com/signer/latest/api/API_PutSigningProfile.html),
// and keeps a cancelled profile's name reserved, so the provider appends a
// unique suffix.
func SigningProfilePrefix(project, stack string) string {
	return strings.NewReplacer("-", "_", ".", "_").Replace(fmt.Sprintf("%s_%s_lambda_", project, stack))
}
