package tests

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/dbay/infra/components/drlink"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
	"github.com/dbay/infra/stacks"
)

// rawString is a captured input in the clear (secrets unwrapped): what
// the provider would send to AWS.
func rawString(r *mockengine.Resource, key string) string {
	v, ok := r.Inputs[resource.PropertyKey(key)]
	if !ok {
		return ""
	}
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !v.IsString() {
		return ""
	}
	return v.StringValue()
}

// The primary writes its contract into the recovery Region: the plain
// half as an SSM parameter within its tier's size limit, the secret half
// as a Secrets Manager secret within 64 KB under the secrets key's replica
// there, readable by the deploy and break-glass roles only. The recovery
// stack reads both with data sources in its own Region and reads no
// StackReference; what it reads is what the primary exported.
func TestRecoveryReadsTheReplicatedContract(t *testing.T) {
	t.Parallel()
	// Intelligent-Tiering: Standard up to 4 KB, Advanced up to 8 KB.
	limits := map[string]int{"Standard": drlink.StandardParameterMax, "Advanced": drlink.AdvancedParameterMax, "Intelligent-Tiering": drlink.AdvancedParameterMax}
	for _, dir := range []string{root, dhanamDir} {
		rec := synthesize(t, dir, "dr")
		prim := rec.Partner
		project := prim.Project

		param := must(t, prim, tokens.SSMParameter, "contract")
		value, tier := rawString(param, "value"), rawString(param, "tier")
		if param.Region != "us-west-2" || rawString(param, "name") != drlink.ParameterName(project, "prod") || rawString(param, "type") != "String" {
			t.Errorf("%s: contract parameter %s %v in %s", dir, rawString(param, "name"), param.In()["type"], param.Region)
		}
		if max, ok := limits[tier]; !ok || len(value) > max {
			t.Errorf("%s: the contract is %d bytes, over the %s tier's %d (or no tier %q)", dir, len(value), tier, max, tier)
		}
		version := must(t, prim, tokens.SecretsManagerSecretVersion, "contract-secrets")
		secretValue := rawString(version, "secretString")
		if len(secretValue) > drlink.SecretValueMax || version.Region != "us-west-2" {
			t.Errorf("%s: contract secret is %d bytes in %s", dir, len(secretValue), version.Region)
		}
		t.Logf("%s prod: contract %d bytes (SSM %s tier, limit %d); secret half %d bytes (limit %d)",
			project, len(value), tier, limits[tier], len(secretValue), drlink.SecretValueMax)

		// The exported contract and the replicated one are the same document.
		var plain map[string]any
		if err := json.Unmarshal([]byte(value), &plain); err != nil {
			t.Fatalf("%s: contract parameter is not JSON: %v", dir, err)
		}
		if exported := prim.Outputs[stacks.ContractOutput]; !reflect.DeepEqual(plain, exported) {
			t.Errorf("%s: replicated contract differs from the exported drContract:\n%v\n%v", dir, plain, exported)
		}
		var secret map[string]any
		if err := json.Unmarshal([]byte(secretValue), &secret); err != nil || len(secret) == 0 || secret["postgresPassword"] == "" {
			t.Errorf("%s: contract secret half %d keys, postgresPassword %q (%v)", dir, len(secret), secret["postgresPassword"], err)
		}

		// Encrypted under the secrets key's replica in us-west-2, and only
		// the deploy role (the recovery stack's pulumi up) and break-glass
		// may read it.
		sec := must(t, prim, tokens.SecretsManagerSecret, "contract-secrets")
		replicaKey, _ := plain["secretsReplicaKeyArns"].(map[string]any)
		if sec.Region != "us-west-2" || sec.In()["kmsKeyId"] != replicaKey["us-west-2"] || rawString(sec, "name") != drlink.SecretName(project, "prod") {
			t.Errorf("%s: contract secret %s in %s under %v, want the secrets key's replica %v", dir, rawString(sec, "name"), sec.Region, sec.In()["kmsKeyId"], replicaKey["us-west-2"])
		}
		var doc mockengine.PolicyDocument
		if err := json.Unmarshal([]byte(rawString(must(t, prim, tokens.SecretsManagerSecretPolicy, "contract-secrets"), "policy")), &doc); err != nil {
			t.Fatal(err)
		}
		readers := []any{"arn:aws:iam::" + mockengine.Account + ":role/" + rec.Config.Security.DeployRole,
			"arn:aws:iam::" + mockengine.Account + ":role/" + rec.Config.Security.BreakGlassRole}
		var readDenied bool
		for _, st := range doc.Statement {
			acts, ok := st.Action.([]any)
			if !ok {
				acts = []any{st.Action}
			}
			if st.Effect == "Deny" && acts[0] == "secretsmanager:GetSecretValue" && st.Principal == "*" {
				readDenied = reflect.DeepEqual(st.Condition["ArnNotEquals"]["aws:PrincipalArn"], readers)
			}
		}
		if !readDenied {
			t.Errorf("%s: the contract secret's policy does not deny GetSecretValue to all but %v: %+v", dir, readers, doc.Statement)
		}

		// The recovery stack: no StackReference, two reads in us-west-2.
		if refs := rec.Engine.ByType(tokens.StackReference); len(refs) > 0 {
			t.Errorf("%s: the recovery stack reads the primary's state through %d StackReferences", dir, len(refs))
		}
		got := map[string]string{}
		for _, inv := range rec.Engine.Invokes() {
			if p := rec.Engine.ByURN(inv.Provider); p != nil && (inv.Token == "aws:ssm/getParameter:getParameter" || inv.Token == "aws:secretsmanager/getSecretVersion:getSecretVersion") {
				got[inv.Token] = p.Region
			}
		}
		if want := map[string]string{"aws:ssm/getParameter:getParameter": "us-west-2", "aws:secretsmanager/getSecretVersion:getSecretVersion": "us-west-2"}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: recovery reads the contract with %v, want %v", dir, got, want)
		}
		// What it read is what prod wrote: its PostgreSQL replicates prod's.
		if src := must(t, rec, tokens.RDSInstance, "postgres").In()["replicateSourceDb"]; src != plain["postgresArn"] {
			t.Errorf("%s: dr postgres replicates %v, want the contract's %v", dir, src, plain["postgresArn"])
		}
	}
}

// A recovery stack whose primary never replicated its contract (or not
// into this Region) fails naming the document and the fix; so does a
// contract that lacks a field.
func TestMissingContractNamesTheFix(t *testing.T) {
	t.Parallel()
	prim := synthesize(t, root, "dr").Partner
	var world []*mockengine.Resource
	for _, r := range prim.Resources {
		if r.Type != tokens.SSMParameter {
			world = append(world, r)
		}
	}
	st, err := synth.LoadStack(root, "dr")
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		world []*mockengine.Resource
		want  string
	}{
		"no parameter": {world, "the DR contract of stack organization/dbay/prod (SSM parameter /dbay/prod/dr/contract in us-west-2) cannot be read: deploy the primary stack first (pulumi up --stack prod)"},
		"no field":     {withoutField(t, prim.Resources, "postgresArn"), "has no drContract.postgresArn: deploy the primary stack first (pulumi up --stack prod)"},
	} {
		_, err := synth.RunIn(st, tc.world)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

// withoutField is the primary's resources with key removed from the
// replicated contract.
func withoutField(t *testing.T, rs []*mockengine.Resource, key string) []*mockengine.Resource {
	t.Helper()
	out := make([]*mockengine.Resource, 0, len(rs))
	for _, r := range rs {
		if r.Type == tokens.SSMParameter {
			var m map[string]any
			if err := json.Unmarshal([]byte(rawString(r, "value")), &m); err != nil {
				t.Fatal(err)
			}
			delete(m, key)
			b, _ := json.Marshal(m)
			c := *r
			c.Outputs = resource.PropertyMap{}
			for k, v := range r.Outputs {
				c.Outputs[k] = v
			}
			c.Outputs["value"] = resource.NewStringProperty(string(b))
			r = &c
		}
		out = append(out, r)
	}
	return out
}
