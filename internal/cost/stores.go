package cost

import (
	"fmt"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// Data stores: RDS, DocumentDB, ElastiCache, OpenSearch.

// rdsInstance: instance class × deployment (Multi-AZ doubles), and
// provisioned storage of its type (a read replica's from its source).
func rdsInstance(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	in := r.In()
	class := str(in, "instanceClass")
	engine, storageType := str(in, "engine"), str(in, "storageType")
	gb, hasGB := num(in, "allocatedStorage")
	gbAssumed := ""
	if src := str(in, "replicateSourceDb"); src != "" {
		if s := e.find(tokens.RDSInstance, src, "arn", "identifier", "id"); s != nil {
			sin := s.In()
			if engine == "" {
				engine = str(sin, "engine")
			}
			if storageType == "" {
				storageType = str(sin, "storageType")
			}
			if !hasGB {
				gb, hasGB = num(sin, "allocatedStorage")
			}
		}
		if !hasGB {
			gb, hasGB, gbAssumed = e.as.ReplicaStorageGB, true, "replicaStorageGb"
		}
	}
	if engine == "" {
		engine = "postgres"
	}
	if storageType == "" {
		storageType = "gp2" // the provider's default
	}
	az := "single-az"
	if boolean(in, "multiAz") {
		az = "multi-az"
	}
	if class == "" {
		ls.fail("no instanceClass")
	} else {
		ls.add(e.hourly(r, fmt.Sprintf("rds:%s:%s:%s", class, engine, az), 1, fmt.Sprintf("%s %s %s", class, engine, az)))
	}
	if hasGB {
		l, err := e.line(r, fmt.Sprintf("rds:storage:%s:%s", storageType, az), gb, fmt.Sprintf("%g GB %s storage (%s)", gb, storageType, az))
		l.Assumption = gbAssumed
		ls.add(l, err)
	} else {
		ls.fail("no allocatedStorage")
	}
	if days, ok := num(in, "performanceInsightsRetentionPeriod"); ok && days > 7 {
		ls.fail("Performance Insights retention of %g days is not priced (7 days is free)", days)
	}
	return ls.done()
}

func docdbInstance(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	class := str(r.In(), "instanceClass")
	ls.add(e.hourly(r, "docdb:"+class, 1, class+" instance"))
	return ls.done()
}

// docdbCluster: storage at the docdbStorageGb assumption (the instances are
// priced on their own).
func docdbCluster(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	ls.add(e.assumed(r, "docdb:storage", e.as.DocDBStorageGB, "docdbStorageGb", fmt.Sprintf("%g GB cluster storage", e.as.DocDBStorageGB)))
	return ls.done()
}

// cacheReplicationGroup: node type × nodes; a Global Datastore secondary
// takes its node type from the global group's primary.
func cacheReplicationGroup(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	in := r.In()
	nodeType := str(in, "nodeType")
	if nodeType == "" {
		if g := str(in, "globalReplicationGroupId"); g != "" {
			if gr := e.find(tokens.ElastiCacheGlobalReplicationGroup, g, "globalReplicationGroupId", "id"); gr != nil {
				if p := e.find(tokens.ElastiCacheReplicationGroup, str(gr.Out(), "primaryReplicationGroupId"), "replicationGroupId", "id"); p != nil {
					nodeType = str(p.In(), "nodeType")
				}
			}
		}
	}
	nodes := 0.0
	if n, ok := num(in, "numCacheClusters"); ok {
		nodes = n
	} else if groups, ok := num(in, "numNodeGroups"); ok {
		replicas, _ := num(in, "replicasPerNodeGroup")
		nodes = groups * (replicas + 1)
	} else {
		nodes = 1
	}
	if nodeType == "" {
		ls.fail("no nodeType, and no Global Datastore primary to take it from")
		return ls.done()
	}
	ls.add(e.hourly(r, "elasticache:"+nodeType, nodes, nodeType+" nodes"))
	return ls.done()
}

func cacheCluster(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	in := r.In()
	nodes, ok := num(in, "numCacheNodes")
	if !ok {
		nodes = 1
	}
	nodeType := str(in, "nodeType")
	ls.add(e.hourly(r, "elasticache:"+nodeType, nodes, nodeType+" nodes"))
	return ls.done()
}

// openSearchDomain: data nodes, dedicated masters, and EBS per data node.
func openSearchDomain(e *estimator, r *mockengine.Resource) ([]Line, []error) {
	var ls lines
	in := r.In()
	cc := obj(in, "clusterConfig")
	count, ok := num(cc, "instanceCount")
	if !ok {
		count = 1
	}
	typ := str(cc, "instanceType")
	if typ == "" {
		typ = "r6g.large.search" // the provider's default
	}
	ls.add(e.hourly(r, "opensearch:"+typ, count, typ+" data nodes"))
	if boolean(cc, "dedicatedMasterEnabled") {
		mc, ok := num(cc, "dedicatedMasterCount")
		if !ok {
			mc = 3
		}
		mt := str(cc, "dedicatedMasterType")
		ls.add(e.hourly(r, "opensearch:"+mt, mc, mt+" dedicated masters"))
	}
	if ebs := obj(in, "ebsOptions"); boolean(ebs, "ebsEnabled") {
		size, _ := num(ebs, "volumeSize")
		vt := str(ebs, "volumeType")
		if vt == "" {
			vt = "gp2"
		}
		ls.add(e.line(r, "opensearch:storage:"+vt, size*count, fmt.Sprintf("%g GB %s × %g data nodes", size, vt, count)))
	}
	if w, _ := num(cc, "warmCount"); w > 0 {
		ls.fail("UltraWarm nodes are not priced")
	}
	return ls.done()
}

// find returns the resource of typ, in the stack or its partner, whose
// output or input named by one of keys equals ref (an ARN, identifier or
// id); a ref that is an ARN also matches on its last segment.
func (e *estimator) find(typ, ref string, keys ...string) *mockengine.Resource {
	if ref == "" {
		return nil
	}
	short := ref[strings.LastIndex(ref, ":")+1:]
	for _, r := range e.all {
		if r.Type != typ {
			continue
		}
		out, in := r.Out(), r.In()
		for _, k := range keys {
			for _, v := range []string{str(out, k), str(in, k)} {
				if v != "" && (v == ref || v == short) {
					return r
				}
			}
		}
	}
	return nil
}
