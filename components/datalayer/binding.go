package datalayer

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
	"github.com/dbay/infra/config"
)

// Binding is everything one `uses` entry gives its consumer, so that a
// consumer (a fleet service, a function) loops over bindings and never
// interprets an entry itself: the variables it sets, the secrets it
// injects, the store it must reach on the network, the credentials the
// injecting role reads, and the grant, with the access the Use states.
type Binding struct {
	Use config.Use
	// Env are plain variables, e.g. ELASTICSEARCH_URL, SQS_QUEUE_URL.
	Env map[string]pulumi.StringOutput
	// Secrets are variables taken from Secrets Manager, e.g. DATABASE_URL.
	Secrets map[string]SecretRef
	// Reach is the network store the consumer must reach (AllowFrom, on
	// the store's own port); "" when the use is no network store.
	Reach Store
	// Credentials is the store whose credentials secret the role that
	// injects Secrets reads (GrantCredentials); "" when there is none.
	Credentials Store
	// S3 is true for a bucket: the consumer reaches S3 through the
	// gateway endpoint.
	S3 bool

	grant func(*pulumi.Context, iamdoc.Grantee) (iamdoc.Grant, error)
}

// Grant gives g what the use's Access allows, from the owner (the bucket,
// queue, SES identity or search domain): the grant as a value, whose
// ApplyBefore orders a consumer after it. A use that needs no IAM (a
// store reached over the network, SMTP credentials) returns an empty grant.
func (b Binding) Grant(ctx *pulumi.Context, g iamdoc.Grantee) (iamdoc.Grant, error) {
	if b.grant == nil {
		return iamdoc.NewGrant(g), nil
	}
	return b.grant(ctx, g)
}

// Bind resolves one `uses` entry of consumer (a service or function
// name, which selects its own database or Redis user where it has one)
// into its binding. Application keys (key:<name>) are the Secrets
// component's, not the layer's: Bind refuses them.
func (d *DataLayer) Bind(u config.Use, consumer string) (Binding, error) {
	b := Binding{Use: u}
	switch {
	case u.Kind == config.UseStore:
		st := Store(u.Name)
		conn, err := d.ConnectionAs(st, consumer)
		if err != nil {
			return b, err
		}
		b.Env, b.Secrets, b.Reach = conn.Env, conn.Secrets, st
		if len(conn.Secrets) > 0 {
			b.Credentials = conn.Store
		}
		if k, _ := kindOf(st); k.grant != nil { // a store reached through IAM too (registry.go)
			b.grant = func(ctx *pulumi.Context, g iamdoc.Grantee) (iamdoc.Grant, error) { return k.grant(d, ctx, g) }
		}
		return b, nil
	case u.Kind == config.UseBucket:
		bk, err := d.Bucket(u.Name)
		if err != nil {
			return b, err
		}
		b.Env, b.S3 = bk.Env(), true
		b.grant = bk.GrantReadWrite
		return b, nil
	case u.Kind == config.UseQueue:
		q, err := d.Queue(u.Name)
		if err != nil {
			return b, err
		}
		b.Env = q.Env()
		switch u.Access {
		case config.AccessConsume:
			b.grant = q.GrantConsume
		case config.AccessSend:
			b.grant = q.GrantSend
		default:
			return b, fmt.Errorf("datalayer: uses %s: a queue is consumed or sent to, not %q", u.Entry, u.Access)
		}
		return b, nil
	case u.IsSMTP():
		s, err := d.SES()
		if err != nil {
			return b, err
		}
		// SMTP_USER and SMTP_PASS: the injecting role reads the
		// credentials secret; the consumer's role needs no SES permission
		// (the SMTP user's own policy is what SES checks).
		conn, err := s.SMTP()
		if err != nil {
			return b, err
		}
		b.Secrets, b.Credentials = conn.Secrets, conn.Store
		return b, nil
	case u.Kind == config.UseSES && u.Name == "":
		s, err := d.SES()
		if err != nil {
			return b, err
		}
		b.Env, b.grant = s.Env(), s.GrantSendEmail
		return b, nil
	}
	return b, fmt.Errorf("uses %q, which is not a store, bucket:<name>, queue:<name>, key:<name>, ses or ses:smtp (the bus is declared with publishes)", u.Entry)
}
