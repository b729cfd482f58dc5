package policy

import (
	"strings"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
)

// KMS multi-Region constraints: an application key (secrets.keys) is
// replicated into the recovery region so the fields it encrypted stay
// readable after a failover.

const kmsReplicaKey = tokens.KMSReplicaKey

// srcKMSMultiRegionRotate: rotation of a multi-Region key is a shared
// property set on the primary; replicas rotate with it and cannot be set
// on their own.
const srcKMSMultiRegionRotate = "https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-manage.html#multi-region-rotate"

func awsKMSRules() []Rule {
	return []Rule{{
		ID:       "kms-replica-of-multi-region-key",
		Title:    "A KMS replica key replicates a multi-Region primary key of another Region, which rotates",
		Severity: High,
		Category: CategoryAWSConstraint,
		// ReplicateKey refuses a primary that is not a multi-Region key
		// (key id mrk-…, created with MultiRegion true) and a replica in the
		// primary's own Region (API_ReplicateKey, ReplicaRegion); a
		// replica's rotation is its primary's (srcKMSMultiRegionRotate), so
		// a primary that does not rotate leaves every replica unrotated.
		Source: srcKMSReplica,
		Types:  []string{kmsReplicaKey},
		Check:  checkReplicaKey,
	}}
}

func checkReplicaKey(r *mockengine.Resource, x Index) []string {
	primary := str(x.In(r)["primaryKeyArn"])
	if primary == "" || primary == mockengine.Unknown {
		return nil // known only at deployment
	}
	var out []string
	if id := primary[strings.LastIndex(primary, "/")+1:]; !strings.HasPrefix(id, "mrk-") {
		out = append(out, problem(r, "primaryKeyArn "+primary+" is a single-Region key", "replicate a multi-Region key (multiRegion: true, key id mrk-…); a single-Region key cannot become one"))
	}
	if region := regionOfArn(primary); region != "" && r.Region != "" && region == r.Region {
		out = append(out, problem(r, "the replica is in its primary's Region "+region, "create the replica with the recovery Region's provider"))
	}
	for _, p := range x.Resolve(kmsKey, primary) {
		if !truthy(x.In(p)["enableKeyRotation"]) {
			out = append(out, problem(r, "its primary "+p.Name+" does not rotate, so neither does the replica ("+srcKMSMultiRegionRotate+")", "set enableKeyRotation: true on the primary key"))
		}
	}
	return out
}
