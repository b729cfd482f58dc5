package wiring

import (
	"strings"

	"github.com/dbay/infra/config"
	"github.com/dbay/infra/internal/tokens"
)

// appKey checks a `uses: key:<name>` edge (an application key,
// config.AppKey): the key in this stack's Region — the primary's
// multi-Region key, or in a recovery stack its replica of that key — a
// route to KMS on 443, kms:Decrypt and kms:GenerateDataKey on its ARN for
// the application's role, and the key's variable holding that ARN.
func (c *checker) appKey(k *consumer, name string) aspects {
	arn, problem := c.appKeyArn(name)
	if problem != "" {
		return aspects{network: problem, iam: problem, credentials: problem}
	}
	a := aspects{network: c.awsRoute(k, "kms")}
	a.iam = c.allow(&a, k.appRole, k.appWaiter, arn, "kms:Decrypt", "kms:GenerateDataKey")
	a.credentials = "no variable is " + arn
	if spec, ok := c.cfg.Secrets.Keys[name]; ok {
		a.credentials = "variable " + spec.EnvVar + " is " + k.env[spec.EnvVar] + ", not " + arn
		if k.env[spec.EnvVar] == arn {
			a.credentials = OK
		}
	}
	return a
}

// appKeyArn is the ARN of application key name in this Region, or why
// there is none: the stack's own multi-Region key key-<name>, or its
// replica key-<name> of a multi-Region key of the primary.
func (c *checker) appKeyArn(name string) (arn, problem string) {
	logical := "key-" + name
	if key := c.named(tokens.KMSKey, logical); key != nil {
		if c.x.In(key)["multiRegion"] != true {
			return "", logical + " is not a multi-Region key: it cannot be replicated to the recovery region"
		}
		return str(key.Out()["arn"]), ""
	}
	rep := c.named(tokens.KMSReplicaKey, logical)
	if rep == nil {
		return "", "no application key " + logical + " (" + config.UseKey + ":" + name + ")"
	}
	primary := str(c.x.In(rep)["primaryKeyArn"])
	for _, p := range c.x.Resolve(tokens.KMSKey, primary) {
		if p.Region == c.region {
			return "", logical + " replicates a key of its own region"
		}
		arn = str(rep.Out()["arn"])
		if keyID(arn) != keyID(primary) {
			return "", logical + " has key id " + keyID(arn) + ", not its primary's " + keyID(primary)
		}
		return arn, ""
	}
	return "", logical + " replicates " + primary + ", which is no key of the primary stack"
}

func keyID(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }
