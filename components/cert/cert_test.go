package cert

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/internal/mockengine"
)

const (
	tRecord     = "aws:route53/record:Record"
	tValidation = "aws:acm/certificateValidation:CertificateValidation"
)

type owner struct{ pulumi.ResourceState }

// run creates certificates in one stack through one book; defer, when set,
// hands every name but the pinned one to another stack whose records are
// "<name>.owner-record".
func run(t *testing.T, deferAll bool, certs ...Args) *mockengine.Engine {
	t.Helper()
	eng := mockengine.ForTest(t, "dbay", "test", "us-west-2")
	eng.MustRun(func(ctx *pulumi.Context) error {
		var o owner
		if err := ctx.RegisterComponentResource("test:index:Owner", "owner", &o); err != nil {
			return err
		}
		book := NewBook()
		if deferAll {
			book.Defer(func(base string) bool { return base != "api-us-west-2.dbay.example.com" },
				func(base string) pulumi.StringOutput { return pulumi.String("_owner." + base).ToStringOutput() })
		}
		for _, a := range certs {
			a.ZoneID, a.Book = pulumi.String("Z1"), book
			if _, err := New(ctx, &o, a); err != nil {
				return err
			}
		}
		ctx.Export("written", book.Written())
		return nil
	})
	return eng
}

// Prod's site and ALB certificates validate the same name: the first
// writes its record, the second waits on it, neither overwrites.
func TestOneRecordPerNameInAStack(t *testing.T) {
	t.Parallel()
	eng := run(t, false,
		Args{Name: "alb", Names: []string{"*.dbay.example.com", "dbay.example.com"}},
		Args{Name: "site", Names: []string{"dbay.example.com", "*.dbay.example.com"}},
	)
	records := eng.ByType(tRecord)
	if len(records) != 1 || records[0].Name != "alb-certificate-validation" {
		t.Fatalf("records %v, want alb's only", names(records))
	}
	if records[0].In()["allowOverwrite"] != nil {
		t.Errorf("the record overwrites: %v", records[0].In())
	}
	fqdn := records[0].Out()["fqdn"]
	for _, v := range eng.ByType(tValidation) {
		if !reflect.DeepEqual(v.In()["validationRecordFqdns"], []any{fqdn}) {
			t.Errorf("%s validates against %v, want the one record %v", v.Name, v.In()["validationRecordFqdns"], fqdn)
		}
	}
	site := eng.Get(tValidation, "site")
	if site == nil || !contains(site.Dependencies, records[0].URN) {
		t.Errorf("the site's validation does not depend on the record it shares: %v", site)
	}
}

// A recovery stack writes only the name pinned to its Region; the others
// validate against the owner's record.
func TestDeferredNamesWriteNothing(t *testing.T) {
	t.Parallel()
	eng := run(t, true,
		Args{Name: "api", Names: []string{"api.dbay.example.com", "api-us-west-2.dbay.example.com"}},
		Args{Name: "alb", Names: []string{"*.dbay.example.com", "dbay.example.com"}},
	)
	records := eng.ByType(tRecord)
	if len(records) != 1 || records[0].Name != "api-certificate-validation-1" {
		t.Fatalf("records %v, want the pinned name's only", names(records))
	}
	api := eng.Get(tValidation, "api").In()["validationRecordFqdns"]
	if !reflect.DeepEqual(api, []any{"_owner.api.dbay.example.com", records[0].Out()["fqdn"]}) {
		t.Errorf("api validates against %v", api)
	}
	if alb := eng.Get(tValidation, "alb").In()["validationRecordFqdns"]; !reflect.DeepEqual(alb, []any{"_owner.dbay.example.com"}) {
		t.Errorf("alb validates against %v", alb)
	}
}

func names(rs []*mockengine.Resource) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}
