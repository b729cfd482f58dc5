package config

import (
	"fmt"
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
	// task definitions ready), warm (1 task per service) or active (the
	// primary's capacity: set during a failover, docs/dr.md "Fail over").
	// Ignored in the primary role. Absent: pilot.
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
	// Absent: ingress cloudfront, certificate *.<domain>.
	ALB FleetALB `json:"alb"`
	// ECR configures the image repositories. Absent: each keeps 30 images.
	ECR FleetECR `json:"ecr"`
	// EKS configures the EKS runtime (fleet_eks.go); ignored unless
	// runtime is eks. Absent: the defaults of its keys.
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
	//
	// cloudfront means the stack's frontend distribution, whose ALB origin
	// adds a secret header every listener rule requires, and a REGIONAL
	// web ACL on the ALB. A recovery stack has no frontend section: its
	// cloudfront ALB is the standby origin of the primary's distribution,
	// takes the primary's header value and gets the same REGIONAL web ACL.
	// That is only valid when the primary's ALB is itself behind its
	// frontend (ingress cloudfront and a frontend section); config cannot
	// see the primary's file, so a recovery run fails when the primary
	// exports no originVerify. With a drRegion (primary) or in a recovery
	// stack, CloudFront reaches the ALB as OriginHost, a failover record.
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
	// Image is the repository and tag the service runs. Required: its tag
	// is.
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
	// Absent: /health, with a 60-second grace period.
	HealthCheck FleetHealthCheck `json:"healthCheck"`
	// Env are plain variables. A variable a `uses` or `calls` entry sets,
	// or AWS_REGION, cannot be typed here, nor can AWS credentials or
	// AWS_ENDPOINT_URL. PORT is always set to Port (the container listens
	// where the target group sends): typed here it must equal Port. Absent: none.
	Env map[string]string `json:"env"`
	// Secrets names secrets.items entries injected under their own name.
	// Absent: none.
	Secrets []string `json:"secrets"`
	// Uses lists the stores and messaging the service uses: postgres,
	// redis, mongo, search, memcached, ses, ses:smtp (SMTP_USER and
	// SMTP_PASS, data.ses.smtpCredentials), bucket:<name>,
	// queue:<name>, key:<name> (an application key, secrets.keys). Each
	// sets its connection variables and grants. The bus
	// is not a use: see Publishes. Absent: none.
	Uses []string `json:"uses"`
	// Publishes are the events the service puts on the bus: it gets
	// EVENT_BUS_NAME and events:PutEvents limited to these sources and
	// detail types. Absent: none (no bus access).
	Publishes []BusPublication `json:"publishes"`
	// Calls names the services this one calls; each sets <NAME>_SERVICE_URL
	// and opens the callee's port to this service. Absent: none.
	Calls []string `json:"calls"`
	// Egress beyond the VPC endpoints, S3 and the stores: `internet` (TCP
	// 443 to 0.0.0.0/0) or `internet:<port>`. A service that publishes, uses ses
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
	// Monitor gives a public service alarms of its own, on its target
	// group, and external health checks (fleet_monitor.go). Absent: the
	// fleet-wide ALB alarms only.
	Monitor *FleetMonitor `json:"monitor"`
	// Build are the image build's inputs (fleet_monitor.go): the variables
	// a framework inlines at build time. Absent: no build arguments.
	Build *FleetBuild `json:"build"`
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
	// Absent: false (not reachable from the ALB).
	Public bool `json:"public"`
	// Paths are ALB path patterns ("/api/v1/listings/*"); Hosts are host
	// names. A request must match one path (if any) and one host (if any).
	// Absent: none. A public service needs at least one; at most 5 together.
	Paths []string `json:"paths"`
	Hosts []string `json:"hosts"`
}

// FleetMigrations is a one-off command run with the service's image, env and secrets.
type FleetMigrations struct {
	// Command, e.g. [python, manage.py, migrate]. Required.
	Command []string `json:"command"`
	// StatusCommand reports the schema's migration state without changing
	// it (Dhanam's guide: pnpm db:status). The point-in-time restore
	// runbook runs it against the restored instance before the switch.
	// Absent: that step only checks the instance is available.
	StatusCommand []string `json:"statusCommand"`
}

// Fleet values and defaults.
const (
	RuntimeECS          = "ecs"
	RuntimeEKS          = "eks"
	StandbyPilot        = "pilot"
	StandbyWarm         = "warm"
	StandbyActive       = "active"
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
	// EnvRegionPlaceholder in an env value is replaced by the stack's
	// Region (SMTP_HOST: email-smtp.${region}.amazonaws.com): the recovery
	// stack mirrors prod's env and still talks to its own Region.
	EnvRegionPlaceholder = "${region}"
	// PortVariable is the variable every service's container gets its port
	// in (the port the target group and Service Connect use).
	PortVariable = "PORT"
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

// OriginLabel is the label of the stack-independent name CloudFront
// reaches a DR pair's ALB by (OriginHost).
const OriginLabel = "origin"

// OriginHost is origin.<domain> when the fleet's ALB is a CloudFront origin
// that fails over by DNS: in a primary with a drRegion, a frontend and
// fleet.alb.ingress cloudfront (the PRIMARY record, health-checked), and
// in a recovery stack with ingress cloudfront (the SECONDARY record). The
// distribution's ALB origin is this name rather than one ALB's DNS name:
// CloudFront origin groups cannot serve POST/PUT/DELETE, so the app fails
// over in DNS. "" otherwise (DBay: its ALB is internal behind API Gateway).
func (cfg *Config) OriginHost() string {
	if cfg.Fleet == nil || cfg.Fleet.ALB.Ingress != IngressCloudFront {
		return ""
	}
	if (cfg.Role == RolePrimary && cfg.DRRegion != "" && cfg.Frontend != nil) || cfg.Role == RoleRecovery {
		return OriginLabel + "." + cfg.Domain
	}
	return ""
}

// Capacity is a service's min, max and first desired count in a role: the
// recovery stack runs 0 tasks (pilot) or 1 (warm) until it is made active.
func (s FleetService) Capacity(role Role, standby string) (lo, hi, desired int) {
	if role != RoleRecovery || standby == StandbyActive {
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

// InternetPorts are the TCP ports the service may open to 0.0.0.0/0:
// its `egress` entries, plus 443 when it needs AWS APIs reached through
// NAT (EventBridge for a publisher, ses, queues, ECS Exec).
func (f Fleet) InternetPorts(s FleetService) []int {
	ports := map[int]bool{}
	for _, e := range s.Egress {
		if p, ok := parseEgress(e); ok {
			ports[p] = true
		}
	}
	for _, u := range s.ResolvedUses() {
		if u.ViaNAT() {
			ports[443] = true
		}
	}
	if len(s.Publishes) > 0 {
		ports[443] = true
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
