package serverless

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
)

const (
	// Asynchronous invocations are retried twice, for at most an hour,
	// then land in the functions DLQ.
	asyncRetryAttempts   = 2
	asyncMaxEventSeconds = 3600
)

// function is one created function.
type function struct {
	spec     config.LambdaFunction
	grantee  iamdoc.Grantee
	fn       *lambda.Function
	logGroup *cloudwatch.LogGroup
}

// newFunctions creates every configured function.
func (s *Serverless) newFunctions(ctx *pulumi.Context) error {
	for _, name := range sortedKeys(s.args.Spec.Functions) {
		if err := s.newFunction(ctx, name, s.args.Spec.Functions[name]); err != nil {
			return fmt.Errorf("serverless: function %s: %w", name, err)
		}
	}
	return nil
}

// newFunction creates one function: its log group first (fixed name, the
// component key, the configured retention), its role with exactly its
// grants, then the function in the private subnets with its KMS-encrypted
// environment, JSON logs to that group and X-Ray tracing; an async
// function also gets its on-failure destination.
func (s *Serverless) newFunction(ctx *pulumi.Context, name string, f config.LambdaFunction) error {
	a := s.args
	parent := pulumi.Parent(s)
	physical := physicalName(a, name)
	grantee := config.FunctionGrantee(name)
	lg, err := s.logGroup(ctx, grantee, "/aws/lambda/"+physical)
	if err != nil {
		return err
	}
	roleArgs := &iam.RoleArgs{
		Description:      pulumi.Sprintf("Runs the %s function", name),
		AssumeRolePolicy: iamdoc.ServiceTrust(ctx, s, "lambda.amazonaws.com", s.account),
	}
	if a.Secrets != nil {
		// A single-reader secret's policy names its reader's role by name
		// in every region (secrets.ReaderRoleName).
		if n := a.Secrets.RoleName(grantee); n != "" {
			roleArgs.Name = pulumi.String(n)
		}
	}
	role, err := iam.NewRole(ctx, grantee, roleArgs, parent)
	if err != nil {
		return err
	}
	g := iamdoc.NewGrantee(grantee, role)
	runtime, err := iamdoc.Attach(ctx, s, g, "runtime", s.runtimeStatements(name, f, physical, lg))
	if err != nil {
		return err
	}
	binds, err := s.bindings(name, f)
	if err != nil {
		return err
	}
	env, err := s.environment(name, f, binds)
	if err != nil {
		return err
	}
	if err := s.grant(ctx, f, g, binds); err != nil {
		return err
	}
	args := s.functionArgs(name, f, physical, role, lg, env)
	// The role must be able to create the VPC network interfaces and write
	// to its group before Lambda accepts the function (runtime), and hold
	// every other grant before its first invocation.
	fn, err := lambda.NewFunction(ctx, grantee, args, parent, pulumi.DependsOn([]pulumi.Resource{lg, runtime}), iamdoc.DependOn(g))
	if err != nil {
		return err
	}
	if f.Async {
		if _, err := lambda.NewFunctionEventInvokeConfig(ctx, grantee, &lambda.FunctionEventInvokeConfigArgs{
			FunctionName:             fn.Name,
			MaximumRetryAttempts:     pulumi.Int(asyncRetryAttempts),
			MaximumEventAgeInSeconds: pulumi.Int(asyncMaxEventSeconds),
			DestinationConfig: &lambda.FunctionEventInvokeConfigDestinationConfigArgs{
				OnFailure: &lambda.FunctionEventInvokeConfigDestinationConfigOnFailureArgs{Destination: s.fnDLQ.Arn},
			},
		}, parent); err != nil {
			return err
		}
	}
	s.functions[name] = &function{spec: f, grantee: g, fn: fn, logGroup: lg}
	return nil
}

// functionArgs are the function's arguments: in the private subnets behind
// its security group, its environment encrypted with the component key,
// JSON logs to its group, X-Ray tracing, its image or its (signed) zip.
func (s *Serverless) functionArgs(name string, f config.LambdaFunction, physical string, role *iam.Role,
	lg *cloudwatch.LogGroup, env pulumi.StringMap,
) *lambda.FunctionArgs {
	a := s.args
	reserved := config.UnreservedConcurrency
	if f.ReservedConcurrency != nil {
		reserved = *f.ReservedConcurrency
	}
	if a.Fenced {
		reserved = 0 // throttled: no invocation runs (docs/dr.md "Fencing by config")
	}
	args := &lambda.FunctionArgs{
		Name:                         pulumi.String(physical),
		Role:                         role.Arn,
		Architectures:                pulumi.StringArray{pulumi.String(a.Spec.Architecture)},
		MemorySize:                   pulumi.Int(f.Memory),
		Timeout:                      pulumi.Int(f.Timeout),
		ReservedConcurrentExecutions: pulumi.Int(reserved),
		KmsKeyArn:                    s.key.Arn,
		TracingConfig:                &lambda.FunctionTracingConfigArgs{Mode: pulumi.String(f.Tracing)},
		VpcConfig: &lambda.FunctionVpcConfigArgs{
			SubnetIds:        a.Network.PrivateSubnetIDs,
			SecurityGroupIds: pulumi.StringArray{s.sgs[name].ID()},
		},
		LoggingConfig: &lambda.FunctionLoggingConfigArgs{
			LogFormat:           pulumi.String("JSON"),
			LogGroup:            lg.Name,
			ApplicationLogLevel: pulumi.String("INFO"),
			SystemLogLevel:      pulumi.String("INFO"),
		},
	}
	if f.Description != "" {
		args.Description = pulumi.String(f.Description)
	}
	if len(env) > 0 {
		args.Environment = &lambda.FunctionEnvironmentArgs{Variables: env}
	}
	if f.Image != "" {
		args.PackageType = pulumi.String("Image")
		args.ImageUri = pulumi.String(f.Image)
	} else {
		code := a.Spec.CodeOf(name)
		args.PackageType = pulumi.String("Zip")
		args.Handler = pulumi.String(f.Handler)
		args.Runtime = pulumi.String(f.Runtime)
		args.S3Bucket = pulumi.String(code.Bucket)
		args.S3Key = pulumi.String(code.Key)
		if f.Signed {
			args.CodeSigningConfigArn = s.codeSigning.Arn
		}
	}
	return args
}

// runtimeStatements are what every function needs to run: network
// interfaces in the VPC (these EC2 actions have no resource-level
// permissions, hence "*", as in AWSLambdaVPCAccessExecutionRole but
// without its logs:* on "*"), its own log group, X-Ray (no resource-level
// permissions either), decrypting its own environment, and, when async,
// sending failed events to the functions DLQ.
func (s *Serverless) runtimeStatements(name string, f config.LambdaFunction, physical string, lg *cloudwatch.LogGroup) iam.GetPolicyDocumentStatementArray {
	decrypt := allow("DecryptOwnEnvironment", []string{"kms:Decrypt"}, s.key.Arn)
	decrypt.Conditions = iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
		Test: pulumi.String("StringEquals"), Variable: pulumi.String("kms:EncryptionContext:LambdaFunctionName"),
		Values: pulumi.ToStringArray([]string{physical}),
	}}
	out := iam.GetPolicyDocumentStatementArray{
		allow("VpcNetworkInterfaces", []string{
			"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
			"ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
		}, pulumi.String("*")),
		allow("WriteOwnLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, lg.Arn, pulumi.Sprintf("%s:*", lg.Arn)),
		allow("Tracing", []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, pulumi.String("*")),
		decrypt,
	}
	if s.isAuthorizer(name) {
		out = append(out, s.originStatements()...)
	}
	if f.Async {
		out = append(out, allow("SendFailedEvents", []string{"sqs:SendMessage"}, s.fnDLQ.Arn), s.keyViaSQS())
	}
	if ws := s.ws; ws != nil && s.args.Spec.WebSocket.Function == name {
		out = append(out, allow("ManageConnections", []string{"execute-api:ManageConnections"},
			pulumi.Sprintf("%s/%s/POST/@connections/*", ws.api.ExecutionArn, wsStage)))
	}
	return out
}

// environment is a function's variables: its plain env, the URLs of the
// services it calls, each store's connection (credentials as secret ARNs),
// the ARNs of its secrets, and for API functions the user pool and the
// WebSocket callback URL. A variable set twice is an error.
func (s *Serverless) environment(name string, f config.LambdaFunction, binds []datalayer.Binding) (pulumi.StringMap, error) {
	a := s.args
	env := pulumi.StringMap{}
	var dup []string
	add := func(k string, v pulumi.StringInput) {
		if _, ok := env[k]; ok {
			dup = append(dup, k)
		}
		env[k] = v
	}
	addSecret := func(k string, ref datalayer.SecretRef) {
		add(config.SecretARNVar(k), ref.ARN)
		if ref.Key != "" {
			add(k+"_SECRET_JSON_KEY", pulumi.String(ref.Key))
		}
	}
	for _, k := range sortedKeys(f.Env) {
		add(k, pulumi.String(f.Env[k]))
	}
	for _, svc := range f.Calls {
		svc := svc
		add(config.ServiceURLVar(svc), a.ServiceURLs.ToStringMapOutput().ApplyT(func(urls map[string]string) (string, error) {
			u, ok := urls[svc]
			if !ok {
				return "", fmt.Errorf("serverless: %s calls %s, which has no URL in Args.ServiceURLs", name, svc)
			}
			return u, nil
		}).(pulumi.StringOutput))
	}
	for _, b := range binds {
		for _, k := range sortedKeys(b.Env) {
			add(k, b.Env[k])
		}
		for _, k := range sortedKeys(b.Secrets) {
			addSecret(k, b.Secrets[k])
		}
	}
	if len(f.Publishes) > 0 {
		b, err := a.Data.Bus()
		if err != nil {
			return nil, err
		}
		for k, v := range b.Env() {
			add(k, v)
		}
	}
	for _, sec := range f.Secrets {
		arn, err := a.Secrets.ARN(sec)
		if err != nil {
			return nil, err
		}
		add(config.SecretARNVar(sec), arn)
	}
	if s.isAuthorizer(name) {
		s.originEnv(add)
		add("COGNITO_USER_POOL_ID", a.UserPoolID)
		if a.UserPoolClientID != nil {
			add("COGNITO_CLIENT_ID", a.UserPoolClientID)
		}
		if a.AdminUserPoolID != nil {
			add("COGNITO_ADMIN_USER_POOL_ID", a.AdminUserPoolID)
			add("COGNITO_ADMIN_CLIENT_ID", a.AdminUserPoolClientID)
		}
	}
	if ws := s.ws; ws != nil && a.Spec.WebSocket.Function == name {
		add("WEBSOCKET_CALLBACK_URL", ws.callbackURL)
	}
	if len(dup) > 0 {
		return nil, fmt.Errorf("variables %v are set twice (by env and by what the function uses)", dup)
	}
	return env, nil
}

// bindings are the DataLayer's bindings of the function's `uses`, in
// order, with a function's access (a queue is sent to); a store's
// connection is the function's own user where it has one
// (data.redis.serviceUsers).
func (s *Serverless) bindings(name string, f config.LambdaFunction) ([]datalayer.Binding, error) {
	var out []datalayer.Binding
	for _, u := range f.ResolvedUses() {
		b, err := s.args.Data.Bind(u, name)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// grant asks each owner for exactly what the function uses: its secrets,
// its stores' credentials, then each binding's grant (search, a queue:
// send, a bucket: read and write, SES: send from the configured address),
// and the bus for the events it publishes (events:PutEvents conditioned on
// their sources and detail types).
func (s *Serverless) grant(ctx *pulumi.Context, f config.LambdaFunction, g iamdoc.Grantee, binds []datalayer.Binding) error {
	a := s.args
	if len(f.Secrets) > 0 {
		if _, err := a.Secrets.GrantRead(ctx, g, f.Secrets...); err != nil {
			return err
		}
	}
	var creds []datalayer.Store
	for _, b := range binds {
		if b.Credentials != "" {
			creds = append(creds, b.Credentials)
		}
		if _, err := b.Grant(ctx, g); err != nil {
			return err
		}
	}
	if len(creds) > 0 {
		if _, err := a.Data.GrantCredentials(ctx, g, creds...); err != nil {
			return err
		}
	}
	if len(f.Publishes) > 0 {
		b, err := a.Data.Bus()
		if err != nil {
			return err
		}
		if _, err := b.GrantPut(ctx, g, f.Publishes...); err != nil {
			return err
		}
	}
	return nil
}

// isWebSocketRouter reports whether the function serves the WebSocket API
// (and so posts to its connections).
func (s *Serverless) isWebSocketRouter(name string) bool {
	return s.args.Spec.WebSocket != nil && s.args.Spec.WebSocket.Function == name
}

// isAuthorizer reports whether the function authorizes an API.
func (s *Serverless) isAuthorizer(name string) bool {
	spec := s.args.Spec
	return (spec.API != nil && spec.API.Authorizer == name) || (spec.WebSocket != nil && spec.WebSocket.Authorizer == name)
}
