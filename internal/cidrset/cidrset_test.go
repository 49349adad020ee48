package cidrset

import (
	"errors"
	"net/netip"
	"testing"
)

func TestParseCoverage(t *testing.T) {
	tests := []struct {
		name       string
		blocks     []string
		open       bool
		all4, all6 bool
		v4         uint64
		v6         string
	}{
		{name: "ipv4 world", blocks: []string{"0.0.0.0/0"}, open: true, all4: true, v4: 1 << 32, v6: "0"},
		{name: "ipv6 world", blocks: []string{"::/0"}, open: true, all6: true, v4: 0, v6: "340282366920938463463374607431768211456"},
		{name: "ipv6 world spelled ::0/0", blocks: []string{"::0/0"}, open: true, all6: true, v6: "340282366920938463463374607431768211456"},
		{name: "two halves make the world", blocks: []string{"0.0.0.0/1", "128.0.0.0/1"}, open: true, all4: true, v4: 1 << 32, v6: "0"},
		{name: "halves in reverse order", blocks: []string{"128.0.0.0/1", "0.0.0.0/1"}, open: true, all4: true, v4: 1 << 32, v6: "0"},
		{name: "one half is not the world", blocks: []string{"0.0.0.0/1"}, v4: 1 << 31, v6: "0"},
		{name: "world hidden among narrow blocks", blocks: []string{"10.0.0.0/16", "0.0.0.0/0"}, open: true, all4: true, v4: 1 << 32, v6: "0"},
		{name: "single host", blocks: []string{"203.0.113.5/32"}, v4: 1, v6: "0"},
		{name: "overlaps merged", blocks: []string{"203.0.113.0/24", "203.0.113.128/25", "203.0.113.5/32"}, v4: 256, v6: "0"},
		{name: "adjacent blocks merged", blocks: []string{"203.0.113.0/25", "203.0.113.128/25"}, v4: 256, v6: "0"},
		{name: "host bits are masked", blocks: []string{"203.0.113.77/24"}, v4: 256, v6: "0"},
		{name: "ipv4-mapped world is the ipv4 world", blocks: []string{"::ffff:0.0.0.0/96"}, open: true, all4: true, v4: 1 << 32, v6: "0"},
		{name: "ipv6 halves", blocks: []string{"::/1", "8000::/1"}, open: true, all6: true, v6: "340282366920938463463374607431768211456"},
		{name: "mixed families narrow", blocks: []string{"198.51.100.0/24", "2001:db8::/64"}, v4: 256, v6: "18446744073709551616"},
		{name: "empty", blocks: nil, v4: 0, v6: "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.blocks)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := s.Open(); got != tt.open {
				t.Errorf("Open = %v, want %v", got, tt.open)
			}
			if got := s.CoversAllIPv4(); got != tt.all4 {
				t.Errorf("CoversAllIPv4 = %v, want %v", got, tt.all4)
			}
			if got := s.CoversAllIPv6(); got != tt.all6 {
				t.Errorf("CoversAllIPv6 = %v, want %v", got, tt.all6)
			}
			if got := s.IPv4Count(); got != tt.v4 {
				t.Errorf("IPv4Count = %d, want %d", got, tt.v4)
			}
			if got := s.IPv6Count().String(); got != tt.v6 {
				t.Errorf("IPv6Count = %s, want %s", got, tt.v6)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	for _, bad := range []string{"", "0.0.0.0", " 0.0.0.0/0", "0.0.0.0/0 ", "1.2.3.4/33", "300.0.0.0/8", "01.2.3.4/32", "fe80::1%eth0/64", "any", "0.0.0.0/0,1.2.3.4/32"} {
		t.Run(bad, func(t *testing.T) {
			_, err := Parse([]string{"203.0.113.0/24", bad})
			var pe *ParseError
			if !errors.As(err, &pe) || len(pe.Invalid) != 1 || pe.Invalid[0] != bad {
				t.Fatalf("Parse(%q) err = %v, want ParseError naming it", bad, err)
			}
		})
	}
}

func TestContains(t *testing.T) {
	s, err := Parse([]string{"203.0.113.0/24", "2001:db8::/32"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr string
		want bool
	}{
		{"203.0.113.9", true}, {"203.0.114.1", false}, {"2001:db8::1", true}, {"2001:db9::1", false}, {"::ffff:203.0.113.9", true},
	}
	for _, tt := range tests {
		if got := s.Contains(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("Contains(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	if !s.ContainsPrefix(netip.MustParsePrefix("203.0.113.128/25")) || s.ContainsPrefix(netip.MustParsePrefix("203.0.112.0/23")) {
		t.Error("ContainsPrefix wrong")
	}
}
