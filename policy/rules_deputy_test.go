package policy

func init() { topicFixtureSets = append(topicFixtureSets, deputyFixtures) }

func deputyFixtures() map[string]fixture {
	trust := func(cond map[string]any) map[string]any {
		st := map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
		if cond != nil {
			st["Condition"] = cond
		}
		return map[string]any{"assumeRolePolicy": doc(st)}
	}
	return map[string]fixture{
		"service-principal-source-condition": {
			good: one(res(iamRole, "fn", trust(map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": "123456789012"}})),
				res(iamRole, "logs", map[string]any{"assumeRolePolicy": doc(map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"})})),
			bad: one(res(iamRole, "fn", trust(nil))),
		},
	}
}
