package datalayer_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/config"
)

// A recovery stack on standby (config.StandbyView) keeps its Global
// Datastore secondary's replica, with automatic failover and Multi-AZ: the
// secondary inherits them from the primary, and AWS refuses a one-node
// secondary then (ElastiCache User Guide,
// Redis-Global-Datastores-Getting-Started.html, "Important"); its
// DocumentDB secondary has no instance; its search domain, derived data, is not protected (returning
// to standby deletes it).
func TestRecoveryStandbySizes(t *testing.T) {
	t.Parallel()
	primary := runPrimary(t, true)
	src := sourceOf(t, primary)
	r := runLayer(t, "dr", drRegion, drData, func(*pulumi.Context) (*datalayer.DR, error) {
		return &datalayer.DR{Source: src}, nil
	}, nil, func(d *config.Data) { d.DocumentDB.Instances = 0 })
	if r.err != nil {
		t.Fatal(r.err)
	}
	in := r.one(t, "aws:elasticache/replicationGroup:ReplicationGroup", "redis").In()
	if in["numCacheClusters"] != 2.0 || in["automaticFailoverEnabled"] != true || in["multiAzEnabled"] != true {
		t.Errorf("standby redis secondary = %v", in)
	}
	if n := len(r.eng.ByType("aws:docdb/clusterInstance:ClusterInstance")); n != 0 {
		t.Errorf("headless secondary has %d instances", n)
	}
	if d := r.one(t, "aws:opensearch/domain:Domain", "search"); d.Options.Protect {
		t.Error("the recovery stack's search domain is protected")
	}
	// The primary's own domain stays protected.
	if d := primary.one(t, "aws:opensearch/domain:Domain", "search"); !d.Options.Protect {
		t.Error("the primary's search domain is not protected")
	}
}
