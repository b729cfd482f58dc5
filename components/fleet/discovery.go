package fleet

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/servicediscovery"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/netrule"
	"github.com/dbay/infra/config"
)

// Service Connect names (http://wallet-service:8000) resolve only inside
// the fleet's own tasks. Everything else in the VPC — the Lambdas of seed
// §6.1 first — reaches a service through Cloud Map DNS in a private hosted
// zone: http://<name>-service.<internal domain>:<port>, one A record per
// healthy task.

// internalDomain is the private DNS namespace of the fleet.
func (f *Fleet) internalDomain() string { return "svc." + f.args.Project + ".internal" }

// InternalURL is the address of a service from anywhere in the VPC.
func (f *Fleet) internalURL(s config.FleetService) string {
	return fmt.Sprintf("http://%s.%s:%d", config.ServiceAlias(s.Name), f.internalDomain(), s.Port)
}

// newDiscovery creates the private DNS namespace and one Cloud Map service
// per fleet service (A records, multivalue answers, ECS-managed health).
func (f *Fleet) newDiscovery(ctx *pulumi.Context) error {
	parent := pulumi.Parent(f)
	ns, err := servicediscovery.NewPrivateDnsNamespace(ctx, "internal-dns", &servicediscovery.PrivateDnsNamespaceArgs{
		Name:        pulumi.String(f.internalDomain()),
		Vpc:         f.args.Network.VpcID,
		Description: pulumi.Sprintf("%s services for callers outside the fleet (Lambdas)", f.clusterName()),
	}, parent)
	if err != nil {
		return err
	}
	urls := pulumi.StringMap{}
	for _, n := range f.names() {
		u := f.units[n]
		reg, err := servicediscovery.NewService(ctx, n+"-dns", &servicediscovery.ServiceArgs{
			Name: pulumi.String(config.ServiceAlias(n)),
			DnsConfig: &servicediscovery.ServiceDnsConfigArgs{
				NamespaceId:   ns.ID(),
				RoutingPolicy: pulumi.String("MULTIVALUE"),
				DnsRecords: servicediscovery.ServiceDnsConfigDnsRecordArray{
					servicediscovery.ServiceDnsConfigDnsRecordArgs{Type: pulumi.String("A"), Ttl: pulumi.Int(10)},
				},
			},
			HealthCheckCustomConfig: &servicediscovery.ServiceHealthCheckCustomConfigArgs{FailureThreshold: pulumi.Int(1)},
		}, parent)
		if err != nil {
			return err
		}
		u.registry = reg.Arn
		urls[n] = pulumi.String(f.internalURL(u.spec))
	}
	f.InternalURLs = urls.ToStringMapOutput()
	return nil
}

// AllowServices lets traffic from the security group sg (of consumer
// `name`, e.g. the Lambdas) reach the named services on their own ports:
// their tasks on ECS, their internal NLB on EKS. An unknown service, or on
// EKS one without an internal endpoint (Args.CalledFromVPC), is an error.
func (f *Fleet) AllowServices(ctx *pulumi.Context, name string, sg *ec2.SecurityGroup, services ...string) error {
	for _, svc := range services {
		u, ok := f.units[svc]
		if !ok {
			return fmt.Errorf("fleet: %s cannot be allowed to %s: no such service (have %v)", name, svc, f.names())
		}
		to, what := u.sg, fmt.Sprintf("%s to the %s service", name, svc)
		if f.args.Spec.Runtime == config.RuntimeEKS {
			if u.vpcSG == nil {
				return fmt.Errorf("fleet: %s cannot be allowed to %s: on EKS it needs an internal endpoint (list it in Args.CalledFromVPC)", name, svc)
			}
			to, what = u.vpcSG, fmt.Sprintf("%s to the internal NLB of the %s service", name, svc)
		}
		if err := netrule.Allow(ctx, f, fmt.Sprintf("%s-to-%s", name, svc), sg, to, u.spec.Port, what); err != nil {
			return err
		}
	}
	return nil
}
