// Package remediate changes a live cluster's endpoint settings the way a careful operator would: it
// plans first (current state, target, safety checks with evidence, the exact calls), refuses when a
// check fails, and when told to apply, records a rollback target, phases the change, waits on the
// real update, verifies, and rolls back on failure. The numbered safety rules RC-1 to RC-20 of
// docs/remediation-safety.md are the specification; comments cite them.
package remediate

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// Settings are the three endpoint fields.
type Settings struct {
	Public  bool     `json:"endpointPublicAccess"`
	Private bool     `json:"endpointPrivateAccess"`
	CIDRs   []string `json:"publicAccessCidrs"`
}

// Equal compares settings the way EKS does (RC-3): CIDRs as sets, and not at all when the public
// endpoint is off.
func (s Settings) Equal(o Settings) bool {
	if s.Public != o.Public || s.Private != o.Private {
		return false
	}
	if !s.Public {
		return true
	}
	return sameSet(s.CIDRs, o.CIDRs)
}

func sameSet(a, b []string) bool {
	as, bs := sorted(canonicalCIDRs(a)), sorted(canonicalCIDRs(b))
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		if as[i] != bs[i] {
			return false
		}
	}
	return true
}

func sorted(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// canonicalCIDRs writes each block the one way netip does (masked, lower-case, compressed IPv6), so
// that 2001:DB8::/32 and 2001:db8::/32 compare equal; an entry that does not parse is kept as it is.
func canonicalCIDRs(in []string) []string {
	out := make([]string, len(in))
	for i, c := range in {
		if p, err := netip.ParsePrefix(c); err == nil {
			out[i] = p.Masked().String()
		} else {
			out[i] = c
		}
	}
	return out
}

// String is the settings in the aws CLI's shorthand.
func (s Settings) String() string {
	out := fmt.Sprintf("endpointPublicAccess=%t,endpointPrivateAccess=%t", s.Public, s.Private)
	if s.Public {
		out += ",publicAccessCidrs=" + strings.Join(s.CIDRs, ",")
	}
	return out
}

// Request is what one UpdateClusterConfig sends: endpoint fields only (RC-4), each nil when left to
// EKS's merge with the current value (TD-13).
type Request struct {
	Public  *bool    `json:"endpointPublicAccess,omitempty"`
	Private *bool    `json:"endpointPrivateAccess,omitempty"`
	CIDRs   []string `json:"publicAccessCidrs,omitempty"`
}

// Apply merges the request into settings as EKS does.
func (r Request) Apply(s Settings) Settings {
	out := Settings{Public: s.Public, Private: s.Private, CIDRs: s.CIDRs}
	if r.Public != nil {
		out.Public = *r.Public
	}
	if r.Private != nil {
		out.Private = *r.Private
	}
	if r.CIDRs != nil && out.Public {
		out.CIDRs = r.CIDRs
	}
	return out
}

// CLI is the request as an aws CLI --resources-vpc-config value.
func (r Request) CLI() string {
	var parts []string
	if r.Private != nil {
		parts = append(parts, fmt.Sprintf("endpointPrivateAccess=%t", *r.Private))
	}
	if r.Public != nil {
		parts = append(parts, fmt.Sprintf("endpointPublicAccess=%t", *r.Public))
	}
	if r.CIDRs != nil {
		parts = append(parts, "publicAccessCidrs="+strings.Join(r.CIDRs, ","))
	}
	return strings.Join(parts, ",")
}

// requestTo is the request that takes a cluster to s, never sending CIDRs when the public endpoint
// ends up off (RC-5: they would be ignored and mislead later readers).
func requestTo(s Settings) Request {
	r := Request{Public: ptr(s.Public), Private: ptr(s.Private)}
	if s.Public {
		r.CIDRs = append([]string{}, s.CIDRs...)
	}
	return r
}

func ptr[T any](v T) *T { return &v }
