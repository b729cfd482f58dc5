package policy

import "testing"

func TestResourceDocDecides(t *testing.T) {
	const doc = `{"Statement":[
	 {"Effect":"Deny","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*",
	  "Condition":{"ArnNotEquals":{"aws:PrincipalArn":["arn:aws:iam::1:role/reader"]}}},
	 {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:role/reader"]},"Action":"secretsmanager:*","Resource":"*"},
	 {"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*",
	  "Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}}]}`
	for _, tc := range []struct {
		principal      string
		allowed, denis bool
	}{
		{"arn:aws:iam::1:role/reader", true, false},
		{"arn:aws:iam::1:role/other", false, true}, // the conditional Allow does not count
	} {
		al, de := ResourceDocDecides(doc, tc.principal, "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:1:secret:x")
		if al != tc.allowed || de != tc.denis {
			t.Errorf("%s: allowed %v denied %v, want %v %v", tc.principal, al, de, tc.allowed, tc.denis)
		}
	}
}

// A request's condition keys decide a conditioned statement: the source
// and detail type a PutEvents grant names, negated and IfExists forms;
// conditions on keys the request does not carry are not evaluated.
func TestRequestMatches(t *testing.T) {
	t.Parallel()
	const d = `{"Statement":[
	 {"Sid":"eq","Effect":"Allow","Action":"events:PutEvents","Resource":"*",
	  "Condition":{"StringEquals":{"events:source":"dbay.wallet","events:detail-type":["withdrawal.requested","deposit.detected"]}}},
	 {"Sid":"like","Effect":"Allow","Action":"events:PutEvents","Resource":"*",
	  "Condition":{"StringLike":{"events:source":"dbay.list*"}}},
	 {"Sid":"not","Effect":"Deny","Action":"events:PutEvents","Resource":"*",
	  "Condition":{"StringNotEqualsIfExists":{"events:source":"dbay.wallet"}}},
	 {"Sid":"other","Effect":"Allow","Action":"kms:Decrypt","Resource":"*",
	  "Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}},
	 {"Sid":"num","Effect":"Allow","Action":"events:PutEvents","Resource":"*",
	  "Condition":{"NumericLessThan":{"events:source":"3"}}}]}`
	doc, ok := parseDocument(d)
	if !ok {
		t.Fatal("document not parsed")
	}
	by := map[string]statement{}
	for _, s := range doc.Statement {
		by[s.Sid] = s
	}
	req := func(src, dt string) map[string]string {
		return map[string]string{"events:source": src, "events:detail-type": dt}
	}
	for _, tc := range []struct {
		sid  string
		req  map[string]string
		want bool
	}{
		{"eq", req("dbay.wallet", "withdrawal.requested"), true},
		{"eq", req("dbay.wallet", "withdrawal.completed"), false},
		{"eq", req("dbay.listings", "withdrawal.requested"), false},
		{"eq", nil, true}, // RoleAllows: conditions not evaluated
		{"like", req("dbay.listings", "listing.created"), true},
		{"like", req("dbay.wallet", "listing.created"), false},
		{"not", req("dbay.listings", "x"), true},
		{"not", req("dbay.wallet", "x"), false},
		{"other", req("dbay.wallet", "x"), true}, // kms:ViaService is not in the request
		{"num", req("dbay.wallet", "x"), false},  // an operator it cannot evaluate: does not apply
	} {
		if got := by[tc.sid].requestMatches(tc.req); got != tc.want {
			t.Errorf("%s %v: %v, want %v", tc.sid, tc.req, got, tc.want)
		}
	}
}
