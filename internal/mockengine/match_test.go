package mockengine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// fakeT records what an assertion reported instead of failing.
type fakeT struct{ failed []string }

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = append(f.failed, fmt.Sprintf(format, args...))
}

func captured(t *testing.T) []*Resource {
	t.Helper()
	db := &Resource{Type: "aws:rds/instance:Instance", Name: "db", URN: "urn:a", Inputs: resource.NewPropertyMapFromMap(map[string]any{
		"storageEncrypted": true, "allocatedStorage": 20, "engine": "postgres",
		"tags":                map[string]any{"Environment": "prod", "project": "dbay"},
		"vpcSecurityGroupIds": []any{"sg-1", "sg-2"},
		"parameters":          []any{map[string]any{"name": "rds.force_ssl", "value": "1"}, map[string]any{"name": "timezone", "value": "UTC"}},
		"policy":              `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`,
	})}
	replica := &Resource{Type: "aws:rds/instance:Instance", Name: "replica", URN: "urn:b", Inputs: resource.NewPropertyMapFromMap(map[string]any{
		"storageEncrypted": false, "publiclyAccessible": true, "engine": "postgres",
		"tags": map[string]any{"Environment": "dr"},
	})}
	bucket := &Resource{Type: "aws:s3/bucketV2:BucketV2", Name: "logs", URN: "urn:c", Inputs: resource.PropertyMap{}}
	return []*Resource{db, replica, bucket}
}

func TestHasResource(t *testing.T) {
	t.Parallel()
	const rds = "aws:rds/instance:Instance"
	for _, tt := range []struct {
		name  string
		typ   string
		props Props
		match string   // name of the resource returned; "" when it fails
		fail  []string // substrings of the failure message
	}{
		{"partial top level", rds, Props{"storageEncrypted": true}, "db", nil},
		{"absent key", rds, Props{"storageEncrypted": true, "publiclyAccessible": Absent}, "db", nil},
		{"nested partial", rds, Props{"tags": Props{"Environment": "prod"}}, "db", nil},
		{"plain nested map is partial too", rds, Props{"tags": map[string]any{"project": "dbay"}}, "db", nil},
		{"int matches float", rds, Props{"allocatedStorage": 20}, "db", nil},
		{"array element-wise", rds, Props{"vpcSecurityGroupIds": []any{"sg-1", "sg-2"}}, "db", nil},
		{"[]string is a list", rds, Props{"vpcSecurityGroupIds": []string{"sg-1", "sg-2"}}, "db", nil},
		{"array of partial objects", rds, Props{"parameters": []any{Props{"name": "rds.force_ssl"}, Props{"value": "UTC"}}}, "db", nil},
		{"ArrayWith subset in order", rds, Props{"parameters": ArrayWith(Props{"name": "timezone"})}, "db", nil},
		{"Present", rds, Props{"publiclyAccessible": Present}, "replica", nil},
		{"JSON document", rds, Props{"policy": JSON(Props{"Statement": ArrayWith(Props{"Action": "s3:GetObject"})})}, "db", nil},
		{"Exact object", rds, Props{"tags": Exact(map[string]any{"Environment": "dr"})}, "replica", nil},
		{"picks the matching one of two", rds, Props{"tags": Props{"Environment": "dr"}}, "replica", nil},

		{"wrong scalar names the path and the closest", rds, Props{"storageEncrypted": true, "engine": "mysql"}, "",
			[]string{`closest is "db"`, `engine: want "mysql", got "postgres"`}},
		{"absent but present", rds, Props{"storageEncrypted": false, "tags": Props{"Environment": "dr"}, "publiclyAccessible": Absent}, "",
			[]string{`closest is "replica"`, "publiclyAccessible: want absent, got true"}},
		{"missing key", rds, Props{"multiAz": true}, "", []string{"multiAz: want true, got absent"}},
		{"nested mismatch path", rds, Props{"storageEncrypted": true, "tags": Props{"Environment": "staging"}}, "",
			[]string{`closest is "db"`, `tags.Environment: want "staging", got "prod"`}},
		{"array length differs", rds, Props{"vpcSecurityGroupIds": []any{"sg-1"}}, "", []string{"vpcSecurityGroupIds: want list of 1"}},
		{"array element differs", rds, Props{"vpcSecurityGroupIds": []any{"sg-1", "sg-3"}}, "", []string{`vpcSecurityGroupIds[1]: want "sg-3", got "sg-2"`}},
		{"ArrayWith order matters", rds, Props{"parameters": ArrayWith(Props{"name": "timezone"}, Props{"name": "rds.force_ssl"})}, "",
			[]string{"parameters[*]: want element 1"}},
		{"Exact rejects extra keys", rds, Props{"tags": Exact(map[string]any{"Environment": "prod"})}, "", []string{"tags: want exactly"}},
		{"JSON mismatch path", rds, Props{"policy": JSON(Props{"Version": "2008-10-17"})}, "", []string{`policy(json).Version: want "2008-10-17"`}},
		{"no resource of the type", "aws:kms/key:Key", Props{}, "", []string{"no aws:kms/key:Key among 3 captured resources"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ft := &fakeT{}
			got := HasResource(ft, captured(t), tt.typ, tt.props)
			if tt.match != "" {
				if got == nil || got.Name != tt.match || len(ft.failed) > 0 {
					t.Fatalf("got %v, failures %q; want a match on %s", got, ft.failed, tt.match)
				}
				return
			}
			if got != nil || len(ft.failed) != 1 {
				t.Fatalf("got %v, failures %q; want one failure", got, ft.failed)
			}
			for _, s := range tt.fail {
				if !strings.Contains(ft.failed[0], s) {
					t.Errorf("failure %q does not say %q", ft.failed[0], s)
				}
			}
		})
	}
}

// Matching returns every match, so a test can count them.
func TestMatching(t *testing.T) {
	t.Parallel()
	rs := captured(t)
	if n := len(Matching(rs, "aws:rds/instance:Instance", Props{"engine": "postgres"})); n != 2 {
		t.Errorf("Matching(engine postgres) = %d, want 2", n)
	}
	if n := len(Matching(rs, "aws:rds/instance:Instance", Props{"engine": "postgres", "publiclyAccessible": Absent})); n != 1 {
		t.Errorf("Matching(engine postgres, not public) = %d, want 1", n)
	}
}
