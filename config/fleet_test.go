package config

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// fleetData is a data section with every kind of store DBay uses.
func fleetData() Data {
	return Data{
		Postgres: &Postgres{}, Redis: &Redis{}, DocumentDB: &DocumentDB{}, OpenSearch: &OpenSearch{}, Memcached: &Memcached{},
		Buckets: map[string]Bucket{"listing-images": {EnvVar: "AWS_S3_BUCKET_NAME"}, "avatars": {}},
		Bus:     &Bus{Name: "dbay-events"},
		Queues:  map[string]Queue{"notifications": {}, "orders": {}},
		SES:     &SES{},
	}
}

func fleetSecrets() map[string]SecretItem {
	return map[string]SecretItem{
		"DJANGO_SECRET_KEY":   {Source: SourceGenerated},
		"WALLET_MASTER_XPUB":  {Source: SourceExternal},
		"WALLET_MASTER_XPRIV": {Source: SourceExternal, Readers: []string{"build-and-sign-tx"}},
		"HOT_KEY":             {Source: SourceExternal, Readers: []string{"wallet-exec"}},
	}
}

// validFleet is a small fleet exercising uses, calls, secrets, exposure and migrations.
const validFleet = `{
	"alb": {"ingress": "vpclink"},
	"services": [
		{"name": "listing", "image": {"tag": "v1"}, "cpu": 512, "memory": 1024, "min": 2, "max": 10,
		 "uses": ["postgres", "redis", "search", "bucket:listing-images"], "publishes": [{"source": "dbay.listings"}], "secrets": ["DJANGO_SECRET_KEY"],
		 "expose": {"public": true, "paths": ["/api/v1/listings/*"]}, "migrations": {"command": ["python", "manage.py", "migrate"]}},
		{"name": "wallet", "image": {"repository": "dbay/wallet-service", "tag": "v1"}, "cpu": 256, "memory": 512, "min": 2, "max": 4,
		 "uses": ["postgres"], "publishes": [{"source": "dbay.wallet", "detailTypes": ["withdrawal.requested"]}], "secrets": ["WALLET_MASTER_XPUB", "HOT_KEY"], "egress": ["internet"],
		 "expose": {"public": true, "paths": ["/api/v1/wallet/*"]}},
		{"name": "search-gateway", "port": 5000, "image": {"tag": "v1"}, "cpu": 1024, "memory": 3072, "min": 1, "max": 3,
		 "uses": ["search", "memcached"], "calls": ["listing"], "env": {"LOG_LEVEL": "info"}}
	]
}`

func fleetErrors(t *testing.T, raw string) Errors {
	t.Helper()
	_, err := LoadFleet("dbay", "dbay.example.com", raw, fleetData(), Secrets{Items: fleetSecrets()})
	if err == nil {
		return nil
	}
	errs, ok := AsErrors(err)
	if !ok {
		t.Fatalf("not config errors: %v", err)
	}
	return errs
}

// withService rewrites one service of validFleet.
func withService(t *testing.T, i int, edit func(s map[string]any)) string {
	t.Helper()
	var f map[string]any
	if err := json.Unmarshal([]byte(validFleet), &f); err != nil {
		t.Fatal(err)
	}
	edit(f["services"].([]any)[i].(map[string]any))
	b, _ := json.Marshal(f)
	return string(b)
}

func TestFleetDefaults(t *testing.T) {
	t.Parallel()
	f, err := LoadFleet("dbay", "dbay.example.com", validFleet, fleetData(), Secrets{Items: fleetSecrets()})
	if err != nil {
		t.Fatal(err)
	}
	if f.Runtime != RuntimeECS || f.Standby != StandbyPilot || f.LogRetentionDays != 90 || !*f.Exec || f.ECR.KeepLast != 30 || f.Spot != 0 {
		t.Errorf("fleet defaults = %+v", f)
	}
	s := f.Services[0]
	want := FleetService{
		Name: "listing", Image: FleetImage{Repository: "dbay/listing", Tag: "v1"}, Port: 8000, CPU: 512, Memory: 1024,
		Architecture: "X86_64", Min: 2, Max: 10, Desired: 2, CPUTarget: 70, MemoryTarget: 80,
		HealthCheck: FleetHealthCheck{Path: "/health", GracePeriodSeconds: 60},
		Secrets:     []string{"DJANGO_SECRET_KEY"}, Uses: []string{"postgres", "redis", "search", "bucket:listing-images"},
		Publishes:  []BusPublication{{Source: "dbay.listings"}},
		Expose:     FleetExpose{Public: true, Paths: []string{"/api/v1/listings/*"}},
		Migrations: &FleetMigrations{Command: []string{"python", "manage.py", "migrate"}},
	}
	ro, user := true, "1000:1000"
	want.ReadOnlyRootFilesystem, want.User = &ro, &user
	if !reflect.DeepEqual(s, want) {
		t.Errorf("service defaults\n got %+v\nwant %+v", s, want)
	}
	if f.Services[1].Image.Repository != "dbay/wallet-service" {
		t.Errorf("an explicit repository was overridden: %s", f.Services[1].Image.Repository)
	}
	if got := f.CertificateDomains("dbay.example.com"); !reflect.DeepEqual(got, []string{"*.dbay.example.com", "dbay.example.com"}) {
		t.Errorf("certificate names = %v", got)
	}
	f.ALB.CertificateDomain = "dbay.example.com"
	if got := f.CertificateDomains("dbay.example.com"); !reflect.DeepEqual(got, []string{"dbay.example.com"}) {
		t.Errorf("apex-only certificate names = %v", got)
	}
	if names := f.ServiceNames(); len(names) != 3 || !names["search-gateway"] || len((*Fleet)(nil).ServiceNames()) != 0 {
		t.Errorf("ServiceNames = %v", names)
	}
	got := f.principals()
	sort.Strings(got)
	if want := []string{"listing", "listing-exec", "search-gateway", "search-gateway-exec", "wallet", "wallet-exec"}; !reflect.DeepEqual(got, want) {
		t.Errorf("principals = %v, want %v", got, want)
	}
}

func TestFargateSizes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cpu, memory int
		ok          bool
	}{
		{256, 512, true}, {256, 1024, true}, {256, 2048, true}, {256, 1536, false}, {256, 3072, false},
		{512, 1024, true}, {512, 4096, true}, {512, 512, false}, {512, 5120, false}, {512, 1536, false},
		{1024, 2048, true}, {1024, 8192, true}, {1024, 1024, false}, {1024, 9216, false},
		{2048, 4096, true}, {2048, 16384, true}, {2048, 17408, false},
		{4096, 8192, true}, {4096, 30720, true}, {4096, 31744, false},
		{8192, 16384, true}, {8192, 20480, true}, {8192, 61440, true}, {8192, 17408, false},
		{16384, 32768, true}, {16384, 40960, true}, {16384, 122880, true}, {16384, 36864, false},
		{300, 512, false}, {0, 0, false},
	}
	for _, tt := range tests {
		if got := IsFargateSize(tt.cpu, tt.memory); got != tt.ok {
			t.Errorf("IsFargateSize(%d, %d) = %v, want %v", tt.cpu, tt.memory, got, tt.ok)
		}
	}
}

// Each row breaks one rule of the "Bad input" list (or the section's
// own) and names the key path the error must carry.
func TestFleetRules(t *testing.T) {
	t.Parallel()
	set := func(i int, k string, v any) func(*testing.T) string {
		return func(t *testing.T) string { return withService(t, i, func(s map[string]any) { s[k] = v }) }
	}
	top := func(raw string) func(*testing.T) string { return func(*testing.T) string { return raw } }
	tests := []struct {
		name string
		raw  func(*testing.T) string
		want string // path and a word of the problem
	}{
		{"valid", top(validFleet), ""},
		{"cpu not fargate", set(0, "cpu", 300), "fleet.services[0].cpu: 300 is not a Fargate CPU size"},
		{"memory outside the pair", set(0, "memory", 5120), "fleet.services[0].memory: 5120 MiB is not a Fargate memory size for 512"},
		{"min above max", set(0, "min", 12), "fleet.services[0].max: max 10 is below min 12"},
		{"min zero", set(0, "min", -1), "fleet.services[0].min"},
		{"desired outside", set(0, "desired", 11), "fleet.services[0].desired: 11 is outside"},
		{"duplicate name", set(1, "name", "listing"), `fleet.services[1].name: "listing" is already fleet.services[0]`},
		{"bus as a use", set(1, "uses", []any{"postgres", "bus"}), "fleet.services[1].uses[1]: the bus is not a use: publishers declare their events"},
		{"published from aws.*", set(1, "publishes", []any{map[string]any{"source": "aws.s3"}}), `fleet.services[1].publishes[0].source: "aws.s3" is not an event source`},
		{"bus name typed by hand", set(1, "env", map[string]any{"EVENT_BUS_NAME": "x"}), "fleet.services[1].env.EVENT_BUS_NAME: EVENT_BUS_NAME is already set by publishes"},
		{"duplicate path", func(t *testing.T) string {
			return withService(t, 1, func(s map[string]any) {
				s["expose"] = map[string]any{"public": true, "paths": []any{"/api/v1/listings/*"}}
			})
		}, "fleet.services[1].expose.paths[0]: path /api/v1/listings/* is already routed to fleet.services[0]"},
		{"same path on different hosts", func(t *testing.T) string {
			raw := withService(t, 0, func(s map[string]any) {
				s["expose"] = map[string]any{"public": true, "hosts": []any{"a.dbay.example.com"}, "paths": []any{"/p/*"}}
			})
			var f map[string]any
			_ = json.Unmarshal([]byte(raw), &f)
			f["services"].([]any)[1].(map[string]any)["expose"] = map[string]any{"public": true, "hosts": []any{"b.dbay.example.com"}, "paths": []any{"/p/*"}}
			b, _ := json.Marshal(f)
			return string(b)
		}, ""},
		{"duplicate host", func(t *testing.T) string {
			raw := withService(t, 0, func(s map[string]any) {
				s["expose"] = map[string]any{"public": true, "hosts": []any{"api.dbay.example.com"}}
			})
			var f map[string]any
			_ = json.Unmarshal([]byte(raw), &f)
			f["services"].([]any)[1].(map[string]any)["expose"] = map[string]any{"public": true, "hosts": []any{"api.dbay.example.com"}}
			b, _ := json.Marshal(f)
			return string(b)
		}, "fleet.services[1].expose.hosts: host api.dbay.example.com is already routed to fleet.services[0]"},
		{"store not enabled", set(0, "uses", []any{"postgres", "queue:missing"}), `fleet.services[0].uses[1]: "queue:missing" is not a store this stack has`},
		{"unknown store kind", set(0, "uses", []any{"mysql"}), `fleet.services[0].uses[0]: "mysql" is not a store`},
		{"call unknown service", set(2, "calls", []any{"ledger"}), `fleet.services[2].calls[0]: "ledger" is not a service`},
		{"call itself", set(2, "calls", []any{"search-gateway"}), `fleet.services[2].calls[0]: "search-gateway" is not a service`},
		{"port too high", set(2, "port", 70000), "fleet.services[2].port: 70000"},
		{"port zero", set(2, "port", -5), "fleet.services[2].port: -5"},
		{"tag latest", set(0, "image", map[string]any{"tag": "latest"}), "fleet.services[0].image.tag: latest is mutable"},
		{"tag missing", set(0, "image", map[string]any{}), "fleet.services[0].image.tag: is required"},
		{"bad repository", set(0, "image", map[string]any{"repository": "Dbay/Listing", "tag": "v1"}), "fleet.services[0].image.repository"},
		{"shared repository", set(1, "image", map[string]any{"repository": "dbay/listing", "tag": "v1"}), "fleet.services[1].image.repository"},
		{"derived variable typed", set(0, "env", map[string]any{"REDIS_URL": "redis://x"}), "fleet.services[0].env.REDIS_URL: REDIS_URL is already set by uses redis"},
		{"service url typed", set(2, "env", map[string]any{"LISTING_SERVICE_URL": "http://x"}), "fleet.services[2].env.LISTING_SERVICE_URL: LISTING_SERVICE_URL is already set by calls listing"},
		{"region typed", set(2, "env", map[string]any{"AWS_REGION": "us-east-1"}), "fleet.services[2].env.AWS_REGION"},
		{"endpoint url", set(2, "env", map[string]any{"AWS_ENDPOINT_URL": "http://localstack:4566"}), "fleet.services[2].env.AWS_ENDPOINT_URL: AWS_ENDPOINT_URL must never be set"},
		{"access key", set(2, "env", map[string]any{"AWS_ACCESS_KEY_ID": "AKIA"}), "fleet.services[2].env.AWS_ACCESS_KEY_ID"},
		{"secret also env", set(1, "env", map[string]any{"HOT_KEY": "x"}), "fleet.services[1].env.HOT_KEY: HOT_KEY is already set by secrets"},
		{"secret and store variable", set(0, "secrets", []any{"DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY"}), "fleet.services[0].secrets[1]"},
		{"undeclared secret", set(0, "secrets", []any{"NOPE"}), `fleet.services[0].secrets[0]: "NOPE" is not a declared secret`},
		{"single-reader secret", set(1, "secrets", []any{"WALLET_MASTER_XPRIV"}), "fleet.services[1].secrets[0]: WALLET_MASTER_XPRIV is single-reader (build-and-sign-tx)"},
		{"single-reader for another service", set(0, "secrets", []any{"HOT_KEY"}), "fleet.services[0].secrets[0]: HOT_KEY is single-reader (wallet-exec)"},
		{"two buckets one variable", set(0, "uses", []any{"bucket:listing-images", "bucket:avatars"}), "fleet.services[0].uses[1]: AWS_S3_BUCKET_NAME is already set by uses bucket:listing-images"},
		{"two queues one variable", set(0, "uses", []any{"queue:notifications", "queue:orders"}), "fleet.services[0].uses[1]: SQS_QUEUE_URL is already set"},
		{"bad egress", set(1, "egress", []any{"internet:0"}), `fleet.services[1].egress[0]: "internet:0" is not an egress entry`},
		{"public without route", set(0, "expose", map[string]any{"public": true}), "fleet.services[0].expose: a public service needs a path or a host"},
		{"internal with paths", set(2, "expose", map[string]any{"paths": []any{"/x"}}), "fleet.services[2].expose: lists paths or hosts of a service that is not public"},
		{"path without slash", set(0, "expose", map[string]any{"public": true, "paths": []any{"api/*"}}), "fleet.services[0].expose.paths[0]"},
		{"too many rule values", set(0, "expose", map[string]any{"public": true, "paths": []any{"/a", "/b", "/c"}, "hosts": []any{"a.x", "b.x", "c.x"}}), "fleet.services[0].expose: 6 paths and hosts"},
		{"root user", set(0, "user", "0:0"), "fleet.services[0].user"},
		{"empty migrations", set(0, "migrations", map[string]any{"command": []any{}}), "fleet.services[0].migrations.command: is required"},
		{"quoted status command", set(0, "migrations", map[string]any{"command": []any{"pnpm", "db:migrate"}, "statusCommand": []any{"pnpm", `"db:status"`}}),
			`fleet.services[0].migrations.statusCommand[1]: "\"db:status\"" cannot be passed through the runbook's run-task override; use words without quotes or backslashes, e.g. [pnpm, db:status]`},
		{"health path", set(0, "healthCheck", map[string]any{"path": "health"}), "fleet.services[0].healthCheck.path"},
		{"cpu target", set(0, "cpuTarget", 150), "fleet.services[0].cpuTarget: 150 percent"},
		{"architecture", set(0, "architecture", "arm"), "fleet.services[0].architecture"},
		{"bad name", set(2, "name", "Search_Gateway"), "fleet.services[2].name"},
		{"runtime", top(`{"runtime":"lambda","services":[]}`), `fleet.runtime: "lambda" is not a valid value`},
		{"no services", top(`{"runtime":"eks"}`), "fleet.services: is required"},
		{"standby", top(strings.Replace(validFleet, `"alb"`, `"standby":"hot","alb"`, 1)), "fleet.standby"},
		{"spot", top(strings.Replace(validFleet, `"alb"`, `"spot":1001,"alb"`, 1)), "fleet.spot"},
		{"log retention", top(strings.Replace(validFleet, `"alb"`, `"logRetentionDays":100,"alb"`, 1)), "fleet.logRetentionDays: 100 days"},
		{"keep last", top(strings.Replace(validFleet, `"alb"`, `"ecr":{"keepLast":-1},"alb"`, 1)), "fleet.ecr.keepLast"},
		{"ingress", top(strings.Replace(validFleet, `"vpclink"`, `"world"`, 1)), `fleet.alb.ingress: "world" is not a valid value`},
		{"certificate outside the domain", top(strings.Replace(validFleet, `"ingress": "vpclink"`, `"certificateDomain": "*.example.org"`, 1)), "fleet.alb.certificateDomain"},
		{"unknown key", set(0, "cpuu", 1), "fleet.services[0].cpuu: unknown key; did you mean cpu?"},
	}
	for _, tt := range tests {
		errs := fleetErrors(t, tt.raw(t))
		if tt.want == "" {
			if errs != nil {
				t.Errorf("%s: unexpected errors:\n%v", tt.name, errs)
			}
			continue
		}
		found := false
		for _, e := range errs {
			found = found || strings.Contains(e.Error(), "dbay:"+tt.want)
		}
		if !found {
			t.Errorf("%s: no error containing %q in:\n%v", tt.name, tt.want, errs)
		}
	}
}

func TestCapacityPerRole(t *testing.T) {
	t.Parallel()
	s := FleetService{Min: 2, Max: 10, Desired: 3}
	tests := []struct {
		role            Role
		standby         string
		lo, hi, desired int
	}{
		{RolePrimary, StandbyPilot, 2, 10, 3},
		{RolePrimary, StandbyWarm, 2, 10, 3},
		{RoleRecovery, StandbyPilot, 0, 10, 0},
		{RoleRecovery, StandbyWarm, 1, 10, 1},
		{RoleRecovery, StandbyActive, 2, 10, 3},
	}
	for _, tt := range tests {
		lo, hi, d := s.Capacity(tt.role, tt.standby)
		if lo != tt.lo || hi != tt.hi || d != tt.desired {
			t.Errorf("%s/%s: capacity %d..%d desired %d, want %d..%d desired %d", tt.role, tt.standby, lo, hi, d, tt.lo, tt.hi, tt.desired)
		}
	}
}

func TestInternetPortsAreDerived(t *testing.T) {
	t.Parallel()
	f := Fleet{}
	f.applyDefaults("dbay")
	rw := false
	tests := []struct {
		s    FleetService
		want []int
	}{
		{FleetService{Uses: []string{"postgres", "redis"}}, []int{}},
		{FleetService{Publishes: []BusPublication{{Source: "dbay.wallet"}}}, []int{443}},
		{FleetService{Uses: []string{"queue:notifications", "ses"}}, []int{443}},
		{FleetService{Egress: []string{"internet", "internet:587"}}, []int{443, 587}},
		{FleetService{ReadOnlyRootFilesystem: &rw}, []int{443}}, // ECS Exec's ssmmessages
	}
	for _, tt := range tests {
		if tt.s.ReadOnlyRootFilesystem == nil {
			ro := true
			tt.s.ReadOnlyRootFilesystem = &ro
		}
		if got := f.InternetPorts(tt.s); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("InternetPorts(%+v) = %v, want %v", tt.s, got, tt.want)
		}
	}
	off := false
	f.Exec = &off
	if got := f.InternetPorts(FleetService{ReadOnlyRootFilesystem: &rw}); len(got) != 0 {
		t.Errorf("exec off: ports %v", got)
	}
}

func TestNamesDerivedFromServices(t *testing.T) {
	t.Parallel()
	for name, want := range map[string][3]string{
		"listing":        {"LISTING_SERVICE_URL", "listing-service", "http://listing-service:8000"},
		"search-gateway": {"SEARCH_GATEWAY_SERVICE_URL", "search-gateway-service", "http://search-gateway-service:8000"},
	} {
		got := [3]string{ServiceURLVariable(name), ServiceAlias(name), ServiceURL(name, 8000)}
		if got != want {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	uses := map[string][2]string{"postgres": {UseStore, "postgres"}, "bus": {UseBus, ""}, "ses": {UseSES, ""},
		"bucket:listing-images": {UseBucket, "listing-images"}, "queue:notifications": {UseQueue, "notifications"}}
	for u, want := range uses {
		if got := ParseUse(u); [2]string{string(got.Kind), got.Name} != want || got.Entry != u {
			t.Errorf("ParseUse(%s) = %+v", u, got)
		}
	}
	got := fleetData().UsableStores()
	if got["bucket:listing-images"][0] != "AWS_S3_BUCKET_NAME" || got["bucket:avatars"][0] != DefaultBucketEnvVar ||
		!reflect.DeepEqual(got["mongo"], []string{"MONGO_URI"}) || !reflect.DeepEqual(got["postgres"], []string{"DATABASE_URL"}) ||
		got["queue:orders"][0] != "SQS_QUEUE_URL" || len(got) != 11 {
		t.Errorf("UsableStores = %v", got)
	}
	if got := (Data{}).UsableStores(); len(got) != 0 {
		t.Errorf("no data: UsableStores = %v", got)
	}
}

// origin.<domain> exists where the ALB is CloudFront's origin in a DR pair:
// a primary with a drRegion and a frontend, and any recovery stack (its
// primary's frontend is checked at run time, through the contract).
func TestOriginHost(t *testing.T) {
	t.Parallel()
	fleet := func(ingress string) *Fleet { return &Fleet{ALB: FleetALB{Ingress: ingress}} }
	for _, tt := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"primary with DR behind its frontend", Config{Role: RolePrimary, DRRegion: "us-west-2", Frontend: &Frontend{}, Fleet: fleet(IngressCloudFront)}, "origin.dhanam.io"},
		{"recovery behind the primary's frontend", Config{Role: RoleRecovery, Fleet: fleet(IngressCloudFront)}, "origin.dhanam.io"},
		{"primary without DR", Config{Role: RolePrimary, Frontend: &Frontend{}, Fleet: fleet(IngressCloudFront)}, ""},
		{"primary without a frontend", Config{Role: RolePrimary, DRRegion: "us-west-2", Fleet: fleet(IngressCloudFront)}, ""},
		{"internal ALB (DBay)", Config{Role: RolePrimary, DRRegion: "us-west-2", Frontend: &Frontend{}, Fleet: fleet(IngressVPCLink)}, ""},
		{"recovery with a public ALB", Config{Role: RoleRecovery, Fleet: fleet(IngressPublic)}, ""},
		{"no fleet", Config{Role: RoleRecovery}, ""},
	} {
		tt.cfg.Domain = "dhanam.io"
		if got := tt.cfg.OriginHost(); got != tt.want {
			t.Errorf("%s: OriginHost = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// PORT is the service's port or absent; env placeholders are ${region} only;
// a variable a build inlines is refused at run time (issue 16 items 8-10).
func TestPortRegionAndBuildInlinedVariables(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		svc  func(s map[string]any)
		want string
	}{
		{"port mismatch", func(s map[string]any) { s["env"] = map[string]any{"PORT": "9999"} }, `.env.PORT: PORT "9999" is not the service's port`},
		{"unknown placeholder", func(s map[string]any) { s["env"] = map[string]any{"SMTP_HOST": "email-smtp.${zone}.amazonaws.com"} },
			`.env.SMTP_HOST: "email-smtp.${zone}.amazonaws.com" has a placeholder the fleet does not fill`},
		{"public variable at run time", func(s map[string]any) { s["env"] = map[string]any{"NEXT_PUBLIC_API_URL": "https://api.example.com"} },
			".env.NEXT_PUBLIC_API_URL: NEXT_PUBLIC_API_URL is inlined at build time"},
	} {
		errs := fleetErrors(t, withService(t, 0, tt.svc))
		found := false
		for _, e := range errs {
			found = found || strings.Contains(e.Error(), tt.want)
		}
		if !found {
			t.Errorf("%s: no error containing %q in %v", tt.name, tt.want, errs)
		}
	}
	if errs := fleetErrors(t, withService(t, 0, func(s map[string]any) {
		s["env"] = map[string]any{"SMTP_HOST": "email-smtp.${region}.amazonaws.com"}
	})); errs != nil {
		t.Errorf("${region} refused: %v", errs)
	}
}
