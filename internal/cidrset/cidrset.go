// Package cidrset answers what an endpoint allowlist actually admits: it merges overlapping blocks and
// counts addresses per family, so that "0.0.0.0/1 plus 128.0.0.0/1" is recognised as the whole internet
// just like "0.0.0.0/0". Exact-string matching is what peers get wrong; this package never does it.
package cidrset

import (
	"fmt"
	"math/big"
	"net/netip"
	"sort"
	"strings"
)

// Set is the union of a list of CIDR blocks.
type Set struct {
	v4, v6 []span
}

// span is an inclusive address range within one family.
type span struct{ lo, hi *big.Int }

var (
	v4Total = new(big.Int).Lsh(big.NewInt(1), 32)
	v6Total = new(big.Int).Lsh(big.NewInt(1), 128)
)

// ParseError names the entries that are not CIDR blocks.
type ParseError struct{ Invalid []string }

func (e *ParseError) Error() string {
	return fmt.Sprintf("not a CIDR block: %s", strings.Join(quoteAll(e.Invalid), ", "))
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// ParsePrefix parses one block strictly: no surrounding spaces, no zones, a prefix length required.
// IPv4-mapped IPv6 blocks (::ffff:0:0/96 and longer) are read as the IPv4 blocks they denote, since
// that is the traffic they would admit.
func ParsePrefix(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p, nil
}

// Parse builds the union of blocks. Host bits are ignored (the block is masked), as EKS does when it
// matches clients. Any entry that does not parse makes the whole set unusable: a partial allowlist
// must never be judged.
func Parse(blocks []string) (*Set, error) {
	var bad []string
	s := &Set{}
	for _, b := range blocks {
		p, err := ParsePrefix(b)
		if err != nil {
			bad = append(bad, b)
			continue
		}
		p = p.Masked()
		sp := span{lo: addrInt(p.Addr()), hi: lastInt(p)}
		if p.Addr().Is4() {
			s.v4 = append(s.v4, sp)
		} else {
			s.v6 = append(s.v6, sp)
		}
	}
	if len(bad) > 0 {
		return nil, &ParseError{Invalid: bad}
	}
	s.v4 = merge(s.v4)
	s.v6 = merge(s.v6)
	return s, nil
}

func addrInt(a netip.Addr) *big.Int {
	b := a.AsSlice()
	return new(big.Int).SetBytes(b)
}

func lastInt(p netip.Prefix) *big.Int {
	width := 128
	if p.Addr().Is4() {
		width = 32
	}
	host := new(big.Int).Lsh(big.NewInt(1), uint(width-p.Bits()))
	host.Sub(host, big.NewInt(1))
	return host.Or(host, addrInt(p.Addr()))
}

// merge sorts spans and joins those that overlap or touch.
func merge(in []span) []span {
	if len(in) == 0 {
		return nil
	}
	sort.Slice(in, func(i, j int) bool { return in[i].lo.Cmp(in[j].lo) < 0 })
	out := []span{{lo: in[0].lo, hi: in[0].hi}}
	one := big.NewInt(1)
	for _, sp := range in[1:] {
		last := &out[len(out)-1]
		next := new(big.Int).Add(last.hi, one)
		if sp.lo.Cmp(next) <= 0 {
			if sp.hi.Cmp(last.hi) > 0 {
				last.hi = sp.hi
			}
			continue
		}
		out = append(out, span{lo: sp.lo, hi: sp.hi})
	}
	return out
}

func count(spans []span) *big.Int {
	n := new(big.Int)
	one := big.NewInt(1)
	for _, sp := range spans {
		n.Add(n, new(big.Int).Add(new(big.Int).Sub(sp.hi, sp.lo), one))
	}
	return n
}

// IPv4Count is how many IPv4 addresses the set admits.
func (s *Set) IPv4Count() uint64 { return count(s.v4).Uint64() }

// IPv6Count is how many IPv6 addresses the set admits, as an exact decimal (it can reach 2^128).
func (s *Set) IPv6Count() *big.Int { return count(s.v6) }

// CoversAllIPv4 reports whether the union is the whole IPv4 space.
func (s *Set) CoversAllIPv4() bool { return count(s.v4).Cmp(v4Total) == 0 }

// CoversAllIPv6 reports whether the union is the whole IPv6 space.
func (s *Set) CoversAllIPv6() bool { return count(s.v6).Cmp(v6Total) == 0 }

// Open reports whether the set admits the whole internet in either family.
func (s *Set) Open() bool { return s.CoversAllIPv4() || s.CoversAllIPv6() }

// Contains reports whether the address is admitted.
func (s *Set) Contains(a netip.Addr) bool {
	a = a.Unmap()
	spans := s.v6
	if a.Is4() {
		spans = s.v4
	}
	n := addrInt(a)
	for _, sp := range spans {
		if sp.lo.Cmp(n) <= 0 && n.Cmp(sp.hi) <= 0 {
			return true
		}
	}
	return false
}

// ContainsPrefix reports whether every address of p is admitted.
func (s *Set) ContainsPrefix(p netip.Prefix) bool {
	p = p.Masked()
	spans := s.v6
	if p.Addr().Is4() {
		spans = s.v4
	}
	lo, hi := addrInt(p.Addr()), lastInt(p)
	for _, sp := range spans {
		if sp.lo.Cmp(lo) <= 0 && hi.Cmp(sp.hi) <= 0 {
			return true
		}
	}
	return false
}
