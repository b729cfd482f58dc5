package config

import (
	"strings"
	"testing"
	"time"

	"github.com/dbay/infra/dr"
)

// recoveryWith is a recovery stack with the given dr fields (JSON members
// after the primary's) and data section.
func recoveryWith(drFields, data string) func(m map[string]string) {
	return func(m map[string]string) {
		recovery(m)
		m["dbay:dr"] = `{"primaryStack":"organization/dbay/prod","primaryRegion":"us-east-1"` + drFields + `}`
		m["dbay:data"] = data
	}
}

func TestDRCostConfigErrors(t *testing.T) {
	t.Parallel()
	search := `{"postgres":{},"opensearch":{}}`
	tests := []struct {
		name string
		edit func(m map[string]string)
		want []atValue
	}{
		{"budget outside 1..100", recoveryWith(`,"costBudget":0`, `{}`),
			[]atValue{{"dbay:dr.costBudget", KindInvalid, 0.0}}},
		{"a source of truth declared derived, an unknown class", recoveryWith(`,"classes":{"postgres":"derived","opensearch":"ephemeral","cache":"derived"}`, `{}`), []atValue{
			{"dbay:dr.classes.postgres", KindInvalid, "derived"},
			{"dbay:dr.classes.opensearch", KindInvalid, "ephemeral"},
			{"dbay:dr.classes.cache", KindInvalid, "cache"},
		}},
		{"derived search without its size", recoveryWith(``, search), []atValue{
			{"dbay:dr.rebuild.searchDataGiB", KindRequired, nil},
		}},
		// 45 min + 100 GiB ÷ 5 MiB/s (342 min) = 6h27m > 4 h.
		{"a rebuild slower than the RTO", recoveryWith(`,"rebuild":{"searchDataGiB":100}`, search), []atValue{
			{"dbay:dr.rebuild.searchDataGiB", KindInvalid, 100.0},
		}},
		{"bad standby class, no postgres", recoveryWith(`,"standby":{"postgresInstanceClass":"r6g.large"}`, `{}`), []atValue{
			{"dbay:dr.standby.postgresInstanceClass", KindRequired, nil},
			{"dbay:dr.standby.postgresInstanceClass", KindInvalid, "r6g.large"},
		}},
		{"standby in a primary", func(m map[string]string) {
			m["dbay:dr"] = `{"standby":{"postgresInstanceClass":"db.r6g.large"},"rebuild":{"searchDataGiB":5}}`
		}, []atValue{
			{"dbay:dr.standby", KindForbidden, nil},
			{"dbay:dr.rebuild", KindForbidden, nil},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errs := load(t, tt.edit)
			wantBadValues(t, errs, tt.want)
		})
	}
}

// On standby a recovery stack leaves its derived stores out (and the uses
// and waivers naming them), runs the DocumentDB secondary headless, the
// replica on its standby class, and keeps the Redis secondary's replicas
// (a Global Datastore secondary inherits the primary's automatic
// failover, which AWS refuses on one node); the configuration as written
// is what `active` builds.
func TestStandbyView(t *testing.T) {
	t.Parallel()
	cfg, errs := load(t, recoveryWith(`,"rebuild":{"searchDataGiB":20},"standby":{"postgresInstanceClass":"db.r6g.large","interfaceEndpoints":false}`,
		`{"postgres":{"instanceClass":"db.r5.large"},"documentdb":{"instances":2},"redis":{"replicas":2},"opensearch":{},"memcached":{}}`))
	if errs != nil {
		t.Fatal(errs)
	}
	if !cfg.Passive() || cfg.DR.CostBudget == nil || *cfg.DR.CostBudget != DefaultCostBudget {
		t.Fatalf("passive %v, budget %v", cfg.Passive(), cfg.DR.CostBudget)
	}
	v := cfg.StandbyView()
	d := v.Data
	if d.OpenSearch != nil || d.Memcached != nil || d.DocumentDB.Instances != 0 || d.Redis.Replicas != 2 || d.Postgres.InstanceClass != "db.r6g.large" ||
		len(v.Network.Endpoints.Interface()) != 0 || !v.Network.Endpoints.GatewayS3() {
		t.Errorf("standby data = %+v, endpoints %v", d, v.Network.Endpoints.Interface())
	}
	if w := cfg.Data; w.OpenSearch == nil || w.DocumentDB.Instances != 2 || w.Redis.Replicas != 2 || w.Postgres.InstanceClass != "db.r5.large" || v.Full() != cfg {
		t.Errorf("the view changed the configuration as written: %+v", w)
	}
	plan := cfg.DRPlan()
	if plan.AtFailover[dr.Search] != 45*time.Minute+69*time.Minute || plan.AtFailover[dr.Memcached] == 0 {
		t.Errorf("plan = %v", plan.AtFailover)
	}
	if got := v.DeferredStores(); strings.Join(got, ",") != "memcached,opensearch" {
		t.Errorf("deferred = %v", got)
	}
	// Declared a source of truth, the domain stays on standby.
	kept, errs := load(t, recoveryWith(`,"classes":{"opensearch":"source-of-truth"}`, `{"postgres":{},"opensearch":{}}`))
	if errs != nil {
		t.Fatal(errs)
	}
	if kept.StandbyView().Data.OpenSearch == nil || len(kept.DRPlan().AtFailover) != 0 {
		t.Error("a source-of-truth opensearch was left out on standby")
	}
}
