package datalayer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// smtpPasswordVersion is the version byte an SES SMTP password starts with
// (SigV4 passwords, version 4).
const smtpPasswordVersion = 0x04

// SMTPPassword is the Amazon SES SMTP password of an IAM secret access key
// in one Region: an HMAC-SHA256 chain keyed with "AWS4"+secret over the
// date "11111111", the Region, "ses", "aws4_request" and "SendRawEmail",
// prefixed with the version byte 0x04 and base64-encoded
// (https://docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html,
// "Obtaining Amazon SES SMTP credentials by converting existing AWS
// credentials"). The Region is part of the derivation: a password works
// only at that Region's SMTP endpoint.
func SMTPPassword(secretAccessKey, region string) string {
	sig := []byte("AWS4" + secretAccessKey)
	for _, msg := range []string{"11111111", region, "ses", "aws4_request", "SendRawEmail"} {
		mac := hmac.New(sha256.New, sig)
		mac.Write([]byte(msg))
		sig = mac.Sum(nil)
	}
	return base64.StdEncoding.EncodeToString(append([]byte{smtpPasswordVersion}, sig...))
}
