package fleet

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
)

// A primary with a replica region owns, in that region, the creation
// template ECR creates the replicated repositories from: KMS (a key of the
// replica region), immutable tags, the lifecycle, the stack's tags and a
// role that may create exactly these repositories and use that key. The
// replication waits for it.
func TestReplicaCreationTemplate(t *testing.T) {
	t.Parallel()
	r := synth(t, dbay(t), nil).must(t)
	tpl := r.one(t, "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate", "image-replicas-dbay")
	key := r.one(t, "aws:kms/key:Key", "image-replica-key")
	role := r.one(t, tRole, "image-replica-creator")
	in := tpl.In()
	for what, got := range map[string][2]any{
		"region":       {tpl.Region, "us-west-2"},
		"key region":   {key.Region, "us-west-2"},
		"prefix":       {in["prefix"], "dbay"},
		"applied for":  {in["appliedFors"], []any{"REPLICATION"}},
		"mutability":   {in["imageTagMutability"], "IMMUTABLE"},
		"encryption":   {in["encryptionConfigurations"], []any{map[string]any{"encryptionType": "KMS", "kmsKey": key.Out()["arn"]}}},
		"lifecycle":    {in["lifecyclePolicy"], lifecyclePolicy(30)},
		"tags":         {in["resourceTags"], map[string]any{"project": "dbay", "stack": "prod"}},
		"custom role":  {in["customRoleArn"], role.Out()["arn"]},
		"key rotation": {key.In()["enableKeyRotation"], true},
		"key protect":  {key.Options.Protect, true},
	} {
		if !reflect.DeepEqual(got[0], got[1]) {
			t.Errorf("template %s = %v, want %v", what, got[0], got[1])
		}
	}
	if !strings.Contains(role.In()["assumeRolePolicy"].(string), `"ecr.amazonaws.com"`) {
		t.Errorf("creator trust = %v", role.In()["assumeRolePolicy"])
	}
	g := r.grants(t)[r.roleName(t, "image-replica-creator")]
	var repos []string
	for _, s := range r.fx.fleet.Services {
		repos = append(repos, "arn:aws:ecr:us-west-2:123456789012:repository/"+s.Image.Repository)
	}
	for _, a := range []string{"ecr:CreateRepository", "ecr:ReplicateImage", "ecr:TagResource"} {
		if got := g[a]; len(got) != len(repos) || !hasPrefix(got, "arn:aws:ecr:us-west-2:123456789012:repository/dbay/") || hasPrefix(got, "*") {
			t.Errorf("creator %s on %v, want the %d replicated repositories", a, got, len(repos))
		}
	}
	for _, a := range []string{"kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"} {
		if !equal(g[a], []string{key.Out()["arn"].(string)}) {
			t.Errorf("creator %s on %v, want the replica key only", a, g[a])
		}
	}
	rep := r.one(t, "aws:ecr/replicationConfiguration:ReplicationConfiguration", "registry-replication")
	if !contains(rep.Dependencies, tpl.URN) {
		t.Errorf("replication does not wait for the template: %v", rep.Dependencies)
	}
	if got := r.eng.ByType(tRepo); len(got) != len(r.fx.fleet.Services) {
		t.Errorf("%d repositories", len(got))
	}
	for _, repo := range r.eng.ByType(tRepo) {
		if repo.Region != "us-east-1" {
			t.Errorf("repository %s created in %s", repo.Name, repo.Region)
		}
	}
}

// Repositories without a namespace (Dhanam's dhanam-api) are covered by a
// ROOT template; a namespace's template by its namespace.
func TestTemplatePrefix(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{"dbay/listing-service": "dbay", "dhanam-api": "ROOT", "org/team/app": "org/team"} {
		if got := templatePrefix(name); got != want {
			t.Errorf("templatePrefix(%s) = %s, want %s", name, got, want)
		}
	}
	r := synth(t, dhanam(t), nil).must(t)
	if in := r.one(t, "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate", "image-replicas-root").In(); in["prefix"] != "ROOT" {
		t.Errorf("dhanam template = %v", in)
	}
}

// A recovery fleet creates no repository: it runs the primary's replicas,
// which replication creates in its region; a repository the primary does
// not replicate fails the run.
func TestRecoveryRunsReplicas(t *testing.T) {
	t.Parallel()
	fx := dbay(t)
	fx.role, fx.region, fx.replica = config.RoleRecovery, "us-west-2", ""
	urls := pulumi.StringMap{}
	for _, s := range fx.fleet.Services {
		urls[s.Image.Repository] = pulumi.String("123456789012.dkr.ecr.us-west-2.amazonaws.com/" + s.Image.Repository)
	}
	const keyArn = "arn:aws:kms:us-west-2:123456789012:key/replica"
	fx.replicas = &ReplicaRepos{URLs: urls, KeyArn: pulumi.String(keyArn)}
	r := synth(t, fx, nil).must(t)
	if got := r.eng.ByType(tRepo); len(got) != 0 {
		t.Errorf("a recovery fleet created %d repositories", len(got))
	}
	if n := len(r.eng.ByType("aws:ecr/lifecyclePolicy:LifecyclePolicy")) + len(r.eng.ByType("aws:ecr/replicationConfiguration:ReplicationConfiguration")); n != 0 {
		t.Errorf("%d lifecycle/replication resources", n)
	}
	if c := r.container(t, "wallet"); c.Image != "123456789012.dkr.ecr.us-west-2.amazonaws.com/dbay/wallet-service:v1.0.0" {
		t.Errorf("wallet image = %s", c.Image)
	}
	g := r.grants(t)[r.roleName(t, "wallet-exec")]
	if !equal(g["ecr:BatchGetImage"], []string{"arn:aws:ecr:us-west-2:123456789012:repository/dbay/wallet-service"}) || !contains(g["kms:Decrypt"], keyArn) {
		t.Errorf("wallet-exec pulls %v, decrypts %v", g["ecr:BatchGetImage"], g["kms:Decrypt"])
	}
	if got := r.outs["repositoryUrls"].(map[string]any)["wallet"]; got != "123456789012.dkr.ecr.us-west-2.amazonaws.com/dbay/wallet-service" {
		t.Errorf("repositoryUrls.wallet = %v", got)
	}

	delete(urls, "dbay/wallet-service")
	fx.replicas = &ReplicaRepos{URLs: urls, KeyArn: pulumi.String(keyArn)}
	if err := synth(t, fx, nil).err; err == nil || !strings.Contains(err.Error(), "dbay/wallet-service is not replicated to us-west-2") {
		t.Errorf("missing replica: %v", err)
	}
}
