package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/synth"
)

// Pulumi.dr.yaml repeats prod's sections (Pulumi has no cross-stack
// config); this catches drift. Only the documented differences may differ.
func TestRecoveryConfigMirrorsThePrimary(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{root, "../examples/dhanam"} {
		rec := synthesize(t, dir, "dr").Config
		prim := synthesize(t, dir, "prod").Config
		if !reflect.DeepEqual(rec.Secrets.Items, prim.Secrets.Items) {
			t.Errorf("%s: secrets differ", dir)
		}
		// The recovery stack replicates each of the primary's application
		// keys and gives it the same variable (optional/provided are part
		// of the items above: a secret provided in prod is injected in dr).
		if !reflect.DeepEqual(rec.Secrets.Keys, prim.Secrets.Keys) {
			t.Errorf("%s: secrets.keys differ:\n dr   %v\n prod %v", dir, rec.Secrets.Keys, prim.Secrets.Keys)
		}
		rd, pd := rec.Data, prim.Data
		// The primary's reporting replicas are the recovery stack's, built
		// once it is active (dr.reportingReplicas).
		if pd.Postgres != nil && !reflect.DeepEqual(rec.DR.ReportingReplicas, pd.Postgres.ReadReplicas) &&
			(len(rec.DR.ReportingReplicas) > 0 || len(pd.Postgres.ReadReplicas) > 0) && dir != root {
			t.Errorf("%s: dr.reportingReplicas %v, want the primary's read replicas %v", dir, rec.DR.ReportingReplicas, pd.Postgres.ReadReplicas)
		}
		if pd.Postgres != nil {
			p := *pd.Postgres
			p.MultiAZ, p.ReadReplicas = rd.Postgres.MultiAZ, nil // pilot: single-AZ until promoted; no replicas of a replica
			if !reflect.DeepEqual(*rd.Postgres, p) {
				t.Errorf("%s: postgres differs:\n dr   %+v\n prod %+v", dir, *rd.Postgres, p)
			}
		}
		if pd.DocumentDB != nil {
			m := *pd.DocumentDB
			m.Instances = rd.DocumentDB.Instances // one reader in the secondary
			if !reflect.DeepEqual(*rd.DocumentDB, m) {
				t.Errorf("%s: documentdb differs", dir)
			}
		}
		for name, a := range map[string][2]any{
			"redis": {rd.Redis, pd.Redis}, "memcached": {rd.Memcached, pd.Memcached}, "opensearch": {rd.OpenSearch, pd.OpenSearch},
			"buckets": {rd.Buckets, pd.Buckets}, "bus": {rd.Bus, pd.Bus}, "queues": {rd.Queues, pd.Queues}, "ses": {rd.SES, pd.SES},
		} {
			if !reflect.DeepEqual(a[0], a[1]) {
				t.Errorf("%s: data.%s differs", dir, name)
			}
		}
		// One provider of the account's baseline for both stacks (an
		// organization that manages one manages both); the trail settings
		// are the primary's alone (its multi-Region trail records dr's Region).
		if rec.Security.Baseline != prim.Security.Baseline || rec.Security.TrailLogGroup != "" {
			t.Errorf("%s: security.baseline %q in dr, %q in prod; dr names no trailLogGroup (%q)", dir,
				rec.Security.Baseline, prim.Security.Baseline, rec.Security.TrailLogGroup)
		}
		if (rec.Fleet == nil) != (prim.Fleet == nil) || (rec.Serverless == nil) != (prim.Serverless == nil) {
			t.Errorf("%s: dr must run the same fleet and serverless sections as prod", dir)
			continue
		}
		if prim.Fleet != nil {
			f := *prim.Fleet
			f.Standby = rec.Fleet.Standby
			if !reflect.DeepEqual(*rec.Fleet, f) {
				t.Errorf("%s: fleet differs beyond standby", dir)
			}
		}
		if prim.Serverless != nil {
			s := *prim.Serverless
			// Each stack reads its function packages from a bucket in its
			// own Region (docs/runbooks.md "Release the functions").
			s.Code.Bucket = rec.Serverless.Code.Bucket
			if !reflect.DeepEqual(*rec.Serverless, s) {
				t.Errorf("%s: serverless differs beyond code.bucket", dir)
			}
			if r := config.BucketRegion(rec.Serverless.Code.Bucket); r != rec.Region || rec.Serverless.Code.Bucket == prim.Serverless.Code.Bucket {
				t.Errorf("%s: dr reads its code from %s (in %q), want a bucket of its own Region %s", dir, rec.Serverless.Code.Bucket, r, rec.Region)
			}
		}
		if prim.Auth != nil {
			a := *prim.Auth
			// auth.<domain> is the primary pool's; the DR pool's hosted UI
			// takes the default <prefix>.auth.us-west-2.amazoncognito.com.
			a.CustomDomain, a.DomainPrefix = rec.Auth.CustomDomain, rec.Auth.DomainPrefix
			if !reflect.DeepEqual(*rec.Auth, a) {
				t.Errorf("%s: auth differs beyond customDomain", dir)
			}
		}
	}
}

// Bad DR input fails before anything is registered, with exit 2 and the
// key path: the primary's region, a primary stack synth cannot find, an
// objective no mechanism meets, overlapping VPCs.
func TestBadRecoveryConfigExits2(t *testing.T) {
	t.Parallel()
	prod, err := os.ReadFile(filepath.Join(root, "Pulumi.prod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	drFile, err := os.ReadFile(filepath.Join(root, "Pulumi.dr.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to, want string
		noPrimary            bool
	}{
		{"same region", "primaryRegion: us-east-1", "primaryRegion: us-west-2", "dbay:dr.primaryRegion: the primary's region us-west-2 is the recovery stack's own (aws:region)", false},
		{"unmeetable RPO", "rpo: 1h", "rpo: 5m", "dbay:dr.rpo: RPO 5m, RTO 4h cannot be met for data.buckets: the best mechanism for bucket (s3-crr-rtc) gives RPO 15m", false},
		{"overlapping VPCs", "cidr: 10.1.0.0/16\n    peerCidr: 10.0.0.0/16", "cidr: 10.0.0.0/16\n    peerCidr: 10.0.0.0/16", "dbay:network.cidr: 10.0.0.0/16 overlaps the peer stack's 10.0.0.0/16", false},
		{"reporting replica twice", "primaryRegion: us-east-1\n", "primaryRegion: us-east-1\n    reportingReplicas: [dashboards, dashboards]\n",
			`dbay:dr.reportingReplicas[1]: "dashboards" is listed twice`, false},
		{"no primary reference", "    primaryStack: organization/dbay/prod\n", "", "dbay:dr.primaryStack: is required in a recovery stack", false},
		{"primary not found", "organization/dbay/prod", "organization/dbay/production", "dbay:dr.primaryStack: organization/dbay/production names stack production, but there is no", false},
		{"no primary stack file", "", "", "dbay:dr.primaryStack: organization/dbay/prod names stack prod, but there is no", true},
		// Lambda reads code only from its own Region (issue 13, item 3).
		{"primary's code bucket", "bucket: dbay-serverless-artifacts-us-west-2", "bucket: dbay-serverless-artifacts-us-east-1",
			`dbay:serverless.code.bucket: "dbay-serverless-artifacts-us-east-1" is the primary's bucket (us-east-1): Lambda reads a function's code only from a bucket in the function's own Region (us-west-2)`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			write(t, dir, "Pulumi.yaml", "name: dbay\nruntime: go\n")
			if !tt.noPrimary {
				write(t, dir, "Pulumi.prod.yaml", string(prod))
			}
			changed := strings.Replace(string(drFile), tt.from, tt.to, 1)
			if tt.from != "" && changed == string(drFile) {
				t.Fatalf("%q is not in Pulumi.dr.yaml", tt.from)
			}
			write(t, dir, "Pulumi.dr.yaml", changed)
			var out, errOut bytes.Buffer
			code := synth.Main([]string{"--dir", dir, "--stack", "dr"}, &out, &errOut)
			if code != 2 || out.Len() != 0 || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stdout %d bytes, stderr:\n%s\nwant exit 2 and %q", code, out.Len(), errOut.String(), tt.want)
			}
		})
	}
}
