package check

import (
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

func live(pub, priv bool, cidrs ...string) *model.Cluster {
	return &model.Cluster{
		Name: "prod", Region: "us-east-1", Account: "111111111111", Source: model.SourceAWS, Status: model.StatusActive,
		EndpointPublicAccess: model.Explicit(pub), EndpointPrivateAccess: model.Explicit(priv),
		PublicAccessCIDRs: model.ExplicitList(cidrs...),
	}
}

func with(c *model.Cluster, f func(*model.Cluster)) *model.Cluster { f(c); return c }

// TestEndpointVerdicts is the verdict table for CIS 5.4.1 (restricted) and 5.4.2 (private only): every
// combination of the three endpoint settings and their origins (docs/benchmark.md), judged by both checks.
func TestEndpointVerdicts(t *testing.T) {
	P, F, U, M := finding.Pass, finding.Fail, finding.Unknown, finding.Manual
	tests := []struct {
		name             string
		cluster          *model.Cluster
		want541, want542 finding.Status
		reason541        string // substring the 5.4.1 reason must contain
		publicEndpoint   string
	}{
		{name: "private only, empty list", cluster: live(false, true), want541: P, want542: P, reason541: "public endpoint is disabled", publicEndpoint: PublicDisabled},
		{name: "private only keeps a stale open list (ignored)", cluster: live(false, true, "0.0.0.0/0"), want541: P, want542: P, publicEndpoint: PublicDisabled},
		{name: "private only keeps a stale unparseable list (ignored)", cluster: live(false, true, "garbage"), want541: P, want542: P, publicEndpoint: PublicDisabled},
		{name: "aws default: public open, private off", cluster: live(true, false, "0.0.0.0/0"), want541: F, want542: F, reason541: "node traffic to the API server leaves the VPC", publicEndpoint: PublicOpen},
		{name: "public open with private on", cluster: live(true, true, "0.0.0.0/0"), want541: F, want542: F, reason541: "open to the internet", publicEndpoint: PublicOpen},
		{name: "ipv6 world", cluster: live(true, true, "::/0"), want541: F, want542: F, reason541: "includes ::/0", publicEndpoint: PublicOpen},
		{name: "ipv6 world spelled ::0/0", cluster: live(true, true, "::0/0"), want541: F, want542: F, publicEndpoint: PublicOpen},
		{name: "ipv4 world in two halves", cluster: live(true, true, "0.0.0.0/1", "128.0.0.0/1"), want541: F, want542: F, reason541: "every IPv4 address", publicEndpoint: PublicOpen},
		{name: "world hidden among narrow blocks", cluster: live(true, true, "10.0.0.0/16", "0.0.0.0/0"), want541: F, want542: F, publicEndpoint: PublicOpen},
		{name: "both worlds", cluster: live(true, true, "0.0.0.0/0", "::/0"), want541: F, want542: F, reason541: "includes 0.0.0.0/0", publicEndpoint: PublicOpen},
		{name: "ipv4-mapped ipv6 world", cluster: live(true, true, "::ffff:0.0.0.0/96"), want541: F, want542: F, publicEndpoint: PublicOpen},
		{name: "empty list with public on is the world", cluster: live(true, true), want541: F, want542: F, reason541: "publicAccessCidrs is empty", publicEndpoint: PublicOpen},
		{name: "empty list on ipv6 cluster is both worlds", cluster: with(live(true, true), func(c *model.Cluster) { c.IPFamily = "ipv6" }), want541: F, want542: F, reason541: "0.0.0.0/0, ::/0", publicEndpoint: PublicOpen},
		{name: "restricted allowlist with private on", cluster: live(true, true, "203.0.113.5/32"), want541: P, want542: F, reason541: "restricted to 1 block (1 IPv4 address)", publicEndpoint: PublicRestricted},
		{name: "restricted half of the internet is still restricted", cluster: live(true, true, "0.0.0.0/1"), want541: P, want542: F, publicEndpoint: PublicRestricted},
		{name: "restricted ipv6 allowlist", cluster: with(live(true, true, "2001:db8::/32"), func(c *model.Cluster) { c.IPFamily = "ipv6" }), want541: P, want542: F, publicEndpoint: PublicRestricted},
		{name: "restricted but private off", cluster: live(true, false, "203.0.113.0/24", "198.51.100.0/24"), want541: F, want542: F, reason541: "node traffic to the API server leaves the VPC", publicEndpoint: PublicRestricted},
		{name: "both endpoints off is impossible", cluster: live(false, false), want541: U, want542: U, reason541: "both endpoints are reported disabled"},
		{name: "both endpoints off in a definition is rejected by EKS", cluster: func() *model.Cluster {
			c := live(false, false)
			c.Source = model.SourceTerraform
			return c
		}(), want541: F, want542: F, reason541: "which EKS rejects when the cluster is created"},
		{name: "public field missing", cluster: with(live(true, true, "0.0.0.0/0"), func(c *model.Cluster) {
			c.EndpointPublicAccess = model.Unknown("missing from the DescribeCluster response")
		}), want541: U, want542: U, reason541: "endpointPublicAccess is unknown (missing"},
		{name: "private field missing with public off: EKS keeps one endpoint on", cluster: with(live(false, true), func(c *model.Cluster) {
			c.EndpointPrivateAccess = model.Unknown("missing from the DescribeCluster response")
		}), want541: P, want542: P, reason541: "EKS keeps at least one endpoint on"},
		{name: "private field missing with public open fails whatever it is", cluster: with(live(true, true, "0.0.0.0/0"), func(c *model.Cluster) {
			c.EndpointPrivateAccess = model.Unknown("missing from the DescribeCluster response")
		}), want541: F, want542: F, reason541: "endpointPrivateAccess is unknown (missing from the DescribeCluster response)"},
		{name: "private field missing with a restricted allowlist", cluster: with(live(true, true, "203.0.113.0/24"), func(c *model.Cluster) {
			c.EndpointPrivateAccess = model.Unknown("var.private has no value")
		}), want541: U, want542: F, reason541: "endpointPrivateAccess is unknown (var.private has no value)"},
		{name: "public field unknown, restricted allowlist, private on passes 5.4.1", cluster: with(live(true, true, "203.0.113.0/24"), func(c *model.Cluster) {
			c.EndpointPublicAccess = model.Unknown("var.public has no value")
		}), want541: P, want542: U, reason541: "whether or not the public endpoint is on"},
		{name: "public field unknown with private off: public must be on", cluster: with(live(true, false, "0.0.0.0/0"), func(c *model.Cluster) {
			c.EndpointPublicAccess = model.Unknown("var.public has no value")
		}), want541: F, want542: F, reason541: "so the public endpoint is on"},
		{name: "unparseable cidr", cluster: live(true, true, "203.0.113.5"), want541: U, want542: U, reason541: `"203.0.113.5"`},
		{name: "unparseable cidr with host list", cluster: live(true, false, "203.0.113.0/24", "any"), want541: U, want542: U, reason541: `"any"`},
		{name: "unresolved allowlist with public on", cluster: with(live(true, true), func(c *model.Cluster) {
			c.PublicAccessCIDRs = model.Strings{Origin: model.OriginUnknown, Detail: "var.cidrs has no value"}
		}), want541: U, want542: F, reason541: "var.cidrs has no value"},
		{name: "unresolved allowlist with public off", cluster: with(live(false, true), func(c *model.Cluster) {
			c.PublicAccessCIDRs = model.Strings{Origin: model.OriginUnknown, Detail: "var.cidrs has no value"}
		}), want541: P, want542: P},
		{name: "creating", cluster: with(live(true, false, "0.0.0.0/0"), func(c *model.Cluster) { c.Status = model.StatusCreating }), want541: U, want542: U, reason541: "CREATING"},
		{name: "pending connector", cluster: with(live(false, false), func(c *model.Cluster) { c.Status = model.StatusPending; c.Connector = true }), want541: U, want542: U, reason541: "PENDING"},
		{name: "connected connector cluster", cluster: with(live(false, false), func(c *model.Cluster) { c.Connector = true }), want541: M, want542: M, reason541: "EKS Connector"},
		{name: "updating is judged on current settings", cluster: with(live(true, false, "0.0.0.0/0"), func(c *model.Cluster) {
			c.Status = model.StatusUpdating
			c.Updates = []model.Update{{ID: "u-1", Type: "EndpointAccessUpdate", Status: "InProgress"}}
		}), want541: F, want542: F, publicEndpoint: PublicOpen, reason541: "while UPDATING (in progress: EndpointAccessUpdate u-1)"},
		{name: "failed is judged", cluster: with(live(false, true), func(c *model.Cluster) { c.Status = model.StatusFailed }), want541: P, want542: P},
		{name: "deleting is judged", cluster: with(live(true, true, "0.0.0.0/0"), func(c *model.Cluster) { c.Status = model.StatusDeleting }), want541: F, want542: F},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := EndpointRestricted.Evaluate(tt.cluster)
			p := EndpointPrivate.Evaluate(tt.cluster)
			if r.Status != tt.want541 {
				t.Errorf("5.4.1 = %s (%s), want %s", r.Status, r.Reason, tt.want541)
			}
			if p.Status != tt.want542 {
				t.Errorf("5.4.2 = %s (%s), want %s", p.Status, p.Reason, tt.want542)
			}
			if !strings.Contains(r.Reason, tt.reason541) {
				t.Errorf("5.4.1 reason %q does not contain %q", r.Reason, tt.reason541)
			}
			for _, o := range []Outcome{r, p} {
				if o.Reason == "" {
					t.Error("empty reason")
				}
				if (o.Status == finding.Fail) != (o.Remediation != "") {
					t.Errorf("%s with remediation %q", o.Status, o.Remediation)
				}
				ev, ok := o.Evidence.(*EndpointEvidence)
				if !ok {
					t.Fatalf("evidence is %T", o.Evidence)
				}
				if tt.publicEndpoint != "" && ev.PublicEndpoint != tt.publicEndpoint {
					t.Errorf("publicEndpoint = %s, want %s", ev.PublicEndpoint, tt.publicEndpoint)
				}
				if ev.Status != tt.cluster.Status {
					t.Errorf("evidence status = %q", ev.Status)
				}
			}
		})
	}
}

func TestEndpointEvidenceCounts(t *testing.T) {
	tests := []struct {
		name string
		c    *model.Cluster
		v4   uint64
		v6   string
	}{
		{"disabled admits nobody", live(false, true, "0.0.0.0/0"), 0, "0"},
		{"overlaps merged", live(true, true, "203.0.113.0/24", "203.0.113.0/25", "198.51.100.7/32"), 257, "0"},
		{"world", live(true, true, "0.0.0.0/0"), 1 << 32, "0"},
		{"dual", live(true, true, "2001:db8::/120", "203.0.113.0/30"), 4, "256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := EndpointRestricted.Evaluate(tt.c).Evidence.(*EndpointEvidence)
			if ev.AdmittedIPv4Addresses == nil || *ev.AdmittedIPv4Addresses != tt.v4 {
				t.Errorf("v4 = %v, want %d", ev.AdmittedIPv4Addresses, tt.v4)
			}
			if ev.AdmittedIPv6Addresses == nil || *ev.AdmittedIPv6Addresses != tt.v6 {
				t.Errorf("v6 = %v, want %s", ev.AdmittedIPv6Addresses, tt.v6)
			}
		})
	}
}

func TestRemediationCommands(t *testing.T) {
	tests := []struct {
		name string
		c    *model.Cluster
		chk  *Check
		want string
	}{
		{"open cluster goes private", live(true, true, "0.0.0.0/0"), EndpointRestricted,
			"aws eks update-cluster-config --region us-east-1 --name prod --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=false"},
		{"restricted cluster only needs private on", live(true, false, "203.0.113.0/24"), EndpointRestricted,
			"aws eks update-cluster-config --region us-east-1 --name prod --resources-vpc-config endpointPrivateAccess=true"},
		{"5.4.2 is the benchmark command", live(true, true, "203.0.113.0/24"), EndpointPrivate,
			"aws eks update-cluster-config --region us-east-1 --name prod --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=false"},
		{"iac gets words, not a CLI command", with(live(true, true, "0.0.0.0/0"), func(c *model.Cluster) { c.Source = model.SourceTerraform }), EndpointPrivate,
			"set endpointPrivateAccess=true and endpointPublicAccess=false in the cluster definition"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.chk.Evaluate(tt.c).Remediation; got != tt.want {
				t.Errorf("remediation\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestIaCLocations(t *testing.T) {
	pubLoc := &model.Location{File: "main.tf", Line: 7}
	resLoc := &model.Location{File: "main.tf", Line: 3}
	c := live(true, false, "0.0.0.0/0")
	c.Source, c.Loc = model.SourceTerraform, resLoc
	c.EndpointPublicAccess.Loc = pubLoc
	c.PublicAccessCIDRs = model.Strings{Values: []string{"0.0.0.0/0"}, Origin: model.OriginDefault}
	c.EndpointPrivateAccess = model.Default(false, "AWS default")
	if got := EndpointPrivate.Evaluate(c).Location; got != pubLoc {
		t.Errorf("5.4.2 location = %v, want the public attribute", got)
	}
	c.EndpointPublicAccess = model.Default(true, "AWS default")
	if got := EndpointRestricted.Evaluate(c).Location; got != resLoc {
		t.Errorf("5.4.1 location = %v, want the resource when defaults decided", got)
	}
}
