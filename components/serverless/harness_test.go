package serverless

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/network"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/stackfile"
)

const (
	tFunction   = "aws:lambda/function:Function"
	tRole       = "aws:iam/role:Role"
	tRolePolicy = "aws:iam/rolePolicy:RolePolicy"
	tLogGroup   = "aws:cloudwatch/logGroup:LogGroup"
	tPermission = "aws:lambda/permission:Permission"
	tRoute      = "aws:apigatewayv2/route:Route"
	tMachine    = "aws:sfn/stateMachine:StateMachine"
	tTarget     = "aws:cloudwatch/eventTarget:EventTarget"
	tSchedule   = "aws:scheduler/schedule:Schedule"
	tQueue      = "aws:sqs/queue:Queue"
	tSG         = "aws:ec2/securityGroup:SecurityGroup"
	domainName  = "dbay.example.com"
	poolID      = "us-east-1_ABCDEF123"
	zoneID      = "Z0123456789ABC"
)

// dbayData is the part of DBay's data layer the functions use (seed §3):
// Redis, OpenSearch, the dbay-events bus and the notifications queue.
const dbayData = `{"redis":{},"opensearch":{},"bus":{"name":"dbay-events"},
	"queues":{"notifications":{"sources":["dbay.orders"],"detailTypes":["order.paid"]}},
	"buckets":{"listing-images":{"name":"dbay-listing-images-prod"}}}`

// dbaySecrets are DBay's secrets: the wallet keys and the RPC credentials
// are external; the xpriv may be read by BuildAndSignTx only (seed §9).
func dbaySecrets() config.Secrets {
	return config.Secrets{RecoveryWindowDays: 30, Items: map[string]config.SecretItem{
		"DJANGO_SECRET_KEY":     {Source: config.SourceGenerated, Length: 64},
		"WALLET_MASTER_XPRIV":   {Source: config.SourceExternal, Readers: []string{"build-and-sign-tx"}},
		"WALLET_MASTER_XPUB":    {Source: config.SourceExternal},
		"DOGECOIN_RPC_URL":      {Source: config.SourceExternal},
		"DOGECOIN_RPC_USER":     {Source: config.SourceExternal},
		"DOGECOIN_RPC_PASSWORD": {Source: config.SourceExternal},
	}}
}

// serviceURLs stand for the fleet's Service Connect URLs.
var serviceURLs = map[string]string{
	"listing": "http://listing-service:8000", "auction": "http://auction-service:8000", "wallet": "http://wallet-service:8000",
	"user": "http://user-service:8000", "order": "http://order-service:8000", "notification": "http://notification-service:8000",
	"search-gateway": "http://search-gateway-service:8000", "messaging": "http://messaging-service:8000",
}

// dbaySpec loads DBay's serverless section from the repository's
// Pulumi.prod.yaml through the real loader, edited by edit.
func dbaySpec(t *testing.T, edit func(m map[string]any)) config.Serverless {
	t.Helper()
	st, err := stackfile.Load("../..", "prod", nil)
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte(st.Values["dbay:serverless"])
	if edit != nil {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		raw, _ = json.Marshal(m)
	}
	services := map[string]bool{}
	for s := range serviceURLs {
		services[s] = true
	}
	spec, err := config.LoadServerless("dbay", domainName, string(raw), config.ServerlessScope{
		Stores: map[string][]string{"redis": {"REDIS_URL"}, "search": {"ELASTICSEARCH_URL"}, "bus": {"EVENT_BUS_NAME"},
			"postgres": {"DATABASE_URL"}, "mongo": {"MONGO_URI"},
			"queue:notifications": {"SQS_QUEUE_URL"}, "bucket:listing-images": {"AWS_S3_BUCKET_NAME"}},
		Services: services, Secrets: dbaySecrets().Items, HasZone: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

type run struct {
	eng  *mockengine.Engine
	outs map[string]any // the component's outputs, resolved
	err  error          // what New returned
}

// synth builds network, secrets, the data layer and the component, then
// seals the owners as the stack does. args edits the component's Args.
func synth(t *testing.T, spec config.Serverless, args func(a *Args)) run {
	t.Helper()
	return synthData(t, dbayData, spec, args)
}

// synthData is synth over another data section.
func synthData(t *testing.T, data string, spec config.Serverless, args func(a *Args)) run {
	t.Helper()
	cfg, err := config.Load(config.Source{Project: "dbay", Stack: "prod", Values: map[string]string{
		"aws:region": "us-east-1", "dbay:role": "primary", "dbay:environment": "production", "dbay:domain": domainName,
		"dbay:tags": `{"owner":"o","cost-center":"c"}`, "dbay:network": `{"cidr":"10.0.0.0/16"}`, "dbay:data": data,
	}})
	if err != nil {
		t.Fatal(err)
	}
	eng := mockengine.ForTest(t, "dbay", "prod", "us-east-1")
	r := run{eng: eng, outs: map[string]any{}}
	err = eng.Run(func(ctx *pulumi.Context) error {
		p, err := mockengine.Provider(ctx, "regional", "us-east-1")
		if err != nil {
			return err
		}
		providers := pulumi.Providers(p)
		net, err := network.New(ctx, "network", &network.Args{Env: config.Env{Region: "us-east-1", Partition: "aws"}, Spec: cfg.Network}, providers)
		if err != nil {
			return err
		}
		sec, err := secrets.New(ctx, "secrets", &secrets.Args{Env: config.Env{Project: "dbay", Stack: "prod", Region: "us-east-1", Partition: "aws"}, Spec: dbaySecrets(), DeployRole: "dbay-ci-deploy", BreakGlassRole: "dbay-break-glass"}, providers)
		if err != nil {
			return err
		}
		data, err := datalayer.New(ctx, "data", &datalayer.Args{Env: config.Env{Project: "dbay", Region: "us-east-1", Partition: "aws", Domain: domainName, Protect: true}, Spec: cfg.Data, Network: net}, providers)
		if err != nil {
			return err
		}
		a := &Args{
			Env:  config.Env{Project: "dbay", Stack: "prod", Region: "us-east-1", Partition: "aws", Domain: domainName, Protect: true},
			Spec: spec, Network: net, Data: data, Secrets: sec,
			ServiceURLs:            pulumi.ToStringMap(serviceURLs),
			ServiceListenerArn:     pulumi.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/services/0123456789abcdef/fedcba9876543210"),
			VpcLinkSecurityGroupID: pulumi.String("sg-0vpclink00000000"),
			UserPoolID:             pulumi.String(poolID), UserPoolClientID: pulumi.String("client0123456789abcdefghij"),
			ZoneID: pulumi.String(zoneID),
		}
		if args != nil {
			args(a)
		}
		s, err := New(ctx, "serverless", a, providers)
		if err != nil {
			r.err = err
			return nil
		}
		outs, err := mockengine.Resolve(ctx, map[string]pulumi.Output{
			"apiBaseUrl": s.APIBaseURL, "webSocketUrl": s.WebSocketURL, "apiHost": s.APIHost, "apiEndpointDomain": s.APIEndpointDomain,
			"apiEndpointZoneId": s.APIEndpointZoneID, "functionArns": s.FunctionArns, "stateMachineArns": s.StateMachineArns,
			"securityGroupIds": s.SecurityGroupIDs, "signingProfileName": s.SigningProfileName,
			"functionsDlqArn": s.FunctionsDLQArn, "eventsDlqArn": s.EventsDLQArn,
		})
		if err != nil {
			return err
		}
		r.outs = outs
		consumers := map[string][]string{}
		for _, c := range s.Consumers() {
			consumers[c.Name] = c.Services
		}
		r.outs["consumers"] = consumers
		if err := sec.Seal(ctx); err != nil {
			return err
		}
		return data.Seal(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (r run) one(t *testing.T, typ, name string) *mockengine.Resource {
	t.Helper()
	res := r.eng.Get(typ, name)
	if res == nil {
		t.Fatalf("no %s %q was created", typ, name)
	}
	return res
}

// byURN finds a resource of a type by the URN of its parent component.
func (r run) children(typ string) []*mockengine.Resource {
	comp := r.eng.Get(typeToken, "serverless")
	var out []*mockengine.Resource
	for _, res := range r.eng.ByType(typ) {
		if comp != nil && res.Parent == comp.URN {
			out = append(out, res)
		}
	}
	return out
}

type statement = mockengine.Statement

func statements(t *testing.T, v any) []statement {
	t.Helper()
	d, err := mockengine.ParsePolicy(v)
	if err != nil {
		t.Fatal(err)
	}
	return d.Statement
}

// list reads a one-or-many policy field as a sorted list.
func list(v any) []string { return mockengine.OneOrMany(v) }

func sortedCopy(s ...string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func mustEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s\n got %v\nwant %v", what, got, want)
	}
}

func hasPrefix(v any, prefix string) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, prefix)
}
