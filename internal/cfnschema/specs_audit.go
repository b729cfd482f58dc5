package cfnschema

// The security baseline (components/baseline): the trail, GuardDuty,
// Security Hub and its standard, IAM Access Analyzer. Property shapes:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudtrail-trail.html,
// aws-resource-guardduty-detector.html, aws-resource-securityhub-hub.html,
// aws-resource-securityhub-standard.html, aws-resource-accessanalyzer-analyzer.html.
var auditSpecs = map[string]spec{
	"aws:cloudtrail/trail:Trail": {
		cfn:   "AWS::CloudTrail::Trail",
		attrs: map[string]string{"id": "Ref", "name": "Ref", "arn": "Arn"},
		build: func(b *builder) {
			b.set("TrailName", b.physical("name"))
			b.take("name")
			b.copy("s3BucketName", "S3BucketName", "s3KeyPrefix", "S3KeyPrefix", "isMultiRegionTrail", "IsMultiRegionTrail",
				"includeGlobalServiceEvents", "IncludeGlobalServiceEvents", "enableLogFileValidation", "EnableLogFileValidation",
				"kmsKeyId", "KMSKeyId", "cloudWatchLogsGroupArn", "CloudWatchLogsLogGroupArn", "cloudWatchLogsRoleArn", "CloudWatchLogsRoleArn",
				"isOrganizationTrail", "IsOrganizationTrail", "snsTopicName", "SnsTopicName")
			// The provider's enableLogging defaults to true; CloudFormation's
			// IsLogging is required.
			logging := b.take("enableLogging")
			if logging == nil {
				logging = true
			}
			b.set("IsLogging", logging)
			b.set("Tags", b.tags())
		},
	},
	"aws:guardduty/detector:Detector": {
		cfn:   "AWS::GuardDuty::Detector",
		attrs: map[string]string{"id": "Ref"},
		build: func(b *builder) {
			enable := b.take("enable")
			if enable == nil {
				enable = true // the provider's default; CloudFormation requires Enable
			}
			b.set("Enable", enable)
			b.copy("findingPublishingFrequency", "FindingPublishingFrequency")
			b.set("Tags", b.tags())
		},
	},
	"aws:securityhub/account:Account": {
		cfn:   "AWS::SecurityHub::Hub",
		attrs: map[string]string{"id": "Ref", "arn": "ARN"},
		build: func(b *builder) {
			b.copy("enableDefaultStandards", "EnableDefaultStandards", "controlFindingGenerator", "ControlFindingGenerator",
				"autoEnableControls", "AutoEnableControls")
		},
	},
	"aws:securityhub/standardsSubscription:StandardsSubscription": {
		cfn:   "AWS::SecurityHub::Standard",
		attrs: map[string]string{"id": "Ref"},
		build: func(b *builder) {
			b.copy("standardsArn", "StandardsArn")
		},
	},
	"aws:accessanalyzer/analyzer:Analyzer": {
		cfn:   "AWS::AccessAnalyzer::Analyzer",
		attrs: map[string]string{"id": "Ref", "arn": "Arn"},
		build: func(b *builder) {
			b.copy("analyzerName", "AnalyzerName", "type", "Type")
			b.set("Tags", b.tags())
		},
	},
}
