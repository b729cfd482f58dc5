package config

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Fleet configures the ServiceFleet component: the stack's long-running
// services, their images, sizes, scaling, environment and exposure.
type Fleet struct {
	// Runtime is ecs (ECS Fargate) or eks. Absent: ecs.
	Runtime string `json:"runtime"`
	// Standby is the recovery stack's capacity: pilot (0 tasks, images and
	// task definitions ready) or warm (1 task per service). Ignored in the
	// primary role. Absent: pilot.
	Standby string `json:"standby"`
	// Spot is the FARGATE_SPOT weight next to FARGATE's weight 1 for tasks
	// above each service's minimum (the minimum always runs on FARGATE):
	// 0..1000. Absent: 0, no Spot.
	Spot int `json:"spot"`
	// LogRetentionDays of the service, ECS Exec and ALB access logs; a
	// CloudWatch Logs retention value. Absent: 90.
	LogRetentionDays int `json:"logRetentionDays"`
	// Exec turns ECS Exec on for every service whose root filesystem is
	// writable (the SSM agent cannot run on a read-only one). Absent: true.
	Exec *bool `json:"exec"`
	// ALB configures the load balancer in front of the public services.
	ALB FleetALB `json:"alb"`
	// ECR configures the image repositories.
	ECR FleetECR `json:"ecr"`
	// EKS configures the EKS runtime (fleet_eks.go); ignored unless
	// runtime is eks.
	EKS FleetEKS `json:"eks"`
	// Services in order: a service's listener rule priority is 10 × its
	// position (1-based). Required: at least one.
	Services []FleetService `json:"services"`
}

// FleetALB configures the application load balancer.
type FleetALB struct {
	// Ingress is who may connect to the ALB on 443 (and 80, which only
	// redirects): cloudfront (CloudFront's origin-facing prefix list),
	// vpclink (the security group of an API Gateway VPC link, created by the
	// fleet; the ALB is then internal) or public (0.0.0.0/0). Absent: cloudfront.
	Ingress string `json:"ingress"`
	// CertificateDomain is the HTTPS certificate's name, at or below the
	// stack's domain; the domain itself is always a second name.
	// Absent: *.<domain>.
	CertificateDomain string `json:"certificateDomain"`
}

// FleetECR configures the image repositories.
type FleetECR struct {
	// KeepLast is how many images each repository keeps (older ones
	// expire, and with them the task definitions that name them): 1..1000.
	// Absent: 30.
	KeepLast int `json:"keepLast"`
}

// FleetService is one long-running service.
type FleetService struct {
	// Name: 1-24 lowercase letters, digits and dashes, starting with a
	// letter. Other services reach it as http://<name>-service:<port>. Required.
	Name string `json:"name"`
	// Image is the repository and tag the service runs.
	Image FleetImage `json:"image"`
	// Port the container listens on: 1..65535. Absent: 8000.
	Port int `json:"port"`
	// CPU units and Memory (MiB) of a task: a Fargate size pair. Required.
	CPU    int `json:"cpu"`
	Memory int `json:"memory"`
	// Architecture is X86_64 or ARM64. Absent: X86_64.
	Architecture string `json:"architecture"`
	// Min and Max are the autoscaling bounds: 1 <= min <= max <= 1000. Required.
	Min int `json:"min"`
	Max int `json:"max"`
	// Desired is the task count of the first deployment, within min..max;
	// autoscaling owns it afterwards. Absent: min.
	Desired int `json:"desired"`
	// CPUTarget and MemoryTarget are the target-tracking utilisation
	// percentages: 1..100. Absent: 70 and 80.
	CPUTarget    int `json:"cpuTarget"`
	MemoryTarget int `json:"memoryTarget"`
	// HealthCheck is the ALB target health check of a public service.
	HealthCheck FleetHealthCheck `json:"healthCheck"`
	// Env are plain variables. A variable a `uses` or `calls` entry sets,
	// or AWS_REGION, cannot be typed here, nor can AWS credentials or
	// AWS_ENDPOINT_URL. Absent: none.
	Env map[string]string `json:"env"`
	// Secrets names secrets.items entries injected under their own name.
	// Absent: none.
	Secrets []string `json:"secrets"`
	// Uses lists the stores and messaging the service uses: postgres,
	// redis, mongo, search, memcached, bus, ses, bucket:<name>,
	// queue:<name>. Each sets its connection variables and grants. Absent: none.
	Uses []string `json:"uses"`
	// Calls names the services this one calls; each sets <NAME>_SERVICE_URL
	// and opens the callee's port to this service. Absent: none.
	Calls []string `json:"calls"`
	// Egress beyond the VPC endpoints, S3 and the stores: `internet` (TCP
	// 443 to 0.0.0.0/0) or `internet:<port>`. A service that uses bus, ses
	// or a queue, or has ECS Exec, gets 443 anyway (those AWS APIs have no
	// VPC endpoint in the Network). Absent: none.
	Egress []string `json:"egress"`
	// Expose makes the service reachable through the ALB. Absent: internal only.
	Expose FleetExpose `json:"expose"`
	// ReadOnlyRootFilesystem: the container gets a writable /tmp only. Absent: true.
	ReadOnlyRootFilesystem *bool `json:"readOnlyRootFilesystem"`
	// User the container runs as (uid[:gid] or name[:group]); "" keeps the
	// image's USER. Never root. Absent: 1000:1000.
	User *string `json:"user"`
	// Migrations, when set, get a one-off task definition and run command.
	// Absent: none.
	Migrations *FleetMigrations `json:"migrations"`
}

// FleetImage is a container image in the fleet's ECR repository.
type FleetImage struct {
	// Repository name in ECR. Absent: <project>/<service name>.
	Repository string `json:"repository"`
	// Tag is the immutable tag CI pushed (a release, a git sha). Required; never latest.
	Tag string `json:"tag"`
}

// FleetHealthCheck is the ALB health check.
type FleetHealthCheck struct {
	// Path answering 2xx/3xx when healthy. Absent: /health.
	Path string `json:"path"`
	// GracePeriodSeconds ECS ignores failing checks after a task starts: 1..3600. Absent: 60.
	GracePeriodSeconds int `json:"gracePeriodSeconds"`
}

// FleetExpose is how a service is reached from outside the fleet.
type FleetExpose struct {
	// Public routes matching requests from the ALB's HTTPS listener here.
	Public bool `json:"public"`
	// Paths are ALB path patterns ("/api/v1/listings/*"); Hosts are host
	// names. A request must match one path (if any) and one host (if any).
	// A public service needs at least one; at most 5 together.
	Paths []string `json:"paths"`
	Hosts []string `json:"hosts"`
}

// FleetMigrations is a one-off command run with the service's image, env and secrets.
type FleetMigrations struct {
	// Command, e.g. [python, manage.py, migrate]. Required.
	Command []string `json:"command"`
}

// Fleet values and defaults.
const (
	RuntimeECS          = "ecs"
	RuntimeEKS          = "eks"
	StandbyPilot        = "pilot"
	StandbyWarm         = "warm"
	IngressCloudFront   = "cloudfront"
	IngressVPCLink      = "vpclink"
	IngressPublic       = "public"
	DefaultFleetLogDays = 90
	DefaultKeepLast     = 30
	DefaultServicePort  = 8000
	DefaultCPUTarget    = 70 // Dhanam "Application Optimization"
	DefaultMemoryTarget = 80
	DefaultHealthPath   = "/health" // Dhanam "Health Checks"
	DefaultGraceSeconds = 60
	DefaultUser         = "1000:1000"
	// MaxRuleValues is the ALB's limit of condition values in one rule.
	MaxRuleValues = 5
)

// fargateMemory is the Fargate task size table: CPU units -> memory range and step (MiB).
var fargateMemory = map[int][3]int{
	256: {512, 2048, 0}, 512: {1024, 4096, 1024}, 1024: {2048, 8192, 1024}, 2048: {4096, 16384, 1024},
	4096: {8192, 30720, 1024}, 8192: {16384, 61440, 4096}, 16384: {32768, 122880, 8192},
}

// IsFargateSize reports whether cpu/memory is a Fargate task size.
func IsFargateSize(cpu, memory int) bool {
	r, ok := fargateMemory[cpu]
	switch {
	case !ok:
		return false
	case cpu == 256:
		return memory == 512 || memory == 1024 || memory == 2048
	default:
		return memory >= r[0] && memory <= r[1] && (memory-r[0])%r[2] == 0
	}
}

func (f *Fleet) applyDefaults(project string) {
	def(&f.Runtime, RuntimeECS)
	def(&f.Standby, StandbyPilot)
	defInt(&f.LogRetentionDays, DefaultFleetLogDays)
	defBool(&f.Exec, true)
	def(&f.ALB.Ingress, IngressCloudFront)
	defInt(&f.ECR.KeepLast, DefaultKeepLast)
	for i := range f.Services {
		s := &f.Services[i]
		def(&s.Image.Repository, project+"/"+s.Name)
		defInt(&s.Port, DefaultServicePort)
		def(&s.Architecture, "X86_64")
		defInt(&s.Desired, s.Min)
		defInt(&s.CPUTarget, DefaultCPUTarget)
		defInt(&s.MemoryTarget, DefaultMemoryTarget)
		def(&s.HealthCheck.Path, DefaultHealthPath)
		defInt(&s.HealthCheck.GracePeriodSeconds, DefaultGraceSeconds)
		defBool(&s.ReadOnlyRootFilesystem, true)
		if s.User == nil {
			u := DefaultUser
			s.User = &u
		}
	}
	if f.Runtime == RuntimeEKS {
		f.EKS.applyDefaults(project, f.Services)
	}
}

// WithDefaults applies the section's defaults, as Load does.
func (f *Fleet) WithDefaults(project string) { f.applyDefaults(project) }

// CertificateDomains are the names of the ALB certificate: the configured
// (or default wildcard) name, then the domain.
func (f Fleet) CertificateDomains(domain string) []string {
	name := f.ALB.CertificateDomain
	if name == "" {
		name = "*." + domain
	}
	if name == domain {
		return []string{domain}
	}
	return []string{name, domain}
}

// Capacity is a service's min, max and first desired count in a role: the
// recovery stack runs 0 tasks (pilot) or 1 (warm) until it is promoted.
func (s FleetService) Capacity(role Role, standby string) (lo, hi, desired int) {
	if role != RoleRecovery {
		return s.Min, s.Max, s.Desired
	}
	if standby == StandbyWarm {
		return 1, s.Max, 1
	}
	return 0, s.Max, 0
}

// ExecEnabled reports whether ECS Exec is on for the service.
func (f Fleet) ExecEnabled(s FleetService) bool {
	return (f.Exec == nil || *f.Exec) && s.ReadOnlyRootFilesystem != nil && !*s.ReadOnlyRootFilesystem
}

// ServiceAlias is the Service Connect name other services call: <name>-service.
func ServiceAlias(name string) string { return name + "-service" }

// ServiceURL is the internal URL of a service: http://<name>-service:<port>.
func ServiceURL(name string, port int) string {
	return fmt.Sprintf("http://%s:%d", ServiceAlias(name), port)
}

// ServiceURLVariable is the variable a caller reads a service's URL from:
// search-gateway -> SEARCH_GATEWAY_SERVICE_URL.
func ServiceURLVariable(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_SERVICE_URL"
}

// Use kinds (ParseUse).
const (
	UseStore  = "store"
	UseBucket = "bucket"
	UseQueue  = "queue"
	UseBus    = "bus"
	UseSES    = "ses"
)

// ParseUse splits a `uses` entry into its kind and name: "bucket:x" ->
// (bucket, x), "postgres" -> (store, postgres), "bus" -> (bus, "").
func ParseUse(u string) (kind, name string) {
	if k, n, ok := strings.Cut(u, ":"); ok {
		return k, n
	}
	switch u {
	case UseBus, UseSES:
		return u, ""
	}
	return UseStore, u
}

// InternetPorts are the TCP ports the service may open to 0.0.0.0/0:
// its `egress` entries, plus 443 when it needs AWS APIs reached through
// NAT (bus, ses, queues, ECS Exec).
func (f Fleet) InternetPorts(s FleetService) []int {
	ports := map[int]bool{}
	for _, e := range s.Egress {
		if p, ok := parseEgress(e); ok {
			ports[p] = true
		}
	}
	for _, u := range s.Uses {
		if k, _ := ParseUse(u); k == UseBus || k == UseSES || k == UseQueue {
			ports[443] = true
		}
	}
	if f.ExecEnabled(s) {
		ports[443] = true
	}
	out := make([]int, 0, len(ports))
	for p := range ports {
		out = append(out, p)
	}
	sort.Ints(out)
	return out
}

func parseEgress(e string) (int, bool) {
	if e == "internet" {
		return 443, true
	}
	p, err := strconv.Atoi(strings.TrimPrefix(e, "internet:"))
	if !strings.HasPrefix(e, "internet:") || err != nil || p < 1 || p > 65535 {
		return 0, false
	}
	return p, true
}

// UsableStores maps every `uses` entry the data section enables to the
// variables it sets (the DataLayer's connection variables).
func (d Data) UsableStores() map[string][]string {
	m := map[string][]string{}
	if d.Postgres != nil {
		m["postgres"] = []string{"DATABASE_URL", "PGPASSWORD"}
	}
	if d.Redis != nil {
		m["redis"] = []string{"REDIS_URL"}
	}
	if d.DocumentDB != nil {
		m["mongo"] = []string{"MONGO_URI", "MONGO_USERNAME", "MONGO_PASSWORD"}
	}
	if d.OpenSearch != nil {
		m["search"] = []string{"ELASTICSEARCH_URL"}
	}
	if d.Memcached != nil {
		m["memcached"] = []string{"MEMCACHED_URL"}
	}
	if d.Bus != nil {
		m["bus"] = []string{"EVENT_BUS_NAME"}
	}
	if d.SES != nil {
		m["ses"] = []string{"SES_FROM_EMAIL"}
	}
	for n, b := range d.Buckets {
		v := b.EnvVar
		if v == "" {
			v = DefaultBucketEnvVar
		}
		m["bucket:"+n] = []string{v}
	}
	for n := range d.Queues {
		m["queue:"+n] = []string{"SQS_QUEUE_URL"}
	}
	return m
}

// ServiceNames are the fleet's service names; empty for a stack without a
// fleet. Other sections (serverless `calls`) check their references with it.
func (f *Fleet) ServiceNames() map[string]bool {
	out := map[string]bool{}
	if f == nil {
		return out
	}
	for _, s := range f.Services {
		out[s.Name] = true
	}
	return out
}

// principals are the grantee names the fleet's roles use: <service> for a
// task role, <service>-exec for the execution role that injects secrets
// (a single-reader secret a service receives lists <service>-exec).
func (f Fleet) principals() []string {
	var out []string
	for _, s := range f.Services {
		out = append(out, s.Name, s.Name+"-exec")
	}
	return append(out, f.eksPrincipals()...)
}

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
	fleetOneOf(c, "fleet.standby", f.Standby, StandbyPilot, StandbyWarm)
	checkRange(c, "fleet.spot", f.Spot, 0, 1000, "(FARGATE_SPOT weight)")
	if !IsLogRetention(f.LogRetentionDays) {
		c.addf("fleet.logRetentionDays", fmt.Sprintf("use one of %v", logRetentionDays), "%d days is not a CloudWatch Logs retention", f.LogRetentionDays)
	}
	fleetOneOf(c, "fleet.alb.ingress", f.ALB.Ingress, IngressCloudFront, IngressVPCLink, IngressPublic)
	if d := strings.TrimPrefix(f.ALB.CertificateDomain, "*."); f.ALB.CertificateDomain != "" && d != domain && !strings.HasSuffix(d, "."+domain) {
		c.addf("fleet.alb.certificateDomain", "use a name at or below "+domain+", e.g. *."+domain, "%q is not in the stack's domain", f.ALB.CertificateDomain)
	}
	checkRange(c, "fleet.ecr.keepLast", f.ECR.KeepLast, 1, 1000, "images")
	if len(f.Services) == 0 {
		c.add("fleet.services", "is required", "list at least one service")
	}
	ports := map[string]int{}
	for _, s := range f.Services {
		ports[s.Name] = s.Port
	}
	seen, repos, routes := map[string]int{}, map[string]int{}, map[string]int{}
	for i, s := range f.Services {
		p := fmt.Sprintf("fleet.services[%d]", i)
		switch {
		case !serviceNameRe.MatchString(s.Name):
			c.addf(p+".name", "use 1-24 lowercase letters, digits and dashes, starting with a letter", "%q is not a valid service name", s.Name)
		case seen[s.Name] > 0:
			c.addf(p+".name", "give each service its own name", "%q is already fleet.services[%d]", s.Name, seen[s.Name]-1)
		}
		seen[s.Name] = i + 1
		s.validateImage(c, p, repos, i)
		checkRange(c, p+".port", s.Port, 1, 65535, "(TCP port)")
		s.validateSize(c, p)
		s.validateEnv(c, p, stores, secrets, ports)
		for j, e := range s.Egress {
			if _, ok := parseEgress(e); !ok {
				c.addf(fmt.Sprintf("%s.egress[%d]", p, j), "use internet (TCP 443) or internet:<port> with a port in 1..65535", "%q is not an egress entry", e)
			}
		}
		s.validateExpose(c, p, routes, i)
		if u := s.User; u != nil && *u != "" && (!userRe.MatchString(*u) || strings.Split(*u, ":")[0] == "root" || strings.Split(*u, ":")[0] == "0") {
			c.addf(p+".user", `use a non-root uid[:gid] such as 1000:1000, or "" for the image's USER`, "%q is not a non-root user", *u)
		}
		if s.Migrations != nil && len(s.Migrations.Command) == 0 {
			c.add(p+".migrations.command", "is required", "give the command, e.g. [python, manage.py, migrate]")
		}
	}
	if f.Runtime == RuntimeEKS {
		f.EKS.validate(c, f.Services, secrets)
	}
}

func (s FleetService) validateImage(c *collector, p string, repos map[string]int, i int) {
	switch r := s.Image.Repository; {
	case len(r) < 2 || len(r) > 256 || !repositoryRe.MatchString(r):
		c.addf(p+".image.repository", "use lowercase path segments such as dbay/listing-service", "%q is not an ECR repository name", r)
	case repos[r] > 0:
		c.addf(p+".image.repository", "give each service its own repository", "%q is already the repository of fleet.services[%d]", r, repos[r]-1)
	}
	repos[s.Image.Repository] = i + 1
	switch t := s.Image.Tag; {
	case t == "":
		c.add(p+".image.tag", "is required", "set the tag CI pushed, e.g. `pulumi config set --path 'fleet.services["+strconv.Itoa(i)+"].image.tag' v1.4.2`")
	case t == "latest":
		c.add(p+".image.tag", "latest is mutable and cannot be rolled back to", "use the immutable tag CI pushed (a version or git sha)")
	case !imageTagRe.MatchString(t):
		c.addf(p+".image.tag", "use letters, digits, _, . and -, at most 128 characters", "%q is not an image tag", t)
	}
}

func (s FleetService) validateSize(c *collector, p string) {
	switch _, ok := fargateMemory[s.CPU]; {
	case !ok:
		c.addf(p+".cpu", "use 256, 512, 1024, 2048, 4096, 8192 or 16384", "%d is not a Fargate CPU size", s.CPU)
	case !IsFargateSize(s.CPU, s.Memory):
		r := fargateMemory[s.CPU]
		valid := fmt.Sprintf("use %d..%d in steps of %d", r[0], r[1], r[2])
		if s.CPU == 256 {
			valid = "use 512, 1024 or 2048"
		}
		c.addf(p+".memory", valid, "%d MiB is not a Fargate memory size for %d CPU units", s.Memory, s.CPU)
	}
	fleetOneOf(c, p+".architecture", s.Architecture, "X86_64", "ARM64")
	switch {
	case s.Min < 1 || s.Min > 1000:
		c.addf(p+".min", "use 1..1000 (the recovery stack scales to its standby itself)", "%d tasks is outside 1..1000", s.Min)
	case s.Max < s.Min || s.Max > 1000:
		c.addf(p+".max", fmt.Sprintf("use %d..1000", s.Min), "max %d is below min %d or above 1000", s.Max, s.Min)
	case s.Desired < s.Min || s.Desired > s.Max:
		c.addf(p+".desired", fmt.Sprintf("use %d..%d or leave it out", s.Min, s.Max), "%d is outside min..max", s.Desired)
	}
	checkRange(c, p+".cpuTarget", s.CPUTarget, 1, 100, "percent")
	checkRange(c, p+".memoryTarget", s.MemoryTarget, 1, 100, "percent")
	if !strings.HasPrefix(s.HealthCheck.Path, "/") || len(s.HealthCheck.Path) > 1024 {
		c.addf(p+".healthCheck.path", "use an absolute path such as /health", "%q is not a health check path", s.HealthCheck.Path)
	}
	checkRange(c, p+".healthCheck.gracePeriodSeconds", s.HealthCheck.GracePeriodSeconds, 1, 3600, "seconds")
}

// validateEnv checks uses, calls, secrets and env together: every variable
// comes from exactly one place.
func (s FleetService) validateEnv(c *collector, p string, stores map[string][]string, secrets map[string]SecretItem, ports map[string]int) {
	from := map[string]string{"AWS_REGION": "the fleet (always set)"}
	claim := func(path, variable, source string) {
		if prev, dup := from[variable]; dup {
			c.addf(path, "set each variable in one place only (derived, never typed twice)", "%s is already set by %s", variable, prev)
			return
		}
		from[variable] = source
	}
	for j, u := range s.Uses {
		path := fmt.Sprintf("%s.uses[%d]", p, j)
		vars, ok := stores[u]
		if !ok {
			c.addf(path, "use one of "+strings.Join(sortedMapKeys(stores), ", ")+" (enable it under data)", "%q is not a store this stack has", u)
		}
		for _, v := range vars {
			claim(path, v, "uses "+u)
		}
	}
	for j, callee := range s.Calls {
		path := fmt.Sprintf("%s.calls[%d]", p, j)
		if _, ok := ports[callee]; !ok || callee == s.Name {
			c.addf(path, "name another service of fleet.services", "%q is not a service this one can call", callee)
			continue
		}
		claim(path, ServiceURLVariable(callee), "calls "+callee)
	}
	for j, name := range s.Secrets {
		path := fmt.Sprintf("%s.secrets[%d]", p, j)
		item, ok := secrets[name]
		if !ok {
			c.addf(path, "declare it under secrets.items (declared: "+strings.Join(sortedMapKeys(secrets), ", ")+")", "%q is not a declared secret", name)
		} else if len(item.Readers) > 0 && !fleetContains(item.Readers, s.Name+"-exec") {
			c.addf(path, fmt.Sprintf("add %s-exec (the role that injects it) to its readers, or remove it here", s.Name),
				"%s is single-reader (%s) and this service may not read it", name, strings.Join(item.Readers, ", "))
		}
		claim(path, name, "secrets")
	}
	for _, k := range sortedMapKeys(s.Env) {
		path := p + ".env." + k
		switch {
		case !envVarRe.MatchString(k):
			c.addf(path, "use upper-case letters, digits and underscores", "%q is not an environment variable name", k)
		case fleetContains(forbiddenEnv, k):
			c.addf(path, "remove it: the task role supplies credentials and production uses real AWS endpoints", "%s must never be set", k)
		default:
			claim(path, k, "env")
		}
	}
}

func (s FleetService) validateExpose(c *collector, p string, routes map[string]int, i int) {
	e := s.Expose
	switch n := len(e.Paths) + len(e.Hosts); {
	case !e.Public && n > 0:
		c.add(p+".expose", "lists paths or hosts of a service that is not public", "set expose.public: true or remove them")
	case e.Public && n == 0:
		c.add(p+".expose", "a public service needs a path or a host to route", "add expose.paths or expose.hosts")
	case n > MaxRuleValues:
		c.addf(p+".expose", fmt.Sprintf("use at most %d paths and hosts together (an ALB rule's limit)", MaxRuleValues), "%d paths and hosts", n)
	}
	for j, x := range e.Paths {
		if !rulePathRe.MatchString(x) {
			c.addf(fmt.Sprintf("%s.expose.paths[%d]", p, j), `start with "/" and use at most 128 URL characters, * and ?`, "%q is not an ALB path pattern", x)
		}
	}
	for j, h := range e.Hosts {
		if !ruleHostRe.MatchString(h) {
			c.addf(fmt.Sprintf("%s.expose.hosts[%d]", p, j), "use a lowercase host name such as api.example.com", "%q is not an ALB host pattern", h)
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
				c.addf(where, "route each path and host to one service", "%s is already routed to fleet.services[%d]", what, prev-1)
			}
			routes[key] = i + 1
		}
	}
}

func fleetOneOf(c *collector, path, got string, valid ...string) {
	if !fleetContains(valid, got) {
		c.addf(path, "use "+strings.Join(valid, " or "), "%q is not a valid value", got)
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
	f.validate(v, domain, data.UsableStores(), secrets.Items)
	c.merge(v)
	if len(c.errs) > 0 {
		return f, c.sorted()
	}
	return f, nil
}
