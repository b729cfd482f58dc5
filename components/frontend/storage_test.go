package frontend

import (
	"reflect"
	"testing"

	"github.com/dbay/infra/dr"
	"github.com/dbay/infra/internal/mockengine"
)

func TestSiteBucketIsReadableOnlyThroughOAC(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{region: "us-west-2", shape: dbay, protect: true})
	site := r.one(t, tBucket, "site")
	dist := r.one(t, tDist, "cdn")
	oac := r.one(t, "aws:cloudfront/originAccessControl:OriginAccessControl", "site")
	distArn := dist.Out()["arn"].(string)
	bucketArn := site.Out()["arn"].(string)

	if in := oac.In(); in["originAccessControlOriginType"] != "s3" || in["signingBehavior"] != "always" || in["signingProtocol"] != "sigv4" {
		t.Errorf("OAC = %v", in)
	}
	origin := at(dist.In(), "origins", 0).(map[string]any)
	if origin["originId"] != "site" || origin["domainName"] != site.Out()["bucketRegionalDomainName"] ||
		origin["originAccessControlId"] != oac.ID || origin["s3OriginConfig"] != nil || origin["customOriginConfig"] != nil {
		t.Errorf("site origin = %v, want the bucket's regional name through OAC %s", origin, oac.ID)
	}

	pol := r.one(t, tPolicy, "site")
	if pol.In()["bucket"] != site.ID {
		t.Errorf("bucket policy is on %v", pol.In()["bucket"])
	}
	d := parsePolicy(t, pol.In()["policy"])
	if len(d.Statement) != 2 {
		t.Fatalf("site policy has %d statements: %+v", len(d.Statement), d)
	}
	read, deny := d.Statement[0], d.Statement[1]
	if read.Effect != "Allow" || read.Action != "s3:GetObject" || read.Resource != bucketArn+"/*" ||
		!reflect.DeepEqual(read.Principal, map[string]any{"Service": "cloudfront.amazonaws.com"}) ||
		!reflect.DeepEqual(read.Condition, map[string]map[string]any{"StringEquals": {"AWS:SourceArn": distArn}}) {
		t.Errorf("read statement = %+v, want GetObject for this distribution only", read)
	}
	if deny.Effect != "Deny" || deny.Action != "s3:*" || deny.Condition["Bool"]["aws:SecureTransport"] != "false" ||
		!reflect.DeepEqual(deny.Resource, []any{bucketArn, bucketArn + "/*"}) {
		t.Errorf("deny statement = %+v, want non-TLS requests denied", deny)
	}

	checkPrivateVersionedEncrypted(t, r, "site", "BucketOwnerEnforced", "site-key")
	key := r.one(t, tKey, "site-key")
	kd := parsePolicy(t, key.In()["policy"])
	cf := kd.Statement[1]
	if !reflect.DeepEqual(cf.Principal, map[string]any{"Service": "cloudfront.amazonaws.com"}) || cf.Action != "kms:Decrypt" ||
		!reflect.DeepEqual(cf.Condition, map[string]map[string]any{"StringEquals": {"AWS:SourceArn": distArn}}) {
		t.Errorf("site key lets %+v decrypt, want only this distribution", cf)
	}
}

func TestLogBucketTakesCloudFrontStandardLogs(t *testing.T) {
	t.Parallel()
	r := synth(t, setup{raw: `{"logRetentionDays":400}`, protect: true})
	logs := r.one(t, tBucket, "logs")
	dist := r.one(t, tDist, "cdn")
	// Standard logs are written through an ACL grant: ACLs stay enabled, owner-preferred.
	checkPrivateVersionedEncrypted(t, r, "logs", "BucketOwnerPreferred", "logs-key")
	want := map[string]any{"bucket": logs.Out()["bucketDomainName"], "prefix": "cloudfront/", "includeCookies": false}
	if got := dist.In()["loggingConfig"]; !reflect.DeepEqual(got, want) {
		t.Errorf("loggingConfig = %v, want %v", got, want)
	}
	own := r.one(t, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "logs")
	if !contains(dist.Dependencies, own.URN) {
		t.Error("the distribution does not wait for the log bucket's ACLs to be enabled")
	}
	rule := at(r.one(t, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "logs").In(), "rules", 0)
	if at(rule, "expiration", "days") != 400.0 || at(rule, "status") != "Enabled" {
		t.Errorf("log lifecycle = %v, want expiry after frontend.logRetentionDays", rule)
	}
	kd := parsePolicy(t, r.one(t, tKey, "logs-key").In()["policy"])
	if !reflect.DeepEqual(kd.Statement[1].Principal, map[string]any{"Service": "delivery.logs.amazonaws.com"}) || kd.Statement[1].Action != "kms:GenerateDataKey*" {
		t.Errorf("log key statement = %+v", kd.Statement[1])
	}
	// Logs only: the DR assessment exempts the bucket by this tag, and only it.
	if tags := logs.In()["tags"]; !reflect.DeepEqual(tags, map[string]any{dr.TagDataClass: dr.DataClassLog}) {
		t.Errorf("log bucket tags = %v, want %s=%s", tags, dr.TagDataClass, dr.DataClassLog)
	}
	if tags := r.one(t, tBucket, "site").In()["tags"]; tags != nil {
		t.Errorf("site bucket tags = %v: the site holds data, it is neither logs nor a replica", tags)
	}
	if r.outs["logBucketName"] != logs.Out()["bucket"] || r.outs["bucketName"] != r.one(t, tBucket, "site").Out()["bucket"] {
		t.Errorf("bucket outputs = %v / %v", r.outs["bucketName"], r.outs["logBucketName"])
	}
}

func TestBucketsAreProtectedOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	for _, protect := range []bool{true, false} {
		r := synth(t, setup{protect: protect})
		for _, name := range []string{"site", "logs"} {
			if b := r.one(t, tBucket, name); b.Options.Protect != protect {
				t.Errorf("Protect=%v: %s bucket protect = %v", protect, name, b.Options.Protect)
			}
		}
	}
}

// checkPrivateVersionedEncrypted asserts the settings every frontend bucket has.
func checkPrivateVersionedEncrypted(t *testing.T, r run, name, ownership, keyName string) {
	t.Helper()
	b := r.one(t, tBucket, name)
	if b.In()["forceDestroy"] != false {
		t.Errorf("%s bucket forceDestroy = %v", name, b.In()["forceDestroy"])
	}
	pab := r.one(t, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name).In()
	for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		if pab[k] != true || pab["bucket"] != b.ID {
			t.Errorf("%s public access block %s = %v", name, k, pab[k])
		}
	}
	own := r.one(t, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", name).In()
	if at(own, "rule", "objectOwnership") != ownership {
		t.Errorf("%s ownership = %v, want %s", name, own, ownership)
	}
	ver := r.one(t, "aws:s3/bucketVersioningV2:BucketVersioningV2", name).In()
	if at(ver, "versioningConfiguration", "status") != "Enabled" || ver["bucket"] != b.ID {
		t.Errorf("%s versioning = %v", name, ver)
	}
	key := r.one(t, tKey, keyName)
	sse := r.one(t, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", name).In()
	byDefault := at(sse, "rules", 0, "applyServerSideEncryptionByDefault")
	if at(byDefault, "sseAlgorithm") != "aws:kms" || at(byDefault, "kmsMasterKeyId") != key.Out()["arn"] || sse["bucket"] != b.ID {
		t.Errorf("%s encryption = %v, want SSE-KMS with %s", name, sse, keyName)
	}
	if key.In()["enableKeyRotation"] != true || key.In()["deletionWindowInDays"] != 30.0 {
		t.Errorf("%s = %v", keyName, key.In())
	}
	kd := parsePolicy(t, key.In()["policy"])
	for _, st := range kd.Statement {
		if st.Principal == "*" || reflect.DeepEqual(st.Principal, map[string]any{"AWS": "*"}) {
			t.Errorf("%s policy has a wildcard principal: %+v", keyName, st)
		}
	}
	if !reflect.DeepEqual(kd.Statement[0].Principal, map[string]any{"AWS": "arn:aws:iam::" + mockengine.Account + ":root"}) {
		t.Errorf("%s is not administered by the account: %+v", keyName, kd.Statement[0])
	}
}
