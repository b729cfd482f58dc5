package frontend

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/dr"
	"github.com/dbay/infra/internal/mockengine"
)

// albAliases is a frontend section for the ALB shape on dbay.example.com.
const albAliases = `{"aliases":["app.dbay.example.com","api.dbay.example.com"],"hashedPaths":["/_next/static/*"]}`

const (
	tReplication = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
	tVersioning  = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	tRole        = "aws:iam/role:Role"
	tRolePolicy  = "aws:iam/rolePolicy:RolePolicy"
)

// drResources are the resources Args.DR adds, by type/name; "dr" marks
// those created by the recovery region's provider.
var drResources = map[string]string{
	tBucket + "/site-replica": "dr",
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock/site-replica":               "dr",
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls/site-replica":               "dr",
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2/site-replica": "dr", // its old versions expire too
	tVersioning + "/site-replica": "dr",
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2/site-replica": "dr",
	tPolicy + "/site-replica":         "dr",
	tKey + "/site-replica-key":        "dr",
	tRole + "/site-replication":       "",
	tRolePolicy + "/site-replication": "",
	tReplication + "/site":            "",
	// The replica's server access logs and the bucket, in its region, they go to.
	"aws:s3/bucketLoggingV2:BucketLoggingV2/site-replica":                                                          "dr",
	tBucket + "/site-replica-logs":                                                                                 "dr",
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock/site-replica-logs":                                     "dr",
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls/site-replica-logs":                                     "dr",
	tVersioning + "/site-replica-logs":                                                                             "dr",
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2/site-replica-logs": "dr",
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2/site-replica-logs":                       "dr",
	tPolicy + "/site-replica-logs":                                                                                 "dr",
}

func TestDRArgsAreAccepted(t *testing.T) {
	t.Parallel()
	a := &Args{Env: config.Env{Domain: "dbay.example.com", Region: "us-east-1"}, Spec: spec(t, "dbay.example.com", ""), GlobalProvider: &aws.Provider{},
		DR: &DR{Region: "us-west-2", Provider: &aws.Provider{}}}
	if err := a.check(); err != nil {
		t.Errorf("valid DR rejected: %v", err)
	}
}

// TestReplicaIsInTheRecoveryRegionLockedLikeTheSite: the replica is created
// by the recovery provider (with its key and settings, and nothing else),
// versioned, SSE-KMS under a DR-region key only this distribution may
// decrypt with, private, tagged as the site's replica, and readable only by
// this distribution through OAC.
func TestReplicaIsInTheRecoveryRegionLockedLikeTheSite(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{shape: dbay, dr: "us-west-2", protect: true})
	comp := r.one(t, typeToken, "frontend")
	for _, res := range r.eng.Resources() {
		if res.URN == comp.URN || !res.Custom || strings.HasPrefix(res.Type, "pulumi:providers:") {
			continue
		}
		inDR := drResources[res.Type+"/"+res.Name] == "dr"
		if inDR != (res.Provider == drURN) || inDR != (res.Region == "us-west-2") {
			t.Errorf("%s %s: provider %s (%s); in the recovery region: %v", res.Type, res.Name, res.Provider, res.Region, inDR)
		}
	}
	for id := range drResources {
		i := strings.LastIndex(id, "/")
		typ, name := id[:i], id[i+1:]
		if res := r.one(t, typ, name); res.Parent != comp.URN {
			t.Errorf("%s is parented to %s", id, res.Parent)
		}
	}

	replica := r.one(t, tBucket, "site-replica")
	if tags := replica.In()["tags"]; !reflect.DeepEqual(tags, map[string]any{dr.TagReplicaOf: "site"}) {
		t.Errorf("replica tags = %v, want only %s=site", tags, dr.TagReplicaOf)
	}
	if !replica.Options.Protect || replica.Out()["region"] != "us-west-2" {
		t.Errorf("replica protect = %v, region %v", replica.Options.Protect, replica.Out()["region"])
	}
	checkPrivateVersionedEncrypted(t, r, "site-replica", "BucketOwnerEnforced", "site-replica-key")
	key := r.one(t, tKey, "site-replica-key")
	if arn, _ := key.Out()["arn"].(string); !strings.HasPrefix(arn, "arn:aws:kms:us-west-2:") || !key.Options.Protect {
		t.Errorf("replica key %s (protect %v) is not a protected us-west-2 key", arn, key.Options.Protect)
	}
	distArn := r.one(t, tDist, "cdn").Out()["arn"].(string)
	kd := parsePolicy(t, key.In()["policy"])
	if len(kd.Statement) != 2 || !reflect.DeepEqual(kd.Statement[1].Principal, map[string]any{"Service": "cloudfront.amazonaws.com"}) ||
		kd.Statement[1].Action != "kms:Decrypt" ||
		!reflect.DeepEqual(kd.Statement[1].Condition, map[string]map[string]any{"StringEquals": {"AWS:SourceArn": distArn}}) {
		t.Errorf("replica key policy = %+v, want the account and this distribution's decrypt only", kd)
	}

	pol := r.one(t, tPolicy, "site-replica")
	arn := replica.Out()["arn"].(string)
	d := parsePolicy(t, pol.In()["policy"])
	if pol.In()["bucket"] != replica.ID || len(d.Statement) != 2 {
		t.Fatalf("replica policy on %v = %+v", pol.In()["bucket"], d)
	}
	read, deny := d.Statement[0], d.Statement[1]
	if read.Effect != "Allow" || read.Action != "s3:GetObject" || read.Resource != arn+"/*" ||
		!reflect.DeepEqual(read.Principal, map[string]any{"Service": "cloudfront.amazonaws.com"}) ||
		!reflect.DeepEqual(read.Condition, map[string]map[string]any{"StringEquals": {"AWS:SourceArn": distArn}}) {
		t.Errorf("replica read statement = %+v, want GetObject for this distribution only", read)
	}
	if deny.Effect != "Deny" || deny.Action != "s3:*" || deny.Condition["Bool"]["aws:SecureTransport"] != "false" ||
		!reflect.DeepEqual(deny.Resource, []any{arn, arn + "/*"}) {
		t.Errorf("replica deny statement = %+v, want non-TLS requests denied", deny)
	}
	if !contains(pol.Dependencies, r.one(t, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "site-replica").URN) {
		t.Error("the replica's policy does not wait for its public access block")
	}
	if r.outs["replicaBucketName"] != replica.Out()["bucket"] {
		t.Errorf("replicaBucketName = %v, want %v", r.outs["replicaBucketName"], replica.Out()["bucket"])
	}
}

// TestReplicaLogsToItsRegion: the replica logs server access under
// "site-replica/" to a bucket in its own region (S3 delivers within a
// region only) that is SSE-S3 (log delivery cannot use SSE-KMS), private,
// versioned with ACLs disabled, protected, tagged data-class=logs,
// expiring logs after frontend.logRetentionDays, TLS-only, and writable by
// S3's log delivery for the replica only.
func TestReplicaLogsToItsRegion(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{shape: dbay, dr: "us-west-2", raw: `{"logRetentionDays":400}`, protect: true})
	replica, logs := r.one(t, tBucket, "site-replica"), r.one(t, tBucket, "site-replica-logs")
	replicaArn, logsArn := replica.Out()["arn"].(string), logs.Out()["arn"].(string)

	lg := r.one(t, "aws:s3/bucketLoggingV2:BucketLoggingV2", "site-replica")
	if in := lg.In(); in["bucket"] != replica.ID || in["targetBucket"] != logs.ID || in["targetPrefix"] != "site-replica/" {
		t.Errorf("replica logging = %v, want site-replica/ in %s", in, logs.ID)
	}
	if logs.Out()["region"] != replica.Out()["region"] || logs.Out()["region"] != "us-west-2" || lg.Provider != drURN {
		t.Errorf("replica (%v) logs to a bucket in %v through %s", replica.Out()["region"], logs.Out()["region"], lg.Provider)
	}
	if !logs.Options.Protect || logs.In()["forceDestroy"] != false ||
		!reflect.DeepEqual(logs.In()["tags"], map[string]any{dr.TagDataClass: dr.DataClassLog}) {
		t.Errorf("replica log bucket protect %v, tags %v", logs.Options.Protect, logs.In()["tags"])
	}
	sse := r.one(t, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "site-replica-logs").In()
	if rules, _ := sse["rules"].([]any); len(rules) != 1 || sse["bucket"] != logs.ID ||
		!reflect.DeepEqual(at(sse, "rules", 0, "applyServerSideEncryptionByDefault"), map[string]any{"sseAlgorithm": "AES256"}) {
		t.Errorf("replica log bucket encryption = %v, want SSE-S3 only", sse)
	}
	pab := r.one(t, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "site-replica-logs").In()
	for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		if pab[k] != true || pab["bucket"] != logs.ID {
			t.Errorf("replica log bucket public access block %s = %v", k, pab[k])
		}
	}
	if own := r.one(t, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "site-replica-logs").In(); at(own, "rule", "objectOwnership") != "BucketOwnerEnforced" {
		t.Errorf("replica log bucket ownership = %v", own)
	}
	if ver := r.one(t, tVersioning, "site-replica-logs").In(); at(ver, "versioningConfiguration", "status") != "Enabled" {
		t.Errorf("replica log bucket versioning = %v", ver)
	}
	rule := at(r.one(t, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "site-replica-logs").In(), "rules", 0)
	if at(rule, "expiration", "days") != 400.0 || at(rule, "status") != "Enabled" {
		t.Errorf("replica log lifecycle = %v, want expiry after frontend.logRetentionDays", rule)
	}
	if lg := r.eng.Get("aws:s3/bucketLoggingV2:BucketLoggingV2", "site-replica-logs"); lg != nil {
		t.Errorf("the replica log bucket logs to %v", lg.In()["targetBucket"])
	}

	pol := r.one(t, tPolicy, "site-replica-logs")
	d := parsePolicy(t, pol.In()["policy"])
	if pol.In()["bucket"] != logs.ID || len(d.Statement) != 2 {
		t.Fatalf("replica log bucket policy on %v = %+v", pol.In()["bucket"], d)
	}
	put, deny := d.Statement[0], d.Statement[1]
	if put.Effect != "Allow" || put.Action != "s3:PutObject" || put.Resource != logsArn+"/site-replica/*" ||
		!reflect.DeepEqual(put.Principal, map[string]any{"Service": "logging.s3.amazonaws.com"}) ||
		!reflect.DeepEqual(put.Condition, map[string]map[string]any{
			"StringEquals": {"aws:SourceAccount": mockengine.Account},
			"ArnLike":      {"aws:SourceArn": replicaArn},
		}) {
		t.Errorf("replica log delivery = %+v, want S3 log delivery for %s only", put, replicaArn)
	}
	if deny.Effect != "Deny" || deny.Action != "s3:*" || deny.Condition["Bool"]["aws:SecureTransport"] != "false" ||
		!reflect.DeepEqual(deny.Resource, []any{logsArn, logsArn + "/*"}) {
		t.Errorf("replica log bucket deny statement = %+v, want non-TLS requests denied", deny)
	}
	if !contains(pol.Dependencies, r.one(t, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "site-replica-logs").URN) {
		t.Error("the replica log bucket's policy does not wait for its public access block")
	}
}

// TestSiteBucketReplicatesWithRTC: one rule sends the whole bucket (delete
// markers included, SSE-KMS objects re-encrypted under the replica's key)
// to the replica with RTC and its metrics at 15 minutes, after versioning
// is on at both ends, through a role that can do only that.
func TestSiteBucketReplicatesWithRTC(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{shape: dbay, dr: "us-west-2"})
	site, replica := r.one(t, tBucket, "site"), r.one(t, tBucket, "site-replica")
	siteArn, replicaArn := site.Out()["arn"].(string), replica.Out()["arn"].(string)
	siteKey, replicaKey := r.one(t, tKey, "site-key").Out()["arn"], r.one(t, tKey, "site-replica-key").Out()["arn"]
	role := r.one(t, tRole, "site-replication")

	cfg := r.one(t, tReplication, "site")
	if cfg.In()["bucket"] != site.Out()["bucket"] || cfg.In()["role"] != role.Out()["arn"] || cfg.Provider != regionURN {
		t.Errorf("replication config on %v with role %v (provider %s)", cfg.In()["bucket"], cfg.In()["role"], cfg.Provider)
	}
	rules, _ := cfg.In()["rules"].([]any)
	if len(rules) != 1 {
		t.Fatalf("replication rules = %v, want exactly one", rules)
	}
	want := map[string]any{
		"id": "dr", "status": "Enabled", "filter": map[string]any{},
		"deleteMarkerReplication": map[string]any{"status": "Enabled"},
		"sourceSelectionCriteria": map[string]any{"sseKmsEncryptedObjects": map[string]any{"status": "Enabled"}},
		"destination": map[string]any{
			"bucket": replicaArn, "storageClass": "STANDARD",
			"encryptionConfiguration": map[string]any{"replicaKmsKeyId": replicaKey},
			"replicationTime":         map[string]any{"status": "Enabled", "time": map[string]any{"minutes": 15.0}},
			"metrics":                 map[string]any{"status": "Enabled", "eventThreshold": map[string]any{"minutes": 15.0}},
		},
	}
	if !reflect.DeepEqual(rules[0], want) {
		t.Errorf("replication rule =\n%v\nwant\n%v", rules[0], want)
	}
	for _, v := range []string{"site", "site-replica"} {
		if !contains(cfg.Dependencies, r.one(t, tVersioning, v).URN) {
			t.Errorf("replication does not wait for the %s bucket's versioning", v)
		}
	}

	trust := parsePolicy(t, role.In()["assumeRolePolicy"])
	if len(trust.Statement) != 1 || !reflect.DeepEqual(trust.Statement[0].Principal, map[string]any{"Service": "s3.amazonaws.com"}) ||
		trust.Statement[0].Condition["StringEquals"]["aws:SourceAccount"] != mockengine.Account {
		t.Errorf("replication role trust = %+v, want S3 on behalf of this account", trust)
	}
	rp := r.one(t, tRolePolicy, "site-replication")
	if rp.In()["role"] != role.Out()["name"] || !contains(cfg.Dependencies, rp.URN) {
		t.Errorf("role policy is on %v; replication waits for it: %v", rp.In()["role"], contains(cfg.Dependencies, rp.URN))
	}
	got := map[string]mockengine.Statement{}
	for _, st := range parsePolicy(t, rp.In()["policy"]).Statement {
		got[st.Sid] = st
	}
	type grant struct {
		actions, resources []string
		via                string
		context            []any
	}
	grants := map[string]grant{
		"ReadReplicationConfiguration": {actions: []string{"s3:GetReplicationConfiguration", "s3:ListBucket"}, resources: []string{siteArn}},
		"ReadSourceVersions": {actions: []string{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"},
			resources: []string{siteArn + "/*"}},
		"WriteReplica": {actions: []string{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"}, resources: []string{replicaArn + "/*"}},
		"DecryptSource": {actions: []string{"kms:Decrypt"}, resources: []string{siteKey.(string)},
			via: "s3.us-east-1.amazonaws.com", context: []any{siteArn, siteArn + "/*"}},
		"EncryptReplica": {actions: []string{"kms:Encrypt", "kms:GenerateDataKey"}, resources: []string{replicaKey.(string)},
			via: "s3.us-west-2.amazonaws.com", context: []any{replicaArn, replicaArn + "/*"}},
	}
	if len(got) != len(grants) {
		t.Errorf("replication role has statements %v, want %d", keysOf(got), len(grants))
	}
	for sid, g := range grants {
		st, ok := got[sid]
		if !ok {
			t.Errorf("replication role has no %s statement", sid)
			continue
		}
		if st.Effect != "Allow" || !reflect.DeepEqual(mockengine.OneOrMany(st.Action), sorted(g.actions)) ||
			!reflect.DeepEqual(mockengine.OneOrMany(st.Resource), sorted(g.resources)) {
			t.Errorf("%s = %+v, want %v on %v", sid, st, g.actions, g.resources)
		}
		if g.via != "" && (st.Condition["StringEquals"]["kms:ViaService"] != g.via ||
			!reflect.DeepEqual(st.Condition["StringLike"]["kms:EncryptionContext:aws:s3:arn"], g.context)) {
			t.Errorf("%s conditions = %v, want via %s for %v", sid, st.Condition, g.via, g.context)
		}
	}
}

// TestDRAssessmentAcceptsTheFrontend runs the DR assessment over what the
// component creates: the site bucket is covered by s3-crr-rtc, the log
// bucket is exempt, the replica is not a store of its own.
func TestDRAssessmentAcceptsTheFrontend(t *testing.T) {
	t.Parallel()
	assess := func(drRegion string) dr.Report {
		r := synth(t, setup{shape: dbay, dr: drRegion})
		var primary []dr.Resource
		for _, res := range r.eng.Resources() {
			primary = append(primary, dr.Resource{Type: res.Type, Name: res.Name, Region: res.Region, Inputs: res.In(), Outputs: res.Out()})
		}
		return dr.Assess(dr.Default, "us-west-2", primary, nil, nil)
	}
	rep := assess("us-west-2")
	status := map[string]string{}
	for _, row := range rep.Rows {
		status[row.Resource] = row.Status
	}
	if want := map[string]string{"site": dr.StatusMeets, "logs": dr.StatusExempt, "site-replica-logs": dr.StatusExempt}; !rep.OK() || !reflect.DeepEqual(status, want) {
		t.Errorf("assessment rows %v, violations %v; want %v", status, rep.Violations, want)
	}
	// A replica in any other region does not count.
	if rep := assess("eu-west-1"); rep.OK() {
		t.Errorf("a replica outside the DR region passed: %+v", rep.Rows)
	}
}

// TestOriginGroupFailsOverToReplica: the replica is a second OAC origin and
// the bucket's behaviours (read-only) target a group failing over to it on
// 5xx; the API and ALB behaviours keep their origins.
func TestOriginGroupFailsOverToReplica(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		shape shape
		raw   string
		group []string // patterns that must target the group
		other map[string]string
	}{
		"spa": {shape: dbay, group: []string{"default", "/assets/*"}, other: map[string]string{"/api/*": originAPI}},
		"alb": {shape: dhanam, raw: albAliases,
			group: []string{"/_next/static/*"}, other: map[string]string{"default": originALB, "/api/*": originALB}},
	}
	for name, tt := range tests {
		r := synth(t, setup{shape: tt.shape, raw: tt.raw, dr: "us-west-2"})
		dist := r.one(t, tDist, "cdn")
		oac := r.one(t, "aws:cloudfront/originAccessControl:OriginAccessControl", "site")
		o := origins(dist)
		replica := o[originReplica]
		if replica == nil || replica["domainName"] != r.one(t, tBucket, "site-replica").Out()["bucketRegionalDomainName"] ||
			!strings.Contains(replica["domainName"].(string), ".s3.us-west-2.") || replica["originAccessControlId"] != oac.ID ||
			o[originSite]["originAccessControlId"] != oac.ID {
			t.Errorf("%s: replica origin = %v, want the replica's regional name through OAC %s", name, replica, oac.ID)
		}
		wantGroups := []any{map[string]any{
			"originId":         originGroup,
			"failoverCriteria": map[string]any{"statusCodes": []any{500.0, 502.0, 503.0, 504.0}},
			"members":          []any{map[string]any{"originId": originSite}, map[string]any{"originId": originReplica}},
		}}
		if got := dist.In()["originGroups"]; !reflect.DeepEqual(got, wantGroups) {
			t.Errorf("%s: originGroups = %v, want %v", name, got, wantGroups)
		}
		bs := behaviors(dist)
		for _, p := range tt.group {
			b := bs[p]
			if b == nil || b["targetOriginId"] != originGroup {
				t.Errorf("%s: behavior %s = %v, want the origin group", name, p, b)
				continue
			}
			for _, m := range mockengine.OneOrMany(b["allowedMethods"]) {
				if m != "GET" && m != "HEAD" && m != "OPTIONS" {
					t.Errorf("%s: behavior %s allows %s, which an origin group cannot serve", name, p, m)
				}
			}
		}
		for p, origin := range tt.other {
			if bs[p] == nil || bs[p]["targetOriginId"] != origin {
				t.Errorf("%s: behavior %s = %v, want origin %s", name, p, bs[p], origin)
			}
		}
		for p, b := range bs {
			if b["targetOriginId"] == originSite || b["targetOriginId"] == originReplica {
				t.Errorf("%s: behavior %s bypasses the origin group: %v", name, p, b["targetOriginId"])
			}
		}
	}
}

// TestNoDRChangesNothing: without Args.DR no resource is added and every
// resource's inputs are what they are with DR, except the distribution's
// origins, origin groups and targets.
func TestNoDRChangesNothing(t *testing.T) {
	t.Parallel()
	for sh, raw := range map[shape]string{spaOnly: "", dbay: "", dhanam: albAliases} {
		without, with := synth(t, setup{shape: sh, raw: raw}), synth(t, setup{shape: sh, raw: raw, dr: "us-west-2"})
		if without.outs["replicaBucketName"] != "" {
			t.Errorf("shape %d: replicaBucketName = %v without DR", sh, without.outs["replicaBucketName"])
		}
		seen := map[string]bool{}
		for _, res := range without.eng.Resources() {
			id := res.Type + "/" + res.Name
			seen[id] = true
			if _, ok := drResources[id]; ok || res.Provider == drURN {
				t.Errorf("shape %d: %s created without DR", sh, id)
			}
			other := with.eng.Get(res.Type, res.Name)
			if other == nil {
				t.Errorf("shape %d: %s exists only without DR", sh, id)
				continue
			}
			in, otherIn := res.In(), other.In()
			if res.Type == tDist {
				// With DR: one more origin, the group, and the group where
				// the site origin was; nothing else.
				if in["originGroups"] != nil {
					t.Errorf("shape %d: distribution without DR has origin groups %v", sh, in["originGroups"])
				}
				delete(otherIn, "originGroups")
				var kept []any
				for _, o := range otherIn["origins"].([]any) {
					if o.(map[string]any)["originId"] != originReplica {
						kept = append(kept, o)
					}
				}
				otherIn["origins"] = kept
				unGroup := func(b any) {
					if m, _ := b.(map[string]any); m["targetOriginId"] == originGroup {
						m["targetOriginId"] = originSite
					}
				}
				unGroup(otherIn["defaultCacheBehavior"])
				ordered, _ := otherIn["orderedCacheBehaviors"].([]any)
				for _, b := range ordered {
					unGroup(b)
				}
			}
			if !reflect.DeepEqual(in, otherIn) || res.Provider != other.Provider || res.Options.Protect != other.Options.Protect {
				t.Errorf("shape %d: %s differs with DR:\n%v\n%v", sh, id, in, otherIn)
			}
		}
		for _, res := range with.eng.Resources() {
			id := res.Type + "/" + res.Name
			if _, ok := drResources[id]; !seen[id] && !ok && !strings.HasPrefix(res.Type, "pulumi:providers:") {
				t.Errorf("shape %d: DR adds %s, which the test does not know", sh, id)
			}
		}
	}
}

func sorted(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	return out
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
