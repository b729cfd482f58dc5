package policy

func init() { topicFixtureSets = append(topicFixtureSets, awsVersionFixtures) }

func awsVersionFixtures() map[string]fixture {
	pg := func(version string) map[string]any {
		return map[string]any{"engine": "postgres", "engineVersion": version}
	}
	return map[string]fixture{
		"aws-postgres-version-creatable": {
			good: one(res(rdsInstance, "postgres", pg("16")), res(rdsInstance, "pinned", pg("16.11")),
				res(rdsInstance, "replica", map[string]any{"replicateSourceDb": "postgres"})),
			// 16.4 was the shipped default: RDS stopped creating it on 2026-05-01.
			bad: one(res(rdsInstance, "postgres", pg("16.4")), res(rdsInstance, "other", pg("15"))),
		},
	}
}
