package config

import (
	"fmt"
	"sort"
	"strings"
)

// ConcurrencySource: reserved concurrency both guarantees and caps a
// function's concurrent executions, and Lambda keeps at least 100 of the
// Region's quota unreserved.
const ConcurrencySource = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html"

// validateEdge checks what keeps a flood from starving the money (issue 15
// item 3): per-route throttles name real routes, the authorizers' executions
// are capped, every function of a workflow that moves money has executions
// reserved, and the reservations fit the Region's quota.
func (s Serverless) validateEdge(c *collector) {
	if a := s.API; a != nil {
		routes := map[string]bool{}
		for _, svc := range a.Services {
			routes[ServiceRouteKey(svc)] = true
		}
		for _, k := range a.PublicRoutes {
			routes[k] = true
		}
		for _, k := range sortedMapKeys(a.RouteThrottles) {
			p := fmt.Sprintf("serverless.api.routeThrottles[%q]", k)
			if !routes[k] {
				c.invalidf(p, k, "use a route key of the API"+knownKeys(routes), "%q is not a route of the API", k)
				continue
			}
			a.RouteThrottles[k].validate(c, p)
		}
	}
	if w := s.WebSocket; w != nil && w.ConnectThrottle != nil {
		w.ConnectThrottle.validate(c, "serverless.websocket.connectThrottle")
	}
	need := map[string]string{} // function → why it needs a reservation
	if a := s.API; a != nil {
		need[a.Authorizer] = "authorizes the HTTP API: a flood of bad tokens must hit its cap, not the Region's quota"
	}
	if w := s.WebSocket; w != nil && need[w.Authorizer] == "" {
		need[w.Authorizer] = "authorizes the WebSocket API's $connect: a flood must hit its cap, not the Region's quota"
	}
	for _, name := range sortedMapKeys(s.Workflows) {
		w := s.Workflows[name]
		if w.PointOfNoReturn == "" && w.Compensation == nil {
			continue
		}
		for _, st := range w.Steps {
			if _, ok := need[st.Function]; !ok {
				need[st.Function] = fmt.Sprintf("runs step %s of workflow %s, which moves money: it must run while other functions are throttled", st.Name, name)
			}
		}
		if cp := w.Compensation; cp != nil {
			if _, ok := need[cp.Function]; !ok {
				need[cp.Function] = fmt.Sprintf("compensates workflow %s: it must run while other functions are throttled", name)
			}
		}
	}
	names := make([]string, 0, len(need))
	for n := range need {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f, ok := s.Functions[n]
		if !ok {
			continue // reported where the function is named
		}
		if r := f.ReservedConcurrency; r == nil || *r < 1 {
			c.requiredf("serverless.functions."+n+".reservedConcurrency", "set a reservation of 1 or more ("+ConcurrencySource+")", "%s %s", n, need[n])
		}
	}
	total, parts := 0, []string{}
	for _, n := range sortedMapKeys(s.Functions) {
		if r := s.Functions[n].ReservedConcurrency; r != nil && *r > 0 {
			total += *r
			parts = append(parts, fmt.Sprintf("%s %d", n, *r))
		}
	}
	if limit := s.AccountConcurrency - MinUnreservedConcurrency; total > limit {
		c.invalidf("serverless.functions", nil, fmt.Sprintf("lower the reservations to %d in all, or raise serverless.accountConcurrency to the Region's quota (%s)", limit, ConcurrencySource),
			"reserved concurrency %d (%s) leaves less than %d of the quota %d unreserved", total, strings.Join(parts, ", "), MinUnreservedConcurrency, s.AccountConcurrency)
	}
	if s.AccountConcurrency < DefaultAccountConcurrency {
		c.invalidf("serverless.accountConcurrency", s.AccountConcurrency, "use the Region's Lambda concurrency quota (1000 or more)", "%d is below the default quota", s.AccountConcurrency)
	}
}
