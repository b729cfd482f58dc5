package cfnschema

import "fmt"

// S3: pulumi-aws splits a bucket into a bucket and one resource per
// setting; CloudFormation has one AWS::S3::Bucket with a property per
// setting, so the split resources are merged onto their bucket.
// Property shapes: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html
var s3Specs = map[string]spec{
	"aws:s3/bucketV2:BucketV2": {
		cfn:   "AWS::S3::Bucket",
		attrs: map[string]string{"id": "Ref", "arn": "Arn", "bucketRegionalDomainName": "RegionalDomainName", "bucketDomainName": "DomainName"},
		skip: map[string]string{
			"forceDestroy": "a provider-side behaviour (empty the bucket on delete), not an AWS setting",
		},
		build: func(b *builder) {
			b.set("BucketName", b.physical("bucket"))
			b.take("bucket")
			b.take("bucketPrefix")
			b.raw("objectLockEnabled", "ObjectLockEnabled")
			b.set("Tags", b.tags())
		},
	},
	"aws:s3/bucket:Bucket": {
		cfn:   "AWS::S3::Bucket",
		attrs: map[string]string{"id": "Ref", "arn": "Arn"},
		skip:  map[string]string{"forceDestroy": "a provider-side behaviour (empty the bucket on delete), not an AWS setting"},
		build: func(b *builder) {
			b.set("BucketName", b.physical("bucket"))
			b.take("bucket")
			b.set("Tags", b.tags())
		},
	},
	"aws:s3/bucketVersioningV2:BucketVersioningV2": {
		cfn: "AWS::S3::Bucket", into: "aws:s3/bucketV2:BucketV2", key: "bucket",
		skip: map[string]string{"expectedBucketOwner": "an API guard, not a bucket setting", "mfa": "an MFA token for the call, not a setting"},
		build: func(b *builder) {
			vc := obj(b.take("versioningConfiguration"))
			b.set("VersioningConfiguration", map[string]any{"Status": vc["status"]})
		},
	},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {
		cfn: "AWS::S3::Bucket", into: "aws:s3/bucketV2:BucketV2", key: "bucket",
		skip: map[string]string{"expectedBucketOwner": "an API guard, not a bucket setting"},
		build: func(b *builder) {
			var rules []any
			for _, r := range list(b.take("rules")) {
				rules = append(rules, pascal(r, map[string]string{
					"applyServerSideEncryptionByDefault": "ServerSideEncryptionByDefault",
					"sseAlgorithm":                       "SSEAlgorithm",
					"kmsMasterKeyId":                     "KMSMasterKeyID",
				}))
			}
			b.set("BucketEncryption", map[string]any{"ServerSideEncryptionConfiguration": rules})
		},
	},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": {
		cfn: "AWS::S3::Bucket", into: "aws:s3/bucketV2:BucketV2", key: "bucket",
		skip: map[string]string{"expectedBucketOwner": "an API guard, not a bucket setting"},
		build: func(b *builder) {
			var rules []any
			for _, r := range list(b.take("rules")) {
				rules = append(rules, lifecycleRule(obj(r)))
			}
			b.set("LifecycleConfiguration", map[string]any{"Rules": rules})
		},
	},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
		cfn: "AWS::S3::Bucket", into: "aws:s3/bucketV2:BucketV2", key: "bucket",
		build: func(b *builder) {
			pab := map[string]any{}
			for in, out := range map[string]string{"blockPublicAcls": "BlockPublicAcls", "blockPublicPolicy": "BlockPublicPolicy",
				"ignorePublicAcls": "IgnorePublicAcls", "restrictPublicBuckets": "RestrictPublicBuckets"} {
				if v := b.take(in); v != nil {
					pab[out] = v
				}
			}
			b.set("PublicAccessBlockConfiguration", pab)
		},
	},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
		cfn: "AWS::S3::Bucket", into: "aws:s3/bucketV2:BucketV2", key: "bucket",
		build: func(b *builder) {
			b.set("OwnershipControls", map[string]any{"Rules": []any{pascal(b.take("rule"), nil)}})
		},
	},
	"aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2": {
		cfn: "AWS::S3::Bucket", into: "aws:s3/bucketV2:BucketV2", key: "bucket",
		skip: map[string]string{"expectedBucketOwner": "an API guard, not a bucket setting"},
		build: func(b *builder) {
			rules := pascal(b.take("corsRules"), map[string]string{"exposeHeaders": "ExposedHeaders", "maxAgeSeconds": "MaxAge", "id": "Id"})
			b.set("CorsConfiguration", map[string]any{"CorsRules": rules})
		},
	},
	"aws:s3/bucketLoggingV2:BucketLoggingV2": {
		cfn: "AWS::S3::Bucket", into: "aws:s3/bucketV2:BucketV2", key: "bucket",
		skip: map[string]string{"expectedBucketOwner": "an API guard, not a bucket setting"},
		build: func(b *builder) {
			lc := map[string]any{"DestinationBucketName": b.take("targetBucket")}
			if p := b.take("targetPrefix"); p != nil {
				lc["LogFilePrefix"] = p
			}
			if f := b.take("targetObjectKeyFormat"); f != nil {
				lc["TargetObjectKeyFormat"] = pascal(f, nil)
			}
			b.set("LoggingConfiguration", lc)
		},
	},
	"aws:s3/bucketReplicationConfig:BucketReplicationConfig": {
		cfn: "AWS::S3::Bucket", into: "aws:s3/bucketV2:BucketV2", key: "bucket",
		skip: map[string]string{"token": "an API token for Object Lock buckets, not a setting"},
		build: func(b *builder) {
			rules := pascal(b.take("rules"), map[string]string{
				"replicaKmsKeyId": "ReplicaKmsKeyID",
			})
			b.set("ReplicationConfiguration", map[string]any{"Role": b.take("role"), "Rules": rules})
		},
	},
	"aws:s3/bucketPolicy:BucketPolicy": {
		cfn: "AWS::S3::BucketPolicy",
		build: func(b *builder) {
			b.raw("bucket", "Bucket")
			b.set("PolicyDocument", doc(b.take("policy")))
		},
	},
}

// lifecycleRule translates one rule of aws:s3/bucketLifecycleConfigurationV2
// (filter, expiration, transitions as the S3 API has them) into
// CloudFormation's flatter Rule.
func lifecycleRule(r map[string]any) map[string]any {
	out := map[string]any{"Id": r["id"], "Status": r["status"]}
	if f := obj(r["filter"]); f != nil {
		if p, ok := f["prefix"]; ok {
			out["Prefix"] = p
		}
		if n, ok := f["objectSizeGreaterThan"]; ok {
			out["ObjectSizeGreaterThan"] = fmt.Sprint(n)
		}
		if n, ok := f["objectSizeLessThan"]; ok {
			out["ObjectSizeLessThan"] = fmt.Sprint(n)
		}
		if and := obj(f["and"]); and != nil {
			if p, ok := and["prefix"]; ok {
				out["Prefix"] = p
			}
			if t := tags(and["tags"]); t != nil {
				out["TagFilters"] = t
			}
		}
		if t := obj(f["tag"]); t != nil {
			out["TagFilters"] = []any{map[string]any{"Key": t["key"], "Value": t["value"]}}
		}
	}
	if e := obj(r["expiration"]); e != nil {
		if d, ok := e["days"]; ok {
			out["ExpirationInDays"] = d
		}
		if d, ok := e["date"]; ok {
			out["ExpirationDate"] = d
		}
		if m, ok := e["expiredObjectDeleteMarker"]; ok {
			out["ExpiredObjectDeleteMarker"] = m
		}
	}
	if n := obj(r["noncurrentVersionExpiration"]); n != nil {
		out["NoncurrentVersionExpiration"] = pascal(n, nil)
	}
	if a := obj(r["abortIncompleteMultipartUpload"]); a != nil {
		out["AbortIncompleteMultipartUpload"] = pascal(a, nil)
	}
	var ts []any
	for _, t := range list(r["transitions"]) {
		ts = append(ts, pascal(t, map[string]string{"days": "TransitionInDays", "date": "TransitionDate"}))
	}
	if ts != nil {
		out["Transitions"] = ts
	}
	var nts []any
	for _, t := range list(r["noncurrentVersionTransitions"]) {
		nts = append(nts, pascal(t, map[string]string{"noncurrentDays": "TransitionInDays"}))
	}
	if nts != nil {
		out["NoncurrentVersionTransitions"] = nts
	}
	for k, v := range out {
		if v == nil {
			delete(out, k)
		}
	}
	return out
}
