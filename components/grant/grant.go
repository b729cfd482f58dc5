// Package grant is how code outside components/ grants: stacks/ creates a
// role, names it a Grantee, asks an owner for access (bucket.GrantRead,
// secrets.GrantRead, a DataLayer binding's Grant: each returns a Grant)
// and orders its consumer after the grant (Grant.ApplyBefore). The types are components/internal/iamdoc's, which
// stacks/ cannot import (Go's internal rule); owners keep calling iamdoc.
package grant

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
)

// Grantee is a role and the short, stable name its policies are named
// after (iamdoc.Grantee).
type Grantee = iamdoc.Grantee

// Grant is what one grant created, as a value; ApplyBefore orders a
// resource after it (iamdoc.Grant).
type Grant = iamdoc.Grant

// NewGrantee is the grantee for role, named name: build every grantee
// with it, so that its consumers can wait for its grants (DependOn).
func NewGrantee(name string, role *iam.Role) Grantee { return iamdoc.NewGrantee(name, role) }

// DependOn is the option a consumer of the grantees' roles takes to be
// created after every policy granted to them so far.
func DependOn(grantees ...Grantee) pulumi.ResourceOption { return iamdoc.DependOn(grantees...) }
