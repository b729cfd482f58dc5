package config

import (
	"fmt"
	"net/netip"
	"sort"
)

// Tier is a subnet tier.
type Tier string

const (
	TierPublic   Tier = "public"
	TierPrivate  Tier = "private"
	TierIsolated Tier = "isolated"
)

// SubnetLayout is the explicit CIDR of every subnet: for each tier, one
// block per AZ, in AZ order.
type SubnetLayout map[Tier][]string

// Layout computes the subnet CIDRs for the VPC block: the tiers are packed
// from the start of the block, largest blocks first (so every block is
// naturally aligned), private before public before isolated at equal size.
// It fails when the blocks do not fit in the VPC.
//
// The layout depends on cidr, azCount and the masks only: the same config
// always gives the same subnets, so a tag or endpoint change never replaces
// a subnet. Changing azCount or a mask re-plans the layout (docs/configuration.md "Configuration reference", the subnet rows).
func (n Network) Layout() (SubnetLayout, error) {
	vpc, err := netip.ParsePrefix(n.CIDR)
	if err != nil {
		return nil, err
	}
	tiers := []struct {
		tier Tier
		mask int
	}{{TierPrivate, n.Subnets.Private}, {TierPublic, n.Subnets.Public}, {TierIsolated, n.Subnets.Isolated}}
	sort.SliceStable(tiers, func(i, j int) bool { return tiers[i].mask < tiers[j].mask })

	size := func(mask int) uint64 { return 1 << (32 - mask) }
	start := addrToUint(vpc.Masked().Addr())
	end := start + size(vpc.Bits())
	next := start
	out := SubnetLayout{}
	for _, t := range tiers {
		if t.mask < vpc.Bits() || t.mask > 28 {
			return nil, fmt.Errorf("a /%d %s subnet cannot be cut from a /%d VPC", t.mask, t.tier, vpc.Bits())
		}
		for az := 0; az < n.AZCount; az++ {
			if next+size(t.mask) > end {
				return nil, fmt.Errorf("%d AZs of /%d private, /%d public and /%d isolated subnets need %d addresses, but %s holds %d",
					n.AZCount, n.Subnets.Private, n.Subnets.Public, n.Subnets.Isolated, n.addressesNeeded(), n.CIDR, size(vpc.Bits()))
			}
			p := netip.PrefixFrom(uintToAddr(next), t.mask)
			out[t.tier] = append(out[t.tier], p.String())
			next += size(t.mask)
		}
	}
	return out, nil
}

func (n Network) addressesNeeded() uint64 {
	var total uint64
	for _, m := range []int{n.Subnets.Private, n.Subnets.Public, n.Subnets.Isolated} {
		total += uint64(n.AZCount) << (32 - m)
	}
	return total
}

func addrToUint(a netip.Addr) uint64 {
	b := a.As4()
	return uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
}

func uintToAddr(u uint64) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)})
}
