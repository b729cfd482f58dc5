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
