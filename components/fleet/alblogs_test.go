package fleet

import (
	"testing"

	"github.com/dbay/infra/dr"
)

// TestAccessLogBucketIsTaggedAsLogs: the DR assessment exempts a bucket only
// by its data-class tag; without it the ALB log bucket would need
// cross-region replication like a data bucket.
func TestAccessLogBucketIsTaggedAsLogs(t *testing.T) {
	t.Parallel()
	r := synth(t, dbay(t), nil).must(t)
	tags, _ := r.one(t, "aws:s3/bucketV2:BucketV2", "alb-logs").In()["tags"].(map[string]any)
	if tags[dr.TagDataClass] != dr.DataClassLog {
		t.Errorf("alb-logs tags = %v, want %s=%s", tags, dr.TagDataClass, dr.DataClassLog)
	}
	if _, ok := tags[dr.TagReplicaOf]; ok {
		t.Errorf("alb-logs is tagged as a replica: %v", tags)
	}
}
