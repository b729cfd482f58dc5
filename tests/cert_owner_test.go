package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/synth"
	"github.com/dbay/infra/internal/tokens"
)

// ACM asks for the same validation CNAME for a name in one account,
// whatever the certificate and Region, and renews a certificate only while
// it exists (https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html).
// Across both stacks of each DR pair every validation record has exactly
// one owner, none overwrites another, and every certificate's validation
// waits on a record the pair writes, for each of its names.
func TestValidationRecordsHaveOneOwnerPerPair(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		dir    string
		shared []string // names both stacks validate: the primary owns them
	}{
		{root, []string{"api.dbay.example.com", "dbay.example.com", "ws.dbay.example.com"}},
		{"../examples/dhanam", []string{"dhanam.io"}},
	} {
		owners := map[string][]string{} // record name -> "<stack>/<resource>"
		written := map[string]bool{}    // fqdn of every record of the pair
		for _, stack := range []string{"prod", "dr"} {
			r := synthesize(t, tt.dir, stack)
			for _, rec := range r.Engine.ByType(tokens.Route53Record) {
				name := strings.TrimSuffix(str(rec.In()["name"]), ".")
				if !strings.HasPrefix(name, "_") || strings.Contains(name, "._domainkey.") {
					continue // not an ACM validation record (DKIM records are SES's)
				}
				owners[name] = append(owners[name], stack+"/"+rec.Name)
				written[str(rec.Out()["fqdn"])] = true
				if rec.In()["allowOverwrite"] != nil {
					t.Errorf("%s %s %s: allowOverwrite %v on a validation record", tt.dir, stack, rec.Name, rec.In()["allowOverwrite"])
				}
			}
		}
		var shared []string
		for _, stack := range []string{"prod", "dr"} {
			r := synthesize(t, tt.dir, stack)
			for _, v := range r.Engine.ByType(tokens.ACMCertificateValidation) {
				cert := certificateOf(r.Engine, v)
				if cert == nil {
					t.Fatalf("%s %s: validation %s has no certificate", tt.dir, stack, v.Name)
				}
				// Every validation record the certificate needs is one the
				// pair writes, and the validation waits on it.
				fqdns := map[string]bool{}
				for _, f := range mockengineList(v.In()["validationRecordFqdns"]) {
					fqdns[str(f)] = true
					if !written[str(f)] {
						t.Errorf("%s %s: certificate %s validates against %s, which no stack of the pair writes", tt.dir, stack, cert.Name, f)
					}
				}
				for _, o := range mockengineList(cert.Out()["domainValidationOptions"]) {
					o := o.(map[string]any)
					if rec := strings.TrimSuffix(str(o["resourceRecordName"]), "."); !fqdns[rec] {
						t.Errorf("%s %s: certificate %s does not wait on %s (for %s)", tt.dir, stack, cert.Name, rec, o["domainName"])
					}
				}
				if stack == "dr" {
					for _, n := range append([]string{str(cert.In()["domainName"])}, strs(cert.In()["subjectAlternativeNames"])...) {
						if b := strings.TrimPrefix(n, "*."); !strings.Contains(b, "-us-west-2.") && !containsString(shared, b) {
							shared = append(shared, b)
						}
					}
				}
			}
		}
		for name, who := range owners {
			if len(who) != 1 {
				t.Errorf("%s: validation record %s has %d owners: %v", tt.dir, name, len(who), who)
			} else if base := name[strings.Index(name, ".")+1:]; containsString(tt.shared, base) && !strings.HasPrefix(who[0], "prod/") {
				t.Errorf("%s: %s, which both stacks validate, is owned by %s, not the primary", tt.dir, name, who[0])
			}
		}
		sort.Strings(shared)
		if strings.Join(shared, ",") != strings.Join(tt.shared, ",") {
			t.Errorf("%s: names dr validates besides its pinned ones %v, want %v", tt.dir, shared, tt.shared)
		}
	}
}

// certificateOf is the certificate a validation validates.
func certificateOf(eng *mockengine.Engine, v *mockengine.Resource) *mockengine.Resource {
	for _, c := range eng.ByType(tokens.ACMCertificate) {
		if c.Out()["arn"] == v.In()["certificateArn"] {
			return c
		}
	}
	return nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strs(v any) []string {
	var out []string
	for _, x := range mockengineList(v) {
		out = append(out, str(x))
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A recovery stack that validates a name its primary does not (here the
// ALB certificate's name differs) fails the run with the fix, instead of
// waiting forever on a record nobody writes.
func TestRecoveryNameWithoutAPrimaryRecordFails(t *testing.T) {
	t.Parallel()
	prod, err := os.ReadFile(filepath.Join(root, "Pulumi.prod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	drFile, err := os.ReadFile(filepath.Join(root, "Pulumi.dr.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const from = "    alb:\n      ingress: vpclink"
	changed := strings.Replace(string(drFile), from, "    alb:\n      certificateDomain: services.dbay.example.com\n      ingress: vpclink", 1)
	if changed == string(drFile) {
		t.Fatalf("%q is not in Pulumi.dr.yaml", from)
	}
	dir := t.TempDir()
	write(t, dir, "Pulumi.yaml", "name: dbay\nruntime: go\n")
	write(t, dir, "Pulumi.prod.yaml", string(prod))
	write(t, dir, "Pulumi.dr.yaml", changed)
	var out, errOut bytes.Buffer
	code := synth.Main([]string{"--dir", dir, "--stack", "dr"}, &out, &errOut)
	want := "the primary stack organization/dbay/prod writes no DNS validation record for services.dbay.example.com"
	if code != 1 || !strings.Contains(errOut.String(), want) {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %q", code, errOut.String(), want)
	}
}
