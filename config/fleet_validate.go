package config

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

var (
	serviceNameRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,22}[a-z0-9]$|^[a-z]$`)
	repositoryRe  = regexp.MustCompile(`^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$`)
	imageTagRe    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	userRe        = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,31})?$`)
	rulePathRe    = regexp.MustCompile(`^/[A-Za-z0-9_\-.$/~"'@:+*?&=%]{0,127}$`)
	ruleHostRe    = regexp.MustCompile(`^[a-z0-9*?]([a-z0-9*?.-]{0,126}[a-z0-9*?])?$`)
	// forbiddenEnv are never set: the task role supplies credentials and
	// production talks to real AWS endpoints (seed §4).
	forbiddenEnv = []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"}
)

// validate records every problem of a defaulted fleet section. domain is
// the stack's; stores maps each usable `uses` entry to the variables it
// sets (Data.UsableStores); secrets are the declared secrets.items.
func (f Fleet) validate(c *collector, domain string, stores map[string][]string, secrets map[string]SecretItem) {
	fleetOneOf(c, "fleet.runtime", f.Runtime, RuntimeECS, RuntimeEKS)
	fleetOneOf(c, "fleet.standby", f.Standby, StandbyPilot, StandbyWarm, StandbyActive)
	checkRange(c, "fleet.spot", f.Spot, 0, 1000, "(FARGATE_SPOT weight)")
	if !IsLogRetention(f.LogRetentionDays) {
		c.invalidf("fleet.logRetentionDays", f.LogRetentionDays, fmt.Sprintf("use one of %v", logRetentionDays), "%d days is not a CloudWatch Logs retention", f.LogRetentionDays)
	}
	fleetOneOf(c, "fleet.alb.ingress", f.ALB.Ingress, IngressCloudFront, IngressVPCLink, IngressPublic)
	if d := strings.TrimPrefix(f.ALB.CertificateDomain, "*."); f.ALB.CertificateDomain != "" && d != domain && !strings.HasSuffix(d, "."+domain) {
		c.invalidf("fleet.alb.certificateDomain", f.ALB.CertificateDomain, "use a name at or below "+domain+", e.g. *."+domain, "%q is not in the stack's domain", f.ALB.CertificateDomain)
	}
	checkRange(c, "fleet.ecr.keepLast", f.ECR.KeepLast, 1, 1000, "images")
	if len(f.Services) == 0 {
		c.required("fleet.services", "is required", "list at least one service")
	}
	ports := map[string]int{}
	for _, s := range f.Services {
		ports[s.Name] = s.Port
	}
	seen, repos, routes, prefixes := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	for i, s := range f.Services {
		p := fmt.Sprintf("fleet.services[%d]", i)
		switch {
		case !serviceNameRe.MatchString(s.Name):
			c.invalidf(p+".name", s.Name, "use 1-24 lowercase letters, digits and dashes, starting with a letter", "%q is not a valid service name", s.Name)
		case seen[s.Name] > 0:
			c.invalidf(p+".name", s.Name, "give each service its own name", "%q is already fleet.services[%d]", s.Name, seen[s.Name]-1)
		}
		seen[s.Name] = i + 1
		s.validateImage(c, p, repos, i)
		checkRange(c, p+".port", s.Port, 1, 65535, "(TCP port)")
		s.validateSize(c, p)
		s.validateEnv(c, p, stores, secrets, ports)
		for j, e := range s.Egress {
			if _, ok := parseEgress(e); !ok {
				c.invalidf(fmt.Sprintf("%s.egress[%d]", p, j), e, "use internet (TCP 443) or internet:<port> with a port in 1..65535", "%q is not an egress entry", e)
			}
		}
		s.validateExpose(c, p, routes, i)
		s.validateMonitor(c, p, f.ALB.Ingress, prefixes, i)
		s.validateBuild(c, p, secrets)
		if u := s.User; u != nil && *u != "" && (!userRe.MatchString(*u) || strings.Split(*u, ":")[0] == "root" || strings.Split(*u, ":")[0] == "0") {
			c.invalidf(p+".user", *u, `use a non-root uid[:gid] such as 1000:1000, or "" for the image's USER`, "%q is not a non-root user", *u)
		}
		if s.Migrations != nil && len(s.Migrations.Command) == 0 {
			c.required(p+".migrations.command", "is required", "give the command, e.g. [python, manage.py, migrate]")
		}
		if m := s.Migrations; m != nil {
			for j, a := range m.StatusCommand {
				if strings.TrimSpace(a) == "" || strings.ContainsAny(a, "'\"\\") {
					c.forbiddenf(fmt.Sprintf("%s.migrations.statusCommand[%d]", p, j), "use words without quotes or backslashes, e.g. [pnpm, db:status]",
						"%q cannot be passed through the runbook's run-task override", a)
				}
			}
		}
	}
	if f.Runtime == RuntimeEKS {
		f.EKS.validate(c, f.Services, secrets)
	}
}

func (s FleetService) validateImage(c *collector, p string, repos map[string]int, i int) {
	switch r := s.Image.Repository; {
	case len(r) < 2 || len(r) > 256 || !repositoryRe.MatchString(r):
		c.invalidf(p+".image.repository", r, "use lowercase path segments such as dbay/listing-service", "%q is not an ECR repository name", r)
	case repos[r] > 0:
		c.invalidf(p+".image.repository", r, "give each service its own repository", "%q is already the repository of fleet.services[%d]", r, repos[r]-1)
	}
	repos[s.Image.Repository] = i + 1
	switch t := s.Image.Tag; {
	case t == "":
		c.required(p+".image.tag", "is required", "set the tag CI pushed, e.g. `pulumi config set --path 'fleet.services["+strconv.Itoa(i)+"].image.tag' v1.4.2`")
	case t == "latest":
		c.forbidden(p+".image.tag", "latest is mutable and cannot be rolled back to", "use the immutable tag CI pushed (a version or git sha)")
	case !imageTagRe.MatchString(t):
		c.invalidf(p+".image.tag", t, "use letters, digits, _, . and -, at most 128 characters", "%q is not an image tag", t)
	}
}

func (s FleetService) validateSize(c *collector, p string) {
	switch _, ok := fargateMemory[s.CPU]; {
	case !ok:
		c.invalidf(p+".cpu", s.CPU, "use 256, 512, 1024, 2048, 4096, 8192 or 16384", "%d is not a Fargate CPU size", s.CPU)
	case !IsFargateSize(s.CPU, s.Memory):
		r := fargateMemory[s.CPU]
		valid := fmt.Sprintf("use %d..%d in steps of %d", r[0], r[1], r[2])
		if s.CPU == 256 {
			valid = "use 512, 1024 or 2048"
		}
		c.invalidf(p+".memory", s.Memory, valid, "%d MiB is not a Fargate memory size for %d CPU units", s.Memory, s.CPU)
	}
	fleetOneOf(c, p+".architecture", s.Architecture, "X86_64", "ARM64")
	switch {
	case s.Min < 1 || s.Min > 1000:
		c.invalidf(p+".min", s.Min, "use 1..1000 (the recovery stack scales to its standby itself)", "%d tasks is outside 1..1000", s.Min)
	case s.Max < s.Min || s.Max > 1000:
		c.invalidf(p+".max", s.Max, fmt.Sprintf("use %d..1000", s.Min), "max %d is below min %d or above 1000", s.Max, s.Min)
	case s.Desired < s.Min || s.Desired > s.Max:
		c.invalidf(p+".desired", s.Desired, fmt.Sprintf("use %d..%d or leave it out", s.Min, s.Max), "%d is outside min..max", s.Desired)
	}
	checkRange(c, p+".cpuTarget", s.CPUTarget, 1, 100, "percent")
	checkRange(c, p+".memoryTarget", s.MemoryTarget, 1, 100, "percent")
	if !strings.HasPrefix(s.HealthCheck.Path, "/") || len(s.HealthCheck.Path) > 1024 {
		c.invalidf(p+".healthCheck.path", s.HealthCheck.Path, "use an absolute path such as /health", "%q is not a health check path", s.HealthCheck.Path)
	}
	checkRange(c, p+".healthCheck.gracePeriodSeconds", s.HealthCheck.GracePeriodSeconds, 1, 3600, "seconds")
}

// validateEnv checks uses, calls, secrets and env together: every variable
// comes from exactly one place.
func (s FleetService) validateEnv(c *collector, p string, stores map[string][]string, secrets map[string]SecretItem, ports map[string]int) {
	for _, k := range sortedMapKeys(s.Env) {
		if strings.Contains(strings.ReplaceAll(s.Env[k], EnvRegionPlaceholder, ""), "${") {
			c.invalidf(p+".env."+k, s.Env[k], "use ${region} (the stack's Region) or a literal value: ECS passes the rest as is", "%q has a placeholder the fleet does not fill", s.Env[k])
		}
	}
	from := map[string]string{"AWS_REGION": "the fleet (always set)"}
	// PORT is the container port (the target group's, Service Connect's):
	// the fleet sets it, or the env repeats it, never a different value.
	if v, ok := s.Env[PortVariable]; !ok {
		from[PortVariable] = "the fleet (the service's port)"
	} else if v != strconv.Itoa(s.Port) {
		c.invalidf(p+".env."+PortVariable, v, fmt.Sprintf("remove it (the fleet sets PORT=%d, the service's port) or change %s.port", s.Port, p),
			"PORT %q is not the service's port %d, which the target group, health check and Service Connect use", v, s.Port)
	}
	claim := func(path, variable, source string) {
		if prev, dup := from[variable]; dup {
			c.invalidf(path, variable, "set each variable in one place only (derived, never typed twice)", "%s is already set by %s", variable, prev)
			return
		}
		from[variable] = source
	}
	for j, u := range s.ResolvedUses() {
		path := fmt.Sprintf("%s.uses[%d]", p, j)
		vars, ok := stores[u.Entry]
		if u.Kind == UseBus {
			c.invalid(path, u.Entry, "the bus is not a use: publishers declare their events", busUseHint)
			continue
		}
		if !ok {
			c.invalidf(path, u.Entry, "use one of "+strings.Join(sortedMapKeys(usesOf(stores)), ", ")+" (enable it under data, or declare the key under secrets.keys)", "%q is not a store this stack has", u.Entry)
		}
		for _, v := range vars {
			claim(path, v, "uses "+u.Entry)
		}
	}
	validatePublishes(c, p+".publishes", s.Publishes, stores[UseBus] != nil)
	if len(s.Publishes) > 0 {
		claim(p+".publishes", EventBusVariable, "publishes")
	}
	for j, callee := range s.Calls {
		path := fmt.Sprintf("%s.calls[%d]", p, j)
		if _, ok := ports[callee]; !ok || callee == s.Name {
			c.invalidf(path, callee, "name another service of fleet.services", "%q is not a service this one can call", callee)
			continue
		}
		claim(path, ServiceURLVariable(callee), "calls "+callee)
	}
	// data.ses.smtpCredentials: the program owns SMTP_USER and SMTP_PASS
	// (derived per Region); a copy typed elsewhere would be the other
	// Region's password after a failover.
	smtpOwned := func(path, variable, where string) bool {
		if stores[UseSESSMTP] == nil || (variable != SMTPUserVariable && variable != SMTPPassVariable) {
			return false
		}
		c.forbiddenf(path, fmt.Sprintf("remove it from %s (and from secrets.items) and add %s to %s.uses", where, UseSESSMTP, p),
			"%s is owned by the program (data.ses.smtpCredentials: SES SMTP credentials derived for this stack's Region)", variable)
		return true
	}
	for j, name := range s.Secrets {
		path := fmt.Sprintf("%s.secrets[%d]", p, j)
		if smtpOwned(path, name, p+".secrets") {
			continue
		}
		item, ok := secrets[name]
		if !ok {
			c.invalidf(path, name, "declare it under secrets.items (declared: "+strings.Join(sortedMapKeys(secrets), ", ")+")", "%q is not a declared secret", name)
		} else if len(item.Readers) > 0 && !fleetContains(item.Readers, s.Name+"-exec") {
			c.forbiddenf(path, fmt.Sprintf("add %s-exec (the role that injects it) to its readers, or remove it here", s.Name),
				"%s is single-reader (%s) and this service may not read it", name, strings.Join(item.Readers, ", "))
		}
		claim(path, name, "secrets")
	}
	for _, k := range sortedMapKeys(s.Env) {
		path := p + ".env." + k
		switch {
		case !envVarRe.MatchString(k):
			c.invalidf(path, k, "use upper-case letters, digits and underscores", "%q is not an environment variable name", k)
		case fleetContains(forbiddenEnv, k):
			c.forbiddenf(path, "remove it: the task role supplies credentials and production uses real AWS endpoints", "%s must never be set", k)
		case smtpOwned(path, k, p+".env"):
		default:
			claim(path, k, "env")
		}
	}
}

func (s FleetService) validateExpose(c *collector, p string, routes map[string]int, i int) {
	e := s.Expose
	switch n := len(e.Paths) + len(e.Hosts); {
	case !e.Public && n > 0:
		c.invalid(p+".expose", nil, "lists paths or hosts of a service that is not public", "set expose.public: true or remove them")
	case e.Public && n == 0:
		c.invalid(p+".expose", nil, "a public service needs a path or a host to route", "add expose.paths or expose.hosts")
	case n > MaxRuleValues:
		c.invalidf(p+".expose", n, fmt.Sprintf("use at most %d paths and hosts together (an ALB rule's limit)", MaxRuleValues), "%d paths and hosts", n)
	}
	for j, x := range e.Paths {
		if !rulePathRe.MatchString(x) {
			c.invalidf(fmt.Sprintf("%s.expose.paths[%d]", p, j), x, `start with "/" and use at most 128 URL characters, * and ?`, "%q is not an ALB path pattern", x)
		}
	}
	for j, h := range e.Hosts {
		if !ruleHostRe.MatchString(h) {
			c.invalidf(fmt.Sprintf("%s.expose.hosts[%d]", p, j), h, "use a lowercase host name such as api.example.com", "%q is not an ALB host pattern", h)
		}
	}
	if !e.Public || len(e.Paths)+len(e.Hosts) == 0 {
		return
	}
	// Each (host, path) a rule matches belongs to one service.
	hosts, paths := e.Hosts, e.Paths
	if len(hosts) == 0 {
		hosts = []string{"*"}
	}
	if len(paths) == 0 {
		paths = []string{"*"}
	}
	for _, h := range hosts {
		for j, x := range paths {
			key := h + " " + x
			if prev := routes[key]; prev > 0 && prev != i+1 {
				where, what := fmt.Sprintf("%s.expose.paths[%d]", p, j), "path "+x
				if x == "*" {
					where, what = p+".expose.hosts", "host "+h
				}
				c.invalidf(where, what, "route each path and host to one service", "%s is already routed to fleet.services[%d]", what, prev-1)
			}
			routes[key] = i + 1
		}
	}
}

func fleetOneOf(c *collector, path, got string, valid ...string) {
	if !fleetContains(valid, got) {
		c.invalidf(path, got, "use "+strings.Join(valid, " or "), "%q is not a valid value", got)
	}
}

func fleetContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// LoadFleet decodes, defaults and validates a `fleet` section on its own,
// as Load does within a stack: raw is the section's JSON, data and secrets
// the stack's defaulted sections.
func LoadFleet(project, domain, raw string, data Data, secrets Secrets) (Fleet, error) {
	var f Fleet
	c := &collector{ns: project}
	decodeTopLevel(c, "fleet", raw, reflect.ValueOf(&f).Elem())
	f.applyDefaults(project)
	v := &collector{ns: project}
	f.validate(v, domain, withKeys(data.UsableStores(), secrets.UsableKeys()), secrets.Items)
	c.merge(v)
	if len(c.errs) > 0 {
		return f, c.sorted()
	}
	return f, nil
}
