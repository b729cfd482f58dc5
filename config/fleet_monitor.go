package config

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// FleetMonitor is a public service's own monitoring: an error-rate alarm
// (target 5xx as a percentage of its requests, metric math), a
// response-time alarm, both on its target group (dimensions TargetGroup
// and LoadBalancer), a request-rate and error-rate dashboard line, and
// Route53 health checks of the paths it serves.
type FleetMonitor struct {
	// AlarmPrefix names the service's alarms <prefix>-high-error-rate,
	// <prefix>-high-response-time and <prefix>-health-<check>, the names an
	// on-call rota routes by (the Dhanam guide's dhanam-api-high-error-rate).
	// Letters, digits, . _ and -, at most 200 characters, unique in the
	// fleet. Absent: <project>-<stack>-<service>.
	AlarmPrefix string `json:"alarmPrefix"`
	// HealthChecks are Route53 HTTPS health checks of the service's first
	// host (through CloudFront when the ALB is behind it, so every request
	// carries the origin-verify header), each alarmed on the alert topic.
	// The primary stack creates them; a recovery stack does not (the
	// checks watch the public name, which follows a failover). Absent: none.
	HealthChecks []FleetHealthMonitor `json:"healthChecks"`
}

// FleetHealthMonitor is one Route53 health check.
type FleetHealthMonitor struct {
	// Path requested, e.g. /health/database: at most 255 characters. Required.
	Path string `json:"path"`
	// Match is a string the first 5,120 bytes of the body must contain
	// (case-sensitive, at most 255 characters), e.g. "status":"healthy".
	// Absent: any 2xx or 3xx status is healthy.
	Match string `json:"match"`
	// Name of the check in its alarm's name (<prefix>-health-<name>):
	// lowercase letters, digits and dashes, unique in the service.
	// Absent: the path's last segment (database for /health/database).
	Name string `json:"name"`
}

// FleetBuild is what the image build of a service needs: the variables a
// framework inlines into the bundle at build time (Next.js NEXT_PUBLIC_*,
// Vite VITE_*). The stack exports them (buildArgs) and the docker build
// command that passes them (buildCommands).
type FleetBuild struct {
	// Dockerfile path, relative to the build context. Absent: Dockerfile.
	Dockerfile string `json:"dockerfile"`
	// Env are plain build arguments (--build-arg NAME=value). Absent: none.
	Env map[string]string `json:"env"`
	// Secrets name secrets.items entries the build command reads from
	// Secrets Manager into a build argument of the same name. Use it only
	// for a value that ends up public anyway (an analytics project key in
	// a browser bundle): a build argument is visible in the image's
	// history. Absent: none.
	Secrets []string `json:"secrets"`
}

// BuildInlinedPrefixes are the variable prefixes a framework inlines at
// build time: a run-time value of such a variable reaches no client code.
// Next.js: https://nextjs.org/docs/app/guides/environment-variables#bundling-environment-variables-for-the-browser
// Vite: https://vite.dev/guide/env-and-mode
var BuildInlinedPrefixes = []string{"NEXT_PUBLIC_", "VITE_"}

// Monitor limits (Route53 HealthCheckConfig, CloudWatch PutMetricAlarm).
const (
	// MaxHealthCheckPath and MaxHealthCheckMatch: ResourcePath and
	// SearchString are at most 255 characters
	// (https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html).
	MaxHealthCheckPath  = 255
	MaxHealthCheckMatch = 255
	// MaxAlarmPrefix leaves room for the longest suffix within
	// PutMetricAlarm's 255-character AlarmName.
	MaxAlarmPrefix = 200
)

var (
	alarmPrefixRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	checkNameRe   = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$`)
)

// AlarmPrefixFor is the service's alarm name prefix: its monitor's, or
// <project>-<stack>-<service>.
func (s FleetService) AlarmPrefixFor(project, stack string) string {
	if s.Monitor != nil && s.Monitor.AlarmPrefix != "" {
		return s.Monitor.AlarmPrefix
	}
	return project + "-" + stack + "-" + s.Name
}

// CheckName is the health check's name: its own, or its path's last segment.
func (h FleetHealthMonitor) CheckName() string {
	if h.Name != "" {
		return h.Name
	}
	return strings.ToLower(path.Base(h.Path))
}

// BuildInlined reports whether a variable is inlined by a framework's build.
func BuildInlined(name string) bool {
	for _, p := range BuildInlinedPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// validateMonitor checks a service's monitor section. prefixes holds the
// alarm prefixes seen so far (prefix -> service index + 1).
func (s FleetService) validateMonitor(c *collector, p, ingress string, prefixes map[string]int, i int) {
	m := s.Monitor
	if m == nil {
		return
	}
	p += ".monitor"
	if !s.Expose.Public {
		c.invalid(p, nil, "monitors a service that is not public", "set expose.public: true (the alarms watch its target group) or remove monitor")
	}
	if m.AlarmPrefix != "" && (len(m.AlarmPrefix) > MaxAlarmPrefix || !alarmPrefixRe.MatchString(m.AlarmPrefix)) {
		c.invalidf(p+".alarmPrefix", m.AlarmPrefix, fmt.Sprintf("use letters, digits, ., _ and -, at most %d characters, e.g. dhanam-api", MaxAlarmPrefix),
			"%q is not an alarm name prefix", m.AlarmPrefix)
	}
	if m.AlarmPrefix != "" {
		if prev := prefixes[m.AlarmPrefix]; prev > 0 {
			c.invalidf(p+".alarmPrefix", m.AlarmPrefix, "give each service its own prefix (alarm names are unique in a Region)", "%q is already fleet.services[%d]'s", m.AlarmPrefix, prev-1)
		}
		prefixes[m.AlarmPrefix] = i + 1
	}
	if len(m.HealthChecks) == 0 {
		return
	}
	switch {
	case ingress == IngressVPCLink:
		c.invalid(p+".healthChecks", nil, "the ALB is internal (fleet.alb.ingress vpclink): Route53's checkers cannot reach it",
			"check the API's public name elsewhere, or remove healthChecks")
	case len(s.Expose.Hosts) == 0 || strings.ContainsAny(s.Expose.Hosts[0], "*?"):
		c.required(p+".healthChecks", "needs the service's public host name to check", "list the host first in expose.hosts, e.g. api.example.com (no wildcard)")
	}
	names := map[string]int{}
	for j, h := range m.HealthChecks {
		hp := fmt.Sprintf("%s.healthChecks[%d]", p, j)
		if !strings.HasPrefix(h.Path, "/") || len(h.Path) > MaxHealthCheckPath || strings.ContainsAny(h.Path, " \t") {
			c.invalidf(hp+".path", h.Path, fmt.Sprintf("use an absolute path of at most %d characters, e.g. /health/database", MaxHealthCheckPath), "%q is not a health check path", h.Path)
			continue
		}
		if len(h.Match) > MaxHealthCheckMatch {
			c.invalidf(hp+".match", h.Match, fmt.Sprintf("use at most %d characters (Route53 searches the first 5,120 bytes of the body for it)", MaxHealthCheckMatch),
				"%d characters", len(h.Match))
		}
		n := h.CheckName()
		switch {
		case !checkNameRe.MatchString(n):
			c.invalidf(hp+".name", n, "use 1-40 lowercase letters, digits and dashes", "%q is not a check name", n)
		case names[n] > 0:
			c.invalidf(hp+".name", n, "give each check of the service its own name (it names the alarm)", "%q is already healthChecks[%d]'s", n, names[n]-1)
		}
		names[n] = j + 1
	}
}

// validateBuild checks a service's build section and that no variable a
// build inlines is given at run time only.
func (s FleetService) validateBuild(c *collector, p string, secrets map[string]SecretItem) {
	b := s.Build
	build := map[string]bool{}
	if b != nil {
		if b.Dockerfile != "" && (strings.HasPrefix(b.Dockerfile, "/") || strings.Contains(b.Dockerfile, "..") || strings.ContainsAny(b.Dockerfile, " '\"$`")) {
			c.invalidf(p+".build.dockerfile", b.Dockerfile, "use a relative path inside the build context, e.g. infra/docker/Dockerfile.web", "%q is not a Dockerfile path", b.Dockerfile)
		}
		for _, k := range sortedMapKeys(b.Env) {
			build[k] = true
			if !envVarRe.MatchString(k) {
				c.invalidf(p+".build.env."+k, k, "use upper-case letters, digits and underscores", "%q is not a build argument name", k)
			}
			if strings.ContainsAny(b.Env[k], "'\n") {
				c.invalidf(p+".build.env."+k, b.Env[k], "use a value without single quotes or newlines (it is passed as --build-arg NAME='value')", "%q cannot be quoted", b.Env[k])
			}
		}
		for j, name := range b.Secrets {
			path := fmt.Sprintf("%s.build.secrets[%d]", p, j)
			item, ok := secrets[name]
			switch {
			case !ok:
				c.invalidf(path, name, "declare it under secrets.items (declared: "+strings.Join(sortedMapKeys(secrets), ", ")+")", "%q is not a declared secret", name)
			case len(item.Readers) > 0:
				c.forbiddenf(path, "a single-reader secret never leaves its readers: do not build it into an image", "%s is single-reader", name)
			case build[name]:
				c.invalidf(path, name, "give the value once: build.env or build.secrets", "%s is already in build.env", name)
			}
			build[name] = true
		}
	}
	for _, k := range sortedMapKeys(s.Env) {
		if !BuildInlined(k) {
			continue
		}
		switch v, inBuildEnv := b.envValue(k); {
		case !build[k]:
			c.forbiddenf(p+".env."+k, "move it to build.env (the image build inlines it; keep a run-time copy only if server code reads it)",
				"%s is inlined at build time: a run-time value reaches no client code", k)
		case inBuildEnv && v != s.Env[k]:
			c.invalidf(p+".env."+k, s.Env[k], "give the run-time copy the build's value, or remove it", "%q differs from build.env.%s %q", s.Env[k], k, v)
		}
	}
	for j, name := range s.Secrets {
		if BuildInlined(name) && !build[name] {
			c.forbiddenf(fmt.Sprintf("%s.secrets[%d]", p, j), "list it under build.secrets (the build inlines it into the public bundle)",
				"%s is inlined at build time: a run-time secret reaches no client code", name)
		}
	}
}

// envValue is build.env[k] on a possibly absent build section.
func (b *FleetBuild) envValue(k string) (string, bool) {
	if b == nil {
		return "", false
	}
	v, ok := b.Env[k]
	return v, ok
}
