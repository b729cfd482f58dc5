package policy

import (
	"fmt"
	"strings"
)

// Rules returns every rule of the pack, in report order.
func Rules() []Rule {
	var out []Rule
	for _, group := range [][]Rule{
		dataRules(), s3Rules(), edgeRules(), computeRules(), iamRules(), eventsRules(), networkRules(), opsRules(),
		// AWS constraints: one file each, rules_aws_<topic>.go.
		retainRules(),
		awsVersionRules(), awsOrderRules(), awsCredentialRules(),
		awsECRRules(), awsELBRules(), awsSearchRules(),
		awsLambdaRules(), awsAPIGatewayRules(),
		awsTextRules(),
		awsCloudFrontRules(),
		awsACMRules(),
		awsGlobalDatastoreRules(),
		awsSESRules(),
		awsKMSRules(), awsEndpointRules(),
		auditRules(), backupRules(), deputyRules(),
	} {
		out = append(out, group...)
	}
	seen := map[string]bool{}
	for _, r := range out {
		if seen[r.ID] || r.ID == UnusedWaiverRule || r.Check == nil || len(r.Types) == 0 {
			panic(fmt.Sprintf("policy: rule %q is duplicated, reserved or incomplete", r.ID))
		}
		if r.Category == CategoryAWSConstraint && !strings.HasPrefix(r.Source, "https://") {
			panic(fmt.Sprintf("policy: aws-constraint rule %q must cite its source (an https URL)", r.ID))
		}
		seen[r.ID] = true
	}
	return out
}
