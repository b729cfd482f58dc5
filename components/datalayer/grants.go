package datalayer

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/opensearch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/internal/iamdoc"
)

// GrantCredentials lets the grantee read the credentials of the given
// stores (the PostgreSQL and DocumentDB connection secrets, the Redis URL
// secret) and decrypt them through Secrets Manager with the key each is
// under (the Vault key, the layer key): what an ECS execution role needs
// to inject them. Stores without credentials (Memcached, OpenSearch) are
// an error, as are absent stores.
func (d *DataLayer) GrantCredentials(ctx *pulumi.Context, g iamdoc.Grantee, stores ...Store) (iamdoc.Grant, error) {
	if len(stores) == 0 {
		return iamdoc.Grant{}, errors.New("datalayer: GrantCredentials needs at least one store")
	}
	var arns pulumi.StringArray
	layerKey, vaultKey := false, false
	for _, s := range stores {
		c, ok := d.credentials[s]
		if !ok {
			return iamdoc.Grant{}, fmt.Errorf("datalayer: %s has no credentials in this stack to grant to %s", s, g.Name)
		}
		arns = append(arns, c.arn)
		layerKey, vaultKey = layerKey || !c.vault, vaultKey || c.vault
	}
	statements := iam.GetPolicyDocumentStatementArray{
		iam.GetPolicyDocumentStatementArgs{
			Sid:       pulumi.String("ReadStoreCredentials"),
			Actions:   pulumi.ToStringArray([]string{"secretsmanager:GetSecretValue"}),
			Resources: arns,
		},
	}
	if layerKey {
		statements = append(statements, d.keyVia("secretsmanager", "kms:Decrypt"))
	}
	if vaultKey {
		statements = append(statements, keyUse("VaultKeyViaSecretsmanager", d.args.Vault.KeyArn,
			d.viaService("secretsmanager", d.args.Region), "kms:Decrypt"))
	}
	return iamdoc.AttachGrant(ctx, d, g, "store-credentials", statements)
}

// GrantSearch lets the grantee call the OpenSearch HTTP API: its role may
// send every es:ESHttp* method to the domain's subresources (indexes and
// APIs, <domain arn>/*), and Seal names it in the domain access policy.
// The domain has no fine-grained access control, so those two policies are
// the whole of its access: a request signed (SigV4, service "es") with the
// role's credentials is allowed from the first deploy, with no role mapping
// inside the cluster
// (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ac.html#ac-types-resource).
func (d *DataLayer) GrantSearch(ctx *pulumi.Context, g iamdoc.Grantee) (iamdoc.Grant, error) {
	if d.search == nil {
		return iamdoc.Grant{}, fmt.Errorf("datalayer: no OpenSearch domain in this stack to grant to %s", g.Name)
	}
	if d.sealed {
		return iamdoc.Grant{}, fmt.Errorf("datalayer: GrantSearch(%s) after Seal: the access policy is already written", g.Name)
	}
	d.searchReaders = append(d.searchReaders, g.Role.Arn)
	return iamdoc.AttachGrant(ctx, d, g, "search", iam.GetPolicyDocumentStatementArray{
		iam.GetPolicyDocumentStatementArgs{
			Sid:       pulumi.String("SearchHTTP"),
			Actions:   pulumi.ToStringArray(searchActions),
			Resources: pulumi.StringArray{pulumi.Sprintf("%s/*", d.search.Arn)},
		},
	})
}

var searchActions = []string{"es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"}

// Seal writes what depends on every grant having been made: the OpenSearch
// access policy, naming the granted roles only (search-admin among them):
// with no FGAC it is the gate, and a role it does not name is refused
// unless its own policy allows the call. The stack calls it once, after
// all components are built (seal.All).
func (d *DataLayer) Seal(ctx *pulumi.Context) error {
	if d.sealed {
		return errors.New("datalayer: Seal called twice")
	}
	d.sealed = true
	if d.search == nil {
		return nil
	}
	var principals pulumi.StringArray
	for _, arn := range d.searchReaders {
		principals = append(principals, arn)
	}
	doc := iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray{iam.GetPolicyDocumentStatementArgs{
			Sid:     pulumi.String("GrantedRolesOnly"),
			Actions: pulumi.ToStringArray(searchActions),
			Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
				Type: pulumi.String("AWS"), Identifiers: principals,
			}},
			Resources: pulumi.StringArray{pulumi.Sprintf("%s/*", d.search.Arn)},
		}},
	}, pulumi.Parent(d))
	_, err := opensearch.NewDomainPolicy(ctx, "search", &opensearch.DomainPolicyArgs{
		DomainName:     d.search.DomainName,
		AccessPolicies: doc.Json(),
	}, pulumi.Parent(d))
	return err
}

// Sealed reports whether Seal has run (seal.Sealer).
func (d *DataLayer) Sealed() bool { return d.sealed }
