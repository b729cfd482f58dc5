package fleet

import (
	"encoding/json"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The container definition as ECS reads it, built from values and
// marshalled (never concatenated).
type (
	containerDefinition struct {
		Name                   string           `json:"name"`
		Image                  string           `json:"image"`
		Essential              bool             `json:"essential"`
		Command                []string         `json:"command,omitempty"`
		User                   string           `json:"user,omitempty"`
		WorkingDirectory       string           `json:"workingDirectory,omitempty"`
		ReadonlyRootFilesystem bool             `json:"readonlyRootFilesystem"`
		PortMappings           []portMapping    `json:"portMappings"`
		Environment            []keyValue       `json:"environment"`
		Secrets                []secretValue    `json:"secrets"`
		MountPoints            []mountPoint     `json:"mountPoints"`
		LinuxParameters        linuxParameters  `json:"linuxParameters"`
		LogConfiguration       logConfiguration `json:"logConfiguration"`
	}
	portMapping struct {
		Name          string `json:"name"`
		ContainerPort int    `json:"containerPort"`
		Protocol      string `json:"protocol"`
		AppProtocol   string `json:"appProtocol"`
	}
	keyValue struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	secretValue struct {
		Name      string `json:"name"`
		ValueFrom string `json:"valueFrom"`
	}
	mountPoint struct {
		SourceVolume  string `json:"sourceVolume"`
		ContainerPath string `json:"containerPath"`
		ReadOnly      bool   `json:"readOnly"`
	}
	linuxParameters struct {
		InitProcessEnabled bool `json:"initProcessEnabled"`
	}
	logConfiguration struct {
		LogDriver string            `json:"logDriver"`
		Options   map[string]string `json:"options"`
	}
)

// tmpVolume is the task-local scratch volume mounted at /tmp when the root
// filesystem is read-only.
const tmpVolume = "tmp"

// containerJSON renders the service's one container: its image at the
// configured tag, its variables (sorted) and secrets (sorted, valueFrom
// only: a secret value never appears in `environment`), its user and
// filesystem, and awslogs to its own log group under streamPrefix. command
// replaces the image's (migrations); withPort publishes the named port
// Service Connect and the ALB use.
func (f *Fleet) containerJSON(u *unit, command []string, streamPrefix string, withPort bool) pulumi.StringOutput {
	s := u.spec
	envKeys, secretKeys := sortedKeys(u.env.Env), sortedKeys(u.env.Secrets)
	inputs := []any{u.repoURL, u.logs.Name}
	for _, k := range envKeys {
		inputs = append(inputs, u.env.Env[k])
	}
	for _, k := range secretKeys {
		inputs = append(inputs, u.env.Secrets[k])
	}
	return pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		c := containerDefinition{
			Name:                   s.Name,
			Image:                  v[0].(string) + ":" + s.Image.Tag,
			Essential:              true,
			Command:                command,
			ReadonlyRootFilesystem: *s.ReadOnlyRootFilesystem,
			PortMappings:           []portMapping{},
			Environment:            make([]keyValue, 0, len(envKeys)),
			Secrets:                make([]secretValue, 0, len(secretKeys)),
			MountPoints:            []mountPoint{},
			// An init process reaps zombies; ECS Exec sessions need it.
			LinuxParameters: linuxParameters{InitProcessEnabled: true},
			LogConfiguration: logConfiguration{LogDriver: "awslogs", Options: map[string]string{
				"awslogs-group": v[1].(string), "awslogs-region": f.args.Region, "awslogs-stream-prefix": streamPrefix,
				// Logging never blocks the application; the buffer absorbs bursts.
				"mode": "non-blocking", "max-buffer-size": "25m",
			}},
		}
		if s.User != nil {
			c.User = *s.User
		}
		if withPort {
			c.PortMappings = append(c.PortMappings, portMapping{Name: s.Name, ContainerPort: s.Port, Protocol: "tcp", AppProtocol: "http"})
		}
		if *s.ReadOnlyRootFilesystem {
			c.MountPoints = append(c.MountPoints, mountPoint{SourceVolume: tmpVolume, ContainerPath: "/tmp"})
		}
		for i, k := range envKeys {
			c.Environment = append(c.Environment, keyValue{Name: k, Value: v[2+i].(string)})
		}
		for i, k := range secretKeys {
			c.Secrets = append(c.Secrets, secretValue{Name: k, ValueFrom: v[2+len(envKeys)+i].(string)})
		}
		b, err := json.Marshal([]containerDefinition{c})
		return string(b), err
	}).(pulumi.StringOutput)
}

// taskDefinition registers a revision of family. Old revisions are never
// deregistered (SkipDestroy), so `aws ecs update-service --task-definition
// <family>:<previous revision>` can always roll back.
func (f *Fleet) taskDefinition(ctx *pulumi.Context, logical, family string, u *unit, command []string, streamPrefix string, withPort bool) (*ecs.TaskDefinition, error) {
	s := u.spec
	var volumes ecs.TaskDefinitionVolumeArray
	if *s.ReadOnlyRootFilesystem {
		volumes = append(volumes, ecs.TaskDefinitionVolumeArgs{Name: pulumi.String(tmpVolume)})
	}
	return ecs.NewTaskDefinition(ctx, logical, &ecs.TaskDefinitionArgs{
		Family:                  pulumi.String(family),
		RequiresCompatibilities: pulumi.ToStringArray([]string{"FARGATE"}),
		NetworkMode:             pulumi.String("awsvpc"),
		Cpu:                     pulumi.String(strconv.Itoa(s.CPU)),
		Memory:                  pulumi.String(strconv.Itoa(s.Memory)),
		RuntimePlatform: &ecs.TaskDefinitionRuntimePlatformArgs{
			OperatingSystemFamily: pulumi.String("LINUX"), CpuArchitecture: pulumi.String(s.Architecture),
		},
		TaskRoleArn:          u.taskRole,
		ExecutionRoleArn:     u.execRole,
		ContainerDefinitions: f.containerJSON(u, command, streamPrefix, withPort),
		Volumes:              volumes,
		SkipDestroy:          pulumi.Bool(true),
	}, pulumi.Parent(f))
}
