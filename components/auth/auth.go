// Package auth is the Auth component: the Cognito user pool (email sign-in,
// strong passwords, TOTP MFA, threat protection enforced), the SPA's public
// app client (authorization code + PKCE), the hosted UI domain and the user
// groups, plus the values the frontend build and the API authorizer need.
package auth

import (
	"errors"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/cert"
	"github.com/dbay/infra/components/internal/outputs"
	"github.com/dbay/infra/config"
)

const typeToken = "dbay:components:Auth"

// fixedAtCreation are the user pool properties Cognito cannot change in
// place: a change replaces the pool, and a new pool has no users. They are
// ignored after creation unless the config's schemaMigration flag is set.
var fixedAtCreation = []string{"schemas", "usernameAttributes", "aliasAttributes", "usernameConfiguration"}

// Args configures the auth component.
type Args struct {
	// Spec is the validated `auth` config section (defaults applied). Required.
	Spec config.Auth
	// Env is the stack's: Domain (the apex domain) required; Protect
	// protects the user pool from deletion by Pulumi (true in prod).
	config.Env
	// APIBaseURL is the API the SPA calls (VITE_API_BASE_URL), e.g. the API
	// Gateway stage URL + "/api/v1", or https://app.<domain>/api/v1 when the
	// distribution routes /api/* to it. Required.
	APIBaseURL pulumi.StringInput
	// WebSocketURL is the WebSocket API the SPA connects to (VITE_WS_URL),
	// e.g. wss://app.<domain>/ws when the distribution routes /ws to it.
	// nil: no VITE_WS_URL.
	WebSocketURL pulumi.StringInput
	// GlobalProvider is an AWS provider in us-east-1, where Cognito wants the
	// custom domain's certificate. Required when Spec.CustomDomain.
	GlobalProvider *aws.Provider
	// ZoneID is the hosted zone of the domain, for the certificate
	// validation and auth.<domain> records. Required when Spec.CustomDomain.
	ZoneID pulumi.StringInput
	// Certificates says which certificate of the stack pair writes each
	// DNS validation record (cert.Book). nil: this component's
	// certificates write their own.
	Certificates *cert.Book
	// ParentRecord is the domain's own A record (the frontend's apex alias):
	// Cognito refuses a custom domain whose parent does not resolve, so the
	// hosted UI domain waits for it. nil: no wait.
	ParentRecord pulumi.Resource
}

// Auth is the Cognito user pool and what hangs off it.
type Auth struct {
	pulumi.ResourceState

	UserPoolID       pulumi.StringOutput `pulumi:"userPoolId"`
	UserPoolArn      pulumi.StringOutput `pulumi:"userPoolArn"`
	UserPoolClientID pulumi.StringOutput `pulumi:"userPoolClientId"`
	// Region is the region the pool lives in, read from its ARN.
	Region pulumi.StringOutput `pulumi:"region"`
	// Issuer is the token issuer the API's JWT authorizer trusts.
	Issuer pulumi.StringOutput `pulumi:"issuer"`
	// HostedUIDomain is the hosted UI's host name (auth.<domain>, or the
	// prefix domain under amazoncognito.com).
	HostedUIDomain pulumi.StringOutput `pulumi:"hostedUiDomain"`
	// ViteEnv are the frontend's build-time variables (seed §7), plus
	// VITE_COGNITO_ADMIN_* with an admin pool.
	ViteEnv pulumi.StringMapOutput `pulumi:"viteEnv"`
	// AdminUserPoolID, AdminUserPoolClientID, AdminIssuer and
	// AdminHostedUIDomain are the admin pool's (config.Auth.AdminGroups);
	// "" without one.
	AdminUserPoolID       pulumi.StringOutput `pulumi:"adminUserPoolId"`
	AdminUserPoolClientID pulumi.StringOutput `pulumi:"adminUserPoolClientId"`
	AdminIssuer           pulumi.StringOutput `pulumi:"adminIssuer"`
	AdminHostedUIDomain   pulumi.StringOutput `pulumi:"adminHostedUiDomain"`
}

// New creates the user pool, its SPA client, its domain and groups. Children
// inherit the (regional) providers passed in opts; the custom domain's
// certificate uses Args.GlobalProvider.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Auth, error) {
	if err := args.check(); err != nil {
		return nil, err
	}
	a := &Auth{}
	if err := outputs.Component(ctx, typeToken, name, a, opts...); err != nil {
		return nil, err
	}
	spec := args.Spec

	pool, client, err := a.newPool(ctx, poolArgs{logical: "users", client: "spa", mfa: spec.MFA, groups: spec.UserGroups()}, args)
	if err != nil {
		return nil, err
	}

	region := pool.Arn.ApplyT(regionOf).(pulumi.StringOutput)
	host, err := a.domain(ctx, pool, region, args)
	if err != nil {
		return nil, err
	}

	a.UserPoolID = pool.ID().ToStringOutput()
	a.UserPoolArn = pool.Arn
	a.UserPoolClientID = client.ID().ToStringOutput()
	a.Region = region
	a.Issuer = pulumi.Sprintf("https://%s", pool.Endpoint)
	a.HostedUIDomain = host
	vite := pulumi.StringMap{
		"VITE_USE_COGNITO":          pulumi.String("true"),
		"VITE_COGNITO_USER_POOL_ID": a.UserPoolID,
		"VITE_COGNITO_CLIENT_ID":    a.UserPoolClientID,
		"VITE_AWS_REGION":           region,
		"VITE_API_BASE_URL":         args.APIBaseURL,
		"VITE_COGNITO_DOMAIN":       host,
	}
	a.AdminUserPoolID, a.AdminUserPoolClientID, a.AdminIssuer, a.AdminHostedUIDomain = none(), none(), none(), none()
	if spec.HasAdminPool() {
		if err := a.newAdminPool(ctx, args, region, vite); err != nil {
			return nil, err
		}
	}
	if args.WebSocketURL != nil {
		vite["VITE_WS_URL"] = args.WebSocketURL
	}
	a.ViteEnv = vite.ToStringMapOutput()

	return a, outputs.Register(ctx, a)
}

func none() pulumi.StringOutput { return pulumi.String("").ToStringOutput() }

func (args *Args) check() error {
	var errs []error
	if args == nil {
		return errors.New("auth: Args are required")
	}
	if args.Domain == "" {
		errs = append(errs, errors.New("auth: Args.Domain is required"))
	}
	if args.APIBaseURL == nil {
		errs = append(errs, errors.New("auth: Args.APIBaseURL is required (VITE_API_BASE_URL)"))
	}
	if args.Spec.CustomDomain && (args.GlobalProvider == nil || args.ZoneID == nil) {
		errs = append(errs, errors.New("auth: a custom domain needs Args.GlobalProvider (us-east-1) and Args.ZoneID"))
	}
	if len(args.Spec.Groups) == 0 || args.Spec.PasswordMinLength == 0 || args.Spec.AdminGroups == nil {
		errs = append(errs, errors.New("auth: Args.Spec must be a defaulted, validated config.Auth"))
	}
	return errors.Join(errs...)
}

// schema is the pool's attribute schema, fixed at creation (see
// fixedAtCreation). email is the username and is required.
func schema() cognito.UserPoolSchemaArray {
	return cognito.UserPoolSchemaArray{
		cognito.UserPoolSchemaArgs{
			Name:              pulumi.String("email"),
			AttributeDataType: pulumi.String("String"),
			Required:          pulumi.Bool(true),
			Mutable:           pulumi.Bool(true),
			// Stated explicitly: Cognito reports these limits back, and an
			// absent block would show as a perpetual diff.
			StringAttributeConstraints: &cognito.UserPoolSchemaStringAttributeConstraintsArgs{
				MinLength: pulumi.String("0"),
				MaxLength: pulumi.String("2048"),
			},
		},
	}
}

// regionOf reads the region out of an ARN (arn:aws:cognito-idp:<region>:...).
func regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 4 {
		return ""
	}
	return parts[3]
}
