package tests

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
	"github.com/dbay/infra/internal/wiring"
)

// The edge table's checks (internal/wiring) each fail when the one piece
// they read is broken on purpose. Moved from internal/wiring so the proof
// reads the runs this binary shares (synthesize, synth.SharedStack) instead
// of linking the whole program a second time: every break edits a copy of
// the shared resources (editedResource), never the shared run.

func checkEdges(r *synth.Result, rs []*mockengine.Resource) wiring.Report {
	var partner []*mockengine.Resource
	if r.Partner != nil {
		partner = r.Partner.Resources
	}
	return wiring.Check(rs, partner, r.Config)
}

func findEdge(t *testing.T, rep wiring.Report, consumer, dep string) wiring.Edge {
	t.Helper()
	for _, e := range rep.Edges {
		if e.Consumer == consumer && e.Dependency == dep {
			return e
		}
	}
	t.Fatalf("no edge %s -> %s", consumer, dep)
	return wiring.Edge{}
}

// withoutResource drops the resource typ/name.
func withoutResource(rs []*mockengine.Resource, typ, name string) []*mockengine.Resource {
	var out []*mockengine.Resource
	for _, r := range rs {
		if r.Type != typ || r.Name != name {
			out = append(out, r)
		}
	}
	return out
}

// editedResource replaces typ/name with a copy whose inputs (and dependencies) f changes.
func editedResource(rs []*mockengine.Resource, typ, name string, f func(*mockengine.Resource)) []*mockengine.Resource {
	out := make([]*mockengine.Resource, len(rs))
	for i, r := range rs {
		out[i] = r
		if r.Type == typ && r.Name == name {
			cp := *r
			cp.Inputs = r.Inputs.Copy()
			cp.Dependencies = append([]string(nil), r.Dependencies...)
			f(&cp)
			out[i] = &cp
		}
	}
	return out
}

func setString(key, value string) func(*mockengine.Resource) {
	return func(r *mockengine.Resource) { r.Inputs[resource.PropertyKey(key)] = resource.NewStringProperty(value) }
}

func replaceIn(key, old, new string) func(*mockengine.Resource) {
	return func(r *mockengine.Resource) {
		s := r.Inputs[resource.PropertyKey(key)].StringValue()
		r.Inputs[resource.PropertyKey(key)] = resource.NewStringProperty(strings.Replace(s, old, new, 1))
	}
}

func replaceAllIn(key, old, new string) func(*mockengine.Resource) {
	return func(r *mockengine.Resource) {
		s := r.Inputs[resource.PropertyKey(key)].StringValue()
		r.Inputs[resource.PropertyKey(key)] = resource.NewStringProperty(strings.ReplaceAll(s, old, new))
	}
}

func dropDependency(suffix string) func(*mockengine.Resource) {
	return func(r *mockengine.Resource) {
		var keep []string
		for _, d := range r.Dependencies {
			if !strings.HasSuffix(d, "::"+suffix) {
				keep = append(keep, d)
			}
		}
		r.Dependencies = keep
	}
}

const (
	egress     = tokens.VPCSecurityGroupEgressRule
	ingress    = tokens.VPCSecurityGroupIngressRule
	rolePolicy = tokens.IAMRolePolicy
	taskDef    = tokens.ECSTaskDefinition
	endpoint   = tokens.EC2VpcEndpoint
	lambda     = tokens.LambdaFunction
)

type breakCase struct {
	name           string
	mutate         func([]*mockengine.Resource) []*mockengine.Resource
	consumer, dep  string
	aspect, wanted string // aspect: network, iam, credentials, order; wanted: a substring of its verdict
}

func aspectOf(e wiring.Edge, a string) string {
	return map[string]string{"network": e.Network, "iam": e.IAM, "credentials": e.Credentials, "order": e.Order}[a]
}

// runBreaks shows each check failing: the stack's edges are all ok, then
// one piece is broken on purpose and exactly that edge's aspect fails.
func runBreaks(t *testing.T, r *synth.Result, cases []breakCase) {
	t.Helper()
	base := checkEdges(r, r.Resources)
	if b := base.Broken(); len(b) > 0 {
		t.Fatalf("the unbroken stack has broken edges: %+v", b)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := checkEdges(r, tc.mutate(r.Resources))
			e := findEdge(t, rep, tc.consumer, tc.dep)
			got := aspectOf(e, tc.aspect)
			if got == wiring.OK || got == wiring.NA || !strings.Contains(got, tc.wanted) {
				t.Errorf("%s -> %s %s = %q, want a failure containing %q", tc.consumer, tc.dep, tc.aspect, got, tc.wanted)
			}
			if rep.Passed() {
				t.Error("the report passed with a broken edge")
			}
		})
	}
}

func drop(typ, name string) func([]*mockengine.Resource) []*mockengine.Resource {
	return func(rs []*mockengine.Resource) []*mockengine.Resource { return withoutResource(rs, typ, name) }
}

func edit(typ, name string, f func(*mockengine.Resource)) func([]*mockengine.Resource) []*mockengine.Resource {
	return func(rs []*mockengine.Resource) []*mockengine.Resource { return editedResource(rs, typ, name, f) }
}

// Each check of DBay prod on ECS fails when one piece is broken.
func TestEachCheckFailsECS(t *testing.T) {
	t.Parallel()
	r := synthesize(t, root, "prod")
	runBreaks(t, r, []breakCase{
		// network: store, service call, AWS API through NAT, interface endpoint, S3
		{"store ingress", drop(ingress, "listing-to-postgres-in"), "service listing", "postgres", "network", "no ingress on sg of postgres"},
		{"store egress", drop(egress, "listing-to-postgres-out"), "service listing", "postgres", "network", "no egress"},
		{"call ingress", drop(ingress, "auction-calls-wallet-in"), "service auction", "service wallet", "network", "no ingress"},
		{"lambda call egress", drop(egress, "lambda-validate-balance-to-wallet-out"), "function validate_balance", "service wallet", "network", "no egress"},
		{"NAT egress for Cognito", drop(egress, "lambda-authorizer-to-internet"), "function authorizer", "aws cognito-idp", "network", "NAT"},
		{"NAT egress for the bus", drop(egress, "listing-egress-internet-443"), "service listing", "bus dbay.listings", "network", "NAT"},
		{"endpoint private DNS", edit(endpoint, "secretsmanager", func(r *mockengine.Resource) {
			r.Inputs["privateDnsEnabled"] = resource.NewBoolProperty(false)
		}), "service listing", "secret DJANGO_SECRET_KEY", "network", "private DNS"},
		// user has no 443 to anywhere, so the endpoints' own rules are its only path
		{"egress to the endpoints", drop(egress, "user-egress-endpoints"), "service user", "postgres", "network", "secretsmanager endpoint"},
		{"S3 prefix list", drop(egress, "user-egress-s3"), "service user", "bucket:listing-images", "network", "prefix list"},
		{"S3 endpoint policy", edit(tokens.EC2VpcEndpointPolicy, "s3-endpoint-policy", replaceAllIn("policy", "listing-images", "other-bucket")), "service listing", "bucket:listing-images", "network", "endpoint's policy does not admit"},
		// IAM: the action on the ARN, the KMS key behind it
		{"bus action", edit(rolePolicy, "listing-bus-put", replaceIn("policy", "events:PutEvents", "events:DescribeEventBus")), "service listing", "bus dbay.listings", "iam", "events:PutEvents"},
		// the grant's events:source / events:detail-type conditions are read
		{"bus source", edit(rolePolicy, "listing-bus-put", replaceIn("policy", `"dbay.listings"`, `"dbay.wallet"`)), "service listing", "bus dbay.listings", "iam", "for source dbay.listings"},
		{"bus detail type", edit(rolePolicy, "credit-user-bus-put", replaceIn("policy", `"deposit.credited"`, `"deposit.detected"`)), "function credit_user", "bus dbay.wallet", "iam", "detail-type deposit.credited"},
		{"secret key", edit(rolePolicy, "build-and-sign-tx-secrets", replaceIn("policy", `"kms:Decrypt"`, `"kms:DescribeKey"`)), "function build_and_sign_tx", "secret WALLET_MASTER_XPRIV", "iam", "kms:Decrypt"},
		{"store credentials ARN", edit(rolePolicy, "listing-exec-store-credentials", replaceIn("policy", "postgres-listing-credentials", "other-credentials")), "service listing", "postgres", "iam", "GetSecretValue"},
		{"queue action", edit(rolePolicy, "notification-notifications-consume", replaceIn("policy", `"sqs:DeleteMessage",`, "")), "service notification", "queue:notifications", "iam", "sqs:DeleteMessage"},
		{"bucket key", edit(rolePolicy, "listing-listing-images-readwrite", replaceIn("policy", `"kms:GenerateDataKey",`, "")), "service listing", "bucket:listing-images", "iam", "kms:GenerateDataKey"},
		{"search action", drop(rolePolicy, "listing-search"), "service listing", "search", "iam", "es:ESHttpGet"},
		{"ManageConnections", edit(rolePolicy, "ws-router-runtime", replaceIn("policy", "@connections", "@other")), "function ws_router", "aws execute-api", "iam", "ManageConnections"},
		{"lambda secret", drop(rolePolicy, "build-and-sign-tx-secrets"), "function build_and_sign_tx", "secret WALLET_MASTER_XPRIV", "iam", "GetSecretValue"},
		{"single-reader secret", edit(tokens.SecretsManagerSecretPolicy, "WALLET_MASTER_XPRIV", replaceIn("policy", "dbay-build-and-sign-tx-us-east-1", "someone-else")), "function build_and_sign_tx", "secret WALLET_MASTER_XPRIV", "iam", "resource policy"},
		{"search access policy", edit(tokens.OpenSearchDomainPolicy, "search", replaceIn("accessPolicies", "role/listing-task", "role/other-task")), "service listing", "search", "iam", "access policy"},
		// credentials: the variable, in the form the client reads
		{"connection string dropped", edit(taskDef, "listing", replaceIn("containerDefinitions", "secret:postgres-listing-credentials", "secret:other")), "service listing", "postgres", "credentials", "no variable read from postgres-"},
		{"connection string key", edit(taskDef, "listing", replaceIn("containerDefinitions", ":url::", ":password::")), "service listing", "postgres", "credentials", "not a connection string"},
		{"connection string host", edit(tokens.SecretsManagerSecretVersion, "postgres-listing-credentials", func(r *mockengine.Resource) {
			r.Inputs["secretString"] = resource.MakeSecret(resource.NewStringProperty(`{"url":"postgresql://u:p@elsewhere.example.com:5432/db"}`))
		}), "service listing", "postgres", "credentials", "elsewhere.example.com"},
		{"connects as the master", edit(tokens.SecretsManagerSecretVersion, "postgres-listing-credentials", func(r *mockengine.Resource) {
			v := r.Inputs["secretString"]
			for v.IsSecret() {
				v = v.SecretValue().Element
			}
			r.Inputs["secretString"] = resource.NewStringProperty(strings.Replace(v.StringValue(), "postgresql://listing:", "postgresql://dbay_admin:", 1))
		}), "service listing", "postgres", "credentials", "connects as dbay_admin, not its own role listing"},
		{"mongo connects as the master", edit(tokens.SecretsManagerSecretVersion, "mongo-messaging-credentials", func(r *mockengine.Resource) {
			v := r.Inputs["secretString"]
			for v.IsSecret() {
				v = v.SecretValue().Element
			}
			r.Inputs["secretString"] = resource.NewStringProperty(strings.Replace(v.StringValue(), "mongodb://messaging:", "mongodb://dbay_admin:", 1))
		}), "service messaging", "mongo", "credentials", `connects as "dbay_admin", not its own DocumentDB user messaging`},
		{"secret dropped", edit(taskDef, "wallet", replaceIn("containerDefinitions", `{"name":"DJANGO_SECRET_KEY"`, `{"name":"DJANGO_KEY"`)), "service wallet", "secret DJANGO_SECRET_KEY", "credentials", "no variable"},
		{"bus name", edit(taskDef, "listing", replaceIn("containerDefinitions", `"value":"dbay-events"`, `"value":"default"`)), "service listing", "bus dbay.listings", "credentials", "dbay-events"},
		{"service URL", edit(taskDef, "auction", replaceIn("containerDefinitions", "http://wallet-service:8000", "http://wallet:8000")), "service auction", "service wallet", "credentials", "Service Connect"},
		{"Cloud Map name", edit(lambda, "credit-user", func(r *mockengine.Resource) {
			r.Inputs["environment"] = resource.NewObjectProperty(resource.PropertyMap{"variables": resource.NewObjectProperty(resource.PropertyMap{
				"WALLET_SERVICE_URL": resource.NewStringProperty("http://wallet-service:8000")})})
		}), "function credit_user", "service wallet", "credentials", "Cloud Map"},
		{"lambda secret ARN", edit(lambda, "ws-router", func(r *mockengine.Resource) {
			r.Inputs["environment"] = resource.NewObjectProperty(resource.PropertyMap{"variables": resource.NewObjectProperty(resource.PropertyMap{})})
		}), "function ws_router", "aws execute-api", "credentials", "no variable"},
		// order: the consumer depends on its grants
		{"service waits for task grants", edit(tokens.ECSService, "listing", dropDependency("listing-bus-put")), "service listing", "bus dbay.listings", "order", "listing-bus-put"},
		{"service waits for exec grants", edit(tokens.ECSService, "wallet", dropDependency("wallet-exec-secrets")), "service wallet", "secret DOGECOIN_RPC_URL", "order", "wallet-exec-secrets"},
		{"function waits for its grants", edit(lambda, "deposit-watcher", dropDependency("deposit-watcher-store-credentials")), "function deposit_watcher", "redis", "order", "deposit-watcher-store-credentials"},
		// service to service: workflows, bus rules, schedules
		{"workflow may invoke its step", edit(rolePolicy, "workflow-withdrawal", replaceAllIn("policy", "dbay-prod-debit-ledger", "dbay-prod-other")), "workflow withdrawal", "function debit_ledger", "iam", "lambda:InvokeFunction"},
		{"workflow definition names the step", edit(tokens.SFNStateMachine, "withdrawal", replaceAllIn("definition", "dbay-prod-fraud-check", "dbay-prod-other")), "workflow withdrawal", "function fraud_check", "credentials", "does not invoke"},
		{"workflow waits for its grants", edit(tokens.SFNStateMachine, "withdrawal", dropDependency("workflow-withdrawal")), "workflow withdrawal", "function fraud_check", "order", "workflow-withdrawal"},
		{"trigger may start the workflow", drop(rolePolicy, "workflow-deposit-events"), "trigger of workflow deposit", "workflow deposit", "iam", "states:StartExecution"},
		{"trigger waits for its grant", edit(tokens.CloudWatchEventTarget, "workflow-order", dropDependency("workflow-order-events")), "trigger of workflow order", "workflow order", "order", "workflow-order-events"},
		{"rule's invoke permission", drop(tokens.LambdaPermission, "listing-events-search-indexer"), "rule listing-events", "function search_indexer", "iam", "no permission"},
		{"schedule's target", edit(tokens.SchedulerSchedule, "deposit-watcher", func(r *mockengine.Resource) {
			r.Inputs["target"] = resource.NewObjectProperty(resource.PropertyMap{"arn": resource.NewStringProperty("arn:aws:lambda:us-east-1:123456789012:function:other")})
		}), "schedule of function deposit_watcher", "function deposit_watcher", "credentials", "no aws:scheduler"},
		{"schedule may invoke", drop(rolePolicy, "schedule-auction-closer"), "schedule of function auction_closer", "function auction_closer", "iam", "lambda:InvokeFunction"},
	})
}

// The same proof on EKS: pods' security groups, IRSA, External Secrets,
// and the Lambda → NLB → pods path.
func TestEachCheckFailsEKS(t *testing.T) {
	t.Parallel()
	r, err := synth.SharedStack(eksVariant(t), "prod")
	if err != nil {
		t.Fatalf("prod on EKS: %v", err)
	}
	const ext = tokens.K8sExternalSecret
	runBreaks(t, r, []breakCase{
		{"pods' security group", drop(tokens.K8sSecurityGroupPolicy, "listing-security-group"), "service listing", "postgres", "network", "no security group"},
		{"NLB to pods", drop(ingress, "wallet-vpc-to-wallet-in"), "function credit_user", "service wallet", "network", "pods of wallet"},
		{"Lambda to NLB", drop(ingress, "lambda-validate-balance-to-wallet-in"), "function validate_balance", "service wallet", "network", "wallet-vpc"},
		{"target group binding", drop(tokens.K8sTargetGroupBinding, "wallet-vpc-targets"), "function credit_user", "service wallet", "network", "TargetGroupBinding"},
		{"IRSA grant", drop(rolePolicy, "listing-bus-put"), "service listing", "bus dbay.listings", "iam", "events:PutEvents"},
		{"operator grant", drop(rolePolicy, "external-secrets-secrets"), "service listing", "secret DJANGO_SECRET_KEY", "iam", "GetSecretValue"},
		{"external secret", drop(ext, "listing-secrets"), "service listing", "postgres", "credentials", "no variable read from postgres-credentials"},
		{"cluster DNS", edit(tokens.K8sService, "wallet", func(r *mockengine.Resource) {
			r.Inputs["metadata"] = resource.NewObjectProperty(resource.PropertyMap{"name": resource.NewStringProperty("wallet"), "namespace": resource.NewStringProperty("dbay")})
		}), "service auction", "service wallet", "credentials", "no Service"},
		{"service account waits", edit(tokens.K8sServiceAccount, "listing", dropDependency("listing-bus-put")), "service listing", "bus dbay.listings", "order", "listing-bus-put"},
		{"operator waits", edit(tokens.K8sHelmRelease, "external-secrets", dropDependency("external-secrets-secrets")), "service listing", "secret DJANGO_SECRET_KEY", "order", "external-secrets-secrets"},
	})
}

// Dhanam's application key edge (api uses key:app) fails when one piece is
// broken: in prod the multi-Region key, in dr its replica of prod's key.
func TestEachKeyCheckFails(t *testing.T) {
	t.Parallel()
	dir := dhanamDir
	const (
		kmsKey  = tokens.KMSKey
		replica = tokens.KMSReplicaKey
	)
	common := []breakCase{
		{"key action", edit(rolePolicy, "api-key-app", replaceIn("policy", `"kms:GenerateDataKey"`, `"kms:Encrypt"`)), "service api", "key:app", "iam", "kms:GenerateDataKey"},
		{"key grant on another key", edit(rolePolicy, "api-key-app", replaceIn("policy", "key/mrk-", "key/other-")), "service api", "key:app", "iam", "kms:Decrypt"},
		{"key variable", edit(taskDef, "api", replaceIn("containerDefinitions", `"name":"ENCRYPTION_KEY"`, `"name":"KEY_ARN"`)), "service api", "key:app", "credentials", "ENCRYPTION_KEY"},
		{"service waits for the key grant", edit(tokens.ECSService, "api", dropDependency("api-key-app")), "service api", "key:app", "order", "api-key-app"},
	}
	runBreaks(t, synthesize(t, dir, "prod"), append(common,
		breakCase{"single-Region key", edit(kmsKey, "key-app", func(r *mockengine.Resource) {
			r.Inputs["multiRegion"] = resource.NewBoolProperty(false)
		}), "service api", "key:app", "iam", "not a multi-Region key"},
	))
	runBreaks(t, synthesize(t, dir, "dr"), append(common,
		breakCase{"replica of another key", edit(replica, "key-app", setString("primaryKeyArn", "arn:aws:kms:us-east-1:123456789012:key/mrk-other")),
			"service api", "key:app", "iam", "no key of the primary stack"},
		breakCase{"replica gone", drop(replica, "key-app"), "service api", "key:app", "iam", "no application key key-app"},
	))
}

// BenchmarkCheck is what the edge table adds to a synth of DBay prod.
func BenchmarkCheck(b *testing.B) {
	r, err := synth.SharedStack(root, "prod")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		checkEdges(r, r.Resources)
	}
}
