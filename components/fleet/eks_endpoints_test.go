package fleet

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/internal/mockengine"
)

// lambdasCalling is an extra step that lets a "lambdas" security group
// call services, as the stack does for the functions' `calls`.
func lambdasCalling(services ...string) func(*pulumi.Context, *datalayer.DataLayer, *secrets.Secrets, *Fleet) error {
	return func(ctx *pulumi.Context, _ *datalayer.DataLayer, _ *secrets.Secrets, f *Fleet) error {
		sg, err := ec2.NewSecurityGroup(ctx, "lambdas", &ec2.SecurityGroupArgs{VpcId: f.args.Network.VpcID}, pulumi.Parent(f))
		if err != nil {
			return err
		}
		return f.AllowServices(ctx, "lambdas", sg, services...)
	}
}

// On EKS, a service called from the VPC gets the ECS runtime's internal
// URL through an internal NLB: private DNS name, TCP listener on its port,
// an ip target group its pods are bound to, and the security-group path
// caller -> NLB -> pods. Services nobody outside calls get none.
func TestEKSEndpointsForCallersOutsideTheFleet(t *testing.T) {
	t.Parallel()
	fx := dbayEKS(t)
	fx.calledFromVPC = []string{"order", "wallet"}
	r := synth(t, fx, lambdasCalling("wallet", "order")).must(t)
	urls, _ := r.outs["internalUrls"].(map[string]any)
	if len(urls) != 2 || urls["wallet"] != "http://wallet-service.svc.dbay.internal:8000" || urls["order"] != "http://order-service.svc.dbay.internal:8000" {
		t.Errorf("internal URLs = %v", urls)
	}
	vpc := r.one(t, "awsx:ec2:Vpc", "vpc").Out()
	zone := r.one(t, "aws:route53/zone:Zone", "internal-dns")
	if zone.In()["name"] != "svc.dbay.internal" || mockengine.At(zone.In(), "vpcs", 0, "vpcId") != vpc["vpcId"] {
		t.Errorf("zone = %v", zone.In())
	}
	nlb := r.one(t, "aws:lb/loadBalancer:LoadBalancer", "wallet-vpc")
	sg := r.one(t, tSG, "wallet-vpc")
	tg := r.one(t, "aws:lb/targetGroup:TargetGroup", "wallet-vpc")
	for what, got := range map[string][2]any{
		"nlb type":      {nlb.In()["loadBalancerType"], "network"},
		"nlb internal":  {nlb.In()["internal"], true},
		"nlb subnets":   {nlb.In()["subnets"], vpc["privateSubnetIds"]},
		"nlb sg":        {mockengine.At(nlb.In(), "securityGroups", 0), sg.ID},
		"tg type":       {tg.In()["targetType"], "ip"},
		"tg protocol":   {tg.In()["protocol"], "TCP"},
		"tg client ip":  {tg.In()["preserveClientIp"], "false"},
		"health path":   {mockengine.At(tg.In(), "healthCheck", "path"), "/health"},
		"listener port": {r.one(t, "aws:lb/listener:Listener", "wallet-vpc").In()["port"], 8000.0},
		"listener tg":   {mockengine.At(r.one(t, "aws:lb/listener:Listener", "wallet-vpc").In(), "defaultActions", 0, "targetGroupArn"), tg.Out()["arn"]},
		"record name":   {r.one(t, "aws:route53/record:Record", "wallet-dns").In()["name"], "wallet-service.svc.dbay.internal"},
		"record alias":  {mockengine.At(r.one(t, "aws:route53/record:Record", "wallet-dns").In(), "aliases", 0, "name"), nlb.Out()["dnsName"]},
		"tgb target":    {mockengine.At(r.one(t, tTGB, "wallet-vpc-targets").In(), "spec", "targetGroupARN"), tg.Out()["arn"]},
		"tgb service":   {mockengine.At(r.one(t, tTGB, "wallet-vpc-targets").In(), "spec", "serviceRef", "name"), "wallet-service"},
	} {
		if !reflect.DeepEqual(got[0], got[1]) {
			t.Errorf("wallet endpoint %s = %v, want %v", what, got[0], got[1])
		}
	}
	// Security groups: lambdas -> each called service's NLB -> its pods, both sides, on 8000.
	id := func(name string) string { return r.one(t, tSG, name).ID }
	for _, hop := range [][2]string{{"lambdas", "wallet-vpc"}, {"wallet-vpc", "wallet"}, {"lambdas", "order-vpc"}, {"order-vpc", "order"}} {
		if !r.allows(id(hop[0]), id(hop[1]), 8000) {
			t.Errorf("no rules %s -> %s on 8000", hop[0], hop[1])
		}
	}
	if r.allows(id("lambdas"), id("wallet"), 8000) || r.eng.Get("aws:lb/loadBalancer:LoadBalancer", "listing-vpc") != nil {
		t.Errorf("lambdas reach pods directly, or an uncalled service has an endpoint")
	}
	// The controller may register pods in the NLB's target group.
	lbc := r.grants(t)[r.roleName(t, "eks-lb-controller")]
	if !hasPrefix(lbc["elasticloadbalancing:RegisterTargets"], tg.Out()["arn"].(string)) {
		t.Errorf("controller registers in %v", lbc["elasticloadbalancing:RegisterTargets"])
	}

	// A service without an endpoint cannot be allowed on EKS; an unknown name is refused.
	if err := synth(t, fx, lambdasCalling("listing")).err; err == nil || !strings.Contains(err.Error(), "on EKS it needs an internal endpoint") {
		t.Errorf("listing without endpoint: %v", err)
	}
	fx.calledFromVPC = []string{"nope"}
	if err := synth(t, fx, nil).err; err == nil || !strings.Contains(err.Error(), `CalledFromVPC names "nope"`) {
		t.Errorf("unknown callee: %v", err)
	}
}

// allows: from has an egress rule to `to` and `to` an ingress rule from `from`, on TCP port.
func (r run) allows(from, to string, port int) bool {
	match := func(typ, group, peer string) bool {
		for _, rule := range r.eng.ByType(typ) {
			in := rule.In()
			if in["securityGroupId"] == group && in["referencedSecurityGroupId"] == peer && in["ipProtocol"] == "tcp" &&
				in["fromPort"] == float64(port) && in["toPort"] == float64(port) {
				return true
			}
		}
		return false
	}
	return match(tEgress, from, to) && match(tIngress, to, from)
}
