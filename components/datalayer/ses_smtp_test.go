package datalayer_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/components/datalayer"
)

// data.ses.smtpCredentials: an IAM user (path /ses-smtp/) whose only
// permission is ses:SendRawEmail through the identity and configuration
// set as the from address, its access key, and a secret under the layer
// key (no replicas: the password is this Region's) holding the key id and
// the password derived for us-east-1; SMTP() injects both keys, and
// GrantCredentials(SESSMTP) reads exactly that secret.
func TestSMTPCredentials(t *testing.T) {
	t.Parallel()
	refs := map[string]string{}
	r := synthMessaging(t, messagingStack{data: `{"ses":{"smtpCredentials":true}}`, use: func(ctx *pulumi.Context, d *datalayer.DataLayer) error {
		s, err := d.SES()
		if err != nil {
			return err
		}
		conn, err := s.SMTP()
		if err != nil {
			return err
		}
		for k, ref := range conn.Secrets {
			v, err := await(ctx, ref.ValueFrom())
			if err != nil {
				return err
			}
			refs[k] = v.(string)
		}
		g, err := newRole(ctx, "api-exec")
		if err != nil {
			return err
		}
		_, err = d.GrantCredentials(ctx, g, conn.Store)
		return err
	}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	comp := r.one(t, component, "data")
	user := r.one(t, "aws:iam/user:User", "ses-smtp")
	if in := user.In(); in["name"] != "dbay-test-ses-smtp" || in["path"] != "/ses-smtp/" || user.Parent != comp.URN {
		t.Errorf("user = %v (parent %s)", in, user.Parent)
	}
	// The user has no policy of its own (FSBP IAM.2): its group does.
	if r.eng.Get("aws:iam/userPolicy:UserPolicy", "ses-smtp") != nil {
		t.Error("the SMTP user has a policy of its own")
	}
	group := r.one(t, "aws:iam/group:Group", "ses-smtp")
	if in := group.In(); in["name"] != "dbay-test-ses-smtp" || in["path"] != "/ses-smtp/" {
		t.Errorf("group = %v", in)
	}
	m := r.one(t, "aws:iam/userGroupMembership:UserGroupMembership", "ses-smtp").In()
	if m["user"] != "dbay-test-ses-smtp" || !reflect.DeepEqual(m["groups"], []any{"dbay-test-ses-smtp"}) {
		t.Errorf("membership = %v", m)
	}
	up := r.one(t, "aws:iam/groupPolicy:GroupPolicy", "ses-smtp")
	if up.In()["group"] != "dbay-test-ses-smtp" || up.Parent != comp.URN {
		t.Errorf("group policy on %v, parent %s", up.In()["group"], up.Parent)
	}
	st := statements(t, up.In()["policy"])
	identity := r.one(t, "aws:sesv2/emailIdentity:EmailIdentity", "ses").Out()["arn"].(string)
	set := r.one(t, "aws:sesv2/configurationSet:ConfigurationSet", "ses").Out()["arn"].(string)
	if len(st) != 1 || !reflect.DeepEqual(list(st[0].Action), []string{"ses:SendRawEmail"}) ||
		!reflect.DeepEqual(list(st[0].Resource), sorted(identity, set)) ||
		!reflect.DeepEqual(st[0].Condition, map[string]map[string]any{"StringEquals": {"ses:FromAddress": "noreply@dbay.example.com"}}) {
		t.Errorf("SMTP user policy = %+v", st)
	}
	key := r.one(t, "aws:iam/accessKey:AccessKey", "ses-smtp")
	if key.In()["user"] != "dbay-test-ses-smtp" || key.Parent != comp.URN {
		t.Errorf("access key = %v (parent %s)", key.In(), key.Parent)
	}
	sec := r.one(t, "aws:secretsmanager/secret:Secret", "ses-smtp-credentials")
	if in := sec.In(); in["kmsKeyId"] != r.key || in["replicas"] != nil || sec.Parent != comp.URN {
		t.Errorf("secret = %v (parent %s): want the layer key, no replicas", in, sec.Parent)
	}
	version := r.one(t, "aws:secretsmanager/secretVersion:SecretVersion", "ses-smtp-credentials").Inputs["secretString"]
	if !version.IsSecret() {
		t.Fatal("the SMTP secret's value is not a Pulumi secret")
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(version.SecretValue().Element.StringValue()), &got); err != nil {
		t.Fatal(err)
	}
	id, secret := key.Out()["id"].(string), key.Out()["secret"].(string)
	if want := map[string]string{"username": id, "password": datalayer.SMTPPassword(secret, "us-east-1")}; !reflect.DeepEqual(got, want) {
		t.Errorf("secret value = %v, want %v", got, want)
	}
	arn := sec.Out()["arn"].(string)
	if want := map[string]string{"SMTP_USER": arn + ":username::", "SMTP_PASS": arn + ":password::"}; !reflect.DeepEqual(refs, want) {
		t.Errorf("SMTP() valueFrom = %v, want %v", refs, want)
	}
	read := statements(t, r.one(t, tPolicy, "api-exec-store-credentials").In()["policy"])
	if !reflect.DeepEqual(list(read[0].Resource), []string{arn}) {
		t.Errorf("execution role reads %v, want only %s", read[0].Resource, arn)
	}
}

// Without smtpCredentials there is no SMTP user, and SMTP() says which key
// turns it on.
func TestSMTPCredentialsOff(t *testing.T) {
	t.Parallel()
	var smtpErr error
	r := synthMessaging(t, messagingStack{data: `{"ses":{}}`, use: func(ctx *pulumi.Context, d *datalayer.DataLayer) error {
		s, err := d.SES()
		if err != nil {
			return err
		}
		_, smtpErr = s.SMTP()
		return nil
	}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got := r.eng.ByType("aws:iam/user:User"); len(got) != 0 {
		t.Errorf("%d IAM users without smtpCredentials", len(got))
	}
	if smtpErr == nil || !strings.Contains(smtpErr.Error(), "data.ses.smtpCredentials") {
		t.Errorf("SMTP() err = %v", smtpErr)
	}
}
