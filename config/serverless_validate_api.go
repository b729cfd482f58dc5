package config

import (
	"fmt"
	"strings"
)

func (s Serverless) validateAPI(c *collector, a HTTPAPI, scope ServerlessScope) {
	path := "serverless.api"
	if len(a.Services) == 0 {
		c.required(path+".services", "is empty", "list the path segments routed as /api/v1/<service>/{proxy+}")
	}
	checkList(c, path+".services", a.Services, func(p, svc string) {
		if !apiSegmentRe.MatchString(svc) {
			c.invalidf(p, svc, "use a lowercase path segment such as listings", "%q is not a path segment", svc)
		}
	})
	if hp := a.HealthCheckPath; hp != "" {
		switch {
		case !a.CustomDomain:
			c.required(path+".healthCheckPath", "needs customDomain: the check targets api.<domain>", "set customDomain: true or remove the path")
		case !strings.HasPrefix(hp, "/"):
			c.invalidf(path+".healthCheckPath", hp, "start it with /", "%q is not a path", hp)
		}
	}
	checkList(c, path+".publicRoutes", a.PublicRoutes, func(p, key string) {
		if problem := routeProblem(key, a.Services); problem != "" {
			c.invalidf(p, key, `use "METHOD /api/v1/<service>/…", e.g. "GET /api/v1/listings/{proxy+}"`, "%q %s", key, problem)
		}
	})
	s.checkSyncFunction(c, path+".authorizer", a.Authorizer, "authorizes every non-public route")
	if n := *a.AuthorizerCacheSeconds; n < 0 || n > 3600 {
		c.invalidf(path+".authorizerCacheSeconds", n, "use 0..3600 (0 turns the cache off)", "%d seconds is outside 0..3600", n)
	}
	a.Throttle.validate(c, path+".throttle")
	for i, o := range a.CorsOrigins {
		if problem := originProblem(o); problem != "" {
			c.invalidf(fmt.Sprintf("%s.corsOrigins[%d]", path, i), o, "use an https origin such as https://app.dbay.example.com", "%q %s", o, problem)
		}
	}
	if a.CustomDomain && !scope.HasZone {
		c.required(path+".customDomain", "needs the stack's hosted zone (a frontend section)", "add frontend or set customDomain false")
	}
}

// routeProblem says what is wrong with a public route key, or "".
func routeProblem(key string, services []string) string {
	m := routeKeyRe.FindStringSubmatch(key)
	if m == nil {
		return "is not a route key"
	}
	segs := strings.Split(strings.TrimPrefix(m[2], "/"), "/")
	if len(segs) < 3 || segs[0] != "api" || segs[1] != "v1" || !contains(services, segs[2]) {
		return "is not under /api/v1/<service> of serverless.api.services"
	}
	for i, seg := range segs {
		if !routeSegmentRe.MatchString(seg) {
			return fmt.Sprintf("has an invalid path segment %q", seg)
		}
		if strings.HasSuffix(seg, "+}") && i != len(segs)-1 {
			return "has a greedy {name+} segment that is not the last"
		}
	}
	if m[1] == "ANY" && len(segs) == 4 && strings.HasSuffix(segs[3], "+}") {
		return "would make the whole service public (it is the service's own authorized route)"
	}
	return ""
}

// checkSyncFunction checks a function invoked synchronously by API Gateway.
func (s Serverless) checkSyncFunction(c *collector, path, name, role string) {
	f, ok := s.Functions[name]
	switch {
	case !ok:
		c.invalidf(path, name, "name a function of serverless.functions"+knownKeys(s.Functions), "no function named %q (it %s)", name, role)
	case f.Async || f.Schedule != "":
		c.invalidf(path, name, "use a function that is neither async nor scheduled", "%s %s, so API Gateway invokes it synchronously", name, role)
	}
}

func (t APIThrottle) validate(c *collector, path string) {
	checkRange(c, path+".burst", t.Burst, 1, 5000, "requests")
	checkRange(c, path+".rate", t.Rate, 1, 10000, "requests per second")
}
