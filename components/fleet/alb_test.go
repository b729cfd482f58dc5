package fleet

import (
	"reflect"
	"strings"
	"testing"
)

func TestLoadBalancer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		r        run
		internal bool
		tier     string
	}{
		{"dbay (vpclink)", synth(t, dbay(t), nil).must(t), true, "privateSubnetIds"},
		{"dhanam (cloudfront)", synth(t, dhanam(t), nil).must(t), false, "publicSubnetIds"},
	} {
		r := tt.r
		alb := r.one(t, "aws:lb/loadBalancer:LoadBalancer", "alb")
		in := alb.In()
		logs := in["accessLogs"].(map[string]any)
		if in["loadBalancerType"] != "application" || in["internal"] != tt.internal ||
			!reflect.DeepEqual(in["subnets"], r.one(t, "awsx:ec2:Vpc", "vpc").Out()[tt.tier]) ||
			in["dropInvalidHeaderFields"] != true || in["enableDeletionProtection"] != true ||
			!reflect.DeepEqual(in["securityGroups"], []any{r.one(t, tSG, "alb").ID}) ||
			logs["enabled"] != true || logs["bucket"] != r.one(t, "aws:s3/bucketV2:BucketV2", "alb-logs").Out()["bucket"] || logs["prefix"] != "alb" {
			t.Errorf("%s: ALB = %v", tt.name, in)
		}
		if !contains(alb.Dependencies, r.one(t, "aws:s3/bucketPolicy:BucketPolicy", "alb-logs").URN) {
			t.Errorf("%s: the ALB does not wait for its log bucket policy", tt.name)
		}
		http := r.one(t, "aws:lb/listener:Listener", "http").In()
		redirect := http["defaultActions"].([]any)[0].(map[string]any)
		if http["port"] != 80.0 || redirect["type"] != "redirect" ||
			!reflect.DeepEqual(redirect["redirect"], map[string]any{"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}) {
			t.Errorf("%s: HTTP listener = %v", tt.name, http)
		}
		https := r.one(t, "aws:lb/listener:Listener", "https")
		hin := https.In()
		fixed := hin["defaultActions"].([]any)[0].(map[string]any)
		if hin["port"] != 443.0 || hin["protocol"] != "HTTPS" || hin["sslPolicy"] != "ELBSecurityPolicy-TLS13-1-2-2021-06" ||
			hin["certificateArn"] != r.one(t, "aws:acm/certificateValidation:CertificateValidation", "alb").Out()["certificateArn"] ||
			fixed["type"] != "fixed-response" || fixed["fixedResponse"].(map[string]any)["statusCode"] != "404" {
			t.Errorf("%s: HTTPS listener = %v", tt.name, hin)
		}
		if r.outs["httpsListenerArn"] != https.Out()["arn"] || r.outs["albArn"] != alb.Out()["arn"] || r.outs["albDnsName"] != alb.Out()["dnsName"] {
			t.Errorf("%s: outputs %v", tt.name, r.outs)
		}
	}
}

func TestListenerRulesAndTargetGroups(t *testing.T) {
	t.Parallel()
	db := synth(t, dbay(t), nil).must(t)
	https := db.one(t, "aws:lb/listener:Listener", "https").Out()["arn"]
	for i, s := range db.fx.fleet.Services {
		rule := db.eng.Get("aws:lb/listenerRule:ListenerRule", s.Name)
		if !s.Expose.Public {
			if rule != nil || db.eng.Get("aws:lb/targetGroup:TargetGroup", s.Name) != nil {
				t.Errorf("internal %s is routed", s.Name)
			}
			continue
		}
		in := rule.In()
		tg := db.one(t, "aws:lb/targetGroup:TargetGroup", s.Name)
		action := in["actions"].([]any)[0].(map[string]any)
		want := []any{map[string]any{"pathPattern": map[string]any{"values": []any{s.Expose.Paths[0]}}}}
		if in["listenerArn"] != https || in["priority"] != float64((i+1)*10) || action["type"] != "forward" ||
			action["targetGroupArn"] != tg.Out()["arn"] || !reflect.DeepEqual(in["conditions"], want) {
			t.Errorf("%s rule = %v", s.Name, in)
		}
		tin := tg.In()
		hc := tin["healthCheck"].(map[string]any)
		if tin["targetType"] != "ip" || tin["port"] != 8000.0 || tin["deregistrationDelay"] != 30.0 ||
			hc["path"] != "/health" || hc["matcher"] != "200-399" || tin["vpcId"] != db.one(t, "awsx:ec2:Vpc", "vpc").Out()["vpcId"] {
			t.Errorf("%s target group = %v", s.Name, tin)
		}
	}
	dh := synth(t, dhanam(t), nil).must(t)
	for name, host := range map[string]string{"api": "api.dhanam.io", "web": "app.dhanam.io"} {
		in := dh.one(t, "aws:lb/listenerRule:ListenerRule", name).In()
		if !reflect.DeepEqual(in["conditions"], []any{map[string]any{"hostHeader": map[string]any{"values": []any{host}}}}) {
			t.Errorf("%s conditions = %v", name, in["conditions"])
		}
	}
	if hc := dh.one(t, "aws:lb/targetGroup:TargetGroup", "web").In()["healthCheck"].(map[string]any); hc["path"] != "/api/health" { // the web's decision in Pulumi.prod.yaml
		t.Errorf("web health check = %v", hc)
	}
}

func TestCertificate(t *testing.T) {
	t.Parallel()
	r := synth(t, dhanam(t), nil).must(t)
	cert := r.one(t, "aws:acm/certificate:Certificate", "alb")
	if in := cert.In(); in["domainName"] != "*.dhanam.io" || !reflect.DeepEqual(in["subjectAlternativeNames"], []any{"dhanam.io"}) ||
		in["validationMethod"] != "DNS" || cert.Region != "us-east-1" {
		t.Errorf("certificate = %v in %s", in, cert.Region)
	}
	rec := r.one(t, "aws:route53/record:Record", "alb-certificate-validation").In()
	dvo := cert.Out()["domainValidationOptions"].([]any)[0].(map[string]any)
	if rec["zoneId"] != "Z0123456789ABCDEFGHIJ" || rec["name"] != dvo["resourceRecordName"] || rec["type"] != "CNAME" ||
		!reflect.DeepEqual(rec["records"], []any{dvo["resourceRecordValue"]}) || rec["allowOverwrite"] != nil {
		t.Errorf("validation record = %v", rec)
	}
	if r.eng.Get("aws:route53/record:Record", "alb-certificate-validation-1") != nil {
		t.Error("the wildcard and the apex share one validation record; two were written")
	}
	// In a recovery region the certificate is that region's (the provider's).
	fx := dbay(t)
	fx.region, fx.zone, fx.replica = "us-west-2", false, ""
	dr := synth(t, fx, nil).must(t)
	drCert := dr.one(t, "aws:acm/certificate:Certificate", "alb")
	if drCert.Region != "us-west-2" || dr.eng.Get("aws:acm/certificateValidation:CertificateValidation", "alb") != nil {
		t.Errorf("no zone: certificate in %s, validation %v", drCert.Region, dr.eng.Get("aws:acm/certificateValidation:CertificateValidation", "alb"))
	}
	recs, _ := dr.outs["certificateValidationRecords"].([]any)
	if len(recs) != 1 || !strings.HasSuffix(recs[0].(map[string]any)["name"].(string), ".dbay.example.com.") {
		t.Errorf("no zone: certificateValidationRecords = %v", dr.outs["certificateValidationRecords"])
	}
	if dr.one(t, "aws:lb/listener:Listener", "https").In()["certificateArn"] != drCert.Out()["arn"] {
		t.Error("no zone: the listener does not use the requested certificate")
	}
}

func TestAccessLogBucket(t *testing.T) {
	t.Parallel()
	r := synth(t, dbay(t), nil).must(t)
	b := r.one(t, "aws:s3/bucketV2:BucketV2", "alb-logs")
	arn := b.Out()["arn"].(string)
	sse := r.one(t, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "alb-logs").In()
	rule := sse["rules"].([]any)[0].(map[string]any)["applyServerSideEncryptionByDefault"].(map[string]any)
	if rule["sseAlgorithm"] != "AES256" || !b.Options.Protect {
		t.Errorf("log bucket encryption %v, protect %v (ALB logs support SSE-S3 only)", rule, b.Options.Protect)
	}
	block := r.one(t, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "alb-logs").In()
	for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		if block[k] != true {
			t.Errorf("public access block %s = %v", k, block[k])
		}
	}
	exp := r.one(t, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "alb-logs").In()["rules"].([]any)[0].(map[string]any)
	if exp["expiration"].(map[string]any)["days"] != 90.0 {
		t.Errorf("log expiry = %v, want fleet.logRetentionDays", exp)
	}
	st := parsePolicy(t, r.one(t, "aws:s3/bucketPolicy:BucketPolicy", "alb-logs").In()["policy"])
	logs := arn + "/alb/AWSLogs/123456789012/*"
	if len(st) != 3 || st[0].Effect != "Deny" || st[0].Condition["Bool"]["aws:SecureTransport"] != "false" {
		t.Fatalf("policy = %+v", st)
	}
	if !reflect.DeepEqual(st[1].Principal, map[string]any{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}) ||
		st[1].Action != "s3:PutObject" || st[1].Resource != logs {
		t.Errorf("log delivery statement = %+v", st[1])
	}
	if !reflect.DeepEqual(st[2].Principal, map[string]any{"AWS": "arn:aws:iam::127311923021:root"}) || st[2].Resource != logs {
		t.Errorf("us-east-1's ELB account statement = %+v", st[2])
	}
}
