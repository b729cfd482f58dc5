package policy

import (
	"fmt"
	"strings"

	"github.com/dbay/infra/internal/mockengine"
)

// deputySource is AWS's confused-deputy guidance: a statement granting a
// service principal names the account (aws:SourceAccount) or the resource
// (aws:SourceArn) it acts for.
const deputySource = "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"

// deputyExempt are service principals that do not send aws:SourceAccount
// or aws:SourceArn on the call the statement allows, so a condition would
// lock the service out; each with the page that says so.
var deputyExempt = map[string]string{
	// "API Gateway does not pass aws:SourceAccount" for the account-wide
	// CloudWatch Logs role (components/serverless/websocket.go).
	"apigateway.amazonaws.com": "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
	// EC2 instance profiles (EKS nodes) are assumed by the instance itself.
	"ec2.amazonaws.com": "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html",
	// The EKS cluster role is assumed by the control plane for this cluster only.
	"eks.amazonaws.com": "https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html",
	// ECR's repository-creation-template role: the documented trust policy
	// names no condition key (components/fleet/ecr.go).
	"ecr.amazonaws.com": "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates.html",
	// ALB access logs: the documented bucket policy has no condition; its
	// resource is the account's own AWSLogs/<account-id>/ prefix.
	"logdelivery.elasticloadbalancing.amazonaws.com": "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
	// CloudFront standard (legacy) logs to an SSE-KMS bucket: the
	// documented key policy statement has no condition.
	"delivery.logs.amazonaws.com": "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html",
}

// deputyRules: a service granted something acts for this account only.
func deputyRules() []Rule {
	return []Rule{{
		ID: "service-principal-source-condition", Severity: Medium, Types: documentTypes(resourceDoc, keyDoc, trustDoc),
		Category: CategoryBestPractice, Source: deputySource,
		Title: "Every statement allowing a service principal names the account or resource it acts for (aws:SourceAccount / aws:SourceArn / aws:SourceOwner), except services that send neither",
		Check: func(r *mockengine.Resource, x Index) []string {
			var out []string
			for _, d := range documents(x.In(r), r.Type) {
				if d.kind == identityDoc {
					continue
				}
				for _, s := range d.doc.Statement {
					if !s.allows() {
						continue
					}
					p, _ := s.Principal.(map[string]any)
					for _, svc := range strs(p["Service"]) {
						if _, ok := deputyExempt[svc]; ok || sourceConditioned(s) {
							continue
						}
						out = append(out, problem(r, fmt.Sprintf("%s of %s lets %s act for any account", sid(s), d.where, svc),
							"add aws:SourceAccount (this account) or aws:SourceArn (the resource the service acts for)"))
					}
				}
			}
			return out
		},
	}}
}

// sourceConditioned reports whether a statement conditions on the source
// account, ARN or owner (any operator).
func sourceConditioned(s statement) bool {
	for _, kv := range s.Condition {
		for k := range obj(kv) {
			switch strings.ToLower(k) {
			case "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "kms:viaservice", "kms:encryptioncontext:aws:logs:arn":
				return true
			}
		}
	}
	return false
}
