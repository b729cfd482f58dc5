package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Versions AWS stops creating. Every version the program pins by default is
// listed here with the day AWS ends it and where that date is published;
// config/versions_test.go fails 90 days before any of those days, so an
// expiring default is found by CI, not by `pulumi up`.

// VersionSupport is one pinned version default and the end of its support.
type VersionSupport struct {
	// Setting is the config key the default fills ("data.postgres.engineVersion").
	Setting string
	// Version is the default value.
	Version string
	// Ends is the day AWS stops creating the version (or ends its standard
	// support), YYYY-MM-DD; empty when AWS has announced no date.
	Ends string
	// Source is the page that publishes the date (or the absence of one).
	Source string
}

// Pinned version defaults, and what each choice means.
const (
	// DefaultPostgresVersion is a major version: AWS creates the newest
	// default minor, and autoMinorVersionUpgrade keeps it current. A
	// pinned minor expires (16.1-16.8 can no longer be created); the
	// provider accepts the prefix without a perpetual diff ("If
	// autoMinorVersionUpgrade is enabled, you can provide a prefix of the
	// version such as 8.0", pulumi-aws rds.Instance engineVersion).
	DefaultPostgresVersion   = "16"
	DefaultDocumentDBVersion = "5.0.0"
	DefaultRedisVersion      = "7.1"
	DefaultMemcachedVersion  = "1.6.22"
	DefaultOpenSearchVersion = "OpenSearch_2.19"
)

// PinnedVersions are the version defaults with their end of support.
var PinnedVersions = []VersionSupport{
	{"data.postgres.engineVersion", DefaultPostgresVersion, "2029-02-28",
		"https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html"},
	{"data.documentdb.engineVersion", DefaultDocumentDBVersion, "",
		"https://docs.aws.amazon.com/documentdb/latest/developerguide/docdb-version-support-dates.html"},
	{"data.redis.engineVersion", DefaultRedisVersion, "",
		"https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/deprecated-engine-versions.html"},
	{"data.memcached (engine version)", DefaultMemcachedVersion, "",
		"https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html"},
	{"data.opensearch.engineVersion", DefaultOpenSearchVersion, "",
		"https://docs.aws.amazon.com/opensearch-service/latest/developerguide/what-is.html#choosing-version"},
	{"serverless.runtime", DefaultLambdaRuntime, LambdaRuntimeDeprecation[DefaultLambdaRuntime],
		LambdaRuntimesSource},
	// The end of standard support (EKSVersionCalendar): after it a cluster
	// costs extended-support fees; config refuses a version only after
	// extended support ends, when EKS stops creating it.
	{"fleet.eks.version", DefaultEKSVersion, eksDefaultRow().End, eksDefaultRow().Source},
	// Charts name no end date: external-secrets supports only its newest
	// minor; the load balancer controller's v2 line (chart 1.x) is frozen at
	// v2.17.1 (January 2026).
	{"fleet.eks.externalSecretsVersion", DefaultExternalSecretsVersion, "",
		"https://external-secrets.io/latest/introduction/stability-support/"},
	{"fleet.eks.loadBalancerControllerVersion", DefaultLoadBalancerControllerVersion, "",
		"https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/main/helm/aws-load-balancer-controller/README.md"},
}

// eksDefaultRow is DefaultEKSVersion's calendar row.
func eksDefaultRow() EKSVersion { v, _ := LookupEKSVersion(DefaultEKSVersion); return v }

// LambdaRuntimesSource publishes each runtime's deprecation date.
const LambdaRuntimesSource = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"

// LambdaRuntimeDeprecation is each runtime new functions may use and the
// day Lambda deprecates it (after which new functions should not start on
// it, and creation is blocked soon after). Runtimes already deprecated on
// 2026-12-05 (python3.9-3.11, nodejs18.x/20.x, ruby3.3, provided.al2,
// java8.al2, dotnet8 from 2026-11-10) are absent, so config refuses them.
var LambdaRuntimeDeprecation = map[string]string{
	"python3.12":      "2028-10-31",
	"python3.13":      "2029-06-30",
	"python3.14":      "2029-06-30",
	"nodejs22.x":      "2027-04-30",
	"nodejs24.x":      "2028-04-30",
	"java25":          "2029-06-30",
	"ruby3.4":         "2028-03-31",
	"dotnet10":        "2028-11-14",
	"provided.al2023": "2029-06-30", // Amazon Linux 2023's end of support
}

// LambdaRuntimes are the runtimes a function may use today: those of
// LambdaRuntimeDeprecation not yet deprecated, sorted.
func LambdaRuntimes() []string { return lambdaRuntimesAt(time.Now()) }

func lambdaRuntimesAt(now time.Time) []string {
	var out []string
	for r, day := range LambdaRuntimeDeprecation {
		if end, err := time.Parse(time.DateOnly, day); err == nil && now.Before(end) {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

// RetiredPostgresMinors are the RDS for PostgreSQL 16 minors AWS no longer
// creates (from 2026-05-01: 16.1-16.8), from the release calendar.
const RetiredPostgresMinors = 8

// PostgresVersionProblem says why v cannot be created, or "" when it can:
// the major 16, or a 16 minor AWS still creates.
func PostgresVersionProblem(v string) string {
	if v == "16" {
		return ""
	}
	major, minor, ok := strings.Cut(v, ".")
	n, err := strconv.Atoi(minor)
	switch {
	case major != "16" || !ok || err != nil || strings.Contains(minor, "."):
		return fmt.Sprintf("%q is not a PostgreSQL 16 version", v)
	case n <= RetiredPostgresMinors:
		return fmt.Sprintf("RDS no longer creates PostgreSQL %s (16.1-16.%d are retired)", v, RetiredPostgresMinors)
	}
	return ""
}
