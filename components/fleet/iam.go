package fleet

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
)

// execActions are what the SSM agent in a task needs for ECS Exec.
var execActions = []string{"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"}

// newRoles creates each service's two roles, both assumable by ECS tasks
// of this account only:
//
//   - the task role (grantee name <service>) is what the application's AWS
//     SDK uses. It gets exactly what the service's `uses` and `publishes`
//     imply, each granted by the owner: the DataLayer binding of each use
//     (datalayer.Binding.Grant, with the service's access: a queue is
//     consumed), Bus.GrantPut, Secrets.GrantUseKey for an application key, and
//     the ECS Exec channel when Exec is on for it.
//   - the execution role (grantee name <service>-exec) is what ECS uses to
//     start the task: pull its own repository, write its own log group,
//     and read its own secrets (Secrets.GrantRead) and store credentials
//     (DataLayer.GrantCredentials). A single-reader secret a service
//     receives must list <service>-exec among its readers.
func (f *Fleet) newRoles(ctx *pulumi.Context) error {
	parent := pulumi.Parent(f)
	trust := iamdoc.ServiceTrust(ctx, f, "ecs-tasks.amazonaws.com", f.account)
	for _, n := range f.names() {
		u := f.units[n]
		taskRole, err := iam.NewRole(ctx, n+"-task", &iam.RoleArgs{
			Description:      pulumi.Sprintf("%s tasks: the application's AWS permissions", n),
			AssumeRolePolicy: trust,
		}, parent)
		if err != nil {
			return err
		}
		execArgs := &iam.RoleArgs{
			Description:      pulumi.Sprintf("%s tasks: what ECS needs to start them (image, logs, secrets)", n),
			AssumeRolePolicy: trust,
		}
		if f.args.Secrets != nil {
			// A single-reader secret's policy names its reader's role by
			// name in every region (secrets.ReaderRoleName).
			if name := f.args.Secrets.RoleName(n + "-exec"); name != "" {
				execArgs.Name = pulumi.String(name)
			}
		}
		execRole, err := iam.NewRole(ctx, n+"-exec", execArgs, parent)
		if err != nil {
			return err
		}
		u.taskRole, u.execRole = taskRole.Arn, execRole.Arn
		task, exec := iamdoc.NewGrantee(n, taskRole), iamdoc.NewGrantee(n+"-exec", execRole)
		u.grantees = []iamdoc.Grantee{task, exec}
		if err := f.grantTask(ctx, u, task); err != nil {
			return err
		}
		if err := f.grantExecution(ctx, u, exec); err != nil {
			return err
		}
	}
	return nil
}

func (f *Fleet) grantTask(ctx *pulumi.Context, u *unit, g iamdoc.Grantee) error {
	if err := f.grantOwners(ctx, u.env, g); err != nil {
		return err
	}
	if !f.args.Spec.ExecEnabled(u.spec) {
		return nil
	}
	_, err := iamdoc.Attach(ctx, f, g, "ecs-exec", iam.GetPolicyDocumentStatementArray{
		allow("ExecChannel", execActions, pulumi.String("*")),
		allow("ExecSessionKey", []string{"kms:Decrypt"}, f.key.Arn),
		allow("ExecSessionLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
			f.execLogs.Arn, pulumi.Sprintf("%s:*", f.execLogs.Arn)),
		allow("ExecFindLogGroup", []string{"logs:DescribeLogGroups"}, pulumi.String("*")),
	})
	return err
}

// grantOwners gives the application's role exactly what the service's
// `uses` and `publishes` imply, each granted by the owner: the one source of a service's
// AWS permissions for both runtimes (the ECS task role, the EKS IRSA role).
func (f *Fleet) grantOwners(ctx *pulumi.Context, e environment, g iamdoc.Grantee) error {
	for _, b := range e.bindings {
		if _, err := b.Grant(ctx, g); err != nil {
			return err
		}
	}
	if e.bus != nil {
		if _, err := e.bus.GrantPut(ctx, g, e.publishes...); err != nil {
			return err
		}
	}
	for _, k := range e.keys {
		if _, err := f.args.Secrets.GrantUseKey(ctx, g, k); err != nil {
			return err
		}
	}
	return nil
}

func (f *Fleet) grantExecution(ctx *pulumi.Context, u *unit, g iamdoc.Grantee) error {
	if _, err := iamdoc.Attach(ctx, f, g, "pull-and-log", iam.GetPolicyDocumentStatementArray{
		allow("ECRLogin", []string{"ecr:GetAuthorizationToken"}, pulumi.String("*")),
		allow("PullOwnImage", []string{"ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"}, u.repoArn),
		// The repository is encrypted with the fleet key (a replica: the primary's replica key).
		allow("DecryptImageLayers", []string{"kms:Decrypt"}, u.imageKey),
		allow("WriteOwnLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, u.logs.Arn, pulumi.Sprintf("%s:*", u.logs.Arn)),
	}); err != nil {
		return err
	}
	if len(u.env.credentials) > 0 {
		if _, err := f.args.Data.GrantCredentials(ctx, g, u.env.credentials...); err != nil {
			return err
		}
	}
	if len(u.env.secretNames) > 0 {
		if _, err := f.args.Secrets.GrantRead(ctx, g, u.env.secretNames...); err != nil {
			return err
		}
	}
	return nil
}

func allow(sid string, actions []string, resources ...pulumi.StringInput) iam.GetPolicyDocumentStatementArgs {
	return iam.GetPolicyDocumentStatementArgs{
		Sid: pulumi.String(sid), Effect: pulumi.String("Allow"),
		Actions: pulumi.ToStringArray(actions), Resources: pulumi.StringArray(resources),
	}
}
