package benchmark

import (
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

func TestDataIsConsistent(t *testing.T) {
	b := Default()
	if b.ID != "cis-eks" || b.Version != "1.8.0" || len(b.Controls) != 50 {
		t.Fatalf("benchmark %s %s with %d controls", b.ID, b.Version, len(b.Controls))
	}
	var ids []string
	for _, c := range b.Evaluated() {
		ids = append(ids, c.ID+"="+strings.Join(c.Checks, ","))
	}
	if got := strings.Join(ids, " "); got != "5.4.1=eks-endpoint-restricted 5.4.2=eks-endpoint-private" {
		t.Errorf("evaluated controls: %s", got)
	}
	if _, err := parse([]byte("id: x\ncontrols:\n  - {id: \"1\", checks: [no-such-check]}\n")); err == nil || !strings.Contains(err.Error(), "unknown check") {
		t.Errorf("unknown check accepted: %v", err)
	}
	if _, err := parse([]byte("id: x\ncontrols:\n  - {id: \"1\"}\n  - {id: \"1\"}\n")); err == nil || !strings.Contains(err.Error(), "duplicate control") {
		t.Errorf("duplicate control accepted: %v", err)
	}
	if _, err := parse([]byte("id: x\nbogus: 1\n")); err == nil {
		t.Error("unknown field accepted")
	}
}

// TestWorstOutcomeWins: a control with several checks never passes while one of them does not.
func TestWorstOutcomeWins(t *testing.T) {
	b := &Benchmark{ID: "t", Version: "1", Controls: []Control{{ID: "9.9", Title: "both", Checks: []string{"eks-endpoint-restricted", "eks-endpoint-private"}}}}
	c := &model.Cluster{Name: "x", Source: model.SourceAWS, Status: "ACTIVE", EndpointPublicAccess: model.Explicit(true),
		EndpointPrivateAccess: model.Explicit(true), PublicAccessCIDRs: model.ExplicitList("203.0.113.0/24")}
	res := b.EvaluateCluster(c)
	if len(res) != 1 || res[0].Status != finding.Fail || res[0].CheckID != "eks-endpoint-private" {
		t.Fatalf("restricted cluster under both checks: %+v", res)
	}
	c.EndpointPrivateAccess = model.Unknown("missing")
	if res := b.EvaluateCluster(c); res[0].Status != finding.Unknown {
		t.Errorf("unknown + unknown = %s", res[0].Status)
	}
}

func TestErrorResults(t *testing.T) {
	b := Default()
	tests := []struct {
		name     string
		err      model.Error
		resource finding.Resource
		reason   string
	}{
		{"region", model.Error{Account: "1", Region: "eu-west-1", Operation: "eks:ListClusters", Message: "boom"},
			finding.Resource{Type: finding.ResourceRegion, Name: "eu-west-1", Region: "eu-west-1", Account: "1"}, "eks:ListClusters failed: boom"},
		{"account", model.Error{Account: "2", Operation: "sts:AssumeRole", Message: "no", AccessDenied: true},
			finding.Resource{Type: finding.ResourceAccount, Name: "2", Account: "2"}, "access denied: the caller needs sts:AssumeRole"},
		{"cluster", model.Error{Account: "3", Region: "us-east-1", Cluster: "c", Operation: "eks:DescribeCluster", Message: "x"},
			finding.Resource{Type: finding.ResourceCluster, Name: "c", Region: "us-east-1", Account: "3"}, "eks:DescribeCluster failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := b.ErrorResults(tt.err)
			if len(res) != 2 {
				t.Fatalf("%d results, want one per evaluated control", len(res))
			}
			for _, r := range res {
				if r.Status != finding.Error || r.Resource != tt.resource || !strings.Contains(r.Reason, tt.reason) {
					t.Errorf("result %+v", r)
				}
			}
		})
	}
}
