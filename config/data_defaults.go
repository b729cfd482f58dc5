package config

import (
	"strings"
)

func (d *Data) applyDefaults(project string) {
	if p := d.Postgres; p != nil {
		def(&p.InstanceClass, "db.r6g.large")
		def(&p.EngineVersion, DefaultPostgresVersion)
		defInt(&p.AllocatedStorage, 100)
		defInt(&p.MaxAllocatedStorage, 5*p.AllocatedStorage)
		defBool(&p.MultiAZ, true)
		def(&p.DatabaseName, strings.ReplaceAll(project, "-", "_"))
		def(&p.Username, strings.ReplaceAll(project, "-", "_")+"_admin")
		defInt(&p.BackupRetentionDays, DefaultBackupRetentionDays)
		def(&p.BackupWindow, DefaultBackupWindow)
		def(&p.MaintenanceWindow, DefaultMaintenanceWindow)
		defInt(&p.PerformanceInsightsRetentionDays, 7)
		defInt(&p.MonitoringInterval, 60)
		params := map[string]string{
			"max_connections":      "100",    // Dhanam "Database Optimization"
			"shared_buffers":       "32768",  // 256 MB in 8 kB pages
			"effective_cache_size": "131072", // 1 GB in 8 kB pages
			"work_mem":             "4096",   // 4 MB in kB
			"rds.force_ssl":        "1",
		}
		for k, v := range p.Parameters {
			params[k] = v
		}
		p.Parameters = params
	}
	if d := d.DocumentDB; d != nil {
		def(&d.InstanceClass, "db.r6g.large")
		defInt(&d.Instances, 3)
		def(&d.EngineVersion, DefaultDocumentDBVersion)
		def(&d.Username, strings.ReplaceAll(project, "-", "_")+"_admin")
		defInt(&d.BackupRetentionDays, DefaultBackupRetentionDays)
		def(&d.BackupWindow, DefaultBackupWindow)
		def(&d.MaintenanceWindow, DefaultMaintenanceWindow)
	}
	if r := d.Redis; r != nil {
		def(&r.NodeType, "cache.r6g.large")
		defInt(&r.Replicas, 1)
		def(&r.EngineVersion, DefaultRedisVersion)
		defInt(&r.SnapshotRetentionDays, 7)
		def(&r.SnapshotWindow, "04:00-05:00")
		def(&r.MaintenanceWindow, "sun:06:00-sun:07:00")
		def(&r.Purpose, "cache")
	}
	if m := d.Memcached; m != nil {
		def(&m.NodeType, "cache.t4g.medium")
		defInt(&m.Nodes, 2)
	}
	if o := d.OpenSearch; o != nil {
		def(&o.EngineVersion, DefaultOpenSearchVersion)
		def(&o.InstanceType, "r6g.large.search")
		defInt(&o.InstanceCount, 3)
		defBool(&o.DedicatedMasters, true)
		def(&o.MasterType, "m6g.large.search")
		defInt(&o.VolumeSize, 100)
	}
	d.applyMessagingDefaults(project)
	d.applyStoreDefaults(project)
}

func def(s *string, v string) {
	if *s == "" {
		*s = v
	}
}

func defInt(i *int, v int) {
	if *i == 0 {
		*i = v
	}
}

func defBool(b **bool, v bool) {
	if *b == nil {
		*b = &v
	}
}
