package datalayer_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
)

// The domain identity signs with 2048-bit Easy DKIM, sends through a
// configuration set that requires TLS, publishes its three DKIM CNAMEs in
// the managed zone, and SES_FROM_EMAIL defaults to noreply@<domain> (§4.7).
func TestSESIdentityDKIMAndTLS(t *testing.T) {
	t.Parallel()
	env := map[string]string{}
	r := synthMessaging(t, messagingStack{data: dbayMessaging, zone: true, use: func(ctx *pulumi.Context, d *datalayer.DataLayer) error {
		s, err := d.SES()
		if err != nil {
			return err
		}
		return resolveEnv(ctx, env, s.Env())
	}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if want := map[string]string{"SES_FROM_EMAIL": "noreply@dbay.example.com"}; !reflect.DeepEqual(env, want) {
		t.Errorf("Env() = %v, want %v", env, want)
	}
	cs := r.one(t, "aws:sesv2/configurationSet:ConfigurationSet", "ses").In()
	if cs["configurationSetName"] != "dbay-test" || cs["deliveryOptions"].(map[string]any)["tlsPolicy"] != "REQUIRE" ||
		!reflect.DeepEqual(cs["suppressionOptions"], map[string]any{"suppressedReasons": []any{"BOUNCE", "COMPLAINT"}}) {
		t.Errorf("configuration set = %v", cs)
	}
	id := r.one(t, "aws:sesv2/emailIdentity:EmailIdentity", "ses")
	if in := id.In(); in["emailIdentity"] != "dbay.example.com" || in["configurationSetName"] != "dbay-test" ||
		!reflect.DeepEqual(in["dkimSigningAttributes"], map[string]any{"nextSigningKeyLength": "RSA_2048_BIT"}) {
		t.Errorf("identity = %v", in)
	}
	tokens := id.Out()["dkimSigningAttributes"].(map[string]any)["tokens"].([]any)
	if len(tokens) != 3 {
		t.Fatalf("mock tokens = %v", tokens)
	}
	records := r.eng.ByType(tRecord)
	if len(records) != 3 {
		t.Fatalf("%d DKIM records, want 3", len(records))
	}
	for i, tok := range tokens {
		rec := r.one(t, tRecord, "ses-dkim-"+string(rune('0'+i))).In()
		want := map[string]any{"zoneId": "Z0123456789ABC", "name": tok.(string) + "._domainkey.dbay.example.com", "type": "CNAME",
			"ttl": 1800.0, "records": []any{tok.(string) + ".dkim.amazonses.com"}}
		if !reflect.DeepEqual(rec, want) {
			t.Errorf("DKIM record %d\n got %v\nwant %v", i, rec, want)
		}
	}
}

// Without a managed zone no records are written (they become an output),
// a from address in a subdomain is accepted, and one outside the domain is
// an error naming the key.
func TestSESFromAddress(t *testing.T) {
	t.Parallel()
	env := map[string]string{}
	r := synthMessaging(t, messagingStack{data: `{"ses":{"fromAddress":"alerts@mail.dbay.example.com"}}`,
		use: func(ctx *pulumi.Context, d *datalayer.DataLayer) error {
			s, err := d.SES()
			if err != nil {
				return err
			}
			return resolveEnv(ctx, env, s.Env())
		}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if env["SES_FROM_EMAIL"] != "alerts@mail.dbay.example.com" {
		t.Errorf("SES_FROM_EMAIL = %q", env["SES_FROM_EMAIL"])
	}
	if got := r.eng.ByType(tRecord); len(got) != 0 {
		t.Errorf("without a zone, %d records were created", len(got))
	}

	r = synthMessaging(t, messagingStack{data: `{"ses":{"fromAddress":"noreply@dbay.example.com.evil.io"}}`})
	if r.err == nil || !strings.Contains(r.err.Error(), `data.ses.fromAddress "noreply@dbay.example.com.evil.io" is not in dbay.example.com or a subdomain of it`) {
		t.Errorf("foreign from address: err = %v", r.err)
	}
}
