package datalayer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Bucket is one S3 bucket of the layer (buckets.go).
type Bucket struct {
	// Name is the physical bucket name; Arn its ARN.
	Name, Arn pulumi.StringOutput
	// key encrypts the objects: the layer key, or in a recovery stack the
	// replica buckets' key.
	key     pulumi.StringOutput
	logical string
	envVar  string
	d       *DataLayer
}

// Bus is the EventBridge bus (events.go). Name and Arn are what rules of
// other components (Serverless) attach to.
type Bus struct {
	Name, Arn pulumi.StringOutput
	d         *DataLayer
}

// Queue is one SQS queue with its DLQ (queues.go).
type Queue struct {
	// URL and Arn of the queue; DLQArn of its dead-letter queue.
	URL, Arn, DLQArn pulumi.StringOutput
	// Name and DLQName are the physical queue names (metric dimensions).
	Name, DLQName pulumi.StringOutput
	logical       string
	d             *DataLayer
}

// SES is the sending identity (ses.go).
type SES struct {
	// FromAddress is SES_FROM_EMAIL.
	FromAddress string
	// IdentityArn and ConfigurationSetArn are what GrantSendEmail allows.
	IdentityArn, ConfigurationSetArn pulumi.StringOutput
	// ConfigurationSetName is the set every message must be sent with.
	ConfigurationSetName pulumi.StringOutput
	d                    *DataLayer
	// smtp: the SMTP credentials (ses_smtp.go); nil without them.
	smtp *Connection
}

// buildMessaging creates the buckets, the bus, the queues and SES, and
// adds their outputs to the component's.
func (d *DataLayer) buildMessaging(ctx *pulumi.Context) error {
	for _, step := range []func(*pulumi.Context) error{d.newBuckets, d.newBus, d.newQueues, d.newSES} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	names, queues := pulumi.StringMap{}, pulumi.StringMap{}
	for k, b := range d.buckets {
		names[k] = b.Name
	}
	for k, q := range d.queues {
		queues[k] = q.URL
	}
	d.BucketNames = names.ToStringMapOutput()
	d.QueueURLs = queues.ToStringMapOutput()
	if d.bus != nil {
		d.BusName = d.bus.Name
		d.BusArn = d.bus.Arn
	}
	if d.ses != nil {
		d.SESFromEmail = pulumi.String(d.ses.FromAddress).ToStringOutput()
		d.SESIdentityArn = d.ses.IdentityArn
	}
	return nil
}

// Bucket returns the bucket with the given logical name (its key under
// data.buckets).
func (d *DataLayer) Bucket(name string) (*Bucket, error) {
	if b, ok := d.buckets[name]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("datalayer: no bucket %q in this stack (have %s)", name, messagingNames(d.buckets))
}

// Bus returns the EventBridge bus.
func (d *DataLayer) Bus() (*Bus, error) {
	if d.bus == nil {
		return nil, fmt.Errorf("datalayer: this stack has no event bus (set data.bus)")
	}
	return d.bus, nil
}

// Queue returns the queue with the given logical name (its key under data.queues).
func (d *DataLayer) Queue(name string) (*Queue, error) {
	if q, ok := d.queues[name]; ok {
		return q, nil
	}
	return nil, fmt.Errorf("datalayer: no queue %q in this stack (have %s)", name, messagingNames(d.queues))
}

// SES returns the sending identity.
func (d *DataLayer) SES() (*SES, error) {
	if d.ses == nil {
		return nil, fmt.Errorf("datalayer: this stack has no SES identity (set data.ses)")
	}
	return d.ses, nil
}

func messagingNames[V any](m map[string]V) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return "none"
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// viaService is the endpoint host of a regional service, as kms:ViaService
// names it, in region.
func (d *DataLayer) viaService(service, region string) string {
	suffix := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	return fmt.Sprintf("%s.%s.%s", service, region, suffix)
}

// keyVia lets a grantee use the layer key only through one service.
func (d *DataLayer) keyVia(service string, actions ...string) iam.GetPolicyDocumentStatementArgs {
	return keyUse("LayerKeyVia"+strings.ToUpper(service[:1])+service[1:], d.key.Arn, d.viaService(service, d.args.Region), actions...)
}

// keyUse allows actions on one key, only through the given service
// endpoint (kms:ViaService).
func keyUse(sid string, key pulumi.StringInput, via string, actions ...string) iam.GetPolicyDocumentStatementArgs {
	return iam.GetPolicyDocumentStatementArgs{
		Sid:       pulumi.String(sid),
		Effect:    pulumi.String("Allow"),
		Actions:   pulumi.ToStringArray(actions),
		Resources: pulumi.StringArray{key},
		Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
			Test: pulumi.String("StringEquals"), Variable: pulumi.String("kms:ViaService"),
			Values: pulumi.ToStringArray([]string{via}),
		}},
	}
}

// allowOn is an identity-policy statement on the given resources.
func allowOn(sid string, actions []string, resources ...pulumi.StringInput) iam.GetPolicyDocumentStatementArgs {
	return iam.GetPolicyDocumentStatementArgs{
		Sid: pulumi.String(sid), Effect: pulumi.String("Allow"),
		Actions: pulumi.ToStringArray(actions), Resources: pulumi.StringArray(resources),
	}
}

// denyInsecureTransport is the resource-policy statement refusing every
// request not made over TLS. Its "*" principal is conditioned on
// aws:SecureTransport=false: it only ever takes access away.
func denyInsecureTransport(action string, resources ...pulumi.StringInput) iam.GetPolicyDocumentStatementArgs {
	return iam.GetPolicyDocumentStatementArgs{
		Sid:    pulumi.String("DenyInsecureTransport"),
		Effect: pulumi.String("Deny"),
		Principals: iam.GetPolicyDocumentStatementPrincipalArray{iam.GetPolicyDocumentStatementPrincipalArgs{
			Type: pulumi.String("*"), Identifiers: pulumi.ToStringArray([]string{"*"}),
		}},
		Actions:   pulumi.ToStringArray([]string{action}),
		Resources: pulumi.StringArray(resources),
		Conditions: iam.GetPolicyDocumentStatementConditionArray{iam.GetPolicyDocumentStatementConditionArgs{
			Test: pulumi.String("Bool"), Variable: pulumi.String("aws:SecureTransport"),
			Values: pulumi.ToStringArray([]string{"false"}),
		}},
	}
}

// policyJSON renders typed statements into policy JSON.
func (d *DataLayer) policyJSON(ctx *pulumi.Context, statements ...iam.GetPolicyDocumentStatementInput) pulumi.StringOutput {
	return iam.GetPolicyDocumentOutput(ctx, iam.GetPolicyDocumentOutputArgs{
		Statements: iam.GetPolicyDocumentStatementArray(statements),
	}, pulumi.Parent(d)).Json()
}
