package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/dbay/infra/internal/mockengine"
)

const (
	tBucket      = "aws:s3/bucketV2:BucketV2"
	tKey         = "aws:kms/key:Key"
	tReplication = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
	tRole        = "aws:iam/role:Role"
	tRolePolicy  = "aws:iam/rolePolicy:RolePolicy"
)

// run runs the bootstrap under the mock engine for args.
func run(t *testing.T, args Args) (*mockengine.Engine, *Bootstrap, map[string]any) {
	t.Helper()
	eng := mockengine.New("dbay-bootstrap", "account", "us-east-1")
	var b *Bootstrap
	outputs := map[string]any{}
	err := eng.Run(func(ctx *pulumi.Context) error {
		var err error
		b, err = Run(ctx, args)
		if err != nil {
			return err
		}
		for k, v := range ctx.GetCurrentExportMap() {
			res, err := internals.UnsafeAwaitOutput(ctx.Context(), pulumi.ToOutput(v))
			if err != nil {
				return err
			}
			outputs[k] = res.Value
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return eng, b, outputs
}

var repo = Args{GitHubRepository: "dbay/infra"}

// What the bootstrap creates, by type and name, and the Region of each
// regional resource ("" for IAM's, which is global).
func TestResourcesAndTheirRegions(t *testing.T) {
	t.Parallel()
	eng, _, _ := run(t, repo)
	got := map[string]string{}
	for _, r := range eng.Resources() {
		if !r.Custom || strings.HasPrefix(r.Type, "pulumi:providers:") {
			continue
		}
		region := r.Region
		if strings.HasPrefix(r.Type, "aws:iam/") {
			region = ""
		}
		got[r.Type+"/"+r.Name] = region
	}
	want := map[string]string{
		"aws:iam/openIdConnectProvider:OpenIdConnectProvider/github": "",
		tRole + "/ci-preview": "", tRolePolicy + "/ci-preview": "", "aws:iam/rolePolicyAttachment:RolePolicyAttachment/ci-preview": "",
		tRole + "/ci-deploy": "", tRolePolicy + "/ci-deploy": "", "aws:iam/rolePolicyAttachment:RolePolicyAttachment/ci-deploy": "",
		tRole + "/state-replication": "", tRolePolicy + "/state-replication": "",
	}
	for _, st := range Stacks {
		want[tKey+"/pulumi-"+st.Name] = st.Region
		want["aws:kms/alias:Alias/pulumi-"+st.Name] = st.Region
		for _, typ := range []string{tBucket, "aws:s3/bucketVersioningV2:BucketVersioningV2", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
			"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
			"aws:s3/bucketPolicy:BucketPolicy", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", tReplication} {
			want[typ+"/state-"+st.Region] = st.Region
		}
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: region %q (present %v), want %q", k, g, ok, v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected resource %s", k)
		}
	}
	if len(got) != 29 {
		t.Errorf("%d resources, want 29 (README \"Deploying for real\")", len(got))
	}
}

// Each Region's bucket: versioned, SSE-KMS under that Region's key,
// public access blocked, TLS only, old versions expire; bucket and key are
// protected and retained.
func TestStateBucketsAreLockedDown(t *testing.T) {
	t.Parallel()
	eng, b, _ := run(t, repo)
	for _, st := range Stacks {
		name := "state-" + st.Region
		bucket := eng.Get(tBucket, name)
		key := eng.Get(tKey, "pulumi-"+st.Name)
		if !bucket.Options.Protect || !bucket.Options.RetainOnDelete || !key.Options.Protect || !key.Options.RetainOnDelete {
			t.Errorf("%s: bucket %+v, key %+v: want protected and retained", st.Name, bucket.Options, key.Options)
		}
		if got := mockengine.Str(bucket.In()["bucket"]); got != b.Regions[st.Name].Name || !strings.HasSuffix(got, "-"+st.Region) {
			t.Errorf("%s bucket name %q", st.Name, got)
		}
		if v := mockengine.Get(eng.Get("aws:s3/bucketVersioningV2:BucketVersioningV2", name).In(), "versioningConfiguration.status"); v != "Enabled" {
			t.Errorf("%s versioning %v", name, v)
		}
		sse := eng.Get("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", name).In()
		def := mockengine.At(sse, "rules", 0, "applyServerSideEncryptionByDefault")
		if mockengine.Get(def, "sseAlgorithm") != "aws:kms" || mockengine.Get(def, "kmsMasterKeyId") != key.Out()["arn"] {
			t.Errorf("%s SSE %v, want aws:kms with %v", name, def, key.Out()["arn"])
		}
		if !strings.Contains(mockengine.Str(key.Out()["arn"]), ":"+st.Region+":") {
			t.Errorf("%s key %v is not in %s", st.Name, key.Out()["arn"], st.Region)
		}
		pab := eng.Get("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name).In()
		for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
			if pab[k] != true {
				t.Errorf("%s public access block %s = %v", name, k, pab[k])
			}
		}
		pol := mockengine.Str(eng.Get("aws:s3/bucketPolicy:BucketPolicy", name).In()["policy"])
		if !strings.Contains(pol, `"aws:SecureTransport":"false"`) || !strings.Contains(pol, `"Effect":"Deny"`) {
			t.Errorf("%s policy is not TLS-only: %s", name, pol)
		}
		lc := eng.Get("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", name).In()
		if d := mockengine.At(lc, "rules", 0, "noncurrentVersionExpiration", "noncurrentDays"); fmt.Sprint(d) != fmt.Sprint(NoncurrentDays) {
			t.Errorf("%s noncurrent versions expire after %v, want %d", name, d, NoncurrentDays)
		}
	}
}

// The dr stack's login and secrets provider name only us-west-2, prod's
// only us-east-1; each stack's prefix replicates to the other Region's
// bucket under that Region's key.
func TestEachStackNeedsOnlyItsRegion(t *testing.T) {
	t.Parallel()
	eng, b, out := run(t, repo)
	wantProviders := map[string]any{
		"prod": "awskms://alias/dbay-pulumi-prod?region=us-east-1",
		"dr":   "awskms://alias/dbay-pulumi-dr?region=us-west-2",
	}
	wantBackends := map[string]any{
		"prod": "s3://dbay-pulumi-state-123456789012-us-east-1/prod?region=us-east-1",
		"dr":   "s3://dbay-pulumi-state-123456789012-us-west-2/dr?region=us-west-2",
	}
	if fmt.Sprint(out["secretsProviders"]) != fmt.Sprint(wantProviders) || fmt.Sprint(out["backendUrls"]) != fmt.Sprint(wantBackends) {
		t.Errorf("secretsProviders %v backendUrls %v, want %v %v", out["secretsProviders"], out["backendUrls"], wantProviders, wantBackends)
	}
	for i, st := range Stacks {
		other := b.Regions[Stacks[(i+1)%len(Stacks)].Name]
		cfg := eng.Get(tReplication, "state-"+st.Region).In()
		rule := mockengine.At(cfg, "rules", 0)
		if p := mockengine.Get(rule, "filter.prefix"); p != st.Name+"/" {
			t.Errorf("%s replicates prefix %v, want %s/", st.Name, p, st.Name)
		}
		if d := mockengine.Get(rule, "destination.bucket"); d != eng.Get(tBucket, "state-"+other.Stack.Region).Out()["arn"] {
			t.Errorf("%s replicates to %v, want %s's bucket", st.Name, d, other.Stack.Region)
		}
		if k := mockengine.Get(rule, "destination.encryptionConfiguration.replicaKmsKeyId"); k != eng.Get(tKey, "pulumi-"+other.Stack.Name).Out()["arn"] {
			t.Errorf("%s replicas are encrypted with %v, want %s's key", st.Name, k, other.Stack.Region)
		}
		if s := mockengine.Get(rule, "sourceSelectionCriteria.sseKmsEncryptedObjects.status"); s != "Enabled" {
			t.Errorf("%s: SSE-KMS objects are not replicated (%v)", st.Name, s)
		}
	}
	lines, _ := out["githubSettings"].([]string)
	settings := strings.Join(lines, "\n")
	for _, want := range []string{"environment production:", "environment dr:", "environment preview:", "PULUMI_BACKEND_URL=s3://dbay-pulumi-state-123456789012-us-west-2/dr?region=us-west-2", "DEPLOY_FREEZE", "AWS_DEPLOY_ROLE_ARN=arn:aws:iam::123456789012:role/"} {
		if !strings.Contains(settings, want) {
			t.Errorf("githubSettings lack %q:\n%s", want, settings)
		}
	}
}

// The roles' trust and policies are the iam/*.json files with every
// placeholder filled: the OIDC subjects of this repository's environments,
// both state buckets and both keys.
func TestCIRolesComeFromTheIAMFiles(t *testing.T) {
	t.Parallel()
	eng, _, _ := run(t, repo)
	for _, name := range []string{"ci-preview", "ci-deploy"} {
		role := eng.Get(tRole, name).In()
		trust := mockengine.Str(role["assumeRolePolicy"])
		pol := mockengine.Str(eng.Get(tRolePolicy, name).In()["policy"])
		for _, doc := range []string{trust, pol} {
			if strings.Contains(doc, "${") || !json.Valid([]byte(doc)) {
				t.Errorf("%s: unfilled or invalid policy %s", name, doc)
			}
		}
		if !strings.Contains(trust, "repo:dbay/infra:environment:") || !strings.Contains(trust, "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com") {
			t.Errorf("%s trust %s", name, trust)
		}
		for _, st := range Stacks {
			for _, want := range []string{"arn:aws:s3:::dbay-pulumi-state-123456789012-" + st.Region + "/*", "arn:aws:kms:" + st.Region + ":123456789012:key/"} {
				if !strings.Contains(pol, want) {
					t.Errorf("%s policy does not name %s: %s", name, want, pol)
				}
			}
		}
	}
	if d := eng.Get(tRole, "ci-deploy").In()["maxSessionDuration"]; fmt.Sprint(d) != fmt.Sprint(DeploySessionSeconds) {
		t.Errorf("deploy role session %v, want %d", d, DeploySessionSeconds)
	}
}

func TestRenderExpandsAndRefusesUnknownPlaceholders(t *testing.T) {
	t.Parallel()
	vars := map[string][]string{"STATE_BUCKET": {"b", "a"}, "PULUMI_SECRETS_KEY_ARN": {"k1", "k2"}}
	got, err := Render("deploy-policy.json", vars)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Statement []struct{ Resource any } }
	if err := json.Unmarshal([]byte(got), &doc); err != nil {
		t.Fatal(err)
	}
	var res []string
	for _, s := range doc.Statement {
		res = append(res, fmt.Sprint(s.Resource))
	}
	sort.Strings(res)
	if want := "[[arn:aws:s3:::a arn:aws:s3:::b] [arn:aws:s3:::a/* arn:aws:s3:::b/*] [k1 k2]]"; fmt.Sprint(res) != want {
		t.Errorf("rendered resources %v, want %s", res, want)
	}
	if _, err := Render("preview-trust.json", vars); err == nil || !strings.Contains(err.Error(), "preview-trust.json: no value for ${") {
		t.Errorf("missing ACCOUNT_ID and GITHUB_REPOSITORY: %v", err)
	}
}

func TestArgsAreValidatedAllAtOnce(t *testing.T) {
	t.Parallel()
	err := Args{GitHubRepository: "dbay/*", Prefix: "DBay"}.validate()
	if err == nil || !strings.Contains(err.Error(), "githubRepository") || !strings.Contains(err.Error(), "prefix") {
		t.Errorf("validate = %v, want both keys named", err)
	}
	if err := repo.validate(); err != nil {
		t.Error(err)
	}
}
