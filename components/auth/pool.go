package auth

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// poolArgs is what differs between the users' pool and the admin pool.
type poolArgs struct {
	logical, client string
	mfa             string
	groups          []string
	// adminOnly: no self sign-up; administrators create the users.
	adminOnly bool
	tags      map[string]string
}

// newPool creates a user pool (email sign-in, the configured password
// policy, TOTP, threat protection ENFORCED, deletion protection), its
// public SPA client and its groups, highest precedence first.
func (a *Auth) newPool(ctx *pulumi.Context, p poolArgs, args *Args) (*cognito.UserPool, *cognito.UserPoolClient, error) {
	parent := pulumi.Parent(a)
	spec := args.Spec
	poolOpts := []pulumi.ResourceOption{parent, pulumi.Protect(args.Protect)}
	if !spec.SchemaMigration {
		poolOpts = append(poolOpts, pulumi.IgnoreChanges(fixedAtCreation))
	}
	pa := &cognito.UserPoolArgs{
		UsernameAttributes:     pulumi.ToStringArray([]string{"email"}),
		AutoVerifiedAttributes: pulumi.ToStringArray([]string{"email"}),
		UsernameConfiguration:  &cognito.UserPoolUsernameConfigurationArgs{CaseSensitive: pulumi.Bool(false)},
		Schemas:                schema(),
		PasswordPolicy: &cognito.UserPoolPasswordPolicyArgs{
			MinimumLength:                 pulumi.Int(spec.PasswordMinLength),
			RequireLowercase:              pulumi.Bool(true),
			RequireUppercase:              pulumi.Bool(true),
			RequireNumbers:                pulumi.Bool(true),
			RequireSymbols:                pulumi.Bool(true),
			TemporaryPasswordValidityDays: pulumi.Int(spec.TemporaryPasswordDays),
		},
		MfaConfiguration:              pulumi.String(p.mfa),
		SoftwareTokenMfaConfiguration: &cognito.UserPoolSoftwareTokenMfaConfigurationArgs{Enabled: pulumi.Bool(true)},
		// Threat protection (advanced security) needs the Plus feature plan.
		UserPoolTier:   pulumi.String("PLUS"),
		UserPoolAddOns: &cognito.UserPoolUserPoolAddOnsArgs{AdvancedSecurityMode: pulumi.String("ENFORCED")},
		AccountRecoverySetting: &cognito.UserPoolAccountRecoverySettingArgs{
			RecoveryMechanisms: cognito.UserPoolAccountRecoverySettingRecoveryMechanismArray{
				cognito.UserPoolAccountRecoverySettingRecoveryMechanismArgs{Name: pulumi.String("verified_email"), Priority: pulumi.Int(1)},
			},
		},
		VerificationMessageTemplate: &cognito.UserPoolVerificationMessageTemplateArgs{DefaultEmailOption: pulumi.String("CONFIRM_WITH_CODE")},
		DeletionProtection:          pulumi.String("ACTIVE"),
	}
	if p.adminOnly {
		pa.AdminCreateUserConfig = &cognito.UserPoolAdminCreateUserConfigArgs{AllowAdminCreateUserOnly: pulumi.Bool(true)}
	}
	if len(p.tags) > 0 {
		pa.Tags = pulumi.ToStringMap(p.tags)
	}
	pool, err := cognito.NewUserPool(ctx, p.logical, pa, poolOpts...)
	if err != nil {
		return nil, nil, err
	}

	client, err := cognito.NewUserPoolClient(ctx, p.client, &cognito.UserPoolClientArgs{
		UserPoolId: pool.ID(),
		// A browser cannot keep a secret: the client is public and relies on
		// the authorization code flow with PKCE.
		GenerateSecret:                  pulumi.Bool(false),
		AllowedOauthFlowsUserPoolClient: pulumi.Bool(true),
		AllowedOauthFlows:               pulumi.ToStringArray([]string{"code"}),
		AllowedOauthScopes:              pulumi.ToStringArray([]string{"openid", "email", "profile"}),
		SupportedIdentityProviders:      pulumi.ToStringArray([]string{"COGNITO"}),
		CallbackUrls:                    pulumi.ToStringArray(spec.CallbackURLs),
		LogoutUrls:                      pulumi.ToStringArray(spec.LogoutURLs),
		ExplicitAuthFlows:               pulumi.ToStringArray([]string{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}),
		PreventUserExistenceErrors:      pulumi.String("ENABLED"),
		EnableTokenRevocation:           pulumi.Bool(true),
		AccessTokenValidity:             pulumi.Int(spec.TokenValidity.AccessMinutes),
		IdTokenValidity:                 pulumi.Int(spec.TokenValidity.IDMinutes),
		RefreshTokenValidity:            pulumi.Int(spec.TokenValidity.RefreshDays),
		TokenValidityUnits: &cognito.UserPoolClientTokenValidityUnitsArgs{
			AccessToken:  pulumi.String("minutes"),
			IdToken:      pulumi.String("minutes"),
			RefreshToken: pulumi.String("days"),
		},
	}, parent)
	if err != nil {
		return nil, nil, err
	}

	prefix := "group-"
	if p.logical != "users" {
		prefix = p.logical + "-group-"
	}
	for i, g := range p.groups {
		if _, err := cognito.NewUserGroup(ctx, prefix+g, &cognito.UserGroupArgs{
			UserPoolId:  pool.ID(),
			Name:        pulumi.String(g),
			Description: pulumi.String("Managed by Pulumi"),
			Precedence:  pulumi.Int(i),
		}, parent); err != nil {
			return nil, nil, err
		}
	}
	return pool, client, nil
}

// AdminAudience is the admin pool's Audience tag, which the cost model
// reads (it assumes fewer monthly active users there).
const AdminAudience = "administrators"

// newAdminPool creates the admin pool (config.Auth.AdminGroups): the
// privileged groups with MFA ON — Cognito's MFA setting is pool-wide, so a
// group cannot require a second factor in a pool where it is OPTIONAL
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa.html:
// "When you set MFA to required for a user pool, all users must complete
// MFA to sign in") — with sign-up by administrators only, its own public
// client and a prefix hosted UI domain, and adds VITE_COGNITO_ADMIN_* to
// vite. The API's authorizer (COGNITO_ADMIN_USER_POOL_ID) grants the
// admin groups only from this pool's tokens.
func (a *Auth) newAdminPool(ctx *pulumi.Context, args *Args, region pulumi.StringOutput, vite pulumi.StringMap) error {
	spec := args.Spec
	pool, client, err := a.newPool(ctx, poolArgs{
		logical: "admins", client: "admin-spa", mfa: "ON", groups: spec.AdminGroups, adminOnly: true,
		tags: map[string]string{"Audience": AdminAudience},
	}, args)
	if err != nil {
		return err
	}
	d, err := cognito.NewUserPoolDomain(ctx, "admin-hosted-ui", &cognito.UserPoolDomainArgs{
		UserPoolId: pool.ID(),
		Domain:     pulumi.String(spec.AdminDomainPrefix),
	}, pulumi.Parent(a))
	if err != nil {
		return err
	}
	a.AdminUserPoolID = pool.ID().ToStringOutput()
	a.AdminUserPoolClientID = client.ID().ToStringOutput()
	a.AdminIssuer = pulumi.Sprintf("https://%s", pool.Endpoint)
	a.AdminHostedUIDomain = pulumi.Sprintf("%s.auth.%s.amazoncognito.com", d.Domain, region)
	vite["VITE_COGNITO_ADMIN_USER_POOL_ID"] = a.AdminUserPoolID
	vite["VITE_COGNITO_ADMIN_CLIENT_ID"] = a.AdminUserPoolClientID
	vite["VITE_COGNITO_ADMIN_DOMAIN"] = a.AdminHostedUIDomain
	return nil
}
