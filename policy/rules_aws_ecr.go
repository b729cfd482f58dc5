package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

const (
	ecrRepository     = tokens.ECRRepository
	ecrReplication    = tokens.ECRReplicationConfiguration
	ecrCreateTemplate = tokens.ECRRepositoryCreationTemplate
)

// Sources of the ECR constraints.
const (
	// ecrReplicationSource: replication creates a replicated repository in
	// the destination on the first push when it does not exist there.
	ecrReplicationSource = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html"
	// ecrTemplateRoleSource: "If you intend to use KMS keys, resource tags,
	// or a combination of both in one or more templates", a custom role is
	// required (the provider: "Required if using repository tags or KMS
	// encryption").
	ecrTemplateRoleSource = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates-create.html"
	// ecrTemplateKeySource: "The key must exist in the same Region as the repository."
	ecrTemplateKeySource = "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_EncryptionConfigurationForRepositoryCreationTemplate.html"
	// ecrTemplatesSource: templates define the settings of repositories ECR
	// creates on replication; a prefix is a namespace ("/" appended), ROOT
	// the fallback.
	ecrTemplatesSource = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates.html"
)

// replicationTarget is one region a registry replication rule copies the
// repositories matching its filters into (no filter: every repository).
type replicationTarget struct {
	config  *mockengine.Resource
	region  string
	filters []string
}

// replicationTargets are the cross-Region targets of every replication
// configuration of the pair.
func replicationTargets(x Index) []replicationTarget {
	var out []replicationTarget
	for _, rc := range x.PairByType(ecrReplication) {
		for _, rule := range list(get(x.In(rc), "replicationConfiguration.rules")) {
			var filters []string
			for _, f := range list(get(rule, "repositoryFilters")) {
				filters = append(filters, str(get(f, "filter")))
			}
			for _, d := range list(get(rule, "destinations")) {
				if region := str(get(d, "region")); region != "" && region != rc.Region {
					out = append(out, replicationTarget{config: rc, region: region, filters: filters})
				}
			}
		}
	}
	return out
}

// replicates reports whether a target's filters (PREFIX_MATCH) cover a repository name.
func (t replicationTarget) replicates(name string) bool {
	if len(t.filters) == 0 {
		return true
	}
	for _, f := range t.filters {
		if strings.HasPrefix(name, f) {
			return true
		}
	}
	return false
}

// templateCovers reports whether a creation template's prefix applies to
// the repositories a replication filter selects.
func templateCovers(prefix, filter string) bool {
	return prefix == "ROOT" || strings.HasPrefix(filter, prefix+"/")
}

// regionOfArn is the region field of an ARN ("" when v is not an ARN).
func regionOfArn(v any) string {
	parts := strings.Split(str(v), ":")
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[3]
}

func awsECRRules() []Rule {
	return []Rule{
		{
			ID: "ecr-replica-created-by-replication", Severity: High, Category: CategoryAWSConstraint, Source: ecrReplicationSource,
			Types: []string{ecrRepository},
			Title: "No stack of a DR pair creates a repository in a region its registry replication creates it in",
			Check: func(r *mockengine.Resource, x Index) []string {
				name := str(x.In(r)["name"])
				if name == "" || r.Region == "" {
					return nil
				}
				for _, t := range replicationTargets(x) {
					if t.region == r.Region && t.replicates(name) {
						return []string{problem(r, fmt.Sprintf("replication %s creates %s in %s on the first push, so this create races it and fails with RepositoryAlreadyExistsException",
							t.config.Name, name, r.Region),
							"let replication create it: give the replicating stack a REPLICATION creation template in "+r.Region+" and refer to the repository by name here (fleet: Args.Replicas)")}
					}
				}
				return nil
			},
		},
		{
			ID: "ecr-template-role", Severity: High, Category: CategoryAWSConstraint, Source: ecrTemplateRoleSource,
			Types: []string{ecrCreateTemplate},
			Title: "A repository creation template with KMS encryption or tags names the role ECR creates repositories as",
			Check: func(r *mockengine.Resource, x Index) []string {
				in := x.In(r)
				var needs []string
				for _, e := range list(in["encryptionConfigurations"]) {
					if strings.HasPrefix(str(get(e, "encryptionType")), "KMS") {
						needs = append(needs, "KMS encryption")
					}
				}
				if len(obj(in["resourceTags"])) > 0 {
					needs = append(needs, "resource tags")
				}
				if len(needs) > 0 && !isSet(in["customRoleArn"]) {
					return []string{problem(r, "the template uses "+strings.Join(needs, " and ")+" but has no customRoleArn, so ECR cannot create repositories from it",
						"set customRoleArn to a role trusting ecr.amazonaws.com with ecr:CreateRepository/ReplicateImage/TagResource on the repositories and kms:CreateGrant/RetireGrant/DescribeKey on the key")}
				}
				return nil
			},
		},
		{
			ID: "ecr-template-key-region", Severity: High, Category: CategoryAWSConstraint, Source: ecrTemplateKeySource,
			Types: []string{ecrCreateTemplate},
			Title: "A repository creation template's KMS key is in the template's region",
			Check: func(r *mockengine.Resource, x Index) []string {
				for _, e := range list(x.In(r)["encryptionConfigurations"]) {
					if kr := regionOfArn(get(e, "kmsKey")); kr != "" && r.Region != "" && kr != r.Region {
						return []string{problem(r, fmt.Sprintf("its KMS key is in %s, the template (and the repositories it creates) in %s", kr, r.Region),
							"create a key in "+r.Region+" (the stack's provider for that region) and name it")}
					}
				}
				return nil
			},
		},
		{
			ID: "ecr-replication-template", Severity: Medium, Source: ecrTemplatesSource,
			Types: []string{ecrReplication},
			Title: "Replicated repositories are created from a REPLICATION template with KMS encryption and immutable tags (FSBP ECR.2)",
			Check: func(r *mockengine.Resource, x Index) []string {
				var out []string
				for _, t := range replicationTargets(x) {
					if t.config != r {
						continue
					}
					filters := t.filters
					if len(filters) == 0 {
						filters = []string{""}
					}
					missing := map[string]bool{}
					for _, f := range filters {
						if !replicationTemplated(x, t.region, f) {
							missing[f] = true
						}
					}
					if len(missing) > 0 {
						names := make([]string, 0, len(missing))
						for f := range missing {
							names = append(names, f)
						}
						sort.Strings(names)
						out = append(out, problem(r, fmt.Sprintf("ECR creates the replicas of %v in %s with default settings (AES256, mutable tags, no lifecycle): no REPLICATION template with KMS and IMMUTABLE covers them",
							names, t.region), "create an ecr.RepositoryCreationTemplate in "+t.region+" for their namespace (or ROOT) with appliedFors [REPLICATION], KMS encryption and imageTagMutability IMMUTABLE"))
					}
				}
				return out
			},
		},
	}
}

// replicationTemplated reports whether a template of the pair in region,
// applied for REPLICATION with KMS encryption and immutable tags, covers
// the repositories a replication filter selects ("": all of them).
func replicationTemplated(x Index, region, filter string) bool {
	for _, tpl := range x.PairByType(ecrCreateTemplate) {
		in := x.In(tpl)
		if tpl.Region != region || !contains(strs(in["appliedFors"]), "REPLICATION") || str(in["imageTagMutability"]) != "IMMUTABLE" {
			continue
		}
		kms := false
		for _, e := range list(in["encryptionConfigurations"]) {
			kms = kms || strings.HasPrefix(str(get(e, "encryptionType")), "KMS")
		}
		if prefix := str(in["prefix"]); kms && (prefix == "ROOT" || filter != "" && templateCovers(prefix, filter)) {
			return true
		}
	}
	return false
}
