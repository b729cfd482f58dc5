package policy

import "github.com/dbay/infra/internal/mockengine"

func init() { topicFixtureSets = append(topicFixtureSets, lambdaFixtures) }

// lambdaFixtures are the fixtures of the sealed-reader rule.
func lambdaFixtures() map[string]fixture {
	const (
		xprivArn   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:dbay/prod/WALLET_MASTER_XPRIV-AbCdEf"
		signerRole = "arn:aws:iam::123456789012:role/dbay-build-and-sign-tx-us-east-1"
		cscArn     = "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0"
	)
	readerOnly := map[string]any{"ArnNotEquals": map[string]any{"aws:PrincipalArn": list1(signerRole, "arn:aws:iam::123456789012:role/dbay-break-glass")}}
	sealed := res(secretPolicy, "WALLET_MASTER_XPRIV", map[string]any{"secretArn": xprivArn, "policy": doc(
		map[string]any{"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Principal": "*", "Resource": "*", "Condition": readerOnly})})
	xpriv := res(secret, "WALLET_MASTER_XPRIV", map[string]any{"name": "dbay/prod/WALLET_MASTER_XPRIV"}, out("arn", xprivArn))
	role := res(iamRole, "build-and-sign-tx", map[string]any{"name": "dbay-build-and-sign-tx-us-east-1"}, out("arn", signerRole))
	otherRole := res(iamRole, "deposit-watcher", map[string]any{}, out("arn", "arn:aws:iam::123456789012:role/deposit-watcher-1a2b3c4"))
	csc := func(policy string) *mockengine.Resource {
		return res(codeSigningConfig, "signed", map[string]any{
			"allowedPublishers": map[string]any{"signingProfileVersionArns": list1("arn:aws:signer:us-east-1:123456789012:/signing-profiles/dbay_prod_lambda_1/abc")},
			"policies":          map[string]any{"untrustedArtifactOnDeployment": policy}}, out("arn", cscArn))
	}
	fn := func(name, roleArn, sg string, extra ...any) *mockengine.Resource {
		return res(function, name, with(map[string]any{"role": roleArn, "packageType": "Zip",
			"vpcConfig": map[string]any{"securityGroupIds": list1(sg)}}, extra...))
	}
	return map[string]fixture{
		"lambda-sealed-reader-signed-isolated": {
			good: one(sealed, xpriv, role, otherRole, csc("Enforce"),
				fn("build-and-sign-tx", signerRole, "sg-signer", "codeSigningConfigArn", cscArn),
				fn("deposit-watcher", otherRole.Outputs["arn"].StringValue(), "sg-watcher")),
			// Before issue 15: unsigned, in the group Redis admits with
			// deposit_watcher; and a config that only warns.
			bad: one(sealed, xpriv, role, otherRole, csc("Warn"),
				fn("build-and-sign-tx", signerRole, "sg-shared"),
				fn("deposit-watcher", otherRole.Outputs["arn"].StringValue(), "sg-shared", "codeSigningConfigArn", cscArn)),
		},
	}
}
