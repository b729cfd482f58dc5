package cfnschema

import (
	"strings"

	"github.com/dbay/infra/internal/mockengine"
)

// specs are the translations of every pulumi-aws type the shipped stacks
// create that has a CloudFormation equivalent.
var specs = mergeSpecs(s3Specs, dataSpecs, foundationSpecs, eventsSpecs, computeSpecs, workflowSpecs, edgeSpecs, apiSpecs, auditSpecs)

func mergeSpecs(parts ...map[string]spec) map[string]spec {
	out := map[string]spec{}
	for _, p := range parts {
		for k, v := range p {
			if _, dup := out[k]; dup {
				panic("cfnschema: two specs for " + k)
			}
			out[k] = v
		}
	}
	return out
}

// unchecked are the AWS resource types CloudFormation has no equivalent
// for, with the reason; they are listed in the coverage, never linted.
var unchecked = map[string]string{
	"aws:acm/certificateValidation:CertificateValidation":                             "a waiter in the provider: it creates nothing in AWS (CloudFormation validates inside AWS::CertificateManager::Certificate)",
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":                               "adopts the default security group AWS creates with every VPC; CloudFormation has no resource for it",
	"aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": "no CloudFormation resource: it is AutomaticBackupReplicationRegion of the source AWS::RDS::DBInstance, which the other stack of the pair owns",
	"aws:secretsmanager/secretVersion:SecretVersion":                                  "its settings are the secret it writes to and the value, which is a secret the synth output does not hold",
	"awsx:ec2:Vpc": "a remote component: its VPC, subnets, route tables and NAT gateways are registered by the awsx plugin, which the mock engine does not run",
}

// notAWSReason says why a captured resource is not an AWS resource.
func notAWSReason(r *mockengine.Resource) (string, bool) {
	switch {
	case r.Type == "pulumi:pulumi:StackReference":
		return "a read of another stack's outputs", true
	case strings.HasPrefix(r.Type, "pulumi:providers:"):
		return "a provider: says where resources go, creates nothing", true
	case strings.HasPrefix(r.Type, "random:"):
		return "a value the random provider computes locally; nothing is created in AWS", true
	case strings.HasPrefix(r.Type, "kubernetes:"):
		return "a Kubernetes object: the cluster's API server validates it, CloudFormation schemas do not cover it", true
	case !r.Custom && !r.Remote:
		return "a component resource: it groups its children and creates nothing itself", true
	}
	return "", false
}

// Mapped reports whether a type token has a translation (checked or
// merged) and, if not, whether it is listed as unchecked with a reason.
func Mapped(typ string) (translated, listed bool) {
	_, translated = specs[typ]
	_, listed = unchecked[typ]
	return translated, listed
}
