package remediate

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/eksguard/eksguard/internal/cidrset"
)

// MaxPublicAccessCIDRs is EKS's fixed quota of allowlist entries per cluster.
const MaxPublicAccessCIDRs = 40

// ipv6PublicCIDRsSince is when EKS started accepting IPv6 allowlist entries on IPv6 clusters; older
// IPv6 clusters resolve to IPv4 only.
var ipv6PublicCIDRsSince = time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)

// notPublic are blocks that are never the source address of an internet client, so an allowlist entry
// inside them admits nobody on the public endpoint and is a mistake (private networks reach the API
// through the private endpoint instead).
var notPublic = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "\"this network\" (RFC 1122)"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private (RFC 1918)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT (RFC 6598)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private (RFC 1918)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private (RFC 1918)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking (RFC 2544)"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("::ffff:0:0/96"), "IPv4-mapped"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64"},
	{netip.MustParsePrefix("100::/64"), "discard-only"},
	{netip.MustParsePrefix("fc00::/7"), "unique local"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// ParseStrictPrefix parses a CIDR block and refuses host bits, so that a typo such as 203.0.113.7/24
// is caught instead of silently widened.
func ParseStrictPrefix(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a CIDR block", s)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("%q has host bits set; the block is %s", s, p.Masked())
	}
	return p, nil
}

// ValidateAllowlist checks a target allowlist (RC-5) and returns every problem found.
func ValidateAllowlist(cidrs []string, ipFamily string, createdAt *time.Time) []string {
	var problems []string
	if len(cidrs) == 0 {
		return []string{"the allowlist is empty, and EKS reads an empty list as the whole internet"}
	}
	if len(cidrs) > MaxPublicAccessCIDRs {
		problems = append(problems, fmt.Sprintf("%d blocks exceed EKS's fixed limit of %d per cluster", len(cidrs), MaxPublicAccessCIDRs))
	}
	ipv6OK := strings.EqualFold(ipFamily, "ipv6") && (createdAt == nil || !createdAt.Before(ipv6PublicCIDRsSince))
	seen := map[netip.Prefix]bool{}
	for _, c := range cidrs {
		p, err := ParseStrictPrefix(c)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if seen[p] {
			problems = append(problems, fmt.Sprintf("%s is listed twice", c))
		}
		seen[p] = true
		if p.Addr().Is6() && !ipv6OK {
			if strings.EqualFold(ipFamily, "ipv6") {
				problems = append(problems, fmt.Sprintf("%s is IPv6, and this IPv6 cluster was created before October 2024, so EKS accepts only IPv4 blocks", c))
			} else {
				problems = append(problems, fmt.Sprintf("%s is IPv6, and the cluster's ipFamily is %s: its public endpoint is IPv4 only", c, nonEmpty(ipFamily, "ipv4")))
			}
		}
		for _, np := range notPublic {
			if np.prefix.Overlaps(p) {
				problems = append(problems, fmt.Sprintf("%s overlaps %s, a %s block that no internet client comes from", c, np.prefix, np.what))
				break
			}
		}
	}
	if set, err := cidrset.Parse(cidrs); err == nil && set.Open() {
		problems = append(problems, "the blocks together admit the whole internet, which is no restriction")
	}
	return problems
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
