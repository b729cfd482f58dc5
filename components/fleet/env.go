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

	bindings    []datalayer.Binding // one per `uses` entry the DataLayer owns, in order
	stores      []datalayer.Store   // reached over the network (AllowFrom)
	credentials []datalayer.Store   // whose credentials the execution role reads
	secretNames []string            // Secrets component secrets the execution role reads
	bus         *datalayer.Bus      // the service publishes on it
	publishes   []config.BusPublication
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
	for _, u := range s.ResolvedUses() {
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

// use adds one `uses` entry: an application key from the Secrets
// component, anything else from the DataLayer's binding (its variables,
// secrets, network reach, credentials and grant).
func (e *environment) use(service string, u config.Use, data *datalayer.DataLayer, sec *secrets.Secrets,
	put func(bool, string, pulumi.StringOutput, string) error, putAll func(map[string]pulumi.StringOutput, string) error,
) error {
	from := "uses " + u.Entry
	if u.Kind == config.UseKey {
		if sec == nil {
			return fmt.Errorf("uses %s, but the stack has no Secrets component", u.Entry)
		}
		env, err := sec.KeyEnv(u.Name)
		if err != nil {
			return err
		}
		e.keys = append(e.keys, u.Name)
		return putAll(env, from)
	}
	if data == nil {
		return fmt.Errorf("uses %s, but the stack has no data layer", u.Entry)
	}
	b, err := data.Bind(u, service)
	if err != nil {
		return err
	}
	if err := putAll(b.Env, from); err != nil {
		return err
	}
	for _, k := range sortedKeys(b.Secrets) {
		if err := put(true, k, b.Secrets[k].ValueFrom(), from); err != nil {
			return err
		}
		e.refs[k] = b.Secrets[k]
	}
	if b.Reach != "" {
		e.stores = append(e.stores, b.Reach)
	}
	if b.Credentials != "" {
		e.credentials = append(e.credentials, b.Credentials)
	}
	e.bindings = append(e.bindings, b)
	return nil
}
