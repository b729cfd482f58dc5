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

	DefaultSecretRecoveryDays  = 30
	DefaultSecretLength        = 64
	DefaultBackupRetentionDays = 30            // Dhanam "Backup and Recovery"
	DefaultBackupWindow        = "03:00-04:00" // Dhanam "Backup and Recovery", UTC
	DefaultMaintenanceWindow   = "sun:05:00-sun:06:00"
)

func (cfg *Config) applyDefaults() {
	cfg.Network.applyDefaults(cfg.Role)
	defBool(&cfg.Protect, true)
	cfg.Secrets.applyDefaults()
	cfg.Data.applyDefaults(cfg.Project)
	if cfg.DRRegion != "" && cfg.Role == RolePrimary {
		if cfg.Secrets.ReplicaRegions == nil {
			cfg.Secrets.ReplicaRegions = []string{cfg.DRRegion}
		}
		def(&cfg.Monitoring.Backup.CopyToRegion, cfg.DRRegion)
	}
	cfg.Monitoring.applyDefaults()
	cfg.DR.applyDefaults()
	cfg.Security.applyDefaults(cfg.Project)
	if cfg.Fleet != nil {
		cfg.Fleet.applyDefaults(cfg.Project)
	}
	if cfg.Serverless != nil {
		cfg.Serverless.applyDefaults(cfg.Domain)
	}
	if cfg.Frontend != nil {
		cfg.Frontend.applyDefaults(cfg.Domain)
	}
	if cfg.Auth != nil {
		cfg.Auth.applyDefaults(cfg.Domain)
	}
	if cfg.Tags == nil {
		cfg.Tags = map[string]string{}
	}
}
