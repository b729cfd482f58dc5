package secrets

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Watch is a single-reader secret whose every read by another principal,
// and every change to it or to its key, the stack alarms on (the Baseline
// component's metric filters on the CloudTrail log group).
type Watch struct {
	// Item is the declared name (WALLET_MASTER_XPRIV).
	Item string
	// SecretName is the secret's name in Secrets Manager
	// ("<project>/<stack>/<NAME>"): a caller may pass it, the ARN or the
	// partial ARN as SecretId (GetSecretValue API reference).
	SecretName string
	// Regions are where the secret exists: the stack's region, then each
	// replica region. ARNs and KeyArns are in this order.
	Regions []string
	// ARNs are the secret's ARN in the stack's region, then in each
	// replica region (its replicas carry the same name).
	ARNs pulumi.StringArrayOutput
	// ReaderRoleArns are the ARNs of the roles allowed to read it: each
	// declared reader's fixed role (ReaderRoleName) in the stack's region
	// and in each replica region, as the resource policy (Seal) names them.
	ReaderRoleArns pulumi.StringArrayOutput
	// KeyArns are the key encrypting it and its replicas: the secret's
	// own multi-Region key (sealed.go), the same key id in every region.
	KeyArns pulumi.StringArrayOutput
}

// Watched are the single-reader secrets this stack owns, in name order.
// A recovery stack owns none: it reads the primary's replicas, whose
// reads and changes the primary's multi-Region trail records and the
// primary's filters match.
func (s *Secrets) Watched() []Watch {
	if s.args.Replica != nil {
		return nil
	}
	a := s.args
	regions := append([]string{a.Region}, a.Spec.ReplicaRegions...)
	var out []Watch
	for _, name := range sortedNames(a.Spec.Items) {
		readers := a.Spec.Items[name].Readers
		if len(readers) == 0 {
			continue
		}
		arns := s.secrets[name].Arn.ApplyT(func(arn string) []string {
			out := []string{arn}
			for _, r := range a.Spec.ReplicaRegions {
				out = append(out, ReplicaARN(arn, r))
			}
			return out
		}).(pulumi.StringArrayOutput)
		roles := s.account.ApplyT(func(acct string) []string {
			var out []string
			for _, p := range readers {
				for _, r := range regions {
					out = append(out, fmt.Sprintf("arn:%s:iam::%s:role/%s", a.Partition, acct, ReaderRoleName(a.Project, p, r)))
				}
			}
			return out
		}).(pulumi.StringArrayOutput)
		keys := s.keyOf(name).ApplyT(func(arn string) []string {
			out := []string{arn}
			for _, r := range a.Spec.ReplicaRegions {
				out = append(out, ReplicaARN(arn, r))
			}
			return out
		}).(pulumi.StringArrayOutput)
		out = append(out, Watch{Item: name, SecretName: fmt.Sprintf("%s/%s/%s", a.Project, a.Stack, name),
			Regions: regions, ARNs: arns, ReaderRoleArns: roles, KeyArns: keys})
	}
	return out
}
