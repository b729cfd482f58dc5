package secrets

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

const (
	tSecret  = "aws:secretsmanager/secret:Secret"
	tVersion = "aws:secretsmanager/secretVersion:SecretVersion"
	tPolicy  = "aws:secretsmanager/secretPolicy:SecretPolicy"
	tRolePol = "aws:iam/rolePolicy:RolePolicy"
	westURN  = "urn:pulumi:prod::dbay::pulumi:providers:aws::us-west-2"
)

// dbaySecrets is DBay's declaration: the wallet keys and RPC credentials
// are external (set by an operator), Django's key is generated, and the
// xpriv may be read only by the BuildAndSignTx function.
func dbaySecrets() config.Secrets {
	return config.Secrets{
		RecoveryWindowDays: 30,
		ReplicaRegions:     []string{"us-west-2"},
		Items: map[string]config.SecretItem{
			"DJANGO_SECRET_KEY":     {Source: config.SourceGenerated, Length: 64, Description: "d"},
			"WALLET_MASTER_XPRIV":   {Source: config.SourceExternal, Readers: []string{"build-and-sign-tx"}, Description: "x"},
			"WALLET_MASTER_XPUB":    {Source: config.SourceExternal, Description: "x"},
			"DOGECOIN_RPC_PASSWORD": {Source: config.SourceExternal, Description: "x"},
			"SENTRY_DSN":            {Source: config.SourceConfig, Description: "c"},
		},
	}
}

type grant struct {
	grantee string
	names   []string
}

// synth builds the component with two roles and the given grants, then seals.
func synth(t *testing.T, protect bool, grants ...grant) (*mockengine.Engine, error) {
	t.Helper()
	eng := mockengine.ForTest(t, "dbay", "prod", "us-east-1")
	err := eng.Run(func(ctx *pulumi.Context) error {
		regional, err := mockengine.Provider(ctx, "regional", "us-east-1")
		if err != nil {
			return err
		}
		west, err := mockengine.Provider(ctx, "us-west-2", "us-west-2")
		if err != nil {
			return err
		}
		s, err := New(ctx, "secrets", &Args{
			Env:  config.Env{Project: "dbay", Stack: "prod", Region: "us-east-1", Partition: "aws", Protect: protect},
			Spec: dbaySecrets(), Values: map[string]string{"SENTRY_DSN": "https://key@sentry.example/1"},
			ReplicaProviders: map[string]*aws.Provider{"us-west-2": west}, DeployRole: "dbay-ci-deploy", BreakGlassRole: "dbay-break-glass",
		}, pulumi.Providers(regional))
		if err != nil {
			return err
		}
		roles := map[string]*iam.Role{}
		for _, name := range []string{"build-and-sign-tx", "wallet"} {
			r, err := iam.NewRole(ctx, name, &iam.RoleArgs{AssumeRolePolicy: pulumi.String(`{}`)}, pulumi.Provider(regional))
			if err != nil {
				return err
			}
			roles[name] = r
		}
		for _, g := range grants {
			if _, err := s.GrantRead(ctx, iamdoc.NewGrantee(g.grantee, roles[g.grantee]), g.names...); err != nil {
				return err
			}
		}
		return s.Seal(ctx)
	})
	return eng, err
}

func TestKeyAndReplicaKey(t *testing.T) {
	t.Parallel()
	eng, err := synth(t, true)
	if err != nil {
		t.Fatal(err)
	}
	key := eng.Get("aws:kms/key:Key", "secrets-key")
	in := key.In()
	if in["enableKeyRotation"] != true || in["deletionWindowInDays"] != 30.0 || in["multiRegion"] != true || !key.Options.Protect {
		t.Errorf("key = %v protect=%v", in, key.Options.Protect)
	}
	if strings.Contains(in["policy"].(string), `"Principal":"*"`) || strings.Contains(in["policy"].(string), `"AWS":"*"`) {
		t.Errorf("key policy has a wildcard principal: %s", in["policy"])
	}
	replica := eng.Get("aws:kms/replicaKey:ReplicaKey", "secrets-key-us-west-2")
	if replica == nil || replica.Provider != westURN || replica.In()["primaryKeyArn"] != key.Out()["arn"] {
		t.Fatalf("replica key = %+v", replica)
	}
	if !strings.HasPrefix(replica.Out()["arn"].(string), "arn:aws:kms:us-west-2:123456789012:key/mrk-") {
		t.Errorf("replica key arn = %v", replica.Out()["arn"])
	}
}

func TestSecretsPerSource(t *testing.T) {
	t.Parallel()
	eng, err := synth(t, false)
	if err != nil {
		t.Fatal(err)
	}
	key := eng.Get("aws:kms/key:Key", "secrets-key").Out()["arn"]
	replicaKey := eng.Get("aws:kms/replicaKey:ReplicaKey", "secrets-key-us-west-2").Out()["arn"]
	for name, item := range dbaySecrets().Items {
		sec := eng.Get(tSecret, name)
		if sec == nil {
			t.Fatalf("no secret %s", name)
		}
		in := sec.In()
		key, replicaKey := key, replicaKey
		if len(item.Readers) > 0 { // a single-reader secret has its own key (sealed.go)
			key = eng.Get("aws:kms/key:Key", name+"-key").Out()["arn"]
			replicaKey = eng.Get("aws:kms/replicaKey:ReplicaKey", name+"-key-us-west-2").Out()["arn"]
		}
		if in["name"] != "dbay/prod/"+name || in["kmsKeyId"] != key || in["recoveryWindowInDays"] != 30.0 {
			t.Errorf("%s = %v", name, in)
		}
		wantReplicas := []any{map[string]any{"region": "us-west-2", "kmsKeyId": replicaKey}}
		if !reflect.DeepEqual(in["replicas"], wantReplicas) {
			t.Errorf("%s replicas = %v, want %v", name, in["replicas"], wantReplicas)
		}
		version := eng.Get(tVersion, name)
		switch item.Source {
		case config.SourceExternal:
			if version != nil {
				t.Errorf("external %s has a version: its value would pass through Pulumi", name)
			}
			if !sec.Options.Protect {
				t.Errorf("external %s is not protected even with protect off", name)
			}
		default:
			if version == nil || version.In()["secretString"] != mockengine.Redacted || version.In()["secretId"] != sec.ID {
				t.Errorf("%s version = %+v", name, version)
			}
			if sec.Options.Protect {
				t.Errorf("%s is protected with protect off", name)
			}
		}
	}
	if pw := eng.Get("random:index/randomPassword:RandomPassword", "DJANGO_SECRET_KEY"); pw == nil || pw.In()["length"] != 64.0 {
		t.Errorf("generated secret password = %+v", pw)
	}
	for _, r := range eng.Resources() {
		b, _ := json.Marshal(r.In())
		if strings.Contains(string(b), "sentry.example") {
			t.Errorf("a config secret value appears in the inputs of %s", r.URN)
		}
	}
}

func TestGrantReadIsLeastPrivilege(t *testing.T) {
	t.Parallel()
	eng, err := synth(t, true, grant{"wallet", []string{"WALLET_MASTER_XPUB", "DJANGO_SECRET_KEY"}})
	if err != nil {
		t.Fatal(err)
	}
	rp := eng.Get(tRolePol, "wallet-secrets")
	if rp == nil || rp.In()["role"] != eng.Get("aws:iam/role:Role", "wallet").Out()["name"] {
		t.Fatalf("wallet policy = %+v", rp)
	}
	doc := parse(t, rp.In()["policy"])
	want := []any{eng.Get(tSecret, "DJANGO_SECRET_KEY").Out()["arn"], eng.Get(tSecret, "WALLET_MASTER_XPUB").Out()["arn"]}
	if doc.Statement[0].Action != "secretsmanager:GetSecretValue" || !reflect.DeepEqual(doc.Statement[0].Resource, want) {
		t.Errorf("read statement = %+v, want GetSecretValue on %v", doc.Statement[0], want)
	}
	kms := doc.Statement[1]
	if kms.Action != "kms:Decrypt" || kms.Resource != eng.Get("aws:kms/key:Key", "secrets-key").Out()["arn"] ||
		kms.Condition["StringEquals"]["kms:ViaService"] != "secretsmanager.us-east-1.amazonaws.com" {
		t.Errorf("kms statement = %+v", kms)
	}
}

func TestGrantErrors(t *testing.T) {
	t.Parallel()
	if _, err := synth(t, true, grant{"wallet", []string{"NOPE"}}); err == nil || !strings.Contains(err.Error(), `"NOPE" is not declared`) {
		t.Errorf("undeclared secret: err = %v", err)
	}
	if _, err := synth(t, true, grant{"wallet", []string{"WALLET_MASTER_XPRIV"}}); err == nil ||
		!strings.Contains(err.Error(), "WALLET_MASTER_XPRIV is single-reader ([build-and-sign-tx]); wallet may not read it") {
		t.Errorf("non-reader grant: err = %v", err)
	}
}

// The xpriv has exactly one reader: its resource policy denies everyone but
// the BuildAndSignTx role, and no IAM policy in the run but that role's
// names the xpriv.
func TestSingleReaderSecret(t *testing.T) {
	t.Parallel()
	eng, err := synth(t, true,
		grant{"build-and-sign-tx", []string{"WALLET_MASTER_XPRIV", "WALLET_MASTER_XPUB"}},
		grant{"wallet", []string{"WALLET_MASTER_XPUB", "DOGECOIN_RPC_PASSWORD"}})
	if err != nil {
		t.Fatal(err)
	}
	xpriv := eng.Get(tSecret, "WALLET_MASTER_XPRIV").Out()["arn"].(string)
	reader := eng.Get("aws:iam/role:Role", "build-and-sign-tx").Out()["arn"]

	pols := eng.ByType(tPolicy)
	if len(pols) != 1 || pols[0].Name != "WALLET_MASTER_XPRIV" || pols[0].In()["secretArn"] != xpriv || pols[0].In()["blockPublicPolicy"] != true {
		t.Fatalf("secret policies = %v", pols)
	}
	acct := "arn:aws:iam::" + mockengine.Account + ":role/"
	breakGlass, deploy, west := acct+"dbay-break-glass", acct+"dbay-ci-deploy", acct+"dbay-build-and-sign-tx-us-west-2"
	stmts := map[string]mockengine.Statement{}
	for _, st := range parse(t, pols[0].In()["policy"]).Statement {
		if st.Effect != "Deny" || st.Principal != "*" {
			t.Errorf("xpriv policy statement %+v is not a deny to everyone", st)
		}
		stmts[st.Sid] = st
	}
	// Reads: the reader here, its fixed-name role in us-west-2 (the policy
	// replicates with the secret) and break-glass; each reader only in
	// its own Region.
	for sid, want := range map[string][]any{
		"OnlyTheNamedReaders":             {breakGlass, reader, west},
		"OnlyBreakGlassPutsTheValue":      nil,
		"OnlyDeployAndBreakGlassChangeIt": {deploy, breakGlass},
	} {
		got := stmts[sid].Condition["ArnNotEquals"]["aws:PrincipalArn"]
		if want == nil && got != breakGlass || want != nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%s exempts %v, want %v", sid, got, want)
		}
	}
	for _, a := range append(append(append([]string{}, SealedReadActions...), SealedValueActions...), SealedChangeActions...) {
		found := false
		for _, st := range stmts {
			found = found || containsAny(st.Action, a)
		}
		if !found {
			t.Errorf("no statement denies %s", a)
		}
	}
	for region, other := range map[string]string{"UsEast1": west, "UsWest2": acct + "dbay-build-and-sign-tx-us-east-1"} {
		st := stmts["ReaderOfAnotherRegion"+region]
		if st.Condition["ArnEquals"]["aws:PrincipalArn"] != other || st.Action != "secretsmanager:GetSecretValue" {
			t.Errorf("ReaderOfAnotherRegion%s = %+v, want %s denied there", region, st, other)
		}
	}
	// Its own key: administrators cannot use it, the account root only
	// decrypts as the reader of that Region, through Secrets Manager.
	for _, k := range []*mockengine.Resource{eng.Get("aws:kms/key:Key", "WALLET_MASTER_XPRIV-key"), eng.Get("aws:kms/replicaKey:ReplicaKey", "WALLET_MASTER_XPRIV-key-us-west-2")} {
		region := "us-east-1"
		if k.Type == "aws:kms/replicaKey:ReplicaKey" {
			region = "us-west-2"
		}
		for _, st := range parse(t, k.In()["policy"]).Statement {
			switch st.Sid {
			case "AdministerWithoutUse":
				if containsAny(st.Action, "kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant", "kms:*") {
					t.Errorf("%s: administrators can use or grant the key: %v", k.Name, st.Action)
				}
			case "ReaderDecryptsThroughSecretsManagerInItsRegion":
				if st.Condition["ArnEquals"]["aws:PrincipalArn"] != acct+"dbay-build-and-sign-tx-"+region ||
					st.Condition["StringEquals"]["kms:ViaService"] != "secretsmanager."+region+".amazonaws.com" || st.Action != "kms:Decrypt" {
					t.Errorf("%s: reader statement %+v", k.Name, st)
				}
			case "BreakGlassPutsAndReadsThroughSecretsManager":
			default:
				t.Errorf("%s: unexpected statement %+v", k.Name, st)
			}
		}
	}
	var readers []string
	for _, rp := range eng.ByType(tRolePol) {
		if strings.Contains(rp.In()["policy"].(string), xpriv) {
			readers = append(readers, rp.Name)
		}
	}
	if !reflect.DeepEqual(readers, []string{"build-and-sign-tx-secrets"}) {
		t.Errorf("IAM policies naming the xpriv: %v, want only build-and-sign-tx-secrets", readers)
	}

	// With no reader granted, the policy denies everyone.
	eng, err = synth(t, true)
	if err != nil {
		t.Fatal(err)
	}
	deny := parse(t, eng.Get(tPolicy, "WALLET_MASTER_XPRIV").In()["policy"]).Statement[0]
	if deny.Effect != "Deny" || deny.Condition["ArnNotEquals"]["aws:PrincipalArn"] != breakGlass {
		t.Errorf("ungranted xpriv policy = %+v, want a deny to all but break-glass", deny)
	}
}

// containsAny reports whether a statement's Action (a string or a list)
// names any of actions.
func containsAny(action any, actions ...string) bool {
	var got []string
	switch a := action.(type) {
	case string:
		got = []string{a}
	case []any:
		for _, x := range a {
			got = append(got, x.(string))
		}
	}
	for _, g := range got {
		for _, a := range actions {
			if g == a {
				return true
			}
		}
	}
	return false
}

func parse(t *testing.T, v any) mockengine.Doc {
	t.Helper()
	d, err := mockengine.ParsePolicy(v)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A recovery stack creates no secret: each declared name resolves to the
// primary's replica in its region, read under the replica key, and a
// single-reader principal's role gets its fixed per-region name.
func TestRecoveryConsumesReplicas(t *testing.T) {
	t.Parallel()
	eng := mockengine.ForTest(t, "dbay", "dr", "us-west-2")
	var roleName string
	eng.MustRun(func(ctx *pulumi.Context) error {
		s, err := New(ctx, "secrets", &Args{
			Env: config.Env{Project: "dbay", Stack: "dr", Region: "us-west-2", Partition: "aws"},
			Spec: config.Secrets{Items: map[string]config.SecretItem{
				"WALLET_MASTER_XPRIV": {Source: config.SourceExternal, Readers: []string{"build-and-sign-tx"}},
				"JWT_SECRET":          {Source: config.SourceGenerated},
			}},
			Replica: &Replica{
				PrimaryARNs: pulumi.StringMap{
					"WALLET_MASTER_XPRIV": pulumi.String("arn:aws:secretsmanager:us-east-1:123456789012:secret:dbay/prod/WALLET_MASTER_XPRIV-AbCdEf"),
					"JWT_SECRET":          pulumi.String("arn:aws:secretsmanager:us-east-1:123456789012:secret:dbay/prod/JWT_SECRET-GhIjKl"),
				},
				KeyArn: pulumi.String("arn:aws:kms:us-west-2:123456789012:key/mrk-0123456789abcdef0123456789abcdef"),
				KeyArns: pulumi.StringMap{
					"WALLET_MASTER_XPRIV": pulumi.String("arn:aws:kms:us-east-1:123456789012:key/mrk-feedfacefeedfacefeedfacefeedface"),
				},
			},
		})
		if err != nil {
			return err
		}
		roleName = s.RoleName("build-and-sign-tx")
		role, err := iam.NewRole(ctx, "build-and-sign-tx", &iam.RoleArgs{Name: pulumi.String(roleName), AssumeRolePolicy: pulumi.String("{}")})
		if err != nil {
			return err
		}
		if _, err := s.GrantRead(ctx, iamdoc.NewGrantee("build-and-sign-tx", role), "WALLET_MASTER_XPRIV", "JWT_SECRET"); err != nil {
			return err
		}
		return s.Seal(ctx)
	})
	if n := len(eng.ByType(tSecret)) + len(eng.ByType(tPolicy)) + len(eng.ByType("aws:kms/key:Key")); n != 0 {
		t.Errorf("a recovery stack created %d secrets, policies or keys; it must consume the replicas", n)
	}
	doc := parse(t, eng.Get(tRolePol, "build-and-sign-tx-secrets").In()["policy"])
	want := []any{
		"arn:aws:secretsmanager:us-west-2:123456789012:secret:dbay/prod/JWT_SECRET-GhIjKl",
		"arn:aws:secretsmanager:us-west-2:123456789012:secret:dbay/prod/WALLET_MASTER_XPRIV-AbCdEf",
	}
	if !reflect.DeepEqual(doc.Statement[0].Resource, want) {
		t.Errorf("the grant reads %v, want the us-west-2 replicas %v", doc.Statement[0].Resource, want)
	}
	kms := doc.Statement[1]
	// The shared key's replica for JWT_SECRET, the xpriv's own key's
	// replica (same key id, this region) for the xpriv.
	wantKeys := []any{"arn:aws:kms:us-west-2:123456789012:key/mrk-0123456789abcdef0123456789abcdef",
		"arn:aws:kms:us-west-2:123456789012:key/mrk-feedfacefeedfacefeedfacefeedface"}
	if !reflect.DeepEqual(kms.Resource, wantKeys) ||
		kms.Condition["StringEquals"]["kms:ViaService"] != "secretsmanager.us-west-2.amazonaws.com" {
		t.Errorf("replica key statement = %+v", kms)
	}
	if roleName != "dbay-build-and-sign-tx-us-west-2" {
		t.Errorf("reader role name = %q", roleName)
	}
}
