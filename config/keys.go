package config

import (
	"fmt"
	"regexp"
	"strings"
)

// AppKey declares one application key: a symmetric KMS key (rotated
// yearly, administered by the account) the application itself encrypts
// and decrypts with — Dhanam's ENCRYPTION_KEY for the Plaid, Belvo and
// Bitso tokens it stores. The key is a multi-Region key: the recovery
// stack replicates it (kms.ReplicaKey, the same key material and key id
// mrk-…) so fields encrypted in the primary stay readable after a failover.
// A service that `uses: [key:<name>]` gets EnvVar set to the key's ARN
// (in a recovery stack, its replica's) and exactly kms:Decrypt and
// kms:GenerateDataKey on it.
type AppKey struct {
	// EnvVar is the variable holding the key's ARN. Absent: <NAME>_KEY_ARN
	// (the key name upper-cased, dashes as underscores).
	EnvVar string `json:"envVar"`
	// Description is shown in the KMS console. Absent: a sentence naming
	// the key and its variable.
	Description string `json:"description"`
}

// UseKey is the `uses` kind of an application key: key:<name>.
const UseKey = "key"

// keyNameRe: 1-32 lowercase letters, digits and dashes, starting with a
// letter: the key's part of its alias alias/<project>-<stack>-<name>
// (KMS CreateAlias: alphanumerics, /, _ and -, at most 256 characters,
// https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html).
var keyNameRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// envVarRe (data_messaging.go) is the variable-name rule keys use too.

func (s *Secrets) applyKeyDefaults() {
	for name, k := range s.Keys {
		if k.EnvVar == "" {
			k.EnvVar = strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_KEY_ARN"
		}
		if k.Description == "" {
			k.Description = fmt.Sprintf("application key %s (%s): field encryption by the services that use key:%s", name, k.EnvVar, name)
		}
		s.Keys[name] = k
	}
}

func (s Secrets) validateKeys(c *collector) {
	vars := map[string]string{}
	for _, name := range sortedMapKeys(s.Keys) {
		k, path := s.Keys[name], "secrets.keys."+name
		if !keyNameRe.MatchString(name) {
			c.invalidf(path, name, "use 1-32 lowercase letters, digits and dashes, starting with a letter (it becomes alias/<project>-<stack>-<name>)", "%q is not a valid key name", name)
		}
		switch {
		case !envVarRe.MatchString(k.EnvVar):
			c.invalidf(path+".envVar", k.EnvVar, "use upper-case letters, digits and underscores, e.g. ENCRYPTION_KEY", "%q is not an environment variable name", k.EnvVar)
		case fleetContains(forbiddenEnv, k.EnvVar) || k.EnvVar == "AWS_REGION":
			c.forbiddenf(path+".envVar", "choose another name: the program or the AWS SDK owns it", "%s cannot hold a key ARN", k.EnvVar)
		case vars[k.EnvVar] != "":
			c.invalidf(path+".envVar", k.EnvVar, "give each key its own variable", "%s is already the variable of secrets.keys.%s", k.EnvVar, vars[k.EnvVar])
		case s.Items[k.EnvVar].Source != "":
			c.invalidf(path+".envVar", k.EnvVar, "give the key another variable, or rename the secret", "%s is also declared under secrets.items", k.EnvVar)
		}
		vars[k.EnvVar] = name
		// KMS CreateKey Description: at most 8192 characters
		// (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html).
		if len(k.Description) > 8192 {
			c.invalidf(path+".description", k.Description, "use at most 8192 characters (KMS's limit)", "%d characters", len(k.Description))
		}
	}
}

// UsableKeys maps each application key's `uses` entry (key:<name>) to the
// variable it sets, like Data.UsableStores does for the stores.
func (s Secrets) UsableKeys() map[string][]string {
	m := map[string][]string{}
	for name, k := range s.Keys {
		m[UseKey+":"+name] = []string{k.EnvVar}
	}
	return m
}

// withKeys is stores plus the application keys: what a fleet service may use.
func withKeys(stores, keys map[string][]string) map[string][]string {
	out := make(map[string][]string, len(stores)+len(keys))
	for k, v := range stores {
		out[k] = v
	}
	for k, v := range keys {
		out[k] = v
	}
	return out
}
