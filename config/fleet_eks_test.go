package config

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// eksFleet is validFleet on the EKS runtime with the given eks section
// (nil: none) and, when set, an edit of the decoded fleet.
func eksFleet(t *testing.T, eks map[string]any, edit func(f map[string]any)) string {
	t.Helper()
	var f map[string]any
	if err := json.Unmarshal([]byte(validFleet), &f); err != nil {
		t.Fatal(err)
	}
	f["runtime"] = RuntimeEKS
	if eks != nil {
		f["eks"] = eks
	}
	if edit != nil {
		edit(f)
	}
	b, _ := json.Marshal(f)
	return string(b)
}

// eksSecrets are fleetSecrets where HOT_KEY (wallet's) also lists the
// External Secrets operator, as an EKS stack must.
func eksSecrets() map[string]SecretItem {
	s := fleetSecrets()
	s["HOT_KEY"] = SecretItem{Source: SourceExternal, Readers: []string{"wallet-exec", EKSSecretsReader}}
	return s
}

func eksErrors(t *testing.T, raw string) Errors {
	t.Helper()
	_, err := LoadFleet("dbay", "dbay.example.com", raw, fleetData(), Secrets{Items: eksSecrets()})
	if err == nil {
		return nil
	}
	errs, ok := AsErrors(err)
	if !ok {
		t.Fatalf("not config errors: %v", err)
	}
	return errs
}

func TestEKSDefaults(t *testing.T) {
	t.Parallel()
	f, err := LoadFleet("dbay", "dbay.example.com", eksFleet(t, nil, nil), fleetData(), Secrets{Items: eksSecrets()})
	if err != nil {
		t.Fatal(err)
	}
	want := FleetEKS{
		Version: DefaultEKSVersion, Namespace: "dbay",
		NodeGroup:              FleetEKSNodeGroup{InstanceTypes: []string{"m6i.large"}, MinSize: 3, MaxSize: 9, DesiredSize: 3, DiskSize: 50},
		ExternalSecretsVersion: "2.9.0", LoadBalancerControllerVersion: "1.14.0",
	}
	if !reflect.DeepEqual(f.EKS, want) {
		t.Errorf("eks defaults\n got %+v\nwant %+v", f.EKS, want)
	}
	if f.EKS.AMIType() != "AL2023_x86_64_STANDARD" || len(f.EKS.PublicAccessCidrs) != 0 || len(f.EKS.Admins) != 0 {
		t.Errorf("AMI %s, public CIDRs %v, admins %v", f.EKS.AMIType(), f.EKS.PublicAccessCidrs, f.EKS.Admins)
	}
	if got := f.principals(); !fleetContains(got, EKSSecretsReader) {
		t.Errorf("principals %v lack %s: no single-reader secret could name the operator", got, EKSSecretsReader)
	}
	// All ARM64 services: Graviton nodes.
	arm := eksFleet(t, nil, func(f map[string]any) {
		for _, s := range f["services"].([]any) {
			s.(map[string]any)["architecture"] = "ARM64"
		}
	})
	g, err := LoadFleet("dbay", "dbay.example.com", arm, fleetData(), Secrets{Items: eksSecrets()})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g.EKS.NodeGroup.InstanceTypes, []string{"m6g.large"}) || g.EKS.AMIType() != "AL2023_ARM_64_STANDARD" {
		t.Errorf("ARM64 fleet: nodes %v, AMI %s", g.EKS.NodeGroup.InstanceTypes, g.EKS.AMIType())
	}
	// Other projects get their own namespace; desired follows min.
	h, err := LoadFleet("dhanam", "dhanam.io", eksFleet(t, map[string]any{"nodeGroup": map[string]any{"minSize": 4, "maxSize": 6}}, nil),
		fleetData(), Secrets{Items: eksSecrets()})
	if err != nil {
		t.Fatal(err)
	}
	if h.EKS.Namespace != "dhanam" || h.EKS.NodeGroup.DesiredSize != 4 {
		t.Errorf("namespace %q, desired %d", h.EKS.Namespace, h.EKS.NodeGroup.DesiredSize)
	}
}

// An ecs fleet ignores the eks section: no defaults, no validation.
func TestEKSSectionIgnoredOnECS(t *testing.T) {
	t.Parallel()
	var f map[string]any
	_ = json.Unmarshal([]byte(validFleet), &f)
	f["eks"] = map[string]any{"version": "0.1", "namespace": "kube-system"}
	b, _ := json.Marshal(f)
	got, err := LoadFleet("dbay", "dbay.example.com", string(b), fleetData(), Secrets{Items: fleetSecrets()})
	if err != nil {
		t.Fatalf("an ecs fleet's eks section was validated: %v", err)
	}
	if got.EKS.NodeGroup.MinSize != 0 || fleetContains(got.principals(), EKSSecretsReader) {
		t.Errorf("ecs fleet got eks defaults or principals: %+v", got.EKS)
	}
	// An unknown key inside it is still an error.
	f["eks"] = map[string]any{"nodegroup": map[string]any{}}
	b, _ = json.Marshal(f)
	if _, err := LoadFleet("dbay", "dbay.example.com", string(b), fleetData(), Secrets{Items: fleetSecrets()}); err == nil ||
		!strings.Contains(err.Error(), "fleet.eks.nodegroup") {
		t.Errorf("unknown key error = %v", err)
	}
}

func TestEKSValidation(t *testing.T) {
	t.Parallel()
	ng := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return map[string]any{"nodeGroup": m}
	}
	tests := []struct {
		name string
		eks  map[string]any
		edit func(f map[string]any)
		path string // "" when valid
		want string
	}{
		{"supported version", map[string]any{"version": DefaultEKSVersion}, nil, "", ""},
		{"unknown version", map[string]any{"version": "1.21"}, nil, "fleet.eks.version", "not a Kubernetes version in EKS's release calendar"},
		// The shipped default until this change: extended support ended 2026-11-26.
		{"past extended support", map[string]any{"version": "1.31"}, nil, "fleet.eks.version", "reached the end of EKS extended support on 2026-11-26"},
		{"public CIDRs", map[string]any{"publicAccessCidrs": []string{"203.0.113.0/24", "198.51.100.7/32"}}, nil, "", ""},
		{"CIDR with host bits", map[string]any{"publicAccessCidrs": []string{"203.0.113.1/24"}}, nil, "fleet.eks.publicAccessCidrs[0]", "host bits"},
		{"not a CIDR", map[string]any{"publicAccessCidrs": []string{"office"}}, nil, "fleet.eks.publicAccessCidrs[0]", "not an IPv4 CIDR"},
		{"the internet", map[string]any{"publicAccessCidrs": []string{"0.0.0.0/0"}}, nil, "fleet.eks.publicAccessCidrs[0]", "open"},
		{"instance types", ng("instanceTypes", []string{"m6i.xlarge", "c6i.xlarge"}), nil, "", ""},
		{"not an instance type", ng("instanceTypes", []string{"large"}), nil, "fleet.eks.nodeGroup.instanceTypes[0]", "not an instance type"},
		{"burstable", ng("instanceTypes", []string{"t3.large"}), nil, "fleet.eks.nodeGroup.instanceTypes[0]", "security groups"},
		{"mixed architectures", ng("instanceTypes", []string{"m6i.large", "m6g.large"}), nil, "fleet.eks.nodeGroup.instanceTypes", "mixes ARM64 and X86_64"},
		{"ARM nodes for x86 images", ng("instanceTypes", []string{"m7g.xlarge"}), nil, "fleet.services[0].architecture", "X86_64 runs on ARM64 nodes"},
		{"no instance types", ng("instanceTypes", []string{}), nil, "", ""}, // absent: the default
		{"min below 1", ng("minSize", -1), nil, "fleet.eks.nodeGroup.minSize", "outside 1..450"},
		{"max below min", ng("minSize", 4, "maxSize", 3), nil, "fleet.eks.nodeGroup.maxSize", "below min"},
		{"desired above max", ng("desiredSize", 12), nil, "fleet.eks.nodeGroup.desiredSize", "outside minSize..maxSize"},
		{"disk", ng("diskSize", 10), nil, "fleet.eks.nodeGroup.diskSize", "outside 20..16384"},
		{"too small for the minimums", ng("instanceTypes", []string{"m6i.large"}, "minSize", 1, "desiredSize", 1), nil,
			"fleet.eks.nodeGroup.desiredSize", "the services' minimums request 2500m"},
		{"admins", map[string]any{"admins": []string{"arn:aws:iam::123456789012:role/platform-admins", "arn:aws:iam::123456789012:role/sso/Ops"}}, nil, "", ""},
		{"admin is a user", map[string]any{"admins": []string{"arn:aws:iam::123456789012:user/alice"}}, nil, "fleet.eks.admins[0]", "not an IAM role ARN"},
		{"admin twice", map[string]any{"admins": []string{"arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/a"}}, nil, "fleet.eks.admins[1]", "listed twice"},
		{"namespace", map[string]any{"namespace": "market"}, nil, "", ""},
		{"reserved namespace", map[string]any{"namespace": "kube-system"}, nil, "fleet.eks.namespace", "reserved"},
		{"bad namespace", map[string]any{"namespace": "Market_Place"}, nil, "fleet.eks.namespace", "not a Kubernetes namespace name"},
		{"chart version", map[string]any{"loadBalancerControllerVersion": "latest"}, nil, "fleet.eks.loadBalancerControllerVersion", "not a chart version"},
		{"operator without the v1 API", map[string]any{"externalSecretsVersion": "0.15.1"}, nil, "fleet.eks.externalSecretsVersion", "does not serve external-secrets.io/v1"},
		{"user name", nil, func(f map[string]any) { f["services"].([]any)[0].(map[string]any)["user"] = "app" }, "fleet.services[0].user", "Kubernetes (runAsUser) needs numbers"},
		{"image's user", nil, func(f map[string]any) { f["services"].([]any)[0].(map[string]any)["user"] = "" }, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			errs := eksErrors(t, eksFleet(t, tt.eks, tt.edit))
			if tt.path == "" {
				if len(errs) > 0 {
					t.Fatalf("valid section refused:\n%v", errs)
				}
				return
			}
			for _, e := range errs {
				if e.Path == tt.path && strings.Contains(e.Problem+"; "+e.Valid, tt.want) {
					return
				}
			}
			t.Errorf("want an error at %s containing %q, got:\n%v", tt.path, tt.want, errs)
		})
	}
}

// A single-reader secret a service receives on EKS must name the operator.
func TestEKSSingleReaderSecrets(t *testing.T) {
	t.Parallel()
	_, err := LoadFleet("dbay", "dbay.example.com", eksFleet(t, nil, nil), fleetData(), Secrets{Items: fleetSecrets()})
	errs, _ := AsErrors(err)
	if len(errs) != 1 || errs[0].Path != "fleet.services[1].secrets[1]" || !strings.Contains(errs[0].Valid, "add external-secrets") {
		t.Errorf("HOT_KEY without external-secrets: %v", err)
	}
	if errs := eksErrors(t, eksFleet(t, nil, nil)); len(errs) != 0 {
		t.Errorf("HOT_KEY with external-secrets: %v", errs)
	}
}

func TestEKSHelpers(t *testing.T) {
	t.Parallel()
	for it, want := range map[string]string{
		"m6g.large": "ARM64", "c7gn.xlarge": "ARM64", "r6gd.2xlarge": "ARM64", "im4gn.large": "ARM64", "is4gen.xlarge": "ARM64",
		"g5g.xlarge": "ARM64", "a1.large": "ARM64", "m6i.large": "X86_64", "m7i-flex.large": "X86_64", "g4dn.xlarge": "X86_64",
		"c5n.18xlarge": "X86_64", "inf2.xlarge": "X86_64", "large": "",
	} {
		if got := InstanceArchitecture(it); got != want {
			t.Errorf("InstanceArchitecture(%s) = %q, want %q", it, got, want)
		}
	}
	for it, want := range map[string]int{"m6i.large": 2, "m6i.xlarge": 4, "c6g.12xlarge": 48, "m6i.metal": 0, "t3.medium": 0} {
		if got := instanceVCPUs(it); got != want {
			t.Errorf("instanceVCPUs(%s) = %d, want %d", it, got, want)
		}
	}
	for units, want := range map[int]int{256: 250, 512: 500, 1024: 1000, 4096: 4000} {
		if got := MilliCPU(units); got != want {
			t.Errorf("MilliCPU(%d) = %d, want %d", units, got, want)
		}
	}
	if got := ServiceURLFor(RuntimeEKS, "dbay", "listing", 8000); got != "http://listing-service.dbay.svc.cluster.local:8000" {
		t.Errorf("eks URL = %s (guide §5.2)", got)
	}
	if got := ServiceURLFor(RuntimeECS, "dbay", "listing", 8000); got != "http://listing-service:8000" {
		t.Errorf("ecs URL = %s (guide §4.3)", got)
	}
	f := Fleet{Runtime: RuntimeEKS, EKS: FleetEKS{Namespace: "market"}}
	if got := f.CallURL("search-gateway", 5000); got != "http://search-gateway-service.market.svc.cluster.local:5000" {
		t.Errorf("CallURL = %s", got)
	}
}
