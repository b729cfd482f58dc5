package cost

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

func res(typ, name string, in map[string]any, out map[string]any) *mockengine.Resource {
	return &mockengine.Resource{URN: "urn:pulumi:s::p::" + typ + "::" + name, Type: typ, Name: name, Custom: true,
		Region: "us-east-1", Inputs: resource.NewPropertyMapFromMap(in), Outputs: resource.NewPropertyMapFromMap(out)}
}

func TestEmbeddedTableIsValidAndCanonical(t *testing.T) {
	t.Parallel()
	tab, err := Prices()
	if err != nil {
		t.Fatal(err)
	}
	if tab.Source != SourceCompiled || tab.AsOf == "" {
		t.Errorf("header: %q %q", tab.Source, tab.AsOf)
	}
	b, _ := tab.Marshal()
	if string(b) != string(pricesJSON) {
		t.Error("prices.json is not in the form cmd/prices writes (keys sorted, one-space indent): rewrite it with Table.Marshal")
	}
}

func TestParseTableReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := ParseTable([]byte(`{"source":"guessed","asOf":"","offerFileVersions":{},"regions":{"us-east-1":{"k":{"usd":-1,"unit":"","source":"aws.amazon.com"}}}}`))
	for _, want := range []string{`source is "guessed"`, "asOf is empty", "usd is -1", "unit is empty", "want the https URL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v; want %q", err, want)
		}
	}
	if _, err := ParseTable([]byte(`{"source":"compiled","asOf":"2026-01-01","regions":{},"extra":1}`)); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("unknown field: err = %v", err)
	}
}

func TestSplitTasks(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n    float64
		ss   []strategy
		want map[string]float64
	}{
		{4, nil, map[string]float64{"FARGATE": 4}},
		{2, []strategy{{"FARGATE", 2, 1}}, map[string]float64{"FARGATE": 2}},
		{6, []strategy{{"FARGATE", 2, 1}, {"FARGATE_SPOT", 0, 3}}, map[string]float64{"FARGATE": 3, "FARGATE_SPOT": 3}},
		{1, []strategy{{"FARGATE", 2, 0}, {"FARGATE_SPOT", 0, 1}}, map[string]float64{"FARGATE": 1, "FARGATE_SPOT": 0}},
	} {
		got := splitTasks(c.n, c.ss)
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("splitTasks(%v, %v)[%s] = %v; want %v", c.n, c.ss, k, got[k], v)
			}
		}
	}
}

// A spot share is priced at spot rates; a Global Datastore secondary takes
// its node type from the primary in the partner stack; a cross-Region read
// replica takes its storage from its source; an unknown type and a price
// line missing from the table are listed, never a silent zero.
func TestEstimate(t *testing.T) {
	t.Parallel()
	td := res(tokens.ECSTaskDefinition, "api", map[string]any{"family": "p-api", "cpu": "1024", "memory": "2048"}, nil)
	svc := res(tokens.ECSService, "api", map[string]any{"taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/p-api:3", "desiredCount": 4,
		"capacityProviderStrategies": []any{map[string]any{"capacityProvider": "FARGATE", "base": 2, "weight": 0}, map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 1}}}, nil)
	secondary := res(tokens.ElastiCacheReplicationGroup, "redis", map[string]any{"globalReplicationGroupId": "x-redis", "numCacheClusters": 2}, nil)
	replica := res(tokens.RDSInstance, "pg", map[string]any{"instanceClass": "db.r6g.large", "replicateSourceDb": "arn:aws:rds:us-east-1:1:db:pg-1", "storageType": "gp3"}, nil)
	unknown := res("aws:mq/broker:Broker", "mq", nil, nil)
	nlbless := res(tokens.LBLoadBalancer, "gw", map[string]any{"loadBalancerType": "gateway"}, nil)
	partner := []*mockengine.Resource{
		res(tokens.ElastiCacheGlobalReplicationGroup, "g", nil, map[string]any{"globalReplicationGroupId": "x-redis", "primaryReplicationGroupId": "redis-a"}),
		res(tokens.ElastiCacheReplicationGroup, "redis", map[string]any{"nodeType": "cache.r6g.large"}, map[string]any{"replicationGroupId": "redis-a"}),
		res(tokens.RDSInstance, "pg", map[string]any{"engine": "postgres", "allocatedStorage": 200}, map[string]any{"identifier": "pg-1"}),
	}
	rep, err := Estimate([]*mockengine.Resource{td, svc, secondary, replica, unknown, nlbless}, Options{Partner: partner})
	if err != nil {
		t.Fatal(err)
	}
	api := rep.Resource(svc.Type, "api")
	want := 730 * (2*(0.04048+2*0.004445) + 2*(0.012144+2*0.0013335))
	if api == nil || api.MonthlyUSD < want-0.03 || api.MonthlyUSD > want+0.03 {
		t.Errorf("api = %+v; want %.2f (2 on FARGATE, 2 on FARGATE_SPOT)", api, want)
	}
	if r := rep.Resource(secondary.Type, "redis"); r == nil || r.MonthlyUSD != 300.76 {
		t.Errorf("secondary = %+v; want 2 × cache.r6g.large × 730 h = 300.76", r)
	}
	if r := rep.Resource(replica.Type, "pg"); r == nil || len(r.Lines) != 2 || r.Lines[1].Quantity != 200 || r.Lines[1].Assumption != "" {
		t.Errorf("replica = %+v; want 200 GB from its source", r)
	}
	kinds := map[string]string{}
	for _, g := range rep.Unpriced() {
		kinds[g.Type] = g.Kind + ": " + g.Reason
	}
	if !strings.HasPrefix(kinds["aws:mq/broker:Broker"], KindUnknown) || !strings.Contains(kinds[nlbless.Type], `no price line "elb:gwlb"`) {
		t.Errorf("unpriced = %v", kinds)
	}
	if _, err := Estimate(nil, Options{Assumptions: &Assumptions{HoursPerMonth: 0, ALBLCUs: -1}}); err == nil ||
		!strings.Contains(err.Error(), "hoursPerMonth is 0") || !strings.Contains(err.Error(), "albLcus is -1") {
		t.Errorf("bad assumptions: err = %v", err)
	}
}
