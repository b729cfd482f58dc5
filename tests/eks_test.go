package tests

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
)

// eksVariant writes DBay's shipped prod (and dr) configuration to a
// temporary directory with the services on EKS (seed §5: "run on EKS,
// ECS, or equivalent"), nodes sized for the services' minimums, and
// returns the directory. A shipped file that no longer contains what is
// edited fails the test rather than silently testing ECS.
func eksVariant(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dr.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "Pulumi.prod.yaml" {
			const ecs = "\n    runtime: ecs\n"
			if !bytes.Contains(b, []byte(ecs)) {
				t.Fatalf("%s no longer sets fleet.runtime: ecs; update eksVariant", name)
			}
			b = bytes.Replace(b, []byte(ecs), []byte("\n    runtime: eks\n    eks:\n      nodeGroup: {instanceTypes: [m6i.xlarge]}\n"), 1)
			// The service roles' bootstrap is an ECS task (config refuses
			// serviceUsers on EKS).
			b = bytes.Replace(b, []byte("serviceUsers: true"), []byte("serviceUsers: false"), -1)
		}
		write(t, dir, name, string(b))
	}
	return dir
}

// Issue 13 item 9: DBay prod with fleet.runtime eks synthesizes with the
// whole stack (its dr partner on ECS), passes the policy pack with the
// shipped waivers, and every Lambda that calls a service gets the service's
// URL and a security-group path to it: Lambda -> the service's internal
// NLB (private DNS name of the URL, listener on the URL's port) -> the
// service's pods (security groups for pods), which a TargetGroupBinding
// registers in the NLB's target group.
func TestDBayProdOnEKS(t *testing.T) {
	t.Parallel()
	r, err := synth.SharedStack(eksVariant(t), "prod")
	if err != nil {
		t.Fatalf("prod on EKS: %v", err)
	}
	if r.Config.Fleet.Runtime != config.RuntimeEKS || len(r.Engine.ByType(tokens.EKSCluster)) != 1 || len(r.Engine.ByType(tokens.ECSService)) != 0 {
		t.Fatalf("not an EKS fleet: runtime %s", r.Config.Fleet.Runtime)
	}
	if rep := r.EvaluatePolicy(); rep.Failed() {
		var b bytes.Buffer
		_ = rep.WriteText(&b)
		t.Errorf("prod on EKS: %d unwaived policy violations:\n%s", len(rep.Unwaived()), b.String())
	}
	if r.DR == nil || len(r.DR.Violations) != 0 {
		t.Errorf("prod on EKS: DR assessment %+v", r.DR)
	}
	// The recovery stack's runbook fences and unfences the primary's pods, not ECS services.
	if r.Partner == nil {
		t.Fatal("prod on EKS ran without its dr partner")
	}
	runbooks := fmt.Sprint(r.Partner.Outputs["failoverRunbook"], r.Partner.Outputs["failbackRunbook"])
	// Fencing is dr.fenced (Deployments at 0, no autoscaler: config);
	// unfencing gives each Deployment a pod for its autoscaler.
	for _, want := range []string{"--path dr.fenced true", "its Deployments at 0 replicas, no autoscaler",
		"kubectl --namespace dbay scale deployment --all --replicas=1"} {
		if !strings.Contains(runbooks, want) {
			t.Errorf("dr runbooks lack %q", want)
		}
	}
	if strings.Contains(runbooks, "--service-namespace ecs") {
		t.Errorf("dr runbooks fence ECS services of an EKS primary")
	}
	e := r.Engine
	vpcID, _ := e.ByType(tokens.AWSXVpc)[0].Out()["vpcId"].(string)
	checked := 0
	for name, fn := range r.Config.Serverless.Functions {
		lambda := must(t, r, tokens.LambdaFunction, config.FunctionGrantee(name))
		env, _ := mockengine.At(lambda.In(), "environment", "variables").(map[string]any)
		sgs, _ := mockengine.At(lambda.In(), "vpcConfig", "securityGroupIds").([]any)
		if len(sgs) != 1 {
			t.Errorf("%s: security groups %v", name, sgs)
			continue
		}
		lambdaSG := sgs[0].(string)
		for _, svc := range fn.Calls {
			checked++
			raw, _ := env[config.ServiceURLVar(svc)].(string)
			if err := servicePath(e, vpcID, lambdaSG, svc, raw, serviceSpec(r, svc)); err != nil {
				t.Errorf("%s -> %s: %v", name, svc, err)
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d function -> service calls checked", checked)
	}
}

func serviceSpec(r *synth.Result, name string) config.FleetService {
	for _, s := range r.Config.Fleet.Services {
		if s.Name == name {
			return s
		}
	}
	return config.FleetService{}
}

// servicePath follows a Lambda's URL of a service to the service's pods.
func servicePath(e *mockengine.Engine, vpcID, lambdaSG, svc, raw string, spec config.FleetService) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Port() != strconv.Itoa(spec.Port) {
		return fmt.Errorf("URL %q, want http on port %d", raw, spec.Port)
	}
	port := spec.Port
	// The name resolves, in a private zone of the VPC, to the service's NLB.
	record := e.Get(tokens.Route53Record, svc+"-dns")
	zone := e.Get(tokens.Route53Zone, "internal-dns")
	nlb := e.Get(tokens.LBLoadBalancer, svc+"-vpc")
	if record == nil || zone == nil || nlb == nil {
		return fmt.Errorf("no DNS record, private zone or NLB (%v %v %v)", record != nil, zone != nil, nlb != nil)
	}
	if record.In()["name"] != u.Hostname() || record.In()["zoneId"] != zone.Out()["zoneId"] ||
		mockengine.At(zone.In(), "vpcs", 0, "vpcId") != vpcID ||
		mockengine.At(record.In(), "aliases", 0, "name") != nlb.Out()["dnsName"] {
		return fmt.Errorf("%s does not resolve to the NLB in the VPC's private zone: record %v, zone %v", u.Hostname(), record.In(), zone.In())
	}
	if nlb.In()["internal"] != true || nlb.In()["loadBalancerType"] != "network" {
		return fmt.Errorf("NLB %v", nlb.In())
	}
	nlbSGs, _ := nlb.In()["securityGroups"].([]any)
	if len(nlbSGs) != 1 {
		return fmt.Errorf("NLB security groups %v", nlbSGs)
	}
	nlbSG := nlbSGs[0].(string)
	// A listener on the URL's port forwards to a target group the service's pods are bound to.
	var tgArn string
	for _, l := range e.ByType(tokens.LBListener) {
		if l.In()["loadBalancerArn"] == nlb.Out()["arn"] && l.In()["port"] == float64(port) && l.In()["protocol"] == "TCP" {
			tgArn, _ = mockengine.At(l.In(), "defaultActions", 0, "targetGroupArn").(string)
		}
	}
	tgb := e.Get(tokens.K8sTargetGroupBinding, svc+"-vpc-targets")
	if tgArn == "" || tgb == nil || mockengine.At(tgb.In(), "spec", "targetGroupARN") != tgArn ||
		mockengine.At(tgb.In(), "spec", "serviceRef", "name") != config.ServiceAlias(svc) || mockengine.At(tgb.In(), "spec", "targetType") != "ip" {
		return fmt.Errorf("no TCP listener on %d bound to the service's pods (target group %q)", port, tgArn)
	}
	// Security groups: Lambda -> NLB -> the pods' group (the service's, by its SecurityGroupPolicy).
	podSG := e.Get(tokens.EC2SecurityGroup, svc).ID
	sgp := e.Get(tokens.K8sSecurityGroupPolicy, svc+"-security-group")
	if sgp == nil || !strings.Contains(fmt.Sprint(mockengine.At(sgp.In(), "spec", "securityGroups", "groupIds")), podSG) {
		return fmt.Errorf("the pods do not carry security group %s", podSG)
	}
	for _, hop := range [][2]string{{lambdaSG, nlbSG}, {nlbSG, podSG}} {
		if !sgAllows(e, hop[0], hop[1], port) {
			return fmt.Errorf("no security-group rules %s -> %s on %d", hop[0], hop[1], port)
		}
	}
	return nil
}

// sgAllows: from has an egress rule to `to`, and `to` an ingress rule from
// `from`, on TCP port.
func sgAllows(e *mockengine.Engine, from, to string, port int) bool {
	match := func(typ, group, peer string) bool {
		for _, r := range e.ByType(typ) {
			in := r.In()
			if in["securityGroupId"] == group && in["referencedSecurityGroupId"] == peer && in["ipProtocol"] == "tcp" &&
				in["fromPort"] == float64(port) && in["toPort"] == float64(port) {
				return true
			}
		}
		return false
	}
	return match(tokens.VPCSecurityGroupEgressRule, from, to) &&
		match(tokens.VPCSecurityGroupIngressRule, to, from)
}
