package probe

import (
	"fmt"
	"net/netip"
	"strings"
)

// Class says where an address lives, which is what decides who else can reach it.
type Class string

const (
	// Public is reachable from the internet: the exposure the public endpoint flag creates.
	Public Class = "public"
	// Private is RFC 1918, RFC 6598 shared space (100.64.0.0/10), unique-local fc00::/7 and
	// link-local: reachable only from networks routed to the VPC.
	Private Class = "private"
	// Other is neither: loopback, unspecified, documentation, multicast, reserved. A real EKS
	// endpoint never resolves there, so it points at a hosts file, a proxy or a test.
	Other Class = "other"
)

// EnvTreatAsPublic names blocks whose addresses count as public. It exists for tests, which can
// only listen on loopback but need to exercise the public path.
const EnvTreatAsPublic = "EKSGUARD_PROBE_TREAT_AS_PUBLIC"

// special are blocks that are globally routable by the netip predicates yet not on the internet.
var special = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("3fff::/20"),       // documentation (RFC 9637)
}

var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// Classify places a. Blocks in treatAsPublic win over everything else, so tests on 127.0.0.1 can
// stand in for a public endpoint.
func Classify(a netip.Addr, treatAsPublic []netip.Prefix) Class {
	a = a.Unmap()
	for _, p := range treatAsPublic {
		if p.Contains(a) {
			return Public
		}
	}
	switch {
	case !a.IsValid():
		return Other
	case a.IsPrivate(), sharedSpace.Contains(a), a.IsLinkLocalUnicast():
		return Private
	case !a.IsGlobalUnicast():
		return Other
	}
	for _, p := range special {
		if p.Contains(a) {
			return Other
		}
	}
	return Public
}

// PublicFromEnv parses EnvTreatAsPublic: comma-separated CIDR blocks. Unset or empty is none.
func PublicFromEnv(getenv func(string) string) ([]netip.Prefix, error) {
	v := strings.TrimSpace(getenv(EnvTreatAsPublic))
	if v == "" {
		return nil, nil
	}
	var out []netip.Prefix
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a CIDR block", EnvTreatAsPublic, s)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
