package standardwebhooks

import "net/netip"

// refusedRanges lists the address blocks a webhook may never reach, each
// with the code that names its class. Order matters only where blocks nest:
// broadcast is listed before the reserved block that contains it.
var refusedRanges = []struct {
	prefix netip.Prefix
	class  Code
}{
	{netip.MustParsePrefix("0.0.0.0/8"), CodeAddrUnspecified}, // "this network"; 0.0.0.0 reaches the local host on Linux
	{netip.MustParsePrefix("127.0.0.0/8"), CodeAddrLoopback},
	{netip.MustParsePrefix("10.0.0.0/8"), CodeAddrPrivate},
	{netip.MustParsePrefix("172.16.0.0/12"), CodeAddrPrivate},
	{netip.MustParsePrefix("192.168.0.0/16"), CodeAddrPrivate},
	{netip.MustParsePrefix("100.64.0.0/10"), CodeAddrCGNAT},
	{netip.MustParsePrefix("169.254.0.0/16"), CodeAddrLinkLocal}, // holds 169.254.169.254, the instance metadata service
	{netip.MustParsePrefix("224.0.0.0/4"), CodeAddrMulticast},
	{netip.MustParsePrefix("255.255.255.255/32"), CodeAddrBroadcast},
	{netip.MustParsePrefix("240.0.0.0/4"), CodeAddrReserved},
	{netip.MustParsePrefix("::/128"), CodeAddrUnspecified},
	{netip.MustParsePrefix("::1/128"), CodeAddrLoopback},
	{netip.MustParsePrefix("fe80::/10"), CodeAddrLinkLocal},
	{netip.MustParsePrefix("fec0::/10"), CodeAddrPrivate}, // deprecated site-local, still routed inside some networks
	{netip.MustParsePrefix("fc00::/7"), CodeAddrUniqueLocal},
	{netip.MustParsePrefix("ff00::/8"), CodeAddrMulticast},
	{netip.MustParsePrefix("64:ff9b:1::/48"), CodeAddrPrivate}, // local-use NAT64 (RFC 8215): a private network's translator
}

// IPv6 blocks that carry an IPv4 address a translator or tunnel will reach.
var (
	ipv4CompatibleRange = netip.MustParsePrefix("::/96")        // deprecated IPv4-compatible ::a.b.c.d
	nat64Range          = netip.MustParsePrefix("64:ff9b::/96") // NAT64 well-known prefix (RFC 6052)
	sixToFourRange      = netip.MustParsePrefix("2002::/16")    // 6to4: the IPv4 address follows the prefix
)

// addressClass returns the code of the refused class addr belongs to, or ""
// when addr is a public address a webhook may reach. IPv6 forms that embed
// an IPv4 address are judged by the address they lead to, since that is
// where the packets go.
func addressClass(addr netip.Addr) Code {
	if !addr.IsValid() {
		return CodeAddrReserved
	}
	// Prefix.Contains never matches a zoned address, so fe80::1%eth0 would
	// pass unless the zone is dropped first.
	addr = addr.WithZone("").Unmap()
	if class := rangeClass(addr); class != "" {
		return class
	}
	embedded, compatible := embeddedIPv4(addr)
	if !embedded.IsValid() {
		return ""
	}
	if class := rangeClass(embedded); class != "" {
		return class
	}
	if compatible {
		return CodeAddrReserved // nothing legitimate uses the deprecated form
	}
	return ""
}

func rangeClass(addr netip.Addr) Code {
	for _, r := range refusedRanges {
		if r.prefix.Contains(addr) {
			return r.class
		}
	}
	return ""
}

// embeddedIPv4 returns the IPv4 address inside an IPv4-compatible, NAT64 or
// 6to4 address (invalid for any other), and whether the form was the
// deprecated IPv4-compatible one.
func embeddedIPv4(addr netip.Addr) (embedded netip.Addr, compatible bool) {
	if !addr.Is6() {
		return netip.Addr{}, false
	}
	b := addr.As16()
	switch {
	case ipv4CompatibleRange.Contains(addr):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case nat64Range.Contains(addr):
		return netip.AddrFrom4([4]byte(b[12:16])), false
	case sixToFourRange.Contains(addr):
		return netip.AddrFrom4([4]byte(b[2:6])), false
	}
	return netip.Addr{}, false
}

// checkAddress refuses addr unless it is public, or loopback while
// allowLoopback is set (local runs against a receiver on the same machine).
func checkAddress(addr netip.Addr, allowLoopback bool) error {
	class := addressClass(addr)
	if class == "" || (class == CodeAddrLoopback && allowLoopback) {
		return nil
	}
	return newError(class, "address "+addr.String()+" is "+classDescription[class]+" and may not receive webhooks")
}

var classDescription = map[Code]string{
	CodeAddrLoopback:    "a loopback address",
	CodeAddrPrivate:     "a private-network address",
	CodeAddrCGNAT:       "a carrier-grade NAT address",
	CodeAddrLinkLocal:   "a link-local address",
	CodeAddrUniqueLocal: "a unique-local address",
	CodeAddrUnspecified: "an unspecified address",
	CodeAddrMulticast:   "a multicast address",
	CodeAddrBroadcast:   "the broadcast address",
	CodeAddrReserved:    "a reserved address",
}
