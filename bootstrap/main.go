// Command bootstrap is the Pulumi program that creates, once per AWS
// account, what the stacks' first `pulumi up` needs and cannot create
// itself (issue 19 item 6, issue 18 part 1): the state buckets, the
// secrets-provider keys, GitHub's OIDC provider and the CI roles. It is a
// project of its own (bootstrap/Pulumi.yaml) with local state at first,
// then migrated into the bucket it creates (docs/deploying.md "Deploying for real").
//
// Layout: every stack has a home Region (prod us-east-1, dr us-west-2)
// and everything its `pulumi up` touches lives there:
//
//   - one state bucket per Region, s3://<prefix>-pulumi-state-<account>-<region>;
//     a stack's state is under its own key prefix (`pulumi login
//     s3://<bucket>/<stack>`, a prefixed DIY backend:
//     https://github.com/pulumi/pulumi/pull/2797,
//     https://github.com/pulumi/pulumi-hugo/pull/158);
//   - one KMS key per Region, alias/<prefix>-pulumi-<stack>: the stack's
//     secrets provider (awskms://alias/<prefix>-pulumi-<stack>?region=<region>)
//     and the SSE-KMS key of that Region's bucket;
//   - each bucket replicates its own stack's prefix (a replication rule's
//     prefix filter: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ReplicationRuleFilter.html)
//     to the other Region's bucket under that Region's key (SSE-KMS
//     replication needs SseKmsEncryptedObjects and ReplicaKmsKeyID:
//     https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html),
//     so a lost Region's state has a copy and a stack's live backend is
//     never the replica the other Region writes.
//
// So the dr stack's `pulumi up` reads and writes only us-west-2 (its bucket,
// its key); the roles are IAM's, whose authentication works in every Region
// while its control plane is in us-east-1
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/disaster-recovery-resiliency.html;
// a recovery path must not create or change IAM resources:
// https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/appendix-a---partitional-service-guidance.html).
package main

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Stack is one stack of the DBay/Dhanam projects and its home Region.
type Stack struct {
	Name        string // the stack name (prod, dr); also its key prefix in the state bucket
	Region      string // where its state, its key and its resources live
	Environment string // the GitHub environment its deploy job runs in
}

// Stacks are the stacks the bootstrap provisions for, in deploy order.
var Stacks = []Stack{
	{Name: "prod", Region: "us-east-1", Environment: "production"},
	{Name: "dr", Region: "us-west-2", Environment: "dr"},
}

// NoncurrentDays is how long a state file's previous versions are kept:
// Pulumi also keeps its own checkpoint history under .pulumi/history, so
// versions only guard against an overwrite or a deletion of the bucket's
// objects.
const NoncurrentDays = 90

// Args is the bootstrap's configuration (docs/deploying.md "Deploying for real": no
// stack file is shipped, tests/workspace_test.go synthesizes every one as a
// DBay stack).
type Args struct {
	// GitHubRepository is owner/name, the only repository whose workflows
	// may assume the roles. Required.
	GitHubRepository string
	// Prefix names everything ("dbay" if empty).
	Prefix string
}

func (a Args) withDefaults() Args {
	if a.Prefix == "" {
		a.Prefix = "dbay"
	}
	return a
}

func (a Args) validate() error {
	var errs []string
	if parts := strings.Split(a.GitHubRepository, "/"); len(parts) != 2 || parts[0] == "" || parts[1] == "" || strings.ContainsAny(a.GitHubRepository, "*? ") {
		errs = append(errs, fmt.Sprintf("dbay-bootstrap:githubRepository: %q, want owner/name of the repository whose workflows deploy (no wildcard)", a.GitHubRepository))
	}
	if a.Prefix != "" && (strings.ToLower(a.Prefix) != a.Prefix || len(a.Prefix) > 20) {
		errs = append(errs, fmt.Sprintf("dbay-bootstrap:prefix: %q, want lower case, at most 20 characters (it starts the bucket names)", a.Prefix))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		repo, _ := ctx.GetConfig("dbay-bootstrap:githubRepository")
		prefix, _ := ctx.GetConfig("dbay-bootstrap:prefix")
		_, err := Run(ctx, Args{GitHubRepository: repo, Prefix: prefix})
		return err
	})
}

// Bootstrap is what Run created, for the tests.
type Bootstrap struct {
	Regions map[string]*Region // by stack name
	CI      *CI
}

// Run creates the bootstrap's resources and exports what the README's
// `pulumi login` / `pulumi stack init` and the GitHub settings need.
func Run(ctx *pulumi.Context, args Args) (*Bootstrap, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	args = args.withDefaults()
	caller, err := aws.GetCallerIdentity(ctx, nil)
	if err != nil {
		return nil, err
	}
	b := &Bootstrap{Regions: map[string]*Region{}}
	for _, st := range Stacks {
		r, err := newRegion(ctx, args.Prefix, caller.AccountId, st)
		if err != nil {
			return nil, err
		}
		b.Regions[st.Name] = r
	}
	if err := replicateState(ctx, args.Prefix, b.Regions); err != nil {
		return nil, err
	}
	if b.CI, err = newCI(ctx, args, caller.AccountId, b.Regions); err != nil {
		return nil, err
	}

	backends, providers := pulumi.StringMap{}, pulumi.StringMap{}
	for _, st := range Stacks {
		r := b.Regions[st.Name]
		backends[st.Name] = pulumi.String(r.BackendURL())
		providers[st.Name] = pulumi.String(r.SecretsProvider())
	}
	ctx.Export("backendUrls", backends)
	ctx.Export("secretsProviders", providers)
	ctx.Export("previewRoleArn", b.CI.Preview.Arn)
	ctx.Export("deployRoleArn", b.CI.Deploy.Arn)
	ctx.Export("githubSettings", pulumi.All(b.CI.Preview.Arn, b.CI.Deploy.Arn).ApplyT(func(arns []any) []string {
		return GitHubSettings(b.Regions, arns[0].(string), arns[1].(string))
	}))
	return b, nil
}

// GitHubSettings lists the repository settings the workflows rely on,
// with their values: what an administrator sets once (docs/deploying.md "Deploying
// for real", step 4).
func GitHubSettings(regions map[string]*Region, previewRole, deployRole string) []string {
	out := []string{
		"environment preview: required reviewers = the maintainers; deployment branches = all; variables AWS_PREVIEW_ROLE_ARN=" + previewRole +
			" PULUMI_BACKEND_URL_PROD=" + regions["prod"].BackendURL() + " PULUMI_BACKEND_URL_DR=" + regions["dr"].BackendURL(),
		// deploy.yml's plan-<stack> jobs and drift.yml: previews of main, no reviewers
		"environment plan: no reviewers; deployment branches = main; variables AWS_PREVIEW_ROLE_ARN=" + previewRole +
			" PULUMI_BACKEND_URL_PROD=" + regions["prod"].BackendURL() + " PULUMI_BACKEND_URL_DR=" + regions["dr"].BackendURL(),
	}
	for _, st := range Stacks {
		out = append(out, fmt.Sprintf("environment %s: required reviewers = the on-call approvers; deployment branches = main; variables AWS_DEPLOY_ROLE_ARN=%s PULUMI_BACKEND_URL=%s; secret DEPLOY_FREEZE_TOKEN (fine-grained token of this repository only: Variables read/write, nothing else)",
			st.Environment, deployRole, regions[st.Name].BackendURL()))
	}
	return append(out,
		"repository variable DEPLOY_FREEZE: unset (the failover and failback workflows set and clear it; deploy.yml skips its jobs while it is set)",
		"branch rule on main: allow GitHub Actions to push (the failover and failback workflows commit the stack configs)",
	)
}
