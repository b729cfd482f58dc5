package fleet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
	"github.com/dbay/infra/components/secrets"
	"github.com/dbay/infra/config"
)

// environment is what one service's container receives — plain variables
// and secrets (ECS `valueFrom` ARNs, or "<arn>:<key>::" for a JSON key) —
// and the owners' objects its `uses` name, which its grants and network
// rules come from.
type environment struct {
	Env     map[string]pulumi.StringOutput
	Secrets map[string]pulumi.StringOutput
	// from names where each variable came from ("uses redis", "calls wallet").
	from map[string]string
	// refs are the Secrets' sources as secret ARN and JSON key, for a
	// runtime that does not read ECS valueFrom strings (EKS ExternalSecrets).
	refs map[string]datalayer.SecretRef

	stores      []datalayer.Store // reached over the network (AllowFrom)
	credentials []datalayer.Store // whose credentials the execution role reads
	secretNames []string          // Secrets component secrets the execution role reads
	buckets     []*datalayer.Bucket
	queues      []*datalayer.Queue
	bus         *datalayer.Bus // the service publishes on it
	publishes   []config.BusPublication
	ses         *datalayer.SES
	search      bool
	keys        []string // application keys (secrets.keys) the task role uses
}

// buildEnvironment derives a service's variables from what it declares:
// AWS_REGION, each used store's, bucket's, queue's and SES's connection
// variables (from their owner), the bus's when it publishes, a <NAME>_SERVICE_URL per called
// service, its plain env and its named secrets. A variable set twice is an
// error: every variable comes from one place. Service URLs are ECS Service
// Connect's (config.ServiceURL); buildRuntimeEnvironment takes the runtime's.
func buildEnvironment(s config.FleetService, all []config.FleetService, region string,
	data *datalayer.DataLayer, sec *secrets.Secrets,
) (environment, error) {
	return buildRuntimeEnvironment(s, all, region, data, sec, config.ServiceURL)
}

// buildRuntimeEnvironment is buildEnvironment with the runtime's service
// URL function (config.Fleet.CallURL): the one source of every
// service's variables and secrets for both runtimes.
func buildRuntimeEnvironment(s config.FleetService, all []config.FleetService, region string,
	data *datalayer.DataLayer, sec *secrets.Secrets, serviceURL func(name string, port int) string,
) (environment, error) {
	e := environment{Env: map[string]pulumi.StringOutput{}, Secrets: map[string]pulumi.StringOutput{}, from: map[string]string{},
		refs: map[string]datalayer.SecretRef{}}
	put := func(secret bool, k string, v pulumi.StringOutput, from string) error {
		if prev, dup := e.from[k]; dup {
			return fmt.Errorf("%s is set by both %s and %s", k, prev, from)
		}
		e.from[k] = from
		if secret {
			e.Secrets[k] = v
		} else {
			e.Env[k] = v
		}
		return nil
	}
	putAll := func(env map[string]pulumi.StringOutput, from string) error {
		for _, k := range sortedKeys(env) {
			if err := put(false, k, env[k], from); err != nil {
				return err
			}
		}
		return nil
	}
	if err := put(false, "AWS_REGION", pulumi.String(region).ToStringOutput(), "the fleet"); err != nil {
		return e, err
	}
	if _, typed := s.Env[config.PortVariable]; !typed {
		// The port the target group and Service Connect send to (config
		// checks that a typed PORT equals it).
		if err := put(false, config.PortVariable, pulumi.String(strconv.Itoa(s.Port)).ToStringOutput(), "the fleet"); err != nil {
			return e, err
		}
	}
	for _, u := range s.Uses {
		if err := e.use(s.Name, u, data, sec, put, putAll); err != nil {
			return e, err
		}
	}
	if len(s.Publishes) > 0 {
		if data == nil {
			return e, fmt.Errorf("publishes on the bus, but the stack has no data layer")
		}
		b, err := data.Bus()
		if err != nil {
			return e, err
		}
		e.bus, e.publishes = b, s.Publishes
		if err := putAll(b.Env(), "publishes"); err != nil {
			return e, err
		}
	}
	ports := map[string]int{}
	for _, o := range all {
		ports[o.Name] = o.Port
	}
	for _, callee := range s.Calls {
		port, ok := ports[callee]
		if !ok || callee == s.Name {
			return e, fmt.Errorf("calls %q, which is not another service of the fleet", callee)
		}
		if err := put(false, config.ServiceURLVariable(callee), pulumi.String(serviceURL(callee, port)).ToStringOutput(), "calls "+callee); err != nil {
			return e, err
		}
	}
	for _, k := range sortedKeys(s.Env) {
		// ${region} is the stack's Region (config.EnvRegionPlaceholder):
		// one value for prod and dr, e.g. SES's regional SMTP endpoint.
		v := strings.ReplaceAll(s.Env[k], config.EnvRegionPlaceholder, region)
		if err := put(false, k, pulumi.String(v).ToStringOutput(), "env"); err != nil {
			return e, err
		}
	}
	for _, name := range s.Secrets {
		if sec == nil {
			return e, fmt.Errorf("names secret %s, but the stack has no Secrets component", name)
		}
		if sec.Has(name) && !sec.Injected(name) {
			// Optional and not yet provided: ECS would not start a task
			// whose secret has no value (config.SecretItem.Optional).
			continue
		}
		arn, err := sec.ARN(name)
		if err != nil {
			return e, err
		}
		if err := put(true, name, arn, "secrets"); err != nil {
			return e, err
		}
		e.refs[name] = datalayer.SecretRef{ARN: arn}
		e.secretNames = append(e.secretNames, name)
	}
	return e, nil
}

// use adds one `uses` entry: the owner's connection variables and the
// object its grants and rules come from.
func (e *environment) use(service, u string, data *datalayer.DataLayer, sec *secrets.Secrets,
	put func(bool, string, pulumi.StringOutput, string) error, putAll func(map[string]pulumi.StringOutput, string) error,
) error {
	from := "uses " + u
	kind, name := config.ParseUse(u)
	if kind == config.UseKey {
		if sec == nil {
			return fmt.Errorf("uses %s, but the stack has no Secrets component", u)
		}
		env, err := sec.KeyEnv(name)
		if err != nil {
			return err
		}
		e.keys = append(e.keys, name)
		return putAll(env, from)
	}
	if data == nil {
		return fmt.Errorf("uses %s, but the stack has no data layer", u)
	}
	switch kind {
	case config.UseStore:
		st := datalayer.Store(name)
		// The service's own database role when it has one.
		conn, err := data.ConnectionAs(st, service)
		if err != nil {
			return err
		}
		if err := putAll(conn.Env, from); err != nil {
			return err
		}
		for _, k := range sortedKeys(conn.Secrets) {
			if err := put(true, k, conn.Secrets[k].ValueFrom(), from); err != nil {
				return err
			}
			e.refs[k] = conn.Secrets[k]
		}
		e.stores = append(e.stores, st)
		if len(conn.Secrets) > 0 {
			e.credentials = append(e.credentials, conn.Store)
		}
		e.search = e.search || st == datalayer.OpenSearch
		return nil
	case config.UseBucket:
		b, err := data.Bucket(name)
		if err != nil {
			return err
		}
		e.buckets = append(e.buckets, b)
		return putAll(b.Env(), from)
	case config.UseQueue:
		q, err := data.Queue(name)
		if err != nil {
			return err
		}
		e.queues = append(e.queues, q)
		return putAll(q.Env(), from)
	case config.UseSES:
		s, err := data.SES()
		if err != nil {
			return err
		}
		if u == config.UseSESSMTP {
			// SMTP_USER and SMTP_PASS: the execution role reads the
			// credentials secret; the task role needs no SES permission
			// (the SMTP user's own policy is what SES checks).
			conn, err := s.SMTP()
			if err != nil {
				return err
			}
			for _, k := range sortedKeys(conn.Secrets) {
				if err := put(true, k, conn.Secrets[k].ValueFrom(), from); err != nil {
					return err
				}
				e.refs[k] = conn.Secrets[k]
			}
			e.credentials = append(e.credentials, conn.Store)
			return nil
		}
		if name != "" {
			break
		}
		e.ses = s
		return putAll(s.Env(), from)
	}
	return fmt.Errorf("uses %q, which is not a store, bucket:<name>, queue:<name>, key:<name>, ses or ses:smtp (the bus is declared with publishes)", u)
}
