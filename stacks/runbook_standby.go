package stacks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dbay/infra/dr"
)

// builtAtScaleUp names what the recovery stack builds only once active:
// its derived stores, the headless DocumentDB secondary's instances, the
// Redis secondary's replicas, the PostgreSQL reporting replicas and, with
// dr.standby.interfaceEndpoints false, the interface endpoints.
func (in runbookInputs) builtAtScaleUp() string {
	cfg := in.cfg
	var out []string
	if cfg.AtFailover(dr.Search) {
		out = append(out, "the OpenSearch domain")
	}
	if cfg.AtFailover(dr.Memcached) {
		out = append(out, "the Memcached cluster")
	}
	if m := cfg.Data.DocumentDB; m != nil {
		out = append(out, fmt.Sprintf("%d DocumentDB instance(s)", m.Instances))
	}
	if e := cfg.DR.Standby.InterfaceEndpoints; e != nil && !*e {
		out = append(out, "the interface endpoints")
	}
	if len(out) == 0 {
		return "nothing"
	}
	return strings.Join(out, ", ")
}

// searchIndexer is the function that writes the search index (the one
// whose uses name search), "" when none.
func (in runbookInputs) searchIndexer() string {
	if in.sl == nil || in.cfg.Serverless == nil {
		return ""
	}
	var names []string
	for name, fn := range in.cfg.Serverless.Functions {
		for _, u := range fn.Uses {
			if u == "search" {
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}
