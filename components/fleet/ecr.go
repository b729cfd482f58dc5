package fleet

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
)

// Images live in one repository per service in the primary's region; the
// registry's replication copies every push to the DR region. There, ECR
// itself creates each repository on the first replicated push
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html),
// so no stack may create them (the second creator fails with "already
// exists"): the primary owns, in the DR region, the repository creation
// template replicated repositories are created from — the same KMS
// encryption (a key of the DR region), immutable tags and lifecycle as the
// primary's repositories, and the stack's tags
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates.html) —
// and the recovery stack only refers to the repositories by name.

// ReplicaRepos are what a recovery fleet needs of the primary's replicated
// repositories (stacks.Contract).
type ReplicaRepos struct {
	// URLs by repository name, in the recovery region.
	URLs pulumi.StringMapInput
	// KeyArn is the key the creation template encrypts them with.
	KeyArn pulumi.StringInput
}

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

// templatePrefix is the creation-template prefix covering a repository:
// its namespace (ECR appends the "/"), or ROOT for a name without one
// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html).
func templatePrefix(repository string) string {
	if i := strings.LastIndex(repository, "/"); i > 0 {
		return repository[:i]
	}
	return "ROOT"
}

// newRepositories gives every service its repository: in a recovery stack
// the primary's replica (newReplicaRepos), otherwise a repository of its
// own — immutable tags, scan on push, encrypted with the fleet key, the
// newest images kept — and, in a stack with a replica region, the
// registry's replication of exactly these repositories there, created
// after the DR region's creation template (newReplicaTemplates).
func (f *Fleet) newRepositories(ctx *pulumi.Context) error {
	if f.args.Replicas != nil {
		return f.newReplicaRepos(ctx)
	}
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
		u.repoURL, u.repoArn, u.imageKey = repo.RepositoryUrl, repo.Arn, f.key.Arn
		filters = append(filters, ecr.ReplicationConfigurationReplicationConfigurationRuleRepositoryFilterArgs{
			Filter: pulumi.String(u.spec.Image.Repository), FilterType: pulumi.String("PREFIX_MATCH"),
		})
	}
	if f.args.ReplicaRegion == "" {
		return nil
	}
	templates, err := f.newReplicaTemplates(ctx)
	if err != nil {
		return err
	}
	// The replication configuration is the registry's (one per account and
	// region): this stack owns it. It waits for the templates: a push
	// replicated before them would create a repository without them.
	_, err = ecr.NewReplicationConfiguration(ctx, "registry-replication", &ecr.ReplicationConfigurationArgs{
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
	}, parent, pulumi.DependsOn(templates))
	return err
}

// newReplicaTemplates creates, in the replica region, the key replicated
// images are encrypted with, the role ECR creates the repositories as
// (templates with KMS encryption or tags need one: "Required if using
// repository tags or KMS encryption", pulumi-aws ecr.RepositoryCreationTemplate;
// its permissions are AWS's documented custom policy, narrowed to these
// repositories and this key:
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates-custom.html)
// and one REPLICATION template per repository namespace. It records the
// replicas' URLs and key for the recovery stack.
func (f *Fleet) newReplicaTemplates(ctx *pulumi.Context) ([]pulumi.Resource, error) {
	a := f.args
	if a.ReplicaProvider == nil {
		return nil, fmt.Errorf("fleet: ReplicaRegion %s needs a ReplicaProvider", a.ReplicaRegion)
	}
	inReplica := []pulumi.ResourceOption{pulumi.Parent(f), pulumi.Provider(a.ReplicaProvider)}
	key, err := kms.NewKey(ctx, "image-replica-key", &kms.KeyArgs{
		Description:          pulumi.Sprintf("%s/%s service images replicated to %s", a.Project, a.Stack, a.ReplicaRegion),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy: iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
			Statements: iam.GetPolicyDocumentStatementArray{iamdoc.AccountRoot(f.account, a.Partition)},
		}, pulumi.Parent(f)).Json(),
	}, append(inReplica, pulumi.Protect(a.Protect))...)
	if err != nil {
		return nil, err
	}
	if _, err := kms.NewAlias(ctx, "image-replica-key-alias", &kms.AliasArgs{
		Name:        pulumi.Sprintf("alias/%s-%s-image-replicas", a.Project, a.Stack),
		TargetKeyId: key.KeyId,
	}, inReplica...); err != nil {
		return nil, err
	}
	prefixes, repoArns, urls := map[string]bool{}, pulumi.StringArray{}, pulumi.StringMap{}
	for _, n := range f.names() {
		name := f.units[n].spec.Image.Repository
		prefixes[templatePrefix(name)] = true
		repoArns = append(repoArns, f.repoARN(a.ReplicaRegion, name))
		urls[name] = f.replicaRepoURL(name)
	}
	role, grant, err := f.templateRole(ctx, key, repoArns)
	if err != nil {
		return nil, err
	}
	var templates []pulumi.Resource
	for _, prefix := range sortedKeys(prefixes) {
		tpl, err := ecr.NewRepositoryCreationTemplate(ctx, "image-replicas-"+strings.ToLower(strings.ReplaceAll(prefix, "/", "-")), &ecr.RepositoryCreationTemplateArgs{
			Prefix:             pulumi.String(prefix),
			AppliedFors:        pulumi.ToStringArray([]string{"REPLICATION"}),
			Description:        pulumi.Sprintf("%s service images replicated from %s", a.Project, a.Region),
			ImageTagMutability: pulumi.String("IMMUTABLE"),
			EncryptionConfigurations: ecr.RepositoryCreationTemplateEncryptionConfigurationArray{
				ecr.RepositoryCreationTemplateEncryptionConfigurationArgs{EncryptionType: pulumi.String("KMS"), KmsKey: key.Arn},
			},
			LifecyclePolicy: pulumi.String(lifecyclePolicy(a.Spec.ECR.KeepLast)),
			ResourceTags:    pulumi.ToStringMap(a.Tags),
			CustomRoleArn:   role.Arn,
		}, append(inReplica, pulumi.DependsOn([]pulumi.Resource{grant}))...)
		if err != nil {
			return nil, err
		}
		templates = append(templates, tpl)
	}
	f.ReplicaRepositoryURLs, f.ReplicaImageKeyArn = urls.ToStringMapOutput(), key.Arn
	return templates, nil
}

// templateRole is the role ECR assumes to create the replicated
// repositories: create, replicate into and tag exactly these repositories
// of the replica region, and grant itself the replica key.
func (f *Fleet) templateRole(ctx *pulumi.Context, key *kms.Key, repoArns pulumi.StringArray) (*iam.Role, pulumi.Resource, error) {
	// ECR's documented trust policy names no condition keys; none is added.
	trust := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
			Effect:  pulumi.String("Allow"),
			Actions: pulumi.ToStringArray([]string{"sts:AssumeRole"}),
			Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
				Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{"ecr.amazonaws.com"}),
			}},
		}},
	}, pulumi.Parent(f)).Json()
	role, err := iam.NewRole(ctx, "image-replica-creator", &iam.RoleArgs{
		Description:      pulumi.Sprintf("ECR creates %s's replicated repositories in %s", f.args.Project, f.args.ReplicaRegion),
		AssumeRolePolicy: trust,
	}, pulumi.Parent(f))
	if err != nil {
		return nil, nil, err
	}
	grant, err := iamdoc.Attach(ctx, f, iamdoc.NewGrantee("image-replica-creator", role), "repositories", iam.GetPolicyDocumentStatementArray{
		allow("CreateReplicatedRepositories", []string{"ecr:CreateRepository", "ecr:ReplicateImage", "ecr:TagResource"}, repoArns...),
		allow("UseReplicaKey", []string{"kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"}, key.Arn),
	})
	return role, grant, err
}

// replicaRepoURL and repoARN are a repository's URL in the replica region
// and its ARN in a region, in this stack's account.
func (f *Fleet) replicaRepoURL(name string) pulumi.StringOutput {
	suffix := "amazonaws.com"
	if strings.HasPrefix(f.args.Partition, "aws-cn") {
		suffix = "amazonaws.com.cn"
	}
	return pulumi.Sprintf("%s.dkr.ecr.%s.%s/%s", f.account, f.args.ReplicaRegion, suffix, name)
}

func (f *Fleet) repoARN(region, name string) pulumi.StringOutput {
	return pulumi.Sprintf("arn:%s:ecr:%s:%s:repository/%s", f.args.Partition, region, f.account, name)
}

// newReplicaRepos points every service of a recovery stack at the
// primary's replica of its repository, which ECR replication creates here
// on the first push; a repository the primary does not replicate is an
// error at preview.
func (f *Fleet) newReplicaRepos(*pulumi.Context) error {
	a := f.args
	for _, n := range f.names() {
		u := f.units[n]
		name := u.spec.Image.Repository
		u.repoURL = a.Replicas.URLs.ToStringMapOutput().ApplyT(func(urls map[string]string) (string, error) {
			url, ok := urls[name]
			if !ok {
				have := make([]string, 0, len(urls))
				for k := range urls {
					have = append(have, k)
				}
				sort.Strings(have)
				return "", fmt.Errorf("fleet: %s's image repository %s is not replicated to %s by the primary stack (it replicates %v): "+
					"a recovery stack runs the primary's images; give the primary the same service and image repository", n, name, a.Region, have)
			}
			return url, nil
		}).(pulumi.StringOutput)
		u.repoArn = f.repoARN(a.Region, name)
		u.imageKey = a.Replicas.KeyArn.ToStringOutput()
	}
	return nil
}
