// Package fleet is the ServiceFleet component: the stack's long-running
// services on ECS Fargate — an ECR repository per service, the cluster with
// Service Connect, one task definition, service, role pair, security group
// and autoscaling target per service, and the ALB in front of the public
// ones — all described by the `fleet` config section.
//
// Everything a service needs is derived from what it declares: `uses`
// (stores, buckets, queues, SES) gives it the owner's connection
// variables, grants and network access through the owner's methods;
// `publishes` gives it the bus's name and PutEvents for exactly those
// sources and detail types;
// `calls` gives it the callee's Service Connect URL and port; `secrets`
// are injected by its execution role. Nothing here names a service.
package fleet

import (
	"errors"
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/alarm"
	"github.com/dbay/infra/components/cert"
	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/components/internal/outputs"
	"github.com/dbay/infra/components/network"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
)

const typeToken = "dbay:components:ServiceFleet"

// Args configures the fleet.
type Args struct {
	// Spec is the validated `fleet` section (defaults applied). Required.
	Spec config.Fleet
	// Network is where the tasks (private subnets) and the ALB run. Required.
	Network *network.Network
	// Data owns the stores the services use. Nil: no service may use one.
	Data *datalayer.DataLayer
	// Secrets owns the secrets the services name. Nil: no service may name one.
	Secrets *secrets.Secrets
	// Env is the stack's: Project, Stack, Region and Domain required
	// (Partition: "aws" when empty); Environment names the cluster
	// <project>-<environment> (Dhanam's dhanam-production), empty: the
	// stack name; Protect protects the key, repositories and log bucket
	// and turns on the ALB's deletion protection.
	config.Env
	// Role is primary or recovery; the recovery role runs the standby
	// capacity (config fleet.standby).
	Role config.Role
	// Fenced pins every service to 0 (a primary fenced by dr.fenced after
	// a failover): ECS scaling targets min = max = 0, on EKS Deployments
	// at 0 replicas and no autoscaler. false: the role's capacity.
	Fenced bool
	// ReplicaRegion receives every repository's images through the
	// registry's replication configuration, and ReplicaProvider (required
	// with it) deploys there the creation template the replicated
	// repositories are created from (ecr.go). "": no replication.
	ReplicaRegion   string
	ReplicaProvider *aws.Provider
	// Replicas, in a recovery stack, are the primary's repositories as
	// replication creates them in this region: the fleet creates no
	// repository and runs their images. nil: the fleet owns its repositories.
	Replicas *ReplicaRepos
	// CalledFromVPC are the services callers outside the fleet (the
	// Lambdas) reach at InternalURLs. On ECS every service is in Cloud Map
	// anyway; on EKS each gets an internal endpoint (eks_endpoints.go) and
	// only these are in InternalURLs. Each must be a service.
	CalledFromVPC []string
	// Tags are the stack's tags: the provider's defaultTags do not reach
	// the repositories ECR creates by replication, so the creation
	// template gives them these.
	Tags map[string]string
	// ZoneID is the Route53 zone of Domain for the certificate's DNS
	// validation. Nil: the validation records are the output
	// certificateValidationRecords, to publish by hand before the HTTPS
	// listener can be created.
	ZoneID pulumi.StringInput
	// Certificates says which certificate of the stack pair writes each
	// DNS validation record (cert.Book). nil: this component's
	// certificates write their own.
	Certificates *cert.Book
	// OriginVerify, when set, makes every listener rule also require this
	// header and value: only requests that came through the CloudFront
	// distribution (which adds it) reach a service. nil: no header.
	OriginVerify *OriginVerify
}

// Fleet is the component.
type Fleet struct {
	pulumi.ResourceState

	// ServiceURLs are the Service Connect URLs by service (the seed's
	// *_SERVICE_URL values). They resolve only inside fleet tasks.
	ServiceURLs pulumi.StringMapOutput `pulumi:"serviceUrls"`
	// InternalURLs reach each service from anywhere in the VPC:
	// http://<name>-service.svc.<project>.internal:<port> (ECS: Cloud Map
	// DNS, every service; EKS: an internal NLB per service in
	// Args.CalledFromVPC). The Lambdas' *_SERVICE_URL values.
	InternalURLs pulumi.StringMapOutput `pulumi:"internalUrls"`
	// AlbDNSName, AlbZoneID and AlbArn of the load balancer.
	AlbDNSName pulumi.StringOutput `pulumi:"albDnsName"`
	AlbZoneID  pulumi.StringOutput `pulumi:"albZoneId"`
	AlbArn     pulumi.StringOutput `pulumi:"albArn"`
	// HTTPSListenerArn is what an API Gateway VPC link integration targets.
	HTTPSListenerArn pulumi.StringOutput `pulumi:"httpsListenerArn"`
	// ClusterName and ClusterArn of the ECS cluster.
	ClusterName pulumi.StringOutput `pulumi:"clusterName"`
	ClusterArn  pulumi.StringOutput `pulumi:"clusterArn"`
	// RepositoryURLs by service: where CI pushes (in a recovery stack:
	// the primary's replicas the services pull).
	RepositoryURLs pulumi.StringMapOutput `pulumi:"repositoryUrls"`
	// ReplicaRepositoryURLs are the repositories' replicas in ReplicaRegion
	// by repository name, and ReplicaImageKeyArn the key they are encrypted
	// with; zero without a ReplicaRegion.
	ReplicaRepositoryURLs pulumi.StringMapOutput
	ReplicaImageKeyArn    pulumi.StringOutput
	// MigrationCommands by service: the exact `aws ecs run-task` command.
	MigrationCommands pulumi.StringMapOutput `pulumi:"migrationCommands"`
	// VpcLinkSecurityGroupID is the SG to give the API Gateway VPC link
	// (ingress vpclink); "" otherwise.
	VpcLinkSecurityGroupID pulumi.StringOutput `pulumi:"vpcLinkSecurityGroupId"`
	// ServiceSecurityGroupIDs and TaskRoleArns by service.
	ServiceSecurityGroupIDs pulumi.StringMapOutput `pulumi:"serviceSecurityGroupIds"`
	TaskRoleArns            pulumi.StringMapOutput `pulumi:"taskRoleArns"`
	// OriginHealthCheckID measures the primary's ALB (FailoverOrigin), and
	// OriginFailoverSwitchID is the operator's switch the PRIMARY origin
	// record answers to; zero until FailoverOrigin, "" in a SECONDARY.
	OriginHealthCheckID    pulumi.StringOutput
	OriginFailoverSwitchID pulumi.StringOutput

	// Registered only when set (outputs:"optional"), zero otherwise.
	// AlbLogBucket is the ALB's access-log bucket (ALB access logs on).
	AlbLogBucket pulumi.StringOutput `pulumi:"albLogBucket" outputs:"optional"`
	// CertificateValidationRecords are the ALB certificate's DNS
	// validation records to create by hand (name, type, value): set only
	// without Args.ZoneID.
	CertificateValidationRecords pulumi.StringMapArrayOutput `pulumi:"certificateValidationRecords" outputs:"optional"`
	// EKSEndpoint and EKSOIDCProviderArn are the EKS cluster's API
	// endpoint and IRSA OIDC provider, KubeconfigCommand the `aws eks
	// update-kubeconfig` command for it: set only with runtime eks.
	EKSEndpoint        pulumi.StringOutput `pulumi:"eksEndpoint" outputs:"optional"`
	EKSOIDCProviderArn pulumi.StringOutput `pulumi:"eksOidcProviderArn" outputs:"optional"`
	KubeconfigCommand  pulumi.StringOutput `pulumi:"kubeconfigCommand" outputs:"optional"`

	args    *Args
	account pulumi.StringOutput
	key     *kms.Key
	cluster *ecs.Cluster
	// capacity is the cluster's capacity provider association services wait for.
	capacity  pulumi.Resource
	execLogs  *cloudwatch.LogGroup
	namespace pulumi.StringOutput
	albSG     *ec2.SecurityGroup
	albSuffix pulumi.StringOutput
	units     map[string]*unit
	alarms    []alarm.Spec
}

// unit is everything the fleet creates for one service.
type unit struct {
	spec     config.FleetService
	env      environment
	sg       *ec2.SecurityGroup
	repoURL  pulumi.StringOutput // the repository the service pulls from
	repoArn  pulumi.StringOutput
	imageKey pulumi.StringOutput // the key its images are encrypted with
	logs     *cloudwatch.LogGroup
	taskRole pulumi.StringOutput
	execRole pulumi.StringOutput
	target   pulumi.StringOutput // target group ARN; zero for internal services
	// targetSuffix is the target group's CloudWatch dimension; zero for internal services.
	targetSuffix pulumi.StringOutput
	registry     pulumi.StringOutput // Cloud Map DNS service ARN (discovery.go)
	rule         pulumi.Resource     // listener rule the service waits for
	// grantees are the service's roles (task and execution on ECS, IRSA on
	// EKS): the service and its pods wait for every grant to them.
	grantees []iamdoc.Grantee
	// The internal endpoint of a service called from the VPC on EKS
	// (eks_endpoints.go): its NLB's security group, target group and listener.
	vpcSG       *ec2.SecurityGroup
	vpcTarget   pulumi.StringOutput
	vpcListener pulumi.Resource
}

// New creates the fleet. Children inherit the providers passed in opts.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Fleet, error) {
	if args == nil || args.Network == nil || args.Project == "" || args.Stack == "" || args.Region == "" || args.Domain == "" {
		return nil, errors.New("fleet: Args.Network, Project, Stack, Region and Domain are required")
	}
	if err := checkEKSSpec(args.Spec); err != nil { // eks.go
		return nil, err
	}
	if len(args.Spec.Services) == 0 {
		return nil, errors.New("fleet: Spec.Services is empty")
	}
	for _, s := range args.Spec.Services {
		if s.ReadOnlyRootFilesystem == nil || s.User == nil || s.Port == 0 {
			return nil, fmt.Errorf("fleet: service %q has no defaults applied (config.Fleet.WithDefaults)", s.Name)
		}
	}
	if args.ReplicaRegion == args.Region {
		return nil, fmt.Errorf("fleet: ReplicaRegion %s is the stack's own region", args.Region)
	}
	for _, n := range args.CalledFromVPC {
		if !containsString(serviceNames(args.Spec.Services), n) {
			return nil, fmt.Errorf("fleet: CalledFromVPC names %q, which is not a service (have %v)", n, serviceNames(args.Spec.Services))
		}
	}
	if args.Replicas != nil && args.ReplicaRegion != "" {
		return nil, errors.New("fleet: a fleet running the primary's replicas (Replicas) replicates nothing (ReplicaRegion)")
	}
	if args.Partition == "" || args.Environment == "" {
		a := *args // a copy: the caller's Args are never written
		if a.Partition == "" {
			a.Partition = "aws"
		}
		if a.Environment == "" {
			a.Environment = a.Stack
		}
		args = &a
	}
	f := &Fleet{args: args, units: map[string]*unit{}}
	for _, s := range args.Spec.Services {
		f.units[s.Name] = &unit{spec: s}
	}
	// Environments first: a wrong reference fails before anything is registered.
	for _, s := range args.Spec.Services {
		env, err := buildRuntimeEnvironment(s, args.Spec.Services, args.Region, args.Data, args.Secrets, args.Spec.CallURL)
		if err != nil {
			return nil, fmt.Errorf("fleet: %s: %w", s.Name, err)
		}
		f.units[s.Name].env = env
	}
	if err := outputs.Component(ctx, typeToken, name, f, opts...); err != nil {
		return nil, err
	}
	f.account = iamdoc.Account(ctx, f)
	steps := []func(*pulumi.Context) error{f.newKey, f.newRepositories, f.newCluster, f.newSecurityGroups, f.newALB, f.newRoles, f.newDiscovery, f.newServices}
	if args.Spec.Runtime == config.RuntimeEKS {
		steps = f.eksSteps() // eks.go
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	f.collectOutputs()
	return f, outputs.Register(ctx, f)
}

func serviceNames(services []config.FleetService) []string {
	out := make([]string, 0, len(services))
	for _, s := range services {
		out = append(out, s.Name)
	}
	return out
}

// names returns the service names in config order.
func (f *Fleet) names() []string {
	out := make([]string, 0, len(f.args.Spec.Services))
	for _, s := range f.args.Spec.Services {
		out = append(out, s.Name)
	}
	return out
}

// clusterName is <project>-<environment>, as the Dhanam guide's commands name it.
func (f *Fleet) clusterName() string { return f.args.Project + "-" + f.args.Environment }

// family is a service's task definition family and ECS service name,
// <project>-<service> (the guide's dhanam-api).
func (f *Fleet) family(service string) string { return f.args.Project + "-" + service }

func (f *Fleet) collectOutputs() {
	urls, repos, sgs, roles := pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringMap{}
	for _, n := range f.names() {
		u := f.units[n]
		urls[n] = pulumi.String(f.args.Spec.CallURL(n, u.spec.Port))
		repos[n] = u.repoURL
		sgs[n] = u.sg.ID().ToStringOutput()
		roles[n] = u.taskRole
	}
	f.ServiceURLs = urls.ToStringMapOutput()
	f.RepositoryURLs = repos.ToStringMapOutput()
	f.ServiceSecurityGroupIDs = sgs.ToStringMapOutput()
	f.TaskRoleArns = roles.ToStringMapOutput()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// serviceCapacity is a service's min, max and first desired count: the role's
// (config.FleetService.Capacity), or 0, 0, 0 when the fleet is fenced.
func (f *Fleet) serviceCapacity(s config.FleetService) (lo, hi, desired int) {
	if f.args.Fenced {
		return 0, 0, 0
	}
	return s.Capacity(f.args.Role, f.args.Spec.Standby)
}
