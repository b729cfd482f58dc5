package fleet

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// lifecycleRule is one ECR lifecycle rule, marshalled (never concatenated).
type lifecycleRule struct {
	RulePriority int    `json:"rulePriority"`
	Description  string `json:"description"`
	Selection    struct {
		TagStatus   string `json:"tagStatus"`
		CountType   string `json:"countType"`
		CountNumber int    `json:"countNumber"`
	} `json:"selection"`
	Action struct {
		Type string `json:"type"`
	} `json:"action"`
}

// lifecyclePolicy keeps the newest keep images of a repository.
func lifecyclePolicy(keep int) string {
	r := lifecycleRule{RulePriority: 1, Description: fmt.Sprintf("keep the newest %d images (rollback window)", keep)}
	r.Selection.TagStatus, r.Selection.CountType, r.Selection.CountNumber = "any", "imageCountMoreThan", keep
	r.Action.Type = "expire"
	b, err := json.Marshal(map[string][]lifecycleRule{"rules": {r}})
	if err != nil {
		panic(err) // plain structs always marshal
	}
	return string(b)
}

// newRepositories creates one repository per service — immutable tags,
// scan on push, encrypted with the fleet key, the newest images kept — and,
// in a stack with a replica region, the registry's replication of exactly
// these repositories there.
func (f *Fleet) newRepositories(ctx *pulumi.Context) error {
	parent := pulumi.Parent(f)
	var filters ecr.ReplicationConfigurationReplicationConfigurationRuleRepositoryFilterArray
	for _, n := range f.names() {
		u := f.units[n]
		repo, err := ecr.NewRepository(ctx, n, &ecr.RepositoryArgs{
			Name:                       pulumi.String(u.spec.Image.Repository),
			ImageTagMutability:         pulumi.String("IMMUTABLE"),
			ImageScanningConfiguration: &ecr.RepositoryImageScanningConfigurationArgs{ScanOnPush: pulumi.Bool(true)},
			EncryptionConfigurations: ecr.RepositoryEncryptionConfigurationArray{ecr.RepositoryEncryptionConfigurationArgs{
				EncryptionType: pulumi.String("KMS"), KmsKey: f.key.Arn,
			}},
			ForceDelete: pulumi.Bool(false),
		}, parent, pulumi.Protect(f.args.Protect))
		if err != nil {
			return err
		}
		if _, err := ecr.NewLifecyclePolicy(ctx, n, &ecr.LifecyclePolicyArgs{
			Repository: repo.Name,
			Policy:     pulumi.String(lifecyclePolicy(f.args.Spec.ECR.KeepLast)),
		}, parent); err != nil {
			return err
		}
		u.repo = repo
		filters = append(filters, ecr.ReplicationConfigurationReplicationConfigurationRuleRepositoryFilterArgs{
			Filter: pulumi.String(u.spec.Image.Repository), FilterType: pulumi.String("PREFIX_MATCH"),
		})
	}
	if f.args.ReplicaRegion == "" {
		return nil
	}
	// The replication configuration is the registry's (one per account and
	// region): this stack owns it.
	_, err := ecr.NewReplicationConfiguration(ctx, "registry-replication", &ecr.ReplicationConfigurationArgs{
		ReplicationConfiguration: &ecr.ReplicationConfigurationReplicationConfigurationArgs{
			Rules: ecr.ReplicationConfigurationReplicationConfigurationRuleArray{ecr.ReplicationConfigurationReplicationConfigurationRuleArgs{
				Destinations: ecr.ReplicationConfigurationReplicationConfigurationRuleDestinationArray{
					ecr.ReplicationConfigurationReplicationConfigurationRuleDestinationArgs{
						Region: pulumi.String(f.args.ReplicaRegion), RegistryId: f.account,
					},
				},
				RepositoryFilters: filters,
			}},
		},
	}, parent)
	return err
}
