package config

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
)

// Bucket is one S3 bucket of the data layer. Every bucket is versioned,
// SSE-KMS encrypted with the layer's key, private, TLS-only and logs its
// access to the layer's access-log bucket.
type Bucket struct {
	// Name is the exact physical bucket name, for buckets a seed names
	// (DBay's dbay-listing-images-prod, Dhanam's dhanam-production-assets).
	// It must follow the S3 naming rules. Absent: Pulumi auto-names the
	// bucket from its logical name (listing-images-1a2b3c4).
	Name string `json:"name"`
	// EnvVar is the variable consumers read the bucket name from.
	// Absent: AWS_S3_BUCKET_NAME (DBay §4.2, §4.5); Dhanam sets AWS_S3_BUCKET.
	EnvVar string `json:"envVar"`
	// CorsOrigins may upload from the browser: https origins without a path.
	// Absent: https://app.<domain>.
	CorsOrigins []string `json:"corsOrigins"`
	// NoncurrentVersionDays before old object versions expire: 1..3650. Absent: 90.
	NoncurrentVersionDays int `json:"noncurrentVersionDays"`
	// AccessLogDays the bucket's server access logs are kept: 1..3650. Absent: 365.
	AccessLogDays int `json:"accessLogDays"`
}

// Bus is the EventBridge bus.
type Bus struct {
	// Name of the bus, fixed by the seed: dbay-events. Required: letters,
	// digits, dots, dashes and underscores, at most 40 characters (its
	// archive is <name>-archive, which AWS caps at 48).
	Name string `json:"name"`
	// ArchiveRetentionDays of the replay archive: 1..3650. Absent: 30.
	ArchiveRetentionDays int `json:"archiveRetentionDays"`
}

// Queue is an SQS queue fed by the bus, with its dead-letter queue.
type Queue struct {
	// MaxReceiveCount before a message moves to the DLQ: 3..10. Absent: 5.
	MaxReceiveCount int `json:"maxReceiveCount"`
	// VisibilityTimeoutSeconds a received message stays hidden: 1..43200. Absent: 60.
	VisibilityTimeoutSeconds int `json:"visibilityTimeoutSeconds"`
	// MessageRetentionSeconds: 60..1209600. Absent: 345600 (4 days).
	MessageRetentionSeconds int `json:"messageRetentionSeconds"`
	// Sources are the bus events' `source` values this queue receives, e.g.
	// dbay.orders. Absent: the queue is not subscribed to the bus (no rule).
	Sources []string `json:"sources"`
	// DetailTypes narrow the subscription to these `detail-type` values,
	// e.g. order.paid. Absent: every detail type of the Sources.
	DetailTypes []string `json:"detailTypes"`
}

// SES is the sending identity: the stack's domain.
type SES struct {
	// FromAddress is SES_FROM_EMAIL, a bare address in the stack's domain or
	// a subdomain of it. Absent: noreply@<domain>.
	FromAddress string `json:"fromAddress"`
	// SMTPCredentials makes the program own the stack's SES SMTP
	// credentials: an IAM user allowed only ses:SendRawEmail as
	// FromAddress, its access key, and a secret holding {"username",
	// "password"} with the SMTP password derived for this stack's Region
	// (an SES SMTP password is valid in one Region only,
	// https://docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html). A
	// service that `uses: [ses:smtp]` gets SMTP_USER and SMTP_PASS from it,
	// which it may then not list under secrets or env. Absent: false (no
	// SMTP credentials).
	SMTPCredentials bool `json:"smtpCredentials"`
}

// The SES SMTP use (data.ses.smtpCredentials) and the variables it sets.
const (
	UseSESSMTP       = UseSES + ":smtp"
	SMTPUserVariable = "SMTP_USER"
	SMTPPassVariable = "SMTP_PASS"
)

// Messaging defaults (see each field).
const (
	DefaultBucketEnvVar             = "AWS_S3_BUCKET_NAME"
	DefaultNoncurrentVersionDays    = 90
	DefaultAccessLogDays            = 365
	DefaultArchiveRetentionDays     = 30
	DefaultMaxReceiveCount          = 5
	DefaultVisibilityTimeoutSeconds = 60
	DefaultMessageRetentionSeconds  = 4 * 24 * 3600
	// LogBucketName is the logical name of the access-log bucket the data
	// layer creates; no configured bucket may take it.
	LogBucketName = "access-logs"
	// MaxEventPatternLength is EventBridge's default pattern size quota.
	MaxEventPatternLength = 2048
)

func (d *Data) applyMessagingDefaults(project string) {
	for name, b := range d.Buckets {
		def(&b.EnvVar, DefaultBucketEnvVar)
		defInt(&b.NoncurrentVersionDays, DefaultNoncurrentVersionDays)
		defInt(&b.AccessLogDays, DefaultAccessLogDays)
		d.Buckets[name] = b
	}
	if d.Bus != nil {
		defInt(&d.Bus.ArchiveRetentionDays, DefaultArchiveRetentionDays)
	}
	for name, q := range d.Queues {
		defInt(&q.MaxReceiveCount, DefaultMaxReceiveCount)
		defInt(&q.VisibilityTimeoutSeconds, DefaultVisibilityTimeoutSeconds)
		defInt(&q.MessageRetentionSeconds, DefaultMessageRetentionSeconds)
		d.Queues[name] = q
	}
}

// EventPattern is the EventBridge pattern of the queue's subscription,
// marshalled from values (never concatenated); "" when it has no Sources.
func (q Queue) EventPattern() string {
	if len(q.Sources) == 0 {
		return ""
	}
	p := map[string][]string{"source": q.Sources}
	if len(q.DetailTypes) > 0 {
		p["detail-type"] = q.DetailTypes
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // string slices always marshal
	}
	return string(b)
}

var (
	logicalNameRe = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$`)
	envVarRe      = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	busNameRe     = regexp.MustCompile(`^[A-Za-z0-9._-]{1,40}$`)
	eventSourceRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,255}$`)
	ipv4Re        = regexp.MustCompile(`^\d{1,3}(\.\d{1,3}){3}$`)
)

func (d Data) validateMessaging(c *collector) {
	physical := map[string]string{}
	for _, name := range sortedMapKeys(d.Buckets) {
		b, path := d.Buckets[name], "data.buckets."+name
		checkLogicalName(c, path, name, "")
		if name == LogBucketName {
			c.forbiddenf(path, "choose another name", "%q is the data layer's own access-log bucket", name)
		}
		if b.Name != "" {
			if problems := bucketNameProblems(b.Name); len(problems) > 0 {
				c.invalidf(path+".name", b.Name, "use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit",
					"%q is not a valid S3 bucket name: %s", b.Name, strings.Join(problems, "; "))
			} else if other, dup := physical[b.Name]; dup {
				c.invalidf(path+".name", b.Name, "give each bucket its own name", "%q is already the name of data.buckets.%s", b.Name, other)
			}
			physical[b.Name] = name
		}
		if !envVarRe.MatchString(b.EnvVar) {
			c.invalidf(path+".envVar", b.EnvVar, "use upper-case letters, digits and underscores, e.g. AWS_S3_BUCKET_NAME", "%q is not an environment variable name", b.EnvVar)
		}
		for i, o := range b.CorsOrigins {
			if problem := originProblem(o); problem != "" {
				c.invalidf(fmt.Sprintf("%s.corsOrigins[%d]", path, i), o, "use an https origin such as https://app.dbay.example.com", "%q %s", o, problem)
			}
		}
		checkRange(c, path+".noncurrentVersionDays", b.NoncurrentVersionDays, 1, 3650, "days")
		checkRange(c, path+".accessLogDays", b.AccessLogDays, 1, 3650, "days")
	}
	if b := d.Bus; b != nil {
		switch {
		case b.Name == "":
			c.required("data.bus.name", "is required", "name the bus, e.g. dbay-events")
		case !busNameRe.MatchString(b.Name) || b.Name == "default" || strings.HasPrefix(b.Name, "aws."):
			c.invalidf("data.bus.name", b.Name, "use up to 40 letters, digits, dots, dashes and underscores, not default or aws.*, e.g. dbay-events", "%q is not a custom event bus name", b.Name)
		}
		checkRange(c, "data.bus.archiveRetentionDays", b.ArchiveRetentionDays, 1, 3650, "days")
	}
	for _, name := range sortedMapKeys(d.Queues) {
		q, path := d.Queues[name], "data.queues."+name
		checkLogicalName(c, path, name, "-dlq")
		checkRange(c, path+".maxReceiveCount", q.MaxReceiveCount, 3, 10, "receives")
		checkRange(c, path+".visibilityTimeoutSeconds", q.VisibilityTimeoutSeconds, 1, 43200, "seconds")
		checkRange(c, path+".messageRetentionSeconds", q.MessageRetentionSeconds, 60, 1209600, "seconds")
		checkEventValues(c, path+".sources", q.Sources, func(s string) bool {
			return eventSourceRe.MatchString(s) && !strings.HasPrefix(s, "aws.")
		}, "use the source your services put events with, e.g. dbay.orders (aws.* sources are AWS's own)")
		checkEventValues(c, path+".detailTypes", q.DetailTypes, func(s string) bool {
			return len(s) <= 128 && strings.TrimSpace(s) == s
		}, "use a detail type of at most 128 characters, e.g. order.paid")
		switch {
		case len(q.DetailTypes) > 0 && len(q.Sources) == 0:
			c.invalid(path+".detailTypes", nil, "narrows a subscription the queue does not have", "list the sources too")
		case len(q.Sources) > 0 && d.Bus == nil:
			c.invalid(path+".sources", nil, "subscribe to a bus this stack does not have", "configure data.bus")
		case len(q.EventPattern()) > MaxEventPatternLength:
			c.invalidf(path, nil, "list fewer sources or detail types", "the event pattern is %d characters, over EventBridge's %d", len(q.EventPattern()), MaxEventPatternLength)
		}
	}
	if s := d.SES; s != nil && s.FromAddress != "" {
		if a, err := mail.ParseAddress(s.FromAddress); err != nil || a.Address != s.FromAddress {
			c.invalidf("data.ses.fromAddress", s.FromAddress, "use a bare address such as noreply@dbay.example.com", "%q is not an email address", s.FromAddress)
		}
	}
}

// checkLogicalName checks a bucket's or queue's map key: it names resources.
func checkLogicalName(c *collector, path, name, reservedSuffix string) {
	if !logicalNameRe.MatchString(name) {
		c.invalidf(path, name, "use 1-40 lowercase letters, digits and dashes, starting with a letter, e.g. listing-images", "%q is not a valid logical name", name)
	} else if reservedSuffix != "" && strings.HasSuffix(name, reservedSuffix) {
		c.forbiddenf(path, "choose a name without it", "%q ends with %s, which names dead-letter queues", name, reservedSuffix)
	}
}

func checkEventValues(c *collector, path string, values []string, ok func(string) bool, valid string) {
	seen := map[string]bool{}
	for i, v := range values {
		switch {
		case !ok(v) || v == "":
			c.invalidf(fmt.Sprintf("%s[%d]", path, i), v, valid, "%q is not valid here", v)
		case seen[v]:
			c.invalidf(fmt.Sprintf("%s[%d]", path, i), v, "list each value once", "%q is listed twice", v)
		}
		seen[v] = true
	}
}

// bucketNameProblems lists every S3 general-purpose bucket naming rule name
// breaks (empty when it is valid), stating each so one fix round suffices.
func bucketNameProblems(name string) []string {
	var out []string
	if n := len(name); n < 3 || n > 63 {
		out = append(out, fmt.Sprintf("it is %d characters long, not 3..63", n))
	}
	if i := strings.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-')
	}); i >= 0 {
		out = append(out, fmt.Sprintf("only lowercase letters, digits, dots and hyphens are allowed (offset %d)", i))
	}
	alnum := func(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }
	if name != "" && (!alnum(name[0]) || !alnum(name[len(name)-1])) {
		out = append(out, "it must start and end with a letter or digit")
	}
	if strings.Contains(name, "..") {
		out = append(out, "it must not contain two adjacent dots")
	}
	if ipv4Re.MatchString(name) {
		out = append(out, "it must not look like an IP address")
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			out = append(out, "it must not start with "+p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			out = append(out, "it must not end with "+s)
		}
	}
	return out
}

// originProblem says what is wrong with a CORS origin, or "".
func originProblem(o string) string {
	u, err := url.Parse(o)
	switch {
	case err != nil || u.Host == "":
		return "is not a URL"
	case u.Scheme != "https":
		return "is not https"
	case strings.Contains(u.Host, "*"):
		return "has a wildcard"
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return "is not a bare origin (scheme and host only)"
	}
	return ""
}
