package serverless

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/config"
)

// Every function has a security group of its own (issue 15, item 4 and
// "one security group per function"): a compromised function reaches
// only what it uses. The signer (build_and_sign_tx) reaches the VPC
// endpoints and its RPC provider, not Redis or the services the other
// functions call. None has ingress. Security groups per VPC: 2,500 by
// default, rules per group 60 each way
// (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups).

// sgName is the security group (and rule-name prefix) of a function.
func sgName(fn string) string { return "lambda-" + config.FunctionGrantee(fn) }

// newSecurityGroups creates each function's security group: egress to the
// VPC interface endpoints; HTTPS anywhere (through the NAT gateways) when
// it needs the internet; the stores it uses (through the data layer's
// AllowFrom); S3 through the gateway endpoint when it uses a bucket. The
// services it calls are opened by the fleet's AllowServices (Consumers).
func (s *Serverless) newSecurityGroups(ctx *pulumi.Context) error {
	a := s.args
	for _, fn := range sortedKeys(a.Spec.Functions) {
		f := a.Spec.Functions[fn]
		name, internet := sgName(fn), s.needsInternet(fn, f)
		desc := fmt.Sprintf("Lambda function %s: no ingress; egress to the VPC endpoints and what it uses", fn)
		if internet {
			desc += " plus HTTPS anywhere"
		}
		sg, err := ec2.NewSecurityGroup(ctx, name, &ec2.SecurityGroupArgs{
			VpcId:       a.Network.VpcID,
			Description: pulumi.String(desc),
		}, pulumi.Parent(s))
		if err != nil {
			return err
		}
		s.sgs[fn] = sg
		if err := s.egress(ctx, name+"-to-endpoints", sg, "HTTPS to the VPC interface endpoints", func(r *vpc.SecurityGroupEgressRuleArgs) {
			r.ReferencedSecurityGroupId = a.Network.EndpointSecurityGroupID
		}); err != nil {
			return err
		}
		if internet {
			if err := s.egress(ctx, name+"-to-internet", sg, "HTTPS to the internet through NAT", func(r *vpc.SecurityGroupEgressRuleArgs) {
				r.CidrIpv4 = pulumi.String("0.0.0.0/0")
			}); err != nil {
				return err
			}
		}
		binds, err := s.bindings(fn, f)
		if err != nil {
			return fmt.Errorf("serverless: function %s: %w", fn, err)
		}
		stores, buckets := storesOf(binds)
		if len(stores) > 0 {
			if err := a.Data.AllowFrom(ctx, name, sg, stores...); err != nil {
				return err
			}
		}
		if buckets {
			s3 := ec2.LookupManagedPrefixListOutput(ctx, ec2.LookupManagedPrefixListOutputArgs{
				Name: pulumi.Sprintf("com.amazonaws.%s.s3", a.Region),
			}, pulumi.Parent(s))
			if err := s.egress(ctx, name+"-to-s3", sg, "HTTPS to S3 through the gateway endpoint", func(r *vpc.SecurityGroupEgressRuleArgs) {
				r.PrefixListId = s3.Id()
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Serverless) egress(ctx *pulumi.Context, name string, sg *ec2.SecurityGroup, desc string, to func(*vpc.SecurityGroupEgressRuleArgs)) error {
	args := &vpc.SecurityGroupEgressRuleArgs{
		SecurityGroupId: sg.ID(),
		IpProtocol:      pulumi.String("tcp"),
		FromPort:        pulumi.Int(443),
		ToPort:          pulumi.Int(443),
		Description:     pulumi.String(desc),
	}
	to(args)
	_, err := vpc.NewSecurityGroupEgressRule(ctx, name, args, pulumi.Parent(s))
	return err
}

// needsInternet reports whether a function reaches the internet: when it
// asks for it, or when it calls an AWS API the network has no VPC
// endpoint for, reached through NAT on 443: EventBridge (a publisher),
// SQS, SES; the authorizers fetch the user pool's signing keys
// (cognito-idp's /.well-known/jwks.json), and the WebSocket function posts
// to its clients through the API Gateway management API (execute-api: an
// execute-api endpoint with private DNS would serve private APIs only and
// break every call to the public ones).
func (s *Serverless) needsInternet(name string, f config.LambdaFunction) bool {
	if f.Internet || len(f.Publishes) > 0 || s.isAuthorizer(name) || s.isWebSocketRouter(name) {
		return true
	}
	for _, u := range f.ResolvedUses() {
		if u.ViaNAT() {
			return true
		}
	}
	return false
}

// storesOf lists the network stores a function's bindings reach, and
// whether one of them is a bucket.
func storesOf(binds []datalayer.Binding) ([]datalayer.Store, bool) {
	var out []datalayer.Store
	buckets := false
	for _, b := range binds {
		if b.Reach != "" {
			out = append(out, b.Reach)
		}
		buckets = buckets || b.S3
	}
	return out, buckets
}

// Consumers are the functions' security groups with the services each
// function calls, for the fleet's AllowServices.
func (s *Serverless) Consumers() []Consumer {
	var out []Consumer
	for _, fn := range sortedKeys(s.sgs) {
		out = append(out, Consumer{Name: sgName(fn), SG: s.sgs[fn], Services: s.args.Spec.Functions[fn].Calls})
	}
	return out
}
