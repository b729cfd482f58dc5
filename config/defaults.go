package config

// Default values, all in one place. Each is documented on its field; each
// section applies its own in applyDefaults, called from Config.applyDefaults.
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
	cfg.Network.applyDefaults(cfg.Role)
	if cfg.Tags == nil {
		cfg.Tags = map[string]string{}
	}
}
