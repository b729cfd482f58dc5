package fleet

import (
	"reflect"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/utilities"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// helmReleaseType is pulumi-kubernetes' Helm v3 Release: one resource per
// chart installation, with Helm's own release history.
const helmReleaseType = "kubernetes:helm.sh/v3:Release"

// The SDK's helm/v3 package also holds the v3 Chart component, which
// imports the yaml package and with it every Kubernetes API group (~70
// packages, minutes of compile time). The Release needs none of that, so
// the fleet registers it through this binding of the inputs it sets; the
// token, the input names and the provider version are the SDK's own.
type (
	helmRelease struct {
		pulumi.CustomResourceState
		Name      pulumi.StringOutput `pulumi:"name"`
		Namespace pulumi.StringOutput `pulumi:"namespace"`
		Status    pulumi.MapOutput    `pulumi:"status"`
	}
	helmReleaseInputs struct {
		Chart           string            `pulumi:"chart"`
		Version         *string           `pulumi:"version"`
		Name            *string           `pulumi:"name"`
		Namespace       *string           `pulumi:"namespace"`
		CreateNamespace *bool             `pulumi:"createNamespace"`
		Atomic          *bool             `pulumi:"atomic"`
		RepositoryOpts  map[string]string `pulumi:"repositoryOpts"`
		Values          map[string]any    `pulumi:"values"`
		Compat          *string           `pulumi:"compat"`
	}
	// helmReleaseArgs are a Release's inputs; Repo is the chart
	// repository's URL.
	helmReleaseArgs struct {
		Chart           pulumi.StringInput
		Version         pulumi.StringPtrInput
		Name            pulumi.StringPtrInput
		Namespace       pulumi.StringPtrInput
		CreateNamespace pulumi.BoolPtrInput
		Atomic          pulumi.BoolPtrInput
		RepositoryOpts  pulumi.StringMapInput
		Values          pulumi.MapInput
		Compat          pulumi.StringPtrInput
	}
)

func (helmReleaseArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*helmReleaseInputs)(nil)).Elem()
}

// newHelmRelease installs chart version from repo as release name in namespace.
func newHelmRelease(ctx *pulumi.Context, logical, repo, chart, version, namespace string, createNamespace bool,
	values pulumi.Map, opts ...pulumi.ResourceOption,
) (*helmRelease, error) {
	args := helmReleaseArgs{
		Chart:           pulumi.String(chart),
		Version:         pulumi.String(version),
		Name:            pulumi.String(chart),
		Namespace:       pulumi.String(namespace),
		CreateNamespace: pulumi.Bool(createNamespace),
		// A failed install or upgrade rolls back.
		Atomic:         pulumi.Bool(true),
		RepositoryOpts: pulumi.StringMap{"repo": pulumi.String(repo)},
		Values:         values,
		Compat:         pulumi.String("true"), // as helmv3.NewRelease sets it
	}
	var r helmRelease
	if err := ctx.RegisterResource(helmReleaseType, logical, args, &r, utilities.PkgResourceDefaultOpts(opts)...); err != nil {
		return nil, err
	}
	return &r, nil
}
