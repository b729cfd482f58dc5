package config

import (
	"fmt"
)

// Network configures the Network component.
type Network struct {
	// CIDR is the VPC's IPv4 block, e.g. 10.0.0.0/16. Required; a prefix of /16../24.
	CIDR string `json:"cidr"`
	// PeerCIDR is the VPC block of the stack in the other region. When set,
	// the two must not overlap (they are peered or routed during failover).
	// Absent: no check.
	PeerCIDR string `json:"peerCidr,omitempty"`
	// AZCount is how many availability zones the subnets span: 2..6. Absent: 3.
	AZCount int `json:"azCount"`
	// NATGateways is `perAz` (one NAT gateway per AZ, no cross-AZ dependency)
	// or `single`. Absent: perAz in the primary role, single in recovery.
	NATGateways string `json:"natGateways"`
	// Subnets are the prefix lengths of each tier's subnet in every AZ.
	// Absent: /24 public, /19 private, /24 isolated.
	Subnets SubnetMasks `json:"subnets"`
	// FlowLogs configures the VPC flow log (ALL traffic, always on).
	// Absent: kept 365 days.
	FlowLogs FlowLogs `json:"flowLogs"`
	// Endpoints switches the VPC endpoints. Absent: all on.
	Endpoints Endpoints `json:"endpoints"`
}

// SubnetMasks are prefix lengths (16..28) of the per-AZ subnets.
type SubnetMasks struct {
	// Public holds the load balancers and NAT gateways. Absent: 24.
	Public int `json:"public"`
	// Private holds tasks, pods and Lambda ENIs, with egress through NAT. Absent: 19.
	Private int `json:"private"`
	// Isolated holds the databases: no route to the internet. Absent: 24.
	Isolated int `json:"isolated"`
}

// FlowLogs configures VPC flow logs.
type FlowLogs struct {
	// RetentionDays is the CloudWatch Logs retention, one of the values
	// CloudWatch accepts. Absent: 365.
	RetentionDays int `json:"retentionDays"`
}

// Endpoints switches the VPC endpoints. Each absent switch means on.
type Endpoints struct {
	S3             *bool `json:"s3"`             // gateway endpoint (also serves ECR image layers). Absent: true.
	ECRAPI         *bool `json:"ecrApi"`         // com.amazonaws.<region>.ecr.api. Absent: true.
	ECRDKR         *bool `json:"ecrDkr"`         // com.amazonaws.<region>.ecr.dkr. Absent: true.
	Logs           *bool `json:"logs"`           // com.amazonaws.<region>.logs. Absent: true.
	SecretsManager *bool `json:"secretsManager"` // com.amazonaws.<region>.secretsmanager. Absent: true.
	STS            *bool `json:"sts"`            // com.amazonaws.<region>.sts. Absent: true.
	KMS            *bool `json:"kms"`            // com.amazonaws.<region>.kms. Absent: true.
}

// InterfaceEndpoint is one enabled interface endpoint.
type InterfaceEndpoint struct {
	Name    string // logical name: "ecr-api"
	Service string // service suffix: "ecr.api"
}

// Interface lists the enabled interface endpoints in a stable order.
func (e Endpoints) Interface() []InterfaceEndpoint {
	all := []struct {
		on *bool
		ep InterfaceEndpoint
	}{
		{e.ECRAPI, InterfaceEndpoint{"ecr-api", "ecr.api"}},
		{e.ECRDKR, InterfaceEndpoint{"ecr-dkr", "ecr.dkr"}},
		{e.Logs, InterfaceEndpoint{"logs", "logs"}},
		{e.SecretsManager, InterfaceEndpoint{"secretsmanager", "secretsmanager"}},
		{e.STS, InterfaceEndpoint{"sts", "sts"}},
		{e.KMS, InterfaceEndpoint{"kms", "kms"}},
	}
	var out []InterfaceEndpoint
	for _, x := range all {
		if on(x.on) {
			out = append(out, x.ep)
		}
	}
	return out
}

// GatewayS3 reports whether the S3 gateway endpoint is on.
func (e Endpoints) GatewayS3() bool { return on(e.S3) }

func on(b *bool) bool { return b == nil || *b }

// applyDefaults fills every absent network setting; the NAT strategy depends on the role.
func (n *Network) applyDefaults(role Role) {
	if n.AZCount == 0 {
		n.AZCount = DefaultAZCount
	}
	if n.NATGateways == "" {
		n.NATGateways = NATPerAZ
		if role == RoleRecovery {
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
}

// validate records every problem of the network section.
func (n Network) validate(c *collector) {
	vpc, vpcOK := parseCIDR("network.cidr", n.CIDR, true, c)
	if vpcOK {
		switch {
		case vpc.Bits() < 16 || vpc.Bits() > 24:
			c.invalidf("network.cidr", n.CIDR, "use a prefix between /16 and /24", "/%d is outside what a VPC with three subnet tiers can use", vpc.Bits())
		case !isPrivate(vpc):
			c.invalidf("network.cidr", n.CIDR, "use a private range: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10", "%s is not a private address range", n.CIDR)
		}
	}
	if n.PeerCIDR != "" {
		peer, peerOK := parseCIDR("network.peerCidr", n.PeerCIDR, false, c)
		if vpcOK && peerOK && vpc.Overlaps(peer) {
			c.invalidf("network.cidr", n.CIDR, "give each region its own block, e.g. 10.0.0.0/16 (prod) and 10.1.0.0/16 (dr)", "%s overlaps the peer stack's %s", n.CIDR, n.PeerCIDR)
		}
	}
	azOK := n.AZCount >= 2 && n.AZCount <= 6
	if !azOK {
		c.invalidf("network.azCount", n.AZCount, "use 2, 3, 4, 5 or 6", "%d is outside 2..6", n.AZCount)
	}
	if n.NATGateways != NATPerAZ && n.NATGateways != NATSingle {
		c.notSupportedf("network.natGateways", n.NATGateways, "use perAz or single", "unknown NAT strategy %q", n.NATGateways)
	}
	masksOK := true
	for _, m := range []struct {
		key  string
		mask int
	}{{"public", n.Subnets.Public}, {"private", n.Subnets.Private}, {"isolated", n.Subnets.Isolated}} {
		if m.mask < 16 || m.mask > 28 {
			c.invalidf("network.subnets."+m.key, m.mask, "use a prefix length between 16 and 28", "/%d is not a valid subnet size", m.mask)
			masksOK = false
		} else if vpcOK && m.mask < vpc.Bits() {
			c.invalidf("network.subnets."+m.key, m.mask, fmt.Sprintf("use /%d or longer", vpc.Bits()), "a /%d subnet is larger than the /%d VPC", m.mask, vpc.Bits())
			masksOK = false
		}
	}
	if vpcOK && azOK && masksOK {
		if _, err := n.Layout(); err != nil {
			c.invalid("network.subnets", nil, err.Error(), "use a larger network.cidr, smaller subnets or fewer AZs")
		}
	}
	if !IsLogRetention(n.FlowLogs.RetentionDays) {
		c.invalidf("network.flowLogs.retentionDays", n.FlowLogs.RetentionDays, fmt.Sprintf("use one of %v", logRetentionDays), "%d is not a CloudWatch Logs retention", n.FlowLogs.RetentionDays)
	}
}
