package mockengine

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The data sources that read what another run left in the account
// (Engine.SetWorld): a recovery stack reading the contract its primary
// replicated into the recovery Region. Each looks only in the Region of
// the invoke's provider, as the AWS API does, and fails as AWS does when
// nothing is there.

// inWorld are the world's resources of type typ in region.
func (e *Engine) inWorld(typ, region string) []*Resource {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*Resource
	for _, r := range e.world {
		if r.Type == typ && r.Region == region {
			out = append(out, r)
		}
	}
	return out
}

func strArg(args resource.PropertyMap, key string) string {
	if v, ok := args[resource.PropertyKey(key)]; ok {
		if v.IsSecret() {
			v = v.SecretValue().Element
		}
		if v.IsString() {
			return v.StringValue()
		}
	}
	return ""
}

// parameter answers ssm getParameter with the world's parameter of that
// name in region (GetParameter's shape; a String parameter reads the same
// with or without decryption).
func (e *Engine) parameter(args resource.PropertyMap, region string) (resource.PropertyMap, error) {
	name := strArg(args, "name")
	for _, r := range e.inWorld("aws:ssm/parameter:Parameter", region) {
		if strArg(r.Outputs, "name") != name {
			continue
		}
		value := strArg(r.Outputs, "value")
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": name, "name": name, "arn": strArg(r.Outputs, "arn"), "type": strArg(r.Outputs, "type"),
			"value": value, "insecureValue": value, "version": 1, "withDecryption": true,
		}), nil
	}
	return nil, fmt.Errorf("ParameterNotFound: no parameter %s in %s", name, region)
}

// secretVersion answers secretsmanager getSecretVersion (AWSCURRENT) with
// the value the world's version of that secret (by name or ARN) holds in
// region.
func (e *Engine) secretVersion(args resource.PropertyMap, region string) (resource.PropertyMap, error) {
	id := strArg(args, "secretId")
	for _, sec := range e.inWorld("aws:secretsmanager/secret:Secret", region) {
		arn := strArg(sec.Outputs, "arn")
		if id != strArg(sec.Outputs, "name") && id != arn {
			continue
		}
		for _, v := range e.inWorld("aws:secretsmanager/secretVersion:SecretVersion", region) {
			if ref := strArg(v.Inputs, "secretId"); ref != sec.ID && ref != arn {
				continue
			}
			versionID := hashOf(v.URN)
			versionID = versionID[0:8] + "-" + versionID[8:12] + "-" + versionID[12:16] + "-" + versionID[16:20] + "-" + versionID[20:32]
			return resource.NewPropertyMapFromMap(map[string]any{
				"id": arn + "|AWSCURRENT", "arn": arn, "secretId": id, "secretString": strArg(v.Inputs, "secretString"),
				"secretBinary": "", "versionId": versionID, "versionStage": "AWSCURRENT", "versionStages": []any{"AWSCURRENT"},
				"createdDate": "2026-01-01T00:00:00Z",
			}), nil
		}
		return nil, fmt.Errorf("ResourceNotFoundException: secret %s in %s has no AWSCURRENT version", id, region)
	}
	return nil, fmt.Errorf("ResourceNotFoundException: Secrets Manager can't find the specified secret %s in %s", id, region)
}
