package secrets

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/outputs"
)

// Replica is what a recovery stack needs to read the primary's secrets in
// its own region: Secrets Manager keeps a replica of every secret there,
// with the same ARN but for the region, encrypted with the multi-Region
// key's replica, and carrying the primary's resource policy.
type Replica struct {
	// PrimaryARNs are the primary secrets' ARNs by name.
	PrimaryARNs pulumi.StringMapInput
	// KeyArn is the secrets key's replica in this region.
	KeyArn pulumi.StringInput
	// AppKeyArns are the primary's application keys by name, which this
	// stack replicates into its region (keys.go).
	AppKeyArns pulumi.StringMapInput
	// KeyArns are the primary's keys by secret name (Secrets.KeyArns): a
	// single-reader secret's own multi-Region key, whose replica in this
	// region (same key id) its reader decrypts with. A name it lacks is
	// encrypted with KeyArn.
	KeyArns pulumi.StringMapInput
}

// consumeReplicas makes every declared name resolve to its replica in
// Args.Region. Nothing is created: the primary stack owns the secrets, and
// their values, versions and policies replicate from it.
func (s *Secrets) consumeReplicas(ctx *pulumi.Context) error {
	a := s.args
	primary := a.Replica.PrimaryARNs.ToStringMapOutput()
	arns, keys := pulumi.StringMap{}, pulumi.StringMap{}
	for _, name := range sortedNames(a.Spec.Items) {
		name := name
		arn := replicaOf(primary, name, a.Region, "secrets: the primary stack exports no secret %s: declare it there first")
		s.arns[name] = arn
		arns[name] = arn
		if a.Replica.KeyArns != nil && len(a.Spec.Items[name].Readers) > 0 {
			key := replicaOf(a.Replica.KeyArns.ToStringMapOutput(), name, a.Region, "secrets: the primary stack exports no key for %s: deploy the primary first")
			s.secretKeys[name] = key
			keys[name] = key
		}
	}
	s.keyArn = a.Replica.KeyArn.ToStringOutput()
	s.KeyArn = s.keyArn
	s.ARNs = arns.ToStringMapOutput()
	s.ReplicaKeyArns = pulumi.StringMap{}.ToStringMapOutput()
	s.PutCommands = pulumi.StringMap{}.ToStringMapOutput()
	s.AppKeyArns = pulumi.StringMap{}.ToStringMapOutput()
	s.KeyArns = keys.ToStringMapOutput()
	// A recovery stack replicates and puts nothing: no replicaKeyArns,
	// no putCommands, and appKeyArns only with application keys.
	skip := []string{"replicaKeyArns", "putCommands", "appKeyArns"}
	if len(a.Spec.Keys) > 0 {
		if a.Replica.AppKeyArns == nil {
			return fmt.Errorf("secrets: secrets.keys is declared, but the recovery stack has no primary application keys to replicate")
		}
		keys, err := s.replicateAppKeys(ctx, a.Replica.AppKeyArns.ToStringMapOutput(), s.appKeyPolicy(ctx))
		if err != nil {
			return err
		}
		s.AppKeyArns = keys.ToStringMapOutput()
		skip = skip[:2]
	}
	return outputs.Register(ctx, s, outputs.Skip(skip...))
}

// replicaOf is the replica in region of the primary ARN m[name] (a
// secret's or a multi-Region key's); missing (with %s for the name) is
// the error when the primary exports none.
func replicaOf(m pulumi.StringMapOutput, name, region, missing string) pulumi.StringOutput {
	return m.ApplyT(func(arns map[string]string) (string, error) {
		arn, ok := arns[name]
		if !ok {
			return "", fmt.Errorf(missing, name)
		}
		return ReplicaARN(arn, region), nil
	}).(pulumi.StringOutput)
}

// ReplicaARN is the ARN of a secret's replica in region: the primary's ARN
// with the region replaced (Secrets Manager User Guide, "Replicate secrets
// across Regions").
func ReplicaARN(primaryARN, region string) string {
	parts := strings.SplitN(primaryARN, ":", 5)
	if len(parts) < 5 {
		return primaryARN
	}
	parts[3] = region
	return strings.Join(parts, ":")
}

// ReaderRoleName is the fixed IAM role name of a principal that reads a
// single-reader secret, in one region: "<project>-<principal>-<region>".
// The primary's resource policy names the same principal's role in every
// replica region by this name, so a recovery stack's reader passes and no
// other principal does. At most 64 characters (IAM's limit).
func ReaderRoleName(project, principal, region string) string {
	n := project + "-" + principal + "-" + region
	if len(n) > 64 {
		n = n[:64]
	}
	return n
}

// RoleName is the fixed role name a principal's role must have in this
// stack: ReaderRoleName when it reads a single-reader secret, "" (Pulumi
// auto-naming) otherwise.
func (s *Secrets) RoleName(principal string) string {
	for _, item := range s.args.Spec.Items {
		if contains(item.Readers, principal) {
			return ReaderRoleName(s.args.Project, principal, s.args.Region)
		}
	}
	return ""
}
