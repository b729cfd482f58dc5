package config

// Bucket is one S3 bucket of the data layer.
type Bucket struct {
	// CorsOrigins may upload from the browser. Absent: https://app.<domain>.
	CorsOrigins []string `json:"corsOrigins"`
	// NoncurrentVersionDays before old object versions expire. Absent: 90.
	NoncurrentVersionDays int `json:"noncurrentVersionDays"`
}

// Bus is the EventBridge bus.
type Bus struct {
	// Name of the bus, fixed by the seed: dbay-events. Required.
	Name string `json:"name"`
	// ArchiveRetentionDays of the replay archive: 0 (forever) or 1..3650. Absent: 30.
	ArchiveRetentionDays int `json:"archiveRetentionDays"`
}

// Queue is an SQS queue fed by the bus.
type Queue struct {
	// MaxReceiveCount before a message moves to the DLQ: 3..10. Absent: 5.
	MaxReceiveCount int `json:"maxReceiveCount"`
}

// SES is the sending identity.
type SES struct {
	// FromAddress is SES_FROM_EMAIL. Absent: noreply@<domain>.
	FromAddress string `json:"fromAddress"`
}

func (d *Data) applyMessagingDefaults(project string) {
	for name, b := range d.Buckets {
		defInt(&b.NoncurrentVersionDays, 90)
		d.Buckets[name] = b
	}
	if d.Bus != nil {
		defInt(&d.Bus.ArchiveRetentionDays, 30)
	}
	for name, q := range d.Queues {
		defInt(&q.MaxReceiveCount, 5)
		d.Queues[name] = q
	}
}

func (d Data) validateMessaging(c *collector) {
	for _, name := range sortedMapKeys(d.Queues) {
		checkRange(c, "data.queues."+name+".maxReceiveCount", d.Queues[name].MaxReceiveCount, 3, 10, "receives")
	}
	if d.Bus != nil && d.Bus.Name == "" {
		c.add("data.bus.name", "is required", "name the bus, e.g. dbay-events")
	}
}
