package datalayer

import (
	"encoding/base64"
	"testing"
)

// The vectors were computed with the Python steps of the SES page
// (https://docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html,
// calculate_key: sign(("AWS4"+secret).encode(), "11111111"), then the
// Region, "ses", "aws4_request", "SendRawEmail"; bytes([0x04]) + signature;
// base64) on the example secret key of the AWS documentation.
func TestSMTPPasswordKnownVectors(t *testing.T) {
	t.Parallel()
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	for _, tc := range []struct{ region, want string }{
		{"us-east-1", "BLBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9"},
		{"us-west-2", "BF2PynzbSCAjX08zhZZnP/kW+T9P5zs/1Er0pi5vTEmd"},
	} {
		if got := SMTPPassword(secret, tc.region); got != tc.want {
			t.Errorf("SMTPPassword(example, %s) = %q, want %q", tc.region, got, tc.want)
		}
	}
}

// Shape: 44 base64 characters of 33 bytes, the first the version 0x04;
// the Region changes the password, the same inputs give the same one.
func TestSMTPPasswordShapeAndRegion(t *testing.T) {
	t.Parallel()
	const secret = "0123456789abcdefghijABCDEFGHIJ0123456789"
	east, west := SMTPPassword(secret, "us-east-1"), SMTPPassword(secret, "us-west-2")
	for _, pw := range []string{east, west} {
		raw, err := base64.StdEncoding.DecodeString(pw)
		if err != nil || len(pw) != 44 || len(raw) != 33 {
			t.Errorf("password %q: %d chars, %d bytes, err %v; want 44 base64 chars of 33 bytes", pw, len(pw), len(raw), err)
			continue
		}
		if raw[0] != 0x04 {
			t.Errorf("password %q starts with %#x, want the version byte 0x04", pw, raw[0])
		}
	}
	if east == west {
		t.Errorf("us-east-1 and us-west-2 give the same password %q", east)
	}
	if again := SMTPPassword(secret, "us-east-1"); again != east {
		t.Errorf("not deterministic: %q then %q", east, again)
	}
	if SMTPPassword(secret+"x", "us-east-1") == east {
		t.Error("a different secret key gives the same password")
	}
}
