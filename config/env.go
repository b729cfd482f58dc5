package config

// Env is what every component's Args repeats about the stack: built once
// by stacks (Config.Env) and embedded in every component's Args, so inside
// a component args.Region, args.Protect... read as before (tests/
// TestArgsEmbedEnv fails on an Args field that re-declares one).
type Env struct {
	// Project and Stack name things ("dbay", "prod"). Required.
	Project, Stack string
	// Environment is the stack's environment name (config environment).
	// Empty: the component says what it uses instead.
	Environment string
	// Region is the stack's region. Required.
	Region string
	// Partition is the AWS partition of Region. Empty: "aws".
	Partition string
	// Domain is the stack's apex domain. Empty: none.
	Domain string
	// Protect protects stateful resources from deletion (prod: true).
	Protect bool
}

// Env is the stack's Env: project, stack, environment, region and its
// partition, domain and protection.
func (c *Config) Env() Env {
	return Env{Project: c.Project, Stack: c.Stack, Environment: c.Environment, Region: c.Region,
		Partition: c.Partition(), Domain: c.Domain, Protect: c.Protected()}
}
