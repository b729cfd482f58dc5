package datalayer

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
)

// awkward is a password with every printable ASCII character the engines
// allow that is not a letter or digit, including those that mean
// something in a URL (: @ is refused; / ? # [ ] % & + = ;) or to pymongo's
// unquote_plus (+).
const awkward = "p!#$%&()*+,-.:;<=>?[\\]^_`{|}~w"

// unreservedOnly: nothing but RFC 3986 unreserved characters and %XX.
func unreservedOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~%", c) >= 0) {
			return false
		}
	}
	return true
}

// The connection string is complete and usable as is: every client's
// parser gets the password back exactly, whatever characters it holds.
func TestConnectionStringsEscapeThePassword(t *testing.T) {
	t.Parallel()
	pg := PostgresSecret("db.example.internal", 5432, "dbay_admin", awkward, "dbay")
	mongo := MongoSecret("docdb.example.internal", 27017, "dbay_admin", awkward)
	tests := []struct {
		name           string
		c              ConnectionSecret
		scheme, prefix string
		query          map[string]string
	}{
		{"postgres", pg, "postgresql", "postgresql://dbay_admin:", map[string]string{"sslmode": "require"}},
		{"mongo", mongo, "mongodb", "mongodb://dbay_admin:", map[string]string{"tls": "true", "tlsCAFile": "global-bundle.pem",
			"replicaSet": "rs0", "readPreference": "secondaryPreferred", "retryWrites": "false"}},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.c.URL)
		if err != nil {
			t.Fatalf("%s: %q does not parse: %v", tt.name, tt.c.URL, err)
		}
		pw, _ := u.User.Password()
		if u.Scheme != tt.scheme || u.User.Username() != "dbay_admin" || pw != awkward || u.Host != tt.c.Host+":"+itoa(tt.c.Port) {
			t.Errorf("%s: %q parses to user %q password %q host %q", tt.name, tt.c.URL, u.User.Username(), pw, u.Host)
		}
		// The userinfo holds only unreserved characters and escapes, so
		// unquote_plus (pymongo), percent-decoding (libpq, Prisma) and
		// strict RFC 3986 parsers all read the same password.
		userinfo := strings.TrimPrefix(tt.c.URL, tt.prefix)
		userinfo = userinfo[:strings.Index(userinfo, "@")]
		if !unreservedOnly(userinfo) || strings.Contains(userinfo, "+") {
			t.Errorf("%s: password part %q is not fully escaped", tt.name, userinfo)
		}
		if plus, _ := url.QueryUnescape(userinfo); plus != awkward {
			t.Errorf("%s: unquote_plus reads %q", tt.name, plus)
		}
		for k, v := range tt.query {
			if got := u.Query().Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", tt.name, k, got, v)
			}
		}
		if !strings.HasPrefix(tt.c.URL, tt.prefix) {
			t.Errorf("%s: %q", tt.name, tt.c.URL)
		}
	}
	if pg.DBName != "dbay" || u(t, pg.URL).Path != "/dbay" || mongo.DBName != "" || u(t, mongo.URL).Path != "/" {
		t.Errorf("database paths: %q, %q", pg.URL, mongo.URL)
	}
	// Secrets Manager's shape for each engine, plus url.
	for _, tt := range []struct {
		c    ConnectionSecret
		want map[string]any
	}{
		{pg, map[string]any{"engine": "postgres", "host": "db.example.internal", "port": 5432.0, "username": "dbay_admin",
			"password": awkward, "dbname": "dbay", "url": pg.URL}},
		{mongo, map[string]any{"engine": "mongo", "host": "docdb.example.internal", "port": 27017.0, "username": "dbay_admin",
			"password": awkward, "ssl": true, "url": mongo.URL}},
	} {
		js, err := tt.c.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(js), &got); err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("secret JSON = %v (%v), want %v", got, err, tt.want)
		}
	}
}

func u(t *testing.T, s string) *url.URL {
	t.Helper()
	x, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// The generated password fits both engines: RDS for PostgreSQL 8-128 and
// DocumentDB 8-100 printable ASCII characters without / " @ (and the
// console's ' and space), with the sources cited beside the constants.
func TestMasterPasswordFitsBothEngines(t *testing.T) {
	t.Parallel()
	if masterPasswordLength < 8 || masterPasswordLength > 100 {
		t.Errorf("length %d is outside DocumentDB's 8-100 (and RDS PostgreSQL's 8-128)", masterPasswordLength)
	}
	if strings.ContainsAny(masterPasswordSpecial, forbiddenInMasterPassword) {
		t.Errorf("special characters %q include one the engines refuse (%q)", masterPasswordSpecial, forbiddenInMasterPassword)
	}
	for _, c := range masterPasswordSpecial {
		if c < 0x21 || c > 0x7e {
			t.Errorf("special character %q is not printable ASCII", c)
		}
	}
}

// With a Vault (the Secrets component's key and replicas), the connection
// secrets are under its key and replicate to its regions; the secret holds
// the instance's own endpoint and the generated password; the grant
// decrypts with the vault key through Secrets Manager.
func TestConnectionSecretsInTheVault(t *testing.T) {
	t.Parallel()
	const vaultKey = "arn:aws:kms:us-east-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
	const replicaKey = "arn:aws:kms:us-west-2:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
	netSpec, dataSpec := loadSpec(t, dbayStores)
	eng := mockengine.ForTest(t, "dbay", "prod", "us-east-1")
	eng.MustRun(func(ctx *pulumi.Context) error {
		p, net, err := testNetwork(ctx, netSpec)
		if err != nil {
			return err
		}
		d, err := New(ctx, "data", &Args{Env: config.Env{Project: "dbay", Region: "us-east-1", Domain: "dbay.example.com", Protect: true}, Spec: dataSpec, Network: net,
			Vault: &Vault{KeyArn: pulumi.String(vaultKey), Replicas: secretsmanager.SecretReplicaArray{
				secretsmanager.SecretReplicaArgs{Region: pulumi.String("us-west-2"), KmsKeyId: pulumi.String(replicaKey)}}}}, pulumi.Providers(p))
		if err != nil {
			return err
		}
		role, err := iam.NewRole(ctx, "consumer", &iam.RoleArgs{AssumeRolePolicy: pulumi.String("{}")}, pulumi.Provider(p))
		if err != nil {
			return err
		}
		_, err = d.GrantCredentials(ctx, iamdoc.NewGrantee("consumer", role), Postgres, DocumentDB, Redis)
		return err
	})
	pg, mongo := eng.Get("aws:rds/instance:Instance", "postgres"), eng.Get("aws:docdb/cluster:Cluster", "mongo")
	for _, tt := range []struct {
		store, host string
		want        func(host, password string) ConnectionSecret
	}{
		{"postgres", pg.Out()["address"].(string), func(h, pw string) ConnectionSecret { return PostgresSecret(h, 5432, "dbay_admin", pw, "dbay") }},
		{"mongo", mongo.Out()["endpoint"].(string), func(h, pw string) ConnectionSecret { return MongoSecret(h, 27017, "dbay_admin", pw) }},
	} {
		sec := eng.Get("aws:secretsmanager/secret:Secret", tt.store+"-credentials")
		in := sec.In()
		if in["kmsKeyId"] != vaultKey || !reflect.DeepEqual(in["replicas"], []any{map[string]any{"region": "us-west-2", "kmsKeyId": replicaKey}}) ||
			!sec.Options.Protect {
			t.Errorf("%s secret = %v (protect %v)", tt.store, in, sec.Options.Protect)
		}
		version := eng.Get("aws:secretsmanager/secretVersion:SecretVersion", tt.store+"-credentials").Inputs["secretString"]
		if !version.IsSecret() {
			t.Errorf("%s secret value is not a Pulumi secret", tt.store)
			continue
		}
		password := eng.Get("random:index/randomPassword:RandomPassword", tt.store+"-master-password").Outputs["result"].SecretValue().Element.StringValue()
		want, _ := tt.want(tt.host, password).JSON()
		if got := version.SecretValue().Element.StringValue(); got != want {
			t.Errorf("%s secret value\n got %s\nwant %s", tt.store, got, want)
		}
	}
	var doc struct {
		Statement []struct {
			Sid       string
			Resource  any
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal([]byte(eng.Get("aws:iam/rolePolicy:RolePolicy", "consumer-store-credentials").In()["policy"].(string)), &doc); err != nil {
		t.Fatal(err)
	}
	keys := map[string]any{}
	for _, st := range doc.Statement[1:] {
		keys[st.Sid] = st.Resource
		if l, ok := st.Resource.([]any); ok && len(l) == 1 {
			keys[st.Sid] = l[0]
		}
		if st.Condition["StringEquals"]["kms:ViaService"] != "secretsmanager.us-east-1.amazonaws.com" {
			t.Errorf("%s condition = %v", st.Sid, st.Condition)
		}
	}
	layer := eng.Get("aws:kms/key:Key", "data-key").Out()["arn"]
	if !reflect.DeepEqual(keys, map[string]any{"LayerKeyViaSecretsmanager": layer, "VaultKeyViaSecretsmanager": vaultKey}) {
		t.Errorf("decrypt statements = %v: want the layer key (redis-url) and the vault key (database credentials)", keys)
	}
}
