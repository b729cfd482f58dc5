package main

import (
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The CI roles' trust and permissions: one source, read by this program and
// checked by internal/ci (TestCredentialedJobsRunInTheirRolesEnvironment,
// TestPreviewRoleReadsNoApplicationData).
//
//go:embed iam/*.json
var iamFiles embed.FS

// CI is GitHub's OIDC provider and the two roles the workflows assume.
type CI struct {
	OIDC            *iam.OpenIdConnectProvider
	Preview, Deploy *iam.Role
}

// DeploySessionSeconds is the deploy role's longest session: the deploy,
// failover and failback jobs' 120-minute timeout, so a long first `pulumi up`
// keeps its credentials (issue 19 item 5; role-duration-seconds: 7200).
const DeploySessionSeconds = 7200

func newCI(ctx *pulumi.Context, args Args, account string, regions map[string]*Region) (*CI, error) {
	c := &CI{}
	var err error
	// GitHub's issuer; AWS validates its certificate against its trusted
	// CAs, so no thumbprint is pinned
	// (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services).
	if c.OIDC, err = iam.NewOpenIdConnectProvider(ctx, "github", &iam.OpenIdConnectProviderArgs{
		Url:           pulumi.String("https://token.actions.githubusercontent.com"),
		ClientIdLists: pulumi.ToStringArray([]string{"sts.amazonaws.com"}),
	}); err != nil {
		return nil, err
	}
	var buckets []string
	keys := pulumi.StringArray{}
	for _, st := range Stacks {
		buckets = append(buckets, regions[st.Name].Name)
		keys = append(keys, regions[st.Name].Key.Arn)
	}
	fixed := map[string][]string{"ACCOUNT_ID": {account}, "GITHUB_REPOSITORY": {args.GitHubRepository}, "STATE_BUCKET": buckets}
	policy := func(file string) pulumi.StringOutput {
		return pulumi.All(keys.ToStringArrayOutput(), c.OIDC.Arn).ApplyT(func(v []any) (string, error) {
			vars := map[string][]string{"PULUMI_SECRETS_KEY_ARN": v[0].([]string)}
			for k, x := range fixed {
				vars[k] = x
			}
			return Render(file, vars)
		}).(pulumi.StringOutput)
	}
	role := func(name, trust string, seconds int, managed string, inline ...string) (*iam.Role, error) {
		r, err := iam.NewRole(ctx, name, &iam.RoleArgs{
			Name:               pulumi.Sprintf("%s-%s", args.Prefix, name),
			AssumeRolePolicy:   policy(trust),
			MaxSessionDuration: pulumi.Int(seconds),
		}, pulumi.DependsOn([]pulumi.Resource{c.OIDC}))
		if err != nil {
			return nil, err
		}
		if _, err := iam.NewRolePolicyAttachment(ctx, name, &iam.RolePolicyAttachmentArgs{
			Role: r.Name, PolicyArn: pulumi.String("arn:aws:iam::aws:policy/" + managed),
		}, pulumi.Parent(r)); err != nil {
			return nil, err
		}
		for _, file := range inline {
			if _, err := iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: r.Name, Policy: policy(file)}, pulumi.Parent(r)); err != nil {
				return nil, err
			}
		}
		return r, nil
	}
	// The preview role reads resource configuration, the state and the
	// keys, and no application data (preview-policy.json's denies).
	if c.Preview, err = role("ci-preview", "preview-trust.json", 3600, "ReadOnlyAccess", "preview-policy.json"); err != nil {
		return nil, err
	}
	// The deploy role creates everything the stacks declare; it is bounded
	// by the environments' reviewers (docs/security.md "Who can see secrets in CI").
	if c.Deploy, err = role("ci-deploy", "deploy-trust.json", DeploySessionSeconds, "AdministratorAccess", "deploy-policy.json"); err != nil {
		return nil, err
	}
	return c, nil
}

var placeholderRe = regexp.MustCompile(`\$\{([A-Z_]+)\}`)

// Render reads iam/<file> and replaces its ${NAME} placeholders. A string
// naming a placeholder with several values becomes one string per value
// (inside an array, they are spliced in; elsewhere the string becomes an
// array), so "arn:aws:s3:::${STATE_BUCKET}/*" names every state bucket. An
// unknown placeholder is an error, never left in a policy.
func Render(file string, vars map[string][]string) (string, error) {
	b, err := iamFiles.ReadFile("iam/" + file)
	if err != nil {
		return "", err
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	var walk func(v any) (any, error)
	expand := func(s string) ([]string, error) {
		out := []string{s}
		for _, m := range placeholderRe.FindAllStringSubmatch(s, -1) {
			vals, ok := vars[m[1]]
			if !ok || len(vals) == 0 {
				return nil, fmt.Errorf("%s: no value for ${%s}", file, m[1])
			}
			var next []string
			for _, o := range out {
				for _, v := range vals {
					next = append(next, strings.ReplaceAll(o, m[0], v))
				}
			}
			out = next
		}
		sort.Strings(out)
		return out, nil
	}
	walk = func(v any) (any, error) {
		switch x := v.(type) {
		case string:
			vals, err := expand(x)
			if err != nil || len(vals) != 1 {
				return vals, err
			}
			return vals[0], nil
		case []any:
			var out []any
			for _, e := range x {
				if s, ok := e.(string); ok {
					vals, err := expand(s)
					if err != nil {
						return nil, err
					}
					for _, v := range vals {
						out = append(out, v)
					}
					continue
				}
				w, err := walk(e)
				if err != nil {
					return nil, err
				}
				out = append(out, w)
			}
			return out, nil
		case map[string]any:
			for k, e := range x {
				w, err := walk(e)
				if err != nil {
					return nil, err
				}
				x[k] = w
			}
			return x, nil
		}
		return v, nil
	}
	out, err := walk(doc)
	if err != nil {
		return "", err
	}
	rendered, err := json.Marshal(out)
	return string(rendered), err
}

// replicateState replicates each stack's prefix of its home bucket to the
// other Region's bucket, under that Region's key: a copy of every state
// that survives its Region, never a backend (docs/dr.md "Outage day").
func replicateState(ctx *pulumi.Context, prefix string, regions map[string]*Region) error {
	var bucketArns, keyArns pulumi.StringArray
	var deps []pulumi.Resource
	for _, st := range Stacks {
		r := regions[st.Name]
		bucketArns = append(bucketArns, r.Bucket.Arn)
		keyArns = append(keyArns, r.Key.Arn)
		deps = append(deps, r.Versioning)
	}
	assume, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]string{"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole",
	}}})
	if err != nil {
		return err
	}
	role, err := iam.NewRole(ctx, "state-replication", &iam.RoleArgs{
		Name: pulumi.Sprintf("%s-pulumi-state-replication", prefix), AssumeRolePolicy: pulumi.String(string(assume)),
	})
	if err != nil {
		return err
	}
	// The permissions S3 replication of SSE-KMS objects needs
	// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html,
	// replication-config-for-kms-objects.html): read the sources' versions,
	// write replicas, decrypt with the source key, encrypt with the replica's.
	rp, err := iam.NewRolePolicy(ctx, "state-replication", &iam.RolePolicyArgs{
		Role: role.Name,
		Policy: pulumi.All(bucketArns.ToStringArrayOutput(), keyArns.ToStringArrayOutput()).ApplyT(func(v []any) (string, error) {
			var objects []string
			for _, b := range v[0].([]string) {
				objects = append(objects, b+"/*")
			}
			b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{
				map[string]any{"Effect": "Allow", "Action": []string{"s3:GetReplicationConfiguration", "s3:ListBucket"}, "Resource": v[0]},
				map[string]any{"Effect": "Allow", "Action": []string{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"}, "Resource": objects},
				map[string]any{"Effect": "Allow", "Action": []string{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"}, "Resource": objects},
				map[string]any{"Effect": "Allow", "Action": []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"}, "Resource": v[1]},
			}})
			return string(b), err
		}).(pulumi.StringOutput),
	}, pulumi.Parent(role))
	if err != nil {
		return err
	}
	for i, st := range Stacks {
		src, dst := regions[st.Name], regions[Stacks[(i+1)%len(Stacks)].Name]
		if _, err := s3.NewBucketReplicationConfig(ctx, "state-"+st.Region, &s3.BucketReplicationConfigArgs{
			Bucket: src.Bucket.Bucket,
			Role:   role.Arn,
			Rules: s3.BucketReplicationConfigRuleArray{s3.BucketReplicationConfigRuleArgs{
				Id:                      pulumi.String(st.Name + "-state"),
				Status:                  pulumi.String("Enabled"),
				Filter:                  &s3.BucketReplicationConfigRuleFilterArgs{Prefix: pulumi.String(st.Name + "/")},
				DeleteMarkerReplication: &s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs{Status: pulumi.String("Enabled")},
				SourceSelectionCriteria: &s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs{
					SseKmsEncryptedObjects: &s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs{Status: pulumi.String("Enabled")},
				},
				Destination: &s3.BucketReplicationConfigRuleDestinationArgs{
					Bucket:                  dst.Bucket.Arn,
					StorageClass:            pulumi.String("STANDARD"),
					EncryptionConfiguration: &s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs{ReplicaKmsKeyId: dst.Key.Arn},
				},
			}},
		}, pulumi.Provider(src.Provider), pulumi.DependsOn(append([]pulumi.Resource{rp}, deps...))); err != nil {
			return err
		}
	}
	return nil
}
