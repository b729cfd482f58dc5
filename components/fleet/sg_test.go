package fleet

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
)

// edges renders every security-group rule of a type as "from->to:port",
// naming groups by their logical name and other sources by their value.
func (r run) edges(t *testing.T, typ string) []string {
	t.Helper()
	names := map[string]string{}
	for _, sg := range r.eng.ByType(tSG) {
		names[sg.ID] = sg.Name
	}
	name := func(in map[string]any, keys ...string) string {
		for _, k := range keys {
			if v, ok := in[k].(string); ok && v != "" {
				if n, ok := names[v]; ok {
					return n
				}
				return v
			}
		}
		return "?"
	}
	var out []string
	for _, rule := range r.eng.ByType(typ) {
		in := rule.In()
		if in["ipProtocol"] != "tcp" || in["fromPort"] != in["toPort"] || in["description"] == "" {
			t.Errorf("%s: not one described TCP port: %v", rule.Name, in)
		}
		self := name(in, "securityGroupId")
		other := name(in, "referencedSecurityGroupId", "prefixListId", "cidrIpv4")
		if typ == tIngress {
			out = append(out, fmt.Sprintf("%s->%s:%v", other, self, in["fromPort"]))
		} else {
			out = append(out, fmt.Sprintf("%s->%s:%v", self, other, in["fromPort"]))
		}
	}
	sort.Strings(out)
	return out
}

func fanIn(from []string, to string, port int) []string {
	var out []string
	for _, f := range from {
		out = append(out, fmt.Sprintf("%s->%s:%d", f, to, port))
	}
	return out
}

func TestSecurityGroupReachability(t *testing.T) {
	t.Parallel()
	r := synth(t, dbay(t), nil).must(t)
	django := []string{"auction", "listing", "order", "user", "wallet"}
	public := []string{"auction", "listing", "messaging", "order", "search-gateway", "user", "wallet"}
	var ingress []string
	ingress = append(ingress, "vpc-link->alb:443") // 443 only: the integration is the HTTPS listener
	for _, s := range public {
		ingress = append(ingress, fmt.Sprintf("alb->%s:8000", s))
	}
	ingress = append(ingress, "auction->listing:8000", "auction->wallet:8000", "order->listing:8000", "order->wallet:8000")
	ingress = append(ingress, fanIn(django, "postgres", 5432)...)
	ingress = append(ingress, fanIn(django, "redis", 6379)...)
	ingress = append(ingress, fanIn([]string{"listing", "search-gateway"}, "search", 443)...)
	ingress = append(ingress, "search-gateway->memcached:11211", "messaging->mongo:27017")
	ingress = append(ingress, "postgres-bootstrap->postgres:5432") // the service roles' bootstrap task
	ingress = append(ingress, "documentdb-bootstrap->mongo:27017") // the DocumentDB users' bootstrap task
	sort.Strings(ingress)
	if got := r.edges(t, tIngress); !equal(got, ingress) {
		t.Errorf("ingress\n got %v\nwant %v", got, ingress)
	}

	// Every group-to-group ingress has its egress twin; beyond those, each
	// service reaches the endpoints and S3 on 443, and the internet on 443
	// only when it uses an AWS API without an endpoint (EventBridge for the
	// publishers, SQS, SES) or says so (wallet).
	egress := append([]string(nil), ingress...)
	for _, s := range r.fx.fleet.Services {
		egress = append(egress, s.Name+"->endpoints:443", s.Name+"->pl-63a5400a:443")
	}
	egress = append(egress, fanIn([]string{"auction", "listing", "messaging", "notification", "order", "wallet", "postgres-bootstrap"}, "0.0.0.0/0", 443)...)
	egress = append(egress, "postgres-bootstrap->endpoints:443")
	egress = append(egress, "documentdb-bootstrap->0.0.0.0/0:443", "documentdb-bootstrap->endpoints:443")
	sort.Strings(egress)
	if got := r.edges(t, tEgress); !equal(got, egress) {
		t.Errorf("egress\n got %v\nwant %v", got, egress)
	}
	for _, s := range []string{"user", "search-gateway"} {
		for _, e := range r.edges(t, tEgress) {
			if strings.HasPrefix(e, s+"->0.0.0.0/0") {
				t.Errorf("%s may reach the internet: %s", s, e)
			}
		}
	}
	for _, sg := range r.eng.ByType(tSG) {
		if _, ok := r.envs[sg.Name]; ok || sg.Name == "alb" || sg.Name == "vpc-link" {
			if in := sg.In(); in["ingress"] != nil || in["egress"] != nil {
				t.Errorf("security group %s has inline rules: %v", sg.Name, in)
			}
		}
	}
}

func TestALBIngressPerMode(t *testing.T) {
	t.Parallel()
	albIngress := func(r run) []string {
		var out []string
		for _, e := range r.edges(t, tIngress) {
			if strings.HasSuffix(e, "->alb:443") || strings.HasSuffix(e, "->alb:80") {
				out = append(out, e)
			}
		}
		return out
	}
	cf := synth(t, dhanam(t), nil).must(t)
	if got := albIngress(cf); !equal(got, []string{"pl-3b927c52->alb:443"}) {
		t.Errorf("cloudfront: ALB ingress %v, want CloudFront's origin-facing prefix list on 443 only", got)
	}
	if cf.eng.Get(tSG, "vpc-link") != nil || cf.outs["vpcLinkSecurityGroupId"] != "" {
		t.Errorf("cloudfront: a VPC link group exists (%v)", cf.outs["vpcLinkSecurityGroupId"])
	}
	fx := dhanam(t)
	fx.fleet.ALB.Ingress = config.IngressPublic
	pub := synth(t, fx, nil).must(t)
	if got := albIngress(pub); !equal(got, []string{"0.0.0.0/0->alb:443", "0.0.0.0/0->alb:80"}) {
		t.Errorf("public: ALB ingress %v", got)
	}
	vl := synth(t, dbay(t), nil).must(t)
	if got := albIngress(vl); !equal(got, []string{"vpc-link->alb:443"}) {
		t.Errorf("vpclink: ALB ingress %v", got)
	}
	if vl.outs["vpcLinkSecurityGroupId"] != vl.one(t, tSG, "vpc-link").ID {
		t.Errorf("vpcLinkSecurityGroupId = %v", vl.outs["vpcLinkSecurityGroupId"])
	}
	for _, r := range []run{cf, vl} {
		for _, e := range r.edges(t, tIngress) {
			if strings.HasPrefix(e, "0.0.0.0/0") {
				t.Errorf("ingress from anywhere without ingress: public: %s", e)
			}
		}
	}
}

func TestAllowFromOpensTheALBToAConsumer(t *testing.T) {
	t.Parallel()
	r := synth(t, dbay(t), func(ctx *pulumi.Context, d *datalayer.DataLayer, _ *secrets.Secrets, f *Fleet) error {
		sg, err := ec2.NewSecurityGroup(ctx, "authorizer", &ec2.SecurityGroupArgs{VpcId: f.args.Network.VpcID}, pulumi.Parent(f))
		if err != nil {
			return err
		}
		return f.AllowFrom(ctx, "authorizer", sg)
	}).must(t)
	in, out := r.edges(t, tIngress), r.edges(t, tEgress)
	if !hasPrefix(in, "authorizer->alb:443") || !hasPrefix(out, "authorizer->alb:443") {
		t.Errorf("authorizer -> ALB missing: ingress %v egress %v", in, out)
	}
}
