package baseline

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/accessanalyzer"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/guardduty"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/securityhub"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// FSBPArn is the AWS Foundational Security Best Practices standard in a
// Region: arn:<partition>:securityhub:<region>::standards/aws-foundational-security-best-practices/v/1.0.0
// (the standards table of pulumi-aws securityhub.StandardsSubscription;
// Security Hub's DescribeStandards lists the same ARN).
func FSBPArn(partition, region string) string {
	return fmt.Sprintf("arn:%s:securityhub:%s::standards/aws-foundational-security-best-practices/v/1.0.0", partition, region)
}

// newDetection creates the regional detection services: a GuardDuty
// detector, Security Hub subscribed to FSBP only, and an ACCOUNT IAM
// Access Analyzer. Each is one per account and Region: the stack owns it.
func (b *Baseline) newDetection(ctx *pulumi.Context) (pulumi.StringOutput, error) {
	a, parent := b.args, pulumi.Parent(b)
	detector, err := guardduty.NewDetector(ctx, "guardduty", &guardduty.DetectorArgs{
		Enable: pulumi.Bool(true),
		// Findings reach Security Hub and EventBridge within 15 minutes
		// (the default is six hours).
		FindingPublishingFrequency: pulumi.String("FIFTEEN_MINUTES"),
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	hub, err := securityhub.NewAccount(ctx, "securityhub", &securityhub.AccountArgs{
		// The default standards would add CIS v1.2.0 beside FSBP: the
		// standard is subscribed explicitly below, and nothing else.
		EnableDefaultStandards: pulumi.Bool(false),
		// One finding per control across standards (consolidated findings).
		ControlFindingGenerator: pulumi.String("SECURITY_CONTROL"),
		AutoEnableControls:      pulumi.Bool(true),
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if _, err := securityhub.NewStandardsSubscription(ctx, "fsbp", &securityhub.StandardsSubscriptionArgs{
		StandardsArn: pulumi.String(FSBPArn(a.Partition, a.Region)),
	}, parent, pulumi.DependsOn([]pulumi.Resource{hub})); err != nil {
		return pulumi.StringOutput{}, err
	}
	if _, err := accessanalyzer.NewAnalyzer(ctx, "access-analyzer", &accessanalyzer.AnalyzerArgs{
		AnalyzerName: pulumi.Sprintf("%s-%s", a.Project, a.Stack),
		Type:         pulumi.String("ACCOUNT"),
	}, parent); err != nil {
		return pulumi.StringOutput{}, err
	}
	return detector.ID().ToStringOutput(), nil
}
