package wiring

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/mockengine"
	"github.com/dbay/infra/internal/tokens"
	"github.com/dbay/infra/policy"
)

// allow checks that role allows every action on arn, recording the grants
// (for the order check) with waiter.
func (c *checker) allow(a *aspects, role, waiter *mockengine.Resource, arn string, actions ...string) string {
	if role == nil {
		return "the consumer has no role"
	}
	for _, act := range actions {
		grants := c.x.RoleAllows(role, act, arn)
		if len(grants) == 0 {
			return role.Name + " is not allowed " + act + " on " + arn
		}
		for _, g := range grants {
			a.grants = append(a.grants, grant{policy: g, waiter: waiter})
		}
	}
	return OK
}

// use checks one `uses` entry.
func (c *checker) use(k *consumer, u string) aspects {
	parsed := config.ParseUse(u)
	kind, name := parsed.Kind, parsed.Name
	switch kind {
	case config.UseStore:
		return c.store(k, name)
	case config.UseBucket:
		return c.bucket(k, name)
	case config.UseKey:
		return c.appKey(k, name)
	case config.UseQueue:
		if k.runtime == "lambda" {
			return c.messaging(k, tokens.SQSQueue, name, "sqs", "arn", "url", "sqs:SendMessage", "kms:GenerateDataKey")
		}
		return c.messaging(k, tokens.SQSQueue, name, "sqs", "arn", "url", "sqs:ReceiveMessage", "sqs:DeleteMessage", "kms:Decrypt")
	}
	if u == config.UseSESSMTP {
		return c.sesSMTP(k)
	}
	if u == "ses" {
		return c.messaging(k, tokens.SESv2EmailIdentity, "", "email", "arn", "", "ses:SendEmail")
	}
	return aspects{network: "unknown use " + u, iam: "unknown use " + u, credentials: "unknown use " + u}
}

// store: the security-group pair on the store's port; for a store with
// credentials, the variable read from its secret (a URL naming the
// store's host), GetSecretValue and the secret's key, and a route to
// Secrets Manager; OpenSearch: es:ESHttp* and its https URL.
func (c *checker) store(k *consumer, name string) aspects {
	a := aspects{iam: NA}
	st := c.named(datalayer.ResourceType(datalayer.Store(name)), name) // the store's registered main resource
	if st == nil {
		msg := "no " + name + " store in the stack"
		return aspects{network: msg, iam: msg, credentials: msg}
	}
	sgs, port := storeGroups(c.x.In(st), st.Type)
	a.network = c.pair(k.sgs, sgs, port, "sg of "+name)
	if sec := c.credentialSecret(k, st); sec != nil {
		a.network = first(a.network, c.secretsRoute(k))
		arn := str(sec.Out()["arn"])
		a.iam = first(c.allow(&a, k.secretRole, k.secretWaiter, arn, "secretsmanager:GetSecretValue"),
			c.allow(&a, k.secretRole, k.secretWaiter, str(c.x.In(sec)["kmsKeyId"]), "kms:Decrypt"))
		a.credentials, a.identity = c.connectionString(k, sec, st)
		if name == "redis" && a.credentials == OK && a.identity == "" {
			// A URL with a password and no user (the AUTH token):
			// Redis 6+ authenticates `AUTH <password>` as the user
			// "default" (https://redis.io/commands/auth/), which every
			// client holding the token shares.
			a.identity = "default"
		}
		return a
	}
	switch name {
	case "search":
		arn := str(st.Out()["arn"])
		a.iam = first(c.allow(&a, k.appRole, k.appWaiter, arn+"/*", "es:ESHttpGet", "es:ESHttpPost", "es:ESHttpPut"),
			c.domainAdmits(k.appRole, st))
		a.credentials = c.envIs(k, "https://"+str(st.Out()["endpoint"]))
	case "memcached": // no authentication: the network is the whole grant
		a.credentials = c.envIs(k, str(st.Out()["configurationEndpoint"]))
	default:
		a.credentials = "no credentials secret of " + name
		a.iam = a.credentials
	}
	return a
}

// credentialSecret is the secret whose version depends on the store (its
// connection string is built from the store's endpoint) that the consumer
// reads: with a role per service (data.postgres.serviceUsers) a store has
// several; the first of them when the consumer reads none.
func (c *checker) credentialSecret(k *consumer, st *mockengine.Resource) *mockengine.Resource {
	var found []*mockengine.Resource
	for _, v := range c.x.ByType(tokens.SecretsManagerSecretVersion) {
		if !contains(v.Dependencies, st.URN) {
			continue
		}
		for _, s := range c.x.ByRef(str(c.x.In(v)["secretId"])) {
			if s.Type == typeSecret {
				found = append(found, s)
			}
		}
	}
	for _, s := range found {
		for _, ref := range k.secrets {
			if ref.arn == str(s.Out()["arn"]) {
				return s
			}
		}
	}
	if len(found) > 0 {
		return found[0]
	}
	return nil
}

// connectionString: a variable of the consumer is read from the secret
// (the whole value, or its url key), and that value is a URL whose host
// is the store's.
func (c *checker) connectionString(k *consumer, sec, st *mockengine.Resource) (verdict, identity string) {
	arn := str(sec.Out()["arn"])
	for v, ref := range k.secrets {
		if ref.arn != arn {
			continue
		}
		value := secretValue(c, sec)
		if ref.key != "" {
			var m map[string]any
			if json.Unmarshal([]byte(value), &m) != nil {
				return v + " reads key " + ref.key + " of " + sec.Name + ", which is not JSON", ""
			}
			value = str(m[ref.key])
		}
		u, err := url.Parse(value)
		if err != nil || u.Scheme == "" || u.Hostname() == "" {
			return v + " from " + sec.Name + " is not a connection string", ""
		}
		if !hostOf(st, u.Hostname()) {
			return v + " from " + sec.Name + " names host " + u.Hostname() + ", not " + st.Name + "'s", ""
		}
		return OK, u.User.Username()
	}
	return "no variable read from " + sec.Name, ""
}

// secretValue is the secret string of sec's version, secret or not.
func secretValue(c *checker, sec *mockengine.Resource) string {
	for _, v := range c.x.Referencing(tokens.SecretsManagerSecretVersion, "secretId", sec) {
		if p, ok := v.Inputs["secretString"]; ok {
			for p.IsSecret() {
				p = p.SecretValue().Element
			}
			if p.IsString() {
				return p.StringValue()
			}
		}
	}
	return ""
}

// hostOf reports whether host is one of the store's endpoint addresses.
func hostOf(st *mockengine.Resource, host string) bool {
	for _, k := range []string{"address", "endpoint", "primaryEndpointAddress", "readerEndpoint", "configurationEndpointAddress"} {
		if v := str(st.Out()[k]); v != "" && (v == host || strings.HasPrefix(v, host+":")) {
			return true
		}
	}
	return false
}

// envIs: some plain variable of the consumer is value.
func (c *checker) envIs(k *consumer, value string) string {
	if value == "" || value == mockengine.Unknown {
		return "the dependency's address is unknown"
	}
	for _, v := range k.env {
		if v == value {
			return OK
		}
	}
	return "no variable is " + value
}

// messaging: a queue or the SES identity: a route to the AWS API,
// the actions on its ARN (and its KMS key), a variable naming it.
func (c *checker) messaging(k *consumer, typ, name, service, arnKey, envKey string, actions ...string) aspects {
	var r *mockengine.Resource
	for _, x := range c.x.ByType(typ) {
		if name == "" || x.Name == name {
			r = x
			break
		}
	}
	if r == nil {
		msg := "no " + typ + " " + name
		return aspects{network: msg, iam: msg, credentials: msg}
	}
	a := aspects{network: c.awsRoute(k, service)}
	arn := str(r.Out()[arnKey])
	var own, kms []string
	for _, act := range actions {
		if strings.HasPrefix(act, "kms:") {
			kms = append(kms, act)
		} else {
			own = append(own, act)
		}
	}
	a.iam = c.allow(&a, k.appRole, k.appWaiter, arn, own...)
	if key := str(c.x.In(r)["kmsMasterKeyId"]); key != "" && len(kms) > 0 {
		a.iam = first(a.iam, c.allow(&a, k.appRole, k.appWaiter, key, kms...))
	}
	switch {
	case envKey != "":
		a.credentials = c.envIs(k, str(r.Out()[envKey]))
	default: // SES: the from address is of the identity's domain
		a.credentials = "no variable is an address of " + str(c.x.In(r)["emailIdentity"])
		for _, v := range k.env {
			if id := str(c.x.In(r)["emailIdentity"]); id != "" && (v == id || strings.HasSuffix(v, "@"+id)) {
				a.credentials = OK
			}
		}
	}
	return a
}

// bucket: the S3 gateway endpoint, object read/write and the bucket's
// KMS key, a variable that is its name.
func (c *checker) bucket(k *consumer, name string) aspects {
	b := c.bucketNamed(name)
	if b == nil {
		msg := "no bucket " + name
		return aspects{network: msg, iam: msg, credentials: msg}
	}
	a := aspects{network: c.awsRoute(k, "s3")}
	arn := str(b.Out()["arn"])
	if a.network == OK {
		a.network = c.s3EndpointAdmits(k, name, arn)
	}
	a.iam = c.allow(&a, k.appRole, k.appWaiter, arn+"/object", "s3:GetObject", "s3:PutObject")
	for _, enc := range c.referencing(tokens.S3BucketServerSideEncryptionConfigurationV2, "bucket", b) {
		for _, rule := range list(c.x.In(enc)["rules"]) {
			if key := str(get(rule, "applyServerSideEncryptionByDefault.kmsMasterKeyId")); key != "" {
				a.iam = first(a.iam, c.allow(&a, k.appRole, k.appWaiter, key, "kms:GenerateDataKey", "kms:Decrypt"))
			}
		}
	}
	a.credentials = c.envIs(k, str(b.Out()["bucket"]))
	return a
}

// bucketNamed is the stack's bucket name or, in a recovery stack, the
// replica in this Region its primary's bucket of that name replicates to.
func (c *checker) bucketNamed(name string) *mockengine.Resource {
	const typ = tokens.S3BucketV2
	if b := c.named(typ, name); b != nil {
		return b
	}
	for _, src := range c.x.PairByType(typ) {
		if src.Name != name {
			continue
		}
		for _, rc := range c.referencing(tokens.S3BucketReplicationConfig, "bucket", src) {
			for _, r := range list(rc.In()["rules"]) {
				for _, dst := range c.x.Resolve(typ, str(get(r, "destination.bucket"))) {
					if dst.Region == c.region {
						return dst
					}
				}
			}
		}
	}
	return nil
}

// referencing is policy.Index.Referencing over the stack and its partner.
func (c *checker) referencing(typ, key string, target *mockengine.Resource) []*mockengine.Resource {
	var out []*mockengine.Resource
	for _, r := range c.x.PairByType(typ) {
		if c.x.Points(r.In()[key], target) {
			out = append(out, r)
		}
	}
	return out
}

// domainAdmits: the OpenSearch domain's access policy (fine-grained access
// control maps only the roles it names) allows the consumer's role.
func (c *checker) domainAdmits(role *mockengine.Resource, domain *mockengine.Resource) string {
	if role == nil {
		return "the consumer has no role"
	}
	docs := []any{c.x.In(domain)["accessPolicies"]}
	for _, p := range c.x.Referencing(tokens.OpenSearchDomainPolicy, "domainName", domain) {
		docs = append(docs, c.x.In(p)["accessPolicies"])
	}
	arn := str(domain.Out()["arn"]) + "/index"
	allowed, denied := false, false
	for _, d := range docs {
		al, de := policy.ResourceDocDecides(d, str(role.Out()["arn"]), "es:ESHttpGet", arn)
		allowed, denied = allowed || al, denied || de
	}
	if denied || !allowed {
		return "the access policy of " + domain.Name + " does not admit " + role.Name
	}
	return OK
}
