package config

// Defaults, all in one place. Each value is documented on its field in config.go.
const (
	DefaultAZCount           = 3
	DefaultPublicMask        = 24
	DefaultPrivateMask       = 19
	DefaultIsolatedMask      = 24
	DefaultFlowLogsRetention = 365
	NATPerAZ                 = "perAz"
	NATSingle                = "single"
)

func (cfg *Config) applyDefaults() {
	n := &cfg.Network
	if n.AZCount == 0 {
		n.AZCount = DefaultAZCount
	}
	if n.NATGateways == "" {
		n.NATGateways = NATPerAZ
		if cfg.Role == RoleRecovery {
			n.NATGateways = NATSingle
		}
	}
	if n.Subnets.Public == 0 {
		n.Subnets.Public = DefaultPublicMask
	}
	if n.Subnets.Private == 0 {
		n.Subnets.Private = DefaultPrivateMask
	}
	if n.Subnets.Isolated == 0 {
		n.Subnets.Isolated = DefaultIsolatedMask
	}
	if n.FlowLogs.RetentionDays == 0 {
		n.FlowLogs.RetentionDays = DefaultFlowLogsRetention
	}
	for _, b := range []**bool{&n.Endpoints.S3, &n.Endpoints.ECRAPI, &n.Endpoints.ECRDKR, &n.Endpoints.Logs,
		&n.Endpoints.SecretsManager, &n.Endpoints.STS, &n.Endpoints.KMS} {
		if *b == nil {
			t := true
			*b = &t
		}
	}
	if cfg.Tags == nil {
		cfg.Tags = map[string]string{}
	}
}
