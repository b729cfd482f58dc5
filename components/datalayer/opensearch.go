package datalayer

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/opensearch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/dr"
	"github.com/dbay/infra/internal/tokens"
)

// OpenSearch is the search domain (`uses: search`, ELASTICSEARCH_URL),
// reached through IAM as well as the network (GrantSearch).
const OpenSearch Store = "search"

func init() {
	registerStore(storeKind{store: OpenSearch, order: 50, build: (*DataLayer).newOpenSearch, resourceType: tokens.OpenSearchDomain,
		grant: (*DataLayer).GrantSearch})
}

// searchLogRetentionDays keeps OpenSearch application and audit logs a year.
const searchLogRetentionDays = 365

// searchLogTypes are the logs the domain publishes. AUDIT_LOGS is not one:
// audit logs exist only on a domain with fine-grained access control
// (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/audit-logs.html:
// "If your Amazon OpenSearch Service domain uses fine-grained access
// control, you can enable audit logs for your data"), which this domain
// does not use (see newOpenSearch). Rule opensearch-audit-logs-need-fgac
// keeps them apart.
var searchLogTypes = []string{"ES_APPLICATION_LOGS", "INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS"}

// newOpenSearch creates the search domain inside the VPC: zone awareness
// over up to three AZs, dedicated masters, encryption at rest with the
// layer key and node to node, HTTPS only with a TLS 1.2 policy, and its
// logs in CloudWatch.
//
// Access is IAM only: fine-grained access control (FGAC) is off, and a
// request is allowed when it is SigV4-signed by a role that the domain
// access policy (written by Seal, naming only the roles granted access)
// admits and whose own policy allows the es:ESHttp* action (GrantSearch).
// With FGAC on and an IAM master, every other role would also need an
// OpenSearch role mapping made inside the cluster ("unless you map roles to
// users, every request to the cluster ends in a permissions error",
// https://docs.aws.amazon.com/opensearch-service/latest/developerguide/fgac.html#fgac-mapping),
// which no Pulumi resource makes; IAM-only needs none, so a consumer works
// on its first request. docs/decisions.md "Design decisions" records the choice.
func (d *DataLayer) newOpenSearch(ctx *pulumi.Context) error {
	o := d.args.Spec.OpenSearch
	if o == nil {
		return nil
	}
	sg, err := d.newStoreSG(ctx, OpenSearch, config.OpenSearchPort, "OpenSearch: HTTPS from connected consumers only")
	if err != nil {
		return err
	}
	zones := min(len(d.args.Network.Layout[config.TierIsolated]), 3)
	admin, err := d.newSearchAdmin(ctx)
	if err != nil {
		return err
	}
	logs, logPolicy, err := d.newSearchLogs(ctx)
	if err != nil {
		return err
	}
	var tags pulumi.StringMap
	var opts []pulumi.ResourceOption
	switch d.mode {
	case secondary:
		tags, opts = d.searchSecondary()
	default:
		tags, opts = d.searchPrimary()
	}
	domain, err := opensearch.NewDomain(ctx, "search", &opensearch.DomainArgs{
		EngineVersion: pulumi.String(o.EngineVersion),
		ClusterConfig: &opensearch.DomainClusterConfigArgs{
			InstanceType:           pulumi.String(o.InstanceType),
			InstanceCount:          pulumi.Int(o.InstanceCount),
			ZoneAwarenessEnabled:   pulumi.Bool(zones > 1),
			ZoneAwarenessConfig:    &opensearch.DomainClusterConfigZoneAwarenessConfigArgs{AvailabilityZoneCount: pulumi.Int(zones)},
			DedicatedMasterEnabled: pulumi.Bool(*o.DedicatedMasters),
			DedicatedMasterType:    pulumi.String(o.MasterType),
			DedicatedMasterCount:   pulumi.Int(3),
		},
		EbsOptions: &opensearch.DomainEbsOptionsArgs{
			EbsEnabled: pulumi.Bool(true), VolumeType: pulumi.String("gp3"), VolumeSize: pulumi.Int(o.VolumeSize),
		},
		EncryptAtRest:        &opensearch.DomainEncryptAtRestArgs{Enabled: pulumi.Bool(true), KmsKeyId: d.key.Arn},
		NodeToNodeEncryption: &opensearch.DomainNodeToNodeEncryptionArgs{Enabled: pulumi.Bool(true)},
		DomainEndpointOptions: &opensearch.DomainDomainEndpointOptionsArgs{
			EnforceHttps:      pulumi.Bool(true),
			TlsSecurityPolicy: pulumi.String("Policy-Min-TLS-1-2-PFS-2023-10"),
		},
		VpcOptions: &opensearch.DomainVpcOptionsArgs{
			SubnetIds: d.args.Network.IsolatedSubnetIDs.ApplyT(func(ids []string) []string {
				return ids[:min(zones, len(ids))]
			}).(pulumi.StringArrayOutput),
			SecurityGroupIds: pulumi.StringArray{sg.ID()},
		},
		// FGAC off, said explicitly: advancedSecurityOptions is optional and
		// computed in the provider, so leaving it out would keep a deployed
		// domain's FGAC. Turning FGAC off replaces the domain (AWS cannot
		// disable it, fgac.html: "After you enable fine-grained access
		// control, you can't disable it"; the provider forces a new
		// resource on true -> false): CHANGELOG.md "What changed in this release".
		AdvancedSecurityOptions: &opensearch.DomainAdvancedSecurityOptionsArgs{Enabled: pulumi.Bool(false)},
		LogPublishingOptions:    logs,
		Tags:                    tags,
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{logPolicy}))...)
	if err != nil {
		return err
	}
	d.search = domain
	d.watchOpenSearch(domain.DomainName)
	d.searchAdmin = iamdoc.NewGrantee("search-admin", admin)
	d.stores[OpenSearch].conn = Connection{
		Store:   OpenSearch,
		Env:     map[string]pulumi.StringOutput{config.SearchURLVariable: pulumi.Sprintf("https://%s", domain.Endpoint)},
		Secrets: map[string]SecretRef{},
	}
	d.SearchEndpoint = domain.Endpoint
	d.SearchDomainArn = domain.Arn
	d.SearchAdminRoleArn = admin.Arn
	_, err = d.GrantSearch(ctx, d.searchAdmin)
	return err
}

// searchPrimary is the domain's tags and options on a primary (modes
// standalone and globalPrimary): no tags, protected.
func (d *DataLayer) searchPrimary() (pulumi.StringMap, []pulumi.ResourceOption) {
	return nil, d.protect()
}

// searchSecondary is a recovery stack's domain (mode secondary): it holds
// derived data only (rebuilt from PostgreSQL, dr class derived), tagged so
// for the policy pack's protection rules and the DR assessment, and is not
// protected: the stack builds it at failover and deletes it when it
// returns to standby, which a protected resource would refuse.
func (d *DataLayer) searchSecondary() (pulumi.StringMap, []pulumi.ResourceOption) {
	return pulumi.StringMap{dr.TagDataClass: pulumi.String(string(dr.Derived))}, []pulumi.ResourceOption{pulumi.Parent(d)}
}

// newSearchAdmin creates search-admin, the operators' role (index
// templates, a manual reindex, _cat): assumable by the account's
// administrators (only security.operatorRole when set), admitted by the
// domain policy and granted the HTTP API like any consumer.
func (d *DataLayer) newSearchAdmin(ctx *pulumi.Context) (*iam.Role, error) {
	parent := pulumi.Parent(d)
	// It was the FGAC master role (search-master); the alias keeps the role.
	trust := iam.GetPolicyDocumentStatementArgs{
		Actions: pulumi.ToStringArray([]string{"sts:AssumeRole"}),
		Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
			Type: pulumi.String("AWS"),
			Identifiers: pulumi.StringArray{d.account.ApplyT(func(a string) string {
				return fmt.Sprintf("arn:%s:iam::%s:root", d.args.Partition, a)
			}).(pulumi.StringOutput)},
		}},
	}
	if role := d.args.OperatorRole; role != "" {
		// Only the operators' role (security.operatorRole), named by a
		// condition so the role need not exist first (IAM validates a
		// principal ARN, not a condition value).
		trust.Conditions = iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
			Test: pulumi.String("ArnEquals"), Variable: pulumi.String("aws:PrincipalArn"),
			Values: pulumi.StringArray{pulumi.Sprintf("arn:%s:iam::%s:role/%s", d.args.Partition, d.account, role)},
		}}
	}
	admin, err := iam.NewRole(ctx, "search-admin", &iam.RoleArgs{
		Description: pulumi.String("OpenSearch administrator: signed HTTP API calls to the search domain; assumed by the operators' role"),
		AssumeRolePolicy: iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
			Statements: iam.GetPolicyDocumentStatementArray{trust},
		}, parent).Json(),
	}, parent, pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String("search-master")}}))
	if err != nil {
		return nil, err
	}
	return admin, nil
}

// newSearchLogs creates the domain's log groups (searchLogTypes) and the
// resource policy that lets OpenSearch write to them; the domain waits
// for the policy.
func (d *DataLayer) newSearchLogs(ctx *pulumi.Context) (opensearch.DomainLogPublishingOptionArray, *cloudwatch.LogResourcePolicy, error) {
	parent := pulumi.Parent(d)
	var logs opensearch.DomainLogPublishingOptionArray
	var logArns pulumi.StringArray
	for _, t := range searchLogTypes {
		lg, err := cloudwatch.NewLogGroup(ctx, "search-"+kebabLog(t), &cloudwatch.LogGroupArgs{
			RetentionInDays: pulumi.Int(searchLogRetentionDays),
			KmsKeyId:        d.key.Arn,
		}, parent, pulumi.RetainOnDelete(true))
		if err != nil {
			return nil, nil, err
		}
		logs = append(logs, opensearch.DomainLogPublishingOptionArgs{
			LogType: pulumi.String(t), CloudwatchLogGroupArn: lg.Arn, Enabled: pulumi.Bool(true),
		})
		logArns = append(logArns, pulumi.Sprintf("%s:*", lg.Arn))
	}
	logPolicy, err := cloudwatch.NewLogResourcePolicy(ctx, "search-logs", &cloudwatch.LogResourcePolicyArgs{
		PolicyName: pulumi.Sprintf("%s-%s-opensearch-logs", d.args.Project, ctx.Stack()),
		PolicyDocument: iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
			Statements: iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
				Actions: pulumi.ToStringArray([]string{"logs:PutLogEvents", "logs:CreateLogStream"}),
				Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
					Type: pulumi.String("Service"), Identifiers: pulumi.ToStringArray([]string{"es.amazonaws.com"}),
				}},
				Resources: logArns,
				Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
					Test: pulumi.String("StringEquals"), Variable: pulumi.String("aws:SourceAccount"), Values: pulumi.StringArray{d.account},
				}},
			}},
		}, parent).Json(),
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	return logs, logPolicy, nil
}

func kebabLog(t string) string {
	return map[string]string{
		"ES_APPLICATION_LOGS": "application", "INDEX_SLOW_LOGS": "index-slow", "SEARCH_SLOW_LOGS": "search-slow",
	}[t]
}
