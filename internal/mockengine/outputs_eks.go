package mockengine

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The outputs of the EKS runtime's resources: the cluster, its nodes,
// add-ons and access entries, and the Kubernetes objects and Helm releases
// created through its provider.

// eksCluster answers an EKS cluster: its endpoint, CA bundle, OIDC issuer
// (https://oidc.eks.<region>.amazonaws.com/id/<32 hex>) and the cluster
// security group EKS creates, next to the vpcConfig it was given.
func eksCluster(r res, out resource.PropertyMap) string {
	id := strings.ToUpper(r.hash[:32])
	vpc := map[string]any{}
	if v, ok := r.Inputs["vpcConfig"]; ok && v.IsObject() {
		vpc = plain(v).(map[string]any)
	}
	vpc["clusterSecurityGroupId"] = "sg-" + r.hash[32:49]
	vpc["vpcId"] = "vpc-" + r.hash[49:64]
	version := r.str("version")
	if version == "" {
		version = "1.36"
	}
	ca := map[string]any{"data": base64.StdEncoding.EncodeToString([]byte("-----BEGIN CERTIFICATE-----\nmock CA of " + r.physical + "\n-----END CERTIFICATE-----\n"))}
	set(out, "arn", r.arn("eks", "cluster/"+r.physical), "name", r.physical, "clusterId", r.uuid(),
		"endpoint", fmt.Sprintf("https://%s.gr7.%s.eks.amazonaws.com", id, r.Region),
		"certificateAuthority", ca, "certificateAuthorities", []any{ca},
		"identities", []any{map[string]any{"oidcs": []any{map[string]any{"issuer": fmt.Sprintf("https://oidc.eks.%s.amazonaws.com/id/%s", r.Region, id)}}}},
		"vpcConfig", vpc, "version", version, "platformVersion", "eks.1", "status", "ACTIVE")
	return r.physical
}

// clusterNameOf is the cluster a node group, add-on or access entry belongs to.
func clusterNameOf(r res) string { return r.str("clusterName") }

func eksNodeGroup(r res, out resource.PropertyMap) string {
	name := r.str("nodeGroupName")
	if name == "" {
		name = r.physical
	}
	cluster := clusterNameOf(r)
	set(out, "arn", r.arn("eks", "nodegroup/"+cluster+"/"+name+"/"+r.uuid()), "nodeGroupName", name, "status", "ACTIVE",
		"resources", []any{map[string]any{"autoscalingGroups": []any{map[string]any{"name": "eks-" + name + "-" + r.uuid()}}}})
	return cluster + ":" + name
}

func eksAddon(r res, out resource.PropertyMap) string {
	cluster, name := clusterNameOf(r), r.str("addonName")
	version := r.str("addonVersion")
	if version == "" {
		version = "v1.0.0-eksbuild.1"
	}
	set(out, "arn", r.arn("eks", "addon/"+cluster+"/"+name+"/"+r.uuid()), "addonVersion", version)
	return cluster + ":" + name
}

func eksAccessEntry(r res, out resource.PropertyMap) string {
	cluster, principal := clusterNameOf(r), r.str("principalArn")
	role := principal[strings.LastIndex(principal, "/")+1:]
	typ := r.str("type")
	if typ == "" {
		typ = "STANDARD"
	}
	set(out, "accessEntryArn", r.arn("eks", "access-entry/"+cluster+"/role/"+Account+"/"+role+"/"+r.uuid()),
		"type", typ, "userName", principal, "kubernetesGroups", []any{})
	return cluster + ":" + principal
}

func eksAccessPolicyAssociation(r res, out resource.PropertyMap) string {
	set(out, "associatedAt", "2025-01-01T00:00:00Z", "modifiedAt", "2025-01-01T00:00:00Z")
	return clusterNameOf(r) + "#" + r.str("principalArn") + "#" + r.str("policyArn")
}

// openIDConnectProvider is named after its URL without the scheme, as IAM does.
func openIDConnectProvider(r res, out resource.PropertyMap) string {
	arn := r.globalARN("iam", "oidc-provider/"+strings.TrimPrefix(r.str("url"), "https://"))
	set(out, "arn", arn)
	return arn
}

func launchTemplate(r res, out resource.PropertyMap) string {
	id := "lt-" + r.hash[:17]
	set(out, "arn", r.arn("ec2", "launch-template/"+id), "name", r.physical, "latestVersion", 1, "defaultVersion", 1)
	return id
}

// clusterScopedKinds are the Kubernetes kinds the fleet creates that live
// outside any namespace.
var clusterScopedKinds = map[string]bool{"Namespace": true, "ClusterSecretStore": true}

// kubernetesObject answers any Kubernetes object the way the API server
// would: metadata.name from the logical name when the program left it to
// auto-naming, the namespace ("default" when none was given), a uid, and
// the id <namespace>/<name> (just <name> for cluster-scoped kinds).
func kubernetesObject(r res, out resource.PropertyMap) string {
	meta := resource.PropertyMap{}
	if v, ok := r.Inputs["metadata"]; ok && v.IsObject() {
		for k, x := range v.ObjectValue() {
			meta[k] = x
		}
	}
	name := ""
	if v, ok := meta["name"]; ok && v.IsString() {
		name = v.StringValue()
	}
	if name == "" {
		name = r.Name
		meta["name"] = resource.NewProperty(name)
	}
	kind := typeName(r.Type)
	id := name
	if !clusterScopedKinds[kind] {
		ns := "default"
		if v, ok := meta["namespace"]; ok && v.IsString() && v.StringValue() != "" {
			ns = v.StringValue()
		}
		meta["namespace"] = resource.NewProperty(ns)
		id = ns + "/" + name
	}
	meta["uid"] = resource.NewProperty(r.uuid())
	meta["resourceVersion"] = resource.NewProperty("1")
	out["metadata"] = resource.NewProperty(meta)
	return id
}

// helmRelease answers a Helm v3 Release as deployed, revision 1.
func helmRelease(r res, out resource.PropertyMap) string {
	name, ns := r.str("name"), r.str("namespace")
	if name == "" {
		name = r.Name
	}
	if ns == "" {
		ns = "default"
	}
	set(out, "name", name, "namespace", ns, "status", map[string]any{
		"name": name, "namespace": ns, "chart": r.str("chart"), "version": r.str("version"),
		"status": "deployed", "revision": 1,
	})
	return ns + "/" + name
}
