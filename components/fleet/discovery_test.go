package fleet

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/secrets"
)

// Callers outside the fleet (the Lambdas of seed §6.1) reach a service
// through Cloud Map DNS, and only on the ports AllowServices opened.
func TestInternalDNSForCallersOutsideTheFleet(t *testing.T) {
	t.Parallel()
	r := synth(t, dbay(t), func(ctx *pulumi.Context, _ *datalayer.DataLayer, _ *secrets.Secrets, f *Fleet) error {
		sg, err := ec2.NewSecurityGroup(ctx, "lambdas", &ec2.SecurityGroupArgs{VpcId: f.args.Network.VpcID}, pulumi.Parent(f))
		if err != nil {
			return err
		}
		return f.AllowServices(ctx, "lambdas", sg, "wallet", "order")
	}).must(t)
	urls, _ := r.outs["internalUrls"].(map[string]any)
	if urls["wallet"] != "http://wallet-service.svc.dbay.internal:8000" || len(urls) != 8 {
		t.Errorf("internal URLs = %v", urls)
	}
	ns := r.one(t, "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace", "internal-dns").In()
	if ns["name"] != "svc.dbay.internal" || ns["vpc"] != r.one(t, "awsx:ec2:Vpc", "vpc").Out()["vpcId"] {
		t.Errorf("namespace = %v", ns)
	}
	reg := r.one(t, "aws:servicediscovery/service:Service", "wallet-dns")
	svc := r.one(t, tService, "wallet").In()
	if svc["serviceRegistries"].(map[string]any)["registryArn"] != reg.Out()["arn"] || reg.In()["name"] != "wallet-service" {
		t.Errorf("wallet registry = %v, service registries %v", reg.In(), svc["serviceRegistries"])
	}
	in := r.edges(t, tIngress)
	if !hasPrefix(in, "lambdas->wallet:8000") || !hasPrefix(in, "lambdas->order:8000") || hasPrefix(in, "lambdas->listing") {
		t.Errorf("lambda ingress = %v", in)
	}
	bad := synth(t, dbay(t), func(ctx *pulumi.Context, _ *datalayer.DataLayer, _ *secrets.Secrets, f *Fleet) error {
		sg, err := ec2.NewSecurityGroup(ctx, "lambdas", &ec2.SecurityGroupArgs{VpcId: f.args.Network.VpcID}, pulumi.Parent(f))
		if err != nil {
			return err
		}
		return f.AllowServices(ctx, "lambdas", sg, "nope")
	})
	if bad.err == nil || !strings.Contains(bad.err.Error(), "lambdas cannot be allowed to nope: no such service") {
		t.Errorf("unknown service: %v", bad.err)
	}
}
