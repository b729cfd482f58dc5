package fleet

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/mockengine"
)

// holders lists the services whose task role allows action on a resource
// starting with prefix ("" for any resource).
func (r run) holders(t *testing.T, action, prefix string) []string {
	t.Helper()
	g := r.grants(t)
	var out []string
	for _, s := range r.fx.fleet.Services {
		if res, ok := g[r.roleName(t, s.Name+"-task")][action]; ok && (prefix == "" || hasPrefix(res, prefix)) {
			out = append(out, s.Name)
		}
	}
	sort.Strings(out)
	return out
}

func TestTaskRoleGrantsComeFromUses(t *testing.T) {
	t.Parallel()
	r := synth(t, dbay(t), nil).must(t)
	bus := "arn:aws:events:us-east-1:123456789012:event-bus/dbay-events"
	tests := []struct {
		what, action, resource string
		want                   []string
	}{
		{"write the images bucket", "s3:PutObject", "arn:aws:s3:::dbay-listing-images-prod/", []string{"listing", "user"}},
		{"read the images bucket", "s3:GetObject", "arn:aws:s3:::dbay-listing-images-prod/", []string{"listing", "user"}},
		{"put on the bus", "events:PutEvents", bus, []string{"auction", "listing", "messaging", "order", "wallet"}},
		{"consume the notifications queue", "sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:123456789012:notifications", []string{"notification"}},
		{"send email", "ses:SendEmail", "", []string{"notification"}},
		{"search", "es:ESHttpGet", "", []string{"listing", "search-gateway"}},
		{"read any secret", "secretsmanager:GetSecretValue", "", nil}, // secrets are injected by the execution role
		{"pull images", "ecr:BatchGetImage", "", nil},
		{"ECS Exec", "ssmmessages:OpenDataChannel", "", nil}, // every DBay service has a read-only root filesystem
	}
	for _, tt := range tests {
		if got := r.holders(t, tt.action, tt.resource); !equal(got, tt.want) {
			t.Errorf("%s (%s): task roles %v, want %v", tt.what, tt.action, got, tt.want)
		}
	}
	// The OpenSearch access policy (written at Seal) names exactly the searchers.
	dp := r.one(t, "aws:opensearch/domainPolicy:DomainPolicy", "search").In()["accessPolicies"]
	principals := list(parsePolicy(t, dp)[0].Principal.(map[string]any)["AWS"])
	want := []string{r.one(t, tRole, "listing-task").Out()["arn"].(string), r.one(t, tRole, "search-gateway-task").Out()["arn"].(string),
		r.one(t, tRole, "search-admin").Out()["arn"].(string)}
	sort.Strings(want)
	if !reflect.DeepEqual(principals, want) {
		t.Errorf("OpenSearch principals = %v, want %v", principals, want)
	}
}

func TestExecutionRoleReadsOnlyItsOwnSecrets(t *testing.T) {
	t.Parallel()
	r := synth(t, dbay(t), nil).must(t)
	g := r.grants(t)
	arn := func(logical string) string { return r.one(t, tSecret, logical).Out()["arn"].(string) }
	mongo := arn("mongo-messaging-credentials") // its own user (data.documentdb.serviceUsers)
	redis := arn("redis-url")
	// Each Django service reads its own role's secret, never the master's
	// (data.postgres.serviceUsers).
	django := func(svc string) []string {
		return []string{arn("DJANGO_SECRET_KEY"), arn("postgres-" + svc + "-credentials"), redis}
	}
	want := map[string][]string{
		"listing": django("listing"), "auction": django("auction"), "user": django("user"), "order": django("order"),
		"wallet": {arn("DJANGO_SECRET_KEY"), arn("WALLET_MASTER_XPUB"), arn("DOGECOIN_RPC_URL"), arn("DOGECOIN_RPC_USER"), arn("DOGECOIN_RPC_PASSWORD"),
			arn("postgres-wallet-credentials"), redis},
		"messaging": {mongo}, "notification": nil, "search-gateway": nil,
	}
	for name, secrets := range want {
		exec := g[r.roleName(t, name+"-exec")]
		w := append([]string(nil), secrets...)
		sort.Strings(w)
		if got := exec["secretsmanager:GetSecretValue"]; !equal(got, w) {
			t.Errorf("%s-exec reads\n got %v\nwant %v", name, got, w)
		}
		repo := r.one(t, tRepo, name).Out()["arn"].(string)
		if got := exec["ecr:BatchGetImage"]; !equal(got, []string{repo}) {
			t.Errorf("%s-exec pulls %v, want only %s", name, got, repo)
		}
		if key := r.one(t, "aws:kms/key:Key", "fleet-key").Out()["arn"].(string); !contains(exec["kms:Decrypt"], key) {
			t.Errorf("%s-exec cannot decrypt its KMS-encrypted image (%v)", name, exec["kms:Decrypt"])
		}
		if got := exec["ecr:GetAuthorizationToken"]; !equal(got, []string{"*"}) {
			t.Errorf("%s-exec GetAuthorizationToken on %v", name, got)
		}
		lg := r.one(t, "aws:cloudwatch/logGroup:LogGroup", name+"-logs").Out()["arn"].(string)
		if got := exec["logs:PutLogEvents"]; !equal(got, []string{lg, lg + ":*"}) {
			t.Errorf("%s-exec writes logs to %v, want its own group %s", name, got, lg)
		}
		for action := range exec {
			if strings.HasPrefix(action, "s3:") || strings.HasPrefix(action, "events:") || strings.HasPrefix(action, "sqs:") {
				t.Errorf("%s-exec holds application permission %s", name, action)
			}
		}
	}
}

func TestNobodyButTheDeclaredReaderGetsTheXpriv(t *testing.T) {
	t.Parallel()
	fx := dbay(t)
	// The xpriv's single reader (seed §9) is the BuildAndSignTx function.
	item := fx.secrets.Items["WALLET_MASTER_XPRIV"]
	item.Readers = []string{"build-and-sign-tx"}
	fx.secrets.Items["WALLET_MASTER_XPRIV"] = item
	r := synth(t, fx, nil).must(t)
	xpriv := r.one(t, tSecret, "WALLET_MASTER_XPRIV").Out()["arn"].(string)
	for role, actions := range r.grants(t) {
		for action, resources := range actions {
			for _, res := range resources {
				if res == xpriv || res == "*" && strings.HasPrefix(action, "secretsmanager:") {
					t.Errorf("role %s may %s the xpriv (%s)", role, action, res)
				}
			}
		}
	}
	if _, ok := r.container(t, "wallet").secrets()["WALLET_MASTER_XPRIV"]; ok {
		t.Error("the wallet service receives WALLET_MASTER_XPRIV")
	}
	// No fleet role was granted it, so its resource policy denies everyone
	// but the break-glass role until the BuildAndSignTx function is.
	deny := parsePolicy(t, r.one(t, "aws:secretsmanager/secretPolicy:SecretPolicy", "WALLET_MASTER_XPRIV").In()["policy"])[0]
	if deny.Effect != "Deny" || deny.Condition["ArnNotEquals"]["aws:PrincipalArn"] != "arn:aws:iam::123456789012:role/dbay-break-glass" {
		t.Errorf("xpriv policy = %+v, want a deny to all but break-glass", deny)
	}

	// Naming it anyway (config validation would refuse first) is refused
	// by the Secrets component, before any policy exists.
	bad := fx
	bad.fleet.Services = append(bad.fleet.Services[:0:0], fx.fleet.Services...)
	for i, s := range bad.fleet.Services {
		if s.Name == "wallet" {
			s.Secrets = append(append([]string(nil), s.Secrets...), "WALLET_MASTER_XPRIV")
			bad.fleet.Services[i] = s
		}
	}
	err := synth(t, bad, nil).err
	if err == nil || !strings.Contains(err.Error(), "WALLET_MASTER_XPRIV is single-reader") {
		t.Errorf("a wallet naming the xpriv: error %v", err)
	}
}

func TestRolesTrustECSTasksOfThisAccountOnly(t *testing.T) {
	t.Parallel()
	r := synth(t, dhanam(t), nil).must(t)
	roles := 0
	for _, role := range r.eng.ByType(tRole) {
		if !strings.HasSuffix(role.Name, "-task") && !strings.HasSuffix(role.Name, "-exec") {
			continue
		}
		roles++
		trust := parsePolicy(t, role.In()["assumeRolePolicy"])
		if len(trust) != 1 || !reflect.DeepEqual(trust[0].Principal, map[string]any{"Service": "ecs-tasks.amazonaws.com"}) ||
			trust[0].Condition["StringEquals"]["aws:SourceAccount"] != mockengine.Account {
			t.Errorf("%s trust = %+v", role.Name, trust)
		}
	}
	if roles != 5 {
		t.Errorf("%d fleet roles, want a task and an execution role for api and web, and the database bootstrap's execution role", roles)
	}
	// The web service has a writable root filesystem, so ECS Exec is on:
	// its task role may open the channel and log the session, nothing more.
	g := r.grants(t)
	web := g[r.roleName(t, "web-task")]
	if got := keys(web); !equal(got, []string{"kms:Decrypt", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams",
		"logs:PutLogEvents", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"}) {
		t.Errorf("web task role actions = %v", got)
	}
	if key := r.one(t, "aws:kms/key:Key", "fleet-key").Out()["arn"].(string); !equal(web["kms:Decrypt"], []string{key}) {
		t.Errorf("web decrypts %v, want only the fleet key", web["kms:Decrypt"])
	}
	if api := g[r.roleName(t, "api-task")]; api["ssmmessages:OpenDataChannel"] != nil || !hasPrefix(api["s3:PutObject"], "arn:aws:s3:::dhanam-production-assets/") {
		t.Errorf("api task role = %v", api)
	}
}
