package cfnschema

// API Gateway, Cognito, AWS Backup and SES.
var apiSpecs = map[string]spec{
	"aws:apigateway/account:Account": {
		cfn:  "AWS::ApiGateway::Account",
		skip: map[string]string{"resetOnDelete": "a provider-side behaviour on delete"},
		build: func(b *builder) {
			b.raw("cloudwatchRoleArn", "CloudWatchRoleArn")
		},
	},
	"aws:apigatewayv2/api:Api": {
		cfn:   "AWS::ApiGatewayV2::Api",
		attrs: map[string]string{"id": "Ref"},
		build: func(b *builder) {
			b.set("Name", b.physical("name"))
			b.take("name")
			b.copy("protocolType", "ProtocolType", "description", "Description", "disableExecuteApiEndpoint", "DisableExecuteApiEndpoint",
				"routeSelectionExpression", "RouteSelectionExpression", "apiKeySelectionExpression", "ApiKeySelectionExpression",
				"ipAddressType", "IpAddressType", "corsConfiguration", "CorsConfiguration", "version", "Version",
				"failOnWarnings", "FailOnWarnings", "credentialsArn", "CredentialsArn", "routeKey", "RouteKey", "target", "Target")
			b.set("Body", doc(b.take("body")))
			b.set("Tags", b.tagMap())
		},
	},
	"aws:apigatewayv2/apiMapping:ApiMapping": {
		cfn: "AWS::ApiGatewayV2::ApiMapping",
		build: func(b *builder) {
			b.copy("apiId", "ApiId", "domainName", "DomainName", "stage", "Stage", "apiMappingKey", "ApiMappingKey")
		},
	},
	"aws:apigatewayv2/authorizer:Authorizer": {
		cfn:   "AWS::ApiGatewayV2::Authorizer",
		attrs: map[string]string{"id": "Ref"},
		build: func(b *builder) {
			b.copy("apiId", "ApiId", "authorizerType", "AuthorizerType", "authorizerUri", "AuthorizerUri",
				"authorizerPayloadFormatVersion", "AuthorizerPayloadFormatVersion", "authorizerResultTtlInSeconds", "AuthorizerResultTtlInSeconds",
				"enableSimpleResponses", "EnableSimpleResponses", "identitySources", "IdentitySource", "name", "Name",
				"authorizerCredentialsArn", "AuthorizerCredentialsArn", "jwtConfiguration", "JwtConfiguration")
		},
	},
	"aws:apigatewayv2/domainName:DomainName": {
		cfn:   "AWS::ApiGatewayV2::DomainName",
		attrs: map[string]string{"id": "Ref"},
		build: func(b *builder) {
			b.copy("domainName", "DomainName", "mutualTlsAuthentication", "MutualTlsAuthentication", "routingMode", "RoutingMode")
			if c := b.take("domainNameConfiguration"); c != nil {
				b.set("DomainNameConfigurations", []any{pascal(c, nil)})
			}
			b.set("Tags", b.tagMap())
		},
	},
	"aws:apigatewayv2/integration:Integration": {
		cfn:   "AWS::ApiGatewayV2::Integration",
		attrs: map[string]string{"id": "Ref"},
		build: func(b *builder) {
			b.copy("apiId", "ApiId", "connectionId", "ConnectionId", "connectionType", "ConnectionType",
				"contentHandlingStrategy", "ContentHandlingStrategy", "description", "Description", "integrationMethod", "IntegrationMethod",
				"integrationType", "IntegrationType", "integrationUri", "IntegrationUri", "integrationSubtype", "IntegrationSubtype",
				"passthroughBehavior", "PassthroughBehavior", "payloadFormatVersion", "PayloadFormatVersion",
				"timeoutMilliseconds", "TimeoutInMillis", "tlsConfig", "TlsConfig", "credentialsArn", "CredentialsArn",
				"templateSelectionExpression", "TemplateSelectionExpression")
			b.raw("requestParameters", "RequestParameters", "requestTemplates", "RequestTemplates", "responseParameters", "ResponseParameters")
		},
	},
	"aws:apigatewayv2/route:Route": {
		cfn: "AWS::ApiGatewayV2::Route",
		build: func(b *builder) {
			b.copy("apiId", "ApiId", "authorizationType", "AuthorizationType", "authorizerId", "AuthorizerId", "routeKey", "RouteKey",
				"target", "Target", "apiKeyRequired", "ApiKeyRequired", "authorizationScopes", "AuthorizationScopes",
				"operationName", "OperationName", "routeResponseSelectionExpression", "RouteResponseSelectionExpression",
				"modelSelectionExpression", "ModelSelectionExpression")
		},
	},
	"aws:apigatewayv2/stage:Stage": {
		cfn: "AWS::ApiGatewayV2::Stage",
		build: func(b *builder) {
			b.copy("apiId", "ApiId", "name", "StageName", "autoDeploy", "AutoDeploy", "accessLogSettings", "AccessLogSettings",
				"defaultRouteSettings", "DefaultRouteSettings", "description", "Description", "deploymentId", "DeploymentId",
				"clientCertificateId", "ClientCertificateId")
			if rs := list(b.take("routeSettings")); len(rs) > 0 {
				m := map[string]any{}
				for _, r := range rs {
					r := obj(r)
					key, _ := r["routeKey"].(string)
					delete(r, "routeKey")
					m[key] = pascal(r, nil)
				}
				b.set("RouteSettings", m)
			}
			b.raw("stageVariables", "StageVariables")
			b.set("Tags", b.tagMap())
		},
	},
	"aws:apigatewayv2/vpcLink:VpcLink": {
		cfn:   "AWS::ApiGatewayV2::VpcLink",
		attrs: map[string]string{"id": "Ref"},
		build: func(b *builder) {
			b.copy("name", "Name", "securityGroupIds", "SecurityGroupIds", "subnetIds", "SubnetIds")
			b.set("Tags", b.tagMap())
		},
	},
	"aws:cognito/userPool:UserPool": {
		cfn:   "AWS::Cognito::UserPool",
		attrs: map[string]string{"id": "Ref", "arn": "Arn"},
		build: func(b *builder) {
			b.set("UserPoolName", b.physical("name"))
			b.take("name")
			b.copy("accountRecoverySetting", "AccountRecoverySetting", "autoVerifiedAttributes", "AutoVerifiedAttributes",
				"deletionProtection", "DeletionProtection", "mfaConfiguration", "MfaConfiguration", "userPoolAddOns", "UserPoolAddOns",
				"userPoolTier", "UserPoolTier", "usernameAttributes", "UsernameAttributes", "aliasAttributes", "AliasAttributes",
				"usernameConfiguration", "UsernameConfiguration", "verificationMessageTemplate", "VerificationMessageTemplate",
				"adminCreateUserConfig", "AdminCreateUserConfig", "deviceConfiguration", "DeviceConfiguration",
				"emailConfiguration", "EmailConfiguration", "userAttributeUpdateSettings", "UserAttributeUpdateSettings",
				"emailVerificationMessage", "EmailVerificationMessage", "emailVerificationSubject", "EmailVerificationSubject",
				"smsAuthenticationMessage", "SmsAuthenticationMessage", "smsVerificationMessage", "SmsVerificationMessage")
			policies := map[string]any{}
			if pp := b.take("passwordPolicy"); pp != nil {
				policies["PasswordPolicy"] = pascal(pp, nil)
			}
			if sp := b.take("signInPolicy"); sp != nil {
				policies["SignInPolicy"] = pascal(sp, nil)
			}
			if len(policies) > 0 {
				b.set("Policies", policies)
			}
			b.set("Schema", pascal(b.take("schemas"), nil))
			if st := obj(b.take("softwareTokenMfaConfiguration")); st != nil && st["enabled"] == true {
				b.set("EnabledMfas", []any{"SOFTWARE_TOKEN_MFA"})
			}
			b.set("LambdaConfig", pascal(b.take("lambdaConfig"), map[string]string{"kmsKeyId": "KMSKeyID"}))
			b.set("UserPoolTags", b.tagMap())
		},
	},
	"aws:cognito/userPoolClient:UserPoolClient": {
		cfn: "AWS::Cognito::UserPoolClient",
		build: func(b *builder) {
			b.set("ClientName", b.physical("name"))
			b.take("name")
			b.copy("userPoolId", "UserPoolId", "accessTokenValidity", "AccessTokenValidity", "allowedOauthFlows", "AllowedOAuthFlows",
				"allowedOauthFlowsUserPoolClient", "AllowedOAuthFlowsUserPoolClient", "allowedOauthScopes", "AllowedOAuthScopes",
				"callbackUrls", "CallbackURLs", "enableTokenRevocation", "EnableTokenRevocation", "explicitAuthFlows", "ExplicitAuthFlows",
				"generateSecret", "GenerateSecret", "idTokenValidity", "IdTokenValidity", "logoutUrls", "LogoutURLs",
				"preventUserExistenceErrors", "PreventUserExistenceErrors", "refreshTokenValidity", "RefreshTokenValidity",
				"supportedIdentityProviders", "SupportedIdentityProviders", "tokenValidityUnits", "TokenValidityUnits",
				"defaultRedirectUri", "DefaultRedirectURI", "readAttributes", "ReadAttributes", "writeAttributes", "WriteAttributes",
				"authSessionValidity", "AuthSessionValidity", "enablePropagateAdditionalUserContextData", "EnablePropagateAdditionalUserContextData")
		},
	},
	"aws:cognito/userPoolDomain:UserPoolDomain": {
		cfn: "AWS::Cognito::UserPoolDomain",
		build: func(b *builder) {
			b.copy("domain", "Domain", "userPoolId", "UserPoolId", "managedLoginVersion", "ManagedLoginVersion")
			if c := b.take("certificateArn"); c != nil {
				b.set("CustomDomainConfig", map[string]any{"CertificateArn": c})
			}
		},
	},
	"aws:cognito/userGroup:UserGroup": {
		cfn: "AWS::Cognito::UserPoolGroup",
		build: func(b *builder) {
			b.copy("name", "GroupName", "description", "Description", "precedence", "Precedence", "roleArn", "RoleArn", "userPoolId", "UserPoolId")
		},
	},
	"aws:backup/vault:Vault": {
		cfn:   "AWS::Backup::BackupVault",
		attrs: map[string]string{"id": "Ref", "name": "Ref", "arn": "BackupVaultArn"},
		skip:  map[string]string{"forceDestroy": "a provider-side behaviour on delete"},
		build: func(b *builder) {
			b.set("BackupVaultName", b.physical("name"))
			b.take("name")
			b.raw("kmsKeyArn", "EncryptionKeyArn")
			b.set("BackupVaultTags", b.tagMap())
		},
	},
	"aws:backup/vaultPolicy:VaultPolicy": {
		cfn: "AWS::Backup::BackupVault", into: "aws:backup/vault:Vault", key: "backupVaultName",
		build: func(b *builder) {
			b.set("AccessPolicy", doc(b.take("policy")))
		},
	},
	"aws:backup/vaultLockConfiguration:VaultLockConfiguration": {
		cfn: "AWS::Backup::BackupVault", into: "aws:backup/vault:Vault", key: "backupVaultName",
		build: func(b *builder) {
			lock := map[string]any{}
			for in, out := range map[string]string{"minRetentionDays": "MinRetentionDays", "maxRetentionDays": "MaxRetentionDays", "changeableForDays": "ChangeableForDays"} {
				if v := b.take(in); v != nil {
					lock[out] = v
				}
			}
			b.set("LockConfiguration", lock)
		},
	},
	"aws:backup/plan:Plan": {
		cfn:   "AWS::Backup::BackupPlan",
		attrs: map[string]string{"id": "Ref"},
		build: func(b *builder) {
			plan := map[string]any{"BackupPlanName": b.take("name")}
			var rules []any
			for _, r := range list(b.take("rules")) {
				rules = append(rules, pascal(r, map[string]string{
					"completionWindow": "CompletionWindowMinutes", "startWindow": "StartWindowMinutes",
					"schedule": "ScheduleExpression", "targetVaultName": "TargetBackupVault", "deleteAfter": "DeleteAfterDays",
					"coldStorageAfter": "MoveToColdStorageAfterDays", "destinationVaultArn": "DestinationBackupVaultArn",
					"recoveryPointTags": "=RecoveryPointTags",
				}))
			}
			plan["BackupPlanRule"] = rules
			if a := b.take("advancedBackupSettings"); a != nil {
				plan["AdvancedBackupSettings"] = pascal(a, map[string]string{"backupOptions": "=BackupOptions"})
			}
			b.set("BackupPlan", plan)
			b.set("BackupPlanTags", b.tagMap())
		},
	},
	"aws:backup/selection:Selection": {
		cfn: "AWS::Backup::BackupSelection",
		build: func(b *builder) {
			b.raw("planId", "BackupPlanId")
			sel := map[string]any{"SelectionName": b.take("name"), "IamRoleArn": b.take("iamRoleArn")}
			for in, out := range map[string]string{"resources": "Resources", "notResources": "NotResources"} {
				if v := nonEmpty(b.take(in)); v != nil {
					sel[out] = v
				}
			}
			var tagsList []any
			for _, t := range list(b.take("selectionTags")) {
				t := obj(t)
				tagsList = append(tagsList, map[string]any{"ConditionType": t["type"], "ConditionKey": t["key"], "ConditionValue": t["value"]})
			}
			if tagsList != nil {
				sel["ListOfTags"] = tagsList
			}
			conds := map[string]any{}
			for _, c := range list(b.take("conditions")) {
				for op, kvs := range obj(c) {
					var l []any
					for _, kv := range list(kvs) {
						kv := obj(kv)
						l = append(l, map[string]any{"ConditionKey": kv["key"], "ConditionValue": kv["value"]})
					}
					if l != nil {
						conds[upperFirst(op)] = l
					}
				}
			}
			if len(conds) > 0 {
				sel["Conditions"] = conds
			}
			dropNil(sel)
			b.set("BackupSelection", sel)
		},
	},
	"aws:sesv2/configurationSet:ConfigurationSet": {
		cfn: "AWS::SES::ConfigurationSet",
		build: func(b *builder) {
			b.copy("configurationSetName", "Name", "deliveryOptions", "DeliveryOptions", "sendingOptions", "SendingOptions",
				"suppressionOptions", "SuppressionOptions", "trackingOptions", "TrackingOptions", "vdmOptions", "VdmOptions")
			if ro := obj(b.take("reputationOptions")); ro != nil {
				b.set("ReputationOptions", pascal(map[string]any{"reputationMetricsEnabled": ro["reputationMetricsEnabled"]}, nil))
			}
			b.set("Tags", b.tags())
		},
	},
	"aws:sesv2/emailIdentity:EmailIdentity": {
		cfn: "AWS::SES::EmailIdentity",
		build: func(b *builder) {
			b.raw("emailIdentity", "EmailIdentity")
			if cs := b.take("configurationSetName"); cs != nil {
				b.set("ConfigurationSetAttributes", map[string]any{"ConfigurationSetName": cs})
			}
			b.set("DkimSigningAttributes", pascal(b.take("dkimSigningAttributes"), nil))
			b.set("Tags", b.tags())
		},
	},
}
