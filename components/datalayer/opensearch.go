package datalayer

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/opensearch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/config"
)

// searchLogRetentionDays keeps OpenSearch application and audit logs a year.
const searchLogRetentionDays = 365

var searchLogTypes = []string{"AUDIT_LOGS", "ES_APPLICATION_LOGS", "INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS"}

// newOpenSearch creates the search domain inside the VPC: zone awareness
// over up to three AZs, dedicated masters, encryption at rest with the
// layer key and node to node, HTTPS only with a TLS 1.2 policy, fine-grained
// access control with an IAM master role, and its logs in CloudWatch. The
// access policy is written by Seal, naming only the roles granted access.
func (d *DataLayer) newOpenSearch(ctx *pulumi.Context) error {
	o := d.args.Spec.OpenSearch
	if o == nil {
		return nil
	}
	parent := pulumi.Parent(d)
	sg, err := d.newStoreSG(ctx, OpenSearch, config.OpenSearchPort, "OpenSearch: HTTPS from connected consumers only")
	if err != nil {
		return err
	}
	zones := min(len(d.args.Network.Layout[config.TierIsolated]), 3)
	master, err := iam.NewRole(ctx, "search-master", &iam.RoleArgs{
		Description: pulumi.String("OpenSearch fine-grained access control master; assumed by administrators"),
		AssumeRolePolicy: iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
			Statements: iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
				Actions: pulumi.ToStringArray([]string{"sts:AssumeRole"}),
				Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
					Type: pulumi.String("AWS"),
					Identifiers: pulumi.StringArray{d.account.ApplyT(func(a string) string {
						return fmt.Sprintf("arn:%s:iam::%s:root", d.args.Partition, a)
					}).(pulumi.StringOutput)},
				}},
			}},
		}, parent).Json(),
	}, parent)
	if err != nil {
		return err
	}

	var logs opensearch.DomainLogPublishingOptionArray
	var logArns pulumi.StringArray
	for _, t := range searchLogTypes {
		lg, err := cloudwatch.NewLogGroup(ctx, "search-"+kebabLog(t), &cloudwatch.LogGroupArgs{
			RetentionInDays: pulumi.Int(searchLogRetentionDays),
			KmsKeyId:        d.key.Arn,
		}, parent, pulumi.RetainOnDelete(true))
		if err != nil {
			return err
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
		return err
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
		AdvancedSecurityOptions: &opensearch.DomainAdvancedSecurityOptionsArgs{
			Enabled:                     pulumi.Bool(true),
			InternalUserDatabaseEnabled: pulumi.Bool(false),
			AnonymousAuthEnabled:        pulumi.Bool(false),
			MasterUserOptions:           &opensearch.DomainAdvancedSecurityOptionsMasterUserOptionsArgs{MasterUserArn: master.Arn},
		},
		LogPublishingOptions: logs,
	}, append(d.protect(), pulumi.DependsOn([]pulumi.Resource{logPolicy}))...)
	if err != nil {
		return err
	}
	d.search = domain
	d.watchOpenSearch(domain.DomainName)
	d.searchMaster = master
	d.stores[OpenSearch].conn = Connection{
		Store:   OpenSearch,
		Env:     map[string]pulumi.StringOutput{"ELASTICSEARCH_URL": pulumi.Sprintf("https://%s", domain.Endpoint)},
		Secrets: map[string]SecretRef{},
	}
	d.outputs["searchEndpoint"] = domain.Endpoint
	d.outputs["searchDomainArn"] = domain.Arn
	d.outputs["searchMasterRoleArn"] = master.Arn
	return nil
}

func kebabLog(t string) string {
	return map[string]string{
		"AUDIT_LOGS": "audit", "ES_APPLICATION_LOGS": "application", "INDEX_SLOW_LOGS": "index-slow", "SEARCH_SLOW_LOGS": "search-slow",
	}[t]
}
